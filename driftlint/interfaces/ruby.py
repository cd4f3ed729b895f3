"""Read Ruby `OptionParser` switches with tree-sitter-ruby (never run).

`opts.on('-n', '--name NAME', String, 'help')`: each string argument that starts with `-` is a
switch; `NAME` or `=NAME` after it is a required value, `[NAME]` or `=[NAME]` an optional one,
`--[no-]verbose` is both `--verbose` and `--no-verbose`. OptionParser (its documentation) takes
bundled short switches, abbreviated long ones and `--name=value`, lets options follow operands
under `parse!`, and answers `-h`, `--help` and `--version` itself.
"""

from __future__ import annotations

import re
from functools import cache

import tree_sitter
import tree_sitter_ruby

from driftlint.interfaces.common import make_interface, merge_names
from driftlint.model import Interface, Option, Positional, Span

_SWITCH = re.compile(r"^(-{1,2}(?:\[no-\])?[\w?][\w-]*)(?:(=)?\s*(\[)?=?\s*([^\s\]]*)\]?)?")
_METHODS = frozenset({"on", "on_tail", "on_head"})
_MAX_NODES = 200_000


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_ruby.language()))


def looks_ruby(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.startswith("#!") and "ruby" in first


def read_ruby(path: str, text: str, script: str) -> Interface | None:
    """The OptionParser interface of a Ruby script; None when it builds none."""
    if "OptionParser" not in text:
        return None
    data = text.encode("utf-8", errors="surrogatepass")
    lines = text.split("\n")
    root = _parser().parse(data).root_node
    options: list[Option] = []
    source: Span | None = None
    ordered = False
    stack = [root]
    seen = 0
    while stack and seen < _MAX_NODES:
        node = stack.pop()
        seen += 1
        stack.extend(reversed(node.children))
        if node.type != "call":
            continue
        method = node.child_by_field_name("method")
        name = _text(data, method) if method is not None else ""
        if name in ("order", "order!"):
            ordered = True
        if name not in _METHODS:
            continue
        arguments = node.child_by_field_name("arguments")
        if arguments is None:
            continue
        option = _switch(arguments, data, lines, path)
        if option is not None:
            options.append(option)
            source = source or _span(node, lines, path)
    if not options:
        return None
    builtin = [
        Option(("-h", "--help"), sources=frozenset({"code"})),
        Option(("--version",), sources=frozenset({"code"})),
    ]
    return make_interface(
        script,
        "optparse",
        options=tuple(merge_names(options + builtin)),
        source=source,
        interleaved=not ordered,
        positionals=(Positional("args", 0, None),),
    )


def _switch(arguments: tree_sitter.Node, data: bytes, lines: list[str], path: str) -> Option | None:
    names: list[str] = []
    takes = False
    optional = False
    span: Span | None = None
    for argument in arguments.named_children:
        if argument.type != "string" or any(
            c.type == "interpolation" for c in argument.named_children
        ):
            continue
        content = "".join(
            _text(data, c) for c in argument.named_children if c.type == "string_content"
        )
        m = _SWITCH.match(content)
        if m is None:
            continue
        name = m.group(1)
        if "[no-]" in name:
            bare = name.replace("[no-]", "")
            names += [bare, bare.replace("--", "--no-", 1)]
        else:
            names.append(name)
        if m.group(4):
            takes = True
            optional = optional or m.group(3) is not None
        elif len(name) > 2 and not name.startswith("--") and name[2:].isupper():
            # `-lLEVEL`: a short switch with its value written attached
            names[-1] = name[:2]
            takes = True
        if span is None:
            inside = _span(argument, lines, path, inner=True)
            span = Span(path, inside.line, inside.column, inside.line, inside.column + len(name))
    if not names:
        return None
    return Option(
        tuple(dict.fromkeys(names)),
        takes,
        nargs=-3 if optional else 1,
        span=span,
        sources=frozenset({"code"}),
    )


def _text(data: bytes, node: tree_sitter.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _span(node: tree_sitter.Node, lines: list[str], path: str, inner: bool = False) -> Span:
    (row, col), (end_row, end_col) = node.start_point, node.end_point
    line, column = row + 1, _chars(lines, row, col) + 1
    end_line, end_column = end_row + 1, _chars(lines, end_row, end_col) + 1
    if inner and line == end_line and end_column - column >= 2:
        return Span(path, line, column + 1, end_line, end_column - 1)  # inside the quotes
    return Span(path, line, column, end_line, end_column)


def _chars(lines: list[str], row: int, col: int) -> int:
    if not 0 <= row < len(lines):
        return col
    return len(lines[row].encode("utf-8", errors="surrogatepass")[:col].decode(errors="ignore"))
