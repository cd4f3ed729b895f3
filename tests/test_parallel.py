"""Roots evaluated in worker processes give what evaluating them here gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftlint import engine, pipeline
from driftlint.config.load import load_config
from tests.conftest import FIXTURES, make_repo

CASES = [
    "jobloop-2014-incident",
    "roles-hiera-levels",
    "erb-branch-on-unset-parameter-is-a-warning",
    "unknown-option-in-erb-env-file-of-systemd-unit",
    "selector-and-define-titles",
]


@pytest.mark.parametrize("name", CASES)
def test_workers_give_the_same_result(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(FIXTURES / name, tmp_path)
    config, errors = load_config(repo)
    alone = engine.run(repo, config, errors, jobs=1)
    monkeypatch.setattr(pipeline, "PARALLEL_ROOTS", 1)  # fork even for a tiny tree
    split = engine.run(repo, config, errors, jobs=2)
    assert alone.findings, "the case must find something to compare"
    assert split.findings == alone.findings
    assert sorted(map(repr, split.calls)) == sorted(map(repr, alone.calls))
