"""supervisord programs: the `command=` of each `[program:x]` section (supervisord.conf(5));
an indented line continues the value; `directory=` is where it runs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site

KEY = re.compile(r"^command\s*[=:]\s*")
DIRECTORY = re.compile(r"^directory\s*[=:]\s*(/[^\s%]*)\s*$")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        match = KEY.match(line.text)
        if match is None:
            continue
        value = [line[match.end() :]]
        for more in lines[number + 1 :]:
            if not more.text[:1].isspace() or not more.text.strip():
                break
            value.append(more.strip())
        command = LText.join(value, " ")
        # supervisord splits with shlex, not a shell: the shell's reading of quotes is the same.
        found = shell.parse_shell(command, path).commands[:1]
        directory = _section_directory(lines, number)
        out.extend(replace(c, cwd=directory) for c in found)
    return out


def _section_directory(lines: list[LText], number: int) -> str | None:
    """The literal absolute `directory=` of the `[program:x]` section holding a line."""
    start = next((i for i in range(number, -1, -1) if lines[i].text.startswith("[")), 0)
    end = next((i for i in range(number + 1, len(lines)) if lines[i].text.startswith("[")), None)
    for line in lines[start:end]:
        match = DIRECTORY.match(line.text)
        if match:
            return match.group(1).rstrip("/") or "/"
    return None


SITE = Site(
    "supervisord-program",
    read,
    paths=("/etc/supervisor/conf.d/*", "/etc/supervisord.d/*", "/etc/supervisord.conf",
           "/etc/supervisor/supervisord.conf"),
    content=re.compile(r"^\[program:[^\]]+\]", re.MULTILINE),
)  # fmt: skip
