"""systemd units: `ExecStart=` and friends, `Environment=` and installed `EnvironmentFile=`s."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell, units
from driftlint.sites.base import Site


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    unit = units.parse_unit(text, path)
    env: dict[str, LText] = {}
    for env_file in unit.environment_files:
        other = named.get(env_file.lstrip("-"))
        if other is not None:
            env.update(units.parse_env_file(other, env_file))
    env.update(unit.environment)
    return list(units.unit_commands(replace(unit, environment=env)))


SITE = Site(
    "systemd-unit",
    read,
    paths=("*.service", "*.timer", "*.socket", "*.path", "*/systemd/*"),
    content=re.compile(r"^\s*\[Service\]\s*$", re.MULTILINE),
)
