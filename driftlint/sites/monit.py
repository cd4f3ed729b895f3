"""monit control files: `start program = "..."` (and `stop`, `restart`), `exec "..."` actions
and `check program NAME with path "..."`; monit splits the quoted command on blanks and runs no
shell (monit(1), "Service methods")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words

COMMAND = re.compile(
    r"""(?:\b(?:start|stop|restart)\s+program\s*=?|\bexec|\bcheck\s+program\s+\S+\s+with\s+path)"""
    r"""\s*(["'])(.*?)\1""",
    re.IGNORECASE,
)


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        if line.text.lstrip().startswith("#"):
            continue
        for match in COMMAND.finditer(line.text):
            out.extend(split_words(line[match.start(2) : match.end(2)]))
    return out


SITE = Site(
    "monit-control",
    read,
    paths=("/etc/monit/monitrc", "/etc/monit/conf.d/*", "/etc/monit/conf-enabled/*",
           "/etc/monitrc", "/etc/monit.d/*"),
    content=re.compile(r"^\s*check\s+(?:process|program|file|host|system)\b.*$\s+(?:.*\n)*?"
                       r"\s*(?:start|stop)\s+program", re.MULTILINE),
)  # fmt: skip
