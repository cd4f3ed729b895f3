"""Puppet's iteration functions and lambdas: `each`, `map`, `filter`, `reduce`, `with`,
`slice`, `then`, `lest` (function reference of Puppet 7), in both call forms.

The evaluator gives `iterate` one alternative of the receiver and of each argument, and a way
to run the lambda with argument values (`Invoke`); what the lambda declares is declared as it
runs. A receiver that is not a collection we know still runs the lambda once with unknown
parameters, so the resources inside are seen, and the result is unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve.functions import small_int
from driftlint.values import Unknown, Value

if TYPE_CHECKING:
    from driftlint.resolve.evaluate import Evaluator, Frame

Alts = list[Value]
Invoke = Callable[[Sequence[Value]], Alts]  # run the lambda with these arguments

ITERATORS = frozenset({"each", "map", "filter", "reduce", "with", "slice", "then", "lest"})
MAX_ITEMS = 64  # lambda runs per receiver; past it the rest run once with unknown values


def iterate(
    name: str,
    receiver: Value,
    args: Sequence[Value],
    invoke: Invoke,
    params: int,
    span: Span,
    limit: int,
) -> Alts:
    """The alternatives of `receiver.name(args) |params| { ... }`."""
    unknown: Alts = [Unknown(span, f"{name}()")]
    if name == "with":
        return invoke([receiver, *args])
    if name == "then":
        if receiver is None:
            return [None]
        if isinstance(receiver, Unknown):
            return [*invoke([receiver]), None]  # undef or not: either may be
        return invoke([receiver])
    if name == "lest":
        if receiver is None:
            return invoke([])
        if isinstance(receiver, Unknown):
            return [receiver, *invoke([])]  # undef or not: either may be
        return [receiver]
    items = _items(receiver, params)
    if items is None:
        invoke([Unknown(span, f"${name}")] * max(params, 1))
        return unknown
    cut = len(items) > MAX_ITEMS
    items = items[:MAX_ITEMS]
    if cut:
        invoke([Unknown(span, f"${name}")] * max(params, 1))
    if name == "each":
        for item in items:
            invoke(item)
        return [receiver]
    if name == "slice":
        return _slice(receiver, args, invoke, params, span, cut)
    if name == "map":
        results = [invoke(item) for item in items]
        if cut:
            return unknown
        return _product(results, span, limit)
    if name == "filter":
        kept: list[tuple[Value, ...]] = []
        for item in items:
            verdicts = invoke(item)
            if any(isinstance(v, Unknown) for v in verdicts) or len(verdicts) != 1:
                return unknown
            if truthy(verdicts[0]):
                kept.append(item)
        if cut:
            return unknown
        if isinstance(receiver, dict):
            return [{_key(k): v for k, v in (_pair(i) for i in kept)}]
        return [tuple(i[-1] for i in kept)]
    if name == "reduce":
        elements = [(_pair_value(i) if isinstance(receiver, dict) else i[-1]) for i in items]
        if args:
            memos: Alts = [args[0]]
        elif elements:
            memos, elements = [elements[0]], elements[1:]
        else:
            return [None]
        for element in elements:
            nxt: Alts = []
            for memo in memos:
                for value in invoke([memo, element]):
                    if not any(value is o or value == o for o in nxt):
                        nxt.append(value)
            memos = nxt if len(nxt) <= limit else unknown
        return unknown if cut else memos
    return unknown


def truthy(value: Value) -> bool:
    # Puppet 4+: only undef and false are falsy; an empty string is true.
    return value is not None and value is not False


def _items(receiver: Value, params: int) -> list[tuple[Value, ...]] | None:
    """The lambda's arguments for each element, as Puppet passes them: an array's element, or
    its index and element; a hash's [key, value] pair, or its key and value; an integer N
    iterates 0..N-1."""
    if isinstance(receiver, tuple):
        values: list[Value] = list(receiver)
    elif isinstance(receiver, dict):
        pairs = [(LText.plain(k), v) for k, v in receiver.items()]
        if params >= 2:
            return [pair for pair in pairs]
        return [(pair,) for pair in pairs]
    elif (count := small_int(receiver)) is not None and count >= 0:
        values = [LText.plain(str(i)) for i in range(min(count, MAX_ITEMS + 1))]
    else:
        return None
    if params >= 2:
        return [(LText.plain(str(i)), v) for i, v in enumerate(values)]
    return [(v,) for v in values]


def _pair(item: tuple[Value, ...]) -> tuple[Value, Value]:
    if len(item) == 2:
        return item[0], item[1]
    pair = item[0]
    assert isinstance(pair, tuple) and len(pair) == 2
    return pair[0], pair[1]


def _pair_value(item: tuple[Value, ...]) -> Value:
    """A hash element as `reduce` passes it: the [key, value] pair."""
    key, value = _pair(item)
    return (key, value)


def _key(value: Value) -> str:
    return value.text if isinstance(value, LText) else ""


def _slice(
    receiver: Value,
    args: Sequence[Value],
    invoke: Invoke | None,
    params: int,
    span: Span,
    cut: bool,
) -> Alts:
    n = small_int(args[0]) if args else None
    if cut or n is None or n < 1:
        return [Unknown(span, "slice()")]
    values = list(receiver) if isinstance(receiver, tuple) else None
    if values is None:
        return [Unknown(span, "slice()")]
    chunks = [tuple(values[i : i + n]) for i in range(0, len(values), n)]
    if invoke is not None:
        for chunk in chunks:
            padded = (*chunk, *([None] * (n - len(chunk))))
            invoke(padded if params > 1 else (chunk,))
        return [receiver]
    return [tuple(chunks)]


def _product(results: list[Alts], span: Span, limit: int) -> Alts:
    total = 1
    for alts in results:
        total *= max(1, len(alts))
    if total > limit:
        return [Unknown(span, "map()")]
    return [tuple(combo) for combo in itertools.product(*results)]


# --- running lambdas in the evaluator ---------------------------------------------------
def invoke(
    ev: Evaluator, lambda_: ast.Lambda, values: Sequence[Value], frame: Frame, via: tuple[Span, ...]
) -> Alts:
    """Run a lambda with these arguments in its own local scope; its last value."""
    inner = type(frame)({}, frame, frame.name, lambda_=True)  # a Frame (evaluate.py imports us)
    for i, param in enumerate(lambda_.params):
        if param.captures_rest:
            inner.vars[param.name] = [tuple(values[i:])]
            break
        if i < len(values):
            inner.vars[param.name] = [values[i]]
        elif param.default is not None:
            inner.vars[param.name] = ev.eval(param.default, inner, via)
        else:
            inner.vars[param.name] = [None]
    last: Alts = [None]
    for statement in lambda_.body:
        last = ev.eval(statement, inner, via)
    return last


def unknown_lambda(ev: Evaluator, lambda_: ast.Lambda, frame: Frame, via: tuple[Span, ...]) -> None:
    """Run a lambda of a function we do not know once, with unknown parameters, so that
    the resources inside are seen."""
    invoke(ev, lambda_, [Unknown(p.span, "$" + p.name) for p in lambda_.params], frame, via)


def iterate_call(
    ev: Evaluator,
    name: str,
    receiver: Alts,
    args: list[Alts],
    lambda_: ast.Lambda,
    frame: Frame,
    via: tuple[Span, ...],
    span: Span,
) -> Alts:
    def run(values: Sequence[Value]) -> Alts:
        return invoke(ev, lambda_, values, frame, via)

    out: Alts = []
    for combo in itertools.islice(itertools.product(receiver, *args), ev.limit):
        found = iterate(name, combo[0], combo[1:], run, len(lambda_.params), span, ev.limit)
        out = ev._union(out, found)
    return out or [Unknown(span, f"{name}()")]
