"""Exim's `${run{command args}{yes}{no}}` expansion (in routers, ACLs, anywhere a string is
expanded): Exim splits the command on blanks, quotes keeping a word whole, and runs it with no
shell ("String expansions", `run`). An Exim variable in it (`$local_part`, `${domain}`) is an
unknown part of its word."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site

RUN = re.compile(r"\$\{run(?:,preexpand)?\s*\{")
VARIABLE = re.compile(r"\$(?:\{[^{}]*\}|[A-Za-z_]\w*)")
WORD = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for match in RUN.finditer(text.text):
        end = _closing(text.text, match.end())
        if end is None:
            continue
        body = text[match.end() : end]
        words: list[Word] = []
        for found in WORD.finditer(body.text):
            group = 1 if found.group(1) is not None else 2
            part = _unknowns(body[found.start(group) : found.end(group)])
            span = part.span()
            if span is not None:
                words.append(Word(part.text, span, part.dynamic, True, part))
        if words:
            out.append(shell.Command(words=tuple(words)))
    return out


def _closing(text: str, start: int) -> int | None:
    """Where the brace opened just before `start` closes; None when it does not (a `\\`
    escapes the character after it)."""
    depth, i, stop = 1, start, min(len(text), start + 4000)
    while i < stop:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _unknowns(word: LText) -> LText:
    parts: list[LText] = []
    pos = 0
    for match in VARIABLE.finditer(word.text):
        parts.append(word[pos : match.start()])
        span = word.span(match.start(), match.end())
        parts.append(LText.symbol(span, match.group(0)) if span else LText.plain(SYMBOL))
        pos = match.end()
    if not parts:
        return word
    parts.append(word[pos:])
    return LText.join(parts)


SITE = Site(
    "exim-run",
    read,
    paths=("/etc/exim4/exim4.conf", "/etc/exim4/exim4.conf.template", "/etc/exim4/conf.d/*",
           "/etc/exim/exim.conf", "/etc/exim/configure"),
    content=re.compile(r"\$\{run(?:,preexpand)?\s*\{"),
)  # fmt: skip
