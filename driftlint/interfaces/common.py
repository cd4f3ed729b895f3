"""Shared pieces of the spec readers: positions, findings, dialect flags and ERB blanking."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from driftlint.model import Finding, Interface, Option, Span

# How each dialect binds argv (DESIGN §2); readers start from these and adjust.
DIALECT_FLAGS: dict[str, dict[str, bool]] = {
    "docopt": dict(
        bundling=True,
        attached_values=True,
        long_equals=True,
        abbreviations=True,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "getopts": dict(
        bundling=True,
        attached_values=True,
        long_equals=False,
        abbreviations=False,
        interleaved=False,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "getopt_long": dict(
        bundling=True,
        attached_values=True,
        long_equals=True,
        abbreviations=True,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "argparse": dict(
        bundling=True,
        attached_values=True,
        long_equals=True,
        abbreviations=True,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "optparse": dict(
        bundling=True,
        attached_values=True,
        long_equals=True,
        abbreviations=True,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "manual": dict(
        bundling=False,
        attached_values=False,
        long_equals=False,
        abbreviations=False,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
    "positional": dict(
        bundling=False,
        attached_values=False,
        long_equals=False,
        abbreviations=False,
        interleaved=True,
        single_dash_long=False,
        accepts_unknown=False,
    ),
}


class LineIndex:
    """Offsets in a text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def span(self, path: str, start: int, end: int) -> Span:
        line, column = self.pos(start)
        end_line, end_column = self.pos(max(start, end))
        return Span(path, line, column, end_line, end_column)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of usage text, with where its first character is written."""

    text: str
    line: int
    column: int  # 1-based column of text[0]

    def span(self, path: str, start: int, end: int) -> Span:
        return Span(path, self.line, self.column + start, self.line, self.column + end)


def parse_error(span: Span, message: str) -> Finding:
    return Finding(span=span, code="parse-error", message=message, severity="warning")


def undocumented(span: Span, message: str, argument: str, script: str) -> Finding:
    return Finding(
        span=span,
        code="undocumented-option",
        message=message,
        argument=argument,
        script=script,
        severity="warning",
    )


def make_interface(script: str, dialect: str, **fields: object) -> Interface:
    """An Interface with the dialect's flags, overridden by `fields`."""
    flags: dict[str, object] = dict(DIALECT_FLAGS.get(dialect, DIALECT_FLAGS["docopt"]))
    flags.update(fields)
    return Interface(script, dialect, **flags)  # type: ignore[arg-type]


def merge_names(options: list[Option]) -> list[Option]:
    """Drop later declarations whose names an earlier option already holds."""
    seen: set[str] = set()
    out = []
    for option in options:
        names = tuple(n for n in option.names if n not in seen)
        if not names:
            continue
        seen.update(names)
        out.append(option if names == option.names else _renamed(option, names))
    return out


def _renamed(option: Option, names: tuple[str, ...]) -> Option:
    from dataclasses import replace

    return replace(option, names=names)


def suggest(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean `{close[0]}`?" if close else ""
