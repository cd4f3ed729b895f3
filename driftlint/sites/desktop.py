"""Desktop entries (`.desktop` files: XDG autostart, application launchers): `Exec=` is a
command line the session runs with no shell, split on blanks, double quotes keeping a word
whole; a field code (`%f`, `%U`) is the file or files the launcher passes (the Desktop Entry
Specification, "The Exec key")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values

EXEC = re.compile(r"^\s*Exec\s*=\s*")
WORD = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
ONE_FILE = frozenset({"%f", "%u", "%i", "%c", "%k"})
FILES = frozenset({"%F", "%U"})


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for value in line_values(text, EXEC):
        words: list[Word] = []
        for match in WORD.finditer(value.text):
            group = 1 if match.group(1) is not None else 2
            part = value[match.start(group) : match.end(group)]
            span = value.span(match.start(), match.end())
            if span is None:
                continue
            code = match.group(2)
            if code in ONE_FILE or code in FILES:
                part = LText.symbol(span, "the files the launcher passes")
                words.append(Word(part.text, span, True, code in ONE_FILE, part))
                continue
            words.append(Word(part.text, span, part.dynamic, True, part))
        if words:
            out.append(shell.Command(words=tuple(words)))
    return out


SITE = Site(
    "desktop-entry",
    read,
    paths=("/etc/xdg/autostart/*.desktop", "*/.config/autostart/*.desktop",
           "/usr/share/applications/*.desktop", "/usr/local/share/applications/*.desktop"),
    content=re.compile(r"^\[Desktop Entry\]", re.MULTILINE),
)  # fmt: skip
