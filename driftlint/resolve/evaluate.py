"""Evaluate Puppet code for one role: bind class parameters, follow values, collect resources.

An expression evaluates to a list of alternatives (`Alts`): one per branch of a selector, an
`if` or a `case` whose condition cannot be known, or a Hiera level that may apply. Anything
that cannot be known is `Unknown`, which becomes a symbolic word downstream. The number of
alternatives is bounded (`limit`); past it a value is Unknown, never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from driftlint import reads
from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.parse.puppet import ast
from driftlint.resolve import access, fact_values, functions, iteration, matching, resources
from driftlint.resolve.iteration import ITERATORS
from driftlint.resolve.resources import body_frame
from driftlint.resolve.ruby_functions import TemplateFunction, template_name
from driftlint.resolve.scope import Index, class_name, string_literal
from driftlint.resolve.undecided import describe, parameter_of
from driftlint.values import Unknown, Value, WrittenHash, to_text

Alts = list[Value]


@dataclass(slots=True)
class Resource:
    """A resource declared while evaluating one root: what extraction reads."""

    type: str
    title: Value
    attrs: dict[str, Alts]
    attr_nodes: dict[str, ast.Attr]
    span: Span
    via: tuple[Span, ...]  # declaration chain from the root down to this resource
    scope: Frame
    # What a parameter left at its default must be instead for this to be declared
    # (driftlint/resolve/undecided.py); () when the defaults declare it.
    assumed: tuple[str, ...] = ()
    # A virtual resource (`@type { }`, or inside a virtual define instance): the (type, title)
    # that a `realize` or a collector must select for it to be in the catalog; None if real.
    virtual: tuple[str, str] | None = None


@dataclass(slots=True)
class Frame:
    vars: dict[str, Alts]
    parent: Frame | None = None
    name: str = ""  # the class or define this frame belongs to
    lambda_: bool = False  # a lambda's local scope, inside the body of `name`

    def get(self, name: str) -> Alts | None:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.vars:
                return frame.vars[name]
            frame = frame.parent
        return None


class FrameScope:
    """The `Scope` a template sees: the variables of the class that renders it."""

    def __init__(self, evaluator: Evaluator, frame: Frame, params: Value = None) -> None:
        self.evaluator = evaluator
        self.frame = frame
        self.params = params  # the hash given to epp(), inline_epp(); None when none was

    def lookup(self, name: str) -> Value:
        alts = self.evaluator.lookup_var(name, self.frame, None)
        return alts[0] if len(alts) == 1 else Unknown(None, "$" + name)


# A file's `content` from one of these calls is rendered only if extraction reads the file.
DEFERRED_CALLS = frozenset({"template", "epp", "inline_template", "inline_epp"})


@dataclass(eq=False, slots=True)
class Deferred:
    """A file resource's `content => template(...)`, rendered on first use.

    Most files a role installs are configuration that never runs a command; rendering their
    templates for every role was most of the time spent on a real tree. The variables the
    template sees are those assigned before the resource, as in Puppet.
    """

    call: ast.Call
    evaluator: Evaluator
    frame: Frame  # a copy of the variables as of the resource, with the frame's parent
    via: tuple[Span, ...]
    _alts: Alts | None = None

    def refs(self) -> list[str]:
        """The template names the call gives literally (`template('m/a.erb')`)."""
        names = self.call.args[:1] if self.call.name.lstrip(":") == "epp" else self.call.args
        return [ref for node in names if (ref := string_literal(node)) is not None]

    def force(self) -> Alts:
        if self._alts is None:
            self._alts = self.evaluator.eval(self.call, self.frame, self.via)
        return self._alts


# Hooks the engine provides: render a template for a scope, read a module file, look up Hiera.
TemplateHook = Callable[[str, LText, FrameScope, Span], Alts]  # (function, name or text, ...)
# Functions that render a template (driftlint/resolve/templates.py); the second group takes a
# hash of template parameters after the template.
TEMPLATE_CALLS = ("template", "epp", "inline_template", "inline_epp", "jinja_template")
PARAMETER_CALLS = ("epp", "inline_epp", "jinja_template")
HieraHook = Callable[[str, dict[str, str]], Alts | None]
LOOKUPS = ("lookup", "hiera", "hiera_hash", "hiera_array")
RUN_COST = 100  # about the bytes one located run of a string takes


@dataclass(slots=True)
class Evaluator:
    index: Index
    facts: dict[str, str] = field(default_factory=dict)
    template: TemplateHook | None = None
    hiera: HieraHook | None = None
    limit: int = 16
    max_depth: int = 50  # class and define bodies one inside another (`limits: max-depth`)
    prune: Callable[[str], bool] | None = None  # False: the class cannot lead to a call
    # The tree's Ruby functions that render a template by convention (ruby_functions.py)
    functions: Mapping[str, TemplateFunction] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    classes: dict[str, Frame] = field(default_factory=dict)
    defines_seen: set[str] = field(default_factory=set)
    top: Frame = field(default_factory=lambda: Frame({}, None, ""))
    depth: int = 0
    # Class and define bodies one root may run: a define that declares two of itself with new
    # titles would otherwise run 2**max_depth bodies.
    max_bodies: int = 5_000
    bodies: int = 0
    # Bytes of the strings one root builds, a located run (ltext.Run) counted as RUN_COST: a
    # chain of classes each passing the next "${p}${p}" doubles a string per level (issue 30:
    # 30 levels took 22 GB). Past the budget a string is unknown, said once at the place.
    max_built: int = 20_000_000
    built: int = 0
    problems: list[Finding] = field(default_factory=list)  # bodies cut short, once each
    # Parameters that took their default, per frame (kept with the frame: ids are reused).
    defaulted: dict[int, tuple[Frame, set[str]]] = field(default_factory=dict)
    assuming: tuple[str, ...] = ()  # while exploring a side the defaults do not take
    expand_facts: bool = False  # a fact stands for the values the tree mentions (a path)
    captured: dict[str, Alts] | None = None  # match variables of the last `=~` evaluated
    virtual: tuple[str, str] | None = None  # while declaring a virtual define instance
    realized: set[tuple[str, str]] = field(default_factory=set)  # `realize(Type[title])`
    collectors: list[tuple[ast.Collector, Frame, tuple[Span, ...]]] = field(default_factory=list)

    # --- classes and defines -------------------------------------------------------------
    def declare_class(
        self,
        name: str,
        given: dict[str, Alts] | None,
        via: tuple[Span, ...],
        open_undef: bool = False,
    ) -> None:
        """`open_undef`: the class is checked on its own, declared by no root, so a parameter
        whose default is `undef` is one every declaration must pass: its value is unknown,
        not empty."""
        name = class_name(name)
        reads.note_name(name)
        if name in self.classes or self.assuming:
            # A class is declared once per root: not under an assumption its other
            # declarations would then inherit.
            return
        if self.depth > self.max_depth:
            self._too_deep(name, via[-1] if via else None)
            return
        definition = self.index.classes.get(name)
        if definition is None:
            return
        if self.prune is not None and not self.prune(name):
            self.classes[name] = Frame({}, self.top, name)
            return
        parent_frame = self.top
        if definition.parent:
            # Declared already while its parents are: `inherits` loops end here.
            self.classes[name] = Frame({}, self.top, name)
            self.declare_class(definition.parent, None, via)
            parent_frame = self.classes.get(class_name(definition.parent), self.top)
        frame = Frame({}, parent_frame, name)
        self.classes[name] = frame
        outer, self.virtual = self.virtual, None  # a class is declared once, for real
        try:
            self._bind_params(definition.params, given or {}, frame, name, via, open_undef)
            self._run_body(definition, frame, via)
        finally:
            self.virtual = outer

    def _bind_params(
        self,
        params: Sequence[ast.Param],
        given: dict[str, Alts],
        frame: Frame,
        owner: str,
        via: tuple[Span, ...],
        open_undef: bool = False,
    ) -> None:
        for param in params:
            if param.name in given:
                frame.vars[param.name] = given[param.name]
                continue
            found = self.hiera(f"{owner}::{param.name}", self.facts) if self.hiera else None
            if found:
                frame.vars[param.name] = found
            elif param.default is not None and not (
                open_undef and isinstance(param.default, ast.Undef)
            ):
                frame.vars[param.name] = self.eval(param.default, frame, via)
                self.defaulted.setdefault(id(frame), (frame, set()))[1].add(param.name)
            else:
                frame.vars[param.name] = [Unknown(param.span, "$" + param.name)]

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
        """`open_undef`: as for `declare_class`, a define checked on its own. `defaults`: the
        resource defaults of the declaring scope (driftlint/resolve/resources.py)."""
        reads.note_name(name)
        definition = self.index.defines.get(name)
        if definition is None:
            return
        if self.depth > self.max_depth:
            self._too_deep(name, span)
            return
        self.defines_seen.add(name)
        if self.prune is not None and not self.prune(name):
            return
        frame = Frame({"title": [title], "name": given.pop("name", [title])}, self.top, name)
        # The module whose code declared it (Puppet's $caller_module_name).
        frame.vars["caller_module_name"] = [LText.plain(caller)]
        frame.vars.update(defaults or {})
        self._bind_params(definition.params, given, frame, name, via, open_undef)
        self._run_body(definition, frame, (*via, span))

    def _run_body(
        self, definition: ast.ClassDef | ast.DefineDef, frame: Frame, via: tuple[Span, ...]
    ) -> None:
        """Run a class or define body; past the bounds, skip or cut it and say so once."""
        self.bodies += 1
        if self.bodies > self.max_bodies:
            # Said at the declaration that passed the bound (the root's work, not the body's).
            where = via[-1] if via else definition.span
            self._cut(definition, f"more than {self.max_bodies} class and define bodies", where)
            return
        self.depth += 1
        try:
            self.run(definition.body, frame, via)
        except RecursionError:  # nested deeper than Python's stack: cut here, as at max_depth
            self._cut(definition, "declarations nested too deeply")
        finally:
            self.depth -= 1

    def release(self) -> None:
        """The root is done: drop what it declared. A `Deferred` among its resources points
        back here, a cycle the check (the cycle collector off, driftlint/engine.py) would keep
        for the whole run; a memo trace may keep this evaluator, not what it held (issue 30)."""
        self.resources = []
        self.classes = {}
        self.defaulted = {}
        self.collectors = []
        self.top = Frame({}, None, "")

    def amending(self) -> None:
        """Resources declared earlier are about to change (an override, a collector, a
        default): the class bodies running now cannot be recorded (driftlint/resolve/memo.py)."""

    def _cut(
        self, definition: ast.ClassDef | ast.DefineDef, why: str, where: Span | None = None
    ) -> None:
        if not self.problems:
            message = f"`{definition.name}` is not fully evaluated: {why}; its calls may be missed"
            self.problems.append(
                Finding(where or definition.span, "parse-error", message, severity="warning")
            )

    def _too_deep(self, name: str, span: Span | None) -> None:
        """A declaration past `max_depth` bodies: not evaluated, said once, at the declaration."""
        if not self.problems and span is not None:
            message = (
                f"`{name}` is declared inside {self.depth} class and define bodies, past the "
                f"limit of {self.max_depth} (`limits: max-depth`): it is not evaluated; its "
                "calls may be missed"
            )
            self.problems.append(Finding(span, "parse-error", message, severity="warning"))

    def _over_budget(self, combo: Sequence[LText], span: Span) -> bool:
        """Would joining `combo` build past the root's budget? Then say so once, here."""
        self.built += sum(len(part.text) + RUN_COST * len(part.runs) for part in combo)
        if self.built <= self.max_built:
            return False
        if not self.problems:
            message = (
                f"strings built past {self.max_built} bytes: this value and later ones "
                "are unknown; calls may be missed"
            )
            self.problems.append(Finding(span, "parse-error", message, severity="warning"))
        return True

    # --- statements ----------------------------------------------------------------------
    def run(self, body: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...]) -> Alts:
        """Run a body; its value is its last expression's (undef when empty)."""
        result: Alts = [None]
        for node in body:
            result = self.eval(node, frame, via)
        return result

    def _branches(
        self,
        branches: Sequence[Sequence[ast.Node]],
        frame: Frame,
        via: tuple[Span, ...],
        captures: Sequence[dict[str, Alts]] = (),
    ) -> Alts:
        """Run each branch from the same state; variables then hold every branch's values,
        and the value is any branch's value.
        `captures`: per branch, the regex match variables its body sees (`$0`-`$9`)."""
        before = dict(frame.vars)
        merged: dict[str, Alts] = {}
        values: Alts = []
        for i, body in enumerate(branches):
            frame.vars = dict(before)
            match: dict[str, Alts] = captures[i] if i < len(captures) else {}
            frame.vars.update(match)
            values = self._union(values, self.run(body, frame, via))
            for key in match:  # match variables end with the body
                if key in before:
                    frame.vars[key] = before[key]
                else:
                    frame.vars.pop(key, None)
            for key, alts in frame.vars.items():
                if before.get(key) is alts:
                    continue
                merged.setdefault(key, [])
                merged[key] = self._union(merged[key], alts)
        frame.vars = dict(before)
        for key, alts in merged.items():
            # A branch that did not assign keeps the value from before.
            kept = before.get(key)
            frame.vars[key] = self._union(alts, kept) if kept is not None else alts
        return values or [None]

    def _union(self, a: Alts, b: Alts) -> Alts:
        out = list(a)
        for value in b:
            if not any(value is v or value == v for v in out):
                out.append(value)
        return out if len(out) <= self.limit else [Unknown(None, "")]

    # --- expressions ---------------------------------------------------------------------
    def eval(self, node: ast.Node, frame: Frame, via: tuple[Span, ...]) -> Alts:
        if isinstance(node, ast.Str):
            return self._string(node, frame, via)
        if isinstance(node, ast.Name):
            return [LText.literal(node.text, node.span.path, node.span.line, node.span.column)]
        if isinstance(node, ast.Num):
            # Puppet 4+ reads `010` as 8 and `0x10` as 16: the value is the number's string,
            # located where the literal is written.
            shown = functions.number_text(node.text)
            if shown is None:
                return [Unknown(node.span, node.text)]
            return [LText.literal(shown, node.span.path, node.span.line, node.span.column)]
        if isinstance(node, ast.Bool):
            return [node.value]
        if isinstance(node, ast.Undef):
            return [None]
        if isinstance(node, ast.Var):
            return self.lookup_var(node.name, frame, node.span, top=node.top)
        if isinstance(node, ast.Array):
            if any(access.splatted(i) is not None for i in node.items):
                return self._unfolded(node.items, frame, via, node.span)
            return self._product([self.eval(i, frame, via) for i in node.items], node.span)
        if isinstance(node, ast.Hash):
            return [self._hash(node, frame, via)]
        if isinstance(node, ast.Assign):
            value = self.eval(node.value, frame, via)
            if isinstance(node.target, ast.Var):
                frame.vars[node.target.name] = value
            elif isinstance(node.target, ast.Array):
                self._destructure(node.target, value, frame, node.span)
            return value
        if isinstance(node, ast.Resource):
            self._resource(node, frame, via)
            return [Unknown(node.span, "resource")]
        if isinstance(node, ast.Call):
            return self._call(node, frame, via)
        if isinstance(node, ast.MethodCall):
            return self._method(node, frame, via)
        if isinstance(node, ast.If):
            return self._if(node, frame, via)
        if isinstance(node, ast.Case):
            return matching.case(self, node, frame, via)
        if isinstance(node, ast.Selector):
            return matching.selector(self, node, frame, via)
        if isinstance(node, ast.BinOp):
            return self._binop(node, frame, via)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, frame, via)
            if node.op == "!" and all(known_truth(v) for v in operand):
                return self._dedupe([not truthy(v) for v in operand])
            if node.op == "*":  # a splat alone is the array it unfolds to
                return self._dedupe([access.unfold(v, node.span) for v in operand])
            if node.op == "-":
                negated = [functions.operator("-", LText.plain("0"), v) for v in operand]
                if all(isinstance(v, LText) for v in negated):
                    return self._dedupe(negated)
            return [Unknown(node.span, node.op)]
        if isinstance(node, ast.Access):
            return self._access(node, frame, via)
        if isinstance(node, ast.Block):
            result: Alts = [None]
            for inner in node.body:
                result = self.eval(inner, frame, via)
            return result
        if isinstance(node, ast.ClassDef | ast.DefineDef | ast.NodeDef | ast.FunctionDef):
            return [None]
        if isinstance(node, ast.ResourceDefaults):
            resources.set_defaults(self, node, frame, via)
            return [None]
        if isinstance(node, ast.ResourceOverride):
            resources.override(self, node, frame, via)
            return [None]
        if isinstance(node, ast.Collector):
            self.amending()
            self.collectors.append((node, frame, via))
            return [None]
        return [Unknown(node.span, "")]

    def lookup_var(self, name: str, frame: Frame, span: Span | None, top: bool = False) -> Alts:
        name = name.lstrip(":")
        unknown: Alts = [Unknown(span, "$" + name)]
        if "::" in name:
            owner, _, var = name.rpartition("::")
            owner_frame = self.classes.get(class_name(owner))
            if owner_frame is not None and var in owner_frame.vars:
                return owner_frame.vars[var]
            return unknown
        if top:
            return self.top.vars.get(name) or self._fact(name, unknown)
        if name in matching.MATCH_VARS:
            return matching.match_var(self, frame, name)
        found = frame.get(name)
        if found is None and name == "module_name":
            # The module of the class or define whose code runs ("" at top scope).
            return [LText.plain(frame.name.partition("::")[0])]
        return found if found is not None else self._fact(name, unknown)

    def _fact(self, name: str | None, unknown: Alts) -> Alts:
        """In a path, a fact no one set is each value the tree mentions for it, or unknown."""
        fact = fact_values.canonical(name) if self.expand_facts and name else None
        values = fact_values.fact_values(self.index).get(fact) if fact else None
        if not values:
            return unknown
        return [*(LText.plain(v) for v in values[: self.limit - 1]), *unknown]

    def _string(self, node: ast.Str, frame: Frame, via: tuple[Span, ...]) -> Alts:
        pieces: list[Alts] = []
        for part in node.parts:
            if isinstance(part, ast.Lit):
                pieces.append([part.value])
            else:
                pieces.append([to_text(v, part.span) for v in self.eval(part.expr, frame, via)])
        out: Alts = []
        for combo in itertools.islice(itertools.product(*pieces), self.limit + 1):
            if self._over_budget(combo, node.span):  # type: ignore[arg-type]
                return [Unknown(node.span, "string")]
            out.append(LText.join(combo))  # type: ignore[arg-type]
        if len(out) > self.limit:
            return [LText.symbol(node.span, "string")]
        return out or [LText.plain("")]

    def _product(self, items: list[Alts], span: Span) -> Alts:
        total = 1
        for alts in items:
            total *= max(1, len(alts))
        if total > self.limit:
            return [Unknown(span, "array")]
        return [tuple(combo) for combo in itertools.product(*items)]

    def _hash(self, node: ast.Hash, frame: Frame, via: tuple[Span, ...]) -> Value:
        out: dict[str, Value] = {}
        every_key = True
        for key_node, value_node in node.pairs:
            keys = self.eval(key_node, frame, via)
            values = self.eval(value_node, frame, via)
            if len(keys) == 1 and isinstance(keys[0], LText) and not keys[0].dynamic:
                out[keys[0].text] = values[0] if len(values) == 1 else Unknown(value_node.span)
            else:
                every_key = False
        return WrittenHash(out) if every_key else out

    def _unfolded(
        self, items: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...], span: Span
    ) -> Alts:
        """An array (or argument list) with splats `*x`: their items take their place."""
        parts: list[list[tuple[Value, ...]]] = []
        for item in items:
            operand = access.splatted(item)
            if operand is None:
                parts.append([(v,) for v in self.eval(item, frame, via)])
                continue
            runs = [access.unfold(v, item.span) for v in self.eval(operand, frame, via)]
            parts.append([run if isinstance(run, tuple) else (run,) for run in runs])
        return access.alternatives(parts, self.limit, span)

    def _arguments(
        self, nodes: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...], span: Span
    ) -> list[Alts] | None:
        """Call arguments, a splat `*x` giving its items as arguments; None when a splat
        has no known number of items."""
        if not any(access.splatted(n) is not None for n in nodes):
            return [self.eval(a, frame, via) for a in nodes]
        combos = self._unfolded(nodes, frame, via, span)
        if len(combos) != 1 or not isinstance(combos[0], tuple):
            return None
        if any(isinstance(v, Unknown) for v in combos[0]):
            return None  # an unknown item may stand for several arguments
        return [[v] for v in combos[0]]

    def _destructure(self, target: ast.Array, value: Alts, frame: Frame, span: Span) -> None:
        """`[$a, $b] = value`: each variable its part, or unknown."""
        bound = access.destructure(target, value[0], span) if len(value) == 1 else None
        names = list(_variables(target))
        if bound is None:
            frame.vars.update((n, [Unknown(span, "$" + n)]) for n in names)
        else:
            frame.vars.update((n, [v]) for n, v in bound)

    def _dedupe(self, values: Alts) -> Alts:
        out: Alts = []
        for v in values:
            if not any(v is o or v == o for o in out):
                out.append(v)
        return out

    def _resource(self, node: ast.Resource, frame: Frame, via: tuple[Span, ...]) -> None:
        kind = node.type.lower().lstrip(":")
        # A `default:` body gives its attributes to the other bodies of the same expression.
        shared = [a for b in node.bodies if isinstance(b.title, ast.Default) for a in b.attrs]
        for body in node.bodies:
            if isinstance(body.title, ast.Default):
                continue
            attrs: dict[str, Alts] = {}
            own = {a.name for a in body.attrs}
            for a in (*(d for d in shared if d.name not in own), *body.attrs):
                if a.name == "*":  # `* => $hash`: each key an attribute
                    for splat in self.eval(a.value, frame, via)[:1]:
                        if isinstance(splat, dict):
                            attrs.update((k, [v]) for k, v in splat.items())
                    continue
                attrs[a.name] = self.attr_value(kind, a, frame, via)
            if kind == "file" and "source" not in attrs:
                found = resources.file_function(self, body.attrs, frame, via)
                if found is not None:
                    attrs["source"] = found
            attr_nodes = {a.name: a for a in (*shared, *body.attrs)}
            titles = self.eval(body.title, frame, via)
            flat: list[Value] = []
            for t in titles:
                flat.extend(t if isinstance(t, tuple) else (t,))
            for title in flat:
                outer = self.virtual
                if node.virtual == "@" and outer is None:  # exported ones run where collected
                    key = title.text if isinstance(title, LText) and not title.dynamic else ""
                    self.virtual = (kind, key)
                try:
                    self.declare(kind, title, dict(attrs), frame, via, body.span, attr_nodes)
                finally:
                    self.virtual = outer

    def declare(
        self,
        kind: str,
        title: Value,
        attrs: dict[str, Alts],
        frame: Frame,
        via: tuple[Span, ...],
        span: Span,
        attr_nodes: dict[str, ast.Attr] | None = None,
    ) -> None:
        """Declare one resource of `kind` (a class, a defined type or a native type)."""
        if kind == "class":
            if isinstance(title, LText) and not title.dynamic:
                self.declare_class(title.text, attrs, (*via, span))
            return
        reads.note_name(kind)
        if kind in self.index.defines:
            caller = frame.name.partition("::")[0]
            scoped = self._declarer_defaults(frame)
            self.declare_define(kind, title, attrs, span, via, caller, defaults=scoped)
            return
        resources.apply_defaults(self, kind, attrs, frame)
        self.resources.append(
            Resource(
                kind,
                title,
                attrs,
                dict(attr_nodes or {}),
                span,
                via,
                frame,
                self.assuming,
                self.virtual,
            )
        )

    def catalog(self, keep_virtual: bool = False) -> list[Resource]:
        """The resources of the root: a virtual one only if a `realize` or a collector of the
        root selects it (collectors run last, as Puppet's do), or one elsewhere in the tree
        may (a role is part of a node's catalog). `keep_virtual`: a class checked on its own,
        whose virtual resources another root may realise."""
        if keep_virtual:
            return list(self.resources)
        selected = set(self.realized)
        for collector, frame, via in self.collectors:
            selected |= resources.realizes(self, collector, frame, via)
        return [
            r
            for r in self.resources
            if r.virtual is None or r.virtual in selected or resources.may_be_realized(self, r)
        ]

    def _declarer_defaults(self, frame: Frame) -> dict[str, Alts]:
        """The resource defaults a define instance inherits from the scope declaring it."""
        keys: set[str] = set()
        here: Frame | None = frame
        while here is not None:
            keys.update(k for k in here.vars if k.endswith("{}"))
            here = here.parent
        return {k: self.lookup_var(k, frame, None) for k in sorted(keys)}

    def attr_value(self, kind: str, attr: ast.Attr, frame: Frame, via: tuple[Span, ...]) -> Alts:
        value = attr.value
        if kind == "file" and attr.name == "content" and isinstance(value, ast.Call):
            called = value.name.lstrip(":")
            if called in DEFERRED_CALLS:
                seen = Frame(self._visible(frame), body_frame(frame).parent, frame.name)
                # Extraction renders it on first read (driftlint.extract.Installed.contents).
                return [Deferred(value, self, seen, via)]  # type: ignore[list-item]
        if kind == "file" and attr.name == "source":
            return self._with_facts(value, frame, via)
        return self.eval(value, frame, via)

    def _visible(self, frame: Frame) -> dict[str, Alts]:
        """The variables as of this point in a body, a lambda's own over its body's."""
        chain = [frame]
        while chain[-1].lambda_ and chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        out: dict[str, Alts] = {}
        for here in reversed(chain):
            out.update(here.vars)
        return out

    def _with_facts(self, node: ast.Node, frame: Frame, via: tuple[Span, ...]) -> Alts:
        """A path, where a fact stands for every value the tree mentions (fact_values.py)."""
        outer = self.expand_facts
        self.expand_facts = True
        try:
            return self.eval(node, frame, via)
        finally:
            self.expand_facts = outer

    def _call(self, node: ast.Call, frame: Frame, via: tuple[Span, ...]) -> Alts:
        name = node.name.lstrip(":")
        unfolded = self._arguments(node.args, frame, via, node.span)
        if unfolded is None:
            return [Unknown(node.span, f"{name}()")]
        args = unfolded
        if name in ("include", "contain", "require", "role"):
            for alts in args:
                for value in alts:
                    for item in value if isinstance(value, tuple) else (value,):
                        if isinstance(item, LText) and not item.dynamic:
                            target = item.text
                            if name == "role":
                                target = "role::" + target.lstrip(":")
                            self.declare_class(target, None, (*via, node.span))
            return [None]
        if name in TEMPLATE_CALLS and self.template is not None:
            hashed = name in PARAMETER_CALLS
            given = args[1] if hashed and len(args) > 1 else [None]
            rendered: Alts = [LText.plain("")]
            for alts in args[:1] if hashed else args:
                nxt: Alts = []
                for value in alts:
                    if not isinstance(value, LText) or value.dynamic:
                        return [Unknown(node.span, name + "()")]
                    for params in given:
                        scope = FrameScope(self, frame, params)
                        nxt.extend(self.template(name, value, scope, node.span))
                joined: Alts = [
                    to_text(a, node.span) + to_text(b, node.span)
                    for a, b in itertools.product(rendered, nxt)
                ]
                rendered = joined[: self.limit]
            return rendered
        if name in LOOKUPS and self.hiera is not None and args:
            if len(args[0]) == 1 and isinstance(args[0][0], LText) and not args[0][0].dynamic:
                found = self.hiera(args[0][0].text, self.facts)
                if found:
                    return found
                if name == "lookup":
                    default = self._lookup_default(node, args, frame, via)
                    if default is not None:
                        return default
                elif len(args) >= 2:
                    return args[1]
            return [Unknown(node.span, f"{name}()")]
        if name in self.functions and self.template is not None:
            return self._function_template(name, args, frame, node.span)
        if node.lambda_ is not None and name in ITERATORS:
            if not args:
                return iteration.invoke(self, node.lambda_, [], frame, via)
            return iteration.iterate_call(
                self, name, args[0], args[1:], node.lambda_, frame, via, node.span
            )
        if name == "realize":
            resources.realize(self, node.args, frame, via)
            return [None]
        if name in ("create_resources", "ensure_resources", "ensure_resource"):
            resources.create_resources(self, name, args, frame, via, node.span)
            return [None]
        if name == "defined":
            return self._defined(args, node.span)
        found = functions.call(name, args, node.span, self.limit)
        if found is not None:
            return found
        if node.lambda_ is not None:
            iteration.unknown_lambda(self, node.lambda_, frame, via)
        return [Unknown(node.span, f"{name}()")]

    def _lookup_default(
        self, node: ast.Call, args: list[Alts], frame: Frame, via: tuple[Span, ...]
    ) -> Alts | None:
        """What `lookup` gives for a key no data has: `lookup(name, type, merge, default)`,
        `lookup(name, {'default_value' => x})` or the value of its lambda; None if none."""
        if len(args) >= 4:
            return args[3]
        if len(args) == 2 and len(args[1]) == 1 and isinstance(args[1][0], dict):
            options = args[1][0]
            if "default_value" in options:
                return [options["default_value"]]
        if node.lambda_ is not None:
            return iteration.invoke(self, node.lambda_, [args[0][0]], frame, via)
        return None

    def _defined(self, args: list[Alts], span: Span) -> Alts:
        """`defined('$x')` of a variable set here, `defined(Class['x'])` of a class this root
        declared already: true; anything else may be declared later: unknown."""
        if len(args) == 1 and len(args[0]) == 1 and isinstance(args[0][0], LText):
            text = args[0][0].text
            if not args[0][0].dynamic and text.startswith("$") and text[1:] in self.top.vars:
                return [True]
        return [Unknown(span, "defined()")]

    def _function_template(self, name: str, args: list[Alts], frame: Frame, span: Span) -> Alts:
        """A call of a tree's Ruby function that renders a template (ruby_functions.py)."""
        texts = [a[0].text for a in args if len(a) == 1 and isinstance(a[0], LText)]
        known = len(texts) == len(args) and not any(
            isinstance(a[0], LText) and a[0].dynamic for a in args
        )
        owner: Frame | None = frame
        while owner is not None and not owner.name:
            owner = owner.parent
        module = owner.name.split("::")[0] if owner is not None else ""
        ref = template_name(self.functions, name, texts, module) if known else None
        if ref is None or self.template is None:
            return [Unknown(span, f"{name}()")]
        return self.template("template", LText.plain(ref), FrameScope(self, frame), span)

    def _method(self, node: ast.MethodCall, frame: Frame, via: tuple[Span, ...]) -> Alts:
        """`$x.f(a) |p| { }` is `f($x, a) |p| { }` (Puppet's method-call form)."""
        unfolded = self._arguments((node.receiver, *node.args), frame, via, node.span)
        if unfolded is None or not unfolded:
            return [Unknown(node.span, f".{node.name}()")]
        receiver, args = unfolded[0], unfolded[1:]
        if node.lambda_ is not None and node.name in ITERATORS:
            return iteration.iterate_call(
                self, node.name, receiver, args, node.lambda_, frame, via, node.span
            )
        found = functions.call(node.name, [receiver, *args], node.span, self.limit)
        if found is not None:
            return found
        if node.lambda_ is not None:
            iteration.unknown_lambda(self, node.lambda_, frame, via)
        return [Unknown(node.span, f".{node.name}()")]

    def _run_matched(
        self,
        body: Sequence[ast.Node],
        frame: Frame,
        via: tuple[Span, ...],
        match: dict[str, Alts],
    ) -> Alts:
        """Run a body that sees regex match variables; they end with it."""
        if not match:
            return self.run(body, frame, via)
        return self._branches([body], frame, via, [match])

    def _if(self, node: ast.If, frame: Frame, via: tuple[Span, ...]) -> Alts:
        saved = matching.saved_matches(frame)
        try:
            return self._if_guarded(node, frame, via)
        finally:
            matching.restore_matches(frame, saved)

    def _if_guarded(self, node: ast.If, frame: Frame, via: tuple[Span, ...]) -> Alts:
        self.captured = None
        conditions = self.eval(node.condition, frame, via)
        match: dict[str, Alts] = (
            self.captured if self.captured is not None and not node.negate else {}
        )
        self.captured = None
        known = [truthy(c) for c in conditions if not isinstance(c, Unknown)]
        unknown = any(isinstance(c, Unknown) for c in conditions)
        if node.negate:
            known = [not k for k in known]
        take_then = any(known) or unknown
        take_else = (not all(known)) or unknown
        if take_then and take_else:
            # The value of an `if` is the value of the branch taken (undef for none).
            return self._branches([node.then, node.else_], frame, via, [match])
        if take_then:
            value = self._run_matched(node.then, frame, via, match)
        else:
            value = self.run(node.else_, frame, via)
        name = parameter_of(node.condition)
        if name is not None and self._defaulted(name, frame):
            # The condition holds on the other side iff it failed here (`unless` negates).
            holds = take_then == node.negate
            other = node.else_ if take_then else node.then
            self._explore(other, describe(node.condition, holds), frame, via, name)
        return value

    def _defaulted(self, name: str, frame: Frame) -> bool:
        """Did the parameter `name` seen from frame take its default?"""
        here: Frame | None = frame
        while here is not None and name not in here.vars:
            here = here.parent
        found = self.defaulted.get(id(here)) if here is not None else None
        return found is not None and found[0] is here and name in found[1]

    def _explore(
        self,
        body: Sequence[ast.Node],
        assumption: str,
        frame: Frame,
        via: tuple[Span, ...],
        name: str,
    ) -> None:
        """Run a side the defaults do not take; what it declares needs the assumption, and
        what it assigns is forgotten after. There the parameter is not its default: unknown
        (`if $nodes { ... "-c ${nodes}" }` must not read as `-c` with no value)."""
        if not body or assumption in self.assuming:
            return
        holder: Frame | None = frame
        while holder is not None and name not in holder.vars:
            holder = holder.parent
        saved = [(f, dict(f.vars)) for f in (frame, holder) if f is not None]
        outer = self.assuming
        self.assuming = (*outer, assumption)
        if holder is not None:
            holder.vars[name] = [Unknown(None, "$" + name)]
        try:
            self.run(body, frame, via)
        finally:
            for f, kept in saved:
                f.vars = kept
            self.assuming = outer

    def _binop(self, node: ast.BinOp, frame: Frame, via: tuple[Span, ...]) -> Alts:
        if node.op in ("=~", "!~"):
            return matching.match_op(self, node, frame, via)
        if node.op == "in" and isinstance(node.left, ast.Regex):
            return matching.regex_in(self, node, frame, via)
        regexes = (node.left, node.right)
        if node.op in ("==", "!=") and all(isinstance(r, ast.Regex) for r in regexes):
            # Two regexes are equal if their sources are.
            same = getattr(node.left, "pattern", None) == getattr(node.right, "pattern", None)
            return [same == (node.op == "==")]
        left = self.eval(node.left, frame, via)
        if node.op in ("and", "or") and all(known_truth(v) for v in left):
            # `a and b` runs b only if a is true, `a or b` only if a is false.
            truths = {truthy(v) for v in left}
            if truths == {node.op == "or"}:
                return [node.op == "or"]
            if len(truths) == 1:
                right = self.eval(node.right, frame, via)
                if all(known_truth(v) for v in right):
                    return self._dedupe([truthy(v) for v in right])
                return [Unknown(node.span, node.op)]
        right = self.eval(node.right, frame, via)
        out: Alts = []
        pairs = list(itertools.islice(itertools.product(left, right), self.limit + 1))
        if len(pairs) > self.limit:
            return [Unknown(node.span, node.op)]  # more alternatives than kept: none is dropped
        for a, b in pairs:
            out.append(self._apply(node.op, a, b, node.span))
        return self._dedupe(out)

    def _apply(self, op: str, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return Unknown(span, op)
        if op == "+" and isinstance(a, tuple):
            if isinstance(b, dict):  # a hash adds its `[key, value]` pairs
                return a + tuple((LText.plain(k), v) for k, v in b.items())
            return a + (b if isinstance(b, tuple) else (b,))
        if op in ("==", "!="):
            same = functions.equal(a, b)
            if same is None:
                return Unknown(span, op)
            return same if op == "==" else not same
        found = functions.operator(op, a, b)
        if found is not None:
            return found
        if op in ("and", "or") and known_truth(a) and known_truth(b):
            return (truthy(a) and truthy(b)) if op == "and" else (truthy(a) or truthy(b))
        return Unknown(span, op)

    def _access(self, node: ast.Access, frame: Frame, via: tuple[Span, ...]) -> Alts:
        if self.expand_facts:
            fact = fact_values.fact_of(node)
            if fact is not None and frame.get("facts") is None and "facts" not in self.top.vars:
                return self._fact(fact, [Unknown(node.span, "$facts")])
        targets = self.eval(node.target, frame, via)
        if not node.keys:
            return [Unknown(node.span, "[]")]
        keys = [self.eval(k, frame, via) for k in node.keys]
        out: Alts = []
        combos = list(itertools.islice(itertools.product(targets, *keys), self.limit + 1))
        if len(combos) > self.limit:
            return [Unknown(node.span, "[]")]  # more alternatives than kept: none is dropped
        for target, *key in combos:
            out.append(access.index(target, key, node.span))
        return self._dedupe(out) or [Unknown(node.span, "[]")]


def known_truth(value: Value) -> bool:
    """Is it known whether Puppet takes the value as true? A fully known string (or number),
    an array, a hash, a boolean and undef are; an unknown is not."""
    if isinstance(value, LText):
        return not value.dynamic
    return not isinstance(value, Unknown)


def _variables(target: ast.Node) -> list[str]:
    if isinstance(target, ast.Var):
        return [target.name]
    if isinstance(target, ast.Array):
        return [n for item in target.items for n in _variables(item)]
    return []


def truthy(value: Value) -> bool:
    # Puppet 4+: only undef and false are falsy; an empty string is true.
    return value is not None and value is not False
