"""Roles named by a fact (shape 14): `class { "site::node::s_${::node_class}": }` in a node or at
top level makes every class of the tree whose name fits the pattern a role, evaluated with the
fact set to the part of its name the fact stands for (so that Hiera levels keyed by the same
fact apply to it)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from driftlint.parse.puppet import ast
from driftlint.resolve.scope import Index, walk


def fact_roles(index: Index) -> list[tuple[str, dict[str, str]]]:
    """(class, facts) for each class a fact-built declaration can name, sorted by class."""
    out: dict[str, dict[str, str]] = {}
    bodies: list[Sequence[ast.Node]] = [index.toplevel, *(n.body for n in index.nodes)]
    for body in bodies:
        for title in _declared(body):
            pattern = _pattern(title)
            if pattern is None:
                continue
            regex, fact = pattern
            for name in index.classes:
                found = regex.fullmatch(name)
                if found is not None and name not in out:
                    value = found.group(1)
                    out[name] = {fact: value, f"facts.{fact}": value}
    return sorted(out.items())


def _declared(body: Sequence[ast.Node]) -> Iterator[ast.Node]:
    for node in walk(body):
        if isinstance(node, ast.Resource) and node.type.lower() == "class":
            yield from (b.title for b in node.bodies)
        elif isinstance(node, ast.Call) and node.name in ("include", "contain", "require"):
            yield from node.args


def _pattern(title: ast.Node) -> tuple[re.Pattern[str], str] | None:
    """`"a::b_${::fact}c"` as a regex over class names and the fact's name; one fact only."""
    if not isinstance(title, ast.Str):
        return None
    facts = [p for p in title.parts if isinstance(p, ast.Interp)]
    if len(facts) != 1 or not isinstance(facts[0].expr, ast.Var):
        return None
    pieces = []
    for part in title.parts:
        if isinstance(part, ast.Lit):
            text = part.value.text.lower()
            pieces.append(re.escape(text.lstrip(":") if part is title.parts[0] else text))
        else:
            pieces.append(r"([a-z0-9_]+)")
    return re.compile("".join(pieces)), facts[0].expr.name.lstrip(":")
