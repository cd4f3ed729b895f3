"""EPP templates rendered for one call: the Puppet code in the tags runs on the role's evaluator.

The template works like a defined type (Puppet's "Accessing EPP variables"): its own local scope
whose parent is node or top scope, with the declared parameters bound from the hash the call
passes, else their defaults. `inline_epp` with no parameters, declared or passed, sees the
calling class's variables instead. Text runs print as written; `<%= %>` prints its value with
the location of where the value was written (a role's hash literal, Hiera, the template).
Conditions that cannot be told fork the rendering, each side recording what it assumed, as ERB
rendering does; the number of renderings is bounded by `limit`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.epp import EppOutput, EppTemplate, EppText
from driftlint.parse.erb import Printed, Rendering
from driftlint.parse.puppet import ast
from driftlint.parse.ruby_eval import recall
from driftlint.resolve import matching
from driftlint.resolve.evaluate import Evaluator, Frame, FrameScope, truthy
from driftlint.values import Unknown, Value

EXPANSION_BOUND = 4096  # loop passes over all worlds of one rendering
_LOOPS = ("each", "map", "reverse_each")


@dataclass(frozen=True, slots=True)
class _World:
    out: Printed
    assumptions: tuple[str, ...]
    frame: Frame

    def emit(self, piece: LText) -> _World:
        return _World(self.out + piece, self.assumptions, self.frame)

    def assume(self, text: str) -> _World:
        return _World(self.out, (*self.assumptions, text), self.frame)

    def fork(self) -> _World:
        """The same world with variables of its own, so assignments stay on one side."""
        frame = Frame(dict(self.frame.vars), self.frame.parent, self.frame.name)
        return _World(self.out, self.assumptions, frame)


_Worlds = list[_World]


def template_frame(template: EppTemplate, scope: FrameScope, inline: bool) -> Frame:
    """The template's scope: parameters bound from the call's hash, else their defaults."""
    evaluator, given = scope.evaluator, scope.params
    sees_caller = inline and not template.params and given is None
    frame = Frame({}, scope.frame if sees_caller else evaluator.top, "epp")
    if not template.params:
        if isinstance(given, dict):
            frame.vars.update({name: [value] for name, value in given.items()})
        return frame
    for param in template.params:
        if isinstance(given, dict) and param.name in given:
            frame.vars[param.name] = [given[param.name]]
        elif given is not None and not isinstance(given, dict):
            # A hash that cannot be known may hold any parameter.
            frame.vars[param.name] = [Unknown(param.span, "$" + param.name)]
        elif param.default is not None:
            frame.vars[param.name] = evaluator.eval(param.default, frame, ())
        else:
            frame.vars[param.name] = [Unknown(param.span, "$" + param.name)]
    return frame


def render_epp(
    template: EppTemplate, source: str, scope: FrameScope, *, inline: bool = False, limit: int = 16
) -> tuple[Rendering, ...]:
    """Every rendering of a parsed EPP template for this call; `source` is its text."""
    frame = template_frame(template, scope, inline)
    renderer = _Renderer(scope.evaluator, source, max(1, limit))
    start = _World(Printed(LText.plain("")), (), frame)
    try:
        worlds = renderer.body(template.body, [start])
    except RecursionError:
        return (Rendering(LText.symbol(Span(template.path, 1, 1, 1, 1), "epp()")),)
    seen: set[tuple[str, tuple[object, ...]]] = set()
    out: list[Rendering] = []
    for world in worlds:
        text = world.out.joined()
        if (text.text, text.runs) not in seen:  # two forks that print the same are one
            seen.add((text.text, text.runs))
            out.append(Rendering(text, world.assumptions))
    return tuple(out)


class _Renderer:
    def __init__(self, evaluator: Evaluator, source: str, limit: int) -> None:
        self.ev, self.source, self.limit = evaluator, source, limit
        self.starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
        self.live = 1  # renderings alive now; each fork adds one
        self.expanded = 0
        self._prints: dict[int, bool] = {}

    # statements -------------------------------------------------------------------------
    def body(self, nodes: Sequence[ast.Node], worlds: _Worlds) -> _Worlds:
        for node in nodes:
            if not worlds:
                break
            worlds = self.stmt(node, worlds)
        return worlds

    def stmt(self, node: ast.Node, worlds: _Worlds) -> _Worlds:
        if isinstance(node, EppText):
            return [w.emit(node.value) for w in worlds]
        if isinstance(node, EppOutput):
            return self.output(node, worlds)
        if not self.prints(node):
            for world in worlds:  # assignments and calls: their effect on variables
                self.ev.eval(node, world.frame, ())
            return worlds
        if isinstance(node, ast.If):
            return self.branch(node, worlds)
        if isinstance(node, ast.Case):
            return self.case(node, worlds)
        if isinstance(node, ast.MethodCall | ast.Call) and self.loops(node):
            return self.loop(node, worlds)
        if isinstance(node, ast.Block):
            return self.body(node.body, worlds)
        # A construct outside the subset that prints: its output is one unknown.
        piece = LText.symbol(node.span, type(node).__name__)
        return [w.emit(piece) for w in worlds]

    def output(self, node: EppOutput, worlds: _Worlds) -> _Worlds:
        out: _Worlds = []
        for world in worlds:
            values = self.ev.eval(node.expr, world.frame, ())
            if len(values) > 1 and self.live + len(values) - 1 > self.limit:
                values = [Unknown(node.span, self.shown(node.expr))]
            self.live += len(values) - 1
            for i, value in enumerate(values):
                printed = world.emit(self.text(value, node))
                out.append(printed.fork() if i else printed)
        return out

    def text(self, value: Value, node: EppOutput) -> LText:
        """How `<%= %>` prints a value; lists, hashes and unknowns are one unknown."""
        if isinstance(value, LText):
            return value
        if value is True or value is False:
            return LText.plain("true" if value else "false")
        if value is None:
            return LText.plain("")
        return LText.symbol(node.span, self.shown(node.expr))

    def branch(self, node: ast.If, worlds: _Worlds) -> _Worlds:
        shown = self.shown(node.condition)
        simple = isinstance(node.condition, ast.Var)
        held, failed = ("is set", "is not set") if simple else ("is true", "is false")
        yes: _Worlds = []
        no: _Worlds = []
        for world in worlds:
            flags = {_truth(v) for v in self.ev.eval(node.condition, world.frame, ())}
            if None in flags:
                said = recall(world.assumptions, shown, held, failed)
                flags = flags if said is None else {said}
            if flags == {True}:
                yes.append(world)
            elif flags == {False}:
                no.append(world)
            elif None not in flags:  # known values, some true and some false
                self.live += 1
                yes.append(world)
                no.append(world.fork())
            elif self.live >= self.limit:
                no.append(world.assume(f"`{shown}` {failed} (not forked: limit reached)"))
            else:
                self.live += 1
                yes.append(world.assume(f"`{shown}` {held}"))
                no.append(world.assume(f"`{shown}` {failed}").fork())
        if node.negate:
            yes, no = no, yes
        return self.body(node.then, yes) + self.body(node.else_, no)

    def case(self, node: ast.Case, worlds: _Worlds) -> _Worlds:
        shown = self.shown(node.subject)
        # `default` matches only when no other branch does, wherever it is written.
        branches = sorted(
            node.branches, key=lambda b: any(isinstance(m, ast.Default) for m in b.matches)
        )
        out: _Worlds = []
        for world in worlds:
            subjects = self.ev.eval(node.subject, world.frame, ())
            pending = [world]
            for branch in branches:
                if not pending:
                    break
                label = " or ".join(self.shown(m) for m in branch.matches)[:80]
                verdicts = {
                    matching.match_subject(self.ev, s, branch.matches, world.frame, ())
                    for s in subjects
                }
                if verdicts == {False}:
                    continue
                if verdicts == {True}:
                    out.extend(self.body(branch.body, pending))
                    pending = []
                elif None not in verdicts:
                    self.live += len(pending)
                    out.extend(self.body(branch.body, [p.fork() for p in pending]))
                elif self.live >= self.limit:
                    note = f"`{shown}` is not {label} (not forked: limit reached)"
                    pending = [p.assume(note) for p in pending]
                else:
                    self.live += len(pending)
                    taken = [p.assume(f"`{shown}` is {label}").fork() for p in pending]
                    out.extend(self.body(branch.body, taken))
                    pending = [p.assume(f"`{shown}` is not {label}") for p in pending]
            out.extend(pending)  # no branch matched: the case prints nothing
        return out

    def loops(self, node: ast.MethodCall | ast.Call) -> bool:
        if node.lambda_ is None or node.name not in _LOOPS:
            return False
        return isinstance(node, ast.MethodCall) or bool(node.args)

    def loop(self, node: ast.MethodCall | ast.Call, worlds: _Worlds) -> _Worlds:
        assert node.lambda_ is not None
        params = node.lambda_.params
        receiver = node.receiver if isinstance(node, ast.MethodCall) else node.args[0]
        out: _Worlds = []
        for world in worlds:
            values = self.ev.eval(receiver, world.frame, ())
            rows = _rows(values[0], len(params)) if len(values) == 1 else None
            if rows is None:  # unknown collection: one pass with unknown items
                rows = [tuple(Unknown(p.span, "$" + p.name) for p in params)]
                note = f"`{self.shown(receiver)}` has one element of unknown value"
                world = world.assume(note)
            if node.name == "reverse_each":
                rows.reverse()
            current = [world]
            for row in rows:
                if self.expanded >= EXPANSION_BOUND:
                    note = f"`{self.shown(receiver)}` cut short: expansion bound"
                    current = [w.assume(note) for w in current]
                    break
                self.expanded += len(current)
                bound = [
                    _World(w.out, w.assumptions, _lambda_frame(params, row, w)) for w in current
                ]
                current = [
                    _World(w.out, w.assumptions, world.frame)
                    for w in self.body(node.lambda_.body, bound)
                ]
            out.extend(current)
        return out

    # helpers ----------------------------------------------------------------------------
    def prints(self, node: object) -> bool:
        """Does the node hold template text or an output tag?"""
        key = id(node)
        if key not in self._prints:
            self._prints[key] = _holds_output(node)
        return self._prints[key]

    def shown(self, node: ast.Node) -> str:
        """The node's source text on one line, for messages."""
        span = node.span
        if span.line > len(self.starts) or span.end_line > len(self.starts):
            return type(node).__name__
        start = self.starts[span.line - 1] + span.column - 1
        end = self.starts[span.end_line - 1] + span.end_column - 1
        return " ".join(self.source[start:end].split())[:80]


def _holds_output(node: object) -> bool:
    if isinstance(node, EppText | EppOutput):
        return True
    if isinstance(node, tuple):
        return any(_holds_output(item) for item in node)
    if isinstance(node, ast.Node):
        return any(
            _holds_output(getattr(node, f.name))
            for f in dataclasses.fields(node)
            if f.name != "span"
        )
    return False


def _truth(value: Value) -> bool | None:
    """Puppet's truth of a value; None when it cannot be known."""
    return None if isinstance(value, Unknown) else truthy(value)


def _rows(value: Value, arity: int) -> list[tuple[Value, ...]] | None:
    """The lambda arguments of each pass of `each`; None when the collection is unknown."""
    if isinstance(value, tuple):
        if arity >= 2:
            return [(LText.plain(str(i)), item) for i, item in enumerate(value)]
        return [(item,) for item in value]
    if isinstance(value, dict):
        if arity >= 2:
            return [(LText.plain(k), v) for k, v in value.items()]
        return [((LText.plain(k), v),) for k, v in value.items()]
    return None


def _lambda_frame(params: Sequence[ast.Param], row: tuple[Value, ...], world: _World) -> Frame:
    frame = Frame({}, world.frame, world.frame.name)
    for param, value in zip(params, row, strict=False):
        frame.vars[param.name] = [value]
    return frame
