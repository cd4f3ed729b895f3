"""logrotate scripts: `prerotate`/`postrotate`/`firstaction`/`lastaction`/`preremove` ...
`endscript` blocks, run by `/bin/sh` (logrotate(8))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, block_commands

START = re.compile(r"^\s*(?:pre|post)rotate|^\s*(?:first|last)action|^\s*preremove")
END = re.compile(r"^\s*endscript\b")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    blocks: list[LText] = []
    inside = False
    for line in text.split("\n"):
        if inside:
            if END.match(line.text):
                inside = False
            else:
                blocks.append(line)
        elif match := START.match(line.text):
            inside = True
            rest = line[match.end() :]
            if rest.text.strip():
                blocks.append(rest)
    return block_commands(text, path, named, blocks)


SITE = Site(
    "logrotate-script",
    read,
    paths=("/etc/logrotate.d/*", "/etc/logrotate.conf"),
    content=re.compile(r"^\s*(?:pre|post)rotate\s*$", re.MULTILINE),
)
