"""Puppet's ways to declare and amend resources besides a resource expression:
resource defaults (`Exec { path => ... }`), overrides (`File[$x] { source => ... }`),
collectors with overrides (`Exec <| tag == 'x' |> { ... }`), and the functions
`create_resources`, `ensure_resource`, `ensure_resources` (Puppet's and stdlib's references).

Defaults are kept as a variable of the scope that sets them (`exec{}`), so a class body that
reads its callers' defaults records that read like any other (driftlint/resolve/memo.py), and
a define sees the defaults of the scope that declares it, as Puppet's dynamic scoping of
defaults gives. Overrides and collectors amend resources this root already declared; a title
or query that cannot be known amends nothing (unknown, not a guess).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve.scope import Index, string_literal, walk
from driftlint.values import Unknown, Value

if TYPE_CHECKING:
    from driftlint.resolve.evaluate import Alts, Evaluator, Frame, Resource


def defaults_key(kind: str) -> str:
    """The variable holding a type's defaults in a scope: not a name Puppet code can write."""
    return f"{kind}{{}}"


def set_defaults(
    ev: Evaluator, node: ast.ResourceDefaults, frame: Frame, via: tuple[Span, ...]
) -> None:
    kind = node.type.lower().lstrip(":")
    if "::" in kind:
        return  # a defined type's defaults: its instances are evaluated when declared
    body = body_frame(frame)
    inherited = inherited_defaults(ev, kind, frame)
    mine: dict[str, Value] = dict(inherited)
    for attr in node.attrs:
        if attr.name == "*":
            continue
        alts = ev.eval(attr.value, frame, via)
        mine[attr.name] = alts[0] if len(alts) == 1 else Unknown(attr.value.span, attr.name)
    body.vars[defaults_key(kind)] = [mine]
    # A default applies to the whole scope, also to what was declared above it.
    for i, resource in enumerate(ev.resources):
        if resource.type == kind and body_frame(resource.scope) is body:
            added = {n: [v] for n, v in mine.items() if n not in resource.attrs}
            if added:
                ev.amending()
                ev.resources[i] = _amended(resource, added, {})


def inherited_defaults(ev: Evaluator, kind: str, frame: Frame) -> dict[str, Value]:
    found = ev.lookup_var(defaults_key(kind), frame, None)
    if len(found) == 1 and isinstance(found[0], dict):
        return found[0]
    return {}


def body_frame(frame: Frame) -> Frame:
    """The class, define or top scope a lambda's frame is inside."""
    while frame.lambda_ and frame.parent is not None:
        frame = frame.parent
    return frame


def apply_defaults(ev: Evaluator, kind: str, attrs: dict[str, Alts], frame: Frame) -> None:
    if "::" in kind:
        return
    for name, value in inherited_defaults(ev, kind, frame).items():
        attrs.setdefault(name, [value])


def override(
    ev: Evaluator, node: ast.ResourceOverride, frame: Frame, via: tuple[Span, ...]
) -> None:
    target = node.target
    if isinstance(target, ast.Collector):
        ev.amending()
        ev.collectors.append((target, frame, via))  # it realises what it selects, too
        matching = collect(ev, target, frame, via)
    elif isinstance(target, ast.Access) and isinstance(target.target, ast.TypeRef):
        kind = target.target.text.lower().lstrip(":")
        titles: list[Value] = []
        for key in target.keys:
            for value in ev.eval(key, frame, via):
                titles.extend(value if isinstance(value, tuple) else (value,))
        texts = [t.text for t in titles if isinstance(t, LText) and not t.dynamic]
        if len(texts) != len(titles):
            return  # a title we cannot know: which resource it amends is unknown
        matching = [r for r in ev.resources if r.type == kind and _title(r) in texts]
        if len(set(texts)) > 1:
            # One of several titles: each resource may or may not be the one amended.
            _amend(ev, node, matching, frame, via, keep=True)
            return
    else:
        return
    _amend(ev, node, matching, frame, via, keep=False)


def _amend(
    ev: Evaluator,
    node: ast.ResourceOverride,
    matching: list[Resource],
    frame: Frame,
    via: tuple[Span, ...],
    keep: bool,
) -> None:
    if not matching:
        return
    values = {
        attr.name: ev.attr_value(matching[0].type, attr, frame, via)
        for attr in node.attrs
        if attr.name != "*"
    }
    nodes = {attr.name: attr for attr in node.attrs if attr.name != "*"}
    chosen = {id(r) for r in matching}
    for i, resource in enumerate(ev.resources):
        if id(resource) not in chosen:
            continue
        changed: dict[str, Alts] = {}
        for name, alts in values.items():
            old = resource.attrs.get(name)
            if nodes[name].op == "+>" and old is not None:
                alts = [_append(a, b) for a in old for b in alts][: ev.limit]
            changed[name] = ev._union(old, alts) if keep and old else list(alts)
        ev.amending()
        ev.resources[i] = _amended(resource, changed, nodes)


def _amended(resource: Resource, attrs: dict[str, Alts], nodes: dict[str, ast.Attr]) -> Resource:
    """A copy of a resource with attributes changed: the declared one may be shared with a
    class body's recorded trace (driftlint/resolve/memo.py), which must stay as declared."""
    return dataclasses.replace(
        resource,
        attrs={**resource.attrs, **attrs},
        attr_nodes={**resource.attr_nodes, **nodes},
    )


def _append(a: Value, b: Value) -> Value:
    left = a if isinstance(a, tuple) else (a,)
    right = b if isinstance(b, tuple) else (b,)
    return (*left, *right)


def _title(resource: Resource) -> str | None:
    title = resource.title
    return title.text if isinstance(title, LText) and not title.dynamic else None


def collect(
    ev: Evaluator, node: ast.Collector, frame: Frame, via: tuple[Span, ...]
) -> list[Resource]:
    """The resources of this root a collector's query surely selects."""
    kind = node.type.lower().lstrip(":")
    out = []
    for resource in ev.resources:
        if resource.type == kind and _selects(ev, node.query, resource, frame, via) is True:
            out.append(resource)
    return out


def _selects(
    ev: Evaluator, query: ast.Node | None, resource: Resource, frame: Frame, via: tuple[Span, ...]
) -> bool | None:
    if query is None:
        return True
    if isinstance(query, ast.Block) and len(query.body) == 1:
        return _selects(ev, query.body[0], resource, frame, via)
    if not isinstance(query, ast.BinOp):
        return None
    if query.op in ("and", "or"):
        left = _selects(ev, query.left, resource, frame, via)
        right = _selects(ev, query.right, resource, frame, via)
        if query.op == "and":
            return False if False in (left, right) else (None if None in (left, right) else True)
        return True if True in (left, right) else (None if None in (left, right) else False)
    if query.op not in ("==", "!=") or not isinstance(query.left, ast.Name):
        return None
    wanted = ev.eval(query.right, frame, via)
    if len(wanted) != 1 or not isinstance(wanted[0], LText) or wanted[0].dynamic:
        return None
    want = wanted[0].text
    name = query.left.text
    if name == "title":
        have: list[Value] = [resource.title]
    elif name == "tag":
        have = [*resource.attrs.get("tag", ()), *resource.attrs.get("tags", ())]
        have += [LText.plain(t) for t in scope_tags(resource)]
    else:
        have = list(resource.attrs.get(name, ()))
    flat = [i for v in have for i in (v if isinstance(v, tuple) else (v,))]
    if any(isinstance(v, Unknown) or (isinstance(v, LText) and v.dynamic) for v in flat):
        return None
    hit = any(isinstance(v, LText) and v.text == want for v in flat)
    if query.op == "!=":
        return not hit
    return hit


def realizes(
    ev: Evaluator, node: ast.Collector, frame: Frame, via: tuple[Span, ...]
) -> set[tuple[str, str]]:
    """The virtual resources a collector realises: those its query may select (a query that
    cannot be told realises, as a branch that cannot be told runs). `<<| |>>` realises
    exported resources, which are never held back here."""
    kind = node.type.lower().lstrip(":")
    out: set[tuple[str, str]] = set()
    for resource in ev.resources:
        if resource.virtual is None or resource.virtual[0] != kind:
            continue
        if resource.type != kind:  # inside a virtual define instance: select the instance
            if node.query is None or _selects_title(
                ev, node.query, resource.virtual[1], frame, via
            ):
                out.add(resource.virtual)
            continue
        if _selects(ev, node.query, resource, frame, via) is not False:
            out.add(resource.virtual)
    return out


_TREE: dict[int, tuple[Index, list[ast.Node]]] = {}


def tree_realizers(index: Index) -> list[ast.Node]:
    """Every collector and `realize` call of the tree, wherever it is: a root is part of a
    node's catalog (a role without its node's other classes), so a virtual resource may be
    realised by code this root did not run."""
    hit = _TREE.get(id(index))
    if hit is not None and hit[0] is index:
        return hit[1]
    bodies: list[tuple[ast.Node, ...]] = [tuple(index.toplevel)]
    bodies += [c.body for c in index.classes.values()]
    bodies += [d.body for d in index.defines.values()]
    bodies += [n.body for n in index.nodes]
    found: list[ast.Node] = []
    for body in bodies:
        for node in walk(body):
            if isinstance(node, ast.Collector) or (
                isinstance(node, ast.Call) and node.name.lstrip(":") == "realize"
            ):
                found.append(node)
    if len(_TREE) > 16:
        _TREE.clear()
    _TREE[id(index)] = (index, found)
    return found


def may_be_realized(ev: Evaluator, resource: Resource) -> bool:
    """Could some collector or `realize` of the tree select this virtual resource? Only a
    query or title written literally can say no."""
    assert resource.virtual is not None
    kind, title = resource.virtual
    for node in tree_realizers(ev.index):
        if isinstance(node, ast.Collector):
            if node.type.lower().lstrip(":") != kind:
                continue
            if resource.type != kind:
                if node.query is None or _selects_title(ev, node.query, title, ev.top, ()):
                    return True
            elif _selects(ev, node.query, resource, ev.top, ()) is not False:
                return True
            continue
        assert isinstance(node, ast.Call)
        for arg in node.args:
            for ref in arg.items if isinstance(arg, ast.Array) else (arg,):
                if not isinstance(ref, ast.Access) or not isinstance(ref.target, ast.TypeRef):
                    return True  # a reference we cannot read may be any
                if ref.target.text.lower().lstrip(":") != kind:
                    continue
                wanted = [string_literal(k) for k in ref.keys]
                if any(w is None or w == title for w in wanted):
                    return True
    return False


def _selects_title(
    ev: Evaluator, query: ast.Node, title: str, frame: Frame, via: tuple[Span, ...]
) -> bool:
    """Whether a query may select a define instance of this title (only `title ==` is read;
    any other query may)."""
    if not isinstance(query, ast.BinOp) or query.op != "==" or not isinstance(query.left, ast.Name):
        return True
    if query.left.text != "title":
        return True
    wanted = ev.eval(query.right, frame, via)
    return any(not isinstance(w, LText) or w.dynamic or w.text == title for w in wanted)


def realize(ev: Evaluator, args: tuple[ast.Node, ...], frame: Frame, via: tuple[Span, ...]) -> None:
    """`realize(File['/a'], User['b'])`: a reference whose title is unknown realises every
    virtual resource of its type."""
    ev.amending()
    for arg in args:
        refs = arg.items if isinstance(arg, ast.Array) else (arg,)
        for ref in refs:
            if not isinstance(ref, ast.Access) or not isinstance(ref.target, ast.TypeRef):
                continue
            kind = ref.target.text.lower().lstrip(":")
            for key in ref.keys:
                for value in ev.eval(key, frame, via):
                    for title in value if isinstance(value, tuple) else (value,):
                        if isinstance(title, LText) and not title.dynamic:
                            ev.realized.add((kind, title.text))
                        else:
                            ev.realized.update(
                                r.virtual
                                for r in ev.resources
                                if r.virtual is not None and r.virtual[0] == kind
                            )


def scope_tags(resource: Resource) -> list[str]:
    """Tags Puppet gives a resource from where it is declared: its type and the names of its
    class or define, and each segment of them."""
    tags = [resource.type]
    frame: Frame | None = resource.scope
    while frame is not None:
        if frame.name:
            tags.append(frame.name)
            tags.extend(frame.name.split("::"))
        frame = frame.parent
    return tags


def create_resources(
    ev: Evaluator, name: str, args: list[Alts], frame: Frame, via: tuple[Span, ...], span: Span
) -> None:
    """`create_resources(type, hash, defaults)`, `ensure_resources(type, hash, defaults)` and
    `ensure_resource(type, title(s), params)`. An unknown hash still declares the type once,
    with an unknown title and unknown parameters, so its commands are seen."""
    if len(args) < 2 or len(args[0]) != 1:
        return
    kind_value = args[0][0]
    if not isinstance(kind_value, LText) or kind_value.dynamic:
        return
    kind = kind_value.text.lower().lstrip(":")
    extra = args[2] if len(args) > 2 else [None]
    for defaults in extra:
        base = defaults if isinstance(defaults, dict) else {}
        for given in args[1]:
            if name == "ensure_resource":
                titles = given if isinstance(given, tuple) else (given,)
                given_params = extra_params(defaults)
                for one in titles:
                    ev.declare(kind, one, dict(given_params), frame, via, span)
                break
            if isinstance(given, dict):
                for key, values in given.items():
                    merged: dict[str, Alts] = {k: [v] for k, v in base.items()}
                    if isinstance(values, dict):
                        merged.update({k: [v] for k, v in values.items()})
                    elif values is not None:
                        merged = open_params(ev, kind, span)
                    ev.declare(kind, LText.plain(key), merged, frame, via, span)
            elif given is not None:
                unknown = open_params(ev, kind, span)
                ev.declare(kind, Unknown(span, "$title"), unknown, frame, via, span)
        if name == "ensure_resource":
            return


def extra_params(params: Value) -> dict[str, Alts]:
    return {k: [v] for k, v in params.items()} if isinstance(params, dict) else {}


def open_params(ev: Evaluator, kind: str, span: Span) -> dict[str, Alts]:
    """Every parameter of a defined type unknown: a hash we cannot read may set any."""
    definition = ev.index.defines.get(kind) or ev.index.classes.get(kind)
    if definition is None:
        return {}
    return {p.name: [Unknown(span, "$" + p.name)] for p in definition.params}


def file_function(
    ev: Evaluator, attrs: Sequence[ast.Attr], frame: Frame, via: tuple[Span, ...]
) -> Alts | None:
    """`content => file('m/x', 'm/y')` installs the first of the module files that
    exists, as `source => ['puppet:///modules/m/x', ...]` does."""
    for attr in attrs:
        value = attr.value
        if attr.name != "content" or not isinstance(value, ast.Call):
            continue
        if value.name.lstrip(":") != "file" or not value.args:
            return None
        choices = [ev._with_facts(a, frame, via) for a in value.args]
        out: Alts = []
        for combo in itertools.islice(itertools.product(*choices), ev.limit):
            refs: list[Value] = []
            for ref in combo:
                if not isinstance(ref, LText) or ref.dynamic or ref.text.startswith("/"):
                    break  # a file of the server's disk, or unknown
                module = ref.text.partition("/")[0]
                start = len(module) + 1
                refs.append(LText.plain(f"puppet:///modules/{module}/") + ref[start:])
            else:
                out.append(tuple(refs))
        return out or None
    return None
