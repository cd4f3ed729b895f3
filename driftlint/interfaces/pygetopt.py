"""Read Python's `getopt.getopt(args, "ab:", ["name", "file="])` calls with `ast` (never run).

`getopt.getopt` stops at the first operand; `gnu_getopt` lets options follow operands (and a
leading `+` in its short string, or POSIXLY_CORRECT, stops it). Long options may be abbreviated
and take `--name=value` (Python's getopt module documentation).
"""

from __future__ import annotations

import ast

from driftlint.interfaces.common import make_interface
from driftlint.interfaces.pyoptions import name_span, span_of
from driftlint.model import Interface, Option, Positional


def read_pygetopt(tree: ast.Module, text: str, path: str, script: str) -> Interface | None:
    """The interface of the first getopt call with a literal short-option string."""
    lines = text.split("\n")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        func = node.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        if name not in ("getopt", "gnu_getopt"):
            continue
        short = node.args[1]
        if not (isinstance(short, ast.Constant) and isinstance(short.value, str)):
            continue
        options: list[Option] = []
        body = short.value
        interleaved = name == "gnu_getopt" and not body.startswith("+")
        body = body.lstrip("+")
        span = name_span(short, short.value, lines, path)
        position = 0
        while position < len(body):
            char = body[position]
            value = body[position + 1 : position + 2] == ":"
            if char.isalnum() or char == "?":
                options.append(Option(("-" + char,), value, span=span, sources=frozenset({"code"})))
            position += 2 if value else 1
        longs = node.args[2] if len(node.args) > 2 else _keyword(node, "longopts")
        if isinstance(longs, ast.Constant) and isinstance(longs.value, str):
            longs = ast.List(elts=[longs])
        if isinstance(longs, ast.List | ast.Tuple):
            for element in longs.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    long_name = element.value.rstrip("=")
                    if long_name:
                        options.append(
                            Option(
                                ("--" + long_name,),
                                element.value.endswith("="),
                                span=name_span(element, element.value, lines, path),
                                sources=frozenset({"code"}),
                            )
                        )
        elif longs is not None:
            return None  # long options built at run time: not knowable, so say nothing
        return make_interface(
            script,
            "getopt_long",
            options=tuple(options),
            source=span_of(node, lines, path),
            interleaved=interleaved,
            positionals=(Positional("args", 0, None),),
        )
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)
