"""The gate CI relies on: exit codes (Ctrl-C, --diff, --baseline, `calls PATH`), trees that
are not where PATH points, unreadable files, and the linter conventions of the command line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from driftlint.cli import cli
from tests.conftest import FIXTURES, git, make_repo

INCIDENT = FIXTURES / "jobloop-2014-incident"
CALLER = "modules/role/manifests/mediawiki/videoscaler.pp"

SCRIPT = """\
#!/bin/bash
# Usage:
#   jobloop [options] [<type>]
#
# Options:
#   -t, --timeout=<seconds>   Stop after this many seconds.
#   -v, --verbose             Say more.
exec php /srv/mediawiki/runJobs.php "$@"
"""


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def check(*args: str) -> Result:
    return run("check", "--no-cache", *args)


def roles_tree(root: Path, roles: int, bad: str = "--verbsoe") -> Path:
    """A tree with one watched script and `roles` role classes that each run it."""
    (root / "modules" / "jobs" / "files").mkdir(parents=True)
    (root / "modules" / "jobs" / "files" / "jobloop").write_text(SCRIPT, encoding="utf-8")
    manifests = root / "modules" / "jobs" / "manifests"
    manifests.mkdir()
    (manifests / "init.pp").write_text(
        "class jobs {\n  file { '/usr/local/bin/jobloop':\n    ensure => file,\n"
        "    mode   => '0755',\n    source => 'puppet:///modules/jobs/jobloop',\n  }\n}\n",
        encoding="utf-8",
    )
    role = root / "modules" / "role" / "manifests"
    role.mkdir(parents=True)
    for index in range(roles):
        (role / f"r{index}.pp").write_text(
            f"class role::r{index} {{\n  include jobs\n  exec {{ 'jobs-{index}':\n"
            f"    command => '/usr/local/bin/jobloop {bad} --timeout {index + 1}',\n"
            "    path    => ['/usr/bin', '/bin'],\n  }\n}\n",
            encoding="utf-8",
        )
    (root / "manifests").mkdir(exist_ok=True)
    (root / "manifests" / "site.pp").write_text("node default {\n  include role::r0\n}\n")
    return root


# Ctrl-C --------------------------------------------------------------------------------------
# A driftlint whose evaluation of roles sends SIGINT to its whole process group, as a terminal
# does on Ctrl-C (workers included); with `swallow`, the code that gets the KeyboardInterrupt
# swallows it, as a library's cleanup or the pool's fallback to evaluating here can.
INTERRUPT = """\
import os, signal, sys, time
from driftlint import pipeline
def interrupting(real):
    def step(*args, **kwargs):
        try:
            os.killpg(os.getpgid(0), signal.SIGINT)
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
                time.sleep(60)  # the signal ends this at once
        except KeyboardInterrupt:
            if not {swallow}:
                raise
        return real(*args, **kwargs)
    return step
name = "_evaluate_roots" if "{jobs}" == "1" else "_evaluate_in_worker"  # in a worker
step = interrupting(getattr(pipeline, name))
step.__module__, step.__qualname__ = "driftlint.pipeline", name  # the pool pickles it by name
setattr(pipeline, name, step)
from driftlint.cli import main
sys.argv[0] = "driftlint"
main()
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("swallow", [False, True], ids=["raised", "swallowed"])
def test_ctrl_c_exits_130_and_prints_no_report(tmp_path: Path, jobs: str, swallow: bool) -> None:
    tree = roles_tree(tmp_path / "tree", 70)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                INTERRUPT.format(swallow=swallow, jobs=jobs),
                "check",
                "--no-cache",
                "--jobs",
                jobs,
                "--format",
                "json",
                str(tree),
            ],
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # the signal goes to this group only
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        try:
            code = process.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                leftover = subprocess.run(
                    ["ps", "-o", "pid=,stat=,args=", "-g", str(process.pid)],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                os.killpg(process.pid, signal.SIGKILL)
    printed, said = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    assert code == 130, printed[-500:] + said[-3000:]
    assert printed == ""  # no partial report for a recipe to post
    assert "interrupted" in said and "Traceback" not in said, said[-3000:]
    assert leftover.strip() == "", leftover  # no worker is left behind


# --diff, --baseline, calls PATH ----------------------------------------------------------------
def test_diff_exits_1_while_the_errors_are_still_in_the_tree(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "fix-stale-option-in-hiera", tmp_path)  # --fix fixes all
    done = check("--diff", str(repo))
    assert done.stdout.startswith("--- a/"), done.stderr
    assert done.exit_code == 1, done.stderr  # nothing was written: the errors remain
    assert git(repo, "status", "--porcelain") == ""
    # After --fix, --diff has nothing to change and the tree is clean.
    assert check("--fix", str(repo)).exit_code == 0
    again = check("--diff", str(repo))
    assert (again.exit_code, again.stdout) == (0, "")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(None, "No such file", id="missing"),
        pytest.param("{not json", "not valid JSON", id="malformed"),
        pytest.param('["a list"]', "not a driftlint baseline", id="wrong-shape"),
        pytest.param('{"findings": [{"fingerprint": 7}, "x"]}', "not a driftlint", id="entries"),
    ],
)
def test_a_bad_baseline_is_a_usage_error_naming_the_file(
    tmp_path: Path, content: str | None, says: str
) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    baseline = tmp_path / "base line.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    done = check("--baseline", str(baseline), str(repo))
    assert done.exit_code == 2, done.stderr
    assert str(baseline) in done.stderr and says in done.stderr
    assert "internal error" not in done.stderr and done.stdout == ""


def test_calls_with_a_path_says_it_expected_a_name(tmp_path: Path) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    done = run("calls", str(repo))
    assert done.exit_code == 2
    assert "expected a script name" in done.stderr and f"--path {repo}" in done.stderr
    named = run("calls", "jobs-loop.sh", "--path", str(repo))
    assert named.exit_code == 0 and "jobs-loop.sh -t 14400 -v 0" in named.stdout


@pytest.mark.parametrize(
    "path",
    [
        "modules/mediawiki/files/mw-job-runner.init",  # the script that runs the call
        "modules/mediawiki/templates/mw-job-runner.default.erb",  # a link of the chain
        "modules/mediawiki/manifests/jobqueue.pp",  # the class that installs both
    ],
)
def test_a_latin1_comment_does_not_hide_the_error_of_the_call(tmp_path: Path, path: str) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    target = repo / path
    lines = target.read_bytes().split(b"\n")
    lines.insert(1, b"# maintained by Ren\xe9 (a Latin-1 byte)")
    target.write_bytes(b"\n".join(lines))
    done = check("--format", "json", str(repo))
    assert done.exit_code == 1, done.stdout
    found = {(f["path"], f["argument"]) for f in json.loads(done.stdout)["findings"]}
    assert (CALLER, "-v") in found


# The conventions of the linters people use -------------------------------------------------------
STALE = f"{CALLER}:6:24: error[stale-option] option `-v` was removed from jobs-loop.sh in "


def test_concise_is_one_line_per_finding_and_output_format_is_its_alias(tmp_path: Path) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    done = check("--format", "concise", str(repo))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(STALE) and lines[0].endswith("; drop it")
    assert lines[1:] == ["", "Found 1 error in 1 file (checked 7 files, 2 calls)."]
    assert check("--output-format", "concise", str(repo)).stdout == done.stdout
    quiet = check("--format", "concise", "-q", str(repo))
    assert quiet.stdout == lines[0] + "\n" and quiet.stderr == ""


def test_codequality_is_gitlabs_name_for_codeclimate(tmp_path: Path) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    quality = check("--format", "codequality", str(repo))
    assert quality.exit_code == 1
    assert quality.stdout == check("--format", "codeclimate", str(repo)).stdout
    out = tmp_path / "gl.json"
    assert check("--output", f"codequality={out}", str(repo)).exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))[0]["check_name"] == "stale-option"


def test_checkstyle_xml(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    repo = make_repo(INCIDENT, tmp_path)
    done = check("--format", "checkstyle", str(repo))
    assert done.exit_code == 1
    top = ET.fromstring(done.stdout.encode("utf-8"))
    assert top.tag == "checkstyle"
    (file,) = top
    assert (file.tag, file.get("name")) == ("file", CALLER)
    (error,) = file
    assert {k: error.get(k) for k in ("line", "column", "severity", "source")} == {
        "line": "6", "column": "24", "severity": "error", "source": "driftlint.stale-option",
    }  # fmt: skip
    assert (error.get("message") or "").startswith("option `-v` was removed")


def test_statistics_counts_each_code(tmp_path: Path) -> None:
    tree = roles_tree(tmp_path / "tree", 3)
    done = check("--statistics", str(tree))
    assert done.exit_code == 1
    first, blank, summary = done.stdout.splitlines()
    assert first.split()[:3] == ["3", "unknown-option", "error"]
    assert (blank, summary) == ("", "Found 3 errors in 3 files (checked 6 files, 3 calls).")


def test_quiet_prints_nothing_for_a_clean_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "manifests").mkdir(parents=True)
    (tree / "manifests" / "site.pp").write_text("node default {}\n", encoding="utf-8")
    done = check("-q", str(tree))
    assert (done.exit_code, done.stdout, done.stderr) == (0, "", "")


def test_color_always_is_kept_in_a_pipe(tmp_path: Path) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    assert "\x1b[" in check("--color", "always", str(repo)).stdout  # CliRunner: not a tty
    assert "\x1b[" not in check(str(repo)).stdout


def test_binary_bytes_are_never_printed_as_a_source_line(tmp_path: Path) -> None:
    tree = roles_tree(tmp_path / "tree", 1)
    (tree / "hieradata").mkdir()
    (tree / "hieradata" / "common.yaml").write_bytes(b"\x7fELF\x02\x01\x00\x1b[2J\x00key: x\n")
    done = check(str(tree))
    (block,) = [b for b in done.stdout.split("\n\n") if "hieradata/common.yaml" in b]
    assert block.startswith("hieradata/common.yaml:1:1: warning[unreadable-file] binary file")
    assert " 1 |" not in block and "ELF" not in block and "\x1b" not in block


def test_sarif_rules_each_have_their_help_page(tmp_path: Path) -> None:
    repo = make_repo(INCIDENT, tmp_path)
    sarif = json.loads(check("--format", "sarif", str(repo)).stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    uris = {rule["id"]: rule["helpUri"] for rule in rules}
    assert len(set(uris.values())) == len(uris) > 10
    assert uris["stale-option"].endswith("/driftlint/checks/stale_option.py")
    assert "pypi.org" not in json.dumps(sarif)  # driftlint is not on PyPI


def test_gitignored_files_are_not_checked(tmp_path: Path) -> None:
    tree = roles_tree(tmp_path / "tree", 1)
    role = tree / "modules" / "role" / "manifests"
    for name in ("r0.pp.orig", "r0-copy.pp", "keep.pp"):  # a merge leftover, a scratch copy
        text = (role / "r0.pp").read_text(encoding="utf-8")
        (role / name).write_text(text.replace("role::r0", f"role::{name[:-3].replace('.', '_')}")
                                 .replace("jobs-0", f"jobs-{name}"), encoding="utf-8")  # fmt: skip
    (tree / ".gitignore").write_text("*.orig\n*-copy.pp\n", encoding="utf-8")
    (role / ".gitignore").write_text("keep.pp\n!keep.pp\n", encoding="utf-8")  # re-included
    done = check("--format", "json", str(tree))
    paths = sorted(f["path"] for f in json.loads(done.stdout)["findings"])
    assert paths == [
        "modules/role/manifests/keep.pp",
        "modules/role/manifests/r0.pp",
    ], done.stdout


# Shards: a CI `parallel:` job per part, one merge job for the report (issue 31) ---------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "codequality", "junit", "checkstyle"])
def test_merged_shards_report_what_one_check_reports(tmp_path: Path, fmt: str) -> None:
    tree = roles_tree(tmp_path / "tree", 5)
    shards = tmp_path / "shards"
    for index in (1, 2, 3):
        done = check("--shard", f"{index}/3", "--shard-dir", str(shards), str(tree))
        assert done.exit_code == 0 and done.stdout == ""
        assert f"shard {index}/3 written to" in done.stderr
    merged = run("merge", "--no-cache", "--shard-dir", str(shards), "--format", fmt, str(tree))
    whole = check("--format", fmt, str(tree))
    assert merged.exit_code == whole.exit_code == 1
    assert merged.stdout == whole.stdout
    assert "--verbsoe" in merged.stdout


@pytest.mark.parametrize("value", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_shard_is_i_of_n(tmp_path: Path, value: str) -> None:
    done = check("--shard", value, str(roles_tree(tmp_path / "tree", 1)))
    assert done.exit_code == 2 and "I/N" in done.stderr


def test_calls_from_the_store_are_the_calls_of_a_fresh_run(tmp_path: Path) -> None:
    tree = roles_tree(tmp_path / "tree", 3)
    cache = str(tmp_path / "cache")
    fresh = run("calls", "--no-cache", "--format", "json", "--path", str(tree))
    first = run("calls", "--cache-dir", cache, "--format", "json", "--path", str(tree))
    assert first.stdout == fresh.stdout
    (tree / "modules" / "role" / "manifests" / "r1.pp").write_text(
        "class role::r1 {\n  include jobs\n}\n", encoding="utf-8"
    )
    edited = run("calls", "--no-cache", "--format", "json", "--path", str(tree))
    stored = run("calls", "--cache-dir", cache, "--format", "json", "--path", str(tree))
    assert stored.stdout == edited.stdout != fresh.stdout
    assert len(json.loads(stored.stdout)["calls"]) == 2
