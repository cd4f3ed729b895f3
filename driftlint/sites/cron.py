"""Crontabs: system ones (`/etc/cron.d/*`, `/etc/crontab`) name a user before the command."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell, units
from driftlint.sites.base import Site

USER_CRONTABS = "/var/spool/cron/*"


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    system = not path.startswith(USER_CRONTABS[:-1])
    out: list[shell.Command] = []
    for line in units.parse_crontab(text, path, system=system):
        origin = line.paths()[0] if line.paths() else path
        out.extend(shell.parse_shell(line, origin).commands)
    return out


SITE = Site(
    "cron",
    read,
    paths=("/etc/cron.d/*", "/etc/crontab", "*/crontab", USER_CRONTABS),
    # Five time fields (or a nickname), a user, then a command that starts with a path.
    content=re.compile(
        r"^(?:@(?:reboot|hourly|daily|weekly|monthly|yearly|annually|midnight)"
        r"|(?:[\d*/,-]+\s+){4}[\d*/,a-zA-Z-]+)\s+[a-z_][\w-]*\s+/",
        re.MULTILINE,
    ),
)
