"""Jinja2's truthiness, equality, printing, filters and tests over driftlint values."""

from __future__ import annotations

from driftlint.ltext import SYMBOL, LText
from driftlint.values import Unknown, Value, sorted_texts


def truthy(value: Value) -> bool | None:
    """Python's truth as Jinja2 uses it; None when it cannot be told."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, LText):
        if SYMBOL not in value.text:
            return value.text != ""
        return True if value.text.replace(SYMBOL, "") else None
    if isinstance(value, tuple | dict):
        return len(value) > 0
    return bool(value)


def equal(a: Value, b: Value) -> bool | None:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if isinstance(a, LText) and isinstance(b, LText):
        return None if SYMBOL in a.text + b.text else a.text == b.text
    if isinstance(a, LText) or isinstance(b, LText):
        return False
    if isinstance(a, tuple | dict) or isinstance(b, tuple | dict):
        return None
    return a is b


def jinja_text(value: Value) -> LText | None:
    """How `{{ value }}` prints; None when it cannot be told (unknown, list, dict)."""
    if isinstance(value, LText):
        return value
    if value is None or value is True or value is False:
        return LText.plain(str(value))  # Python's spelling: None, True, False
    return None


def apply_filter(name: str, value: Value, args: list[Value], fallback: Unknown) -> Value:
    """`value | name(*args)`, plus attribute access and dict methods (named with a dot)."""
    if name in ("default", "d"):
        # Undefined and unknown look alike here, so an unknown value stays unknown.
        if isinstance(value, Unknown):
            return fallback
        if len(args) >= 2 and truthy(args[1]) and truthy(value) is False:
            return args[0]
        return value
    if isinstance(value, Unknown) or any(isinstance(a, Unknown) for a in args):
        return fallback
    if name == "__getitem__" and len(args) == 1:
        return _item(value, args[0], fallback)
    if name == ".__contains__" and len(args) == 1:
        return _contains(value, args[0], fallback)
    if isinstance(value, dict) and name in (".items", ".keys", ".values"):
        if name == ".items":
            return tuple((LText.plain(k), v) for k, v in value.items())
        return tuple(LText.plain(k) for k in value) if name == ".keys" else tuple(value.values())
    if name == "join" and isinstance(value, tuple) and len(args) <= 1:
        sep = args[0] if args else LText.plain("")
        parts = [jinja_text(v) for v in value]
        if not isinstance(sep, LText) or any(p is None for p in parts):
            return fallback
        return LText.join([p for p in parts if p is not None], sep)
    if args:
        return fallback
    if isinstance(value, LText) and name in ("lower", "upper", "trim", "string"):
        if name == "trim":
            return value.strip()
        if name == "string" or SYMBOL in value.text:
            return value if name == "string" else fallback
        text = value.text.lower() if name == "lower" else value.text.upper()
        return LText(text, value.runs) if len(text) == len(value.text) else LText.plain(text)
    if name == "string":
        printed = jinja_text(value)
        return fallback if printed is None else printed
    if isinstance(value, tuple):
        return _list_filter(name, value, fallback)
    return fallback


def _list_filter(name: str, value: tuple[Value, ...], fallback: Unknown) -> Value:
    if name == "list":
        return value
    if name in ("first", "last"):
        return (value[0] if name == "first" else value[-1]) if value else fallback
    if name in ("length", "count"):
        return LText.plain(str(len(value)))
    if name in ("sort", "unique"):
        ordered = sorted_texts(value, unique=name == "unique")
        return fallback if ordered is None else ordered
    return fallback


def _item(value: Value, key: Value, fallback: Unknown) -> Value:
    if not isinstance(key, LText) or SYMBOL in key.text:
        return fallback
    if isinstance(value, dict):
        return value.get(key.text, fallback)
    if isinstance(value, tuple):
        try:
            index = int(key.text)
        except ValueError:
            return fallback
        return value[index] if -len(value) <= index < len(value) else fallback
    return fallback


def _contains(container: Value, item: Value, fallback: Unknown) -> Value:
    if isinstance(container, dict):
        if isinstance(item, LText) and SYMBOL not in item.text:
            return item.text in container
        return fallback
    if isinstance(container, tuple):
        results = [equal(v, item) for v in container]
        return True if True in results else fallback if None in results else False
    if isinstance(container, LText) and isinstance(item, LText):
        if SYMBOL in container.text + item.text:
            return fallback
        return item.text in container.text
    return fallback


def test(name: str, value: Value, fallback: Unknown) -> Value:
    """`value is name`."""
    if isinstance(value, Unknown):
        return fallback
    if name == "defined":
        return True
    if name == "undefined":
        return False
    if name == "none":
        return value is None
    if name == "string":
        return isinstance(value, LText)
    if name in ("sequence", "iterable"):
        return isinstance(value, tuple | dict | LText)
    if name == "mapping":
        return isinstance(value, dict)
    return fallback
