"""The pre-commit hook, run by the real pre-commit framework on a temporary repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, GIT_ENV, ROOT, git, make_repo

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None and not (Path(sys.prefix) / "bin" / "pre-commit").exists(),
    reason="pre-commit not installed: pip install -e '.[test]'",
)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session: pre-commit installs a hook's environment once per
    (repository, rev), so the tests that use the same checkout share one install (each install
    is a pip install of driftlint, 15-25 s)."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's hook as a repository of one commit (the working tree, not only what is
    committed), made once so that `pre-commit run` installs its environment once."""
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    local = tmp_path_factory.mktemp("hook") / "driftlint"
    shutil.copytree(ROOT, local, ignore=shutil.ignore_patterns(".git", "*.egg-info", ".*"))
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    (local / ".pre-commit-hooks.yaml").write_text(hooks, encoding="utf-8")
    git(local, "init", "-q", "-b", "main")
    git(local, "add", "-A")
    git(local, "commit", "-q", "-m", f"driftlint at {rev}")
    return local, git(local, "rev-parse", "HEAD").strip()


def run_hook(
    repo: Path, home: Path, hook: tuple[Path, str], *more: str, hook_id: str = "driftlint"
) -> subprocess.CompletedProcess[str]:
    """`pre-commit run HOOK_ID` with a config that uses this checkout's hooks (`hook_repo`).
    (Not `pre-commit try-repo`: it installs into a temporary store on every call.)"""
    exe = shutil.which("pre-commit") or str(Path(sys.prefix) / "bin" / "pre-commit")
    local, rev = hook
    config = (
        f"repos:\n  - repo: {local.as_uri()}\n    rev: {rev}\n    hooks:\n"
        "      - id: driftlint\n      - id: driftlint-all\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    env.pop("GIT_DIR", None)
    config_file = str(repo / ".pre-commit-config.yaml")
    return subprocess.run(
        [exe, "run", hook_id, *(more or ("--all-files",)), "-c", config_file],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_blocks_a_bad_tree_and_passes_the_fixed_one(
    tmp_path: Path, home: Path, hook_repo: tuple[Path, str]
) -> None:
    for name, should_pass in (("jobloop-2014-incident", False), ("jobloop-2014-fixed", True)):
        repo = tmp_path / name
        shutil.copytree(
            FIXTURES / name, repo, ignore=shutil.ignore_patterns("EXPECTED.json", "BASE")
        )
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        done = run_hook(repo, home, hook_repo)
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


def test_hook_lets_an_unrelated_commit_through_a_tree_with_an_old_error(
    tmp_path: Path, home: Path, hook_repo: tuple[Path, str]
) -> None:
    repo = committed(tmp_path, "jobloop-2014-incident")
    site = repo / "manifests" / "site.pp"
    site.write_text(site.read_text(encoding="utf-8") + "# an unrelated edit\n", encoding="utf-8")
    git(repo, "add", "manifests/site.pp")
    done = run_hook(repo, home, hook_repo, "--files", "manifests/site.pp")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
    # `driftlint-all` is the whole-tree gate for `pre-commit run --all-files` in CI.
    whole = run_hook(repo, home, hook_repo, hook_id="driftlint-all")
    assert whole.returncode == 1 and "videoscaler.pp:6:24" in whole.stdout + whole.stderr


def test_hook_refuses_a_commit_that_brings_a_new_error(
    tmp_path: Path, home: Path, hook_repo: tuple[Path, str]
) -> None:
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
    done = run_hook(repo, home, hook_repo, "--files", str(role.relative_to(repo)))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"jobrunner.pp:{number + 2}:" in output and "videoscaler.pp" not in output


def test_hook_under_from_ref_to_ref_checks_that_range(
    tmp_path: Path, home: Path, hook_repo: tuple[Path, str]
) -> None:
    """CI: `pre-commit run --from-ref A --to-ref B` on a checkout of B whose last commit
    dropped `-v` from the script: the stale caller is what B brings since A."""
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    done = run_hook(repo, home, hook_repo, "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "videoscaler.pp:6:24" in output and "stale-option" in output
    # The same range on the fixed tree passes.
    fixed = make_repo(FIXTURES / "jobloop-2014-fixed", tmp_path / "fixed")
    calm = run_hook(fixed, home, hook_repo, "--from-ref", "HEAD", "--to-ref", "HEAD")
    assert calm.returncode == 0, calm.stdout + calm.stderr


def test_hook_under_all_files_checks_the_whole_tree(
    tmp_path: Path, home: Path, hook_repo: tuple[Path, str]
) -> None:
    repo = committed(tmp_path, "jobloop-2014-incident")
    done = run_hook(repo, home, hook_repo, "--all-files")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "videoscaler.pp:6:24" in output


def test_git_hook_checks_what_is_staged_not_the_working_tree(tmp_path: Path) -> None:
    """A plain `.git/hooks/pre-commit` running `driftlint check --staged`: the commit is
    what the index holds, whatever the working tree says."""
    repo = committed(tmp_path, "jobloop-2014-fixed")
    hook = repo / ".git" / "hooks" / "pre-commit"
    driftlint = Path(sys.prefix) / "bin" / "driftlint"
    hook.write_text(f"#!/bin/sh\nexec {driftlint} check --no-cache --staged\n", "utf-8")
    hook.chmod(0o755)
    caller = repo / "modules" / "role" / "manifests" / "mediawiki" / "videoscaler.pp"
    good = caller.read_text(encoding="utf-8")
    bad = good.replace(
        "        timeout    => 14400,\n",
        "        timeout    => 14400,\n        extra_args => '-v 0',\n",
    )
    assert bad != good
    env = {**os.environ, **GIT_ENV}

    def commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-q", "-m", "change"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    # Staged: the bad line; in the working tree: the good one. The commit is refused.
    caller.write_text(bad, encoding="utf-8")
    git(repo, "add", "-A")
    caller.write_text(good, encoding="utf-8")
    (repo / "scratch.pp").write_text("# not staged\n", encoding="utf-8")
    refused = commit()
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "videoscaler.pp:6:24" in refused.stdout + refused.stderr
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    # Staged: the good line; in the working tree: the bad one. The commit goes through.
    git(repo, "add", "-A")
    caller.write_text(bad, encoding="utf-8")
    passed = commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert caller.read_text(encoding="utf-8") == bad  # the working tree is left alone


def test_a_first_commit_with_an_untracked_file_checks_the_index_as_new(tmp_path: Path) -> None:
    """The first commit of a repository while the working tree holds an untracked file: the
    index is checked in a folder outside the repository, and everything staged is new (there
    was a `--base HEAD` error here, exit 2, because HEAD names nothing yet)."""
    repo = tmp_path / "repo"
    shutil.copytree(
        FIXTURES / "jobloop-2014-incident",
        repo,
        ignore=shutil.ignore_patterns("EXPECTED.json", "BASE"),
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    (repo / "notes.txt").write_text("not staged\n", encoding="utf-8")
    driftlint = Path(sys.prefix) / "bin" / "driftlint"
    env = {**os.environ, **GIT_ENV}
    env.pop("GIT_DIR", None)
    done = subprocess.run(
        [str(driftlint), "check", "--no-cache", "--pre-commit", "manifests/site.pp"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "videoscaler.pp:6:24" in done.stdout


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("modules/mediawiki/templates/jobrunner", True),  # a script template, no extension
        ("modules/mediawiki/files/jobs-loop", True),
        ("modules/role/manifests/mediawiki.pp", True),
        ("hieradata/role/common/videoscaler.yaml", True),
        ("data/common.yaml", True),
        ("environment.conf", True),
        ("site/profile/templates/cron/run-backup", True),
        ("README.md", False),
        ("docs/index.rst", False),
    ],
)
def test_hook_files_filter_matches_puppet_folders(path: str, matched: bool) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "driftlint"]
    assert bool(re.search(hook["files"], path)) == matched
    assert "types" not in hook  # an executable without extension is no `text` pre-commit knows
