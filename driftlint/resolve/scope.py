"""The scope model: classes, defines and nodes of a tree, indexed by name, and roles."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from driftlint.parse.puppet import ast


@dataclass(slots=True)
class Index:
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    defines: dict[str, ast.DefineDef] = field(default_factory=dict)
    nodes: list[ast.NodeDef] = field(default_factory=list)
    toplevel: list[ast.Node] = field(default_factory=list)  # statements outside definitions

    def add(self, manifest: ast.Manifest) -> None:
        for node in manifest.body:
            self._add(node, "")

    def _add(self, node: ast.Node, namespace: str) -> None:
        if isinstance(node, ast.ClassDef):
            name = qualify(node.name, namespace)
            self.classes.setdefault(name, node)
            # Nested classes and defines are named inside their class (language reference:
            # "Nested classes"); Puppet 7 still accepts them.
            for inner in node.body:
                if isinstance(inner, ast.ClassDef | ast.DefineDef):
                    self._add(inner, name)
        elif isinstance(node, ast.DefineDef):
            self.defines.setdefault(qualify(node.name, namespace), node)
        elif isinstance(node, ast.NodeDef):
            self.nodes.append(node)
        elif not isinstance(node, ast.FunctionDef | ast.TypeAlias):
            self.toplevel.append(node)

    def is_role(self, name: str, prefix: str) -> bool:
        return name.startswith(prefix)

    def roles(self, prefix: str) -> list[str]:
        return sorted(n for n in self.classes if n.startswith(prefix))


def qualify(name: str, namespace: str) -> str:
    name = name.lstrip(":").lower()
    if namespace and "::" not in name:
        return f"{namespace}::{name}"
    return name


def string_literal(node: ast.Node) -> str | None:
    """The text of a string written without interpolation, or None."""
    if isinstance(node, ast.Str) and all(isinstance(p, ast.Lit) for p in node.parts):
        return "".join(p.value.text for p in node.parts if isinstance(p, ast.Lit))
    return None


def class_name(value: str) -> str:
    """Normalise a class reference as written (`::Foo::Bar`, `foo::bar`) to `foo::bar`."""
    return value.strip().lstrip(":").lower()


def walk(nodes: Iterable[ast.Node]) -> Iterator[ast.Node]:
    """Every node below the given ones, depth first, definitions included.

    A body (a tuple: a manifest's, a class's) is walked once per process and its nodes kept:
    the tree is walked by several passes (installs, relevance, mentions, command paths), and
    a define's body once per declaration. Nodes are frozen, so the list stays true."""
    if isinstance(nodes, tuple):
        return iter(flat(nodes))
    return _walk(nodes)


def flat(body: tuple[ast.Node, ...]) -> tuple[ast.Node, ...]:
    """`walk(body)` as a tuple, kept for the body's lifetime in this process."""
    hit = _FLAT.get(id(body))
    if hit is not None and hit[0] is body:
        return hit[1]
    out: list[ast.Node] = []
    stack: list[object] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, _Walked):
            out.extend(node.nodes)
            continue
        assert isinstance(node, ast.Node)
        out.append(node)
        definition = isinstance(node, ast.ClassDef | ast.DefineDef | ast.NodeDef)
        children: list[object] = []
        for name in _field_names(type(node)):
            value = getattr(node, name)
            if definition and name == "body":
                children.append(_Walked(flat(value)))  # kept for walks of that body alone
            else:
                _collect(value, children)  # type: ignore[arg-type]
        stack.extend(reversed(children))
    nodes = tuple(out)
    if len(_FLAT) >= _FLAT_LIMIT:
        _FLAT.clear()  # a long-lived process (a test session) reads many trees
    _FLAT[id(body)] = (body, nodes)  # the body is held, so its id is not reused
    return nodes


@dataclass(frozen=True, slots=True)
class _Walked:
    nodes: tuple[ast.Node, ...]


_FLAT: dict[int, tuple[tuple[ast.Node, ...], tuple[ast.Node, ...]]] = {}
_FLAT_LIMIT = 100_000


def _walk(nodes: Iterable[ast.Node]) -> Iterator[ast.Node]:
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        yield node
        children: list[ast.Node] = []
        for name in _field_names(type(node)):
            _collect(getattr(node, name), children)
        stack.extend(reversed(children))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name != "span")
    return names


def _collect(value: object, out: list[ast.Node]) -> None:
    if isinstance(value, ast.Node):
        out.append(value)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, out)


_NODE_NAME = re.compile(r"[^A-Za-z0-9_.:-]+")


def node_label(node: ast.NodeDef) -> str:
    """A readable role label for a node definition: `node:db1001.example.org`."""
    names: list[str] = []
    for match in node.matches:
        if isinstance(match, ast.Str):
            names.append("".join(p.value.text for p in match.parts if isinstance(p, ast.Lit)))
        elif isinstance(match, ast.Regex):
            names.append(f"/{match.pattern}/")
        elif isinstance(match, ast.Default):
            names.append("default")
        elif isinstance(match, ast.Name):
            names.append(match.text)
    return "node:" + (",".join(names) or "?")
