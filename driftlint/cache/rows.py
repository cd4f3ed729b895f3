"""Entries as rows of one SQLite file (`store.sqlite3` in the cache folder).

The incremental store keeps each root's result as a row of its own, named by a digest of its
content, and one row per store key that lists them (driftlint.incremental): a run that
evaluates three roots writes three rows and the list, not every root again. Rows are written
in one transaction, so a reader sees the list before or after, never half of it; the file is
in WAL mode with a busy timeout, so concurrent runs (two CI jobs on one cache volume) wait for
each other instead of failing.

A row is an entry of driftlint.cache.codec (JSON, never pickle), checked against the type the
read expects; a row that is not, a file that is not an SQLite database, a link where the file
goes or a full disk are misses, never errors: the cache only costs or saves time.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from driftlint.cache import codec
from driftlint.cache.store import MAX_ENTRY

FILE = "store.sqlite3"
TIMEOUT = 30.0  # seconds a writer waits for another run's transaction


class Rows:
    """The rows of one kind (a table's namespace) in the cache folder's SQLite file; with no
    folder, nothing is kept."""

    def __init__(self, folder: Path | None, kind: str) -> None:
        self.path = folder / FILE if folder is not None else None
        self.kind = kind
        self._db: sqlite3.Connection | None = None
        self._failed = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._failed or self.path is None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                info = os.lstat(self.path)
            except FileNotFoundError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                raise sqlite3.DatabaseError("not a regular file")  # a link, a FIFO: never opened
            uri = f"{self.path.absolute().as_uri()}?nofollow=1"
            db = sqlite3.connect(uri, uri=True, timeout=TIMEOUT, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows "
                "(kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, "
                "PRIMARY KEY (kind, key)) WITHOUT ROWID"
            )
        except (sqlite3.Error, OSError):
            self._failed = True
            return None
        self._db = db
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get(self, key: str, schema: object) -> Any:
        """The row under key if it holds a value of type schema, else None."""
        return self.get_many([key], schema).get(key)

    def get_many(self, keys: Sequence[str], schema: object) -> dict[str, Any]:
        """The rows of these keys that hold a value of type schema."""
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM rows WHERE kind = ? AND key IN ({marks})"
                for key, data in db.execute(query, [self.kind, *chunk]):
                    if not isinstance(data, bytes) or len(data) > MAX_ENTRY:
                        continue
                    try:
                        found[key] = codec.loads(data, schema)
                    except codec.Invalid:
                        continue
        except sqlite3.Error:
            return found
        return found

    def put(
        self, items: Iterable[tuple[str, bytes]], drop_except: tuple[str, set[str]] | None = None
    ) -> None:
        """Write encoded rows (codec.dumps) in one transaction; with `drop_except` (a key
        prefix, the keys to keep), rows under that prefix not kept are deleted in it too."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO rows (kind, key, value) VALUES (?, ?, ?)",
                    [(self.kind, key, data) for key, data in items],
                )
                if drop_except is not None:
                    prefix, keep = drop_except
                    old = db.execute(
                        "SELECT key FROM rows WHERE kind = ? AND key >= ? AND key < ?",
                        (self.kind, prefix, prefix + "\uffff"),
                    ).fetchall()
                    gone = [(self.kind, key) for (key,) in old if key not in keep]
                    db.executemany("DELETE FROM rows WHERE kind = ? AND key = ?", gone)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            pass  # a read-only, full or damaged cache only costs speed


def encode(value: object) -> bytes | None:
    """The row for value, or None when it is not plain data (then it is not kept)."""
    try:
        return codec.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return None
