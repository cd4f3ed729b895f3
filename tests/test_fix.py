"""`check --fix` and `--diff`: fixtures' EXPECTED.fixed/ trees, safety, and the text edits."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from driftlint.cli import cli
from driftlint.fix import apply as fix
from driftlint.fix import text as fix_text
from driftlint.fix.plan import Change, Piece
from driftlint.fix.text import FileText, render
from driftlint.fix.yaml_edit import Splice, cut_items
from tests.conftest import FIXTURES, make_repo

FIXED = sorted(p.parent for p in FIXTURES.glob("*/EXPECTED.fixed"))


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def check(repo: Path, tmp_path: Path, *args: str) -> Result:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    return CliRunner().invoke(cli, ["check", *cache, *args, str(repo)], catch_exceptions=False)


def test_every_fix_fixture_has_expected_files() -> None:
    assert len(FIXED) >= 4
    for fixture in FIXED:
        fixed = files(fixture / "EXPECTED.fixed")
        assert fixed, fixture.name
        missing = [p for p in fixed if not (fixture / p).is_file()]
        assert missing == [], f"{fixture.name}: EXPECTED.fixed/ has files the tree lacks"


@pytest.mark.parametrize("fixture", FIXED, ids=lambda p: p.name)
def test_fix_leaves_the_expected_files_and_a_second_fix_changes_nothing(
    fixture: Path, tmp_path: Path
) -> None:
    repo = make_repo(fixture, tmp_path)
    before = files(repo)
    first = check(repo, tmp_path, "--fix")
    assert "internal error" not in first.stderr, first.stderr
    want = {**before, **files(fixture / "EXPECTED.fixed")}
    got = files(repo)
    for path in sorted(want):
        assert got[path].decode() == want[path].decode(), f"{path}\n{first.stderr}"
    assert got == want  # byte for byte, and no stray (temporary) files
    second = check(repo, tmp_path, "--fix")
    assert files(repo) == got, second.stderr
    assert "fixed 0 findings in 0 files" in second.stderr
    assert second.exit_code == first.exit_code


@pytest.mark.parametrize("fixture", FIXED, ids=lambda p: p.name)
def test_diff_writes_nothing_and_its_patch_gives_the_fixed_tree(
    fixture: Path, tmp_path: Path
) -> None:
    repo = make_repo(fixture, tmp_path)
    before = files(repo)
    shown = check(repo, tmp_path, "--diff")
    assert files(repo) == before, shown.stderr
    assert shown.stdout.startswith("--- a/")
    subprocess.run(["git", "apply", "-"], cwd=repo, input=shown.stdout, text=True, check=True)
    assert files(repo) == {**before, **files(fixture / "EXPECTED.fixed")}


def test_fix_exits_0_when_no_error_remains_and_1_otherwise(tmp_path: Path) -> None:
    clean = check(make_repo(FIXTURES / "fix-stale-option-in-hiera", tmp_path), tmp_path, "--fix")
    assert clean.exit_code == 0, clean.stderr
    assert "fixed 8 findings in 5 files" in clean.stderr
    left = check(make_repo(FIXTURES / "fix-renamed-options", tmp_path), tmp_path, "--fix")
    assert left.exit_code == 1
    assert "modules/role/manifests/graphite.pp:4:18" in left.stdout  # the finding still stands


def test_fix_says_why_it_left_findings_alone(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "fix-stale-option-in-puppet-strings", tmp_path)
    done = check(repo, tmp_path, "--fix", "--format", "json")
    notes = done.stderr
    assert (
        "not fixed: modules/jobs/manifests/quiet.pp:3:21: stale-option `-q`: `-q` is also "
        "passed to rotate-logs (role::videoscaler)" in notes
    )
    assert "not fixed: modules/jobs/manifests/runner.pp:20:44: stale-option `-v`:" in notes
    # Dropping `-v 0` would let the binder see the stale `-q` after it: a new finding.
    assert "undone: modules/role/manifests/jobrunner.pp: a new finding appeared" in notes
    assert done.stdout.startswith("{")  # the report of what remains, in the chosen format


def test_a_file_that_no_longer_parses_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    before = files(repo)
    real = fix_text.render

    def broken(change: Change, file: FileText) -> object:
        found = real(change, file)
        assert isinstance(found, list)
        return [Splice(s.start, s.end, "'{") for s in found if isinstance(s, Splice)]

    monkeypatch.setattr(fix, "render", broken)
    done = check(repo, tmp_path, "--fix")
    assert "undone: modules/role/manifests/mediawiki/videoscaler.pp: it no longer parses" in (
        done.stderr
    )
    assert files(repo) == before
    assert done.exit_code == 1


def test_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("old\n")
    script.chmod(0o751)
    fix._write(script, b"new\n")
    assert script.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(script).st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sh"]


# text edits -----------------------------------------------------------------------------------
def drop(path: str, text: str, *words: str, quoted: bool = False) -> str:
    """Drop the first occurrence of each word (in order) the way --fix does."""
    file = FileText(path, text)
    pieces, at = [], 0
    for word in words:
        at = text.index(word, at)
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        pieces.append(Piece(path, line, column, column + len(word), word))
        at += len(word)
    edits = render(Change("drop", tuple(pieces), quoted=quoted), file)
    if isinstance(edits, str):
        return f"refused: {edits}"
    splices = [e for e in edits if isinstance(e, Splice)]
    cuts = [e for e in edits if not isinstance(e, Splice)]
    if cuts:
        more = cut_items(text, cuts)  # type: ignore[arg-type]
        if isinstance(more, str):
            return f"refused: {more}"
        splices += more
    out = fix._splice(text, splices)
    assert out is not None
    return out


@pytest.mark.parametrize(
    ("path", "text", "words", "expected"),
    [
        pytest.param("a.pp", "$a = 'x -v 0 y'\n", ("-v", "0"), "$a = 'x y'\n", id="blanks-after"),
        pytest.param("a.pp", "$a = 'x -v 0'\n", ("-v", "0"), "$a = 'x'\n", id="blanks-before"),
        pytest.param("a.pp", "$a = '-v 0'\n", ("-v", "0"), "$a = ''\n", id="whole-string"),
        pytest.param(
            "a.pp", '$a = "-v ${b}"\n', ("-v",), '$a = "${b}"\n', id="before-interpolation"
        ),
        pytest.param("a.pp", "$a = ['x', '-v']\n", ("-v",), "refused", id="array-item-not-emptied"),
        pytest.param("a.pp", "$a = 'x-v'\n", ("-v",), "refused", id="no-blank-before"),
        pytest.param(
            "a.pp",
            "$a = @(END)\n  run -v 1 \\\n    y\n  | END\n",
            ("-v", "1"),
            "$a = @(END)\n  run \\\n    y\n  | END\n",
            id="heredoc-line",
        ),
        pytest.param("t.erb", 'X="-v 0"\n', ("-v", "0"), 'X=""\n', id="quoted-env-value"),
        pytest.param("t.erb", "run -v\n", ("-v",), "run\n", id="end-of-line"),
        pytest.param("t.erb", "-v\n", ("-v",), "refused", id="alone-on-a-line"),
        pytest.param("h.yaml", "k: x -v\n", ("-v",), "k: x\n", id="yaml-plain"),
        pytest.param("h.yaml", "k: -v\n", ("-v",), "k: ''\n", id="yaml-whole-plain"),
        pytest.param("h.yaml", "k: '-v' # c\n", ("-v",), "k: '' # c\n", id="yaml-whole-quoted"),
        pytest.param(
            "h.yaml", "k: |\n  x\n  -v\n  y\n", ("-v",), "k: |\n  x\n  y\n", id="yaml-block-line"
        ),
        pytest.param(
            "h.yaml",
            "k:\n  # one\n  - -v  # two\n  - x\n",
            ("-v",),
            "k:\n  # one\n  - x\n",
            id="yaml-block-item",
        ),
        pytest.param(
            "h.yaml",
            "k:\n  - -v\n  - '0'\n  - x\n",
            ("-v", "0"),
            "k:\n  - x\n",
            id="yaml-block-items",
        ),
        pytest.param("h.yaml", "k:\n  - -v\n", ("-v",), "refused", id="yaml-block-list-left-empty"),
        pytest.param("h.yaml", "k: [x, -v, y]\n", ("-v",), "k: [x, y]\n", id="yaml-flow-middle"),
        pytest.param("h.yaml", "k: [x, -v, '0']\n", ("-v", "0"), "k: [x]\n", id="yaml-flow-end"),
        pytest.param("h.yaml", "k: [-v]\n", ("-v",), "k: []\n", id="yaml-flow-only"),
    ],
)
def test_drop_takes_one_blank_run_inside_the_words_container(
    path: str, text: str, words: tuple[str, ...], expected: str
) -> None:
    got = drop(path, text, *words)
    assert (got.split(":")[0] if got.startswith("refused") else got) == expected


def test_drop_refuses_a_shell_quoted_word() -> None:
    assert drop("t.erb", "run '-v'\n", "-v", quoted=True).startswith("refused")


def test_render_refuses_text_that_moved() -> None:
    file = FileText("a.pp", "$a = 'x'\n")
    change = Change("replace", (Piece("a.pp", 1, 7, 9, "-v"),), "-V")
    assert render(change, file) == "the file no longer holds the text where the finding points"


SYNC_V1 = '''#!/usr/bin/env python3
"""Write the node classes the rsync job copies to every node."""
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("-c", "--node-class", required=True, help="the class to write")
parser.add_argument("-q", "--quiet", action="store_true", help="say nothing")
parser.add_argument("target", help="where to write")
args = parser.parse_args()
'''
# The next version keeps `--node-class` without its short alias and drops `--quiet` entirely.
SYNC_V2 = SYNC_V1.replace('"-c", "--node-class"', '"--node-class"').replace(
    """parser.add_argument("-q", "--quiet", action="store_true", help="say nothing")\n""", ""
)


def test_fix_renames_to_the_surviving_spelling_and_keeps_the_operands(tmp_path: Path) -> None:
    """Build Puppet's `rsync --delete` source with `-c asset_slave`: dropping `-c` with its value
    would write the classes of no node. The fix is `--node-class asset_slave`; `-q`, gone in
    every spelling and a flag, goes alone, and the operand after it stays."""
    from tests.conftest import git

    repo = tmp_path / "repo"
    (repo / "modules" / "sync" / "files").mkdir(parents=True)
    (repo / "modules" / "sync" / "manifests").mkdir(parents=True)
    script = repo / "modules" / "sync" / "files" / "sync-classes"
    script.write_text(SYNC_V1, encoding="utf-8")
    manifest = repo / "modules" / "sync" / "manifests" / "init.pp"
    manifest.write_text(
        "class sync {\n"
        "  file { '/usr/local/bin/sync-classes':\n"
        "    mode   => '0755',\n"
        "    source => 'puppet:///modules/sync/sync-classes',\n"
        "  }\n"
        "  exec { 'sync-classes':\n"
        "    command => '/usr/local/bin/sync-classes -q /srv/classes -c asset_slave',\n"
        "  }\n"
        "}\n",
        encoding="utf-8",
    )
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sync-classes", date="2014-06-01T10:00:00")
    script.write_text(SYNC_V2, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "sync-classes: only the long option")
    report = check(repo, tmp_path, "--format", "json")
    messages = {f["argument"]: f["message"] for f in json.loads(report.stdout)["findings"]}
    assert messages["-c"].endswith("use `--node-class` instead"), messages
    assert messages["-q"].endswith("drop it"), messages
    done = check(repo, tmp_path, "--fix")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert (
        "command => '/usr/local/bin/sync-classes /srv/classes --node-class asset_slave',"
        in manifest.read_text(encoding="utf-8")
    )


def test_fix_leaves_an_option_a_spec_lists_as_removed_without_history(tmp_path: Path) -> None:
    """A `removed:` entry of an explicit spec says neither whether another spelling survives
    nor whether the option took the next word: --fix must not guess."""
    repo = tmp_path / "repo"
    (repo / "modules" / "sync" / "manifests").mkdir(parents=True)
    (repo / "specs").mkdir()
    (repo / "specs" / "sync-classes.interface.yaml").write_text(
        "script: sync-classes\ndialect: getopt_long\noptions:\n"
        "  - names: [--node-class]\n    takes_value: true\n"
        "positionals:\n  - {name: target, min: 0, max: 1}\n"
        "removed:\n  - names: [-k]\n    removed_in: '2.0'\n",
        encoding="utf-8",
    )
    (repo / ".driftlint.yaml").write_text(
        "scripts:\n  - name: sync-classes\n    interface: specs/sync-classes.interface.yaml\n"
        "    commands: [/usr/local/bin/sync-classes]\n",
        encoding="utf-8",
    )
    manifest = repo / "modules" / "sync" / "manifests" / "init.pp"
    text = "class sync {\n  exec { 'sync': command => '/usr/local/bin/sync-classes -k /srv' }\n}\n"
    manifest.write_text(text, encoding="utf-8")
    report = check(repo, tmp_path, "--format", "json")
    found = json.loads(report.stdout)["findings"]
    assert [f["argument"] for f in found if f["code"] == "stale-option"] == ["-k"], found
    done = check(repo, tmp_path, "--fix")
    assert manifest.read_text(encoding="utf-8") == text
    assert "history does not show" in done.stderr
