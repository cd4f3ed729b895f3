"""Custom Facter facts (a module's `lib/facter/*.rb`): Puppet copies them to every agent
(pluginsync) and Facter runs them there, so a command a fact runs (`%x{...}`, backticks,
`Facter::Core::Execution.execute`) runs on every host. Its script is found where the hosts
install it, as for `ssh HOST cmd`: the fact names no role of its own. Read as a Ruby program
(driftlint.sites.programs)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites import programs
from driftlint.sites.base import Site

FACT = re.compile(r"(?:^|/)lib/facter/(?:[^/]+/)*[^/]+\.rb$")
REMOTE = "a Facter fact"


def is_fact(path: str) -> bool:
    """Is a tree file a custom fact, run by Facter on every agent? Not the copies of modules
    rspec fixtures hold under `spec/`, which Puppet never loads."""
    return FACT.search(path) is not None and "spec" not in path.split("/")[:-1]


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    program = LText.plain("#!/usr/bin/ruby\n") + text  # Ruby, whatever its first line
    commands = programs.read(program, path, named)
    return [replace(c, remote=REMOTE) for c in commands]


SITE = Site("facter-fact", read, paths=("*/lib/facter/*.rb",))
