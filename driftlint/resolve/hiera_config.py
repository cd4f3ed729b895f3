"""Read a `hiera.yaml` (v5, and the v3 `:hierarchy:` form) into hierarchy levels."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Literal

from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.parse.yaml import load_yaml
from driftlint.values import Value

Kind = Literal["path", "glob", "mapped"]
Backend = Literal["yaml", "expand_path"]

# `lookup_key` functions we can model without running them. WMF's `wmflib::expand_path` reads
# key `a::b::c` from `<path>/a/b.yaml` (and a key without `::` from `<path>.yaml`).
_LOOKUP_KEYS: dict[str, Backend] = {"wmflib::expand_path": "expand_path"}
_PATH_KEYS: tuple[tuple[str, Kind], ...] = (
    ("path", "path"),
    ("paths", "path"),
    ("glob", "glob"),
    ("globs", "glob"),
)


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    datadir: str  # relative to the tree root, normalised; "" is the root itself
    paths: tuple[str, ...]  # path templates relative to datadir, with `%{...}` still in them
    kind: Kind = "path"
    backend: Backend = "yaml"
    mapped_var: str = ""  # mapped_paths: the variable each element of the fact is bound to
    span: Span | None = None  # where the level is declared
    # An absolute datadir on the puppet server (`/etc/puppet/data`) read as the tree's folder
    # of the same tail (`data`): the datadir as written, else "".
    moved_from: str = ""


@dataclass(frozen=True, slots=True)
class SkippedLevel:
    name: str
    reason: str  # "lookup_key wmflib::regex_data", "absolute datadir /etc/puppet/hieradata"
    span: Span | None = None


def read_config(
    text: str, path: str, folders: frozenset[str] = frozenset()
) -> tuple[tuple[Level, ...], tuple[SkippedLevel, ...], tuple[Finding, ...]]:
    """Levels in priority order, the levels we cannot read, and problems with the file.

    `folders`: the tree's folders; an absolute datadir is read as the one of them that ends
    with the longest tail of it (`/etc/puppet/data` as `data`), since the config is the puppet
    server's and the data is in the tree."""
    data, errors = load_yaml(text, path)
    if not isinstance(data, dict):
        if data is not None:
            errors += (_warn(path, "hiera config is not a hash"),)
        return (), (), errors
    if ":hierarchy" in data or ":backends" in data:
        levels, skipped = _read_v3(data, path, folders)
    else:
        levels, skipped = _read_v5(data, path, folders)
    return levels, skipped, errors


def tree_folder(datadir: str, folders: frozenset[str]) -> str | None:
    """The tree folder an absolute datadir stands for: the longest tail of it that is one."""
    parts = [p for p in datadir.split("/") if p and p != "."]
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        if tail in folders:
            return tail
    return None


def _warn(path: str, message: str, span: Span | None = None) -> Finding:
    return Finding(span or Span(path, 1, 1, 1, 2), "parse-error", message, severity="warning")


def _text(value: Value) -> str | None:
    return value.text if isinstance(value, LText) else None


def _texts(value: Value) -> tuple[str, ...]:
    items = value if isinstance(value, tuple) else (value,)
    return tuple(t for v in items if (t := _text(v)) is not None)


def _span(value: Value) -> Span | None:
    return value.span() if isinstance(value, LText) else None


def _datadir(config: str, datadir: str, folders: frozenset[str] = frozenset()) -> str | None:
    """The datadir relative to the tree root; None when it lies outside the tree."""
    if posixpath.isabs(datadir):
        return tree_folder(datadir, folders)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(config), datadir))
    if joined == ".":
        return ""
    return None if joined.startswith("..") else joined


def _read_v5(
    data: dict[str, Value], path: str, folders: frozenset[str]
) -> tuple[tuple[Level, ...], tuple[SkippedLevel, ...]]:
    defaults = data.get("defaults")
    defaults = defaults if isinstance(defaults, dict) else {}
    hierarchy = data.get("hierarchy")
    if not isinstance(hierarchy, tuple):
        # Puppet's default hierarchy for an environment or module layer (hiera.yaml v5 docs).
        hierarchy = ({"name": LText.plain("Common"), "path": LText.plain("common.yaml")},)
    levels: list[Level] = []
    skipped: list[SkippedLevel] = []
    for entry in hierarchy:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("name")) or "?"
        span = _span(entry.get("name"))
        found = _level(entry, defaults, path, name, span, folders)
        if isinstance(found, Level):
            levels.append(found)
        else:
            skipped.append(SkippedLevel(name, found, span))
    return tuple(levels), tuple(skipped)


def _level(
    entry: dict[str, Value],
    defaults: dict[str, Value],
    path: str,
    name: str,
    span: Span | None,
    folders: frozenset[str],
) -> Level | str:
    """The level, or why it is skipped."""
    backend: Backend = "yaml"
    functions = [k for k in ("data_hash", "lookup_key", "data_dig", "hiera3_backend") if k in entry]
    source = entry if functions else defaults
    function = next((k for k in ("data_hash", "lookup_key", "data_dig") if k in source), "")
    called = _text(source.get(function)) if function else "yaml_data"
    if "hiera3_backend" in entry:
        return f"hiera3_backend {_text(entry['hiera3_backend'])}"
    if function == "lookup_key" and called in _LOOKUP_KEYS:
        backend = _LOOKUP_KEYS[called]
    elif function not in ("", "data_hash") or called != "yaml_data":
        return f"{function or 'data_hash'} {called}"
    raw_dir = _text(entry.get("datadir")) or _text(defaults.get("datadir")) or "data"
    datadir = _datadir(path, raw_dir, folders)
    if datadir is None:
        return f"datadir {raw_dir} is outside the tree"
    moved = raw_dir if posixpath.isabs(raw_dir) else ""
    for key, kind in _PATH_KEYS:
        if key in entry:
            texts = _texts(entry[key])
            return Level(name, datadir, texts, kind, backend, span=span, moved_from=moved)
    mapped = entry.get("mapped_paths")
    if isinstance(mapped, tuple) and len(mapped) == 3:
        var, template = _text(mapped[1]), _text(mapped[2])
        if var and template:
            return Level(name, datadir, (template,), "mapped", backend, var, span, moved)
    if "uri" in entry or "uris" in entry:
        return "uri levels read no files"
    return "no path"


def _read_v3(
    data: dict[str, Value], path: str, folders: frozenset[str]
) -> tuple[tuple[Level, ...], tuple[SkippedLevel, ...]]:
    backends = _texts(data.get(":backends", LText.plain("yaml")))
    if "yaml" not in backends:
        return (), (SkippedLevel("hiera 3", f"backends {', '.join(backends)}"),)
    options = data.get(":yaml")
    raw_dir = _text(options.get(":datadir")) if isinstance(options, dict) else None
    datadir = _datadir(path, raw_dir or "hieradata", folders)
    names = _texts(data.get(":hierarchy", LText.plain("common")))
    if datadir is None:
        return (), tuple(SkippedLevel(n, f"datadir {raw_dir} is outside the tree") for n in names)
    moved = raw_dir if raw_dir and posixpath.isabs(raw_dir) else ""
    return tuple(Level(n, datadir, (n + ".yaml",), moved_from=moved) for n in names), ()
