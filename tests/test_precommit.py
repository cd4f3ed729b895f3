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


def try_repo(
    repo: Path, home: Path, *more: str, hook: str = "driftlint"
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pre-commit") or str(Path(sys.prefix) / "bin" / "pre-commit")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    env.pop("GIT_DIR", None)
    return subprocess.run(
        [exe, "try-repo", str(ROOT), hook, *(more or ("--all-files",))],
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


def committed(tmp_path: Path, name: str) -> Path:
    """The fixture as one commit: its findings are old."""
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, ignore=shutil.ignore_patterns("EXPECTED.json", "BASE"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    return repo


def test_hook_lets_an_unrelated_commit_through_a_tree_with_an_old_error(tmp_path: Path) -> None:
    repo = committed(tmp_path, "jobloop-2014-incident")
    site = repo / "manifests" / "site.pp"
    site.write_text(site.read_text(encoding="utf-8") + "# an unrelated edit\n", encoding="utf-8")
    git(repo, "add", "manifests/site.pp")
    done = try_repo(repo, tmp_path / "home", "--files", "manifests/site.pp")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
    # `driftlint-all` is the whole-tree gate for `pre-commit run --all-files` in CI.
    whole = try_repo(repo, tmp_path / "home", hook="driftlint-all")
    assert whole.returncode == 1 and "videoscaler.pp:6:24" in whole.stdout + whole.stderr


def test_hook_refuses_a_commit_that_brings_a_new_error(tmp_path: Path) -> None:
    repo = committed(tmp_path, "jobloop-2014-incident")
    role = repo / "modules" / "role" / "manifests" / "mediawiki" / "jobrunner.pp"
    text = role.read_text(encoding="utf-8")
    lines = text.splitlines()
    # A second stale `-v`, on a line of the commit; the old one in videoscaler.pp is not new.
    (number,) = [i for i, line in enumerate(lines) if "type" in line and "=>" in line]
    indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
    lines.insert(number + 1, f"{indent}extra_args => '-v 1',")
    role.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    done = try_repo(repo, tmp_path / "home", "--files", str(role.relative_to(repo)))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"jobrunner.pp:{number + 2}:" in output and "videoscaler.pp" not in output
