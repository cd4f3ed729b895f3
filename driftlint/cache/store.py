"""Parse results cached by content hash.

An entry is keyed by driftlint's version, the file's tree path (spans hold it) and a hash of
its text, so an edit, a rename or an upgrade is a miss, never a stale hit. Entries are written
to a temporary name and renamed into place, so concurrent runs never see half an entry.

An entry is data, never code (driftlint.cache.codec): a cache folder may come from another
branch's pipeline. Each read names the type it expects; an entry that is not a regular file
(a link, a FIFO), is larger than MAX_ENTRY or is not of that type is a miss and rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from driftlint import __version__
from driftlint.cache import codec

MAX_ENTRY = 256 * 1024 * 1024  # bytes; a parsed manifest of the largest real trees is < 2 MB


@functools.cache
def build_id() -> str:
    """driftlint's version and a hash of its own code and rules.

    A development checkout changes its code without changing its version; an entry pickled
    by other code may not load, or load as something else. Keys hold this instead.
    """
    digest = hashlib.sha256(__version__.encode())
    for path, name in code_files():
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def code_files() -> list[tuple[Path, str]]:
    """Every module and rule file of driftlint, with its name from the package's parent."""
    package = Path(__file__).resolve().parent.parent  # driftlint/, not driftlint/cache/
    # The shipped rules are inside the package when installed, beside it in a checkout.
    checkout = (package.parent / "pyproject.toml").is_file()
    out: list[tuple[Path, str]] = []
    for folder in (package, package.parent / "rules") if checkout else (package,):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.suffix in (".py", ".yaml") and path.is_file():
                out.append((path, path.relative_to(folder.parent).as_posix()))
    return out


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "driftlint"


class Cache:
    def __init__(self, folder: Path | None, kind: str) -> None:
        self.folder = folder / kind if folder is not None else None
        self.hits = 0

    def key(self, path: str, text: str) -> str:
        digest = hashlib.sha256()
        for part in (build_id(), path, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str, schema: object) -> Any:
        """The entry under key if it holds a value of type schema, else None."""
        if self.folder is None:
            return None
        data = read_entry(self.folder / key[:2] / key)
        if data is None:
            return None
        try:
            value = codec.loads(data, schema)
        except codec.Invalid:
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            data = codec.dumps(value)
        except (TypeError, ValueError, RecursionError):
            return  # not plain data, or nested too deep: parsed again next time
        folder = self.folder / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / key)
        except OSError:
            pass  # a read-only or full cache folder only costs speed


def read_entry(path: Path) -> bytes | None:
    """The bytes of a regular file at path, never through a link, never waiting on a FIFO or
    a device; None for anything else or anything over MAX_ENTRY."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_ENTRY:
            chunk = os.read(fd, min(1 << 20, MAX_ENTRY + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > MAX_ENTRY else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def parse_all(
    items: Sequence[tuple[str, str]],
    parse: Callable[[str, str], Any],
    cache: Cache,
    schema: object,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[Any]:
    """parse(text, path) for each (path, text), from the cache where possible, in order;
    `schema` is the type parse returns.

    Parsing runs in this process. Worker processes were tried: sending a parsed manifest back
    costs more than parsing it (3,467 manifests: 2.3 s here, 4.1 s over two workers), so the
    workers of a run start after parsing and inherit the parsed tree instead
    (driftlint.pipeline evaluates roles in them).
    """
    results: list[Any] = [None] * len(items)
    todo: list[int] = []
    keys = [cache.key(path, text) for path, text in items]
    for i, key in enumerate(keys):
        found = cache.get(key, schema)
        if found is None:
            todo.append(i)
        else:
            results[i] = found
    for done, i in enumerate(todo, 1):
        results[i] = parse(items[i][1], items[i][0])
        cache.put(keys[i], results[i])
        progress(done, len(todo))
    return results
