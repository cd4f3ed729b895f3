"""De-quote and expand one shell word as written into located argv words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from driftlint.ltext import SYMBOL, LText, Run
from driftlint.model import Span, Word

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPECIAL = "@*#?$!-0123456789"
IFS = " \t\n"
# bash's $'...' escapes (bash manual, "ANSI-C Quoting").
ANSI = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
        "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}  # fmt: skip
PASSTHROUGH = frozenset({'"$@"', "$@", '"$*"', "$*", "${@}", '"${@}"', "${*}", '"${*}"'})


def relabel(located: LText, text: str) -> LText:
    """One character standing for `located` (an escape sequence), located at its first char."""
    runs = tuple(
        Run(0, 1, r.path, r.line, r.column, r.end_line, r.end_column, r.name, r.symbolic, r.assumed)
        for r in located[0:1].runs
    )
    return LText(text, runs)


def fallback_span(text: LText, path: str, start: int, end: int) -> Span:
    """A span for text[start:end]: located if possible, else counted inside the text itself."""
    if end - start > 8:  # fast path: ltext.span() visits every character
        while end - start > 1 and text.text[end - 1] in " \t\r\n;":
            end -= 1
        first, last = text.loc(start), text.loc(end - 1)
        if first and last and first[0] == last[0] and SYMBOL not in text.text[end - 1 : end]:
            return Span(first[0], first[1], first[2], last[1], last[2] + 1)
    found = text.span(start, end) if end > start else text.span(start, start + 1)
    if found is not None:
        return found
    for i in range(start, -1, -1):  # nearest located character before
        loc = text.loc(i) if i < len(text.text) else None
        if loc is not None:
            return Span(loc[0], loc[1], loc[2], loc[1], loc[2] + 1)
    line = text.text.count("\n", 0, start) + 1
    column = start - (text.text.rfind("\n", 0, start) + 1) + 1
    width = max(1, min(end, len(text.text)) - start)
    return Span(path, line, column, line, column + width)


def find_close(s: str, i: int, open_: str, close: str) -> int:
    """Index just past the `close` matching an `open_` already consumed before i; len(s) if none."""
    depth = 1
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and open_ != "{":
            j = s.find("'", i + 1)
            i = len(s) if j < 0 else j + 1
            continue
        if c == '"':
            i = skip_double(s, i + 1)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(s)


def skip_double(s: str, i: int) -> int:
    """Index just past the closing double quote of a string whose body starts at i."""
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and s.startswith("$(", i):
            i = find_close(s, i + 2, "(", ")")
            continue
        if c == "`":
            j = s.find("`", i + 1)
            i = len(s) if j < 0 else j + 1
            continue
        i += 1
    return len(s)


@dataclass(slots=True)
class Builder:
    """Collect the fields one word as written expands to (several when an expansion splits)."""

    text: LText
    path: str
    start: int
    end: int
    parts: list[LText] = field(default_factory=list)
    started: bool = False
    all_quoted: bool = True
    words: list[Word] = field(default_factory=list)
    through: list[Span] = field(default_factory=list)  # see Word.through

    def add(self, piece: LText, quoted: bool) -> None:
        self.started = True
        if not quoted:
            self.all_quoted = False
        if piece.text:
            self.parts.append(piece)

    def split(self) -> None:
        if self.started:
            source = LText.join(self.parts)
            span = source.span() or fallback_span(self.text, self.path, self.start, self.end)
            through = tuple(dict.fromkeys(self.through))
            self.words.append(
                Word(source.text, span, SYMBOL in source.text, self.all_quoted, source, through)
            )
        self.parts, self.started, self.all_quoted = [], False, True
        self.through = []

    def add_split(self, value: LText) -> None:
        """An unquoted expansion: split the value on IFS whitespace into located fields."""
        s = value.text
        i = 0
        while i < len(s):
            if s[i] in IFS:
                self.split()
                while i < len(s) and s[i] in IFS:
                    i += 1
                continue
            j = i
            while j < len(s) and s[j] not in IFS:
                j += 1
            self.add(value[i:j], False)
            i = j
        self.all_quoted = False


@dataclass(frozen=True, slots=True)
class Expander:
    """Expand words of `text` with known variables; everything unknown becomes a SYMBOL."""

    text: LText
    path: str
    env: Mapping[str, LText]
    unknown: frozenset[str] = frozenset()
    # Where known variables were assigned, for those assigned in another file (sourced).
    origins: Mapping[str, Span] = field(default_factory=dict)

    def symbol(self, start: int, end: int, name: str) -> LText:
        return LText.symbol(fallback_span(self.text, self.path, start, end), name)

    def lookup(self, name: str) -> LText | None:
        if name in self.unknown:
            return None
        return self.env.get(name)

    def words(self, start: int, end: int, split: bool = True) -> list[Word]:
        """The argv words text[start:end] expands to; one word when not `split` (assignments)."""
        b = Builder(self.text, self.path, start, end)
        s = self.text.text
        i = start
        while i < end:
            c = s[i]
            if c == "\\":
                if i + 1 < end and s[i + 1] == "\n":
                    i += 2  # line continuation
                    continue
                b.add(self.text[i + 1 : min(i + 2, end)], True)
                b.all_quoted = False
                i += 2
            elif c == "'":
                j = s.find("'", i + 1, end)
                j = end if j < 0 else j
                b.add(self.text[i + 1 : j], True)
                i = j + 1
            elif c == '"':
                i = self.double(b, i + 1, end)
            elif c == "$" and s.startswith("$'", i):
                i = self.ansi(b, i + 2, end)
            elif c == "$" and s.startswith('$"', i):
                i = self.double(b, i + 2, end)
            elif c in "$`":
                i = self.dollar(b, i, end, quoted=False, split=split)
            elif c in IFS and split:
                b.split()  # only seen in a text that was not split by tree-sitter (units)
                i += 1
            elif c in "*?" or (c == "[" and "]" in s[i + 1 : end]) or (c == "~" and i == start):
                b.add(self.symbol(i, i + 1, c), False)  # glob or tilde: unknown
                i += 1
            else:
                j = i
                while j < end and s[j] not in "\\'\"$`*?[~" + (IFS if split else ""):
                    j += 1
                j = max(j, i + 1)
                b.add(self.text[i:j], False)
                i = j
        b.split()
        return b.words

    def double(self, b: Builder, i: int, end: int) -> int:
        """Body of "..." from i; returns the index past the closing quote."""
        s = self.text.text
        b.add(LText.plain(""), True)
        while i < end:
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\" and i + 1 < end and s[i + 1] in '"\\$`\n':
                if s[i + 1] != "\n":
                    b.add(self.text[i + 1 : i + 2], True)
                i += 2
            elif c in "$`":
                i = self.dollar(b, i, end, quoted=True, split=False)
            else:
                j = i + 1
                while j < end and s[j] not in '"\\$`':
                    j += 1
                b.add(self.text[i:j], True)
                i = j
        return end

    def ansi(self, b: Builder, i: int, end: int) -> int:
        s = self.text.text
        b.add(LText.plain(""), True)
        while i < end:
            c = s[i]
            if c == "'":
                return i + 1
            if c != "\\" or i + 1 >= end:
                b.add(self.text[i : i + 1], True)
                i += 1
                continue
            e = s[i + 1]
            if e in ANSI:
                b.add(relabel(self.text[i:end], ANSI[e]), True)
                i += 2
            elif e in "x01234567":
                digits = re.match(r"x[0-9A-Fa-f]{1,2}|[0-7]{1,3}", s[i + 1 : end])
                if digits is None:
                    b.add(self.text[i : i + 2], True)
                    i += 2
                    continue
                d = digits.group()
                code = int(d[1:], 16) if d[0] == "x" else int(d, 8)
                b.add(relabel(self.text[i:end], chr(code)), True)
                i += 1 + len(d)
            else:
                b.add(self.text[i : i + 2], True)
                i += 2
        return end

    def dollar(self, b: Builder, i: int, end: int, quoted: bool, split: bool) -> int:
        """A `$...` or backtick expansion at i; returns the index after it."""
        s = self.text.text[:end]
        if s[i] == "`":
            j = s.find("`", i + 1)
            j = end if j < 0 else j + 1
            b.add(self.symbol(i, j, s[i:j]), quoted)
            return j
        nxt = s[i + 1] if i + 1 < end else ""
        if s.startswith("$((", i):
            j = find_close(s, i + 3, "(", ")")
            j = min(end, j + 1 if j < end and s[j] == ")" else j)
            b.add(self.symbol(i, j, s[i:j]), quoted)
            return j
        if nxt == "(":
            j = find_close(s, i + 2, "(", ")")
            b.add(self.symbol(i, j, s[i:j]), quoted)
            return j
        value: LText | None = None
        if nxt == "{":
            j = find_close(s, i + 2, "{", "}")
            body = s[i + 2 : j - 1]
            name = NAME.match(body)
            if name is not None and name.end() == len(body):
                value = self.lookup(body)
            elif name is not None and body[name.end() : name.end() + 2] in (":-", ":="):
                known = self.lookup(name.group())
                if known is not None and known.text:
                    value = known
                elif known is not None:  # set but empty: the default applies
                    value = self.default(i + 2 + name.end() + 2, j - 1)
        elif nxt and nxt in SPECIAL:
            j = i + 2
        elif (name := NAME.match(s, i + 1)) is not None:
            j = name.end()
            value = self.lookup(name.group())
        else:
            b.add(self.text[i : i + 1], quoted)  # a lone `$` is literal
            return i + 1
        used = NAME.match(s, i + 2 if nxt == "{" else i + 1)
        if value is not None and used is not None and used.group() in self.origins:
            b.through.append(self.origins[used.group()])
        if value is None:
            b.add(self.symbol(i, j, s[i:j]), quoted)
        elif quoted or not split:
            b.add(value, quoted)
        else:
            b.add_split(value)
        return j

    def default(self, start: int, end: int) -> LText:
        """The `word` of `${X:-word}`, expanded as one field."""
        found = self.words(start, end, split=False)
        return found[0].source if found and found[0].source is not None else LText.plain("")
