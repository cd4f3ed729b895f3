"""Puppet 7 lexer: one compiled master regex; strings, heredocs and EPP text are located."""

from __future__ import annotations

import re
from typing import Any

from driftlint.model import Finding
from driftlint.parse.puppet.strings import (
    DQ_ESCAPES,
    SQ_ESCAPES,
    LitBuilder,
    Source,
    heredoc_escapes,
    scan,
)

KEYWORDS = frozenset(
    ("and", "case", "class", "default", "define", "else", "elsif", "false", "function", "if")
) | {"in", "inherits", "node", "or", "true", "undef", "unless"}

_TOKEN = re.compile(
    r"""
     (?P<ws>[ \t\r\n\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+)
    |(?P<word>(?:::)?[a-z_](?:[\w-]*\w)?(?:::[a-z_](?:[\w-]*\w)?)*)
    |(?P<var>\$(?:::)?(?:\w+::)*\w+)
    |(?P<cref>(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*)
    |(?P<comment>\#[^\n]*|/\*.*?\*/)
    |(?P<num>0[xX][0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE]-?\d+)?)
    |(?P<sq>'(?:[^'\\]|\\.)*')
    |(?P<dq>")
    |(?P<heredoc>@\((?P<tag>[^:/\r\n)]+)(?::[ \t]*(?P<syntax>[a-z][a-zA-Z0-9_+]+)[ \t]*)?
        (?:/(?P<flags>[\w$]*)[ \t]*)?\))
    |(?P<op><<\||\|>>|<\||\|>|->|~>|<-|<~|=>|\+>|==|!=|=~|!~|<=|>=|<<|>>|\+=|-=|@@
        |[-+*/%<>=!?:,;.|@(){}\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)
# After these a `/` divides; elsewhere it starts a regex (Puppet's lexer2 regexp_acceptable?).
_DIVIDES_AFTER = frozenset(
    ("NAME", "CREF", "NUM", "STR", "REGEX", "VAR", ")", "]", "|>", "|>>", "true", "false")
)
# Puppet 7 accepts a regex spread over lines (`Pattern[/(?x: ... )/]`).
_REGEX = re.compile(r"/[^/]*/")
_EPP_TAG = re.compile(r"<%%|%%>|<%")
_TRIM_AFTER = re.compile(r"[ \t]*(?:\r?\n)?")


class Tok:
    """One token: kind (an operator, a keyword, or NAME CREF VAR NUM STR REGEX TEXT ...)."""

    __slots__ = ("end", "kind", "start", "value", "ws")

    def __init__(self, kind: str, value: Any, start: int, end: int, ws: bool) -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end
        # `[` and other tokens: preceded by a blank; `(`: first on its line (Puppet's
        # LISTSTART and WSLPAREN, which keep `$x [1]` and a line-leading `(` from being postfix).
        self.ws = ws

    def __repr__(self) -> str:
        return f"Tok({self.kind!r}, {self.value!r}, {self.start}, {self.end})"


# Puppet 3's NAME: segments may start with a digit (`packages::7z920`, a bare `7d`); its
# NUMBER needs a word boundary after it (Puppet 3.8 lexer, `TOKENS.add_token :NAME`).
_NAME3 = re.compile(r"(?:::)?[a-z0-9_][-\w]*(?:::[a-z0-9_][-\w]*)*")
_CREF3 = re.compile(r"(?:(?:::)?[A-Z][-\w]*)+")  # `Mw-extension <| |>`: CLASSREF took hyphens


# Expressions and blocks nested in one another (`(((`, `[[[`, `{ {`, `if` in `if`, strings in
# `${}`): past this many levels the statement is a parse error at the token that passes it
# (issue 30: 1,000 of them overflowed Python's stack and lost the manifest). An explicit
# bound, so that the parser and every reader of its tree stay far from that stack.
MAX_NESTING = 64


class LexTooDeep(Exception):
    """Strings nested in `${}` past MAX_NESTING levels, at offset `pos`."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos

    def message(self) -> str:
        return f"syntax error: strings nested in `${{}}` more than {MAX_NESTING} levels deep"


class Lexer:
    def __init__(self, src: Source, errors: list[Finding], puppet3: bool = False) -> None:
        self.nesting = 0  # `${` open around the current offset (exprs.MAX_NESTING)
        self.puppet3 = puppet3
        self.src = src
        self.text = src.text
        self.errors = errors
        self.heredoc_newline = -1  # the newline after which pending heredoc bodies start
        self.heredoc_resume = 0  # where code resumes after those bodies

    def error(self, start: int, end: int, message: str) -> None:
        self.errors.append(self.src.error(start, end, message))

    def tokens(self) -> list[Tok]:
        out: list[Tok] = []
        self.code(0, out, "top")
        n = len(self.text)
        out.append(Tok("EOF", None, n, n, True))
        return out

    def code(self, pos: int, out: list[Tok], mode: str) -> int:
        """Lex code from pos into out; mode "interp" stops after the `}` closing `${`,
        "epp" stops before `%>` or `-%>`. Return where lexing stopped."""
        if mode == "interp":
            if self.nesting >= MAX_NESTING:
                raise LexTooDeep(pos - 2)  # at its `${`
            self.nesting += 1
            try:
                return self._code(pos, out, mode)
            finally:
                self.nesting -= 1
        return self._code(pos, out, mode)

    def _code(self, pos: int, out: list[Tok], mode: str) -> int:
        text = self.text
        n = len(text)
        match = _TOKEN.match
        depth = 0
        prev = ""
        epp = mode == "epp"
        while pos < n:
            c = text[pos]
            if epp and (
                (c == "%" and text.startswith("%>", pos))
                or (c == "-" and text.startswith("-%>", pos))
            ):
                return pos
            m = match(text, pos)
            if m is None:
                if c == "/" and text.startswith("/*", pos):
                    self.error(pos, n, "syntax error: unterminated comment")
                    return n
                if c == "'":
                    self.error(pos, n, "syntax error: unterminated single-quoted string")
                    return n
                self.error(pos, pos + 1, f"syntax error: unexpected character `{c}`")
                pos += 1
                continue
            kind = m.lastgroup
            end = m.end()
            if kind == "ws":
                if pos <= self.heredoc_newline < end:
                    pos = max(end, self.heredoc_resume)
                    self.heredoc_newline = -1
                else:
                    pos = end
                continue
            if kind == "comment":
                pos = end
                continue
            ws = pos == 0 or text[pos - 1] in " \t\r\n"
            if kind == "word":
                if self.puppet3:
                    end = max(end, _NAME3.match(text, pos).end())  # type: ignore[union-attr]
                value = text[pos:end]
                tok = Tok(value if value in KEYWORDS else "NAME", value, pos, end, ws)
            elif kind == "op":
                value = m.group()
                if value == "[" and self.puppet3 and prev == "CREF":
                    ws = False  # Puppet 3 reads `File ['/x']` as a reference, blank and all
                if value == "/" and prev not in _DIVIDES_AFTER:
                    regex = self._regex(pos)
                    if regex is not None:
                        out.append(regex)
                        prev = "REGEX"
                        pos = regex.end
                        continue
                elif value == "(":
                    line_start = text.rfind("\n", 0, pos) + 1
                    ws = not text[line_start:pos].strip(" \t\r")
                elif mode == "interp":
                    if value == "{":
                        depth += 1
                    elif value == "}":
                        if depth == 0:
                            return end
                        depth -= 1
                tok = Tok(value, value, pos, end, ws)
            elif kind == "var":
                tok = Tok("VAR", m.group()[1:], pos, end, ws)
            elif kind == "cref":
                if self.puppet3:
                    end = max(end, _CREF3.match(text, pos).end())  # type: ignore[union-attr]
                tok = Tok("CREF", text[pos:end], pos, end, ws)
            elif kind == "num":
                if end < n and (text[end].isalnum() or text[end] == "_"):
                    if self.puppet3:
                        end = _NAME3.match(text, pos).end()  # type: ignore[union-attr]
                        out.append(Tok("NAME", text[pos:end], pos, end, ws))
                        prev = "NAME"
                        pos = end
                        continue
                    self.error(pos, end + 1, "syntax error: illegal number")
                tok = Tok("NUM", m.group(), pos, end, ws)
            elif kind == "sq":
                parts, _, _ = scan(self, pos + 1, end - 1, "", SQ_ESCAPES, False)
                tok = Tok("STR", ("'", "", parts), pos, end, ws)
            elif kind == "dq":
                parts, end, closed = scan(self, pos + 1, n, '"', DQ_ESCAPES, True)
                if not closed:
                    self.error(pos, end, "syntax error: unterminated double-quoted string")
                tok = Tok("STR", ('"', "", parts), pos, end, ws)
            elif kind == "heredoc":
                tok = self._heredoc(m, ws)
            else:
                raise AssertionError(kind)
            out.append(tok)
            prev = tok.kind
            pos = end
        if mode == "interp":
            self.error(pos - 1 if pos else 0, pos, "syntax error: unterminated `${` interpolation")
        return pos

    def _regex(self, pos: int) -> Tok | None:
        text = self.text
        m = _REGEX.match(text, pos)
        if m is None:
            return None
        end = m.end()
        while True:
            slashes = 0
            i = end - 2
            while i > pos and text[i] == "\\":
                slashes += 1
                i -= 1
            if slashes % 2 == 0:
                break
            nxt = text.find("/", end)
            if nxt < 0:
                return None
            end = nxt + 1
        pattern = text[pos + 1 : end - 1].replace("\\/", "/")
        return Tok("REGEX", pattern, pos, end, pos == 0 or text[pos - 1] in " \t\r\n")

    def _heredoc(self, m: re.Match[str], ws: bool) -> Tok:
        text = self.text
        start, end = m.start(), m.end()
        tag = m.group("tag").strip(" \t")
        interpolate = len(tag) >= 2 and tag[0] == '"' and tag[-1] == '"'
        if interpolate:
            tag = tag[1:-1]
        syntax = m.group("syntax") or ""
        escapes = heredoc_escapes(m.group("flags"))
        if self.heredoc_newline >= start:
            body = self.heredoc_resume  # another heredoc on this line: its body comes next
        else:
            newline = text.find("\n", end)
            if newline < 0:
                self.error(start, end, "syntax error: heredoc without a body")
                return Tok("STR", ("@", syntax, []), start, end, ws)
            self.heredoc_newline = newline
            body = newline + 1
        closing = re.compile(
            r"^([ \t]*)(\|)?[ \t]*(-)?[ \t]*" + re.escape(tag) + r"[ \t]*(?:\r?\n|\Z)", re.M
        )
        found = closing.search(text, body)
        if found is None:
            self.error(start, end, f"syntax error: heredoc end tag `{tag}` not found")
            self.heredoc_resume = len(text)
            return Tok("STR", ("@", syntax, []), start, end, ws)
        limit = found.start()
        if found.group(3) and limit > body and text[limit - 1] == "\n":
            limit -= 2 if limit - 2 >= body and text[limit - 2] == "\r" else 1
        margin = len(found.group(1)) if found.group(2) else 0
        parts, _, _ = scan(self, body, limit, "", escapes, interpolate, margin)
        self.heredoc_resume = found.end()
        return Tok("STR", ("@", syntax, parts), start, end, ws)

    def epp(self) -> list[Tok]:
        """Lex an EPP template: TEXT runs, RENDER `<%=` ... RENDEREND, and code."""
        text = self.text
        n = len(text)
        out: list[Tok] = []
        pos = 0
        first = True
        lit = LitBuilder(self.src)
        while pos < n:
            m = _EPP_TAG.search(text, pos)
            if m is None:
                lit.text_chunk(pos, n)
                break
            tag_start = m.start()
            if m.group() == "<%%":  # a literal `<%`
                lit.text_chunk(pos, tag_start + 2)
                pos = m.end()
                continue
            if m.group() == "%%>":  # a literal `%>`
                lit.text_chunk(pos, tag_start)
                lit.text_chunk(tag_start + 1, m.end())
                pos = m.end()
                continue
            kind = text[tag_start + 2 : tag_start + 3]
            before = tag_start
            if kind == "-":
                while before > pos and text[before - 1] in " \t":
                    before -= 1
            lit.text_chunk(pos, before)
            self._flush_text(lit, out)
            blank_so_far = all(not t.value.value.text.strip() for t in out if t.kind == "TEXT")
            if kind == "#":
                close = text.find("%>", tag_start + 3)
                if close < 0:
                    self.error(tag_start, n, "syntax error: unterminated EPP comment")
                    return self._epp_end(out)
                pos = close + 2
                if text[close - 1] == "-":
                    pos = _TRIM_AFTER.match(text, pos).end()  # type: ignore[union-attr]
                continue
            code_start = tag_start + (3 if kind in "=-" and kind else 2)
            if kind == "=":
                out.append(Tok("RENDER", None, tag_start, code_start, True))
            elif first and blank_so_far and text[code_start:].lstrip().startswith("|"):
                out.append(Tok("EPPPARAMS", None, tag_start, code_start, True))
            first = False
            stop = self.code(code_start, out, "epp")
            if stop >= n:
                self.error(tag_start, n, "syntax error: unterminated EPP tag; expected `%>`")
                return self._epp_end(out)
            trim = text[stop] == "-"
            pos = stop + (3 if trim else 2)
            if kind == "=":
                out.append(Tok("RENDEREND", None, stop, pos, True))
            if trim:
                pos = _TRIM_AFTER.match(text, pos).end()  # type: ignore[union-attr]
        self._flush_text(lit, out)
        return self._epp_end(out)

    @staticmethod
    def _flush_text(lit: LitBuilder, out: list[Tok]) -> None:
        start, end = lit.start, lit.end
        parts: list[Any] = []
        lit.flush(parts)
        if parts:
            out.append(Tok("TEXT", parts[0], start, end, True))

    def _epp_end(self, out: list[Tok]) -> list[Tok]:
        n = len(self.text)
        out.append(Tok("EOF", None, n, n, True))
        return out
