"""What share of a real tree's installed executables driftlint watches, and of its called scripts
it knows the interface of (issue 26).

Usage: python bench/watch_coverage.py TREE [--jobs N]
"Installed executable files" is counted independently of driftlint's own rule: every tree file
that some `file` resource installs (found without evaluating) and that starts with `#!`, or has
its executable bit set in the checkout and is not plainly data (`.css`, `.txt`, `.ini`...).
A file counts as watched when driftlint watches it at some installed path. Never commits or
copies tree files.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
from pathlib import Path

from driftlint import engine, pipeline
from driftlint.config.load import load_config
from driftlint.discover import discover_sources
from driftlint.watch import DATA_SUFFIXES


def _executable(root: Path, path: str) -> bool:
    full = root / path
    try:
        if full.is_symlink() or not full.is_file():
            return False
        with full.open("rb") as handle:
            if handle.read(2) == b"#!":
                return True
        data = path.removesuffix(".erb").lower().endswith(DATA_SUFFIXES)
        return bool(os.stat(full).st_mode & 0o111) and not data
    except OSError:
        return False


def measure(root: Path, jobs: int) -> dict[str, object]:
    config, setup = load_config(root, None)
    files, unreadable = discover_sources(root, config.exclude, config.max_file_size)
    prepared = pipeline.prepare(root, config, list(setup), files, unreadable, None)
    installed = {i.spec_path for i in prepared.installs}
    executables = sorted(p for p in installed if _executable(root, p))
    watched = {w.spec_path for w in prepared.watched}
    unwatched = [p for p in executables if p not in watched]
    result = engine.run(root, config, list(setup), jobs=jobs, cache_dir=None)
    called = sorted({c.invocation.script for c in result.calls})
    unknown = {u.script: u for u in result.unknown}
    reasons = collections.Counter(u.reason for u in unknown.values())
    return {
        "installed_executables": len(executables),
        "watched_of_them": len(executables) - len(unwatched),
        "watched_total": len(watched),
        "unwatched": unwatched,
        "calls": len(result.calls),
        "called_scripts": len(called),
        "called_known": len(called) - len(unknown),
        "called_unknown": sorted(f"{u.script} ({u.spec_path})" for u in unknown.values()),
        "unknown_reasons": dict(reasons),
        "findings": [f"{f.span}: {f.severity} {f.code}: {f.message}" for f in result.findings],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(measure(args.tree.resolve(), args.jobs), indent=1))


if __name__ == "__main__":
    main()
