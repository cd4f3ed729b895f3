"""Shell scripts, known by their `#!` line wherever they are installed."""

from __future__ import annotations

import re

from driftlint.sites.base import Site, shell_commands

SITE = Site(
    "shell-script",
    shell_commands,
    content=re.compile(r"\A\ufeff?#!\s*\S*\b(?:env\s+)?(?:ba|da|k|z)?sh\b"),
)
