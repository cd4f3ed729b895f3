"""The memo of class and define bodies changes no answer (issue 31): every fixture, and
generated trees after random edits, give the same findings, calls (with their chains and
roles), mentions and counts with the memo as with every body run afresh in every root."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

from driftlint import engine, pipeline, safe_re
from driftlint.config.load import load_config
from driftlint.model import Result
from driftlint.resolve.evaluate import Evaluator
from driftlint.resolve.hiera_layers import _glob_regex, load_layers
from driftlint.resolve.memo import MemoEvaluator
from tests.conftest import FIXTURES
from tests.test_incremental import CASES, _answer, edit


class _Unmemoized(MemoEvaluator):
    """Every body run afresh: no trace recorded, none replayed."""

    def declare_class(self, *args: Any, **kwargs: Any) -> None:
        Evaluator.declare_class(self, *args, **kwargs)

    def declare_define(self, *args: Any, **kwargs: Any) -> None:
        Evaluator.declare_define(self, *args, **kwargs)


def _run(root: Path) -> Result:
    config, errors = load_config(root)
    return engine.run(root, config, errors, jobs=1, cache_dir=None)


def _both(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object] | None:
    """The answers with the memo and without it; None when the memo replayed nothing (then
    the two runs are the same run: recording a trace changes nothing the body does)."""
    replays = 0

    def counted(real: Any) -> Any:
        def replay(self: MemoEvaluator, *args: Any) -> bool:
            nonlocal replays
            replays += 1
            return bool(real(self, *args))

        return replay

    with monkeypatch.context() as patch:
        patch.setattr(MemoEvaluator, "_replay", counted(MemoEvaluator._replay))
        patch.setattr(MemoEvaluator, "_replay_define", counted(MemoEvaluator._replay_define))
        memoized = _answer(_run(root))
    if not replays:
        return None
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "MemoEvaluator", _Unmemoized)
        patch.setattr(MemoEvaluator, "_replay", _never)
        patch.setattr(MemoEvaluator, "_replay_define", _never)
        fresh = _answer(_run(root))
    return memoized, fresh


def _never(self: MemoEvaluator, *args: Any) -> bool:
    raise AssertionError("the unmemoized evaluator replayed a trace")


@pytest.mark.parametrize("name", CASES)
def test_memo_changes_no_answer_on_a_fixture(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = _both(FIXTURES / name, monkeypatch)
    if both is not None:
        assert both[0] == both[1]


def _generated(tmp_path: Path, seed: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    root = tmp_path / "tree"
    generate.generate(root, scale=0.05, seed=seed, bad=3)  # 10 modules, 30 roles
    return root


@pytest.mark.parametrize("seed", [1])
def test_memo_changes_no_answer_on_generated_trees_after_edits(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path, seed)
    rng = random.Random(seed)
    for _ in range(2):
        what = edit(root, rng)
        both = _both(root, monkeypatch)
        assert both is not None, "a generated tree's roles share classes"
        assert both[0] == both[1], what


GLOB_PATHS = [
    "hieradata/hosts/db1.yaml",
    "hieradata/hosts/db1.yaml.bak",
    "hieradata/hosts/sub/db2.yaml",
    "hieradata/hostsx/db3.yaml",
    "hieradata/role/common/video.yaml",
    "hieradata/role/eqiad/video.yaml",
    "hieradata/common.yaml",
    "modules/a/data/common.yaml",
    "h?/odd*.yaml",
]


@pytest.mark.parametrize(
    "pattern",
    [
        "hieradata/hosts/*.yaml",
        "hieradata/hosts/**/*.yaml",
        "hieradata/host*/*.yaml",
        "hieradata/role/*/video.yaml",
        "hieradata/?ommon.yaml",
        "hieradata/common.yaml",
        "**/common.yaml",
        "*/*.yaml",
        "h?/*.yaml",
        "nothing/*.yaml",
    ],
)
def test_a_hiera_glob_lists_what_matching_every_path_lists(pattern: str) -> None:
    """A glob is matched only against the paths under its literal head (issue 31): the same
    files as matching its regex against every path of the tree."""
    config = f'version: 5\nhierarchy:\n  - {{name: g, glob: "{pattern}"}}\n'
    tree = {"hiera.yaml": config, **dict.fromkeys(GLOB_PATHS, "k: v\n")}
    layer = load_layers(tree.get, sorted(tree), ("modules",)).global_layer
    assert layer is not None
    whole = safe_re.linear(_glob_regex(pattern))
    assert sorted(layer._list(pattern)) == sorted(p for p in tree if whole(p))
    assert layer._list(pattern) or pattern.startswith("nothing")
