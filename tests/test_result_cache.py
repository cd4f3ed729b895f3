"""A whole check's result cached by everything it depends on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint import pipeline
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
    role.write_text(role.read_text(encoding="utf-8").replace("-v 0", "-t 5"), encoding="utf-8")
    assert _check(repo, cache)["findings"] == []


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    cache = tmp_path / "cache"
    first = _check(repo, cache)
    for entry in (cache / "runs").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    assert _check(repo, cache) == first
