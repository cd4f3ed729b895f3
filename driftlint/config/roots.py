"""`.driftlint.yaml`'s `hiera:` and `roots:`: where a tree's Hiera hierarchy is, and the roots
an external node classifier (ENC) gives, which cannot be read from the tree (issue 25).

```yaml
hiera: {config: puppet/hiera.yaml}      # or {datadir: data, hierarchy: [nodes/%{fqdn}, common]}
roots:
  nodes:                                      # classes per node name or glob
    "web*.example.org": [role::web]
    db1.example.org: {classes: {mysql::server: {port: "3307"}}, parameters: {role: db}}
  enc: [enc/]                                 # YAML files in ENC output format
```
An ENC file holds one node's output (`classes:`, `parameters:`; the node is the file's name
without `.yaml`) or a mapping of node names to outputs.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from driftlint.config.yaml_nodes import (
    YamlDoc,
    key_at,
    load_yaml,
    mapping,
    quote,
    strings,
    tagged,
    type_name,
    value_at,
)
from driftlint.discover import is_inside
from driftlint.model import Span

HIERA_KEYS = ("config", "datadir", "hierarchy")
ROOTS_KEYS = ("nodes", "enc")
OUTPUT_KEYS = ("classes", "parameters", "environment")


@dataclass(frozen=True, slots=True)
class HieraRule:
    config: str = ""  # a hiera.yaml in the tree
    datadir: str = ""  # where the data is (with `hierarchy`, or for an absolute datadir)
    hierarchy: tuple[str, ...] = ()  # level paths relative to datadir


@dataclass(frozen=True, slots=True)
class RootRule:
    """One node as an ENC classifies it: the classes it declares (with parameters) and the
    top-scope variables it sets."""

    pattern: str  # a node name or a glob of names
    classes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    parameters: tuple[tuple[str, str], ...] = ()
    span: Span | None = None
    # Where each value is written: "name" for a parameter, "class::name" for a class's.
    where: tuple[tuple[str, Span], ...] = ()


def read_hiera(doc: YamlDoc, data: CommentedMap, root: Path) -> HieraRule | None:
    node = mapping(doc, data, "hiera")
    if node is None:
        return None
    doc.unknown_keys(node, HIERA_KEYS, " in `hiera`")
    fields: dict[str, str] = {}
    for key in ("config", "datadir"):
        if key not in node:
            continue
        value = node[key]
        if not isinstance(value, str) or tagged(value) or not value.strip():
            doc.error(f"`{key}` must be a non-empty string, not {type_name(value)}",
                      value_at(node, key))  # fmt: skip
        elif not is_inside(root, value):
            doc.error(f"`{key}` {quote(value)} must be a path inside the tree",
                      value_at(node, key), len(value))  # fmt: skip
        else:
            fields[key] = posixpath.normpath(value)
    hierarchy = tuple(t for t, _ in strings(doc, node, "hierarchy")) if "hierarchy" in node else ()
    if "config" in fields and hierarchy:
        doc.error("`hiera` takes `config` or `hierarchy`, not both", key_at(node, "hierarchy"))
        hierarchy = ()
    return HieraRule(fields.get("config", ""), fields.get("datadir", ""), hierarchy)


def read_roots(doc: YamlDoc, data: CommentedMap, root: Path) -> list[RootRule]:
    node = mapping(doc, data, "roots")
    if node is None:
        return []
    doc.unknown_keys(node, ROOTS_KEYS, " in `roots`")
    lines = _lines(root / doc.label)
    out: list[RootRule] = []
    if "nodes" in node:
        nodes = mapping(doc, node, "nodes")
        for name in nodes if nodes is not None else ():
            assert nodes is not None
            found = _output(
                doc, nodes[name], value_at(nodes, name), f"node {quote(str(name))}", lines
            )
            if found is not None:
                where = key_at(nodes, name)
                line, col = where if where is not None else (0, 0)
                classes, params, spans = found
                out.append(RootRule(str(name), classes, params, doc.span(line, col), spans))
    if "enc" in node:
        for text, where in strings(doc, node, "enc"):
            out.extend(_enc_files(doc, root, text, where))
    return out


def _enc_files(
    doc: YamlDoc, root: Path, folder: str, where: tuple[int, int] | None
) -> list[RootRule]:
    if not is_inside(root, folder) or not (root / folder).exists():
        doc.error(f"`enc` path {quote(folder)} does not exist in the tree", where, len(folder))
        return []
    path = root / folder
    files = (
        sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if path.is_dir()
        else [path]
    )
    out: list[RootRule] = []
    for file in files:
        rel = posixpath.normpath(posixpath.join(folder, file.name) if path.is_dir() else folder)
        if not is_inside(root, rel):
            continue
        sub = YamlDoc(rel, doc.known_codes)
        data = load_yaml(sub, file)
        lines = _lines(file)
        if isinstance(data, CommentedMap) and not tagged(data) and "classes" in data:
            found = _output(sub, data, None, "the ENC output", lines)
            if found is not None:
                classes, params, spans = found
                out.append(RootRule(file.stem, classes, params, sub.span(0, 0), spans))
        elif isinstance(data, CommentedMap) and not tagged(data):
            for name in data:
                what = f"node {quote(str(name))}"
                found = _output(sub, data[name], value_at(data, name), what, lines)
                if found is not None:
                    where = key_at(data, name)
                    line, col = where if where is not None else (0, 0)
                    classes, params, spans = found
                    out.append(RootRule(str(name), classes, params, sub.span(line, col), spans))
        elif data is not None:
            sub.error(f"an ENC file must be a mapping, not {type_name(data)}", None)
        doc.errors.extend(sub.errors)
    return out


Pairs = tuple[tuple[str, str], ...]
Output = tuple[tuple[tuple[str, Pairs], ...], Pairs, tuple[tuple[str, Span], ...]]


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _output(
    doc: YamlDoc, value: Any, where: tuple[int, int] | None, what: str, lines: list[str]
) -> Output | None:
    """An ENC output (or a bare list of classes): its classes with parameters, its
    parameters, and where each value is written."""
    if isinstance(value, CommentedSeq) and not tagged(value):
        value = CommentedMap({"classes": value})
    if not isinstance(value, CommentedMap) or tagged(value):
        doc.error(f"{what} must be a list of classes or an ENC output, not {type_name(value)}",
                  where)  # fmt: skip
        return None
    doc.unknown_keys(value, OUTPUT_KEYS, f" in {what}")
    classes: list[tuple[str, Pairs]] = []
    spans: list[tuple[str, Span]] = []
    listed = value.get("classes")
    if isinstance(listed, CommentedSeq):
        classes = [(str(c), ()) for c in listed if isinstance(c, str)]
    elif isinstance(listed, CommentedMap):
        for name, params in listed.items():
            if isinstance(params, CommentedMap):
                pairs = _scalars(doc, params, lines, f"{name}::", spans)
            else:
                pairs = ()
            classes.append((str(name), pairs))
    elif listed is not None:
        doc.error(f"`classes` of {what} must be a list or a mapping", value_at(value, "classes"))
    params = value.get("parameters")
    top = _scalars(doc, params, lines, "", spans) if isinstance(params, CommentedMap) else ()
    return tuple(classes), top, tuple(spans)


def _scalars(
    doc: YamlDoc, node: CommentedMap, lines: list[str], prefix: str, spans: list[tuple[str, Span]]
) -> Pairs:
    """String, number and boolean values; other values (lists, hashes) are left unknown.
    Where each is written goes to `spans` (after its quote, for a quoted one)."""
    out = []
    for key, value in node.items():
        if isinstance(value, bool):
            out.append((str(key), "true" if value else "false"))
        elif isinstance(value, str | int | float):
            out.append((str(key), str(value)))
        else:
            continue
        found = value_at(node, key)
        if found is not None:
            line, col = found
            text = lines[line] if line < len(lines) else ""
            quoted = col < len(text) and text[col] in "'\""
            spans.append((prefix + str(key), doc.span(line, col + quoted)))
    return tuple(out)
