"""Resource types the tree does not define: which parameter installs which kind of file or is a
command, from the shipped rules/resource-types.yaml; for a type in no pack, a `command` is a
command and a `content` that reads as a known kind of call site is read as one."""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from driftlint.ltext import LText
from driftlint.sites import SITES, by_text
from driftlint.values import Value

COMMAND = "command"
# A command line a monitoring daemon runs after replacing its `$MACRO$`s (driftlint.sites.macros)
MACRO_COMMAND = "command-with-macros"
# Types whose attributes extraction reads already, or that never run a command.
HANDLED = frozenset({"file", "exec", "cron", "package", "user", "group", "notify", "class"})


@dataclass(frozen=True, slots=True)
class Param:
    kind: str  # "command", "command-with-macros" or a kind of call site (driftlint.sites.SITES)
    append: tuple[str, ...] = ()  # parameters whose values follow on the same line


Types = Mapping[str, Mapping[str, Param]]


def load_types(paths: Sequence[Path]) -> dict[str, dict[str, Param]]:
    """Merge packs in order; a missing or malformed file raises `ValueError` naming it."""
    out: dict[str, dict[str, Param]] = {}
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            for name, params in (data.get("types") or {}).items():
                out[str(name).lower().lstrip(":")] = {
                    str(p): _param(spec) for p, spec in params.items()
                }
        except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: cannot read resource type rules: {error}") from error
    return out


def _param(spec: object) -> Param:
    append: tuple[str, ...] = ()
    if isinstance(spec, str):
        kind = spec
    elif isinstance(spec, dict):
        kind, append = str(spec["kind"]), tuple(str(a) for a in spec.get("append") or ())
    else:
        raise ValueError(f"expected a kind or {{kind:, append:}}, not {spec!r}")
    if kind not in (COMMAND, MACRO_COMMAND) and kind not in SITES:
        raise ValueError(
            f"unknown kind `{kind}`; expected `command`, `{MACRO_COMMAND}` "
            f"or one of {sorted(SITES)}"
        )
    return Param(kind, append)


@functools.cache
def default_types() -> dict[str, dict[str, Param]]:
    """The shipped rules/resource-types.yaml."""
    name = "resource-types.yaml"
    try:
        packaged = importlib.resources.files("driftlint") / "rules" / name
        if packaged.is_file():
            return load_types([Path(str(packaged))])
    except (ModuleNotFoundError, OSError):
        pass
    return load_types([Path(__file__).resolve().parents[2] / "rules" / name])


def texts(
    type_name: str, attrs: Mapping[str, list[Value]], types: Types
) -> list[tuple[str, LText]]:
    """(kind, text) for each value of a resource that is a command or a call site's text."""
    kind = type_name.lower().lstrip(":")
    if kind in HANDLED:
        return []
    out: list[tuple[str, LText]] = []
    known = types.get(kind)
    if known is not None:
        for param, rule in known.items():
            for value in attrs.get(param, ()):
                for text in _strings(value, rule.kind in (COMMAND, MACRO_COMMAND)):
                    tails = [t for a in rule.append for v in attrs.get(a, ()) for t in _strings(v)]
                    out.append((rule.kind, LText.join([text, *tails], " ")))
        return out
    if "::" not in kind:
        return []  # a core or native type this pack does not know: nothing to guess from
    for value in attrs.get("command", ()):
        out.extend((COMMAND, t) for t in _strings(value, True))
    for value in attrs.get("content", ()):
        for text in _strings(value):
            site = by_text(text.text)
            if site is not None:
                out.append((site.name, text))
    return out


def _strings(value: Value, each: bool = False) -> list[LText]:
    """The texts of a value: a string, or an array's strings (each one on its own when
    `each`, else joined as lines of one file)."""
    if isinstance(value, LText):
        return [value]
    if isinstance(value, tuple):
        items = [v for v in value if isinstance(v, LText)]
        return items if each else ([LText.join(items, "\n")] if items else [])
    return []
