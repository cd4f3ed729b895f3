"""The pre-commit hook, run by the real pre-commit framework on a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, GIT_ENV, ROOT, git

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None and not (Path(sys.prefix) / "bin" / "pre-commit").exists(),
    reason="pre-commit not installed: pip install -e '.[test]'",
)


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pre-commit") or str(Path(sys.prefix) / "bin" / "pre-commit")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    env.pop("GIT_DIR", None)
    return subprocess.run(
        [exe, "try-repo", str(ROOT), "driftlint", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_blocks_a_bad_tree_and_passes_the_fixed_one(tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    for name, should_pass in (("jobloop-2014-incident", False), ("jobloop-2014-fixed", True)):
        repo = tmp_path / name
        shutil.copytree(
            FIXTURES / name, repo, ignore=shutil.ignore_patterns("EXPECTED.json", "BASE")
        )
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        done = try_repo(repo, home)
        output = done.stdout + done.stderr
        assert (done.returncode == 0) == should_pass, output
        if not should_pass:
            assert "videoscaler.pp:6:24" in output and "unknown-option" in output
