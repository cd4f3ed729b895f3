"""The entry point of a check: an unchanged tree's result from the run cache, else the pipeline.

This module is kept light: a warm run (a re-run CI job, a pre-commit hook after a commit that
touched no Puppet file) should not pay for importing the parsers it will not use.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from driftlint.cache import results as result_cache
from driftlint.cache.store import Cache
from driftlint.config.load import Config
from driftlint.discover import discover_sources
from driftlint.errors import SetupError
from driftlint.model import Result
from driftlint.progress import Report, silent

if TYPE_CHECKING:
    from driftlint.incremental import Shard


def run(
    root: Path,
    config: Config,
    setup: Iterable[SetupError] = (),
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Report | None = None,
    full: bool = True,
    shard: Shard | None = None,
) -> Result:
    """Check the tree at root. `cache_dir` None parses and evaluates everything afresh.

    `progress(stage, done, total)` hears how far the run is (total 0: a stage of unknown
    length). `full` False: the result need not hold the calls and interfaces (only the
    findings and counts), which lets an unchanged tree be answered from the run cache.
    `shard` (`check --shard`, `merge`): evaluate one part of the roots and write it, or join
    the parts; a shard's result holds no findings and is never kept in the run cache."""
    setup_errors = [str(e) for e in setup]
    files, unreadable = discover_sources(root, config.exclude, config.max_file_size)
    runs = Cache(cache_dir, "runs")
    stats = Cache(cache_dir, "stats")
    digests: dict[str, bytes] = {}
    # The key covers excluded files too: a template, Hiera data or a script under an
    # `exclude:` folder is still read when something names it (issue 30: a stale answer).
    keyed = discover_sources(root, (), config.max_file_size)[0] if config.exclude else files
    key = (
        result_cache.run_key(root, keyed, config, setup_errors, stats, digests)
        if cache_dir or shard
        else ""
    )
    if key and not full and not shard and (found := result_cache.load(runs, key, root)) is not None:
        return found
    from driftlint import pipeline

    # A check builds millions of small objects and few cycles: the cycle collector's passes
    # over them took a fifth of a run. It is off for the check and runs once afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = pipeline.check(
            root,
            config,
            setup_errors,
            files,
            unreadable,
            jobs,
            cache_dir,
            progress or silent,
            digests if key else None,
            shard,
        )
    finally:
        if collecting:
            gc.enable()
    if key and not (shard and not shard.merge):
        result_cache.store(runs, key, result)
    return result
