"""Expressions of the Ruby subset ERB templates hold, evaluated over driftlint values."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tree_sitter import Node

from driftlint.ltext import SYMBOL, LText
from driftlint.parse.erb import Printed, Template
from driftlint.parse.ruby_methods import apply_method, equal, ruby_text, truthy
from driftlint.parse.ruby_regex import matches, regex_of
from driftlint.values import Scope, Unknown, Value

# Loop bodies rendered per template, all worlds together: a large Hiera array stays bounded.
EXPANSION_BOUND = 4096
_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "e": "\x1b", "0": "\0", "r": "\r"}


@dataclass(frozen=True, slots=True)
class World:
    out: Printed
    assumptions: tuple[str, ...]
    local: dict[str, Value]

    def emit(self, piece: LText) -> World:
        return World(self.out + piece, self.assumptions, self.local)

    def assume(self, text: str) -> World:
        return World(self.out, (*self.assumptions, text), self.local)

    def let(self, name: str, value: Value) -> World:
        return World(self.out, self.assumptions, {**self.local, name: value})


Worlds = list[World]


class Expressions:
    """Values of expressions in one world; statements are in `ruby_eval`."""

    def __init__(self, template: Template, scope: Scope, limit: int) -> None:
        self.t, self.scope, self.limit = template, scope, limit
        self.live = 1  # worlds alive now; forks add one each
        self.expanded = 0
        self.marks = sorted([*template.texts, *template.outputs])

    # helpers ----------------------------------------------------------------------------
    def src(self, node: Node) -> str:
        return self.t.program[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def unknown(self, node: Node) -> Unknown:
        return Unknown(self.t.tag_at(node.start_byte), " ".join(self.src(node).split())[:80])

    def prints(self, node: Node) -> bool:
        """Does this node hold template text or an output tag?"""
        i = bisect.bisect_left(self.marks, node.start_byte)
        return i < len(self.marks) and self.marks[i] < node.end_byte

    def assign(self, node: Node, world: World) -> World:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return world
        name = self.src(left)
        if left.type not in ("identifier", "instance_variable"):
            return world
        value = self.expr(right, world)
        if node.type == "operator_assignment":
            op = next((self.src(c) for c in node.children if not c.is_named), "")
            old = self.expr(left, world)
            if op == "||=":
                flag = truthy(old)
                value = old if flag else value if flag is False else self.unknown(node)
            elif op == "+=" and isinstance(old, LText) and isinstance(value, LText):
                value = old + value
            elif op == "+=" and isinstance(old, tuple):
                value = old + value if isinstance(value, tuple) else self.unknown(node)
            else:
                value = self.unknown(node)
        return world.let(name, value)

    # expressions ------------------------------------------------------------------------
    def expr(self, node: Node | None, world: World) -> Value:
        if node is None:
            return None
        kind = node.type
        if kind == "instance_variable":
            name = self.src(node)
            return world.local[name] if name in world.local else self.scope.lookup(name[1:])
        if kind == "identifier":
            name = self.src(node)
            return world.local.get(name, self.unknown(node))
        if kind in ("integer", "float"):
            return self.t.located(node.start_byte, node.end_byte)
        if kind in ("nil", "true", "false"):
            return {"nil": None, "true": True, "false": False}[kind]
        if kind == "string":
            return self.string(node, world)
        if kind == "simple_symbol":
            return self.t.located(node.start_byte + 1, node.end_byte)
        if kind in ("hash_key_symbol", "bare_string"):
            return self.t.located(node.start_byte, node.end_byte)
        if kind in ("array", "string_array"):
            items = [c for c in node.named_children if c.type != "comment"]
            if any(c.type == "splat_argument" for c in items):
                return self.unknown(node)
            return tuple(self.expr(c, world) for c in items)
        if kind == "hash":
            return self.hash(node, world)
        if kind in ("parenthesized_statements", "begin_block", "block_body", "body_statement"):
            items = [c for c in node.named_children if c.type != "comment"]
            for child in items[:-1]:
                if child.type in ("assignment", "operator_assignment"):
                    world = self.assign(child, world)
            return self.expr(items[-1], world) if items else None
        if kind == "conditional":
            flag = truthy(self.expr(node.child_by_field_name("condition"), world))
            if flag is None:
                return self.unknown(node)
            return self.expr(
                node.child_by_field_name("consequence" if flag else "alternative"), world
            )
        if kind in ("if_modifier", "unless_modifier"):
            flag = truthy(self.expr(node.child_by_field_name("condition"), world))
            if flag is None:
                return self.unknown(node)
            return (
                self.expr(node.child_by_field_name("body"), world)
                if flag == (kind == "if_modifier")
                else None
            )
        if kind == "binary":
            return self.binary(node, world)
        if kind == "unary":
            op = self.src(node.child_by_field_name("operator") or node)
            if op in ("!", "not"):
                flag = truthy(self.expr(node.child_by_field_name("operand"), world))
                return self.unknown(node) if flag is None else not flag
            return self.unknown(node)
        if kind == "element_reference":
            return self.index(node, world)
        if kind == "call":
            return self.call(node, world)
        return self.unknown(node)

    def string(self, node: Node, world: World) -> Value:
        single = self.t.program[node.start_byte : node.start_byte + 1] == b"'"
        out = LText.plain("")
        for child in node.named_children:
            if child.type == "string_content":
                piece = self.t.located(child.start_byte, child.end_byte)
                out = out + (_unescape_single(piece) if single else piece)
            elif child.type == "escape_sequence":
                raw = self.src(child)
                char = _ESCAPES.get(raw[1:], raw[1:]) if len(raw) == 2 else None
                if char is None:
                    return self.unknown(child)
                out = out + LText(char, self.t.located(child.start_byte, child.end_byte)[:1].runs)
            elif child.type == "interpolation":
                inner = [c for c in child.named_children if c.type != "comment"]
                value = self.expr(inner[-1], world) if inner else None
                text = None if isinstance(value, Unknown) else ruby_text(value)
                out = out + (
                    text
                    if text is not None
                    else LText.symbol(self.t.tag_at(child.start_byte), self.src(child))
                )
            else:
                return self.unknown(node)
        return out

    def hash(self, node: Node, world: World) -> Value:
        out: dict[str, Value] = {}
        for pair in node.named_children:
            if pair.type == "comment":
                continue
            key_node, value_node = (pair.child_by_field_name(f) for f in ("key", "value"))
            if pair.type != "pair" or key_node is None:
                return self.unknown(node)
            key = self.expr(key_node, world)
            if not isinstance(key, LText) or SYMBOL in key.text:
                return self.unknown(node)
            out[key.text] = self.expr(value_node, world)
        return out

    def binary(self, node: Node, world: World) -> Value:
        op = self.src(node.child_by_field_name("operator") or node)
        left_node, right_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        left = self.expr(left_node, world)
        if op in ("&&", "and", "||", "or"):
            flag = truthy(left)
            if flag is None:
                return self.unknown(node)
            if flag == (op in ("&&", "and")):
                return self.expr(right_node, world)
            return left
        if op in ("=~", "!~"):
            found = matches(left, regex_of(right_node, self.t.program))
            return self.unknown(node) if found is None else found == (op == "=~")
        right = self.expr(right_node, world)
        if op in ("==", "!="):
            same = equal(left, right)
            return self.unknown(node) if same is None else same == (op == "==")
        if op == "+" and isinstance(left, tuple) and isinstance(right, tuple):
            return left + right
        if op == "+" and isinstance(left, LText) and isinstance(right, LText):
            # Numbers are LText too; `1 + 2` is arithmetic, not concatenation.
            return self.unknown(node) if _number(left) or _number(right) else left + right
        return self.unknown(node)

    def index(self, node: Node, world: World) -> Value:
        obj = node.child_by_field_name("object")
        args = [c for c in node.named_children if c != obj and c.type != "comment"]
        if obj is None or len(args) != 1:
            return self.unknown(node)
        key = self.expr(args[0], world)
        if obj.type == "identifier" and self.src(obj) == "scope" and "scope" not in world.local:
            if isinstance(key, LText) and SYMBOL not in key.text:
                return self.scope.lookup(key.text)
            return self.unknown(node)
        return apply_method(self.expr(obj, world), "[]", [key], self.unknown(node))

    def call(self, node: Node, world: World) -> Value:
        receiver = node.child_by_field_name("receiver")
        method = self.src(node.child_by_field_name("method") or node)
        arg_list = node.child_by_field_name("arguments")
        arg_nodes = [c for c in arg_list.named_children if c.type != "comment"] if arg_list else []
        fallback = self.unknown(node)
        if receiver is None:
            return fallback
        if self.src(receiver) == "scope" and "scope" not in world.local:
            if method == "lookupvar" and len(arg_nodes) == 1:
                name = self.expr(arg_nodes[0], world)
                if isinstance(name, LText) and SYMBOL not in name.text:
                    return self.scope.lookup(name.text)
            return fallback  # function_x, call_function: what a function returns is unknown
        if any(c.type in ("splat_argument", "block_argument", "pair") for c in arg_nodes):
            return fallback
        value = self.expr(receiver, world)
        if method in ("match", "match?") and len(arg_nodes) == 1:
            found = matches(value, regex_of(arg_nodes[0], self.t.program))
            return fallback if found is None else found
        args = [self.expr(c, world) for c in arg_nodes]
        block = node.child_by_field_name("block")
        if block is None:
            return apply_method(value, method, args, fallback)
        return self.block_call(value, method, block, world, fallback)

    def block_call(
        self, value: Value, method: str, block: Node, world: World, fallback: Unknown
    ) -> Value:
        params = block.child_by_field_name("parameters")
        names = [self.src(p) for p in params.named_children] if params else []
        rows = rows_of(value, "each", len(names))
        if rows is None or method not in ("map", "collect", "select", "reject", "flat_map"):
            return fallback
        body = block.child_by_field_name("body")
        results: list[Value] = []
        for row in rows[:EXPANSION_BOUND]:
            inner = World(
                world.out, world.assumptions, {**world.local, **dict(zip(names, row, strict=False))}
            )
            results.append(self.expr(body, inner))
        if method in ("map", "collect"):
            return tuple(results)
        if method == "flat_map":
            flat: list[Value] = []
            for item in results:
                flat.extend(item if isinstance(item, tuple) else (item,))
            return tuple(flat)
        flags = [truthy(r) for r in results]
        if None in flags or not isinstance(value, tuple):
            return fallback
        keep = method == "select"
        return tuple(v for v, f in zip(value, flags, strict=True) if f == keep)


def rows_of(value: Value, method: str, width: int) -> list[tuple[Value, ...]] | None:
    """The parameter values of each pass of a loop over `value`, or None when unknown."""
    if isinstance(value, dict):
        return [(LText.plain(k), v) for k, v in value.items()]
    if not isinstance(value, tuple):
        return None
    if method == "each_with_index":
        return [(v, LText.plain(str(i))) for i, v in enumerate(value)]
    if width > 1:  # `|a, b|` over an array of pairs destructures each pair
        return [v if isinstance(v, tuple) else (v,) for v in value]
    return [(v,) for v in value]


def _number(text: LText) -> bool:
    return text.text.lstrip("-").replace(".", "", 1).isdigit()


def _unescape_single(piece: LText) -> LText:
    # In '...' only \\ and \' are escapes; drop the backslash, keep the char's own place.
    i = 0
    while (i := piece.text.find("\\", i)) >= 0:
        if piece.text[i + 1 : i + 2] in ("\\", "'"):
            piece = piece[:i] + piece[i + 1 :]
        i += 1
    return piece
