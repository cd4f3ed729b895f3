"""Values of the Puppet evaluator, shared by Hiera, ERB, EPP and Jinja2 readers.

A value is one of:
- `LText`: a string or a number, every character located where it is written;
- `bool`, `None` (undef);
- `tuple` of values (an array), `dict` of str to value (a hash);
- `Unknown`: nothing can be said (a fact, a function's result, a parameter no one sets).
Strings that are partly unknown are `LText`s holding `SYMBOL` characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span, fast_pickling


@dataclass(frozen=True, slots=True)
class Unknown:
    span: Span | None = None  # where the expression that has no known value is written
    name: str = ""  # what it is, for messages: "$::fqdn", "lookup('x')"


Value: TypeAlias = "LText | bool | tuple[Value, ...] | dict[str, Value] | Unknown | None"


class WrittenHash(dict[str, "Value"]):
    """A hash written in the manifest whose every key is known: a key it lacks is undef.
    Any other hash (Hiera's first-found part of a merge, one with a key driftlint could not
    read) may have more keys than it holds."""

    __slots__ = ()


class Scope(Protocol):
    """What a template or Hiera interpolation can ask about the class that renders it."""

    def lookup(self, name: str) -> Value:
        """The value of variable `name` ("extra_args", "::fqdn", "mediawiki::x"), or Unknown."""
        ...


@dataclass(frozen=True, slots=True)
class MapScope:
    """A scope made of a plain mapping; anything absent is Unknown."""

    values: Mapping[str, Value]

    def lookup(self, name: str) -> Value:
        key = name[2:] if name.startswith("::") else name
        return self.values.get(key, Unknown(None, "$" + key))


def to_text(value: Value, span: Span | None = None) -> LText:
    """Interpolate a value into a string as Puppet does; anything not a scalar is symbolic."""
    if isinstance(value, LText):
        return value
    if value is True or value is False:
        return LText.plain("true" if value else "false")
    if value is None:
        return LText.plain("")
    if isinstance(value, Unknown):
        where = value.span or span
        return LText.symbol(where, value.name) if where else LText.plain("\ue000")
    if isinstance(value, tuple) and all(isinstance(v, LText) for v in value):
        # Puppet interpolates an array as its elements joined by nothing in Puppet 3 and as
        # `[a, b]` from Puppet 4 on; neither is a useful argv, so it stays symbolic.
        pass
    return LText.symbol(span, "") if span else LText.plain("\ue000")


def sorted_texts(items: Sequence[Value], unique: bool = False) -> tuple[LText, ...] | None:
    """Fully known strings sorted by text (`unique`: the first of each text, in order), as
    Ruby's `sort`/`uniq` and Jinja2's `sort`/`unique` give them; None when any item is not
    a fully known string, since its place cannot be known."""
    if not all(isinstance(v, LText) and SYMBOL not in v.text for v in items):
        return None
    texts = [v for v in items if isinstance(v, LText)]
    if not unique:
        return tuple(sorted(texts, key=lambda t: t.text))
    first: dict[str, LText] = {}
    for item in texts:
        first.setdefault(item.text, item)
    return tuple(first.values())


fast_pickling(globals())
