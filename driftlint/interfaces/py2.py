"""Python 2 source as Python 3 that `ast` reads, every line keeping its length (issue #14).

Real trees install Python 2 scripts (`print x`, `exec code in ns`, `0700`, `except A, e`).
tree-sitter-python parses both dialects with positions; it finds the constructs Python 3
refuses, and each is rewritten in place with the same number of characters, so every option
name keeps its line and column and the one `ast` reader of `pyargparse` reads both dialects.
What is rewritten never declares an option: output statements, `exec`, the exception variable,
octal and long literals, string prefixes, backquotes.
"""

from __future__ import annotations

import ast
import re
import warnings
from functools import cache

import tree_sitter
import tree_sitter_python

__all__ = ["as_python3", "parse_either"]

_MAX_ROUNDS = 50  # statements blanked one by one after the targeted rewrites
_OLD_OCTAL = re.compile(r"^0[0-7]+[lL]?$")
_LONG = re.compile(r"^(?:0[xX][0-9a-fA-F]+|\d+)[lL]$")
# Statements that may be blanked to `pass` when Python 3 still refuses them: simple ones only,
# so blocks keep their shape.
_SIMPLE = frozenset(
    {
        "print_statement",
        "exec_statement",
        "expression_statement",
        "raise_statement",
        "return_statement",
        "assert_statement",
        "delete_statement",
        "global_statement",
        "nonlocal_statement",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
    }
)


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def parse_either(text: str) -> tuple[ast.Module, str] | None:
    """The module `text` holds, read as Python 3, else as Python 2 rewritten in place.

    Returns the tree and the text it was read from (same lines, same columns); None when
    neither dialect reads it.
    """
    tree = _ast(text)
    if tree is not None:
        return tree, text
    rewritten = as_python3(text)
    if rewritten is None:
        return None
    tree = _ast(rewritten)
    return (tree, rewritten) if tree is not None else None


def _ast(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():  # `1if x`, `"\d"`: the script's problem, not ours
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def as_python3(text: str) -> str | None:
    """`text` with its Python 2 constructs rewritten; None if still not Python 3."""
    first = _rewritten(text)
    if first is None:
        return None
    result, statements, chars = first
    for _ in range(_MAX_ROUNDS):
        error = _error_line(result)
        if error is None:
            return result
        # The innermost simple statement on the refused line becomes `pass`.
        candidates = [
            (end - start, start, end)
            for start, end, _kind in statements
            if chars.line_of(start) <= error <= chars.line_of(max(start, end - 1))
        ]
        if not candidates:
            return None
        _, start, end = min(candidates)
        before = result
        out = list(result)
        _blank(out, chars.char(start), chars.char(end), "pass")
        result = "".join(out)
        statements = [s for s in statements if s[:2] != (start, end)]
        if result == before:
            return None
    return result if _error_line(result) is None else None


def python2_error(text: str) -> SyntaxError | None:
    """Where a script neither dialect reads is broken: the error of the text with its Python 2
    constructs rewritten (same lines and columns), so a Python 2 script missing a colon is
    not reported at its first `print x`. None when that text parses or cannot be made."""
    first = _rewritten(text)
    if first is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(first[0])
    except SyntaxError as error:
        return error
    except (ValueError, MemoryError, RecursionError):
        return None
    return None


def _rewritten(text: str) -> tuple[str, list[tuple[int, int, str]], _CharIndex] | None:
    """Every Python 2 construct rewritten in place, with the simple statements found."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        root = _parser().parse(data).root_node
    except (ValueError, RecursionError):
        return None
    chars = _CharIndex(data)
    out = list(text)
    statements: list[tuple[int, int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        _rewrite(node, data, chars, out)
        if node.type in _SIMPLE:
            statements.append((node.start_byte, node.end_byte, node.type))
        stack.extend(reversed(node.children))
    return "".join(out), statements, chars


def _error_line(text: str) -> int | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        return error.lineno or 1
    except (ValueError, MemoryError, RecursionError):
        return 1
    return None


def _rewrite(node: tree_sitter.Node, data: bytes, chars: _CharIndex, out: list[str]) -> None:
    kind = node.type
    start, end = chars.char(node.start_byte), chars.char(node.end_byte)
    if kind in ("print_statement", "exec_statement"):
        _blank(out, start, end, "pass")
    elif kind == "except_clause":
        # `except A, e:` -> `except A   :` (the name is only bound, never an option)
        children = node.children
        for index, child in enumerate(children):
            if child.type == ",":
                colon = next((c for c in children[index:] if c.type == ":"), None)
                if colon is not None:
                    _blank(out, chars.char(child.start_byte), chars.char(colon.start_byte), "")
                break
            if child.type == ":":
                break
    elif kind == "raise_statement":
        # `raise E, "msg"` -> `raise E        `
        for child in node.children:
            if child.type == "expression_list":
                first = child.children[0] if child.children else None
                if first is not None:
                    _blank(out, chars.char(first.end_byte), chars.char(child.end_byte), "")
                break
    elif kind == "integer":
        literal = data[node.start_byte : node.end_byte].decode("ascii", errors="replace")
        if _OLD_OCTAL.match(literal):
            out[start] = "1"  # `0700` -> `1700`: the value never matters here
        if _LONG.match(literal):
            out[end - 1] = " "
    elif kind == "string":
        literal = "".join(out[start:end])
        if literal.startswith("`") and literal.endswith("`") and len(literal) > 1:
            out[start], out[end - 1] = "(", ")"  # backquotes are repr()
        elif literal[:2].lower() == "ur":
            out[start] = " "
    elif kind == "<>":
        out[start : start + 2] = ["!", "="]


def _blank(out: list[str], start: int, end: int, lead: str) -> None:
    """Characters start..end become `lead` then spaces; newlines stay, so lines keep places."""
    for i in range(start, min(end, len(out))):
        if out[i] != "\n":
            out[i] = " "
    if lead and end - start >= len(lead) and "\n" not in "".join(out[start : start + len(lead)]):
        out[start : start + len(lead)] = list(lead)


class _CharIndex:
    """UTF-8 byte offsets of tree-sitter to character offsets of the text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lines = [0] + [m.end() for m in re.finditer(b"\n", data)]
        self._chars: list[int] | None = None

    def char(self, byte: int) -> int:
        if self._chars is None:
            table = []
            count = 0
            for value in self.data:
                table.append(count)
                if value & 0xC0 != 0x80:
                    count += 1
            table.append(count)
            # continuation bytes map to the character they continue
            self._chars = [
                c - 1 if 0 < i < len(self.data) and self.data[i] & 0xC0 == 0x80 else c
                for i, c in enumerate(table)
            ]
        return self._chars[min(max(byte, 0), len(self._chars) - 1)]

    def line_of(self, byte: int) -> int:
        import bisect

        return bisect.bisect_right(self.lines, byte)
