"""Hostile and huge input (issue 30): no code run, no crash, no hang, no stale answer.

Each test builds its hostile input itself, in a small tree that also holds one real bad call
(`--verbsoe` in runner.pp, tests/test_reliability.py): that call must still be found.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint.cache import codec
from driftlint.cache.rows import FILE as STORE_FILE
from driftlint.cache.store import Cache
from driftlint.cli import cli
from driftlint.model import Result, Span
from driftlint.parse.puppet import ast
from tests.conftest import GIT_ENV, git
from tests.test_reliability import PLANTED, check, make_tree, rows

Row = tuple[str, int, int, str, str]


def cached_check(repo: Path, cache: Path, *args: str) -> tuple[int, set[Row]]:
    result = CliRunner().invoke(
        cli, ["check", "--format=json", "--jobs", "1", "--cache-dir", str(cache), *args, str(repo)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.exit_code, rows(json.loads(result.stdout)["findings"])


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- 1. code execution: the cache ----------------------------------------------------------


class _Payload:
    """What a pickle-based cache would run: `__reduce__` names os.system."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def test_a_planted_cache_entry_never_runs(tmp_path: Path) -> None:
    """Every entry of a warm cache replaced by a pickle whose loading runs a command (a CI
    cache restored from another branch's pipeline): nothing runs, the answer is a cold run's."""
    repo = make_tree(tmp_path, {})
    cache = tmp_path / "cache"
    first = cached_check(repo, cache)
    assert PLANTED in first[1]
    canary = tmp_path / "canary"
    planted = [p for p in entries(cache) if not p.name.startswith(STORE_FILE)]
    assert {p.parent.parent.name for p in planted} >= {"manifests", "runs", "interfaces"}
    for path in planted:
        path.write_bytes(pickle.dumps(_Payload(f"touch {canary}")))
    with sqlite3.connect(cache / STORE_FILE) as db:  # the incremental store's rows
        payload = pickle.dumps(_Payload(f"touch {canary}"))
        assert db.execute("UPDATE rows SET value = ?", (payload,)).rowcount >= 2
    assert cached_check(repo, cache) == first
    assert not canary.exists()


def test_a_fifo_a_link_and_a_huge_entry_are_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO where an entry goes would block a plain open() for ever; a link may point at
    anything; an entry past the size bound is not read."""
    from driftlint.cache import store

    cache = Cache(tmp_path / "c", "k")
    span = Span("a.pp", 1, 1, 1, 2)
    cache.put("aa" + "0" * 62, span)
    good = tmp_path / "c" / "k" / "aa" / ("aa" + "0" * 62)
    assert cache.get(good.name, Span) == span
    fifo = good.with_name("aa" + "1" * 62)
    os.mkfifo(fifo)
    link = good.with_name("aa" + "2" * 62)
    link.symlink_to(good)
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(cache.get(fifo.name, Span)), daemon=True)
    reader.start()
    reader.join(60)
    if reader.is_alive():  # let the blocked open() go before failing
        with open(fifo, "wb"):
            pass
    assert got == [None]
    assert cache.get(link.name, Span) is None
    monkeypatch.setattr(store, "MAX_ENTRY", good.stat().st_size - 1)
    assert cache.get(good.name, Span) is None


@pytest.mark.parametrize(
    "damage",
    [
        b"\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7f",  # 11 bytes: a pickle claiming 2**63 bytes
        b'{"format":1,"classes":["os:system"],"value":[16,"touch x"]}',
        b'{"format":1,"classes":["driftlint.model:Span"],"value":[16,"a.pp",1,1,1]}',
        b'{"format":1,"classes":["driftlint.model:Span"],"value":[16,["a.pp"],1,1,1,2]}',
        b'{"format":1,"classes":["driftlint.model:Span"],"value":[16,{"a":1},1,1,1,2]}',
        b'{"format":1,"classes":["driftlint.model:Span"],"value":[17,"a.pp",1,1,1,2]}',
        b'{"format":1,"classes":[],"value":' + b"[0," * 100_000 + b"0" + b"]" * 100_000 + b"}",
        b'{"format":1,"classes":[],"value":"a span"}',
        b"[" * 100_000,
    ],
    ids=["pickle", "class", "fields", "type", "object", "number", "deep", "str", "json"],
)
def test_an_entry_not_of_the_expected_type_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    cache = Cache(tmp_path, "k")
    key = "ab" * 32
    (tmp_path / "k" / "ab").mkdir(parents=True)
    (tmp_path / "k" / "ab" / key).write_bytes(damage)
    assert cache.get(key, Span) is None
    assert cache.get(key, ast.Manifest) is None
    assert cache.get(key, Result) is None


def test_entries_round_trip_exactly() -> None:
    """What the codec stores is what loads: tuples stay tuples, sets sets, bytes bytes."""
    from driftlint.parse.puppet import parse_manifest

    manifest = parse_manifest(
        "class a($x = [1, {'k' => \"v${y}\"}]) {\n  exec { 'e': command => \"/bin/x ${x}\" }\n}\n",
        "m.pp",
    )
    assert codec.loads(codec.dumps(manifest), ast.Manifest) == manifest
    value = {("role", "x"): (frozenset({"a"}), b"\x00\xff", [1.5, None, True])}
    schema = dict[tuple[str, str], tuple[frozenset[str], bytes, list[float | bool | None]]]
    assert codec.loads(codec.dumps(value), schema) == value
    with pytest.raises(codec.Invalid):
        codec.loads(codec.dumps(value), dict[str, int])


# --- 1. code execution: git ---------------------------------------------------------------


def _program(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A shell script that touches its canary when run, and the canary."""
    canary = tmp_path / f"ran-{name}"
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch '{canary}'\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, canary


def _signed_commit(repo: Path, path: str, text: str) -> None:
    """A commit of an edit of path carrying a (bogus) signature, so that `git log` with
    log.showSignature runs gpg.program on it."""
    (repo / path).write_text(text)
    git(repo, "add", path)
    tree = git(repo, "write-tree").strip()
    parent = git(repo, "rev-parse", "HEAD").strip()
    who = "driftlint tests <tests@driftlint.invalid> 1402650000 +0000"
    body = (
        f"tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEbogus\n"
        " -----END PGP SIGNATURE-----\n\nsigned edit\n"
    )
    made = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=body,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    git(repo, "update-ref", "HEAD", made.stdout.strip())


def test_programs_named_by_the_checkouts_config_never_run(tmp_path: Path) -> None:
    """gpg.program with log.showSignature, a clean/smudge/process filter, a textconv, an
    external diff, an fsmonitor hook and a hook, all in the checkout's own config and
    attributes: `check`, `check --base` and the history of specs run none of them."""
    repo = make_tree(tmp_path, {".gitattributes": "* filter=evil diff=evil\n"})
    script = "modules/jobs/files/jobloop"
    _signed_commit(repo, script, (repo / script).read_text() + "# signed\n")
    programs = {n: _program(tmp_path, n) for n in ("gpg", "filter", "textconv", "fsmonitor")}
    programs["process"] = _program(tmp_path, "process")
    programs["diff"] = _program(tmp_path, "diff")
    programs["hook"] = _program(tmp_path, "hook")
    config = {
        "log.showSignature": "true",
        "gpg.program": programs["gpg"][0],
        "filter.evil.clean": programs["filter"][0],
        "filter.evil.smudge": programs["filter"][0],
        "filter.evil.process": programs["process"][0],
        "filter.evil.required": "true",
        "diff.evil.textconv": programs["textconv"][0],
        "diff.evil.command": programs["diff"][0],
        "diff.external": programs["diff"][0],
        "core.fsmonitor": programs["fsmonitor"][0],
    }
    for key, value in config.items():
        git(repo, "config", key, str(value))
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(programs["hook"][0].read_text())
        (hooks / hook).chmod(0o755)
    # A dirty working tree: status and a working-tree diff would clean it through the filter.
    runner = repo / PLANTED[0]
    runner.write_text(runner.read_text() + "\n# edited\n")
    _, findings, _ = check(repo, "--jobs", "1")
    assert PLANTED in rows(findings)
    check(repo, "--jobs", "1", "--base", "HEAD~1")
    result = CliRunner().invoke(cli, ["calls", "--format=json", "--path", str(repo)])
    assert result.exit_code in (0, 1), result.output
    ran = sorted(name for name, (_, canary) in programs.items() if canary.exists())
    assert ran == []


# --- 2. crashes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "value"),
    [
        ("max-expansions", "9223372036854775807"),
        ("max-file-size", "30g"),
        ("max-file-size", "99999999999999999999999"),
        ("max-depth", "100000"),
    ],
)
def test_a_limit_past_its_ceiling_is_a_config_error(tmp_path: Path, limit: str, value: str) -> None:
    repo = make_tree(tmp_path, {".driftlint.yaml": f"limits:\n  {limit}: {value}\n"})
    code, findings, stderr = check(repo, "--jobs", "1")
    assert code == 2
    assert ".driftlint.yaml:2:" in stderr and f"`{limit}` must be at most" in stderr
    assert PLANTED in rows(findings)


def test_a_catalog_nested_100000_deep_is_an_error_at_the_file(tmp_path: Path) -> None:
    repo = make_tree(tmp_path, {})
    catalogs = tmp_path / "catalogs"
    catalogs.mkdir()
    (catalogs / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    code, findings, stderr = check(repo, "--jobs", "1", "--catalogs", str(catalogs))
    assert code == 2
    # At the 201st `[`, found before `json.loads` recurses.
    assert "deep.json:1:201: JSON nested deeper than 200 levels" in stderr
    assert PLANTED in rows(findings)


def test_catalog_nesting_is_counted_outside_strings() -> None:
    from driftlint.fleet.catalogs import too_deep

    inside = b'{"a": "' + b"[" * 300 + b'\\"", "b": "' + b"{" * 300 + b'"}'
    assert json.loads(inside)["a"].endswith('["')  # an escaped quote does not end a string
    assert too_deep(inside) is None
    assert too_deep(b"[" * 200 + b"]" * 200) is None
    nested = b'{"a": "[[[",\n "b": ' + b"[" * 200 + b"]" * 200 + b"}"
    assert too_deep(nested) == nested.index(b"[", nested.index(b"\n")) + 199


def test_sarif_names_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    repo = make_tree(tmp_path, {})
    bad = os.fsdecode(b"modules/jobs/manifests/bad\xff.pp")
    (repo / bad).write_bytes(b"class jobs::bad {\n")  # a parse error in that file
    result = CliRunner().invoke(cli, ["check", "--format=sarif", "--no-cache", str(repo)])
    assert result.exit_code == 1, result.stderr
    sarif = json.loads(result.stdout)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert "modules/jobs/manifests/bad%FF.pp" in uris


def test_text_output_escapes_every_control_character_from_the_tree(tmp_path: Path) -> None:
    """`ESC c` resets a terminal, `ESC M` moves its cursor up: an option written with them
    (here from Hiera's `\\e`) is shown escaped in the message."""
    hiera = {"hieradata/common.yaml": 'jobs::fromhiera::args: "--t\\ec\\eM\\u202e"\n'}
    repo = make_tree(tmp_path, hiera)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--jobs", "1", str(repo)])
    assert result.exit_code == 1, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "--t\\x1bc\\x1bM\\u202e" in result.stdout


def test_a_500_term_sum_is_a_parse_error_at_its_place_and_its_class_still_checked(
    tmp_path: Path,
) -> None:
    """`1 + 1 + ... + 1` nests one node per `+`: 500 overflowed the evaluator, which lost
    the whole class (and the cache could not store the manifest)."""
    total = " + ".join(["1"] * 500)
    manifest = (
        "class jobs::sum {\n    include jobs\n"
        f"    $n = {total}\n"
        "    exec { 'sum': command => \"/usr/local/bin/jobloop --bogus ${n}\" }\n}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/jobs/manifests/sum.pp": manifest,
            "modules/role/manifests/sum.pp": "class role::sum {\n    include jobs::sum\n}\n",
        },
    )
    code, findings, _ = check(repo, "--jobs", "1")
    assert code == 1
    column = len("    $n = ") + len("1 + ") * 100 + 3  # the 101st `+`
    found = rows(findings)
    assert ("modules/jobs/manifests/sum.pp", 3, column, "parse-error", "") in found
    assert ("modules/jobs/manifests/sum.pp", 4, 54, "unknown-option", "--bogus") in found
    assert PLANTED in found


def test_a_500_term_sum_is_stored_in_the_cache_and_answered_alike_from_it(
    tmp_path: Path,
) -> None:
    """The manifest holding the sum could not be stored (pickle recursed past Python's
    stack): the warm run must give the cold run's answer, from the cache."""
    total = " + ".join(["1"] * 500)
    manifest = (
        "class jobs::sum {\n    include jobs\n"
        f"    $n = {total}\n"
        "    exec { 'sum': command => \"/usr/local/bin/jobloop --bogus ${n}\" }\n}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/jobs/manifests/sum.pp": manifest,
            "modules/role/manifests/sum.pp": "class role::sum {\n    include jobs::sum\n}\n",
        },
    )
    cache = tmp_path / "cache"
    cold = cached_check(repo, cache)
    manifests = [p for p in entries(cache) if p.parent.parent.name == "manifests"]
    assert len(manifests) == len(list(repo.rglob("*.pp")))  # the sum's manifest among them
    (repo / "modules/role/manifests/sum.pp").write_text(
        "class role::sum {\n    include jobs::sum\n}\n# touched: not the run's key\n"
    )
    warm = cached_check(repo, cache)
    assert warm == cold
    assert ("modules/jobs/manifests/sum.pp", 4, 54, "unknown-option", "--bogus") in cold[1]
    assert any(r[0] == "modules/jobs/manifests/sum.pp" and r[3] == "parse-error" for r in cold[1])


# --- 3. hangs -------------------------------------------------------------------------------


def run_bounded(*args: str, guard: float = 600) -> subprocess.CompletedProcess[str]:
    """driftlint in a subprocess. `guard` only stops a hang from stalling the suite (the
    test then fails); no test asserts on how long a run takes."""
    import sys

    try:
        return subprocess.run(
            [sys.executable, "-m", "driftlint", *args],
            capture_output=True,
            text=True,
            timeout=guard,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"driftlint {' '.join(args)} did not finish")


REDOS = "/^(a+)+$/"  # exponential in a backtracking engine on 'aaa…a!'
SUBJECT = "a" * 40 + "!"


def test_tree_regexes_are_matched_in_bounded_time(tmp_path: Path) -> None:
    """`case`, selector and ERB `=~` patterns from the tree: RE2 answers the pattern it reads
    exactly (no match here, so the default branch), and a pattern only a backtracking engine
    reads is unknown past the bound: both branches are checked."""
    manifest = (
        "class jobs::re {\n"
        "  include jobs\n"
        f"  $s = '{SUBJECT}'\n"
        f"  case $s {{\n    {REDOS}: {{ $o = '--verbose' }}\n"
        "    default: { $o = '--one' }\n  }\n"
        "  exec { 'one': command => \"/usr/local/bin/jobloop ${o}\" }\n"
        "  $p = $s ? { /^(a|a)+\\1?b$/ => '--two', default => '--verbose' }\n"
        "  exec { 'two': command => \"/usr/local/bin/jobloop ${p}\" }\n"
        "  $q = $s ? { /^(a+)+$/ => '--verbose', default => '--three' }\n"
        "  exec { 'three': command => \"/usr/local/bin/jobloop ${q}\" }\n"
        "  file { '/etc/cron.d/re': content => template('jobs/re.erb') }\n"
        "  file { '/etc/cron.d/re2': content => epp('jobs/re.epp', {'s' => $s}) }\n"
        "}\n"
    )
    epp = (
        "<%- | $s | -%>\n<% if $s =~ /^(a|a)+\\1?b$/ { -%>\n"
        "0 * * * * root /usr/local/bin/jobloop --verbose\n"
        "<% } else { -%>\n0 * * * * root /usr/local/bin/jobloop --five\n<% } -%>\n"
    )
    erb = (
        f"<% if @s =~ {REDOS} -%>\n0 * * * * root /usr/local/bin/jobloop --verbose\n"
        "<% else -%>\n0 * * * * root /usr/local/bin/jobloop --four\n<% end -%>\n"
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/jobs/manifests/re.pp": manifest,
            "modules/jobs/templates/re.erb": erb,
            "modules/jobs/templates/re.epp": epp,
            "modules/role/manifests/re.pp": "class role::re {\n    include jobs::re\n}\n",
        },
    )
    done = run_bounded("check", "--format=json", "--no-cache", "--jobs", "1", str(repo))
    assert done.returncode == 1, done.stderr
    found = {(r[0], r[4]) for r in rows(json.loads(done.stdout)["findings"])}
    assert {
        ("modules/jobs/manifests/re.pp", "--one"),
        ("modules/jobs/manifests/re.pp", "--two"),  # unknown past the bound: both branches
        ("modules/jobs/manifests/re.pp", "--three"),
        ("modules/jobs/templates/re.erb", "--four"),
        ("modules/jobs/templates/re.epp", "--five"),  # EPP's `=~`, a backreference: no RE2
        (PLANTED[0], PLANTED[4]),
    } <= found


@pytest.mark.parametrize(
    ("pattern", "text", "flags"),
    [
        ("^deb", "debian", 0),
        ("^DEB", "debian", 2),  # re.IGNORECASE
        ("^web\\d+\\.eqiad$", "web12.eqiad", 0),
        ("a.b", "a\nb", 16),  # re.DOTALL
        ("^b$", "a\nb", 8),  # re.MULTILINE
        ("x\\Z", "ax", 0),
        ("(?P<n>a)(?P=n)", "xaa", 0),  # a backreference: the bounded backtracking engine
        ("(?<=a)b", "ab", 0),
    ],
)
def test_safe_re_answers_as_re_does(pattern: str, text: str, flags: int) -> None:
    import re

    from driftlint import safe_re

    assert safe_re.search(pattern, text, flags) is (re.search(pattern, text, flags) is not None)


def test_safe_re_is_unknown_past_its_bound_and_for_what_re_refuses() -> None:
    from driftlint import safe_re

    assert safe_re.search("^(a|a)+\\1?b$", SUBJECT) is None
    assert safe_re.search("^(a+)+$", SUBJECT) is False  # RE2: linear, and exact
    assert safe_re.search("x(", "x(") is None
    assert safe_re.search("a\\z", "a") is None  # `re` refuses \z; RE2 would read it
    # A POSIX class is read as Ruby (and so Puppet) reads it, where `re` sees a set and `]`.
    assert safe_re.search("^[[:alpha:]]+$", "abc") is True


GLOB = "a*" * 12 + "b"  # a backtracking engine takes about len(name) ** 12 steps
LONG = "a" * 200  # a file name with no `b`


def test_exclude_and_hiera_globs_are_linear(tmp_path: Path) -> None:
    """An `exclude:` glob and a Hiera `glob:` level with twelve `*` against a 200-character
    file name: both answer (no match), and the tree is still checked."""
    hiera = (
        "version: 5\ndefaults: {datadir: hieradata, data_hash: yaml_data}\nhierarchy:\n"
        f"  - {{name: Many, glob: '{GLOB}.yaml'}}\n  - {{name: Common, path: common.yaml}}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            ".driftlint.yaml": f"exclude: ['{GLOB}']\n",
            "hiera.yaml": hiera,
            f"hieradata/{LONG}.yaml": "jobs::fromhiera::args: '--nothing'\n",
            f"modules/jobs/files/{LONG}": "#!/bin/sh\n",
        },
    )
    done = run_bounded("check", "--format=json", "--no-cache", "--jobs", "1", str(repo))
    assert done.returncode == 1, done.stderr
    assert PLANTED in rows(json.loads(done.stdout)["findings"])


def test_linear_globs_match_as_before() -> None:
    from driftlint.discover import compile_excludes, excluded

    rules = compile_excludes([GLOB, "!keep/" + GLOB, "vendor/", "**/*.bak"])
    assert excluded(rules, "x/" + "a" * 20 + "b", False)
    assert not excluded(rules, "keep/aaaaaaaaaaaaab", False)
    assert not excluded(rules, "x/" + LONG, False)
    assert excluded(rules, "vendor", True) and not excluded(rules, "vendor", False)
    assert excluded(rules, "a/b/c.bak", False) and not excluded(rules, "a/b/c.bakx", False)


def run_python(code: str, guard: float = 600) -> str:
    """Python code in a subprocess (its stdout); `guard` only stops a run that would take
    hours (quadratic) from stalling the suite: the test then fails. Nothing is timed."""
    import sys

    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=guard, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail("did not finish: a scan is not linear")
    return done.stdout


def test_a_function_file_with_200000_newfunction_on_one_line_is_read_linearly() -> None:
    """`.*?` after each `newfunction(` scanned to the end of the line: 20,000 took 4 minutes
    here, so 200,000 would take hours."""
    out = run_python(
        "from driftlint.resolve.ruby_functions import read_functions\n"
        "text = 'newfunction(:a, ' * 200_000 + '\\n'\n"
        "text += 'newfunction(:wrap, :type => :rvalue) do |args|\\n'\n"
        "text += '  function_template([\"m/t.erb\"])\\nend\\n'\n"
        "print(sorted(read_functions([('lib/puppet/parser/functions/x.rb', text)])))\n"
    )
    assert out.strip() == "['wrap']"


def test_a_template_of_100000_tags_is_read_linearly() -> None:
    """A template with 100,000 tags, one a line, each cut out of the template's text (a scan
    of every located run per slice) and the tags joined one by one were both quadratic."""
    out = run_python(
        "from driftlint.parse.erb import template_text\n"
        "text = '0 * * * * root /usr/local/bin/jobloop -q\\n' + '<%= @x %>\\n' * 100_000\n"
        "found = template_text(text, 't.erb')\n"
        "lines = found.split('\\n')\n"
        "print(len(lines), lines[0].text, lines[100_000].span().line)\n"
    )
    assert out.split() == [
        "100002",
        "0",
        "*",
        "*",
        "*",
        "*",
        "root",
        "/usr/local/bin/jobloop",
        "-q",
        "100001",
    ]


def test_a_getopt_long_list_of_30000_options_is_read_linearly() -> None:
    """Each option's place was found by a scan of every option: 10,000 took 3 minutes."""
    out = run_python(
        "from driftlint.interfaces import read_interface\n"
        "opts = ','.join(f'opt{i}:' if i % 2 else f'opt{i}' for i in range(30_000))\n"
        "text = ('#!/bin/bash\\nARGS=$(getopt -o v --long ' + opts + ' -n j -- \"$@\")\\n'\n"
        '        \'eval set -- "$ARGS"\\nwhile true; do\\n  case "$1" in\\n\'\n'
        "        '    -v|--opt0) shift ;;\\n    --) shift; break ;;\\n    *) exit 2 ;;\\n'\n"
        "        '  esac\\ndone\\n')\n"
        "found = read_interface('files/j', text, 'j')\n"
        "print(len(found.options), found.options[0].names, found.options[1].names)\n"
    )
    assert out.split() == ["30000", "('-v',", "'--opt0')", "('--opt1',)"]


# --- 4. stale or lost answers ---------------------------------------------------------------


def test_one_undecodable_byte_hides_no_call_of_its_manifest(tmp_path: Path) -> None:
    """A Latin-1 `é` in a comment of runner.pp made the whole manifest unreadable and the
    run exit 0; now the byte is reported at its place and the planted call still found."""
    repo = make_tree(tmp_path, {})
    path = repo / PLANTED[0]
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())
    code, findings, _ = check(repo, "--jobs", "1")
    assert code == 1
    assert (PLANTED[0], PLANTED[1] + 1, PLANTED[2], *PLANTED[3:]) in rows(findings)
    assert (PLANTED[0], 1, 6, "unreadable-file", "") in rows(findings)


def test_an_edit_of_an_excluded_file_that_a_role_reads_is_not_answered_from_the_cache(
    tmp_path: Path,
) -> None:
    """The run cache's key held only the files discovery lists: a template under an
    `exclude:` folder, still rendered by its role, was edited and the old answer came back."""
    cron = (
        "class jobs::cron {\n    include jobs\n    file { '/etc/cron.d/jobs':\n"
        "        content => template('jobs/cron.erb'),\n    }\n}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            ".driftlint.yaml": "exclude: ['modules/jobs/templates/']\n",
            "modules/jobs/manifests/cron.pp": cron,
            "modules/jobs/templates/cron.erb": "0 * * * * root /usr/local/bin/jobloop --first\n",
            "modules/role/manifests/cron.pp": "class role::cron {\n    include jobs::cron\n}\n",
        },
    )
    cache = tmp_path / "cache"
    template = repo / "modules/jobs/templates/cron.erb"
    _, first = cached_check(repo, cache)
    assert ("modules/jobs/templates/cron.erb", 1, 39, "unknown-option", "--first") in first
    template.write_text("0 * * * * root /usr/local/bin/jobloop --second\n")
    _, second = cached_check(repo, cache)
    assert ("modules/jobs/templates/cron.erb", 1, 39, "unknown-option", "--second") in second
    assert not any(r[4] == "--first" for r in second)


def test_a_case_loop_past_its_arm_bound_is_open_and_says_so(tmp_path: Path) -> None:
    """600 option arms then `*) exit 2`: reading stopped at 500 and the script was silently
    taken to accept anything. It still accepts anything past the bound, with a warning at the
    place reading stopped, and options read before it still bind."""
    arms = "".join(f"    --o{i}) shift ;;\n" for i in range(600))
    script = (
        '#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  case "$1" in\n'
        + arms
        + "    *) echo bad >&2; exit 2 ;;\n  esac\ndone\n"
    )
    repo = make_tree(tmp_path, {"modules/jobs/files/jobloop": script})
    code, findings, _ = check(repo, "--jobs", "1")
    found = rows(findings)
    cut = [r for r in found if r[0] == "modules/jobs/files/jobloop" and r[3] == "parse-error"]
    assert [r[1] for r in cut] == [3 + 500 + 1]  # the line of the 501st arm
    assert not any(r[3] == "unknown-option" and r[4] == "--verbsoe" for r in found)
    assert code == 0


def test_the_span_of_a_200000_character_shell_word_is_found_linearly() -> None:
    """Each character's run was found by a list of every run's start built per character: a
    fuzzed script with one 73,000-character word hung a check (tests/test_fuzz_trees.py)."""
    out = run_python(
        "from driftlint.ltext import LText\n"
        "from driftlint.parse.shell import parse_shell\n"
        "text = '/usr/local/bin/jobloop ' + '[' * 200_000 + ' --x\\n'\n"
        "found = parse_shell(LText.literal(text, 's.sh', 1, 1), 's.sh')\n"
        "words = [w for c in found.commands for w in c.words]\n"
        "print(len(words), words[1].span.column, words[1].span.end_column, words[2].text)\n"
    )
    assert out.split() == ["3", "24", "200024", "--x"]


def test_a_200000_character_watched_name_is_matched_in_bounded_memory() -> None:
    """The pattern of watched names was built by joining each trie node's pattern into its
    parent's: a 188,000-character name (fuzzed) took past 2 GB; recursion overflowed first."""
    import resource
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    code = (
        "from driftlint.resolve.relevance import Mentions\n"
        "long = '/usr/local/bin/' + 'a' * 200_000\n"
        "found = Mentions([long, '/usr/local/bin/jobloop', 'jobloop'])\n"
        "print(found('run ' + long + ' now'), found('x /usr/local/bin/jobloop'), found('aaa'))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("did not finish")
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["True", "True", "False"]


def test_a_chain_doubling_a_string_per_class_is_bounded_and_warned(tmp_path: Path) -> None:
    """Each class declares the next with `p => "${p}${p}"`: 30 levels built a string of 2**30
    characters (22 GB). Past the root's budget the value is unknown, warned where it is built,
    and the rest of the tree is still checked, in a child process under 1.5 GB."""
    import resource
    import sys

    levels = 40
    classes = "".join(
        f"class chain::c{i}($p) {{\n    class {{ 'chain::c{i + 1}': p => \"${{p}}${{p}}\" }}\n}}\n"
        for i in range(levels)
    )
    classes += f"class chain::c{levels}($p) {{\n    include jobs\n}}\n"
    repo = make_tree(
        tmp_path,
        {
            "modules/chain/manifests/init.pp": classes,
            "modules/role/manifests/chain.pp": "class role::chain {\n"
            "    class { 'chain::c0': p => 'a' }\n}\n",
        },
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))

    args = ["check", "--format=json", "--no-cache", "--jobs", "1", str(repo)]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "driftlint", *args],
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("did not finish")
    assert done.returncode == 1, done.stderr[-500:]
    found = json.loads(done.stdout)["findings"]
    assert PLANTED in rows(found)
    (cut,) = [f for f in found if f["code"] == "parse-error"]
    assert cut["path"] == "modules/chain/manifests/init.pp" and cut["severity"] == "warning"
    assert "strings built past" in cut["message"]
    # At the `"${p}${p}"` of a class deep enough that its string is past the budget, yet not
    # so deep that smaller strings were cut: 2**10 characters is well under it.
    level, at = divmod(cut["line"] - 2, 3)
    assert at == 0 and 10 <= level < levels
    assert cut["column"] == len(f"    class {{ 'chain::c{level + 1}': p => ") + 1


def test_a_chain_deeper_than_max_depth_is_cut_at_the_declaration_and_warned(
    tmp_path: Path,
) -> None:
    """Each class declares the next with a growing parameter (`"${p}x"`): past `max-depth`
    the declaration is not evaluated and a warning says where, at the declaration; the rest
    of the tree is still checked. (With the default, 50, 10,000 such classes once ended in a
    RecursionError at the 120th; the bound is set low here to keep the test small.)"""
    levels = 12
    classes = "".join(
        f"class chain::c{i}($p) {{\n    class {{ 'chain::c{i + 1}': p => \"${{p}}x\" }}\n}}\n"
        for i in range(levels)
    )
    classes += (
        f"class chain::c{levels}($p) {{\n"
        "    exec { 'deep': command => \"/usr/local/bin/jobloop --deep ${p}\" }\n}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            ".driftlint.yaml": "limits: {max-depth: 5}\n",
            "modules/chain/manifests/init.pp": classes,
            "modules/role/manifests/chain.pp": "class role::chain {\n    include jobs\n"
            "    class { 'chain::c0': p => 'a' }\n}\n",
        },
    )
    code, findings, _ = check(repo, "--jobs", "1")
    assert code == 1
    found = rows(findings)
    assert PLANTED in found
    (cut,) = [f for f in findings if f["code"] == "parse-error"]
    # role::chain's body is the 1st; chain::c0 to c3 are the 2nd to 5th; c4's body (line
    # 3 * 4 + 2) declares c5 inside 6 bodies, past 5. Column 13: the title 'chain::c5'.
    assert (cut["path"], cut["line"], cut["column"]) == ("modules/chain/manifests/init.pp", 14, 13)
    assert cut["severity"] == "warning"
    assert "`chain::c5` is declared inside 6 class and define bodies" in cut["message"]
    assert "max-depth" in cut["message"]
    # c12 is not reached from the role; it is still checked on its own (its $p unknown), and
    # its own chain is not cut: it declares nothing.
    assert ("modules/chain/manifests/init.pp", 38, 55, "unknown-option", "--deep") in found


def test_an_evaluator_is_freed_when_its_root_is_done_with_the_collector_off() -> None:
    """The check runs with the cycle collector off (driftlint/engine.py): an evaluator in a
    reference cycle (its Hiera hook a bound method of itself; a template's `Deferred` among
    its resources pointing back to it) was kept for the whole run, 1.9 GB for 2,000 roots."""
    import gc

    from driftlint.parse.puppet import parse_manifest
    from driftlint.resolve.memo import Memo, MemoEvaluator
    from driftlint.resolve.scope import Index

    manifest = parse_manifest(
        "class t($w = 'x') {\n  file { '/usr/local/bin/t': content => template('m/t.erb') }\n"
        "  $v = lookup('k')\n}\n",
        "site.pp",
    )
    index = Index()
    index.add(manifest)

    def evaluate_once(memo: Memo) -> None:
        evaluator = MemoEvaluator(index, {}, None, lambda key, facts: None, memo=memo)
        evaluator.declare_class("t", None, ())
        assert len(evaluator.resources) == 1  # with its Deferred content
        evaluator.release()

    memo = Memo()
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            evaluate_once(memo)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kept = [o for o in gc.garbage if isinstance(o, MemoEvaluator)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if collecting:
            gc.enable()
    assert kept == []


# --- 2. crashes: explicit depth limits in the parsers ---------------------------------------


def _manifest_errors(text: str) -> list[tuple[int, int, str]]:
    from driftlint.parse.puppet import parse_manifest

    found = parse_manifest(text, "deep.pp")
    return [(e.span.line, e.span.column, e.message) for e in found.errors]


NESTED = "syntax error: nested more than 64 levels deep"


@pytest.mark.parametrize(
    ("opening", "closing", "column"),
    [
        # `$a =` at the top: its statement and its value are levels 1 and 2; what the k-th
        # opening holds is level k + 2, so the parser refuses at the 64th opening, where the
        # 65th level would start (`$a = ` is 5 columns; for a hash, at the key of the 63rd).
        ("(", ")", 5 + 63 + 1),
        ("[", "]", 5 + 63 + 1),
        ("{a => ", "}", 5 + len("{a => ") * 62 + 2),
        ("f(", ")", 5 + 2 * 63 + 1),
    ],
    ids=["parens", "brackets", "hashes", "calls"],
)
def test_1000_nested_expressions_are_a_parse_error_where_the_bound_is_passed(
    opening: str, closing: str, column: int
) -> None:
    text = "$a = " + opening * 1000 + "1" + closing * 1000 + "\nclass after { }\n"
    assert _manifest_errors(text)[0] == (1, column, NESTED)


def test_1000_nested_ifs_blocks_and_elsifs_are_parse_errors_and_the_next_class_is_read() -> None:
    from driftlint.parse.puppet import ast, parse_manifest

    ifs = "class a {\n" + "if $x { " * 1000 + "}" * 1000 + "\n}\nclass after { }\n"
    # The class body is level 1; the j-th `if` is level 2j, its condition and block 2j + 1:
    # the 32nd `if`'s condition would be the 65th, at its `$x`.
    assert _manifest_errors(ifs)[0] == (2, len("if $x { ") * 31 + len("if ") + 1, NESTED)
    body = parse_manifest(ifs, "deep.pp").body
    assert [n.name for n in body if isinstance(n, ast.ClassDef)] == ["after"]
    elsifs = "if $x { }" + " elsif $x { }" * 1000 + "\n"
    # The `if` is level 1; the m-th `elsif` an `if` at level m + 1 in the one before, its
    # condition at m + 2: the 63rd `elsif`'s condition would be the 65th.
    first = len("if $x { }") + len(" elsif $x { }") * 62 + len(" elsif ") + 1
    assert _manifest_errors(elsifs)[0] == (1, first, NESTED)
    braces = "class a {\n" + "{" * 1000 + "\n}\nclass after { }\n"
    assert _manifest_errors(braces)[0][2] == NESTED


def test_strings_nested_1000_deep_in_interpolations_are_a_parse_error_at_the_place() -> None:
    text = '$a = "' + '${"' * 1000 + "\n"
    # Each `"${` opens one interpolation: the lexer refuses the 65th, at its `${`.
    (error,) = _manifest_errors(text)
    message = "syntax error: strings nested in `${}` more than 64 levels deep"
    assert error == (1, len('$a = "') + len('${"') * 64 + 1, message)


def test_an_epp_template_nested_1000_deep_is_a_parse_error_at_the_place() -> None:
    from driftlint.parse.epp import parse_epp

    found = parse_epp("<% " + "if $x { " * 1000 + " %>", "t.epp")
    (error,) = found.errors
    # Tags are top-level code: the j-th `if` is level 2j - 1, so the 33rd is the 65th.
    column = len("<% ") + len("if $x { ") * 32 + 1
    assert (error.span.line, error.span.column, error.message) == (1, column, NESTED)


def test_150_nested_command_substitutions_are_a_parse_error_and_the_other_lines_read() -> None:
    from driftlint.ltext import LText
    from driftlint.parse.shell import parse_shell

    deep = "echo " + "$(" * 150 + "date" + ")" * 150
    text = f"/usr/local/bin/jobloop --x\n{deep}\n/usr/local/bin/jobloop --y\n"
    found = parse_shell(LText.literal(text, "s.sh", 1, 1), "s.sh")
    assert [c.words[-1].text for c in found.commands] == ["--x", "--y"]
    (error,) = found.errors
    assert error.code == "parse-error" and error.span.line == 2
    assert error.message.startswith("shell commands nested more than 120 levels deep")
    # Where the 121st level of the syntax tree starts: inside the 40th `$(` or so, not at
    # the start of the line (the exact node is tree-sitter's).
    assert len("echo ") + 2 * 30 < error.span.column < len("echo ") + 2 * 50


def test_deep_input_in_a_tree_is_an_error_at_its_place_and_the_rest_is_checked(
    tmp_path: Path,
) -> None:
    """1,000 nested `(` in one class, a shell command with 150 nested `$(` before a bad call
    in another class of the same file: the bad call and the planted one are still found."""
    parens = "(" * 1000 + "1" + ")" * 1000
    subs = "$(" * 150 + "date" + ")" * 150
    manifest = (
        f"class jobs::deep {{\n    $a = {parens}\n}}\n"
        "class jobs::subs {\n    include jobs\n"
        f"    exec {{ 's': command => \"echo {subs}; /usr/local/bin/jobloop --bogus\" }}\n}}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/jobs/manifests/deep.pp": manifest,
            "modules/role/manifests/deep.pp": "class role::deep {\n"
            "    include jobs::deep, jobs::subs\n}\n",
        },
    )
    code, findings, _ = check(repo, "--jobs", "1")
    assert code == 1
    found = rows(findings)
    assert PLANTED in found
    # The class body, the statement and its value are levels 1 to 3: what the k-th `(`
    # holds is level k + 3, so the parser refuses at the 63rd.
    assert ("modules/jobs/manifests/deep.pp", 2, len("    $a = ") + 63, "parse-error", "") in found
    # The statement nested past the shell bound is not read; the one after it on the line is.
    # (A call site's shell parse errors are not reported as findings, deep or not.)
    bogus = len("    exec { 's': command => \"echo ") + len(subs) + len("; /usr/local/bin/jobloop ")
    assert ("modules/jobs/manifests/deep.pp", 6, bogus + 1, "unknown-option", "--bogus") in found


def test_1000_nested_parentheses_in_an_erb_tag_are_a_parse_error_at_the_tag() -> None:
    from driftlint.parse.erb import render_erb
    from driftlint.values import Unknown

    class Nothing:
        def lookup(self, name: str) -> Unknown:
            return Unknown(None, "@" + name)

    text = "0 * * * * root /usr/local/bin/jobloop\n<%= " + "(" * 1000 + "1" + ")" * 1000 + " %>\n"
    (rendering,), (error,) = render_erb(text, "cron.erb", Nothing())
    assert (error.span.line, error.span.column) == (2, 1)  # the tag
    assert error.message.startswith("Ruby code in ERB tags nested more than 150 levels deep")
    assert rendering.text.text.startswith("0 * * * * root /usr/local/bin/jobloop\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # A block is 5 frames' worth: the 61st `{% if %}` passes 300, on line 61.
        ("{% if x %}\n" * 1000 + "{% endif %}" * 1000, 61),
        # A bracket is 15: the 21st `(` passes it, on the tag's line.
        ("text\n{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}\n", 2),
        # An operator of the same expression is 1: the 301st `+`.
        ("{{ " + " + ".join(["1"] * 1000) + " }}", 1),
    ],
    ids=["ifs", "parens", "operators"],
)
def test_a_deep_jinja_template_is_a_parse_error_at_its_line(text: str, line: int) -> None:
    from driftlint.parse.jinja import render_jinja
    from driftlint.values import Unknown

    class Nothing:
        def lookup(self, name: str) -> Unknown:
            return Unknown(None, name)

    _, (error,) = render_jinja(text, "t.j2", Nothing())
    assert (error.span.line, error.span.column) == (line, 1)
    assert error.message.startswith("Jinja2 template nested too deeply to read")


def test_yaml_nested_100000_deep_is_a_parse_error_at_the_place_not_a_crash() -> None:
    """libyaml's composer recursed in C: 40,000 nested `[` or `- ` killed the process with
    SIGSEGV, no finding of the tree left. Run in a child, so that a crash fails this test
    only."""
    out = run_python(
        "from driftlint.parse.yaml import load_yaml\n"
        "for text in ('a: ' + '[' * 100_000, '- ' * 100_000 + 'x', 'a: ' + '{b: ' * 100_000):\n"
        "    value, (error,) = load_yaml(text, 'common.yaml')\n"
        "    print(value, error.span.line, error.span.column, error.message)\n"
    )
    # `a:` opens a mapping (level 1): the 200th `[` is level 201; each `- ` is a level; `a:`
    # then each `{` (4 columns) is one.
    message = "YAML too deep: nesting beyond 200 levels"
    assert out.splitlines() == [
        f"None 1 {3 + 200} {message}",
        f"None 1 {2 * 200 + 1} {message}",
        f"None 1 {3 + 4 * 199 + 1} {message}",
    ]


def test_a_root_past_its_bodies_bound_is_warned_at_the_declaration_and_the_rest_checked(
    tmp_path: Path,
) -> None:
    """One resource declaring 6,000 instances of a define (an array title): one root's work
    is bounded at 5,000 class and define bodies; the rest are not run, a warning says so at
    the declaration, the calls of the bodies that ran and the rest of the tree are checked."""
    titles = ", ".join(f"'t{i}'" for i in range(6000))
    manifest = (
        "define jobs::each() {\n"
        "    exec { \"each-${title}\": command => '/usr/local/bin/jobloop --each' }\n}\n"
        f"class jobs::fan {{\n    include jobs\n    jobs::each {{ [{titles}]: }}\n}}\n"
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/jobs/manifests/fan.pp": manifest,
            "modules/role/manifests/fan.pp": "class role::fan {\n    include jobs::fan\n}\n",
        },
    )
    code, findings, _ = check(repo, "--jobs", "1")
    assert code == 1
    found = rows(findings)
    assert PLANTED in found
    each = len('    exec { "each-${title}": command => \'/usr/local/bin/jobloop ') + 1
    assert ("modules/jobs/manifests/fan.pp", 2, each, "unknown-option", "--each") in found
    (cut,) = [f for f in findings if f["code"] == "parse-error"]
    # At the declaration: line 6, its title array after `    jobs::each { `.
    at = ("modules/jobs/manifests/fan.pp", 6, len("    jobs::each { ") + 1)
    assert (cut["path"], cut["line"], cut["column"]) == at
    assert "more than 5000 class and define bodies" in cut["message"]
    assert cut["severity"] == "warning"
