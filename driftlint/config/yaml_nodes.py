"""Strict reading of YAML config files: round-trip nodes with the line and column of each key."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from driftlint.errors import SetupError
from driftlint.model import Span

# A config is a few lines; anything this large is a mistake, and is not worth parsing.
MAX_CONFIG_SIZE = 1_000_000


@dataclass(slots=True)
class YamlDoc:
    """One YAML file being validated: its label for messages and the errors found so far."""

    label: str  # the path as shown in messages
    known_codes: frozenset[str]
    errors: list[SetupError] = field(default_factory=list)

    def span(self, line0: int, col0: int, length: int = 0) -> Span:
        return Span(self.label, line0 + 1, col0 + 1, line0 + 1, col0 + 1 + length)

    def error(self, message: str, where: tuple[int, int] | None, length: int = 0) -> None:
        span = self.span(*where, length) if where is not None else Span(self.label, 1, 1, 1, 1)
        self.errors.append(SetupError(message, span))

    def unknown_keys(self, node: CommentedMap, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key in allowed:
                continue
            text = str(key)
            message = f"unknown key {quote(text)}{what}"
            close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6)
            if close:
                message += f'; did you mean "{close[0]}"?'
            else:
                message += f"; expected one of {', '.join(allowed)}"
            self.error(message, key_at(node, key), len(text))

    def codes(self, values: list[tuple[str, tuple[int, int] | None]]) -> frozenset[str]:
        out = set()
        for code, where in values:
            if self.known_codes and code not in self.known_codes:
                message = f"unknown code {quote(code)}"
                close = difflib.get_close_matches(code, sorted(self.known_codes), n=1)
                if close:
                    message += f'; did you mean "{close[0]}"?'
                self.error(message, where, len(code))
            else:
                out.add(code)
        return frozenset(out)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def key_at(node: CommentedMap, key: Any) -> tuple[int, int] | None:
    try:
        line, col = node.lc.key(key)
        return int(line), int(col)
    except (AttributeError, KeyError, TypeError):
        return at(node)


def value_at(node: CommentedMap, key: Any) -> tuple[int, int] | None:
    try:
        line, col = node.lc.value(key)
        return int(line), int(col)
    except (AttributeError, KeyError, TypeError):
        return key_at(node, key)


def item_at(node: CommentedSeq, index: int) -> tuple[int, int] | None:
    try:
        line, col = node.lc.item(index)
        return int(line), int(col)
    except (AttributeError, KeyError, TypeError, IndexError):
        return at(node)


def at(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or getattr(lc, "line", None) is None:
        return None
    return int(lc.line), int(lc.col)


def tagged(value: Any) -> bool:
    """A value written with an explicit non-core tag (`!foo`, `!!python/object:...`)."""
    tag = getattr(value, "tag", None)
    return getattr(tag, "value", None) is not None


def type_name(value: Any) -> str:
    if tagged(value):
        return "a tagged value"
    if isinstance(value, CommentedMap):
        return "a mapping"
    if isinstance(value, CommentedSeq):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a tagged value"


def strings(
    doc: YamlDoc, parent: CommentedMap, key: str, single: bool = True
) -> list[tuple[str, tuple[int, int] | None]]:
    """`key: [a, b]` (or `key: a` when single is allowed) as (text, location) pairs."""
    value = parent[key]
    if single and isinstance(value, str) and not tagged(value):
        return [(value, value_at(parent, key))]
    if not isinstance(value, CommentedSeq) or tagged(value):
        doc.error(
            f"`{key}` must be a list of strings, not {type_name(value)}", value_at(parent, key)
        )
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and not tagged(item) and item:
            out.append((item, item_at(value, i)))
        else:
            doc.error(
                f"`{key}` entries must be non-empty strings, not {type_name(item)}",
                item_at(value, i),
            )
    return out


def mapping(doc: YamlDoc, parent: CommentedMap, key: str) -> CommentedMap | None:
    value = parent[key]
    if isinstance(value, CommentedMap) and not tagged(value):
        return value
    doc.error(f"`{key}` must be a mapping, not {type_name(value)}", value_at(parent, key))
    return None


def load_yaml(doc: YamlDoc, path: Path) -> Any:
    """The YAML document of path (round-trip nodes, for positions), or None with an error."""
    try:
        if path.stat().st_size > MAX_CONFIG_SIZE:
            doc.error(f"file is larger than {MAX_CONFIG_SIZE} bytes", None)
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        doc.error(f"not valid UTF-8 at byte {error.start}", None)
        return None
    except OSError as error:
        doc.error(f"cannot be read: {error.strerror or error}", None)
        return None
    try:
        # The round-trip loader keeps line/column of every key and never builds Python objects
        # from tags: `!!python/object` becomes a tagged mapping, rejected below.
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        where = (mark.line, mark.column) if mark is not None else None
        doc.error(f"invalid YAML: {problem}", where)
    except Exception as error:  # deep nesting and the like: never let a config crash the run
        doc.error(f"invalid YAML: {type(error).__name__}", None)
    return None
