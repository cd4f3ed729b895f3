"""Evaluate a class, or a define instance, once for every root whose view of it is the same.

Each role of a real tree declares hundreds of classes, most of them shared (base profiles,
monitoring, the same service classes); evaluating every role from scratch spent almost all of
a run re-evaluating the same class bodies to the same resources. `MemoEvaluator` records, for
every class body it runs, a trace: what the body read from outside itself, in order (Hiera
lookups, top-scope and other classes' variables) interleaved with what it did (resources
declared, classes declared). Another root that declares the same class with the same
parameters replays a trace instead of running the body, checking each read against its own
state as it goes. The first read that differs undoes the replay and the body runs afresh, so a
replay gives exactly the resources the body would have given (a verifying trace, as build
systems use; not a guess that two roles are alike).

What a body does not record cannot differ, because it is not read: every way a body sees
state outside itself goes through `lookup_var` or the Hiera hook. Templates rendered later
(`Deferred` file content) are bound again to the replaying root's frames, so they read that
root's variables when they render.

Define instances are traced the same way, keyed by what they are given (title, parameters,
the declaring scope's resource defaults and module, virtual and assumption state): a class body
that runs again because one of its reads differs replays the instances inside it whose inputs
did not change. Inside a traced body an instance is an event of its own, declared again on
replay, so what its body read is checked again too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from driftlint import reads
from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve.evaluate import RUN_COST, Alts, Deferred, Evaluator, Frame, Resource
from driftlint.resolve.scope import class_name
from driftlint.values import Value

MAX_VARIANTS = 6  # traces kept per (class, parameters); roles that differ beyond that re-run
# Bytes of values the traces of one run may keep (as evaluate.RUN_COST counts them): 2,000
# classes each declaring the next with a growing parameter, each also checked on its own,
# kept 1.9 GB of traces no root replayed. Past it a body is not recorded and runs again.
MAX_KEPT = 200_000_000

# Trace events.
_HIERA, _VAR, _RESOURCES, _CLASS, _DEFINE = range(5)
_MISS = object()  # a variable no frame holds


@dataclass(slots=True)
class _Trace:
    """What one run of one class body read and did."""

    name: str
    via: tuple[Span, ...]  # the declaration chain the body ran under
    events: list[tuple[Any, ...]] = field(default_factory=list)
    mark: int = 0  # resources before this index are already in events
    storable: bool = True
    parent_declared: bool = False


@dataclass(slots=True)
class _Variant:
    events: list[tuple[Any, ...]]
    vars: dict[str, Alts]
    defines: frozenset[str]
    read_set: reads.FrozenReads = reads.EMPTY  # what the recorded run read (driftlint.reads)
    # A define instance's run: how much deeper than its start it went, so a replay is taken
    # only where the run would not be cut by max_depth.
    depth: int = 0


@dataclass(slots=True)
class Memo:
    """Traces shared by the evaluators of one run, by (class, given parameters)."""

    traces: dict[tuple[str, object], list[_Variant]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    kept: int = 0  # bytes of the values the traces hold (MAX_KEPT)


@dataclass(slots=True)
class _RecordedHiera:
    """The Hiera hook of a MemoEvaluator: each lookup is recorded in the innermost trace."""

    hook: Callable[[str, dict[str, str]], Alts | None]
    stack: list[_Trace]

    def __call__(self, key: str, facts: dict[str, str]) -> Alts | None:
        found = self.hook(key, facts)
        if self.stack:
            self.stack[-1].events.append((_HIERA, key, found))
        return found


class _Mismatch(Exception):
    """A read during a replay differs from the recorded one."""


@dataclass(slots=True)
class MemoEvaluator(Evaluator):
    memo: Memo = field(default_factory=Memo)
    _stack: list[_Trace] = field(default_factory=list)
    _deepest: int = 0  # the deepest body run since the innermost define trace began
    _hiera_hook: Callable[[str, dict[str, str]], Alts | None] | None = None

    def __post_init__(self) -> None:
        self._hiera_hook = self.hiera
        if self.hiera is not None:
            # Not a bound method of self: that made every evaluator a reference cycle, which
            # the check (run with the cycle collector off, driftlint/engine.py) never freed:
            # 2,000 roots kept 1.9 GB (issue 30).
            self.hiera = _RecordedHiera(self.hiera, self._stack)

    # --- recording ---------------------------------------------------------------------

    def lookup_var(self, name: str, frame: Frame, span: Span | None, top: bool = False) -> Alts:
        found = Evaluator.lookup_var(self, name, frame, span, top)
        if self._stack:
            self._record_read(name, frame, top)
        return found

    def _record_read(self, name: str, frame: Frame, top: bool) -> None:
        trace = self._stack[-1]
        name = name.lstrip(":")
        if "::" in name or top:
            trace.events.append((_VAR, name, None, self._resolve(name, None)))
            return
        walked: list[str | None] = []  # the outside frames the lookup looked in, in order
        value: object = _MISS
        current: Frame | None = frame
        while current is not None:
            outside = current is self.top or (
                current.name != trace.name and self.classes.get(current.name) is current
            )
            if outside:
                walked.append(None if current is self.top else current.name)
            elif walked:
                trace.storable = False  # an inner frame below an outer one: not a shape we know
            if name in current.vars:
                value = current.vars[name]
                break
            current = current.parent
        if walked:
            trace.events.append((_VAR, name, tuple(walked), value))

    def _resolve(self, name: str, walked: tuple[str | None, ...] | None) -> object:
        """A variable's value as this root sees it now from outside a class body, or _MISS.
        Raises _Mismatch (only replays pass `walked`) when a frame read then is not here."""
        if walked is None:
            if "::" in name:
                owner, _, var = name.rpartition("::")
                frame = self.classes.get(class_name(owner))
                return frame.vars[var] if frame is not None and var in frame.vars else _MISS
            return self.top.vars.get(name, _MISS)
        for ref in walked:
            frame = self.top if ref is None else self.classes.get(ref)
            if frame is None:  # the class the body read from is not declared in this root
                raise _Mismatch
            if name in frame.vars:
                return frame.vars[name]
        return _MISS

    def amending(self) -> None:
        # A replay gives the resources as their bodies declared them, not as amended later.
        for trace in self._stack:
            trace.storable = False

    def _flush(self, trace: _Trace) -> None:
        if len(self.resources) > trace.mark:
            trace.events.append((_RESOURCES, self.resources[trace.mark :], len(trace.via)))
            trace.mark = len(self.resources)

    # --- classes -------------------------------------------------------------------------
    def declare_class(
        self,
        name: str,
        given: dict[str, Alts] | None,
        via: tuple[Span, ...],
        open_undef: bool = False,
    ) -> None:
        if open_undef:  # a class checked on its own: its own body is no other root's
            Evaluator.declare_class(self, name, given, via, open_undef=True)
            return
        name = class_name(name)
        outer = self._stack[-1] if self._stack else None
        if outer is not None:
            self._flush(outer)
            if self.depth > self.max_depth:
                outer.storable = False  # cut by depth: another root may get further
            elif not outer.parent_declared and self._is_parent(outer, name):
                outer.parent_declared = True  # a replay declares the parent itself, first
            else:
                # Recorded even when the class is declared already: another root may not
                # have declared it yet when it replays this body.
                outer.events.append((_CLASS, name, given, via[len(outer.via) :]))
        if name in self.classes or self.depth > self.max_depth:
            Evaluator.declare_class(self, name, given, via)
            return
        definition = self.index.classes.get(name)
        if definition is None or (self.prune is not None and not self.prune(name)):
            Evaluator.declare_class(self, name, given, via)
            return
        key = (name, _freeze(given))
        for variant in self.memo.traces.get(key, ()):
            if self._replay(name, definition.parent, variant, via):
                self.memo.hits += 1
                return
        self.memo.misses += 1
        self._record(name, given, via, key)
        if outer is not None:
            outer.mark = len(self.resources)

    def _is_parent(self, trace: _Trace, name: str) -> bool:
        definition = self.index.classes.get(trace.name)
        return bool(definition and definition.parent and class_name(definition.parent) == name)

    def _record(
        self, name: str, given: dict[str, Alts] | None, via: tuple[Span, ...], key: Any
    ) -> None:
        trace = _Trace(name, via, mark=len(self.resources))
        defines_before = set(self.defines_seen)
        problems_before = len(self.problems)
        self._stack.append(trace)
        try:
            with reads.collect() as read:
                Evaluator.declare_class(self, name, given, via)
        finally:
            self._stack.pop()
        self._flush(trace)
        if len(self.problems) != problems_before:
            trace.storable = False
        frame = self.classes.get(name)
        if not trace.storable or frame is None:
            return
        cost = _cost(frame.vars) + _cost(given)
        if self.memo.kept + cost > MAX_KEPT:
            return
        variants = self.memo.traces.setdefault(key, [])
        if len(variants) < MAX_VARIANTS:
            self.memo.kept += cost
            variant = _Variant(
                trace.events,
                dict(frame.vars),
                frozenset(self.defines_seen - defines_before),
                read.frozen(),
            )
            variants.append(variant)

    # --- define instances ---------------------------------------------------------------
    def declare_define(
        self,
        name: str,
        title: Value,
        given: dict[str, Alts],
        span: Span,
        via: tuple[Span, ...],
        caller: str = "",
        open_undef: bool = False,
        defaults: dict[str, Alts] | None = None,
    ) -> None:
        """A define instance is run once per distinct input: its title, parameters, the
        declaring scope's resource defaults and module, whether it is virtual or under an
        assumption; what its body reads beyond those is checked as a class body's is."""
        definition = self.index.defines.get(name)
        outer = self._stack[-1] if self._stack else None
        if (
            definition is None
            or open_undef
            or self.depth > self.max_depth
            or (self.prune is not None and not self.prune(name))
        ):
            if outer is not None and definition is not None and self.depth > self.max_depth:
                outer.storable = False  # cut by depth: another root may get further
            Evaluator.declare_define(
                self, name, title, given, span, via, caller, open_undef, defaults
            )
            return
        if outer is not None:
            # The instance is its own event: what its body reads is checked when the outer
            # body is replayed, as it is declared again.
            self._flush(outer)
            outer.events.append(
                (
                    _DEFINE,
                    name,
                    title,
                    dict(given),
                    via[len(outer.via) :],
                    span,
                    caller,
                    defaults,
                    self.virtual,
                    self.assuming,
                )
            )
        key = (
            f"define {name}",
            (
                _freeze(title),
                _freeze(given),
                _freeze(defaults),
                caller,
                self.virtual,
                self.assuming,
            ),
        )
        inner = (*via, span)
        for variant in self.memo.traces.get(key, ()):
            if self._replay_define(name, variant, inner):
                self.memo.hits += 1
                return
        self.memo.misses += 1
        trace = _Trace(name, inner, mark=len(self.resources))
        defines_before = set(self.defines_seen)
        problems_before = len(self.problems)
        start, deepest = self.depth, self._deepest
        self._deepest = start
        self._stack.append(trace)
        try:
            with reads.collect() as read:
                Evaluator.declare_define(
                    self, name, title, given, span, via, caller, open_undef, defaults
                )
        finally:
            self._stack.pop()
            used, self._deepest = self._deepest - start, max(deepest, self._deepest)
        self._flush(trace)
        if outer is not None:
            outer.mark = len(self.resources)
        cut = (
            start + used > self.max_depth
            or self.bodies > self.max_bodies
            or self.built > self.max_built
        )
        if not trace.storable or cut or len(self.problems) != problems_before:
            return
        cost = _cost(given) + _cost(defaults)
        variants = self.memo.traces.setdefault(key, [])
        if self.memo.kept + cost > MAX_KEPT or len(variants) >= MAX_VARIANTS:
            return
        self.memo.kept += cost
        variants.append(
            _Variant(
                trace.events,
                {},
                frozenset(self.defines_seen - defines_before),
                read.frozen(),
                used,
            )
        )

    def _run_body(
        self, definition: ast.ClassDef | ast.DefineDef, frame: Frame, via: tuple[Span, ...]
    ) -> None:
        self._deepest = max(self._deepest, self.depth + 1)
        Evaluator._run_body(self, definition, frame, via)

    def _replay_define(self, name: str, variant: _Variant, via: tuple[Span, ...]) -> bool:
        if self.depth + variant.depth > self.max_depth:
            return False  # the run would be cut here: run it, and say so
        resources, classes, problems = len(self.resources), len(self.classes), len(self.problems)
        bodies, built = self.bodies, self.built
        outer = self._stack[-1] if self._stack else None
        self._stack.append(_Trace(name, via, mark=resources, storable=False))
        self.depth += 1
        try:
            for event in variant.events:
                self._replay_event(event, via)
        except _Mismatch:
            del self.resources[resources:]
            for added in list(self.classes)[classes:]:
                del self.classes[added]
            del self.problems[problems:]
            self.bodies, self.built = bodies, built
            return False
        finally:
            self.depth -= 1
            self._stack.pop()
        # As a replayed class body, a replayed instance counts no bodies nor string bytes
        # against the root's budgets (max_bodies, max_built).
        self._deepest = max(self._deepest, self.depth + variant.depth)
        self.defines_seen.add(name)
        self.defines_seen.update(variant.defines)
        variant.read_set.replay()
        if outer is not None:
            outer.mark = len(self.resources)
        return True

    # --- replaying ---------------------------------------------------------------------
    def _replay(
        self, name: str, parent: str | None, variant: _Variant, via: tuple[Span, ...]
    ) -> bool:
        resources, classes, bodies = len(self.resources), len(self.classes), self.bodies
        outer = self._stack[-1] if self._stack else None
        # What the replay declares belongs to this class's trace, not to the one recording
        # around it: a sink trace takes it.
        self._stack.append(_Trace(name, via, mark=resources, storable=False))
        self.depth += 1
        try:
            parent_frame = self.top
            if parent:
                self.classes[name] = Frame({}, self.top, name)
                self.declare_class(parent, None, via)
                parent_frame = self.classes.get(class_name(parent), self.top)
            self.classes[name] = Frame(dict(variant.vars), parent_frame, name)
            for event in variant.events:
                self._replay_event(event, via)
        except _Mismatch:
            del self.resources[resources:]
            for added in list(self.classes)[classes:]:
                del self.classes[added]
            self.bodies = bodies
            return False
        finally:
            self.depth -= 1
            self._stack.pop()
        self.defines_seen.update(variant.defines)
        variant.read_set.replay()
        if outer is not None:
            outer.mark = len(self.resources)
        return True

    def _replay_event(self, event: tuple[Any, ...], via: tuple[Span, ...]) -> None:
        kind = event[0]
        if kind == _HIERA:
            _, key, expected = event
            assert self._hiera_hook is not None
            if self._hiera_hook(key, self.facts) != expected:
                raise _Mismatch
        elif kind == _VAR:
            _, name, walked, expected = event
            found = self._resolve(name, walked)
            if found is not expected and (found is _MISS or expected is _MISS or found != expected):
                raise _Mismatch
        elif kind == _RESOURCES:
            _, resources, base = event
            rebound: dict[int, Deferred] = {}
            for resource in resources:
                self.resources.append(self._rebind(resource, via, base, rebound))
        elif kind == _CLASS:
            _, name, given, suffix = event
            self.declare_class(name, given, (*via, *suffix))
        else:
            _, name, title, given, suffix, span, caller, defaults, virtual, assuming = event
            outer_virtual, outer_assuming = self.virtual, self.assuming
            self.virtual, self.assuming = virtual, assuming
            try:
                self.declare_define(
                    name, title, dict(given), span, (*via, *suffix), caller, False, defaults
                )
            finally:
                self.virtual, self.assuming = outer_virtual, outer_assuming

    def _rebind(
        self, resource: Resource, via: tuple[Span, ...], base: int, rebound: dict[int, Deferred]
    ) -> Resource:
        """A recorded resource as this root declares it: its chain and its templates ours."""
        suffix = resource.via[base:]
        attrs = {
            attr: [self._rebind_value(v, via, base, rebound) for v in alts]
            for attr, alts in resource.attrs.items()
        }
        return Resource(
            resource.type,
            resource.title,
            attrs,
            resource.attr_nodes,
            resource.span,
            (*via, *suffix),
            resource.scope,
            resource.assumed,
            resource.virtual,
        )

    def _rebind_value(
        self, value: Value, via: tuple[Span, ...], base: int, seen: dict[int, Deferred]
    ) -> Any:
        if not isinstance(value, Deferred):
            return value
        if id(value) not in seen:
            frame = value.frame
            parent = frame.parent
            if parent is None or (parent.parent is None and not parent.name):  # the top scope
                parent = self.top
            else:
                parent = self.classes.get(parent.name, self.top)
            seen[id(value)] = Deferred(
                value.call, self, Frame(frame.vars, parent, frame.name), (*via, *value.via[base:])
            )
        return seen[id(value)]


def _cost(values: dict[str, Alts] | None) -> int:
    """About the bytes the strings among `values` take (one level into arrays and hashes)."""
    total = 0
    for alts in (values or {}).values():
        for value in alts:
            items: Any = (value,)
            if isinstance(value, dict):
                items = value.values()
            elif isinstance(value, tuple):
                items = value
            for item in items:
                if isinstance(item, LText):
                    total += len(item.text) + RUN_COST * len(item.runs)
    return total


def _freeze(value: Any) -> object:
    """A hashable stand-in for parameters given to a class, equal when they are equal."""
    if value is None:
        return None
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    if isinstance(value, Deferred):
        return ("deferred", id(value))
    return value
