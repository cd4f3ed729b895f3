"""Shared test helpers: real git repositories made from fixture folders."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from driftlint.ltext import LText
from driftlint.values import Value

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "driftlint tests",
    "GIT_AUTHOR_EMAIL": "tests@driftlint.invalid",
    "GIT_COMMITTER_NAME": "driftlint tests",
    "GIT_COMMITTER_EMAIL": "tests@driftlint.invalid",
}


def git(repo: Path, *args: str, date: str = "2014-06-13T10:00:00") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def make_repo(fixture: Path, dest: Path) -> Path:
    """Copy a fixture into a git repository; BASE/ files make the first commit (pre-commit's
    make_repo, with history)."""
    repo = dest / fixture.name
    # MODULEPATH/ is a module folder outside the repository (`--modulepath`, test_fixtures.py).
    ignore = shutil.ignore_patterns("EXPECTED.json", "BASE", "EXPECTED.fixed", "MODULEPATH")
    shutil.copytree(fixture, repo, symlinks=True, ignore=ignore)
    git(repo, "init", "-q", "-b", "main")
    base = fixture / "BASE"
    if base.is_dir():
        current = {
            p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts
        }
        for path in base.rglob("*"):
            if path.is_file():
                target = repo / path.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "base", date="2014-06-01T10:00:00")
        for path in base.rglob("*"):
            if path.is_file():
                target = repo / path.relative_to(base)
                if target in current:
                    target.write_bytes(current[target])
                else:
                    target.unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "change under review")
    return repo


def as_value(value: object) -> Value:
    """Python data as evaluator values: str → unlocated LText, list → tuple, dict → dict."""
    if isinstance(value, str):
        return LText.plain(value)
    if isinstance(value, list):
        return tuple(as_value(v) for v in value)
    if isinstance(value, dict):
        return {k: as_value(v) for k, v in value.items()}
    assert value is None or isinstance(value, bool)
    return value
