"""NRPE checks: `command[name]=command line`, which the daemon runs through `/bin/sh -c`.

`$ARG1$`-style macros are unknown words (they hold what the monitoring server sends), never
read by the shell (driftlint.sites.macros)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site
from driftlint.sites.macros import macros_to_symbols

LINE = re.compile(r"^[ \t]*command\[[^\]]+\]\s*=\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        if match := LINE.match(line.text):
            out.extend(shell.parse_shell(macros_to_symbols(line[match.end() :]), path).commands)
    return out


SITE = Site(
    "nrpe-command",
    read,
    paths=("/etc/nagios/nrpe.d/*", "/etc/nagios/nrpe.cfg", "/etc/nagios/nrpe_local.cfg",
           "/etc/nrpe.d/*", "*/nrpe.d/*"),
    content=re.compile(LINE.pattern, re.MULTILINE),
)  # fmt: skip
