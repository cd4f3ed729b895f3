"""systemd units: `ExecStart=` and friends, `Environment=` and installed `EnvironmentFile=`s;
`WorkingDirectory=` is where a relative operand of an interpreter (`python3 app.py`) is."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell, units
from driftlint.sites.base import Site

# A literal absolute directory; `~`, specifiers (`%h`) and `-` make it unknown.
WORKDIR = re.compile(r"^[ \t]*WorkingDirectory[ \t]*=[ \t]*(/[^\s%]*)[ \t]*$", re.MULTILINE)


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    unit = units.parse_unit(text, path)
    env: dict[str, LText] = {}
    for env_file in unit.environment_files:
        other = named.get(env_file.lstrip("-"))
        if other is not None:
            env.update(units.parse_env_file(other, env_file))
    env.update(unit.environment)
    commands = list(units.unit_commands(replace(unit, environment=env)))
    found = WORKDIR.findall(text.text)
    if found and found[-1].startswith("/"):
        commands = [replace(c, cwd=found[-1].rstrip("/") or "/") for c in commands]
    return commands


SITE = Site(
    "systemd-unit",
    read,
    paths=("*.service", "*.timer", "*.socket", "*.path", "*/systemd/*"),
    content=re.compile(r"^\s*\[Service\]\s*$", re.MULTILINE),
)
