"""A whole check's result, cached by what it depends on: the warm path of a CI gate.

The parse cache (driftlint.cache.store) spares parsing a file twice; evaluating every role still
takes most of a cold run. When nothing a check depends on has changed, its result is the same,
so a second run of the same tree (a re-run pipeline, a pre-commit hook after a commit that
touched no Puppet file, the base side of `--base`) only has to prove that.

The key holds driftlint's version and code (`build_id`), the config, the setup errors, every
file of the tree (path, size and a hash of its bytes; for a file over the size limit its size
and modification time, since it is not read), what the module folders `--modulepath` names hold
(each file's path, size and time) and the commit git's HEAD names, which is what the
history of the usage specs is read from. An edit anywhere in the tree is a miss: it is a cache
of runs, not a dependency graph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from driftlint.cache.store import Cache, build_id
from driftlint.config.load import Config
from driftlint.discover import SourceFile
from driftlint.git import head_commit
from driftlint.model import Result
from driftlint.modulepath import open_modulepath


def run_key(
    root: Path,
    files: Iterable[SourceFile],
    config: Config,
    setup: Iterable[str],
    stats: Cache | None = None,
    digests: dict[str, bytes] | None = None,
) -> str:
    """A digest of everything a check of the tree at root depends on.

    `digests`, if given, receives each file's own digest (the incremental engine compares
    them with a stored run's). With `stats`, a file whose size, modification time and inode
    are those of the last run is not read again: its digest from then is used, as git's
    index does. A file changed within the last few seconds is always read (its time may not
    show a second change).
    """
    digest = hashlib.blake2b(digest_size=32)
    header = {
        "version": build_id(),
        "config": _canonical(dataclasses.asdict(config)),
        "setup": sorted(setup),
        "head": head_commit(root) or "",
    }
    outside = [p for p in config.modulepath if p.startswith("/")]
    if outside:  # what the module folders outside the tree hold (driftlint/modulepath.py)
        header["modulepath"] = open_modulepath(outside).digest()
    digest.update(json.dumps(header, sort_keys=True).encode())
    known = _load_stats(stats, root)
    seen: dict[str, tuple[tuple[int, ...], bytes]] = {}
    settled = time.time_ns() - RACY_NS
    for file in files:
        value = _file_digest(root, file, config.max_file_size, known, seen, settled)
        digest.update(file.path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(value)
        if digests is not None:
            digests[file.path] = value
    if stats is not None and seen != known:
        stats.put(_stats_key(root), seen)
    return digest.hexdigest()


RACY_NS = 3_000_000_000  # a file changed this recently may change again in the same tick


def _stats_key(root: Path) -> str:
    return hashlib.sha256(f"{build_id()}\0{os.path.realpath(root)}".encode()).hexdigest()


def _load_stats(stats: Cache | None, root: Path) -> dict[str, tuple[tuple[int, ...], bytes]]:
    schema = dict[str, tuple[tuple[int, ...], bytes]]
    found = stats.get(_stats_key(root), schema) if stats is not None else None
    return found if isinstance(found, dict) else {}


def _file_digest(
    root: Path,
    file: SourceFile,
    max_size: int,
    known: dict[str, tuple[tuple[int, ...], bytes]],
    seen: dict[str, tuple[tuple[int, ...], bytes]],
    settled: int,
) -> bytes:
    full = os.path.join(root, file.path)
    try:
        info = os.stat(full)
        if info.st_size > max_size:
            return f"big:{info.st_size}:{info.st_mtime_ns}".encode()
        signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        last = known.get(file.path)
        if last is not None and last[0] == signature and info.st_ctime_ns < settled:
            seen[file.path] = last
            return last[1]
        with open(full, "rb") as handle:
            value = hashlib.blake2b(handle.read(max_size + 1), digest_size=16).digest()
        if info.st_ctime_ns < settled:
            seen[file.path] = (signature, value)
        return value
    except OSError as error:
        return f"error:{error.errno}".encode()


def _canonical(value: Any) -> Any:
    """Sets in a stable order, so equal configs give equal keys in every process."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, Path):
        return str(value)
    return value


def load(cache: Cache, key: str, root: Path) -> Result | None:
    found = cache.get(key, Result)
    if not isinstance(found, Result):
        return None
    return dataclasses.replace(found, root=str(root))


def store(cache: Cache, key: str, result: Result) -> None:
    """Keep what a report needs: the findings and counts, not every call and interface (most
    of the bytes, and most of the time to load them again)."""
    if not result.internal_errors:  # a run that hit a bug is not worth repeating
        cache.put(key, dataclasses.replace(result, calls=(), interfaces=()))
