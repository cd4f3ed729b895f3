"""What evaluating one root read: the inputs its calls depend on (issue 17).

The incremental engine (driftlint/incremental.py) keeps each root's calls with what the root
read, and on the next run evaluates again only the roots whose reads changed. A read is noted
where it happens, into every collector open at that moment's top:

- a class or define **name** the evaluator looked up in the index (found or not: a class
  added later changes the answer), whose definition and relevance are compared;
- a Hiera **key** the evaluator asked for, whose values in the data files are compared;
- a tree **file** read (a template, an installed source, a file tested for existence);
- a template **rendered** (what `unrendered` must not read again);
- a Hiera **data** file a lookup parsed (its problems are reported when some root reads it);
- a Hiera data path a lookup **tried** (or glob, prefixed `GLOB`): a key changed in a data file
  matters to a root only if the root's hierarchy holds that file.

Caches that sit above a read (a memoised class body, a rendering shared by roles, the
extractor's parses) keep the reads of the call that filled them and note them again on every
hit (`remember`, `Reads.replay`), so a root's reads do not depend on which root came first.
Nothing here knows what a name or key means; it only collects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Reads:
    names: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    rendered: set[str] = field(default_factory=set)
    data: set[str] = field(default_factory=set)
    tried: set[str] = field(default_factory=set)

    def update(self, other: Reads) -> None:
        self.names |= other.names
        self.keys |= other.keys
        self.files |= other.files
        self.rendered |= other.rendered
        self.data |= other.data
        self.tried |= other.tried

    def frozen(self) -> FrozenReads:
        return FrozenReads(
            frozenset(self.names),
            frozenset(self.keys),
            frozenset(self.files),
            frozenset(self.rendered),
            frozenset(self.data),
            frozenset(self.tried),
        )


@dataclass(frozen=True, slots=True)
class FrozenReads:
    names: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()
    rendered: frozenset[str] = frozenset()
    data: frozenset[str] = frozenset()
    tried: frozenset[str] = frozenset()

    def replay(self) -> None:
        """Note these reads again, into the collector open now (a cache hit)."""
        if _open:
            top = _open[-1]
            top.names |= self.names
            top.keys |= self.keys
            top.files |= self.files
            top.rendered |= self.rendered
            top.data |= self.data
            top.tried |= self.tried


EMPTY = FrozenReads()

_open: list[Reads] = []  # collectors, innermost last


def note_name(name: str) -> None:
    if _open:
        _open[-1].names.add(name)


def note_key(key: str) -> None:
    if _open:
        _open[-1].keys.add(key)


def note_file(path: str) -> None:
    if _open:
        _open[-1].files.add(path)


def note_rendered(path: str) -> None:
    if _open:
        _open[-1].rendered.add(path)
        _open[-1].files.add(path)


def note_data(path: str) -> None:
    if _open:
        _open[-1].data.add(path)


GLOB = "glob:"


def note_tried(path: str) -> None:
    if _open:
        _open[-1].tried.add(path)


def active() -> bool:
    return bool(_open)


@contextmanager
def collect() -> Iterator[Reads]:
    """Collect the reads made inside; on leaving they are also noted in the enclosing one."""
    reads = Reads()
    _open.append(reads)
    try:
        yield reads
    finally:
        _open.pop()
        if _open:
            _open[-1].update(reads)


def remember(cache: dict[Any, tuple[T, FrozenReads]], key: Any, make: Callable[[], T]) -> T:
    """`make()` once per key; every later hit notes again what the first call read."""
    found = cache.get(key)
    if found is None:
        with collect() as reads:
            value = make()
        cache[key] = (value, reads.frozen())
        return value
    found[1].replay()
    return found[0]
