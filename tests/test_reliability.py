"""Any input, no crash, nothing executed, nothing read outside the tree, the same output.

Each bad input goes into a small tree that also holds one real bad call (`--verbsoe` in
runner.pp, from fixtures/unknown-option-in-exec): that call must still be found, with the
exact finding or error the bad input gets, and the right exit code.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from driftlint import discover
from driftlint.cli import cli
from driftlint.parse.jinja import render_jinja
from driftlint.values import MapScope
from tests.conftest import FIXTURES, make_repo

EXEC = FIXTURES / "unknown-option-in-exec" / "modules" / "jobs"
BASE = {
    "modules/jobs/files/jobloop": (EXEC / "files/jobloop").read_text(),
    "modules/jobs/manifests/init.pp": (EXEC / "manifests/init.pp").read_text(),
    "modules/jobs/manifests/runner.pp": (EXEC / "manifests/runner.pp").read_text(),
    "hiera.yaml": "version: 5\ndefaults: {datadir: hieradata, data_hash: yaml_data}\n"
    "hierarchy:\n  - {name: Common, path: common.yaml}\n",
    "hieradata/common.yaml": "jobs::fromhiera::args: '--timeout 5'\n",
    "modules/jobs/manifests/fromhiera.pp": "class jobs::fromhiera(String $args = '') {\n"
    "    include jobs\n"
    "    exec { 'hiera-jobs': command => \"/usr/local/bin/jobloop ${args}\" }\n}\n",
    "modules/role/manifests/worker.pp": "class role::worker {\n    include jobs::fromhiera\n}\n",
}
PLANTED = ("modules/jobs/manifests/runner.pp", 6, 44, "unknown-option", "--verbsoe")
BOGUS = "/usr/local/bin/jobloop --bogus"
CRON = (  # a class that installs modules/jobs/templates/cron.erb as a cron file, for role::cron
    "class jobs::cron(String $x = 'y') {\n    include jobs\n    file { '/etc/cron.d/jobs':\n"
    "        content => template('jobs/cron.erb'),\n    }\n}\n"
)
CRON_TREE = {
    "modules/jobs/manifests/cron.pp": CRON,
    "modules/role/manifests/cron.pp": "class role::cron {\n    include jobs::cron\n}\n",
}

Row = tuple[str, int, int, str, str]


def make_tree(tmp_path: Path, files: dict[str, str | bytes], base: bool = True) -> Path:
    """The base tree plus files, as a committed git repository (tests/conftest.py)."""
    src = tmp_path / "src" / "tree"
    src.mkdir(parents=True)
    for name, body in ({**BASE, **files} if base else files).items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return make_repo(src, tmp_path)


def check(repo: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run `driftlint check --format=json`; exit code, findings, stderr. Never a traceback."""
    result: Result = CliRunner().invoke(
        cli, ["check", "--format=json", "--no-cache", *args, str(repo)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"], result.stderr


def rows(findings: list[dict[str, Any]]) -> set[Row]:
    return {(f["path"], f["line"], f["column"], f["code"], f["argument"]) for f in findings}


def message(findings: list[dict[str, Any]], path: str, code: str) -> str:
    (found,) = [f["message"] for f in findings if f["path"] == path and f["code"] == code]
    return str(found)


# What driftlint opens and runs, from Python's audit events (PEP 578) ---------------------------
_EVENTS: list[tuple[str, str]] | None = None
_RUNS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _EVENTS is not None and (event == "open" or event in _RUNS):
        first = args[0] if args else ""
        if event == "subprocess.Popen" and first is None:  # (executable, args, cwd, env)
            first = args[1][0] if isinstance(args[1], list | tuple) else args[1]
        _EVENTS.append((event, os.fsdecode(first) if isinstance(first, str | bytes) else ""))


sys.addaudithook(_audit)


@contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    global _EVENTS
    _EVENTS = events = []
    try:
        yield events
    finally:
        _EVENTS = None


def assert_nothing_run(events: list[tuple[str, str]]) -> None:
    """Only git may run (history, --base); nothing the tree holds."""
    runs = [(event, what) for event, what in events if event in _RUNS]
    assert all(event == "subprocess.Popen" and Path(what).name == "git" for event, what in runs)


# The bad input matrix -----------------------------------------------------------------------
DEEP = 10_000
ERB_DEEP = "<% if @x %>" * DEEP + f"\n0 * * * * root {BOGUS}\n" + "<% end %>" * DEEP


def _bomb() -> str:
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join(["*" + prev] * 9) + "]")
    return "\n".join([*lines, "jobs::fromhiera::args: *i", ""])


HIERA = "hieradata/common.yaml"
BLOB = "modules/jobs/manifests/blob.pp"
CRON_ERB = "modules/jobs/templates/cron.erb"
MATRIX = [
    pytest.param(
        {BLOB: b"class jobs::blob {}\n\x00\x01"},
        {(BLOB, 1, 1, "unreadable-file", "")},
        "binary file (a NUL byte at byte 20)",
        id="binary-file",
    ),
    pytest.param(
        {HIERA: b"jobs::fromhiera::args: '--t\xe9'\n"},
        # The bad byte is reported where it is, and the rest of the file is read (issue 30);
        # the word holding it is no finding, since what it says rests on a guessed decoding
        # (`--t\xe9` is an option in Latin-1; issue 29).
        {(HIERA, 1, 28, "unreadable-file", "")},
        "not valid UTF-8 at byte 27 (line 1); read with U+FFFD in its place",
        id="invalid-utf8",
    ),
    pytest.param(
        {"modules/jobs/manifests/bom.pp": "\ufeffclass jobs::bom {\n"
         f"    exec {{ 'b': command => '{BOGUS}' }}\n}}\n"},
        {("modules/jobs/manifests/bom.pp", 2, 52, "unknown-option", "--bogus")},
        None,
        id="utf8-bom-columns-count-after-it",
    ),
    pytest.param(
        {"modules/jobs/manifests/crlf.pp": f"class jobs::crlf {{\r\n    exec {{ 'c': command =>"
         f" '{BOGUS}' }}\r\n}}\r\n"},
        {("modules/jobs/manifests/crlf.pp", 2, 52, "unknown-option", "--bogus")},
        None,
        id="crlf",
    ),
    pytest.param(
        {HIERA: "\ufeff# c\r\njobs::fromhiera::args: '--timeout 5 --bogus'\r\n".encode()},
        {(HIERA, 2, 37, "unknown-option", "--bogus")},
        None,
        id="bom-and-crlf-in-hiera",
    ),
    pytest.param(
        {"modules/jobs/manifests/deep.pp": "class jobs::deep {\n  $a = " + "[" * DEEP + "]" * DEEP
         + "\n}\n"},
        # The 63rd `[`: the class body, the statement and `$a =`'s value are 3 levels.
        {("modules/jobs/manifests/deep.pp", 2, 7 + 63, "parse-error", "")},
        "syntax error: nested more than 64 levels deep",
        id="deep-brackets-in-manifest",
    ),
    pytest.param(
        {HIERA: "jobs::fromhiera::args: " + "[" * DEEP + "]" * DEEP + "\n"},
        {(HIERA, 1, 223, "parse-error", "")},
        "YAML too deep: nesting beyond 200 levels",
        id="deep-arrays-in-yaml",
    ),
    pytest.param(
        {CRON_ERB: ERB_DEEP, **CRON_TREE},
        # The k-th `if` is level 2k of the Ruby tree (under the program), its condition
        # 2k + 1: the 75th tag's condition passes 150 levels. Each tag is 11 columns.
        {(CRON_ERB, 1, 11 * 74 + 1, "parse-error", ""),
         (CRON_ERB, 2, 39, "unknown-option", "--bogus")},
        "Ruby code in ERB tags nested more than 150 levels deep; its tags are read as unknown "
        "values",
        id="deep-if-in-erb",
    ),
    pytest.param(
        {HIERA: _bomb()},
        {(HIERA, 1, 43, "parse-error", "")},  # the 6th "lol" of a: the 100,001st node
        "YAML too large: aliases expand beyond 100000 nodes",
        id="yaml-bomb",
    ),
    pytest.param(
        {HIERA: "jobs::fromhiera::args: &a [x, *a]\n"},
        {(HIERA, 1, 28, "parse-error", "")},  # `x`, 200 levels down
        "YAML too deep: nesting beyond 200 levels",
        id="yaml-recursive-alias",
    ),
    pytest.param(
        {CRON_ERB: "<%= scope.function_template(['jobs/cron.erb']) %>\n"
         f"0 * * * * root {BOGUS}\n<%= scope.call_function('template', ['jobs/cron.erb']) %>\n",
         **CRON_TREE},
        {(CRON_ERB, 2, 39, "unknown-option", "--bogus")},
        None,
        id="erb-includes-itself",
    ),
    pytest.param(
        {"modules/jobs/templates/self.epp": "<%= epp('jobs/self.epp') %>\n"
         f"0 * * * * root {BOGUS}\n",
         "modules/jobs/manifests/cron.pp": CRON.replace("template('jobs/cron.erb')",
                                                       "epp('jobs/self.epp')"),
         "modules/role/manifests/cron.pp": CRON_TREE["modules/role/manifests/cron.pp"]},
        {("modules/jobs/templates/self.epp", 2, 39, "unknown-option", "--bogus")},
        None,
        id="epp-includes-itself",
    ),
    pytest.param(
        {HIERA: "jobs::fromhiera::args: \"--timeout %{hiera('a')}\"\na: \"%{hiera('b')}\"\n"
         "b: \"%{hiera('a')}\"\n"},
        {(HIERA, 3, 5, "parse-error", "")},
        "hiera recursion: `b` interpolates `a`, which needs itself",
        id="hiera-interpolation-loop",
    ),
    pytest.param(
        {HIERA: "jobs::fromhiera::args: \"%{alias('a')}\"\na: \"%{alias('b')}\"\n"
         "b: \"%{alias('jobs::fromhiera::args')}\"\n"},
        {(HIERA, 3, 5, "parse-error", "")},
        "hiera recursion: `b` interpolates `jobs::fromhiera::args`, which needs itself",
        id="hiera-alias-loop",
    ),
    pytest.param(
        {"modules/jobs/manifests/rec.pp": "define jobs::rec {\n    jobs::rec { 'a': }\n"
         f"    jobs::rec {{ 'b': }}\n    exec {{ 'r': command => '{BOGUS}' }}\n}}\n",
         "modules/role/manifests/rec.pp": "class role::rec {\n    include jobs\n"
         "    jobs::rec { 'a': }\n}\n"},
        # At the title of the declaration made inside 51 bodies: past `max-depth` (50).
        {("modules/jobs/manifests/rec.pp", 2, 17, "parse-error", ""),
         ("modules/jobs/manifests/rec.pp", 4, 52, "unknown-option", "--bogus")},
        "`jobs::rec` is declared inside 51 class and define bodies, past the limit of 50 "
        "(`limits: max-depth`): it is not evaluated; its calls may be missed",
        id="define-declares-itself-twice",
    ),
    pytest.param(
        {"modules/jobs/manifests/loop.pp": "class jobs::loop inherits jobs::pool {\n"
         f"    include jobs::loop\n    exec {{ 'l': command => '{BOGUS}' }}\n}}\n"
         "class jobs::pool inherits jobs::loop {}\n",
         "modules/role/manifests/loop.pp": "class role::loop {\n    include jobs, jobs::loop\n}\n"},
        {("modules/jobs/manifests/loop.pp", 3, 52, "unknown-option", "--bogus")},
        None,
        id="class-inheritance-loop",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("files", "expected", "text"), MATRIX)
def test_bad_input(
    tmp_path: Path, files: dict[str, str | bytes], expected: set[Row], text: str | None
) -> None:
    code, findings, stderr = check(make_tree(tmp_path, files))
    assert rows(findings) == expected | {PLANTED}
    assert (code, stderr) == (1, "")
    if text is not None:
        path, _, _, kind, _ = min(r for r in expected if r[3] != "unknown-option")
        assert message(findings, path, kind) == text


def test_brace_then_astral_character_does_not_kill_the_process(tmp_path: Path) -> None:
    """tree-sitter-bash 0.25.1 segfaults on `{` and a character outside the BMP
    (tree-sitter/tree-sitter-bash#337); found by tests/test_fuzz.py. Run apart: a crash here
    would end the test session."""
    script = (
        "from driftlint.ltext import LText\n"
        "from driftlint.parse.shell import parse_shell\n"
        "for t in ('{\\U000d4af0', '{\\U000e0000', 'x {\\U0010ffff} \\U0001f600'):\n"
        "    parse_shell(LText.literal(t, 'f', 1, 1), 'f')\n"
        "print('alive')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (0, "alive\n"), done.stderr
    files = {
        "modules/jobs/files/run.sh": f"#!/bin/sh\necho {{\U0001f600}}\n{BOGUS} \U0001f600\n",
        "modules/jobs/manifests/sh.pp": "class jobs::sh {\n    include jobs\n"
        "    file { '/etc/init.d/run': source => 'puppet:///modules/jobs/run.sh' }\n}\n",
    }
    code, findings, _ = check(make_tree(tmp_path, files))
    assert code == 1
    assert rows(findings) == {
        PLANTED,
        ("modules/jobs/files/run.sh", 3, 24, "unknown-option", "--bogus"),
    }


@pytest.fixture
def fifty_megabytes(tmp_path: Path) -> Path:
    repo = make_tree(tmp_path, {})
    with open(repo / "modules/jobs/manifests/big.pp", "wb") as handle:
        handle.truncate(50_000_000)  # sparse: no 50 MB is written, and git never sees it
    return repo


def test_fifty_megabyte_file_is_refused_by_its_size_unread(fifty_megabytes: Path) -> None:
    with recording() as events:
        code, findings, _ = check(fifty_megabytes)
    big = "modules/jobs/manifests/big.pp"
    assert rows(findings) == {(big, 1, 1, "unreadable-file", ""), PLANTED}
    assert message(findings, big, "unreadable-file") == "file is larger than the 5 MB limit"
    assert code == 1
    assert not [path for event, path in events if event == "open" and path.endswith(big)]


def test_symlinks_loop_and_out_of_the_tree_are_findings_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pp").write_text(
        f"class secret {{\n  exec {{ 's': command => '{BOGUS}' }}\n}}\n"
    )
    repo = make_tree(tmp_path, {})
    here = repo / "modules/jobs/manifests"
    os.symlink("loopb.pp", here / "loopa.pp")
    os.symlink("loopa.pp", here / "loopb.pp")
    os.symlink("..", here / "up")
    os.symlink("missing.pp", here / "dangling.pp")
    os.symlink(outside / "secret.pp", here / "secret.pp")
    os.symlink("../../../../outside", here / "outdir")
    with recording() as events:
        code, findings, _ = check(repo)
    m = "modules/jobs/manifests"
    assert rows(findings) == {
        PLANTED, *((f"{m}/{n}", 1, 1, "unreadable-file", "") for n in
                   ("loopa.pp", "loopb.pp", "up", "dangling.pp", "secret.pp", "outdir"))
    }  # fmt: skip
    assert len(findings) == 7  # one finding per link: reading it again says the same thing
    assert {f["path"]: f["message"] for f in findings if f["code"] == "unreadable-file"} == {
        f"{m}/loopa.pp": f"symbolic link loops: {m}/loopa.pp -> loopb.pp",
        f"{m}/loopb.pp": f"symbolic link loops: {m}/loopb.pp -> loopa.pp",
        f"{m}/up": f"symbolic link loops: {m}/up -> ..",
        f"{m}/dangling.pp": f"symbolic link leads nowhere: {m}/dangling.pp -> missing.pp",
        f"{m}/secret.pp": f"symbolic link leads outside the tree: {m}/secret.pp -> "
        f"{outside / 'secret.pp'}",
        f"{m}/outdir": f"symbolic link leads outside the tree: {m}/outdir -> ../../../../outside",
    }
    assert code == 1
    assert not [path for event, path in events if event == "open" and str(outside) in path]


def test_symlink_loops_in_config_rules_and_specs_are_not_crashes(tmp_path: Path) -> None:
    config = (
        "rules: [rloop]\nscripts:\n  - name: other\n    interface: s.yaml\n    commands: [other]\n"
    )
    repo = make_tree(tmp_path, {".driftlint.yaml": config})
    for name in ("rloop", "s.yaml"):
        os.symlink(name, repo / name)
    code, findings, stderr = check(repo)
    assert rows(findings) == {
        PLANTED, ("rloop", 1, 1, "unreadable-file", ""), ("s.yaml", 1, 1, "unreadable-file", "")
    }  # fmt: skip
    assert code == 2
    assert stderr.splitlines() == [
        'driftlint: error: .driftlint.yaml:1:9: rules folder "rloop" does not exist in the tree',
        "driftlint: error: .driftlint.yaml:3:5: usage spec `s.yaml` of other cannot be read",
    ]


def test_config_link_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("exclude: ['modules/**']\n")
    repo = make_tree(tmp_path, {})
    os.symlink(outside, repo / ".driftlint.yaml")
    with recording() as events:
        code, findings, stderr = check(repo)
    assert rows(findings) == {PLANTED, (".driftlint.yaml", 1, 1, "unreadable-file", "")}
    assert (code, stderr) == (
        2,
        "driftlint: error: .driftlint.yaml:1:1: .driftlint.yaml is a symbolic link leading "
        "outside the tree; not read\n",
    )
    assert not [path for event, path in events if event == "open" and path == str(outside)]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (made up: the tests may run as root, who reads everything); a FIFO."""
    locked = "modules/jobs/manifests/locked.pp"
    repo = make_tree(tmp_path, {locked: "class jobs::locked {}\n"})
    os.mkfifo(repo / "modules/jobs/manifests/pipe.pp")

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(discover, "open", deny, raising=False)
    code, findings, _ = check(repo)
    assert rows(findings) == {PLANTED, (locked, 1, 1, "unreadable-file", "")}
    assert message(findings, locked, "unreadable-file") == "cannot be read: Permission denied"
    assert code == 1


def test_empty_tree(tmp_path: Path) -> None:
    # Nothing to check is no green light (#29): exit 2, saying so, and nothing on stdout.
    repo = make_tree(tmp_path, {}, base=False)
    done = CliRunner().invoke(cli, ["check", "--format=json", "--no-cache", str(repo)])
    assert (done.exit_code, done.stdout) == (2, "")
    assert f"no Puppet tree found under {repo}" in done.stderr


BAD_SETUP = [
    pytest.param(
        {".driftlint.yaml": "scripts:\n  - name: other\n    interface: modules/jobs/files/nope\n"
         "    commands: [other]\n"},
        set(),
        "driftlint: error: .driftlint.yaml:2:5: usage spec `modules/jobs/files/nope` of other "
        "cannot be read\n",
        id="usage-spec-missing",
    ),
    pytest.param(
        {".driftlint.yaml": "scripts:\n  - name: other\n    interface: modules/jobs/files/other\n"
         "    commands: [other]\n", "modules/jobs/files/other":
         # A console-script stub: its arguments are read by the library, which the tree lacks.
         # (`echo hi` alone is no longer "nothing": a script that reads no arguments takes none.)
         "#!/usr/bin/env python3\nfrom othertool.cli import main\n\nmain()\n"},
        set(),
        "driftlint: error: .driftlint.yaml:2:5: `modules/jobs/files/other` declares no interface "
        "for other (no usage text, parser code or interface spec found)\n",
        id="usage-spec-declares-nothing",
    ),
    pytest.param(
        {".driftlint.yaml": "exlude: [x]\n"},
        set(),
        'driftlint: error: .driftlint.yaml:1:1: unknown key "exlude"; did you mean "exclude"?\n',
        id="config-unknown-key",
    ),
    pytest.param(
        {".driftlint.yaml": "scripts: [\n"},
        set(),
        "driftlint: error: .driftlint.yaml:2:1: invalid YAML: expected the node content, but "
        "found '<stream end>'\n",
        id="config-not-yaml",
    ),
    pytest.param(
        {".driftlint.yaml": "select: [bogus-code]\n"},
        set(),
        'driftlint: error: .driftlint.yaml:1:10: unknown code "bogus-code"\n',
        id="config-select-selects-nothing-known",
    ),
    pytest.param(
        {".driftlint.yaml": b"\x00\xff"},
        {(".driftlint.yaml", 1, 1, "unreadable-file", "")},
        "driftlint: error: .driftlint.yaml:1:1: not valid UTF-8 at byte 1\n",
        id="config-binary",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("files", "expected", "stderr"), BAD_SETUP)
def test_bad_setup_exits_2_and_still_checks(
    tmp_path: Path, files: dict[str, str | bytes], expected: set[Row], stderr: str
) -> None:
    code, findings, printed = check(make_tree(tmp_path, files))
    assert (code, printed) == (2, stderr)
    assert rows(findings) == expected | {PLANTED}


def test_malformed_explicit_spec_is_a_parse_error(tmp_path: Path) -> None:
    spec = "modules/jobs/files/other.interface.yaml"
    config = f"scripts:\n  - name: other\n    interface: {spec}\n    commands: [other]\n"
    code, findings, stderr = check(
        make_tree(tmp_path, {".driftlint.yaml": config, spec: "options: [unclosed\n"})
    )
    assert rows(findings) == {PLANTED, (spec, 2, 1, "parse-error", "")}
    assert message(findings, spec, "parse-error").startswith("interface spec is not YAML: ")
    assert (code, stderr) == (1, "")


def test_debug_shows_the_traceback_of_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("driftlint.engine.run", broken)
    repo = make_tree(tmp_path, {"manifests/site.pp": "node default {}\n"}, base=False)
    quiet = CliRunner().invoke(cli, ["check", "--no-cache", str(repo)])
    loud = CliRunner().invoke(cli, ["check", "--no-cache", "--debug", str(repo)])
    assert quiet.exit_code == loud.exit_code == 3
    assert "Traceback" not in quiet.stderr and "ZeroDivisionError('boom')" in quiet.stderr
    assert "Traceback (most recent call last)" in loud.stderr


# Never execute ------------------------------------------------------------------------------
def test_nothing_in_the_tree_is_run(tmp_path: Path) -> None:
    """Python at module level, Ruby in ERB, YAML tags: each would write a canary if run."""
    canary = tmp_path / "canary"
    write = f"open('{canary}', 'w').write('ran')"
    tag = f"!!python/object/apply:os.system ['touch {canary}']"
    ruby = (
        f"<% File.write('{canary}', 'x') %><%= `touch {canary}` %><% system('touch {canary}') %>"
        f"<%= %x(touch {canary}) %><% eval(\"File.write('{canary}', 'x')\") %>"
        f"<%= IO.popen('touch {canary}').read %><%= Kernel.exec('touch {canary}') %>\n"
    )
    files = {
        "modules/jobs/files/pyjob": f"#!/usr/bin/env python3\nimport argparse, os\n{write}\n"
        f"os.system('touch {canary}')\np = argparse.ArgumentParser()\n"
        "p.add_argument('--mode', choices=['a', 'b'])\np.parse_args()\n",
        "modules/jobs/manifests/py.pp": "class jobs::py {\n    file { '/usr/local/bin/pyjob':\n"
        "        source => 'puppet:///modules/jobs/pyjob',\n    }\n"
        "    exec { 'py': command => '/usr/local/bin/pyjob --mode c' }\n}\n",
        CRON_ERB: ruby + f"0 * * * * root {BOGUS}\n",
        **CRON_TREE,
        HIERA: f"jobs::fromhiera::args: {tag}\nother: {tag}\n",
        ".driftlint.yaml": f"rules: [rules]\nwrappers: [w.yaml]\nper-path: {tag}\n",
        "rules/r.yaml": f"scripts: {tag}\n",
        "w.yaml": f"wrappers: [{{names: [x], skip: {tag}}}]\n",
        "modules/jobs/templates/t.j2": "{{ cycler.__init__.__globals__.os.system('touch "
        f"{canary}') }}}}\n",
    }
    repo = make_tree(tmp_path, files)
    with recording() as events:
        code, findings, stderr = check(repo, "--jobs", "1")
        check(repo, "--jobs", "1", "--base", "HEAD")  # runs git, so the hook sees a run
    assert not canary.exists()
    assert_nothing_run(events)
    # The hook sees what driftlint does: it read the tree, and `--base` ran git.
    assert any(e == "open" and p.endswith("runner.pp") for e, p in events)
    assert any(e == "subprocess.Popen" for e, _ in events)
    assert rows(findings) == {
        PLANTED,
        ("modules/jobs/manifests/py.pp", 5, 58, "invalid-choice", "c"),
        (CRON_ERB, 2, 39, "unknown-option", "--bogus"),
    }
    assert code == 2  # the tags in the config and rule files are setup errors
    assert "`per-path` must be a mapping, not a tagged value" in stderr
    assert "`scripts` must be a list of mappings, not a tagged value" in stderr


JINJA_TRICKS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ joiner.__init__.__globals__['os'].popen('touch CANARY').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ lipsum.__globals__['os'].system('touch CANARY') }}",
    "{% set x = namespace(a=cycler.__init__.__globals__.os) %}{{ x.a.system('touch CANARY') }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c('touch CANARY') }}{% endfor %}",
    "{% include 'CANARY' %}{% import 'CANARY' as m %}{% extends 'CANARY' %}",
]


@pytest.mark.parametrize("trick", JINJA_TRICKS)
def test_jinja_attribute_tricks_are_never_run(tmp_path: Path, trick: str) -> None:
    canary = tmp_path / "canary"
    text = f"/usr/local/bin/jobloop {trick.replace('CANARY', str(canary))} --bogus\n"
    with recording() as events:
        renderings, errors = render_jinja(text, "t.j2", MapScope({}))
    assert not canary.exists()
    assert_nothing_run(events)
    assert not [path for event, path in events if event == "open" and str(canary) in path]
    assert errors == ()
    assert all(r.text.text.startswith("/usr/local/bin/jobloop \ue000") for r in renderings)


# Confinement --------------------------------------------------------------------------------
def test_references_climbing_out_of_the_tree_are_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil").write_text(f"#!/bin/sh\n{BOGUS}\n")
    (outside / "x.erb").write_text(f"0 * * * * root {BOGUS}\n")
    climb = "../../../../outside"
    files = {
        "modules/jobs/manifests/climb.pp": "class jobs::climb {\n    include jobs\n"
        f"    file {{ '/etc/init.d/evil': source => 'puppet:///modules/jobs/{climb}/evil' }}\n"
        f"    file {{ '/etc/cron.d/a': content => template('{climb}/x.erb') }}\n"
        f"    file {{ '/etc/cron.d/b': content => template('jobs/{climb}/x.erb') }}\n"
        f"    file {{ '/etc/cron.d/c': content => template('{outside}/x.erb') }}\n"
        f"    file {{ '/etc/cron.d/d': content => epp('jobs/{climb}/x.erb') }}\n"
        f"    file {{ '/etc/cron.d/e': content => file('{outside}/x.erb') }}\n}}\n",
        "modules/role/manifests/climb.pp": "class role::climb {\n    include jobs::climb\n}\n",
        "environment.conf": f"modulepath = {climb}:modules\n",
    }
    with recording() as events:
        code, findings, _ = check(make_tree(tmp_path, files))
    assert (code, rows(findings)) == (1, {PLANTED})
    assert not [path for event, path in events if event == "open" and str(outside) in path]


# Determinism --------------------------------------------------------------------------------
def _copy_in_order(source: Path, dest: Path, reverse: bool) -> Path:
    """The fixture's files created in sorted or reversed order (directory order differs)."""
    for path in sorted(source.rglob("*"), reverse=reverse):
        if path.is_file() and path.name != "EXPECTED.json" and "BASE" not in path.parts:
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dest


@pytest.mark.parametrize("fixture", ["jobloop-2014-incident", "roles-hiera-levels"])
def test_same_tree_same_bytes(tmp_path: Path, fixture: str) -> None:
    forward = _copy_in_order(FIXTURES / fixture, tmp_path / "a", reverse=False)
    backward = _copy_in_order(FIXTURES / fixture, tmp_path / "b", reverse=True)
    outputs = set()
    for tree, jobs in ((forward, "1"), (forward, "2"), (backward, "1"), (backward, "2")):
        for fmt in ("json", "sarif", "text"):
            result = CliRunner().invoke(
                cli, ["check", f"--format={fmt}", "--no-cache", "--jobs", jobs, str(tree)]
            )
            assert result.exit_code == 1, result.stderr
            outputs.add((fmt, result.stdout.replace(str(tree), "TREE")))
    assert len(outputs) == 3  # one per format: every run printed the same bytes
    (json_out,) = [out for fmt, out in outputs if fmt == "json"]
    fingerprints = [f["fingerprint"] for f in json.loads(json_out)["findings"]]
    assert fingerprints and len(set(fingerprints)) == len(fingerprints)
