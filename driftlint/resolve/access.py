"""Puppet's access operator `x[k]` and `x[from, count]` on strings, arrays and hashes, the
splat `*x` (unfolding into an array, call arguments or case options) and destructuring
assignment `[$a, $b] = ...` (Puppet's access_operator.rb, `eval_UnfoldExpression` and
`assign` of evaluator_impl.rb). Keys of strings and arrays are numbers, read from a string as
arithmetic reads them; a value driftlint cannot be sure of is Unknown, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve import functions
from driftlint.values import Unknown, Value, WrittenHash

if TYPE_CHECKING:
    from driftlint.resolve.evaluate import Alts

MAX_INDEX = 1 << 31


def splatted(node: ast.Node) -> ast.Node | None:
    """The operand of `*x`, also written in parentheses (`(*x)`), else None."""
    while isinstance(node, ast.Block) and len(node.body) == 1:
        node = node.body[0]
    if isinstance(node, ast.UnaryOp) and node.op == "*":
        return node.operand
    return None


def unfold(value: Value, span: Span) -> tuple[Value, ...] | Unknown:
    """`*x`: an array's items, a hash's `[key, value]` pairs, nothing for undef, else the
    value alone. Unknown when x is (an unknown may be any number of items)."""
    if isinstance(value, Unknown):
        return Unknown(value.span or span, "*")
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    if isinstance(value, dict):
        if not isinstance(value, WrittenHash):
            return Unknown(span, "*")
        return tuple((LText.plain(k), v) for k, v in value.items())
    return (value,)


def index(target: Value, keys: Sequence[Value], span: Span) -> Value:
    """`target[keys]`: one alternative of the target and of each key."""
    if isinstance(target, dict):
        return _hash(target, keys, span)
    if isinstance(target, Unknown) or any(isinstance(k, Unknown) for k in keys):
        return Unknown(span, "[]")
    flat = functions.flatten(tuple(keys))  # strings and arrays flatten their keys
    numbers = [_integer(k) for k in flat]
    if not 1 <= len(numbers) <= 2 or any(n is None for n in numbers):
        return Unknown(span, "[]")
    ints = [n for n in numbers if n is not None]
    if isinstance(target, tuple):
        unknown_at = next((i for i, v in enumerate(target) if isinstance(v, Unknown)), None)
        if unknown_at is not None:
            # An unknown item may stand for several (`*$x`, or `$x` after `flatten`): only
            # the places before it are known.
            i = ints[0]
            return target[i] if len(ints) == 1 and 0 <= i < unknown_at else Unknown(span, "[]")
        if len(ints) == 1:
            i = ints[0]
            return target[i] if -len(target) <= i < len(target) else None
        start, count = _slice(len(target), ints[0], ints[1])
        return target[start : start + count] if count > 0 else ()
    if isinstance(target, LText) and not target.dynamic:
        size = len(target)
        if len(ints) == 1:
            start, count = ints[0] + size if ints[0] < 0 else ints[0], 1
            if start < 0:
                return LText.plain("")
        else:
            start, count = _slice(size, ints[0], ints[1])
        return target[start : start + count] if count > 0 and start < size else LText.plain("")
    return Unknown(span, "[]")


def _slice(size: int, k1: int, k2: int) -> tuple[int, int]:
    """Puppet's `[from, count]`: a negative from counts from the end, a negative count
    leaves that many less one at the end; a from before the start shortens the count."""
    k1 = size + k1 if k1 < 0 else k1
    k2 = size - k1 + k2 + 1 if k2 < 0 else k2
    if k1 < 0:
        k2 += k1
        k1 = 0
    return k1, k2


def _integer(key: Value) -> int | None:
    text = functions.known_text(key)
    if text is None or not text.text.lstrip("-").isdigit():
        return None  # a float, or a string that is no integer: Puppet fails
    number = functions.coerced(text)
    if not isinstance(number, int) or abs(number) > MAX_INDEX:
        return None
    return number


def _hash(target: dict[str, Value], keys: Sequence[Value], span: Span) -> Value:
    """A hash's value of each key (undef when it has none); several keys give the values of
    those it has, in order."""
    found: list[Value] = []
    for key in keys:
        if not isinstance(key, LText) or key.dynamic:
            return Unknown(span, "[]")  # undef, an array as key: not kept here
        if key.text in target:
            found.append(target[key.text])
        elif not isinstance(target, WrittenHash):
            return Unknown(span, "[]")  # the hash may have keys driftlint does not know
        else:
            found.append(None)
    if len(found) == 1:
        return found[0]
    return tuple(v for v in found if v is not None)


def destructure(target: ast.Array, value: Value, span: Span) -> list[tuple[str, Value]] | None:
    """`[$a, [$b, $c]] = value`: each variable and its value, or None when they cannot be
    told. From an array, item by item (the same length); from a hash, each name's key."""
    out: list[tuple[str, Value]] = []
    if isinstance(value, dict):
        for item in target.items:
            if not isinstance(item, ast.Var) or item.name not in value:
                return None  # a nested pattern takes a key that is an array: not kept here
            out.append((item.name, value[item.name]))
        return out
    if not isinstance(value, tuple):
        value = (value,)
        if len(target.items) != 1:
            return None
    if len(value) != len(target.items) or any(isinstance(v, Unknown) for v in value):
        return None  # Puppet fails, or an unknown item may stand for several
    for item, part in zip(target.items, value, strict=True):
        if isinstance(item, ast.Var):
            out.append((item.name, part))
        elif isinstance(item, ast.Array):
            inner = destructure(item, part, span)
            if inner is None:
                return None
            out.extend(inner)
        else:
            return None
    return out


def alternatives(items: list[list[tuple[Value, ...]]], limit: int, span: Span) -> Alts:
    """The alternatives of an array whose parts each have alternatives that are runs of
    items (a splat gives several items, an item one): every combination, joined."""
    combos: list[tuple[Value, ...]] = [()]
    for alts in items:
        combos = [c + part for c in combos for part in alts]
        if len(combos) > limit:
            return [Unknown(span, "array")]
    return list(combos)
