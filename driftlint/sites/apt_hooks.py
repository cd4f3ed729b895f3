"""apt hooks: `DPkg::Pre-Invoke`, `DPkg::Post-Invoke`, `APT::Update::Post-Invoke` and the like
in `/etc/apt/apt.conf.d/*`, a list of quoted shell command strings (apt.conf(5))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site

HOOK = re.compile(r"(?:DPkg|APT(?:::Update)?)::(?:Pre|Post)-Invoke(?:-Success)?\s*\{", re.I)
STRING = re.compile(r'"([^"]*)"')


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for hook in HOOK.finditer(text.text):
        end = text.text.find("}", hook.end())
        body_end = end if end >= 0 else len(text.text)
        for string in STRING.finditer(text.text, hook.end(), body_end):
            out.extend(shell.parse_shell(text[string.start(1) : string.end(1)], path).commands)
    return out


SITE = Site(
    "apt-hook",
    read,
    paths=("/etc/apt/apt.conf.d/*",),
    content=HOOK,
)
