"""One `add_argument(...)` / `add_option(...)` call read as an Option or a Positional."""

from __future__ import annotations

import ast

from driftlint.model import Option, Positional, Span

_FLAG_ACTIONS = {
    "store_true",
    "store_false",
    "store_const",
    "append_const",
    "count",
    "help",
    "version",
    "callback",
}


def span_of(node: ast.AST, lines: list[str], path: str) -> Span:
    """A node's span in characters (ast columns count UTF-8 bytes)."""
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    return Span(
        path,
        line,
        _chars(lines, line, getattr(node, "col_offset", 0)) + 1,
        end_line,
        _chars(lines, end_line, getattr(node, "end_col_offset", None) or 0) + 1,
    )


def name_span(node: ast.AST, text: str, lines: list[str], path: str) -> Span:
    """The span of a string literal's text, inside its quotes when written plainly."""
    span = span_of(node, lines, path)
    if span.line == span.end_line and span.end_column - span.column == len(text) + 2:
        return Span(path, span.line, span.column + 1, span.line, span.end_column - 1)
    return span


def _chars(lines: list[str], line: int, col: int) -> int:
    if not 1 <= line <= len(lines):
        return col
    return len(lines[line - 1].encode()[:col].decode(errors="ignore"))


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _choices(node: ast.expr | None) -> tuple[str, ...] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and all(
        isinstance(e, ast.Constant) for e in node.elts
    ):
        return tuple(str(e.value) for e in node.elts if isinstance(e, ast.Constant))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        bounds = [e.value for e in node.args if isinstance(e, ast.Constant)]
        if (
            len(bounds) == len(node.args)
            and 1 <= len(bounds) <= 2
            and all(isinstance(b, int) for b in bounds)
        ):
            low, high = (0, bounds[0]) if len(bounds) == 1 else (bounds[0], bounds[1])
            if isinstance(low, int) and isinstance(high, int) and high - low <= 1000:
                return tuple(str(i) for i in range(low, high))
    return None


def _action(node: ast.expr | None) -> str:
    if node is None:
        return "store"
    text = _str(node)
    if text is not None:
        return text
    if isinstance(node, ast.Attribute | ast.Name):
        name = node.attr if isinstance(node, ast.Attribute) else node.id
        return "boolean_optional" if name == "BooleanOptionalAction" else "custom"
    return "custom"


def _names(call: ast.Call) -> tuple[list[str], ast.expr | None]:
    names = []
    first = None
    for arg in call.args:
        text = _str(arg)
        if text is None:
            return [], None  # `*names` or a computed name: not knowable
        names.append(text)
        first = first or arg
    return names, first


def _nargs(node: ast.expr | None) -> str | int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return node.value
    if isinstance(node, ast.Name) and node.id in (
        "REMAINDER",
        "ZERO_OR_MORE",
        "ONE_OR_MORE",
        "OPTIONAL",
    ):
        # `from argparse import REMAINDER`
        return {"REMAINDER": "...", "ZERO_OR_MORE": "*", "ONE_OR_MORE": "+", "OPTIONAL": "?"}[
            node.id
        ]
    if isinstance(node, ast.Attribute) and node.attr in (
        "REMAINDER",
        "ZERO_OR_MORE",
        "ONE_OR_MORE",
        "OPTIONAL",
    ):
        return {"REMAINDER": "...", "ZERO_OR_MORE": "*", "ONE_OR_MORE": "+", "OPTIONAL": "?"}[
            node.attr
        ]
    return None


def argparse_item(
    call: ast.Call, lines: list[str], path: str, prefix: str
) -> Option | Positional | None:
    names, first = _names(call)
    if not names or first is None:
        return None
    span = name_span(first, names[0], lines, path)
    action = _action(_kw(call, "action"))
    nargs = _nargs(_kw(call, "nargs"))
    choices = _choices(_kw(call, "choices"))
    help_text = _str(_kw(call, "help")) or ""
    if not names[0][:1] or names[0][0] not in prefix:
        low, high = _count(nargs)
        # REMAINDER: from its first word on, everything is its, options included.
        name = names[0] + ("..." if nargs == "..." else "")
        return Positional(name, low, high, choices, span)
    if action == "boolean_optional":
        names = names + ["--no-" + n[2:] for n in names if n.startswith("--")]
    takes = action in ("store", "append", "extend", "custom") and nargs != 0
    deprecated = _kw(call, "deprecated")
    return Option(
        names=tuple(names),
        takes_value=takes,
        # argparse `nargs="?"` takes the next word too when it is not an option: zero or one
        # value word (-3), unlike getopt's `t::`, whose value must be attached.
        optional_value=False,
        nargs=-3
        if nargs == "?"
        else -2
        if nargs == "*"
        else -1
        if nargs in ("+", "...")
        else nargs
        if isinstance(nargs, int) and nargs
        else 1,
        choices=choices if takes else None,
        # `store` keeps the last value given: a second use drops the first (repeated-option)
        repeatable=not (takes and action == "store"),
        required=isinstance(_kw(call, "required"), ast.Constant)
        and bool(getattr(_kw(call, "required"), "value", False)),
        deprecated="deprecated"
        if isinstance(deprecated, ast.Constant) and deprecated.value
        else "",
        help=help_text,
        span=span,
        sources=frozenset({"code"}),
    )


def _count(nargs: str | int | None) -> tuple[int, int | None]:
    if nargs is None:
        return 1, 1
    if isinstance(nargs, int):
        return nargs, nargs
    return {"?": (0, 1), "*": (0, None), "+": (1, None), "...": (0, None)}.get(nargs, (0, None))


def optparse_item(call: ast.Call, lines: list[str], path: str) -> Option | None:
    names, first = _names(call)
    names = [n for n in names if n.startswith("-")]
    if not names or first is None:
        return None
    action = _action(_kw(call, "action"))
    typed = _kw(call, "type") is not None or _kw(call, "choices") is not None
    nargs = _nargs(_kw(call, "nargs"))
    if action == "callback":
        takes = typed or nargs is not None
    else:
        takes = action in ("store", "append", "custom") or (action not in _FLAG_ACTIONS and typed)
    return Option(
        names=tuple(names),
        takes_value=takes,
        nargs=nargs if isinstance(nargs, int) and nargs > 0 and takes else 1,
        choices=_choices(_kw(call, "choices")) if takes else None,
        repeatable=not (takes and action == "store"),
        help=_str(_kw(call, "help")) or "",
        span=name_span(first, names[0], lines, path),
        sources=frozenset({"code"}),
    )
