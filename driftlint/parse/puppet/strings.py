"""Puppet string values: quoted strings, heredoc bodies and EPP text, each character located."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from driftlint.ltext import LText, Run
from driftlint.model import Finding, Span
from driftlint.parse.puppet.ast import Interp, Lit, Var

if TYPE_CHECKING:
    from driftlint.parse.puppet.lexer import Lexer, Tok

_DQ_PLAIN = re.compile(r'[^"\\$\n]+')
_HD_PLAIN = re.compile(r"[^\\$\n]+")
_SQ_PLAIN = re.compile(r"[^'\\\n]+")
_VAR = re.compile(r"\$(::)?((?:\w+::)*\w+)")
_UNICODE = re.compile(r"u(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4}))")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "s": " "}

# Puppet's double-quoted escapes; "\n" is a backslash-newline line continuation.
DQ_ESCAPES = frozenset("\\$'\"rntsu\n")
SQ_ESCAPES = frozenset("\\'")


class Source:
    """A file's text with a line index: offsets become 1-based (line, column) spans."""

    __slots__ = ("path", "starts", "text")

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def loc(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.loc(start)
        end_line, end_column = self.loc(max(start, end))
        return Span(self.path, line, column, end_line, end_column)

    def column(self, offset: int) -> int:
        return self.loc(offset)[1]

    def error(self, start: int, end: int, message: str) -> Finding:
        return Finding(self.span(start, end), "parse-error", message, severity="warning")


@dataclass(frozen=True, slots=True)
class RawInterp:
    """`${...}` before parsing: its tokens and the offsets of `${` and after `}`."""

    toks: list[Tok]
    start: int
    end: int


class LitBuilder:
    """Collects a literal value piece by piece, remembering where each character is written."""

    __slots__ = ("chars", "end", "length", "runs", "src", "start")

    def __init__(self, src: Source) -> None:
        self.src = src
        self.chars: list[str] = []
        self.runs: list[Run] = []
        self.length = 0
        self.start = -1
        self.end = -1

    def _mark(self, start: int, end: int) -> None:
        if self.start < 0:
            self.start = start
        self.end = end

    def chunk(self, start: int, end: int) -> None:
        """Source text[start:end], without newlines, taken as is."""
        if end <= start:
            return
        piece = self.src.text[start:end]
        line, column = self.src.loc(start)
        self.runs.append(Run(self.length, self.length + len(piece), self.src.path, line, column))
        self.chars.append(piece)
        self.length += len(piece)
        self._mark(start, end)

    def char(self, value: str, start: int, end: int) -> None:
        """One value character written as source text[start:end] (an escape)."""
        if value:
            line, column = self.src.loc(start)
            self.runs.append(Run(self.length, self.length + 1, self.src.path, line, column))
            self.chars.append(value)
            self.length += 1
        self._mark(start, end)

    def newline(self, offset: int) -> None:
        self.chars.append("\n")
        self.length += 1
        self._mark(offset, offset + 1)

    def text_chunk(self, start: int, end: int) -> None:
        """Source text[start:end] taken as is, newlines included."""
        text = self.src.text
        while start < end:
            i = text.find("\n", start, end)
            if i < 0:
                self.chunk(start, end)
                return
            self.chunk(start, i)
            self.newline(i)
            start = i + 1

    def flush(self, parts: list[Lit | Interp | RawInterp]) -> None:
        if self.start >= 0:
            value = LText("".join(self.chars), tuple(self.runs))
            parts.append(Lit(self.src.span(self.start, self.end), value))
        self.chars, self.runs, self.length, self.start, self.end = [], [], 0, -1, -1


def _skip_margin(text: str, pos: int, limit: int, margin: int) -> int:
    stop = min(limit, pos + margin)
    while pos < stop and text[pos] in " \t":
        pos += 1
    return pos


def scan(
    lexer: Lexer,
    pos: int,
    limit: int,
    quote: str,
    escapes: frozenset[str],
    interpolate: bool,
    margin: int = 0,
) -> tuple[list[Lit | Interp | RawInterp], int, bool]:
    """Scan a string body from pos; stop after `quote` (when given) or at limit.

    Return the parts, the offset after the string and whether the closing quote was found.
    """
    src = lexer.src
    text = src.text
    parts: list[Lit | Interp | RawInterp] = []
    lit = LitBuilder(src)
    plain = _DQ_PLAIN if quote == '"' else _SQ_PLAIN if quote == "'" else _HD_PLAIN
    if margin:
        pos = _skip_margin(text, pos, limit, margin)
    while pos < limit:
        c = text[pos]
        if c == quote:
            lit.flush(parts)
            return parts, pos + 1, True
        if c == "\n":
            lit.newline(pos)
            pos += 1
            if margin:
                pos = _skip_margin(text, pos, limit, margin)
            continue
        if c == "\\":
            nxt = text[pos + 1] if pos + 1 < limit else ""
            if nxt == "\r" and text.startswith("\r\n", pos + 1) and "\n" in escapes:
                nxt = "\n"
                pos += 1
            if nxt and nxt in escapes:
                if nxt == "u":
                    m = _UNICODE.match(text, pos + 1, limit)
                    if m is not None:
                        code = int(m.group(1) or m.group(2), 16)
                        lit.char(chr(code) if code <= 0x10FFFF else "\ufffd", pos, m.end())
                        pos = m.end()
                        continue
                elif nxt == "\n":
                    lit.char("", pos, pos + 2)  # line continuation: no character
                    pos += 2
                    if margin:
                        pos = _skip_margin(text, pos, limit, margin)
                    continue
                else:
                    lit.char(_ESCAPED.get(nxt, nxt), pos, pos + 2)
                    pos += 2
                    continue
            lit.chunk(pos, pos + 1)  # an unknown escape keeps its backslash
            pos += 1
            continue
        if c == "$" and interpolate:
            if text.startswith("${", pos):
                lit.flush(parts)
                toks: list[Tok] = []
                end = lexer.code(pos + 2, toks, "interp")
                parts.append(RawInterp(toks, pos, end))
                pos = end
                continue
            m = _VAR.match(text, pos, limit)
            if m is not None:
                lit.flush(parts)
                span = src.span(pos, m.end())
                parts.append(Interp(span, Var(span, m.group(2), bool(m.group(1)))))
                pos = m.end()
                continue
        m = plain.match(text, pos, limit)
        end = m.end() if m is not None else pos + 1
        lit.chunk(pos, end)
        pos = end
    lit.flush(parts)
    return parts, pos, not quote


def heredoc_escapes(flags: str | None) -> frozenset[str]:
    """The escapes a heredoc's `/flags` turn on; `/` alone turns on all of them."""
    if flags is None:
        return frozenset()
    letters = set(flags or "trnsuL$")
    out = {c for c in letters if c in "trnsu$"} | {"\\"}
    if "L" in letters:
        out.add("\n")
    return frozenset(out)
