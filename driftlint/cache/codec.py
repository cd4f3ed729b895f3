"""Cache entries as data: JSON of plain values and driftlint's own records, checked on load.

A cache folder is input, not ours: CI caches are restored from one branch's pipeline into
another's, so a merge request can plant an entry that main's pipeline loads. Pickle runs what
an entry names (a `__reduce__` calling `os.system`), so entries hold data only:

    {"format": 1, "classes": [NAME, ...], "value": V}

where V is null, a bool, a number, a string, or an array whose first item is a tag: 0 tuple,
1 list, 2 frozenset, 3 set, 4 dict (keys and values alternating), 5 bytes (hex), and 16 + i an
instance of `classes[i]` (a dataclass of driftlint), its fields in order.

Loading is told the type the entry must have (`schema`). A record is built only for a class
that type reaches (its fields' annotations, their subclasses), every field checked against
its annotation; anything else (an unknown class, a missing field, a str where a span goes,
nesting past the interpreter's limit) makes the whole entry a miss, never a half-trusted value.
Records are restored through their slots as pickle did (no `__init__` runs).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

FORMAT = 1
_TUPLE, _LIST, _FROZENSET, _SET, _DICT, _BYTES = range(6)
_CLASS = 16


class Invalid(Exception):
    """An entry that is not what its schema says."""


Check = Callable[[object], bool]
Decode = Callable[[list[object]], object]


def _any(value: object) -> bool:
    return True


# --- encoding ----------------------------------------------------------------------------


def dumps(value: object) -> bytes:
    """The entry for value. Raises TypeError for a value that is not plain data or a
    driftlint dataclass (it is then not cached), RecursionError for one nested too deep."""
    classes: dict[type, int] = {}
    names: list[str] = []

    def encode(v: object) -> object:
        kind = type(v)
        if kind is str or kind is int or kind is bool or kind is float or v is None:
            return v
        if kind is tuple:
            return [_TUPLE, *map(encode, v)]  # type: ignore[call-overload]
        if kind is frozenset:
            return [_FROZENSET, *map(encode, v)]  # type: ignore[call-overload]
        if kind is bytes:
            return [_BYTES, v.hex()]  # type: ignore[attr-defined]
        index = classes.get(kind)
        if index is None:
            if kind is list:
                return [_LIST, *map(encode, v)]  # type: ignore[call-overload]
            if kind is set:
                return [_SET, *map(encode, v)]  # type: ignore[call-overload]
            if kind is dict:
                out: list[object] = [_DICT]
                for k, item in v.items():  # type: ignore[attr-defined]
                    out.append(encode(k))
                    out.append(encode(item))
                return out
            if not dataclasses.is_dataclass(kind) or not kind.__module__.startswith("driftlint"):
                raise TypeError(f"not cacheable: {kind.__module__}.{kind.__qualname__}")
            index = classes[kind] = _CLASS + len(names)
            names.append(_name(kind))
        return [index, *map(encode, _getter(kind)(v))]  # type: ignore[arg-type]

    body = encode(value)
    return json.dumps(
        {"format": FORMAT, "classes": names, "value": body},
        separators=(",", ":"),
        ensure_ascii=False,
        check_circular=False,
    ).encode("utf-8", "surrogatepass")


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@functools.cache
def _getter(cls: type) -> Callable[[object], tuple[object, ...]]:
    names = tuple(f.name for f in dataclasses.fields(cls))
    return lambda v: tuple(getattr(v, n) for n in names)


# --- decoding ----------------------------------------------------------------------------


def loads(data: bytes, schema: object) -> Any:
    """The value of an entry, if it is one of type `schema`; raises Invalid otherwise."""
    try:
        entry = json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as error:
        raise Invalid(str(error)) from None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        raise Invalid("not an entry of this format")
    names, body = entry.get("classes"), entry.get("value")
    known = _reachable(schema)
    if not isinstance(names, list) or not all(isinstance(n, str) and n in known for n in names):
        raise Invalid("a class the schema does not reach")
    makers = [known[n] for n in names]
    check = _check(schema)

    def decode(v: list[object]) -> object:
        if not v:
            raise Invalid("an empty array")
        tag = v[0]
        if type(tag) is not int:
            raise Invalid("an untagged array")
        if tag >= _CLASS:
            try:
                make = makers[tag - _CLASS]
            except IndexError:
                raise Invalid("an unknown class number") from None
            return make(v, decode)
        items = [decode(x) if type(x) is list else x for x in v[1:]]
        if tag == _TUPLE:
            return tuple(items)
        if tag == _FROZENSET:
            return frozenset(items)
        if tag == _LIST:
            return items
        if tag == _SET:
            return set(items)
        if tag == _DICT:
            if len(items) % 2:
                raise Invalid("a dict with a key and no value")
            return dict(zip(items[::2], items[1::2], strict=True))
        if tag == _BYTES and len(items) == 1 and isinstance(items[0], str):
            try:
                return bytes.fromhex(items[0])
            except ValueError:
                raise Invalid("bytes that are not hex") from None
        raise Invalid(f"an unknown tag {tag}")

    try:
        value = decode(body) if type(body) is list else body
    except (RecursionError, TypeError):  # TypeError: an unhashable key or set member
        raise Invalid("not a value") from None
    if not check(value):
        raise Invalid("not of the schema's type")
    return value


@functools.cache
def _reachable(schema: object) -> dict[str, Callable[[list[object], Decode], object]]:
    """Every driftlint dataclass a value of type schema can hold, by name, each with the
    function that builds one from its decoded fields (checked against their annotations)."""
    out: dict[str, Callable[[list[object], Decode], object]] = {}
    todo = [schema]
    seen: dict[int, object] = {}  # by id, holding each type so that its id is not reused
    while todo:
        tp = todo.pop()
        if id(tp) in seen:
            continue
        seen[id(tp)] = tp
        text = _forward(tp)
        if text is not None:
            if text not in seen.values():
                seen[id(text)] = text
                todo.append(_evaluate(text))
            continue
        todo.extend(typing.get_args(tp))
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            for cls in _with_subclasses(tp):
                if _name(cls) not in out:
                    hints = _hints(cls)
                    out[_name(cls)] = _maker(cls, hints)
                    todo.extend(hints)
                    todo.append(cls)
    return out


def _with_subclasses(cls: type) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():  # type: ignore[var-annotated]
        out.extend(_with_subclasses(sub))
    # `dataclass(slots=True)` makes a new class: the one it replaced may still be listed as
    # a subclass until collected. Only the class its module names is the real one.
    return [
        c
        for c in out
        if c.__module__.startswith("driftlint")
        and getattr(sys.modules.get(c.__module__), c.__qualname__, None) is c
    ]


def _hints(cls: type) -> list[object]:
    """Each field's annotation, evaluated in its module. An alias written as text (the
    recursive `driftlint.values.Value`) stays a `ForwardRef`, resolved when first checked."""
    space = _namespace(cls.__module__)
    return [
        eval(f.type, space) if isinstance(f.type, str) else f.type for f in dataclasses.fields(cls)
    ]


def _namespace(module: str) -> dict[str, object]:
    # Names a module imports only for type checking (`LText` in driftlint.model) are found
    # in the modules that define the core records.
    space: dict[str, object] = {}
    for name in ("driftlint.model", "driftlint.ltext", "driftlint.values", module):
        found = sys.modules.get(name)
        if found is not None:
            space.update(vars(found))
    return space


def _forward(tp: object) -> str | None:
    """The text of an annotation left as text (a str or a ForwardRef), else None."""
    if isinstance(tp, str):
        return tp
    if isinstance(tp, typing.ForwardRef):
        return tp.__forward_arg__
    return None


def _evaluate(text: str) -> object:
    return eval(text, _namespace("driftlint.values"))


def _maker(cls: type, hints: list[object]) -> Callable[[list[object], Decode], object]:
    """Build a cls from its encoded fields: each decoded, checked, then set through its slot
    (or the instance dict), as unpickling did, so no `__init__` or `__post_init__` runs.

    The function is written out per class (field numbers and our own names only, as
    `driftlint.model.fast_pickling` does): a loop over fields was most of the time to load."""
    names = [f.name for f in dataclasses.fields(cls)]
    space: dict[str, object] = {"new": object.__new__, "cls": cls, "Invalid": Invalid}
    lines = [
        "def make(v, decode):",
        f"    if len(v) != {len(names) + 1}:",
        "        raise Invalid('a record with other fields')",
        "    obj = new(cls)",
    ]
    for i, (name, hint) in enumerate(zip(names, hints, strict=True)):
        slot = next(
            (k.__dict__[name] for k in cls.__mro__ if name in k.__dict__.get("__slots__", ())),
            None,
        )
        space[f"set{i}"] = slot.__set__ if slot is not None else functools.partial(_set_dict, name)
        plain = _plain(hint)
        if plain is not None:
            space[f"t{i}"] = plain
            test = f"isinstance(x, t{i})"
        else:
            space[f"c{i}"] = _check(hint)
            test = f"c{i}(x)"
        lines += [
            f"    x = v[{i + 1}]",
            "    if type(x) is list:",
            "        x = decode(x)",
            f"    if not {test}:",
            "        raise Invalid('a field of the wrong type')",
            f"    set{i}(obj, x)",
        ]
    lines.append("    return obj")
    exec("\n".join(lines), space)  # our own text, made of field numbers only
    return space["make"]  # type: ignore[return-value]


def _plain(tp: object) -> tuple[type, ...] | None:
    """The classes an isinstance() test of tp takes, when that test is the whole check."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        parts = [type(None) if a is None else a for a in args]
    else:
        parts = [type(None) if tp is None else tp]
    if not all(isinstance(p, type) and typing.get_origin(p) is None for p in parts):
        return None
    if any(p in (int, float, tuple, frozenset, list, set, dict) for p in parts):
        return None  # bool is an int, an int a float, and a container's items need checking
    return tuple(parts)


def _set_dict(name: str, obj: object, value: object) -> None:
    obj.__dict__[name] = value


@functools.cache
def _check(tp: Any) -> Check:
    """A function that says whether a decoded value has type tp (shallow for records: a
    record was checked when it was built)."""
    if tp is Any or tp is object:
        return _any
    text = _forward(tp)
    if text is not None:
        resolved: list[Check] = []

        def lazy(v: object) -> bool:  # a recursive alias: resolved once it is needed
            if not resolved:
                resolved.append(_check(_evaluate(text)))
            return resolved[0](v)

        return lazy
    if tp is None or tp is type(None):
        return lambda v: v is None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if all(isinstance(a, type) and typing.get_origin(a) is None for a in args):
            plain = tuple(type(None) if a is type(None) else a for a in args)
            return _instance(plain)
        parts = [_check(a) for a in args]
        return lambda v: any(p(v) for p in parts)
    if origin is typing.Literal:
        return lambda v: v in args
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _check(args[0])
            if item is _any:
                return lambda v: type(v) is tuple
            return lambda v: type(v) is tuple and all(map(item, v))
        if args == ((),):
            return lambda v: v == ()
        if not args:
            return lambda v: type(v) is tuple
        items = [_check(a) for a in args]
        return lambda v: (
            type(v) is tuple
            and len(v) == len(items)
            and all(c(x) for c, x in zip(items, v, strict=True))
        )
    if origin in (frozenset, set, list):
        item = _check(args[0]) if args else _any
        return lambda v: type(v) is origin and all(map(item, v))  # type: ignore[call-overload]
    if origin is dict:
        key, value = (_check(args[0]), _check(args[1])) if args else (_any, _any)
        return lambda v: type(v) is dict and all(map(key, v.keys())) and all(map(value, v.values()))
    if origin is not None:
        return lambda v: False  # a form this code does not store (a callable, an iterator)
    if tp is float:
        return _instance((int, float))
    if tp is int:
        return lambda v: type(v) is int or type(v) is bool
    if isinstance(tp, type):
        if tp in (tuple, frozenset, list, set, dict):
            return lambda v: type(v) is tp
        return _instance((tp,))
    return lambda v: False


def _instance(classes: tuple[type, ...]) -> Check:
    if float in classes and int not in classes:
        classes = (*classes, int)
    return lambda v: isinstance(v, classes)
