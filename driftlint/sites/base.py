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
from dataclasses import dataclass, replace

from driftlint.ltext import LText
from driftlint.model import Word
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


def line_values(text: LText, key: re.Pattern[str]) -> list[LText]:
    """The values of `key <sep> value` lines: what follows the pattern's match on each line
    it matches at the start, stripped, without one pair of surrounding double quotes."""
    out: list[LText] = []
    for line in text.split("\n"):
        match = key.match(line.text)
        if match is None:
            continue
        value = line[match.end() :].strip()
        if len(value.text) >= 2 and value.text[0] == value.text[-1] == '"':
            value = value[1:-1]
        if value.text:
            out.append(value)
    return out


def with_unknown_words(command: shell.Command, what: str, one: bool) -> shell.Command:
    """A command the runner gives more arguments (an ENC gets the node's name, a keepalived
    `notify` script the instance and its state): one unknown word, or any number."""
    if not command.words:
        return command
    last = command.words[-1]
    text = LText.symbol(last.span, what)
    extra = Word(text.text, last.span, True, one, text)
    return replace(command, words=(*command.words, extra))


def split_words(value: LText) -> list[shell.Command]:
    """A command line split on blanks only, as a runner that uses no shell splits it (no
    quotes, no expansion): one command, or none when the line is empty."""
    words = []
    for match in re.finditer(r"\S+", value.text):
        part = value[match.start() : match.end()]
        span = part.span()
        if span is not None:
            words.append(Word(part.text, span, part.dynamic, True, part))
    return [shell.Command(words=tuple(words))] if words else []
