"""acpid event files (`/etc/acpi/events/*`): `action=` is a command line that acpid runs with
`/bin/sh -c` when the `event=` matches (acpid(8))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values

ACTION = re.compile(r"^\s*action\s*=\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    return [c for v in line_values(text, ACTION) for c in shell.parse_shell(v, path).commands]


SITE = Site(
    "acpid-event",
    read,
    paths=("/etc/acpi/events/*",),
    content=re.compile(r"^\s*event\s*=.*\n(?:.*\n)*?\s*action\s*=", re.MULTILINE),
)
