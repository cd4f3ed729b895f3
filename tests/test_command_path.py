"""A command word is a call of a watched script only if it can run that file (#19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.ltext import LText
from driftlint.model import Span, Word
from driftlint.parse.puppet import parse_manifest
from driftlint.parse.shell import Command, parse_shell
from driftlint.resolve import command_path as paths
from tests.conftest import FIXTURES, make_repo

SCRIPT = "/usr/local/bin/reindex"
RESOLVER = paths.Resolver(
    [
        ("reindex", frozenset({SCRIPT}), frozenset({"reindex"}), frozenset()),
        ("tool", frozenset({"/opt/tool/bin/tool"}), frozenset(), frozenset()),
        ("declared", frozenset(), frozenset({"declared"}), frozenset({"declared"})),
    ],
    {"/usr/bin/reindex": "/etc/alternatives/reindex", "/etc/alternatives/reindex": SCRIPT},
)
CRON = paths.SearchPath(paths.CRON_DEFAULT, "cron")
LOCAL = paths.SearchPath(("/usr/local/bin", "/usr/bin"), "exec path")
SYSTEMD = paths.SearchPath(paths.SYSTEMD_DEFAULT, "systemd")


@pytest.mark.parametrize(
    ("word", "search", "cwd", "script", "how"),
    [
        pytest.param(SCRIPT, CRON, None, "reindex", "installed path", id="installed-path"),
        pytest.param("/usr/local/bin/../bin/reindex", CRON, None, "reindex", "installed path",
                     id="normalised-path"),
        pytest.param("/usr/bin/reindex", CRON, None, "reindex",
                     f"link /usr/bin/reindex -> {SCRIPT}", id="chain-of-links"),
        pytest.param("/usr/lib/search/reindex", paths.UNKNOWN, None, None, None,
                     id="vendor-binary-same-name"),
        pytest.param("reindex", paths.UNKNOWN, None, "reindex", "name, PATH not known",
                     id="bare-name-path-unknown"),
        pytest.param("reindex", CRON, None, "reindex", "name on PATH: /usr/bin/reindex (cron)",
                     id="bare-name-finds-a-link-on-path"),
        pytest.param("reindex", paths.SearchPath(("/bin",), "x"), None, None, None,
                     id="bare-name-not-on-path"),
        pytest.param("reindex", LOCAL, None, "reindex",
                     f"name on PATH: {SCRIPT} (exec path)", id="bare-name-on-path"),
        pytest.param("reindex", paths.SearchPath((), "none"), None, None, None,
                     id="bare-name-no-search-path"),
        pytest.param("tool", paths.UNKNOWN, None, None, None, id="not-on-a-default-path"),
        pytest.param("tool", paths.SearchPath(("/opt/tool/bin",), "x"), None, "tool",
                     "name on PATH: /opt/tool/bin/tool (x)", id="own-directory-on-path"),
        pytest.param("tool", SYSTEMD, None, None, None, id="systemd-default-lacks-opt"),
        pytest.param("declared", CRON, None, "declared", "name declared in a rule",
                     id="declared-in-a-rule"),
        pytest.param("bin/reindex", CRON, "/usr/local", "reindex", "installed path",
                     id="relative-with-cwd"),
        pytest.param("bin/reindex", CRON, "/srv", None, None, id="relative-elsewhere"),
        pytest.param("./reindex", CRON, None, "reindex",
                     f"relative path, {SCRIPT} (working directory not known)",
                     id="relative-cwd-unknown"),
    ],
)  # fmt: skip
def test_resolve_decides_from_the_file_the_word_runs(
    word: str, search: paths.SearchPath, cwd: str | None, script: str | None, how: str | None
) -> None:
    found = RESOLVER.resolve(word, search, cwd)
    assert (found.script if found else None) == script
    assert (found.how if found else None) == how


def test_links_loop_resolves_to_nothing() -> None:
    resolver = paths.Resolver([("x", frozenset({"/a/x"}), frozenset(), frozenset())],
                              {"/b/x": "/c/x", "/c/x": "/b/x"})  # fmt: skip
    assert resolver.resolve("/b/x") is None


@pytest.mark.parametrize(
    ("text", "dirs"),
    [
        ("/usr/local/bin:/usr/bin/", ("/usr/local/bin", "/usr/bin")),
        ("'/bin'", ("/bin",)),
        ("/opt/x/bin:$PATH", None),
        ("bin:/usr/bin", None),
        ("", None),
    ],
)
def test_parse_search_path(text: str, dirs: tuple[str, ...] | None) -> None:
    assert paths.parse_search_path(text, "t").dirs == dirs


def test_symbolic_search_path_is_unknown() -> None:
    symbol = LText.symbol(Span("a", 1, 1, 1, 2), "$path")
    assert paths.parse_search_path(symbol, "t") == paths.UNKNOWN


def lit(text: str) -> LText:
    return LText.literal(text, "m.pp", 1, 1)


@pytest.mark.parametrize(
    ("path", "environment", "provider", "default", "dirs"),
    [
        pytest.param(None, None, "posix", False, (), id="no-path-refused"),
        pytest.param(None, [(lit("PATH=/usr/local/bin"),)], "posix", False, (),
                     id="environment-does-not-qualify"),
        pytest.param(None, None, "shell", False, None, id="shell-provider-agent-path"),
        pytest.param(None, None, "?", False, None, id="provider-not-known"),
        pytest.param(None, None, "posix", True, None, id="exec-default-in-scope"),
        pytest.param([(lit("/usr/bin"), lit("/bin"))], None, "posix", False,
                     ("/usr/bin", "/bin"), id="path-array"),
        pytest.param([lit("/usr/bin:/bin"), lit("/opt/x")], None, "posix", False,
                     ("/usr/bin", "/bin", "/opt/x"), id="either-branch"),
        pytest.param([lit("/usr/bin")], [lit("PATH=/usr/local/bin")], "posix", False,
                     ("/usr/bin", "/usr/local/bin"), id="environment-path-adds"),
    ],
)  # fmt: skip
def test_exec_search_path(
    path: list[object] | None,
    environment: list[object] | None,
    provider: str,
    default: bool,
    dirs: tuple[str, ...] | None,
) -> None:
    assert paths.exec_search_path(path, environment, provider, default).dirs == dirs


def test_crontab_path_lines_apply_to_the_lines_after_them() -> None:
    found = paths.crontab_search_paths("a\nPATH=/usr/local/bin:/bin\nb\n PATH = $HOME/bin\nc")
    assert found[1].dirs == paths.CRON_DEFAULT
    assert found[3].dirs == ("/usr/local/bin", "/bin")
    assert found[5].dirs is None


def test_unit_search_path() -> None:
    assert paths.unit_search_path("[Service]\nExecStart=x\n").dirs == paths.SYSTEMD_DEFAULT
    text = "ExecSearchPath=/a\nExecSearchPath=/b:/c\nExecStart=x\n"
    assert paths.unit_search_path(text).dirs == ("/b", "/c")


def word(text: str, column: int = 1) -> Word:
    return Word(text, Span("m.pp", 1, column, 1, column + len(text)), False)


def test_first_word_decides_an_exec_without_path() -> None:
    refused = paths.SearchPath((), paths.NO_PATH)
    bare = Command((word("reindex"),))
    qualified = Command((word("/bin/true"),))
    assert paths.first_word_search(refused, bare, 1) is refused  # nothing of it runs
    assert paths.first_word_search(refused, qualified, 1) == paths.UNKNOWN  # agent's PATH
    assert paths.first_word_search(LOCAL, bare, 1) is LOCAL


def test_inner_search_path_through_wrappers() -> None:
    inner = Command((word("reindex", 20),), (("PATH", lit("/usr/local/bin")),))
    outer = Command((word("env"), word("PATH=/usr/local/bin", 5), word("reindex", 20)))
    assert paths.inner_search_path(outer, inner, CRON).dirs == ("/usr/local/bin",)
    plain = Command((word("reindex", 20),))
    sudo = Command((word("/usr/bin/sudo"), word("reindex", 20)))
    assert paths.inner_search_path(sudo, plain, CRON) == paths.UNKNOWN
    nice = Command((word("nice"), word("reindex", 20)))
    assert paths.inner_search_path(nice, plain, CRON) is CRON
    login = Command((word("/bin/bash"), word("-lc", 11), word("reindex", 20)))
    assert paths.inner_search_path(login, plain, CRON) == paths.UNKNOWN
    not_login = Command((word("/bin/bash"), word("-c", 11), word("reindex", 20)))
    assert paths.inner_search_path(not_login, plain, CRON) is CRON


def test_a_script_records_its_own_path_at_each_command() -> None:
    script = parse_shell(lit("a\nPATH=/usr/bin:/bin\nb\nif x; then PATH=/opt; fi\nc\n"), "s")
    by_name = {c.words[0].text: c.search_path for c in script.commands}
    assert by_name["a"] is None
    assert by_name["b"] is not None and by_name["b"].text == "/usr/bin:/bin"
    assert by_name["c"] is not None and by_name["c"].dynamic  # set in a branch: not known


def test_tree_files_reads_links_recursion_defaults_and_local_installers() -> None:
    site = parse_manifest("Exec { path => '/bin' }\n", "manifests/site.pp")
    module = parse_manifest(
        """class m {
  Exec { path => '/usr/bin' }
  file { '/usr/bin/x': ensure => link, target => '../local/bin/x' }
  file { '/usr/sbin/y': ensure => '/usr/local/bin/y' }
  file { '/usr/local/lib/z': ensure => directory, recurse => true, source => 'puppet:///m/z' }
  file { '/usr/local/lib/w': ensure => directory, recurse => false }
  file { 'named': path => '/etc/n', content => 'x' }
  package { 'tool': provider => 'pip3' }
}
""",
        "modules/m/manifests/init.pp",
    )
    files = paths.tree_files([site, module])
    assert files.links == {"/usr/bin/x": "/usr/local/bin/x", "/usr/sbin/y": "/usr/local/bin/y"}
    assert files.may_exist("/usr/local/lib/z/bin/z") and not files.may_exist("/usr/local/lib/w/a")
    assert files.may_exist("/etc/n")
    assert files.toplevel_exec_default and files.exec_defaults == {
        "manifests/site.pp",
        "modules/m/manifests/init.pp",
    }
    assert files.local_installers
    plain = paths.tree_files([parse_manifest("class n { package { 'p': } }\n", "n.pp")])
    assert not plain.toplevel_exec_default and not plain.local_installers


def calls_json(tmp_path: Path, fixture: str, *extra: str) -> list[dict[str, object]]:
    repo = make_repo(FIXTURES / fixture, tmp_path)
    args = ["calls", "--path", str(repo), "--format", "json", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    rows: list[dict[str, object]] = json.loads(result.stdout)["calls"]
    return rows


def test_calls_say_how_each_word_matched(tmp_path: Path) -> None:
    rows = calls_json(tmp_path, "unknown-option-through-link-to-script")
    assert [(r["argv"], r["matched"]) for r in rows] == [
        (["/usr/bin/reindex", "--vendor-flag", "all"], f"link /usr/bin/reindex -> {SCRIPT}")
    ]


def test_calls_unresolved_lists_mentions_that_run_another_file(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "clean-vendor-binary-of-the-same-name", tmp_path)
    args = ["calls", "--path", str(repo), "--format", "json", "--unresolved"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    rows = json.loads(result.stdout)["mentions"]
    assert [(r["line"], r["text"]) for r in rows] == [
        (10, "/usr/lib/search/reindex"),
        (15, "/opt/search/bin/reindex"),
    ]
    assert all(r["reason"].startswith("runs another file") for r in rows)
    called = calls_json(tmp_path / "again", "clean-vendor-binary-of-the-same-name")
    assert [(r["argv"], r["matched"]) for r in called] == [
        ([SCRIPT, "-t", "60", "main"], "installed path")
    ]


def test_calls_text_shows_the_match(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "unknown-option-in-unit-by-bare-name", tmp_path)
    result = CliRunner().invoke(cli, ["calls", "--path", str(repo)], catch_exceptions=False)
    assert f"  matched: name on PATH: {SCRIPT} (systemd's default)" in result.stdout
