"""Shell scripts, known by their `#!` line wherever they are installed.

A script whose last line runs its own arguments (`"$@"`, `exec "$@"`) after dropping a fixed
number of them with top-level `shift`s, and that reads no options, is a wrapper: what follows
those arguments is the command it runs (`with_lock NAME cmd ...`), `passthrough_skip`.
"""

from __future__ import annotations

import re

from driftlint.sites.base import Site, shell_commands

_RUNS_ARGS = re.compile(r'^(?:exec\s+)?"\$(?:@|\{@\})"\s*$')
_SHIFT = re.compile(r"^shift(?:\s+(\d+))?\s*(?:#.*)?$")
# Options read, arguments reset, `$*` or an unquoted `$@`: the words it runs are not a tail.
_OPTIONS = re.compile(r'\bgetopts?\b|\bset\s+--|\$\{?\*|(?<!")\$\{?@|\$\{@:')

SITE = Site(
    "shell-script",
    shell_commands,
    content=re.compile(r"\A\ufeff?#!\s*\S*\b(?:env\s+)?(?:ba|da|k|z)?sh\b"),
)


def passthrough_skip(text: str) -> int | None:
    """How many leading arguments a wrapper script drops before running the rest as a
    command, or None when it is not such a wrapper (or cannot be told)."""
    if not SITE.claims_text(text) or _OPTIONS.search(text):
        return None
    lines = [line.rstrip() for line in text.split("\n")]
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not code or not _RUNS_ARGS.match(code[-1]):
        return None
    if sum('"$@"' in line or '"${@}"' in line for line in code) != 1:
        return None  # the arguments are used elsewhere too
    skip = 0
    for line in code[:-1]:
        stripped = line.strip()
        if stripped.startswith("shift"):
            match = _SHIFT.match(line)  # not indented: a shift in a branch or loop is unknown
            if match is None:
                return None
            skip += int(match.group(1) or 1)
    return skip if skip else None
