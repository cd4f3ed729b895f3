"""Ruby truthiness, equality, `to_s` and the few methods ERB templates call, on our values."""

from __future__ import annotations

import re
from collections.abc import Sequence

from driftlint.ltext import SYMBOL, LText
from driftlint.values import Unknown, Value, sorted_texts


def truthy(value: Value) -> bool | None:
    """Ruby's truth: only nil and false are false; None when the value is unknown."""
    if isinstance(value, Unknown):
        return None
    return value is not None and value is not False


def equal(a: Value, b: Value) -> bool | None:
    """`a == b`, or None when it cannot be told."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if isinstance(a, LText) and isinstance(b, LText):
        if SYMBOL in a.text or SYMBOL in b.text:
            return None
        return a.text == b.text
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return False
        results = [equal(x, y) for x, y in zip(a, b, strict=True)]
        return False if False in results else None if None in results else True
    if isinstance(a, dict) or isinstance(b, dict):
        return None if isinstance(a, dict) and isinstance(b, dict) else False
    if isinstance(a, LText) or isinstance(b, LText):
        return False  # a string is never nil, true or false
    return a is b


def ruby_text(value: Value) -> LText | None:
    """`value.to_s` as ERB prints it; None when it cannot be told (unknown, array, hash)."""
    if isinstance(value, LText):
        return value
    if value is None:
        return LText.plain("")
    if value is True or value is False:
        return LText.plain("true" if value else "false")
    return None


def _flatten(items: Sequence[Value]) -> list[Value]:
    out: list[Value] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, tuple) else [item])
    return out


def apply_method(value: Value, name: str, args: list[Value], fallback: Unknown) -> Value:
    """`value.name(*args)` for the supported methods; `fallback` for anything else."""
    if isinstance(value, Unknown) or any(isinstance(a, Unknown) for a in args):
        return fallback
    if name == "nil?" and not args:
        return value is None
    if name == "to_s" and not args:
        text = ruby_text(value)
        return fallback if text is None else text
    if isinstance(value, LText):
        return _string_method(value, name, args, fallback)
    if isinstance(value, tuple):
        return _array_method(value, name, args, fallback)
    if isinstance(value, dict):
        return _hash_method(value, name, args, fallback)
    return fallback


def _string_method(value: LText, name: str, args: list[Value], fallback: Unknown) -> Value:
    known = SYMBOL not in value.text
    if name == "strip" and not args:
        return value.strip()
    if name == "chomp" and not args:
        return value[:-1] if value.text.endswith("\n") else value
    if name in ("upcase", "downcase") and not args and known:
        text = value.text.upper() if name == "upcase" else value.text.lower()
        return LText(text, value.runs) if len(text) == len(value.text) else LText.plain(text)
    if name == "empty?" and not args:
        if known:
            return value.text == ""
        return False if value.text.replace(SYMBOL, "") else fallback
    needle = args[0] if len(args) == 1 else None
    if name == "include?" and isinstance(needle, LText) and known and SYMBOL not in needle.text:
        return needle.text in value.text
    if name in ("length", "size") and not args and known:
        return LText.plain(str(len(value.text)))
    if name == "split" and len(args) <= 1 and known:
        if not args:
            return tuple(value[m.start() : m.end()] for m in re.finditer(r"\S+", value.text))
        sep = args[0]
        if isinstance(sep, LText) and sep.text and SYMBOL not in sep.text:
            parts = value.split(sep.text)
            while parts and parts[-1].text == "":  # Ruby drops trailing empty fields
                parts.pop()
            return tuple(parts)
    return fallback


def _array_method(
    value: tuple[Value, ...], name: str, args: list[Value], fallback: Unknown
) -> Value:
    if name == "join" and len(args) <= 1:
        sep = args[0] if args else LText.plain("")
        if not isinstance(sep, LText):
            return fallback
        parts = [ruby_text(v) for v in _flatten(value)]
        if any(p is None for p in parts):
            return fallback
        return LText.join([p for p in parts if p is not None], sep)
    if args and name not in ("include?", "[]", "first", "last"):
        return fallback
    if name == "empty?":
        return not value
    if name in ("length", "size", "count"):
        return LText.plain(str(len(value)))
    if name in ("flatten", "to_a"):
        return tuple(_flatten(value)) if name == "flatten" else value
    if name == "compact":
        return tuple(v for v in value if v is not None)
    if name in ("sort", "uniq"):
        ordered = sorted_texts(value, unique=name == "uniq")
        return fallback if ordered is None else ordered
    if name == "include?" and len(args) == 1:
        results = [equal(v, args[0]) for v in value]
        return True if True in results else None if None in results else False
    if name in ("first", "last") and not args:
        return (value[0] if name == "first" else value[-1]) if value else None
    if name == "[]" and len(args) == 1 and isinstance(args[0], LText):
        try:
            index = int(args[0].text)
        except ValueError:
            return fallback
        return value[index] if -len(value) <= index < len(value) else None
    return fallback


def _hash_method(value: dict[str, Value], name: str, args: list[Value], fallback: Unknown) -> Value:
    if name in ("[]", "fetch") and len(args) == 1 and isinstance(args[0], LText):
        if SYMBOL in args[0].text:
            return fallback
        if args[0].text in value:
            return value[args[0].text]
        return None if name == "[]" else fallback
    if name in ("include?", "has_key?", "key?") and len(args) == 1:
        key = args[0]
        if isinstance(key, LText) and SYMBOL not in key.text:
            return key.text in value
        return fallback
    if args:
        return fallback
    if name == "empty?":
        return not value
    if name == "keys":
        return tuple(LText.plain(k) for k in value)
    if name == "values":
        return tuple(value.values())
    if name in ("length", "size", "count"):
        return LText.plain(str(len(value)))
    if name in ("sort", "to_a"):
        items = sorted(value.items()) if name == "sort" else list(value.items())
        return tuple((LText.plain(k), v) for k, v in items)
    return fallback
