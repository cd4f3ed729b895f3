"""Compiled catalogs as JSON, in every form driftlint reads, down to the resources that run
commands.

Forms read (one JSON document per file; a `Notice:` line that `puppet catalog compile` prints
before the document is skipped):
- `puppet catalog compile --render-as json`: `{"name", "resources": [...], "edges", "classes"}`,
  also wrapped as `{"document_type": "Catalog", "data": {...}}` (Puppet 3);
- PuppetDB's wire format (`replace catalog` v9): `{"certname", "resources": [...]}`;
- PuppetDB's query answers: a catalog from `/pdb/query/v4/catalogs` (resources as
  `{"href", "data"}`), a list of such catalogs, or a list of `/pdb/query/v4/resources` rows
  (each with its `certname`).

Only what can run a command is kept: `Exec` (`command`, `unless`, `onlyif`), `Cron` (`command`)
and `File`s that run (units, init scripts, cron files, scripts; their `content`, or the tree
file their `source` names) with the files those name (`/etc/default` files they source).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftlint.fleet.sites import may_run

COMMAND_ATTRS = {"Exec": ("command", "unless", "onlyif"), "Cron": ("command",)}
Param = str | tuple["Param", ...]


class CatalogError(Exception):
    """A catalog that cannot be read: the message names the file or the server."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource of a catalog, as much of it as a check needs; shared by every host whose
    catalog holds the same one (see `Interner`)."""

    type: str  # "Exec", "Cron" or "File"
    title: str
    file: str  # where the compiling machine read it ("" when the catalog does not say)
    line: int  # 0 when unknown
    params: tuple[tuple[str, Param], ...]  # command attributes; for files path, content, source

    def param(self, name: str) -> Param | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    @property
    def ref(self) -> str:
        return f"{self.type}[{self.title}]"


@dataclass(frozen=True, slots=True)
class Host:
    certname: str
    resources: tuple[Resource, ...]  # what runs commands, in catalog order
    classes: frozenset[str]  # role classes it declares, lower case (`role::mediawiki::x`)
    oversized: tuple[Resource, ...] = ()  # files whose content is too large to read


class Interner:
    """One object per distinct resource, so that a thousand hosts built from a few roles
    hold a few copies, and their commands are parsed once."""

    def __init__(self) -> None:
        self._seen: dict[Resource, Resource] = {}
        self._texts: dict[str, str] = {}

    def text(self, value: str) -> str:
        return self._texts.setdefault(value, value)

    def __call__(self, resource: Resource) -> Resource:
        return self._seen.setdefault(resource, resource)


Kept = tuple[str, Resource, str | None]  # ("command" | "file" | "oversized", resource, text)


@dataclass(slots=True)
class Selector:
    """Decides which resources of one host's catalog to keep.

    Hosts of one role hold the same resources: each distinct row is judged once, and each
    distinct set of files once, however many hosts hold them."""

    mentions: Callable[[str], bool]  # does a text name a watched script?
    read_source: Callable[[str], str | None]  # `puppet:///modules/...` -> its text in the tree
    role_prefix: str = "role::"
    max_size: int = 5_000_000
    interner: Interner = field(default_factory=Interner)
    tokens: tuple[str, ...] = ()  # the watched names and paths `mentions` looks for
    _rows: dict[tuple[Any, ...], Kept | None] = field(default_factory=dict)
    _kept: dict[tuple[int, ...], tuple[Resource, ...]] = field(default_factory=dict)

    def host(self, certname: str, rows: Iterable[dict[str, Any]]) -> Host:
        commands: list[Resource] = []
        files: list[tuple[Resource, str]] = []  # (resource, its text)
        oversized: list[Resource] = []
        classes: set[str] = set()
        prefix = self.role_prefix.lower()
        for row in rows:
            kind = row.get("type")
            if kind == "Class":
                title = str(row.get("title", "")).lower()
                if title.startswith(prefix):
                    classes.add(title)
                continue
            params = row.get("parameters")
            if kind not in ("Exec", "Cron", "File") or not isinstance(params, dict):
                continue
            key = (kind, row.get("title"), row.get("file"), row.get("line"), _key(kind, params))
            if key not in self._rows:
                self._rows[key] = self._row(kind, row, params)
            found = self._rows[key]
            if found is None:
                continue
            what, resource, text = found
            if what == "command":
                commands.append(resource)
            elif text is None:
                oversized.append(resource)
            else:
                files.append((resource, text))
        signature = tuple(id(r) for r, _ in files)
        if signature not in self._kept:
            self._kept[signature] = tuple(self._files(files))
        return Host(
            self.interner.text(certname),
            tuple(commands) + self._kept[signature],
            frozenset(classes),
            tuple(oversized),
        )

    def _row(self, kind: str, row: dict[str, Any], params: dict[str, Any]) -> Kept | None:
        intern = self.interner
        if str(params.get("ensure", "")) == "absent":
            return None
        title = str(row.get("title", ""))
        where = (str(row.get("file") or ""), _line(row.get("line")))
        if kind in COMMAND_ATTRS:
            kept = tuple((a, _param(params[a], intern)) for a in COMMAND_ATTRS[kind] if a in params)
            if kept and self.mentions(" ".join(_texts(v for _, v in kept))):
                return "command", intern(Resource(kind, intern.text(title), *where, kept)), None
            return None
        found = self._file(title, params, where, intern)
        return None if found is None else ("file", *found)

    def _file(
        self, title: str, params: dict[str, Any], where: tuple[str, int], intern: Interner
    ) -> tuple[Resource, str | None] | None:
        dest = str(params.get("path") or title)
        ensure = str(params.get("ensure", "file"))
        if ensure in ("directory", "link"):
            return None
        content = params.get("content")
        kept: list[tuple[str, Param]] = [("path", intern.text(dest))]
        if isinstance(content, str):
            if len(content) > self.max_size:
                return intern(Resource("File", intern.text(title), *where, tuple(kept))), None
            kept.append(("content", intern.text(content)))
            return intern(Resource("File", intern.text(title), *where, tuple(kept))), content
        source = params.get("source")
        refs = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        for ref in refs:
            if isinstance(ref, str) and ref.startswith("puppet:///"):
                text = self.read_source(ref)
                if text is not None:
                    kept.append(("source", intern.text(ref)))
                    return intern(Resource("File", intern.text(title), *where, tuple(kept))), text
        return None

    def _files(self, files: list[tuple[Resource, str]]) -> Iterator[Resource]:
        """The files that run a command of a watched script, and the files they name."""
        runs = [(r, t) for r, t in files if may_run(str(r.param("path")), t)]
        by_base: dict[str, list[tuple[Resource, str]]] = {}
        for resource, text in files:
            by_base.setdefault(posixpath.basename(str(resource.param("path"))), []).append(
                (resource, text)
            )
        kept: dict[Resource, None] = {}
        for resource, text in runs:
            named = [
                (other, other_text)
                for base, others in by_base.items()
                if base and base in text
                for other, other_text in others
                if other is not resource and str(other.param("path")) in text
            ]
            if self.mentions(text) or any(self.mentions(t) for _, t in named):
                kept[resource] = None
                kept.update((other, None) for other, _ in named)
        return iter(kept)


def _key(kind: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """What decides a row's fate besides its type, title and place, hashable."""
    if kind == "File":
        content = params.get("content")
        return (
            params.get("path"),
            params.get("ensure"),
            content if isinstance(content, str) else None,
            repr(params.get("source")),
        )
    return (params.get("ensure"), *(repr(params.get(a)) for a in COMMAND_ATTRS[kind]))


def _param(value: Any, intern: Interner) -> Param:
    if isinstance(value, list):
        return tuple(_param(v, intern) for v in value)
    if isinstance(value, str):
        return intern.text(value)
    return intern.text(json.dumps(value) if not isinstance(value, int | float) else str(value))


def _texts(values: Iterable[Param]) -> Iterator[str]:
    for value in values:
        if isinstance(value, tuple):
            yield from _texts(value)
        else:
            yield value


def _line(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


# --- files --------------------------------------------------------------------------------
def catalog_files(folder: Path) -> list[Path]:
    """Every `*.json` under folder, in a stable order."""
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def read_document(path: Path) -> Any:
    """The JSON document of a file; the log lines `puppet catalog compile` prints before it
    on stdout are skipped."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogError(f"{path}: cannot be read ({error.strerror})") from None
    start = 0
    while start < len(raw) and raw[start : start + 1] not in (b"{", b"["):
        newline = raw.find(b"\n", start)
        if newline < 0:
            start = len(raw)
            break
        start = newline + 1
    deep = too_deep(raw, start)
    if deep is not None:
        line = raw.count(b"\n", 0, deep) + 1
        column = deep - raw.rfind(b"\n", 0, deep)
        raise CatalogError(f"{path}:{line}:{column}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        document = json.loads(raw[start:])
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: not JSON ({error})") from None
    return document


MAX_DEPTH = 200  # a compiled catalog nests about 6 levels; parameters a few more
# What nests in JSON text: brackets outside strings (a string is skipped whole).
_NESTING = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def too_deep(raw: bytes, start: int = 0) -> int | None:
    """The byte offset of the bracket that opens level MAX_DEPTH + 1, if any: checked before
    `json.loads`, which recurses (100,000 `[` were a RecursionError, issue 30)."""
    depth = 0
    for found in _NESTING.finditer(raw, start):
        char = raw[found.start()]
        if char in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return found.start()
        elif char in b"]}":
            depth = max(0, depth - 1)
    return None


def hosts_of(document: Any, where: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(certname, resource rows) for each catalog a document holds."""
    if isinstance(document, dict) and document.get("document_type") == "Catalog":
        document = document.get("data")
    if isinstance(document, dict):
        yield _catalog(document, where)
        return
    if isinstance(document, list):
        if all(isinstance(d, dict) and "resources" in d for d in document):
            for item in document:
                yield _catalog(item, where)
            return
        if all(isinstance(d, dict) and "certname" in d and "type" in d for d in document):
            rows: dict[str, list[dict[str, Any]]] = {}
            for item in document:
                rows.setdefault(str(item["certname"]), []).append(item)
            yield from rows.items()
            return
    raise CatalogError(
        f"{where}: not a catalog (expected `puppet catalog compile` JSON, PuppetDB's wire "
        "format, or a PuppetDB query answer of catalogs or resources)"
    )


def _catalog(document: dict[str, Any], where: str) -> tuple[str, list[dict[str, Any]]]:
    certname = document.get("certname") or document.get("name")
    resources = document.get("resources")
    if isinstance(resources, dict):  # a PuppetDB query answer: {"href": ..., "data": [...]}
        resources = resources.get("data")
    if not isinstance(certname, str) or not certname or not isinstance(resources, list):
        raise CatalogError(
            f"{where}: not a catalog (no certname, or resources that are not a list;"
            " query PuppetDB with the resources expanded)"
        )
    return certname, [r for r in resources if isinstance(r, dict)]


def from_files(folder: Path) -> Callable[[Selector], tuple[list[Host], list[str]]]:
    """A loader of every catalog under folder; a file that cannot be read is an error that
    leaves the other files checked."""

    def load(selector: Selector) -> tuple[list[Host], list[str]]:
        hosts: dict[str, Host] = {}
        errors: list[str] = []
        for path in catalog_files(folder):
            try:
                for certname, rows in hosts_of(read_document(path), str(path)):
                    hosts[certname] = selector.host(certname, rows)
            except CatalogError as error:
                errors.append(str(error))
        if not hosts and not errors:
            errors.append(f"{folder}: no catalog (`*.json`) found")
        return list(hosts.values()), errors

    return load
