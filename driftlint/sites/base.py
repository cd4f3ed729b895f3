"""What every kind of call site says: how to recognise its file and how to read its commands.

A kind is recognised by the path a file is installed at (`fnmatch` patterns, where `*` also
crosses `/`) or by its content (a pattern searched near the start of the text, which may be a
template's source before rendering). Its reader turns one located text into shell commands;
`named` holds the texts of the other files the same role installs that this text names by
path (an `EnvironmentFile=`, a sourced `/etc/default` file), so a command can take its words
from them.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from driftlint.ltext import LText
from driftlint.parse import shell

Reader = Callable[[LText, str, Mapping[str, LText]], list[shell.Command]]
HEAD = 2000  # how far into a text a content pattern is looked for


@dataclass(frozen=True, slots=True)
class Site:
    name: str  # the kind, as `calls` and tests name it
    read: Reader
    paths: tuple[str, ...] = ()  # installed paths, fnmatch patterns
    content: re.Pattern[str] | None = None  # searched in the first HEAD characters
    # Installed paths (from the file's own path) that, when the same role installs one of
    # them, run this file's commands themselves: this kind then reads nothing.
    shadowed_by: Callable[[str], tuple[str, ...]] = lambda dest: ()

    def claims_path(self, dest: str) -> bool:
        return _paths_regex(self.paths).match(dest) is not None

    def claims_text(self, text: str) -> bool:
        return self.content is not None and self.content.search(text[:HEAD]) is not None


@functools.cache
def _paths_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def shell_commands(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    """A shell script's commands; a file it sources is read when the role installs it."""
    return list(shell.parse_shell(text, path, None, named.get).commands)


def block_commands(
    text: LText, path: str, named: Mapping[str, LText], blocks: list[LText]
) -> list[shell.Command]:
    """Shell commands of some located pieces of a file, read as one script in order, so that
    an assignment in an early piece holds for a later one."""
    if not blocks:
        return []
    return shell_commands(LText.join(blocks, "\n"), path, named)


def basename(dest: str) -> str:
    return posixpath.basename(dest)
