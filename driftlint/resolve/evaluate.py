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

from driftlint import reads, safe_re
from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.parse.puppet import ast
from driftlint.resolve.ruby_functions import TemplateFunction, template_name
from driftlint.resolve.scope import Index, class_name, string_literal
from driftlint.resolve.shellquote import shellquote
from driftlint.resolve.undecided import case_label, describe, mark, parameter_of
from driftlint.values import Unknown, Value, to_text

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


@dataclass(slots=True)
class Frame:
    vars: dict[str, Alts]
    parent: Frame | None = None
    name: str = ""  # the class or define this frame belongs to

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


@dataclass(slots=True)
class Evaluator:
    index: Index
    facts: dict[str, str] = field(default_factory=dict)
    template: TemplateHook | None = None
    hiera: HieraHook | None = None
    limit: int = 16
    max_depth: int = 60
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
    problems: list[Finding] = field(default_factory=list)  # bodies cut short, once each
    # Parameters that took their default, per frame (kept with the frame: ids are reused).
    defaulted: dict[int, tuple[Frame, set[str]]] = field(default_factory=dict)
    assuming: tuple[str, ...] = ()  # while exploring a side the defaults do not take

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
        if name in self.classes or self.depth > self.max_depth or self.assuming:
            # A class is declared once per root: not under an assumption its other
            # declarations would then inherit.
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
        self._bind_params(definition.params, given or {}, frame, name, via, open_undef)
        self._run_body(definition, frame, via)

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
    ) -> None:
        """`open_undef`: as for `declare_class`, a define checked on its own."""
        reads.note_name(name)
        definition = self.index.defines.get(name)
        if definition is None or self.depth > self.max_depth:
            return
        self.defines_seen.add(name)
        if self.prune is not None and not self.prune(name):
            return
        frame = Frame({"title": [title], "name": given.pop("name", [title])}, self.top, name)
        # The module whose code declared it (Puppet's $caller_module_name).
        frame.vars["caller_module_name"] = [LText.plain(caller)]
        self._bind_params(definition.params, given, frame, name, via, open_undef)
        self._run_body(definition, frame, (*via, span))

    def _run_body(
        self, definition: ast.ClassDef | ast.DefineDef, frame: Frame, via: tuple[Span, ...]
    ) -> None:
        """Run a class or define body; past the bounds, skip or cut it and say so once."""
        self.bodies += 1
        if self.bodies > self.max_bodies:
            self._cut(definition, f"more than {self.max_bodies} class and define bodies")
            return
        self.depth += 1
        try:
            self.run(definition.body, frame, via)
        except RecursionError:  # nested deeper than Python's stack: cut here, as at max_depth
            self._cut(definition, "declarations nested too deeply")
        finally:
            self.depth -= 1

    def _cut(self, definition: ast.ClassDef | ast.DefineDef, why: str) -> None:
        if not self.problems:
            message = f"`{definition.name}` is not fully evaluated: {why}; its calls may be missed"
            self.problems.append(
                Finding(definition.span, "parse-error", message, severity="warning")
            )

    # --- statements ----------------------------------------------------------------------
    def run(self, body: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...]) -> None:
        for node in body:
            self.eval(node, frame, via)

    def _branches(
        self, branches: Sequence[Sequence[ast.Node]], frame: Frame, via: tuple[Span, ...]
    ) -> None:
        """Run each branch from the same state; variables then hold every branch's values."""
        before = dict(frame.vars)
        merged: dict[str, Alts] = {}
        for body in branches:
            frame.vars = dict(before)
            self.run(body, frame, via)
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
        if isinstance(node, ast.Num | ast.Name):
            return [LText.literal(node.text, node.span.path, node.span.line, node.span.column)]
        if isinstance(node, ast.Bool):
            return [node.value]
        if isinstance(node, ast.Undef):
            return [None]
        if isinstance(node, ast.Var):
            return self.lookup_var(node.name, frame, node.span, top=node.top)
        if isinstance(node, ast.Array):
            return self._product([self.eval(i, frame, via) for i in node.items], node.span)
        if isinstance(node, ast.Hash):
            return [self._hash(node, frame, via)]
        if isinstance(node, ast.Assign):
            value = self.eval(node.value, frame, via)
            if isinstance(node.target, ast.Var):
                frame.vars[node.target.name] = value
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
            return self._case(node, frame, via)
        if isinstance(node, ast.Selector):
            return self._selector(node, frame, via)
        if isinstance(node, ast.BinOp):
            return self._binop(node, frame, via)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, frame, via)
            if node.op == "!" and all(isinstance(v, bool) or v is None for v in operand):
                return self._dedupe([not truthy(v) for v in operand])
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
        if isinstance(node, ast.ResourceDefaults | ast.ResourceOverride | ast.Collector):
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
            return self.top.vars.get(name) or unknown
        found = frame.get(name)
        if found is None and name == "module_name":
            # The module of the class or define whose code runs ("" at top scope).
            return [LText.plain(frame.name.partition("::")[0])]
        return found if found is not None else unknown

    def _string(self, node: ast.Str, frame: Frame, via: tuple[Span, ...]) -> Alts:
        pieces: list[Alts] = []
        for part in node.parts:
            if isinstance(part, ast.Lit):
                pieces.append([part.value])
            else:
                pieces.append([to_text(v, part.span) for v in self.eval(part.expr, frame, via)])
        out: Alts = []
        for combo in itertools.islice(itertools.product(*pieces), self.limit + 1):
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
        for key_node, value_node in node.pairs:
            keys = self.eval(key_node, frame, via)
            values = self.eval(value_node, frame, via)
            if len(keys) == 1 and isinstance(keys[0], LText) and not keys[0].dynamic:
                out[keys[0].text] = values[0] if len(values) == 1 else Unknown(value_node.span)
        return out

    def _dedupe(self, values: Alts) -> Alts:
        out: Alts = []
        for v in values:
            if not any(v is o or v == o for o in out):
                out.append(v)
        return out

    def _resource(self, node: ast.Resource, frame: Frame, via: tuple[Span, ...]) -> None:
        kind = node.type.lower().lstrip(":")
        for body in node.bodies:
            attrs = {a.name: self._attr(kind, a, frame, via) for a in body.attrs if a.name != "*"}
            attr_nodes = {a.name: a for a in body.attrs}
            titles = self.eval(body.title, frame, via)
            flat: list[Value] = []
            for t in titles:
                flat.extend(t if isinstance(t, tuple) else (t,))
            if kind == "class":
                for title in flat:
                    if isinstance(title, LText) and not title.dynamic:
                        self.declare_class(title.text, attrs, (*via, body.span))
                continue
            reads.note_name(kind)
            if kind in self.index.defines:
                for title in flat:
                    caller = frame.name.partition("::")[0]
                    self.declare_define(kind, title, dict(attrs), body.span, via, caller)
                continue
            for title in flat:
                self.resources.append(
                    Resource(kind, title, attrs, attr_nodes, body.span, via, frame, self.assuming)
                )

    def _attr(self, kind: str, attr: ast.Attr, frame: Frame, via: tuple[Span, ...]) -> Alts:
        value = attr.value
        if (
            kind == "file"
            and attr.name == "content"
            and isinstance(value, ast.Call)
            and value.name.lstrip(":") in DEFERRED_CALLS
        ):
            seen = Frame(dict(frame.vars), frame.parent, frame.name)  # as of this point
            # Extraction renders it on first read (driftlint.extract.Installed.contents).
            return [Deferred(value, self, seen, via)]  # type: ignore[list-item]
        return self.eval(value, frame, via)

    def _call(self, node: ast.Call, frame: Frame, via: tuple[Span, ...]) -> Alts:
        name = node.name.lstrip(":")
        args = [self.eval(a, frame, via) for a in node.args]
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
        if name in ("lookup", "hiera") and self.hiera is not None and args:
            if len(args[0]) == 1 and isinstance(args[0][0], LText) and not args[0][0].dynamic:
                found = self.hiera(args[0][0].text, self.facts)
                if found:
                    return found
                if len(args) >= 3 and name == "lookup":
                    return args[2]
                if len(args) >= 2 and name == "hiera":
                    return args[1]
            return [Unknown(node.span, f"{name}()")]
        if name in self.functions and self.template is not None:
            return self._function_template(name, args, frame, node.span)
        if name == "shellquote":  # one alternative per choice of each argument
            choices = itertools.islice(itertools.product(*args), self.limit)
            return [shellquote(list(c), node.span) for c in choices]
        if name == "join" and args:
            sep = args[1] if len(args) > 1 else [LText.plain("")]
            return [self._join(a, s, node.span) for a in args[0] for s in sep][: self.limit]
        return [Unknown(node.span, f"{name}()")]

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

    def _join(self, value: Value, sep: Value, span: Span) -> Value:
        if not isinstance(value, tuple) or not isinstance(sep, LText):
            return Unknown(span, "join()")
        return LText.join([to_text(v, span) for v in _flatten(value)], sep)

    def _method(self, node: ast.MethodCall, frame: Frame, via: tuple[Span, ...]) -> Alts:
        receiver = self.eval(node.receiver, frame, via)
        if node.name == "join":
            sep = self.eval(node.args[0], frame, via) if node.args else [LText.plain("")]
            return [self._join(r, s, node.span) for r in receiver for s in sep][: self.limit]
        if node.name in ("each", "map") and node.lambda_ is not None:
            mapped: Alts = []  # one result per alternative of the receiver
            for value in receiver:
                items: Sequence[Value]
                if isinstance(value, tuple):
                    items = value
                elif isinstance(value, dict):
                    items = [(LText.plain(k), v) for k, v in value.items()]
                else:
                    # Not a collection we know: mapping it gives nothing we know either (not
                    # an empty array, which would print as nothing at all).
                    mapped.append(Unknown(node.span, f".{node.name}()"))
                    continue
                results: Alts = []
                for item in list(items)[: self.limit]:
                    inner = Frame({}, frame, frame.name)
                    params = node.lambda_.params
                    if len(params) == 2 and isinstance(item, tuple) and len(item) == 2:
                        inner.vars[params[0].name] = [item[0]]
                        inner.vars[params[1].name] = [item[1]]
                    elif params:
                        inner.vars[params[0].name] = [item]
                    last: Alts = [None]
                    for stmt in node.lambda_.body:
                        last = self.eval(stmt, inner, via)
                    results.append(last[0] if len(last) == 1 else Unknown(node.span))
                if len(items) > self.limit:
                    results.append(Unknown(node.span, f".{node.name}()"))
                mapped.append(tuple(results))
            if node.name == "map":
                return mapped or [Unknown(node.span, ".map()")]
            return receiver
        if node.lambda_ is not None:
            # Run the body once with unknown parameters so resources inside are seen.
            inner = Frame(
                {p.name: [Unknown(p.span, "$" + p.name)] for p in node.lambda_.params},
                frame,
                frame.name,
            )
            self.run(node.lambda_.body, inner, via)
        return [Unknown(node.span, f".{node.name}()")]

    def _if(self, node: ast.If, frame: Frame, via: tuple[Span, ...]) -> Alts:
        conditions = self.eval(node.condition, frame, via)
        known = [truthy(c) for c in conditions if not isinstance(c, Unknown)]
        unknown = any(isinstance(c, Unknown) for c in conditions)
        if node.negate:
            known = [not k for k in known]
        take_then = any(known) or unknown
        take_else = (not all(known)) or unknown
        if take_then and take_else:
            self._branches([node.then, node.else_], frame, via)
            return [None]
        self.run(node.then if take_then else node.else_, frame, via)
        name = parameter_of(node.condition)
        if name is not None and self._defaulted(name, frame):
            # The condition holds on the other side iff it failed here (`unless` negates).
            holds = take_then == node.negate
            other = node.else_ if take_then else node.then
            self._explore(other, describe(node.condition, holds), frame, via, name)
        return [None]

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

    def _case(self, node: ast.Case, frame: Frame, via: tuple[Span, ...]) -> Alts:
        subjects = self.eval(node.subject, frame, via)
        chosen: list[tuple[ast.Node, ...]] = []
        for subject in subjects:
            for branch in node.branches:
                verdict = self._matches(subject, branch.matches, frame, via)
                if verdict is None:  # cannot tell: this branch may run, keep looking
                    if branch.body not in chosen:
                        chosen.append(branch.body)
                    continue
                if verdict:
                    if branch.body not in chosen:
                        chosen.append(branch.body)
                    break
        if len(chosen) == 1:
            self.run(chosen[0], frame, via)
            name = node.subject.name if isinstance(node.subject, ast.Var) else None
            if name is not None and self._defaulted(name, frame):
                for branch in node.branches:
                    if branch.body is not chosen[0]:
                        label = case_label(name, branch)
                        self._explore(branch.body, label, frame, via, name)
        elif chosen:
            self._branches(chosen, frame, via)
        return [None]

    def _matches(
        self, subject: Value, matches: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...]
    ) -> bool | None:
        """True if a match fits the subject, False if none can, None if it cannot be told."""
        unsure = False
        for match in matches:
            if isinstance(match, ast.Default):
                return True
            if isinstance(subject, Unknown) or (isinstance(subject, LText) and subject.dynamic):
                unsure = True
                continue
            if isinstance(match, ast.Regex):
                if isinstance(subject, LText):
                    found = safe_re.search(match.pattern, subject.text)  # bounded: issue 30
                    if found:
                        return True
                    unsure = unsure or found is None
                    continue
                unsure = True
                continue
            for value in self.eval(match, frame, via):
                if isinstance(value, Unknown) or (isinstance(value, LText) and value.dynamic):
                    unsure = True
                elif isinstance(value, LText) and isinstance(subject, LText):
                    # Puppet's case and selector compare strings case-insensitively.
                    if value.text.lower() == subject.text.lower():
                        return True
                elif value == subject:
                    return True
        return None if unsure else False

    def _selector(self, node: ast.Selector, frame: Frame, via: tuple[Span, ...]) -> Alts:
        out: Alts = []
        taken: set[int] = set()
        for subject in self.eval(node.subject, frame, via):
            for i, (match, result) in enumerate(node.cases):
                verdict = self._matches(subject, (match,), frame, via)
                if verdict is False:
                    continue
                out = self._union(out, self.eval(result, frame, via))
                taken.add(i)
                if verdict:
                    break
        name = parameter_of(node.subject)
        if out and isinstance(node.subject, ast.Var) and name and self._defaulted(name, frame):
            for i, (match, result) in enumerate(node.cases):
                if i not in taken:
                    label = case_label(name, ast.CaseBranch(match.span, (match,), ()))
                    marked = [mark(v, label) for v in self.eval(result, frame, via)]
                    out = self._union(out, [v for v in marked if isinstance(v, LText)])
        return out or [Unknown(node.span, "selector")]

    def _binop(self, node: ast.BinOp, frame: Frame, via: tuple[Span, ...]) -> Alts:
        left = self.eval(node.left, frame, via)
        right = self.eval(node.right, frame, via)
        out: Alts = []
        for a, b in itertools.islice(itertools.product(left, right), self.limit):
            out.append(self._apply(node.op, a, b, node.span))
        return self._dedupe(out)

    def _apply(self, op: str, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return Unknown(span, op)
        if op == "+" and isinstance(a, tuple):
            return a + (b if isinstance(b, tuple) else (b,))
        if op in ("==", "!="):
            if isinstance(a, LText) and isinstance(b, LText):
                if a.dynamic or b.dynamic:
                    return Unknown(span, op)
                same = a.text.lower() == b.text.lower()
            elif isinstance(a, LText) or isinstance(b, LText):
                return Unknown(span, op)
            else:
                same = a == b
            return same if op == "==" else not same
        if op in ("and", "or") and not isinstance(a, LText) and not isinstance(b, LText):
            return (truthy(a) and truthy(b)) if op == "and" else (truthy(a) or truthy(b))
        return Unknown(span, op)

    def _access(self, node: ast.Access, frame: Frame, via: tuple[Span, ...]) -> Alts:
        targets = self.eval(node.target, frame, via)
        if len(node.keys) != 1 or len(targets) != 1:
            return [Unknown(node.span, "[]")]
        target = targets[0]
        keys = self.eval(node.keys[0], frame, via)
        if len(keys) != 1 or not isinstance(keys[0], LText) or keys[0].dynamic:
            return [Unknown(node.span, "[]")]
        key = keys[0].text
        if isinstance(target, dict) and key in target:
            return [target[key]]
        if isinstance(target, tuple) and key.lstrip("-").isdigit():
            i = int(key)
            if -len(target) <= i < len(target):
                return [target[i]]
        return [Unknown(node.span, "[]")]


def truthy(value: Value) -> bool:
    # Puppet 4+: only undef and false are falsy; an empty string is true.
    return value is not None and value is not False


def _flatten(value: tuple[Value, ...]) -> list[Value]:
    out: list[Value] = []
    for item in value:
        if isinstance(item, tuple):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out
