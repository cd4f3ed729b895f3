"""Puppet's `shellquote()`: quote each argument for the Bourne shell and join them with spaces
(Puppet function reference, `shellquote`); arrays among the arguments are flattened in."""

from __future__ import annotations

import re

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.values import Unknown, Value, to_text

SAFE = re.compile(r"[A-Za-z0-9@%_+=:,./-]+")
DANGEROUS = re.compile(r"[!\"`$\\]")  # not safe inside double quotes


def shellquote(args: list[Value], span: Span) -> Value:
    """As Puppet quotes: a safe word bare, else in double quotes, else (a word with a
    character double quotes do not protect) in single quotes. A word with an unknown part
    is single-quoted: what the part holds decides Puppet's choice, not the words it makes."""
    words: list[LText] = []
    for value in _flatten(args):
        text = to_text(value, span)
        if SAFE.fullmatch(text.text):
            words.append(text)
        elif not text.dynamic and not DANGEROUS.search(text.text):
            words.append(LText.plain('"') + text + '"')
        elif "'" not in text.text:
            words.append(LText.plain("'") + text + "'")
        else:
            return Unknown(span, "shellquote()")  # mixed quoting: not worth the guess
    return LText.join(words, " ")


def _flatten(values: list[Value]) -> list[Value]:
    out: list[Value] = []
    for value in values:
        if isinstance(value, tuple):
            out.extend(_flatten(list(value)))
        else:
            out.append(value)
    return out
