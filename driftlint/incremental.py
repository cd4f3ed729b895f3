"""Evaluate again only the roots whose reads changed since a stored run (issue 17).

A CI gate checks a change, not a tree: most roots of a real tree read none of the files a
change touches. Each run keeps, per root (a role, a node, a class no root reaches), what its
evaluation produced and what it read (driftlint.reads): class and define names, Hiera keys,
tree files. The next run of a tree with the same global inputs compares:

- **names**: the text and place of each class and define (a digest of its source slice and
  span, so an edit above a class moves it and changes it), and whether it is relevant;
- **keys**: each Hiera data file's top-level keys, by a digest of each key's lines and where
  they start (`key_digests`); a new or removed file changes every key it has;
- **files**: every file's content digest, as the run cache reads them.

A root is evaluated again when one of its reads changed, when a problem it found is in a
changed file, or when it is new; the others' results come from the store. Global inputs
(driftlint's build, the config, the watched scripts, wrappers, template functions, top-level
statements, Hiera configs, links and `Exec` defaults) are the store's key: any change there is
a cold run. The answer is the same as a cold run's (tests/test_incremental.py compares both
on every fixture and on generated trees after random edits).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from driftlint import safe_re
from driftlint.cache import codec
from driftlint.cache.rows import Rows, encode
from driftlint.cache.store import build_id, read_entry
from driftlint.model import Finding, Invocation
from driftlint.parse.puppet import ast
from driftlint.reads import GLOB, FrozenReads
from driftlint.resolve.hiera_layers import _glob_regex
from driftlint.resolve.relevance import Relevance
from driftlint.resolve.scope import Index

RootId = tuple[str, str]  # ("role" | "fact" | "node" | "class", name or digest)
ALL = "*"  # a key that stands for every key: a data file the line scan cannot read
EVERY = "**"  # every key of every file: `lookup_options` changed


@dataclass(frozen=True, slots=True)
class RootOut:
    """What evaluating one root gave, and what it read."""

    label: str | None
    invocations: tuple[Invocation, ...]
    classes: frozenset[str]  # classes and defines it reached
    installed: frozenset[str]  # paths it installs
    cut: tuple[Finding, ...]  # bodies cut short
    problems: tuple[Finding, ...]  # templates and data files it found broken
    reads: FrozenReads


@dataclass(slots=True)
class State:
    """A run's inputs and its roots' results, as stored for the next run."""

    files: dict[str, bytes]
    names: dict[str, bytes]
    relevant: frozenset[str]
    keys: dict[str, dict[str, bytes]]  # data file -> top-level key -> digest
    data_errors: dict[str, tuple[bytes, tuple[Finding, ...]]]  # data file -> (digest, problems)
    roots: dict[RootId, RootOut] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stored:
    """The store's row for a key: the inputs of its last run (`state`, its roots left out)
    and the row of each root's result, named by a digest of its content."""

    state: State
    rows: dict[RootId, str]


@dataclass(slots=True)
class Changes:
    """What differs between a stored state and the tree now."""

    files: frozenset[str]
    names: frozenset[str]
    keys: dict[str, frozenset[str]]  # top-level key -> data files where it changed

    def touches(self, out: RootOut) -> bool:
        reads = out.reads
        if not self.files.isdisjoint(reads.files) or not self.names.isdisjoint(reads.names):
            return True
        if any(p.span.path in self.files for p in (*out.problems, *out.cut)):
            return True
        if not self.keys or not reads.keys:
            return False
        if EVERY in self.keys:
            return True  # how every key merges changed
        wanted = {k.split(".", 1)[0].removeprefix("::") for k in reads.keys} | {ALL}
        where = [f for k in wanted & self.keys.keys() for f in self.keys[k]]
        return any(_in_hierarchy(f, reads.tried) for f in where)


def _in_hierarchy(path: str, tried: frozenset[str]) -> bool:
    """Does a root whose lookups tried these paths and globs read the data file `path`?"""
    if path in tried:
        return True
    return any(
        t.startswith(GLOB) and safe_re.linear(_glob_regex(t[len(GLOB) :]))(path) for t in tried
    )


def changes(
    old: State,
    files: Mapping[str, bytes],
    names: Mapping[str, bytes],
    relevant: frozenset[str],
    keys: Mapping[str, dict[str, bytes]],
) -> Changes:
    changed_files = {p for p in old.files.keys() | files.keys() if old.files.get(p) != files.get(p)}
    changed_names = {n for n in old.names.keys() | names.keys() if old.names.get(n) != names.get(n)}
    changed_names |= old.relevant ^ relevant
    changed_keys: dict[str, set[str]] = {}
    for path in old.keys.keys() | keys.keys():
        before, after = old.keys.get(path, {}), keys.get(path, {})
        if before is after:
            continue
        for key in before.keys() | after.keys():
            if before.get(key) != after.get(key):
                changed_keys.setdefault(key, set()).add(path)
    if "lookup_options" in changed_keys:
        changed_keys[EVERY] = set()  # how every key merges may have changed
    return Changes(
        frozenset(changed_files),
        frozenset(changed_names),
        {k: frozenset(v) for k, v in changed_keys.items()},
    )


# --- digests of the inputs ---------------------------------------------------------------


def definition_digests(index: Index, read: Callable[[str], str | None]) -> dict[str, bytes]:
    """Each class and define's source text and place."""
    lines: dict[str, list[int]] = {}
    out: dict[str, bytes] = {}
    for kind, table in (("class", index.classes), ("define", index.defines)):
        for name, node in table.items():
            out[name] = _slice_digest(kind, node, read, lines)
    return out


def node_digest(node: ast.NodeDef, read: Callable[[str], str | None]) -> str:
    return _slice_digest("node", node, read, {}).hex()


def toplevel_digest(index: Index, read: Callable[[str], str | None]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    lines: dict[str, list[int]] = {}
    for node in index.toplevel:
        digest.update(_slice_digest("top", node, read, lines))
    return digest.hexdigest()


def _slice_digest(
    kind: str, node: ast.Node, read: Callable[[str], str | None], lines: dict[str, list[int]]
) -> bytes:
    span = node.span
    text = read(span.path) or ""
    starts = lines.get(span.path)
    if starts is None:
        starts = lines[span.path] = _line_starts(text)
    begin = _offset(starts, span.line, span.column)
    end = _offset(starts, span.end_line, span.end_column)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{kind}\0{span.path}\0{span.line}\0{span.column}\0".encode())
    digest.update(text[begin:end].encode("utf-8", "surrogatepass"))
    return digest.digest()


def _line_starts(text: str) -> list[int]:
    # Lines end at "\n" only (as spans count them), so split on it, not on splitlines()'s set.
    return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


def _offset(starts: list[int], line: int, column: int) -> int:
    if line < 1:
        return 0
    if line > len(starts):
        return starts[-1] + 10**9
    return starts[line - 1] + max(column - 1, 0)


_KEY_LINE = re.compile(
    r"""^(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\n]|'')*)'|([^\s#'"\-][^\n]*?))[ \t]*:(?:[ \t]|$)""", re.M
)
_UNSURE = re.compile(r"^[{\[?&!*%|>]", re.M)


def key_digests(text: str | None) -> dict[str, bytes]:
    """A Hiera data file's top-level keys, each with a digest of its lines and where they
    start; a file the line scan cannot read gives {ALL: digest of the file}."""
    if text is None:
        return {}
    body = text.lstrip("\ufeff")
    if _UNSURE.search(body) or body.lstrip().startswith(("{", "[")):
        return {
            ALL: hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        }
    found = list(_KEY_LINE.finditer(text))
    out: dict[str, bytes] = {}
    # What comes before the first key (comments, `---`) moves every key below it: a key's
    # digest holds its line number, so that is seen without a key of its own.
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        key = match.group(1) if match.group(1) is not None else match.group(2)
        key = key if key is not None else match.group(3)
        line = text.count("\n", 0, match.start())
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{line}\0".encode())
        digest.update(text[match.start() : end].encode("utf-8", "surrogatepass"))
        if key in out:  # a key written twice: YAML's last one wins, both matter
            digest.update(out[key])
        out[key] = digest.digest()
    return out


# --- shards: one part of the roots per CI job, joined by `driftlint merge` ------------------


@dataclass(frozen=True, slots=True)
class Shard:
    """`check --shard INDEX/COUNT` (evaluate one part of the roots, write it to `folder`), or
    with `merge`, `driftlint merge` (join the shards in `folder` into one run's answer)."""

    index: int  # 1-based, as GitLab's CI_NODE_INDEX
    count: int
    folder: Path
    merge: bool = False

    @property
    def path(self) -> Path:
        return self.folder / f"shard-{self.index}-of-{self.count}.json"


@dataclass(frozen=True, slots=True)
class ShardFile:
    """What one shard job leaves for the merge: its roots and the inputs they were read from."""

    key: str  # the store key: driftlint's build and the run's global inputs
    index: int
    count: int
    state: State


Item = TypeVar("Item")


def part(items: Sequence[Item], index: int, count: int) -> list[Item]:
    """The index-th of count contiguous parts (1-based): alike roots, next to each other in
    the root order, share one job's memo."""
    size = len(items)
    return list(items[size * (index - 1) // count : size * index // count])


def write_shard(shard: Shard, key: str, state: State) -> None:
    """The shard's file, written whole under a temporary name and renamed into place."""
    data = codec.dumps(ShardFile(key, shard.index, shard.count, state))
    shard.folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=shard.folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, shard.path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_shards(folder: Path, key: str, notes: list[str]) -> State | None:
    """The union of the shards in folder written for this key (the same build and global
    inputs); None when there is none. Every shard file is data checked on read: one that does
    not load, or belongs to other inputs, is left out and said in `notes` (its roots are then
    evaluated by the merge, so the answer stays a whole run's)."""
    found: dict[int, ShardFile] = {}
    counts: set[int] = set()
    try:
        names = sorted(p for p in folder.iterdir() if p.name.startswith("shard-"))
    except OSError:
        names = []
    for path in names:
        data = read_entry(path)
        try:
            shard = codec.loads(data, ShardFile) if data is not None else None
        except codec.Invalid:
            shard = None
        if not isinstance(shard, ShardFile):
            notes.append(f"shard file {path.name} is not one driftlint wrote: left out")
        elif shard.key != key:
            notes.append(f"{path.name} is of another tree, config or driftlint: left out")
        else:
            found[shard.index] = shard
            counts.add(shard.count)
    if not found:
        notes.append(f"no shard of this tree in {folder}: every root is evaluated here")
        return None
    count = max(counts)
    missing = [str(i) for i in range(1, count + 1) if i not in found]
    if len(counts) > 1 or missing:
        notes.append(
            f"shards missing or of different counts (missing: {', '.join(missing) or 'none'}):"
            " their roots are evaluated here"
        )
    states = [found[i].state for i in sorted(found)]
    first = states[0]
    merged = State({}, dict(first.names), first.relevant, dict(first.keys), {})
    for index, state in zip(sorted(found), states, strict=True):
        same = state.names == first.names and state.relevant == first.relevant
        if not same or state.keys != first.keys or _differ(merged.files, state.files):
            notes.append(f"shard {index} was run on other files than shard {min(found)}: left out")
            continue
        merged.files.update(state.files)
        merged.data_errors.update(state.data_errors)
        merged.roots.update(state.roots)
    return merged


def _differ(one: Mapping[str, bytes], other: Mapping[str, bytes]) -> bool:
    return any(one.get(path, digest) != digest for path, digest in other.items())


class Store:
    """The stored state of the last run with the same global inputs, and this run's.

    `context` is a digest of the global inputs; `files` the digest of every discovered file.
    With a `shard`, the run evaluates only its part of the roots and writes them to the
    shard's file, or (`merge`) reads the stored roots from the shards' files.
    """

    def __init__(
        self,
        rows: Rows,
        context: str,
        files: dict[str, bytes],
        read: Callable[[str], str | None],
        shard: Shard | None = None,
    ) -> None:
        self.rows = rows
        self._loaded: dict[RootId, tuple[RootOut, str]] = {}  # a stored root and its row
        self.key = hashlib.sha256(f"{build_id()}\0{context}".encode()).hexdigest()
        self.files = dict(files)
        self.read = read
        self.shard = shard
        self.notes: list[str] = []
        self.previous: State | None = None
        self.current: State | None = None

    @property
    def sharded(self) -> bool:
        """A shard job: only its part of the roots, and no whole answer."""
        return self.shard is not None and not self.shard.merge

    def part(self, roots: Sequence[Item]) -> list[Item]:
        assert self.shard is not None
        return part(roots, self.shard.index, self.shard.count)

    def _digest(self, path: str) -> bytes:
        """A file's digest; one discovery did not list (excluded, or absent) is hashed here."""
        found = self.files.get(path)
        if found is None:
            text = self.read(path)
            found = b"" if text is None else _text_digest(text)
            self.files[path] = found
        return found

    def open(self, index: Index, relevance: Relevance, data_files: Iterable[str]) -> Changes | None:
        """Load the stored state and compare it with the tree; None: nothing stored."""
        if self.shard is not None and self.shard.merge:
            found = read_shards(self.shard.folder, self.key, self.notes)
        else:
            found = self._load()
        previous = found if isinstance(found, State) else None
        for path in previous.files if previous else ():
            self._digest(path)  # files a stored root read that discovery does not list
        keys: dict[str, dict[str, bytes]] = {}
        for path in data_files:
            old = previous.keys.get(path) if previous else None
            if (
                old is not None
                and previous is not None
                and previous.files.get(path) == self._digest(path)
            ):
                keys[path] = old
            else:
                keys[path] = key_digests(self.read(path))
        names = definition_digests(index, self.read)
        relevant = frozenset(relevance.relevant)
        self.current = State(self.files, names, relevant, keys, {})
        if previous is None:
            return None
        self.previous = previous
        return changes(previous, self.files, names, relevant, keys)

    def _load(self) -> State | None:
        """The last run's state with the roots whose rows are still there (a root whose row
        is missing or damaged is evaluated again)."""
        meta = self.rows.get(self.key, Stored)
        if not isinstance(meta, Stored):
            return None
        found = self.rows.get_many(sorted(set(meta.rows.values())), RootOut)
        state = meta.state
        state.roots = {}
        for root, row in meta.rows.items():
            out = found.get(row)
            if isinstance(out, RootOut):
                state.roots[root] = out
                self._loaded[root] = (out, row)
        return state

    def stored(self, root: RootId) -> RootOut | None:
        return self.previous.roots.get(root) if self.previous is not None else None

    def data_errors(
        self, paths: Iterable[str], errors_of: Callable[[str], tuple[Finding, ...]]
    ) -> dict[str, tuple[Finding, ...]]:
        """Each data file's problems: stored when the file is unchanged, else read now."""
        assert self.current is not None
        out: dict[str, tuple[Finding, ...]] = {}
        for path in paths:
            digest = self._digest(path)
            old = self.previous.data_errors.get(path) if self.previous else None
            errors = old[1] if old is not None and old[0] == digest else errors_of(path)
            out[path] = errors
            self.current.data_errors[path] = (digest, errors)
        return out

    def save(self, roots: Mapping[RootId, RootOut]) -> None:
        assert self.current is not None
        for out in roots.values():
            for path in out.reads.files:
                self._digest(path)
        self.current.files = self.files
        self.current.roots = dict(roots)
        if self.sharded:
            assert self.shard is not None
            write_shard(self.shard, self.key, self.current)
            return
        # Only the roots evaluated by this run are written; the others keep their rows.
        prefix = f"{self.key[:32]}/"
        items: list[tuple[str, bytes]] = []
        names: dict[RootId, str] = {}
        for root, out in roots.items():
            known = self._loaded.get(root)
            if known is not None and known[0] is out:
                names[root] = known[1]
                continue
            data = encode(out)
            if data is not None:
                names[root] = prefix + hashlib.blake2b(data, digest_size=16).hexdigest()
                items.append((names[root], data))
        current = self.current
        inputs = State(
            current.files, current.names, current.relevant, current.keys, current.data_errors
        )
        meta = encode(Stored(inputs, names))
        if meta is not None:
            items.append((self.key, meta))
            self.rows.put(items, drop_except=(prefix, set(names.values())))
        self.rows.close()


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
