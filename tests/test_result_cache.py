"""A whole check's result cached by everything it depends on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint import pipeline
from driftlint.cache import results as result_cache
from driftlint.cli import cli
from tests.conftest import FIXTURES, make_repo


def _check(repo: Path, cache: Path) -> dict:
    args = ["check", "--format=json", "--cache-dir", str(cache), str(repo)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return json.loads(result.stdout)


def test_a_second_run_is_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    cache = tmp_path / "cache"
    first = _check(repo, cache)
    assert len(first["findings"]) == 1

    def no_second_check(*args: object) -> None:
        raise AssertionError("the tree was checked again")

    monkeypatch.setattr(pipeline, "check", no_second_check)
    assert _check(repo, cache) == first


def test_an_edit_anywhere_is_a_miss(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    cache = tmp_path / "cache"
    assert len(_check(repo, cache)["findings"]) == 1
    role = repo / "modules/role/manifests/mediawiki/videoscaler.pp"
    # the stale `-v 0` dropped (`-t 5` would now be a second -t: a repeated-option warning)
    role.write_text(role.read_text(encoding="utf-8").replace("-v 0", "    "), encoding="utf-8")
    assert _check(repo, cache)["findings"] == []


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    cache = tmp_path / "cache"
    first = _check(repo, cache)
    for entry in (cache / "runs").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    assert _check(repo, cache) == first


def test_an_edit_that_keeps_size_and_time_is_still_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run key trusts a file's stat only while size, times and inode are unchanged; an
    # edit that keeps the size and puts the modification time back still changes ctime.
    monkeypatch.setattr(result_cache, "RACY_NS", 0)  # every file counts as settled
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    cache = tmp_path / "cache"
    assert len(_check(repo, cache)["findings"]) == 1
    assert list((cache / "stats").rglob("*"))  # the stats were kept
    role = repo / "modules/role/manifests/mediawiki/videoscaler.pp"
    before = role.stat()
    text = role.read_text(encoding="utf-8")
    role.write_text(text.replace("-v 0", "    "), encoding="utf-8")  # same size
    os.utime(role, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert role.stat().st_size == before.st_size
    assert _check(repo, cache)["findings"] == []


def test_every_module_of_driftlint_is_in_the_build_id() -> None:
    """Cache keys hold a digest of driftlint's code, so an edited checkout never loads what
    other code stored. It covered driftlint/cache/ alone once: a run after an edit of the
    evaluator was answered from the run cache with the old code's findings."""
    import driftlint.pipeline
    import driftlint.resolve.evaluate
    from driftlint.cache.store import code_files

    names = {name for _, name in code_files()}
    for module in (driftlint.pipeline, driftlint.resolve.evaluate):
        assert Path(module.__file__ or "").resolve() in {path for path, _ in code_files()}
    assert {"driftlint/pipeline.py", "driftlint/cache/store.py"} <= names


def test_a_warm_run_does_not_import_the_parsers() -> None:
    """The run cache answers an unchanged tree (a re-run CI job, a pre-commit hook): importing
    every interface reader and the Puppet parser for that was a second of each such run."""
    code = (
        "import sys, driftlint.engine\n"
        "heavy = [m for m in sys.modules if m.startswith(('driftlint.interfaces',"
        " 'driftlint.parse', 'driftlint.resolve', 'driftlint.pipeline'))]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
