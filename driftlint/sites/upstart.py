"""Upstart jobs (`/etc/init/*.conf`): `exec`, `script ... end script` blocks (also after
`pre-start`, `post-start`, `pre-stop`, `post-stop`) and `env NAME=value` stanzas, per init(5)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, block_commands

PHASE = r"(?:(?:pre|post)-(?:start|stop)\s+)?"
EXEC = re.compile(rf"^\s*{PHASE}exec\s+")
SCRIPT = re.compile(rf"^\s*{PHASE}script\s*(?:#.*)?$")
END = re.compile(r"^\s*end\s+script\b")
ENV = re.compile(r"^\s*env\s+(?=[A-Za-z_][A-Za-z0-9_]*=)")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    blocks: list[LText] = []
    inside = False
    for line in text.split("\n"):
        if inside:
            if END.match(line.text):
                inside = False
            else:
                blocks.append(line)
        elif SCRIPT.match(line.text):
            inside = True
        elif match := EXEC.match(line.text):
            blocks.append(line[match.end() :])
        elif match := ENV.match(line.text):
            blocks.append(line[match.end() :])  # `NAME=value`: an assignment in shell too
    return block_commands(text, path, named, blocks)


SITE = Site(
    "upstart-job",
    read,
    paths=("/etc/init/*.conf", "/etc/init/*.override"),
    content=re.compile(r"^\s*start on\b.*$\s*(?:.*\n)*?\s*(?:exec|script)\b", re.MULTILINE),
)
