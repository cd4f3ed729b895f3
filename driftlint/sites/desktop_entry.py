"""Desktop entries (`*.desktop` under `applications/`, `xdg/autostart/`, `xsessions/`): the
`Exec=` key of the `[Desktop Entry]` group and of its `[Desktop Action *]` groups is the
command a launcher, a file manager or the session runs, split into words without a shell.
Its field codes stand for what the launcher passes (the Desktop Entry Specification, "The
Exec key"): `%f`/`%u` one file or URL, `%F`/`%U` any number of them, `%i` the icon option
and its value or nothing, `%c` and `%k` one word each. `TryExec=` only tests that a program
exists; it runs nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words

GROUP = re.compile(r"^\s*\[([^\]]*)\]\s*$")
EXEC = re.compile(r"^\s*Exec\s*=\s*")
FIELD_CODES = {  # the code -> (what it stands for, a single word)
    "%f": ("a file the launcher passes", True),
    "%u": ("a URL the launcher passes", True),
    "%F": ("the files the launcher passes", False),
    "%U": ("the URLs the launcher passes", False),
    "%i": ("the icon option, if any", False),
    "%c": ("the entry's name", True),
    "%k": ("the entry's location", True),
}


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    group = ""
    for line in text.split("\n"):
        header = GROUP.match(line.text)
        if header is not None:
            group = header.group(1)
            continue
        if group != "Desktop Entry" and not group.startswith("Desktop Action "):
            continue
        match = EXEC.match(line.text)
        if match is None:
            continue
        for command in split_words(line[match.end() :].strip()):
            out.append(replace(command, words=tuple(_field(w) for w in command.words)))
    return out


def _field(word: Word) -> Word:
    code = FIELD_CODES.get(word.text)
    if code is None:
        return word
    what, one = code
    text = LText.symbol(word.span, what)
    return Word(text.text, word.span, True, one, text)


SITE = Site(
    "desktop-entry",
    read,
    paths=(
        "/usr/share/applications/*.desktop",
        "/usr/local/share/applications/*.desktop",
        "/etc/xdg/autostart/*.desktop",
        "/usr/share/xsessions/*.desktop",
        "/etc/skel/*.desktop",
        "*/.config/autostart/*.desktop",
    ),
    content=re.compile(r"^\[Desktop Entry\]\s*$", re.MULTILINE),
)
