"""Tests for driftlint.interfaces.history, on real git repositories made in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from driftlint.interfaces.history import (
    changed_files,
    git_root,
    removed_options,
    show_file,
    tree_at,
)
from driftlint.model import Interface, Option
from tests.conftest import git

SPEC = "modules/jobs/files/jobloop.sh"


def read(text: str) -> Interface | None:
    """A toy spec: one option per line, `NAMES... [=] # help`; `=` means it takes a value."""
    if "BROKEN" in text:
        return None
    options = []
    for line in text.splitlines():
        body, _, help_text = line.partition("#")
        words = body.split()
        names = tuple(w for w in words if w.startswith("-"))
        if names:
            options.append(Option(names, takes_value="=" in words, help=help_text.strip()))
    return Interface("jobloop", "getopts", tuple(options))


def read_at(commit: str, text: str) -> Interface | None:
    assert len(commit) == 40
    return read(text)


def repo_with(tmp_path: Path, versions: list[tuple[str, str, str]], path: str = SPEC) -> Path:
    """A repository whose spec goes through versions of (text, date, subject)."""
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    for text, date, subject in versions:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        (repo / "other.txt").write_text(subject)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", subject, date=f"{date}T10:00:00")
    return repo


def removed(repo: Path, path: str = SPEC, **kw: int) -> tuple[Option, ...]:
    current = read((repo / path).read_text())
    assert current is not None
    return removed_options(repo, path, current, read_at, **kw)


def short(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", "--short", rev).strip()


def test_option_removed_in_the_second_of_three_commits(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [
        ("-t = # timeout\n-v = # verbosity\n", "2014-05-01", "add jobloop"),
        ("-t = # timeout\n", "2014-06-10", "drop -v, nobody uses it"),
        ("-t = # timeout\n-x # extra\n", "2014-06-12", "add -x"),
    ])  # fmt: skip
    (got,) = removed(repo)
    assert got.names == ("-v",)
    assert got.takes_value and got.help == "verbosity"
    assert got.removed_in == short(repo, "HEAD~1")
    assert got.removed_on == "2014-06-10"
    assert got.message == "drop -v, nobody uses it"
    assert got.replacement == ""
    assert got.sources == frozenset({"history"})


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param(["--verbose # talk\n", "--verbosity = # level\n"],
                     [(("--verbose",), "--verbosity")], id="renamed-by-similar-name"),
        pytest.param(["-q # be quiet\n", "--silent # be quiet\n"],
                     [(("-q",), "--silent")], id="renamed-same-help"),
        pytest.param(["-q # be quiet\n", "--zzz # other\n"], [(("-q",), "")],
                     id="unrelated-addition"),
        pytest.param(["-v --verbose # talk\n-t\n", "-t\n"], [(("-v", "--verbose"), "")],
                     id="aliases-together"),
        # The option lives on as `--verbose`: a caller's `-v` means it (#29: never drop it).
        pytest.param(["-v --verbose # talk\n", "--verbose # talk\n"], [(("-v",), "--verbose")],
                     id="alias-dropped-only"),
        pytest.param(["-v\n", "-t\n", "-t -v\n"], [], id="re-added-not-reported"),
        pytest.param(["-v\n", "-t\n", "-t -v\n", "-t\n"], [(("-v",), "HEAD")],
                     id="removed-again-newest"),
        pytest.param(["-v\n", "BROKEN\n", "-t\n"], [(("-v",), "")], id="unparsable-skipped"),
    ],
)  # fmt: skip
def test_removals(tmp_path: Path, versions: list[str], expected: list[tuple[Any, str]]) -> None:
    repo = repo_with(
        tmp_path, [(t, f"2014-06-{i + 1:02d}", f"v{i}") for i, t in enumerate(versions)]
    )
    got = removed(repo)
    if expected and expected[0][1] == "HEAD":
        assert [(o.names, o.removed_in) for o in got] == [(expected[0][0], short(repo, "HEAD"))]
        return
    assert [(o.names, o.replacement) for o in got] == expected
    for option in got:
        assert option.removed_in == short(repo, "HEAD")


def test_spec_file_rename_is_followed(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [
        ("-t\n-v\n" + "# padding so the rename is detected\n" * 5, "2014-05-01", "add"),
        ("-t\n" + "# padding so the rename is detected\n" * 5, "2014-06-10", "drop -v"),
    ], path="bin/old.sh")  # fmt: skip
    (repo / "bin/new.sh").parent.mkdir(exist_ok=True)
    git(repo, "mv", "bin/old.sh", "bin/new.sh")
    git(repo, "commit", "-q", "-m", "rename", date="2014-06-11T10:00:00")
    (got,) = removed(repo, "bin/new.sh")
    assert (got.names, got.removed_in, got.removed_on) == (
        ("-v",), short(repo, "HEAD~1"), "2014-06-10"
    )  # fmt: skip


def test_removed_in_the_working_tree(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [("-t\n-v\n", "2014-05-01", "add")])
    (repo / SPEC).write_text("-t\n")
    (got,) = removed(repo)
    assert (got.names, got.removed_in, got.removed_on) == (("-v",), "the working tree", "")


def test_max_commits_bounds_the_walk(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [
        ("-v\n-t\n", "2014-05-01", "add"), ("-t\n", "2014-05-02", "drop"),
        ("-t -a\n", "2014-05-03", "a"), ("-t -b\n", "2014-05-04", "b"),
    ])  # fmt: skip
    assert [o.names for o in removed(repo)] == [("-a",), ("-v",)]
    assert [o.names for o in removed(repo, max_commits=2)] == [("-a",)]


def test_reader_that_raises_is_skipped(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [("-v\n", "2014-05-01", "a"), ("-t\n", "2014-05-02", "b")])

    def explode(commit: str, text: str) -> Interface | None:
        raise RuntimeError("bug")

    assert removed_options(repo, SPEC, Interface("j", "getopts"), explode) == ()


def test_quiet_without_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    (plain / "bin").mkdir(parents=True)
    (plain / "bin/x").write_text("-v\n")
    current = Interface("x", "getopts")
    assert removed_options(plain, "bin/x", current, read_at) == ()
    assert git_root(plain) is None
    repo = repo_with(tmp_path, [("-v\n", "2014-05-01", "a")])
    (repo / "untracked.sh").write_text("-v\n")
    assert removed_options(repo, "untracked.sh", current, read_at) == ()
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert removed_options(repo, SPEC, current, read_at) == ()
    assert git_root(repo) is None


def test_git_root_show_file_and_subfolders(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [("-v\n", "2014-05-01", "a"), ("-t\n", "2014-05-02", "b")])
    sub = repo / "modules"
    assert git_root(sub) == repo.resolve()
    assert show_file(repo, "HEAD~1", SPEC) == "-v\n"
    assert show_file(sub, "HEAD", "jobs/files/jobloop.sh") == "-t\n"
    assert show_file(repo, "HEAD", "nope") is None
    assert show_file(repo, "--output=/tmp/x", SPEC) is None
    # History of a spec, asked from a tree that is a subfolder of the repository.
    (got,) = removed_options(sub, "jobs/files/jobloop.sh", read("-t\n") or Interface("", ""),
                             read_at)  # fmt: skip
    assert got.names == ("-v",)


def test_changed_files(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [("-v\n", "2014-05-01", "a")])
    (repo / "keep.txt").write_text("k")
    (repo / "gone.txt").write_text("g")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    (repo / SPEC).write_text("-t\n")
    (repo / "gone.txt").unlink()
    (repo / "new.pp").write_text("")
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "x.log").write_text("")
    assert changed_files(repo, "HEAD") == (".gitignore", "gone.txt", SPEC, "new.pp")
    assert changed_files(repo / "modules", "HEAD") == ("jobs/files/jobloop.sh",)
    assert changed_files(repo, "no-such-rev") is None
    assert changed_files(tmp_path / "missing", "HEAD") is None


def test_tree_at(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, [("-v\n", "2014-05-01", "a")])
    run = repo / "modules/jobs/files/run.sh"
    run.write_text("#!/bin/sh\n")
    run.chmod(0o755)
    os.symlink("run.sh", repo / "modules/jobs/files/link.sh")
    (repo / ".gitattributes").write_text("other.txt export-ignore\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    (repo / SPEC).write_text("changed\n")
    dest = tmp_path / "base"
    assert tree_at(repo, "HEAD", dest)
    assert (dest / SPEC).read_text() == "-v\n"
    assert (dest / "other.txt").read_text() == "a"  # export-ignore does not apply
    assert os.access(dest / "modules/jobs/files/run.sh", os.X_OK)
    assert os.readlink(dest / "modules/jobs/files/link.sh") == "run.sh"
    sub = tmp_path / "sub"
    assert tree_at(repo / "modules", "HEAD~1", sub)
    assert sorted(p.relative_to(sub).as_posix() for p in sub.rglob("*") if p.is_file()) == [
        "jobs/files/jobloop.sh"
    ]
    assert not tree_at(repo, "no-such-rev", tmp_path / "x")
    assert not tree_at(repo, "-h", tmp_path / "y")
    assert not tree_at(tmp_path / "missing", "HEAD", tmp_path / "z")


def test_history_up_to_a_rename_survives_a_missing_old_blob(tmp_path: Path) -> None:
    # A mirror without some old objects: following the rename needs the blob of the file
    # before it, which is gone; the history since the rename still says when -v went.
    repo = repo_with(tmp_path, [
        ("-t\n-v\n-x\n" + "# padding so the rename is detected\n" * 5, "2014-05-01", "add"),
    ], path="bin/old.sh")  # fmt: skip
    lost = git(repo, "rev-parse", "HEAD:bin/old.sh").strip()
    git(repo, "mv", "bin/old.sh", "bin/new.sh")
    (repo / "bin/new.sh").write_text("-t\n-v\n" + "# padding so the rename is detected\n" * 5)
    git(repo, "commit", "-q", "-am", "rename", date="2014-06-01T10:00:00")
    (repo / "bin/new.sh").write_text("-t\n" + "# padding so the rename is detected\n" * 5)
    git(repo, "commit", "-q", "-am", "drop -v", date="2014-06-10T10:00:00")
    (repo / ".git/objects" / lost[:2] / lost[2:]).unlink()
    (got,) = removed(repo, "bin/new.sh")
    assert (got.names, got.removed_on) == (("-v",), "2014-06-10")
