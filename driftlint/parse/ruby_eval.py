"""Statements of the Ruby that ERB templates hold, run over driftlint values in forking worlds."""

# It walks the tree-sitter-ruby tree of a compiled template (see `erb.Template`) and never runs
# anything: what is not in the subset is `Unknown`, located at its tag. Worlds fork on
# conditions that cannot be told, each world recording what it assumed; past `limit` worlds an
# unknown condition takes its else branch and says so.

from __future__ import annotations

from collections.abc import Callable, Sequence

from tree_sitter import Node

from driftlint.ltext import LText
from driftlint.parse.erb import Printed, Template
from driftlint.parse.ruby_expr import EXPANSION_BOUND, Expressions, World, Worlds, rows_of
from driftlint.parse.ruby_methods import equal, ruby_text, truthy
from driftlint.values import Scope, Unknown, Value

_LOOPS = {"each", "each_with_index", "each_pair", "each_value", "map", "collect", "each_entry"}
_SCALAR_NAMES = ("instance_variable", "identifier", "element_reference")


def evaluate(
    template: Template, root: Node, scope: Scope, limit: int
) -> list[tuple[LText, tuple[str, ...]]]:
    ev = _Evaluator(template, scope, limit)
    worlds = ev.body(root, [World(Printed(LText.plain("")), (), {})])
    return [(w.out.joined(), w.assumptions) for w in worlds]


class _Evaluator(Expressions):
    # statements -------------------------------------------------------------------------
    def body(self, node: Node | None, worlds: Worlds) -> Worlds:
        if node is None:
            return worlds
        for child in node.named_children:
            if child.type not in ("comment", "block_parameters") and worlds:
                worlds = self.stmt(child, worlds)
        return worlds

    def stmt(self, node: Node, worlds: Worlds) -> Worlds:
        kind = node.type
        if kind == "call" and node.child_by_field_name("receiver") is None:
            if node.start_byte in self.t.texts:
                piece = self.t.texts[node.start_byte]
                return [w.emit(piece) for w in worlds]
            if node.start_byte in self.t.outputs:
                choice = self.printed_choice(node)
                if choice is not None:  # `<%= @x ? "--a" : "-b" %>`: a branch of its own
                    return self.branch(
                        worlds,
                        choice.child_by_field_name("condition"),
                        False,
                        lambda ws: [w.emit(self.output(node, w, "consequence")) for w in ws],
                        lambda ws: [w.emit(self.output(node, w, "alternative")) for w in ws],
                    )
                return [w.emit(self.output(node, w)) for w in worlds]
        if kind in ("if", "unless", "elsif"):
            return self.branch(
                worlds,
                node.child_by_field_name("condition"),
                kind == "unless",
                lambda ws: self.body(node.child_by_field_name("consequence"), ws),
                lambda ws: self.alternative(node.child_by_field_name("alternative"), ws),
            )
        if kind in ("if_modifier", "unless_modifier"):
            return self.branch(
                worlds,
                node.child_by_field_name("condition"),
                kind == "unless_modifier",
                lambda ws: self.stmt_or_none(node.child_by_field_name("body"), ws),
                lambda ws: ws,
            )
        if kind == "case":
            whens = [c for c in node.named_children if c.type == "when"]
            other = next((c for c in node.named_children if c.type == "else"), None)
            return self.case(node.child_by_field_name("value"), whens, other, worlds)
        if kind == "call" and self.loop_method(node):
            return self.loop(node, worlds)
        if kind == "for":
            return self.for_loop(node, worlds)
        if kind in ("assignment", "operator_assignment"):
            return [self.assign(node, w) for w in worlds]
        if kind in ("parenthesized_statements", "begin", "then", "else", "body_statement"):
            return self.body(node, worlds)
        if self.prints(node):
            # A construct outside the subset that prints: its whole output is one unknown.
            piece = LText.symbol(self.t.tag_at(node.start_byte), kind)
            return [w.emit(piece) for w in worlds]
        return worlds

    def truth(self, node: Node, world: World) -> bool | None:
        """Truthiness of a condition, using what this world already assumed of its parts."""
        op = node.child_by_field_name("operator")
        words = self.src(op) if op else ""
        if node.type == "unary" and words in ("!", "not"):
            inner = node.child_by_field_name("operand")
            flag = self.truth(inner, world) if inner else None
            return None if flag is None else not flag
        if node.type == "parenthesized_statements" and len(node.named_children) == 1:
            return self.truth(node.named_children[0], world)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if node.type == "binary" and words in ("&&", "and", "||", "or") and left and right:
            return both(self.truth(left, world), self.truth(right, world), words in ("&&", "and"))
        if node.type in _SCALAR_NAMES and not self.uses_locals(node, world):
            said = recall(world.assumptions, self.src(node), "is set", "is not set")
            if said is not None:
                return said
        return truthy(self.expr(node, world))

    def uses_locals(self, node: Node, world: World) -> bool:
        if node.type == "identifier" and self.src(node) in world.local:
            return True
        return any(self.uses_locals(child, world) for child in node.named_children)

    def stmt_or_none(self, node: Node | None, worlds: Worlds) -> Worlds:
        return worlds if node is None else self.stmt(node, worlds)

    def alternative(self, node: Node | None, worlds: Worlds) -> Worlds:
        if node is None:
            return worlds
        return self.stmt(node, worlds) if node.type == "elsif" else self.body(node, worlds)

    def printed_choice(self, node: Node) -> Node | None:
        """The `cond ? a : b` an output tag prints, if that is all it prints."""
        args = node.child_by_field_name("arguments")
        inner = args.named_children[0] if args and len(args.named_children) == 1 else None
        # The tag's code is compiled in parentheses (`__o(( code ))`).
        while inner is not None and inner.type == "parenthesized_statements":
            kids = [c for c in inner.named_children if c.type != "comment"]
            inner = kids[0] if len(kids) == 1 else None
        return inner if inner is not None and inner.type == "conditional" else None

    def output(self, node: Node, world: World, side: str = "") -> LText:
        """What an output tag prints; with `side`, that side of the `?:` it holds."""
        args = node.child_by_field_name("arguments")
        inner = args.named_children[0] if args and args.named_children else None
        if side:
            choice = self.printed_choice(node)
            inner = choice.child_by_field_name(side) if choice is not None else None
        value = self.expr(inner, world) if inner is not None else None
        tag = self.t.outputs[node.start_byte]
        name = " ".join(tag.code.split())[:80]
        if isinstance(value, Unknown):
            return LText.symbol(tag.span, name)
        text = ruby_text(value)
        return LText.symbol(tag.span, name) if text is None else text

    def branch(
        self,
        worlds: Worlds,
        condition: Node | None,
        negate: bool,
        then: Callable[[Worlds], Worlds],
        other: Callable[[Worlds], Worlds],
    ) -> Worlds:
        if condition is None:
            return other(worlds)
        yes: Worlds = []
        no: Worlds = []
        shown = " ".join(self.src(condition).split())[:80]
        simple = condition.type in _SCALAR_NAMES or shown.startswith("scope.lookupvar")
        held, failed = ("is set", "is not set") if simple else ("is true", "is false")
        for world in worlds:
            value = recall(world.assumptions, shown, held, failed)
            if value is None or self.uses_locals(condition, world):
                value = self.truth(condition, world)
            if value is None:
                if self.live >= self.limit:
                    no.append(world.assume(f"`{shown}` {failed} (not forked: limit reached)"))
                    continue
                self.live += 1
                yes.append(world.assume(f"`{shown}` {held}"))
                no.append(world.assume(f"`{shown}` {failed}"))
            elif value:
                yes.append(world)
            else:
                no.append(world)
        if negate:
            yes, no = no, yes
        return (then(yes) if yes else []) + (other(no) if no else [])

    def case(
        self, subject: Node | None, whens: Sequence[Node], other: Node | None, worlds: Worlds
    ) -> Worlds:
        if not whens:
            return self.body(other, worlds)
        first, rest = whens[0], whens[1:]
        patterns = [c for c in first.named_children if c.type == "pattern"]
        shown = " ".join(self.src(subject).split()) if subject else "case"
        yes: Worlds = []
        no: Worlds = []
        for world in worlds:
            value = self.expr(subject, world) if subject else Unknown()
            found: bool | None = False
            for pattern in patterns:
                inner = pattern.named_children[0] if pattern.named_children else pattern
                same = equal(value, self.expr(inner, world))
                if same is True:
                    found = True
                    break
                if same is None:
                    found = None
            label = " or ".join(self.src(p) for p in patterns)[:80]
            if found is None and self.live < self.limit:
                self.live += 1
                yes.append(world.assume(f"`{shown}` is {label}"))
                no.append(world.assume(f"`{shown}` is not {label}"))
            elif found:
                yes.append(world)
            else:
                no.append(world if found is False else world.assume(f"`{shown}` is not {label}"))
        body = first.child_by_field_name("body")
        return (self.body(body, yes) if yes else []) + (
            self.case(subject, rest, other, no) if no else []
        )

    def loop_method(self, node: Node) -> bool:
        method = node.child_by_field_name("method")
        block = node.child_by_field_name("block")
        return bool(method and block and self.src(method) in _LOOPS and self.prints(block))

    def loop(self, node: Node, worlds: Worlds) -> Worlds:
        method = self.src(node.child_by_field_name("method") or node)
        block = node.child_by_field_name("block")
        receiver = node.child_by_field_name("receiver")
        assert block is not None
        params = block.child_by_field_name("parameters")
        names = [self.src(p) for p in params.named_children] if params else []
        body = block.child_by_field_name("body")
        out: Worlds = []
        for world in worlds:
            value = self.expr(receiver, world) if receiver else self.unknown(node)
            rows = rows_of(value, method, len(names))
            out.extend(self.iterate(node, receiver, rows, names, body, world))
        return out

    def for_loop(self, node: Node, worlds: Worlds) -> Worlds:
        pattern = node.child_by_field_name("pattern")
        holder = node.child_by_field_name("value")
        source = holder.named_children[0] if holder and holder.named_children else None
        names = [self.src(pattern)] if pattern and pattern.type == "identifier" else []
        out: Worlds = []
        for world in worlds:
            value = self.expr(source, world) if source else self.unknown(node)
            rows = rows_of(value, "each", len(names))
            out.extend(
                self.iterate(node, source, rows, names, node.child_by_field_name("body"), world)
            )
        return out

    def iterate(
        self,
        node: Node,
        receiver: Node | None,
        rows: list[tuple[Value, ...]] | None,
        names: list[str],
        body: Node | None,
        world: World,
    ) -> Worlds:
        shown = " ".join(self.src(receiver).split())[:80] if receiver else "loop"
        if rows is None:  # unknown collection: one pass with unknown items
            rows = [tuple(self.unknown(receiver or node) for _ in names)]
            world = world.assume(f"`{shown}` has one element of unknown value")
        outer = world.local
        worlds = [world]
        for row in rows:
            if self.expanded >= EXPANSION_BOUND:
                worlds = [w.assume(f"`{shown}` cut short: expansion bound") for w in worlds]
                break
            self.expanded += len(worlds)
            bound = [
                World(w.out, w.assumptions, {**w.local, **dict(zip(names, row, strict=False))})
                for w in worlds
            ]
            worlds = self.body(body, bound)
        # Block parameters do not outlive the block.
        restored: Worlds = []
        for w in worlds:
            local = {k: v for k, v in w.local.items() if k not in names}
            local.update({k: outer[k] for k in names if k in outer})
            restored.append(World(w.out, w.assumptions, local))
        return restored


def recall(assumptions: tuple[str, ...], shown: str, held: str, failed: str) -> bool | None:
    """What this world already assumed about the same condition: one answer per rendering."""
    for said in assumptions:
        if said.startswith(f"`{shown}` "):
            rest = said[len(shown) + 3 :]
            if rest == held:
                return True
            if rest.startswith(failed):
                return False
    return None


def both(left: bool | None, right: bool | None, conjunction: bool) -> bool | None:
    """`left && right` (or `||`) in three-valued logic: None is unknown."""
    if conjunction:
        return False if False in (left, right) else None if None in (left, right) else True
    return True if True in (left, right) else None if None in (left, right) else False
