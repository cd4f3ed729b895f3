"""Find usage text in a file: comment blocks, heredocs, echo lines, docstrings, whole files."""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from driftlint.interfaces.common import TextLine
from driftlint.interfaces.docopt import Usage, parse_usage

_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_]\w*)\2")
# A command that prints its quoted argument (issue #14: `echo >&2 "..."`, `echo $"..."` of
# Red Hat init scripts, `log_failure_msg` of LSB init scripts, printf's format), at the start
# of a line or after `;`, `{`, `&&`, `||`, `then`, `else`, `do` or a case pattern's `)`.
_ECHO = re.compile(
    r"""(?:^|[;{(]|&&|\|\||\b(?:then|else|do)\b|\))\s*"""
    r"""(?P<command>echo|printf|log_failure_msg|log_warning_msg|log_action_msg|log_success_msg)"""
    r"""\s+(?:(?:-[neE]+|[12]?>&\s*[12])\s+)*\$?(?P<quote>["'])"""
)
_BARE_ECHO = re.compile(r"""^\s*echo(?:\s+(?:-[neE]+|[12]?>&\s*[12]|""|''))*\s*;?\s*$""")
_BARE_FORMAT = re.compile(r"^(?:%[-\d.]*[sb]|\\[nt]|\s)+$")
_NEXT_QUOTE = re.compile(r"""\s+\$?(["'])""")
_USAGE_WORD = re.compile(r"usage|synopsis|options\s*:", re.I)


def shell_blocks(text: str) -> list[list[TextLine]]:
    """Candidate usage blocks of a shell script, in file order."""
    lines = text.split("\n")
    blocks: list[list[TextLine]] = []
    comment: list[TextLine] = []
    echo: list[TextLine] = []
    index = 0
    while index < len(lines):
        raw = lines[index]
        stripped = raw.lstrip()
        number = index + 1
        if stripped.startswith("#") and not stripped.startswith("#!"):
            lead = len(raw) - len(stripped)
            body = stripped[1:]
            skip = 1 if body.startswith(" ") else 0
            comment.append(TextLine(body[skip:], number, lead + 2 + skip))
        else:
            if comment:
                blocks.append(comment)
                comment = []
        printed = _printed(raw) if not stripped.startswith("#") else None
        if printed is not None:
            echo.append(printed._replace(number=number).line())
        elif echo:
            blocks.append(echo)
            echo = []
        heredoc = _HEREDOC.search(raw) if not stripped.startswith("#") else None
        if heredoc:
            body_lines, index = _heredoc(lines, index + 1, heredoc.group(3), bool(heredoc.group(1)))
            blocks.append(body_lines)
            continue
        index += 1
    for rest in (comment, echo):
        if rest:
            blocks.append(rest)
    return [b for b in blocks if any(_USAGE_WORD.search(t.text) for t in b)]


class _Printed(NamedTuple):
    text: str
    column: int
    number: int = 0

    def line(self) -> TextLine:
        return TextLine(self.text, self.number, self.column)


def _printed(raw: str) -> _Printed | None:
    """The text an echo-like command on this line prints: the first quoted argument, closed on
    this line; escapes `\\n`, `\\t` and printf's `%%` become blanks of the same width. A bare
    `echo` (or `echo >&2`) prints an empty line, which keeps a run of echo lines together."""
    if _BARE_ECHO.match(raw):
        return _Printed("", len(raw) + 1)
    for m in _ECHO.finditer(raw):
        quote = m.group("quote")
        start = m.end()
        i = _closing_quote(raw, start, quote)
        if i >= len(raw):
            return None  # a string continued on the next lines: not one line of usage
        text = raw[start:i]
        if m.group("command") == "printf" and _BARE_FORMAT.match(text):
            # `printf '%s\n' "Usage: ..."`: the text is the argument, not the format
            after = _NEXT_QUOTE.match(raw, i + 1)
            if after is None:
                return None
            start = after.end()
            i = _closing_quote(raw, start, after.group(1))
            if i >= len(raw):
                return None
            text = raw[start:i]
        text = re.sub(r"\\[nt]", "  ", text)
        if m.group("command") == "printf":
            text = text.replace("%%", "% ")
        return _Printed(text, start + 1)
    return None


def _closing_quote(raw: str, at: int, quote: str) -> int:
    """Where the string opened before `at` closes; inside `"..."`, a `$(...)` or `` `...` ``
    holds quotes of its own (`"Usage: $(basename "$0") ..."`)."""
    i = at
    while i < len(raw):
        c = raw[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if quote == '"' and raw.startswith("$(", i):
            depth, i = 1, i + 2
            while i < len(raw) and depth:
                if raw[i] in "'\"":
                    i = _closing_quote(raw, i + 1, raw[i])
                elif raw[i] == "(":
                    depth += 1
                elif raw[i] == ")":
                    depth -= 1
                i += 1
            continue
        if quote == '"' and c == "`":
            close = raw.find("`", i + 1)
            i = len(raw) if close < 0 else close + 1
            continue
        if c == quote:
            return i
        i += 1
    return len(raw)


def _heredoc(
    lines: list[str], index: int, delimiter: str, tabs: bool
) -> tuple[list[TextLine], int]:
    out: list[TextLine] = []
    while index < len(lines):
        raw = lines[index]
        if (raw.lstrip("\t") if tabs else raw).rstrip() == delimiter:
            return out, index + 1
        out.append(TextLine(raw, index + 1, 1))
        index += 1
    return out, index


def python_blocks(tree: ast.Module | None, text: str) -> list[list[TextLine]]:
    """The module docstring and module-level string constants named like usage text."""
    if tree is None:
        return []
    lines = text.split("\n")
    out = []
    for index, node in enumerate(tree.body):
        value: ast.expr | None = None
        named = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and re.search("usage|doc|help", t.id, re.I)
            for t in node.targets
        )
        if (index == 0 and isinstance(node, ast.Expr)) or named:
            value = getattr(node, "value", None)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            block = string_lines(value, lines)
            if block and any(_USAGE_WORD.search(t.text) for t in block):
                out.append(block)
    return out


def string_lines(node: ast.Constant, lines: list[str]) -> list[TextLine]:
    """The raw source lines of a string literal, without its prefix and quotes."""
    first, last = node.lineno, node.end_lineno or node.lineno
    if first < 1 or last > len(lines):
        return []
    out = []
    for number in range(first, last + 1):
        raw = lines[number - 1]
        start, stop = 0, len(raw)
        if number == first:
            # col_offset counts UTF-8 bytes; convert to characters.
            col = len(raw.encode()[: node.col_offset].decode(errors="ignore"))
            m = re.compile(r"[rRbBuUfF]*('''|\"\"\"|'|\")").match(raw, col)
            start = m.end() if m else col
        if number == last:
            end_col = node.end_col_offset or len(raw.encode())
            stop = len(raw.encode()[:end_col].decode(errors="ignore"))
            quote = re.search(r"('''|\"\"\"|'|\")$", raw[:stop])
            stop = quote.start() if quote else stop
        if stop >= start:
            out.append(TextLine(raw[start:stop], number, start + 1))
    return out


def whole_text(text: str) -> list[TextLine]:
    return [TextLine(raw, number, 1) for number, raw in enumerate(text.split("\n"), start=1)]


def best_usage(
    blocks: list[list[TextLine]], path: str, progs: frozenset[str] = frozenset()
) -> Usage | None:
    """The first block with a usage pattern, else the first with an option list."""
    fallback = None
    for block in blocks:
        found = parse_usage(block, path, progs)
        if found is None:
            continue
        if found.has_pattern:
            return found
        if fallback is None and found.has_option_list:
            fallback = found
    return fallback
