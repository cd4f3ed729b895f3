"""Jinja2 templates rendered for one role's values by walking the parsed tree, never rendering."""

# Jinja2 parses (`Environment().parse`); driftlint walks the nodes over its own values. Nodes
# carry line numbers only, so columns come from the token stream (`Environment().lex`): the n-th
# text token is the n-th `TemplateData`, the n-th `{{ }}` the n-th output expression, the n-th
# `{% if/elif %}` the n-th `If` node, all in document order.

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

import jinja2
from jinja2 import nodes

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Finding, Span
from driftlint.parse.erb import Printed, Rendering
from driftlint.parse.jinja_values import apply_filter, equal, jinja_text, test, truthy
from driftlint.parse.ruby_eval import both, recall
from driftlint.values import Scope, Unknown, Value

_ENV = jinja2.Environment()
_NEWLINE = re.compile(r"\r\n?")
_NEWLINE_OR_CHAR = re.compile(r"\r\n|.", re.DOTALL)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
EXPANSION_BOUND = 4096


@dataclass(frozen=True, slots=True)
class _World:
    out: Printed
    assumptions: tuple[str, ...]
    local: dict[str, Value]


_Worlds = list[_World]


class _Source:
    """Where each token of the template is, in characters."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.data: list[LText] = []
        self.outputs: list[Span] = []  # one per `{{ }}`
        self.conditions: list[str] = []  # source of each `{% if %}`/`{% elif %}` test
        self.blocks: list[Span] = []  # every `{% %}` tag
        # Jinja2 lexes with every "\r\n" and "\r" made "\n"; `orig` maps back its offsets.
        norm, self.orig = text, list(range(len(text) + 1))
        if "\r" in text:
            norm = _NEWLINE.sub("\n", text)
            self.orig = [m.start() for m in _NEWLINE_OR_CHAR.finditer(text)] + [len(text)]
        pos, opened = 0, 0
        words: list[tuple[int, str]] = []
        for _, kind, value in _ENV.lex(norm):
            found = norm.find(value, pos)
            start = found if found >= 0 else pos
            pos = start + len(value)
            if kind == "data":
                pieces, at = [], start
                for line in value.split("\n"):
                    pieces.append(LText.literal(line, path, *self.pos(at)))
                    at += len(line) + 1
                self.data.append(LText.join(pieces, "\n"))
            elif kind in ("variable_begin", "block_begin"):
                opened, words = start, []
            elif kind == "variable_end":
                self.outputs.append(self.span(opened, pos))
            elif kind == "block_end":
                self.blocks.append(self.span(opened, pos))
                if words and words[0][1] in ("if", "elif"):
                    self.conditions.append(norm[words[0][0] : start].strip().rstrip("-").strip())
            elif kind not in ("whitespace",) and not words:
                words.append((pos, value))

    def pos(self, offset: int) -> tuple[int, int]:
        """Line and column in the template of offset `offset` of the lexed text."""
        return self.place(self.orig[min(offset, len(self.orig) - 1)])

    def place(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, *self.pos(start), *self.pos(end))

    def block_at(self, line: int) -> Span:
        for span in self.blocks:
            if span.line >= line:
                return span
        return Span(self.path, line, 1, line, 1)


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    """Nodes in document order (a node before its children)."""
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


class _Renderer:
    def __init__(self, source: _Source, body: nodes.Template, scope: Scope, limit: int) -> None:
        self.source, self.scope, self.limit = source, scope, limit
        self.live, self.expanded = 1, 0
        self.data: dict[int, LText] = {}
        self.tags: dict[int, Span] = {}
        self.conds: dict[int, str] = {}
        datas: list[nodes.Node] = []
        exprs: list[nodes.Node] = []
        ifs: list[nodes.Node] = []
        for node in _walk(body):
            if isinstance(node, nodes.TemplateData):
                datas.append(node)
            elif isinstance(node, nodes.Output):
                exprs.extend(n for n in node.nodes if not isinstance(n, nodes.TemplateData))
            elif isinstance(node, nodes.If):
                ifs.append(node)
        if (len(datas), len(exprs)) != (len(source.data), len(source.outputs)):
            raise ValueError("template tokens and nodes do not line up")
        self.data = {id(n): t for n, t in zip(datas, source.data, strict=True)}
        self.tags = {id(n): s for n, s in zip(exprs, source.outputs, strict=True)}
        self.conds = {id(n): c for n, c in zip(ifs, source.conditions, strict=False)}

    def where(self, node: nodes.Node) -> Span:
        return self.tags.get(id(node)) or self.source.block_at(node.lineno)

    def unknown(self, node: nodes.Node, name: str = "") -> Unknown:
        return Unknown(self.where(node), name or type(node).__name__)

    # statements -------------------------------------------------------------------------
    def body(self, items: list[nodes.Node], worlds: _Worlds) -> _Worlds:
        for item in items:
            if worlds:
                worlds = self.stmt(item, worlds)
        return worlds

    def stmt(self, node: nodes.Node, worlds: _Worlds) -> _Worlds:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                worlds = [
                    _World(w.out + self.piece(child, w), w.assumptions, w.local) for w in worlds
                ]
            return worlds
        if isinstance(node, nodes.If):
            return self.branch(node, worlds)
        if isinstance(node, nodes.For):
            return [out for w in worlds for out in self.loop(node, w)]
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            name = node.target.name
            return [
                _World(w.out, w.assumptions, {**w.local, name: self.expr(node.node, w)})
                for w in worlds
            ]
        if isinstance(node, nodes.Block | nodes.Scope):
            return self.body(node.body, worlds)
        if isinstance(node, nodes.Macro | nodes.Import | nodes.FromImport | nodes.Assign):
            return worlds
        if any(isinstance(n, nodes.Output) for n in _walk(node)) or isinstance(
            node, nodes.Include | nodes.Extends
        ):
            piece = LText.symbol(self.source.block_at(node.lineno), type(node).__name__)
            return [_World(w.out + piece, w.assumptions, w.local) for w in worlds]
        return worlds

    def piece(self, node: nodes.Node, world: _World) -> LText:
        if isinstance(node, nodes.TemplateData):
            return self.data[id(node)]
        value = self.expr(node, world)
        text = None if isinstance(value, Unknown) else jinja_text(value)
        if text is None:
            tag = self.where(node)
            raw = self.source.text
            return LText.symbol(tag, " ".join(_slice(raw, self.source, tag).split())[:80])
        return text

    def branch(self, node: nodes.If, worlds: _Worlds) -> _Worlds:
        shown = self.conds.get(id(node), "condition")
        simple = isinstance(node.test, nodes.Name | nodes.Getattr)
        held, failed = ("is set", "is not set") if simple else ("is true", "is false")
        yes: _Worlds = []
        no: _Worlds = []
        names = {n.name for n in node.test.find_all(nodes.Name)}
        for w in worlds:
            flag = None if names & w.local.keys() else recall(w.assumptions, shown, held, failed)
            if flag is None:
                flag = self.truth(node.test, w)
            if flag is None:
                if self.live >= self.limit:
                    no.append(
                        _World(
                            w.out,
                            (*w.assumptions, f"`{shown}` {failed} (not forked: limit reached)"),
                            w.local,
                        )
                    )
                    continue
                self.live += 1
                yes.append(_World(w.out, (*w.assumptions, f"`{shown}` {held}"), w.local))
                no.append(_World(w.out, (*w.assumptions, f"`{shown}` {failed}"), w.local))
            else:
                (yes if flag else no).append(w)
        out = self.body(node.body, yes) if yes else []
        if no and node.elif_:
            rest = node.elif_[0]
            chained = nodes.If(rest.test, rest.body, node.elif_[1:], node.else_, lineno=rest.lineno)
            self.conds[id(chained)] = self.conds.get(id(rest), "condition")
            return out + self.branch(chained, no)
        return out + (self.body(node.else_, no) if no else [])

    def truth(self, node: nodes.Node, w: _World) -> bool | None:
        """Truthiness of a test, using what this world already assumed of its names."""
        if isinstance(node, nodes.Not):
            flag = self.truth(node.node, w)
            return None if flag is None else not flag
        if isinstance(node, nodes.And | nodes.Or):
            left, right = self.truth(node.left, w), self.truth(node.right, w)
            return both(left, right, isinstance(node, nodes.And))
        if isinstance(node, nodes.Name) and node.name not in w.local:
            said = recall(w.assumptions, node.name, "is set", "is not set")
            if said is not None:
                return said
        return truthy(self.expr(node, w))

    def loop(self, node: nodes.For, world: _World) -> _Worlds:
        names = _targets(node.target)
        value = self.expr(node.iter, world)
        rows: list[tuple[Value, ...]] | None = None
        if isinstance(value, tuple):
            rows = [v if len(names) > 1 and isinstance(v, tuple) else (v,) for v in value]
        elif isinstance(value, dict):
            rows = [(LText.plain(k),) for k in value]
        shown = "loop"
        if rows is None:
            where = self.source.block_at(node.lineno)
            rows = [tuple(Unknown(where, n) for n in names)]
            shown = f"`{' '.join(_slice(self.source.text, self.source, where).split())}`"
            world = _World(world.out, (*world.assumptions, f"{shown} runs once"), world.local)
        if not rows:
            return self.body(node.else_, [world])
        worlds = [world]
        for row in rows:
            if self.expanded >= EXPANSION_BOUND:
                break
            self.expanded += len(worlds)
            loop_var: dict[str, Value] = {"loop": self.unknown(node, "loop")}
            bound = dict(zip(names, row, strict=False))
            worlds = self.body(
                node.body,
                [_World(w.out, w.assumptions, {**w.local, **loop_var, **bound}) for w in worlds],
            )
        # Jinja2 scopes a loop's variables, `set` inside it included, to the loop.
        return [_World(w.out, w.assumptions, world.local) for w in worlds]

    # expressions ------------------------------------------------------------------------
    def expr(self, node: nodes.Node | None, w: _World) -> Value:
        if node is None:
            return None
        if isinstance(node, nodes.Name):
            return w.local[node.name] if node.name in w.local else self.scope.lookup(node.name)
        if isinstance(node, nodes.Const):
            return _const(node.value, self.unknown(node))
        if isinstance(node, nodes.List | nodes.Tuple):
            return tuple(self.expr(n, w) for n in node.items)
        if isinstance(node, nodes.Dict):
            out: dict[str, Value] = {}
            for pair in node.items:
                key = self.expr(pair.key, w)
                if not isinstance(key, LText) or SYMBOL in key.text:
                    return self.unknown(node)
                out[key.text] = self.expr(pair.value, w)
            return out
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            target = self.expr(node.node, w)
            key = (
                LText.plain(node.attr)
                if isinstance(node, nodes.Getattr)
                else self.expr(node.arg, w)
            )
            return apply_filter("__getitem__", target, [key], self.unknown(node))
        if isinstance(node, nodes.Filter):
            args = [self.expr(a, w) for a in node.args]
            if node.kwargs or node.dyn_args or node.dyn_kwargs or node.node is None:
                return self.unknown(node)
            return apply_filter(node.name, self.expr(node.node, w), args, self.unknown(node))
        if isinstance(node, nodes.Test):
            return test(node.name, self.expr(node.node, w), self.unknown(node))
        if isinstance(node, nodes.Not):
            flag = truthy(self.expr(node.node, w))
            return self.unknown(node) if flag is None else not flag
        if isinstance(node, nodes.And | nodes.Or):
            return self.logic(node, w)
        if isinstance(node, nodes.CondExpr):
            flag = truthy(self.expr(node.test, w))
            if flag is None:
                return self.unknown(node)
            return self.expr(node.expr1, w) if flag else self.expr(node.expr2, w)
        if isinstance(node, nodes.Compare) and len(node.ops) == 1:
            return self.compare(node, w)
        if isinstance(node, nodes.Concat):
            parts = [jinja_text(self.expr(n, w)) for n in node.nodes]
            if any(p is None for p in parts):
                return self.unknown(node)
            return LText.join(p for p in parts if p is not None)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and not node.args:
            target = self.expr(node.node.node, w)
            return apply_filter("." + node.node.attr, target, [], self.unknown(node))
        return self.unknown(node)

    def logic(self, node: nodes.And | nodes.Or, w: _World) -> Value:
        left = self.expr(node.left, w)
        flag = truthy(left)
        if flag is None:
            return self.unknown(node)
        if flag == isinstance(node, nodes.And):
            return self.expr(node.right, w)
        return left

    def compare(self, node: nodes.Compare, w: _World) -> Value:
        left, op = self.expr(node.expr, w), node.ops[0]
        right = self.expr(op.expr, w)
        if op.op in ("eq", "ne"):
            same = equal(left, right)
            return self.unknown(node) if same is None else same == (op.op == "eq")
        if op.op in ("in", "notin"):
            found = apply_filter(".__contains__", right, [left], self.unknown(node))
            if isinstance(found, bool):
                return found == (op.op == "in")
        return self.unknown(node)


def _targets(target: nodes.Node) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [n.name if isinstance(n, nodes.Name) else "" for n in target.items]
    return [""]


def _const(value: object, fallback: Unknown) -> Value:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str | int | float):
        return LText.plain(str(value))
    return fallback


def _slice(text: str, source: _Source, span: Span) -> str:
    start = source.starts[span.line - 1] + span.column - 1
    end = source.starts[span.end_line - 1] + span.end_column - 1
    return text[start:end]


def jinja_template_text(text: str, path: str) -> LText:
    """The template with every tag one SYMBOL located at the tag (comments dropped)."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    out, pos = LText.plain(""), 0
    for match in _TAG.finditer(text):
        out = out + LText.literal(text[pos : match.start()], path, *place(pos))
        if not match.group().startswith("{#"):
            span = Span(path, *place(match.start()), *place(match.end()))
            out = out + LText.symbol(span, match.group()[:2])
        pos = match.end()
    return out + LText.literal(text[pos:], path, *place(pos))


# Jinja2's parser and the renderer below recurse: a tag nested in a block costs about 5
# Python frames, an open bracket about 15, an operator of the same expression 1. 300 nested
# `{% if %}` or 70 nested `(` overflowed Python's stack (issue 30); past this many frames'
# worth the template is refused before it is parsed, at the line where the bound is passed.
MAX_FRAMES = 300
_BLOCKS = frozenset(
    {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans"}
)


def _too_deep(text: str) -> int | None:
    """The lexed line where the template's nesting passes MAX_FRAMES, if it does. A walk
    over Jinja2's tokens, which its lexer makes without recursion."""
    blocks = brackets = operators = 0
    first = ""  # the first name of the current `{% %}` tag
    assigns = False
    for line, kind, value in _ENV.lex(text):
        if kind == "name" and not first:
            first = value
            if value in _BLOCKS:
                blocks += 1
            elif value.startswith("end"):
                blocks = max(0, blocks - 1)
        elif kind == "operator":
            if value in "([{":
                brackets += 1
            elif value in ")]}":
                brackets = max(0, brackets - 1)
            else:
                operators += 1
                assigns = assigns or value == "="
        elif kind in ("block_end", "variable_end"):
            if kind == "block_end" and first == "set" and not assigns:
                blocks += 1  # `{% set x %}...{% endset %}`
            first, assigns, operators = "", False, 0
        if 5 * blocks + 15 * brackets + operators > MAX_FRAMES:
            return int(line)
    return None


def _line(text: str, lexed_line: int) -> int:
    """The line (split at `\n`) of Jinja2's line number, which counts a lone `\r` as a break."""
    breaks = [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    offset = breaks[min(lexed_line, len(breaks) + 1) - 2] if lexed_line > 1 and breaks else 0
    return text.count("\n", 0, offset) + 1


def render_jinja(
    text: str, path: str, scope: Scope, *, limit: int = 16
) -> tuple[tuple[Rendering, ...], tuple[Finding, ...]]:
    """Every rendering of the Jinja2 template for this scope (forks on unknown conditions)."""
    try:
        deep = _too_deep(text)
        if deep is not None:
            line = _line(text, deep)
            message = (
                "Jinja2 template nested too deeply to read (blocks, brackets and operators "
                "past its bound); its tags are read as unknown values"
            )
            finding = Finding(
                Span(path, line, 1, line, 1), "parse-error", message, severity="warning"
            )
            return (Rendering(jinja_template_text(text, path)),), (finding,)
        source = _Source(text, path)
        tree = _ENV.parse(text)
        renderer = _Renderer(source, tree, scope, max(1, limit))
        worlds = renderer.body(tree.body, [_World(Printed(LText.plain("")), (), {})])
    except jinja2.TemplateSyntaxError as error:
        line = _line(text, error.lineno or 1)
        span = Span(path, line, 1, line, 1)
        finding = Finding(span, "parse-error", f"Jinja2: {error.message}", severity="warning")
        return (Rendering(jinja_template_text(text, path)),), (finding,)
    except (jinja2.TemplateError, RecursionError, ValueError, IndexError, KeyError) as error:
        span = Span(path, 1, 1, 1, 1)
        message = f"Jinja2 template not understood: {type(error).__name__}"
        finding = Finding(span, "parse-error", message, severity="warning")
        return (Rendering(jinja_template_text(text, path)),), (finding,)
    seen: set[tuple[str, tuple[object, ...]]] = set()
    out: list[Rendering] = []
    for w in worlds:
        printed = w.out.joined()
        if (printed.text, printed.runs) not in seen:
            seen.add((printed.text, printed.runs))
            out.append(Rendering(printed, w.assumptions))
    return tuple(out), ()
