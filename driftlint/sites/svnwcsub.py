"""svnwcsub (Apache Subversion's svnpubsub working-copy updater, `svnwcsub.conf`): the
`hook` option of `[DEFAULT]` names a program that svnwcsub runs after each update of a
working copy, with the mode (`post-update` or `boot`), the working copy's path, the revision
and the repository URL as its four arguments (tools/server-side/svnpubsub/svnwcsub.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site

HOOK = re.compile(r"^hook\s*[:=]\s*")
ARGUMENTS = ("the mode", "the working copy", "the revision", "the URL")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        match = HOOK.match(line.text)
        if match is None:
            continue
        value = line[match.end() :].strip()  # one program path, never split
        span = value.span()
        if not value.text or span is None:
            continue
        words = [Word(value.text, span, value.dynamic, True, value)]
        for what in ARGUMENTS:
            symbol = LText.symbol(span, what)
            words.append(Word(symbol.text, span, True, True, symbol))
        out.append(shell.Command(words=tuple(words)))
    return out


SITE = Site(
    "svnwcsub-hook",
    read,
    paths=("/etc/svnwcsub.conf", "/etc/svnpubsub/svnwcsub.conf"),
    content=re.compile(r"^streams\s*[:=].*\n(?:.*\n)*?hook\s*[:=]", re.MULTILINE),
)
