"""How `site.pp` classifies a node through Hiera: the class-list statements (issue 25).

`hiera_include('classes')`, `lookup('classes', Array[String], 'unique', []).include`,
`include(lookup('classes'))`, `$x = hiera_array('classes') - hiera_array('exclude_classes')`
then `$x.include`, `include $x`, `$x.each |$c| { contain $c }` or `$x.filter |$c| {...}`:
each names a Hiera key whose values are the classes a node declares, read here without
evaluating anything. Only top-level code and `node default` (or a node that matches every host
by regex) count: they are what every host runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve.scope import string_literal

_DECLARE = ("include", "contain", "require")
# Functions that keep a list's members: what comes out is still (part of) the class list.
_KEEP = ("unique", "flatten", "sort", "filter", "reject")
_MERGES = ("unique", "deep", "hash", "first")


@dataclass(frozen=True, slots=True)
class ClassList:
    """One class-list statement: its Hiera key, the keys of classes it leaves out, whether
    the lookup merges every level (`hiera_include`, `hiera_array`, merge `unique`) or takes
    the first value found, and where it is written."""

    key: str
    merge: bool
    span: Span
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Source:
    key: str
    merge: bool
    excludes: tuple[str, ...] = ()


def class_lists(toplevel: Sequence[ast.Node], nodes: Sequence[ast.NodeDef]) -> list[ClassList]:
    """The class-list statements of top-level code and of nodes that every host may match."""
    out: dict[tuple[str, Span], ClassList] = {}
    bodies = [list(toplevel)] + [list(n.body) for n in every_host(nodes)]
    for body in bodies:
        assigned = _assignments(body)
        for node in _walk(body):
            for source in _statement(node, assigned):
                found = ClassList(source.key, source.merge, node.span, source.excludes)
                out.setdefault((found.key, found.span), found)
    return sorted(out.values(), key=lambda c: (c.span, c.key))


def _walk(body: Sequence[ast.Node]) -> list[ast.Node]:
    """Every node of a body, depth first, without entering class, define, node or function
    definitions: their code is not what the body runs."""
    out: list[ast.Node] = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef | ast.DefineDef | ast.NodeDef | ast.FunctionDef):
            continue
        out.append(node)
        children: list[ast.Node] = []
        for item in dataclasses.fields(node):
            _collect(getattr(node, item.name), children)
        stack.extend(reversed(children))
    return out


def _collect(value: object, out: list[ast.Node]) -> None:
    if isinstance(value, ast.Node):
        out.append(value)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, out)


def every_host(nodes: Sequence[ast.NodeDef]) -> list[ast.NodeDef]:
    """The node definitions a host matches when no other names it."""
    return [n for n in nodes if _matches_any(n)]


def _matches_any(node: ast.NodeDef) -> bool:
    """`node default`, or a node regex that matches every name (`/.*/`)."""
    for match in node.matches:
        if isinstance(match, ast.Default):
            return True
        if isinstance(match, ast.Regex) and match.pattern in ("", ".*", "^.*$", ".+", "^.+$"):
            return True
    return False


def _assignments(body: Sequence[ast.Node]) -> dict[str, ast.Node]:
    """What each variable of the body is set to (the last assignment wins)."""
    out: dict[str, ast.Node] = {}
    for node in _walk(body):
        if isinstance(node, ast.Assign) and isinstance(node.target, ast.Var):
            out[node.target.name.lstrip(":")] = node.value
    return out


def _statement(node: ast.Node, assigned: dict[str, ast.Node]) -> list[_Source]:
    """The class lists one statement declares."""
    if isinstance(node, ast.Call):
        name = node.name.lstrip(":")
        if name == "hiera_include" and node.args:
            key = _key(node.args[0])
            return [_Source(key, True)] if key else []
        if name in _DECLARE:
            return [s for a in node.args if (s := _source(a, assigned, 0)) is not None]
        return []
    if isinstance(node, ast.MethodCall):
        if node.name in _DECLARE:
            found = _source(node.receiver, assigned, 0)
            return [found] if found is not None else []
        if node.name == "each" and node.lambda_ is not None and _declares_param(node.lambda_):
            found = _source(node.receiver, assigned, 0)
            return [found] if found is not None else []
    return []


def _declares_param(function: ast.Lambda) -> bool:
    """A lambda whose body includes, contains or requires its (last) parameter."""
    if not function.params:
        return False
    param = function.params[-1].name
    for inner in _walk(function.body):
        args: tuple[ast.Node, ...] = ()
        if isinstance(inner, ast.Call) and inner.name.lstrip(":") in _DECLARE:
            args = inner.args
        elif isinstance(inner, ast.MethodCall) and inner.name in _DECLARE:
            args = (inner.receiver,)
        if any(isinstance(a, ast.Var) and a.name == param for a in args):
            return True
    return False


def _source(node: ast.Node, assigned: dict[str, ast.Node], depth: int) -> _Source | None:
    """The Hiera class list an expression holds, or None when it holds none we can read."""
    if depth > 8:
        return None
    if isinstance(node, ast.Var):
        value = assigned.get(node.name.lstrip(":"))
        return _source(value, assigned, depth + 1) if value is not None else None
    if isinstance(node, ast.Call):
        name = node.name.lstrip(":")
        if name in ("lookup", "hiera", "hiera_array") and node.args:
            key = _key(node.args[0])
            if not key:
                return None
            merge = name == "hiera_array" or (name == "lookup" and _merges(node.args[1:]))
            return _Source(key, merge)
        if name in _KEEP and node.args:
            return _source(node.args[0], assigned, depth + 1)
        return None
    if isinstance(node, ast.MethodCall) and node.name in _KEEP:
        found = _source(node.receiver, assigned, depth + 1)
        if found is not None and node.lambda_ is not None:
            excludes = _keys_in(node.lambda_.body, assigned, depth)
            return _Source(found.key, found.merge, (*found.excludes, *excludes))
        return found
    if isinstance(node, ast.BinOp) and node.op == "-":
        left = _source(node.left, assigned, depth + 1)
        if left is None:
            return None
        right = _source(node.right, assigned, depth + 1)
        excludes = [right.key] if right is not None else []
        return _Source(left.key, left.merge, (*left.excludes, *excludes))
    return None


def _keys_in(body: Sequence[ast.Node], assigned: dict[str, ast.Node], depth: int) -> list[str]:
    """Keys looked up inside a filter's body (`!($c in $excluded)`): the classes it drops."""
    out: list[str] = []
    for inner in _walk(body):
        if isinstance(inner, ast.Var | ast.Call):
            found = _source(inner, assigned, depth + 1)
            if found is not None and found.key not in out:
                out.append(found.key)
    return out


def _key(node: ast.Node) -> str:
    """A literal key: `'classes'`, or the bare word `classes` as Puppet 3 trees write it."""
    if isinstance(node, ast.Name):
        return node.text.lstrip(":")
    text = string_literal(node)
    return text.lstrip(":") if text else ""


def _merges(args: Sequence[ast.Node]) -> bool:
    """Whether `lookup`'s later arguments ask for a merge: `'unique'`, `{merge => 'deep'}`."""
    for arg in args:
        if isinstance(arg, ast.Hash):
            for key, value in arg.pairs:
                if _word(key) == "merge":
                    return _word(value) not in ("", "first")
            continue
        word = _word(arg)
        if word in _MERGES:
            return word != "first"
    return False


def _word(node: ast.Node) -> str:
    if isinstance(node, ast.Name):
        return node.text
    return string_literal(node) or ""
