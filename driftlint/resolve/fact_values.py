"""Facts as symbolic alternatives: the values a tree itself compares a fact with.

A role is checked for no host in particular, so `$::osfamily` has no one value. Where a fact
builds a path (`source => "puppet:///modules/m/daemon.${::osfamily}"`), its alternatives are
every value the tree mentions for it in a `case`, a selector or a comparison, and an unknown
value besides: each file the tree may install is read, and nothing the tree does not mention
is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftlint.parse.puppet import ast
from driftlint.resolve.scope import Index, string_literal, walk

# Legacy top-scope names and their structured `$facts` paths (Facter's fact reference).
ALIASES = {
    "osfamily": "os.family",
    "operatingsystem": "os.name",
    "operatingsystemmajrelease": "os.release.major",
    "operatingsystemrelease": "os.release.full",
    "lsbdistcodename": "os.distro.codename",
    "lsbdistid": "os.distro.id",
    "lsbdistrelease": "os.distro.release.full",
    "lsbmajdistrelease": "os.distro.release.major",
    "architecture": "os.architecture",
    "hardwaremodel": "os.hardware",
    "kernel": "kernel",
    "virtual": "virtual",
    "is_virtual": "is_virtual",
    "os.family": "os.family",
}
FACTS = frozenset(ALIASES.values())

_CACHE: dict[int, tuple[Index, dict[str, tuple[str, ...]]]] = {}


def fact_of(node: ast.Node) -> str | None:
    """The canonical fact a reference names: `$::osfamily`, `$osfamily`,
    `$facts['os']['family']`, `$facts['osfamily']`; None for anything else."""
    if isinstance(node, ast.Var):
        return canonical(node.name.lstrip(":"))
    path: list[str] = []
    while isinstance(node, ast.Access) and len(node.keys) == 1:
        key = string_literal(node.keys[0])
        if key is None:
            return None
        path.append(key)
        node = node.target
    if isinstance(node, ast.Var) and node.name.lstrip(":") == "facts" and path:
        return canonical(".".join(reversed(path)))
    return None


def canonical(name: str) -> str | None:
    found = ALIASES.get(name)
    if found is not None:
        return found
    return name if name in FACTS else None


def fact_values(index: Index) -> dict[str, tuple[str, ...]]:
    """Per canonical fact, the literal values the tree compares it with, in tree order."""
    hit = _CACHE.get(id(index))
    if hit is not None and hit[0] is index:
        return hit[1]
    found: dict[str, list[str]] = {}
    bodies: list[tuple[ast.Node, ...]] = [tuple(index.toplevel)]
    bodies += [c.body for c in index.classes.values()]
    bodies += [d.body for d in index.defines.values()]
    bodies += [n.body for n in index.nodes]
    for body in bodies:
        for node in walk(body):
            if isinstance(node, ast.Case):
                _note(found, node.subject, [m for b in node.branches for m in b.matches])
            elif isinstance(node, ast.Selector):
                _note(found, node.subject, [m for m, _ in node.cases])
            elif isinstance(node, ast.BinOp) and node.op in ("==", "!="):
                _note(found, node.left, [node.right])
                _note(found, node.right, [node.left])
            elif isinstance(node, ast.BinOp) and node.op == "in":
                items = node.right.items if isinstance(node.right, ast.Array) else ()
                _note(found, node.left, items)
    out = {k: tuple(v) for k, v in found.items()}
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(index)] = (index, out)
    return out


def _note(found: dict[str, list[str]], subject: ast.Node, matches: Iterable[ast.Node]) -> None:
    fact = fact_of(subject)
    if fact is None:
        return
    values = found.setdefault(fact, [])
    for match in matches:
        text = match.text if isinstance(match, ast.Name) else string_literal(match)
        if text and text not in values:
            values.append(text)
