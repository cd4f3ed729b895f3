"""Tea4CUPS hooks (`/etc/cups/tea4cups.conf`): `prehook_NAME`, `posthook_NAME` and `filter`
values are command lines the CUPS backend runs with `/bin/sh -c` for every job."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values

HOOK = re.compile(r"^\s*(?:(?:pre|post)hook_\w+|filter)\s*[:=]\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    return [c for v in line_values(text, HOOK) for c in shell.parse_shell(v, path).commands]


SITE = Site(
    "tea4cups-hook",
    read,
    paths=("/etc/cups/tea4cups.conf",),
    content=re.compile(r"^\s*(?:pre|post)hook_\w+\s*[:=]", re.MULTILINE),
)
