"""What is watched (issue 26): every executable file a root installs, interface known or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.interfaces.unknown import unknown_reason
from driftlint.watch import (
    Install,
    executable_mode,
    is_executable,
    is_script,
    run_by_interpreter,
    watched_scripts,
)
from tests.conftest import FIXTURES, make_repo

UNKNOWN = FIXTURES / "watched-script-with-an-unknown-interface"


@pytest.mark.parametrize(
    ("mode", "runs"),
    [
        pytest.param("0755", True, id="octal"),
        pytest.param("755", True, id="three-digits"),
        pytest.param("0750", True, id="group-only"),
        pytest.param("0644", False, id="data"),
        pytest.param("0600", False, id="secret"),
        pytest.param("a+x", True, id="symbolic-add"),
        pytest.param("u=rwx,go=r", True, id="symbolic-set"),
        pytest.param("go-x", False, id="symbolic-remove"),
        pytest.param("u+rw", False, id="symbolic-no-x"),
    ],
)
def test_executable_mode(mode: str, runs: bool) -> None:
    assert executable_mode(mode) is runs


@pytest.mark.parametrize(
    ("install", "text", "bit", "runs"),
    [
        pytest.param(
            Install("/etc/cron.daily/rotate", "m/files/rotate"),
            "#!/bin/sh\n",
            False,
            True,
            id="shebang",
        ),
        pytest.param(
            Install("/etc/x/hook", "m/files/hook", mode="0755"), "true\n", False, True, id="mode"
        ),
        pytest.param(
            Install("/etc/x/hook", "m/files/hook"), "true\n", True, True, id="bit-in-the-tree"
        ),
        pytest.param(
            Install("/usr/lib/nagios/plugins/check_x", "m/files/check_x"),
            "x\n",
            False,
            True,
            id="plugins-folder",
        ),
        pytest.param(
            Install("/usr/local/libexec/x", "m/files/x"), "x\n", False, True, id="libexec-folder"
        ),
        pytest.param(
            Install("/etc/collectd/plugins/x.conf", "m/files/x.conf"),
            "x\n",
            False,
            False,
            id="data-in-a-plugins-folder",
        ),
        pytest.param(
            Install("/etc/app/app.yaml", "m/files/app.yaml"),
            "a: 1\n",
            True,
            False,
            id="data-with-a-stray-bit",
        ),
        pytest.param(
            Install("/usr/local/etc/kif/kif.yaml", "m/templates/kif.yaml.erb", mode="0755"),
            "rules: []\n",
            False,
            False,
            id="data-with-an-executable-mode",
        ),
        pytest.param(
            Install("/var/www/rate-limit.lua", "m/files/rate-limit.lua", mode="0755"),
            "function handle(r)\nend\n",
            False,
            False,
            id="lua-hosted-by-httpd",
        ),
        pytest.param(
            Install("/etc/collector.py", "m/templates/collector.py.erb"),
            "DEBUG = False\n",
            False,
            False,
            id="settings-module-in-etc",
        ),
        pytest.param(
            Install("/etc/cron.hourly/tidy.py", "m/files/tidy.py"),
            "#!/usr/bin/python3\nimport os\n",
            False,
            True,
            id="python-in-etc-with-a-shebang",
        ),
        pytest.param(
            Install("/etc/app/settings", "m/files/settings"),
            "a=1\n",
            False,
            False,
            id="plain-config",
        ),
        pytest.param(
            Install("/usr/local/bin/", "m/files/bin"),
            "#!/bin/sh\n",
            False,
            False,
            id="path-ends-in-slash",
        ),
        pytest.param(Install("", "m/files/x.sh"), "#!/bin/sh\n", False, False, id="path-not-known"),
    ],
)
def test_is_executable(install: Install, text: str, bit: bool, runs: bool) -> None:
    assert is_executable(install, text, bit) is runs


def test_scripts_are_watched_with_an_unknown_interface() -> None:
    installs = [
        Install("/usr/local/bin/purge", "m/files/purge", mode="0755"),
        Install("/etc/app.conf", "m/files/app.conf"),
    ]
    watched = watched_scripts([], installs, {}, lambda i: i.mode == "0755")
    assert [(w.name, sorted(w.paths), sorted(w.names)) for w in watched] == [
        ("purge", ["/usr/local/bin/purge"], ["purge"])
    ]


def test_unknown_reason_names_the_language() -> None:
    assert "`php`" in unknown_reason("x", "#!/usr/bin/php\n<?php\n")
    assert "`php8.1`" in unknown_reason("x", "#!/usr/bin/env php8.1\n")
    assert "language is unknown" in unknown_reason("x", "echo hi\n")
    assert "not readable" in unknown_reason("x", None)


@pytest.mark.parametrize(
    ("path", "text", "why"),
    [
        pytest.param(
            "x.py",
            "import sys\nfrom tool.cli import main\nmain()\n",
            "hands its arguments to `main()` of `tool.cli`",
            id="python-entry-point",
        ),
        pytest.param(
            "x.pl",
            "#!/usr/bin/perl\nuse Local::Thing;\n",
            "loads `Local::Thing`, which may read @ARGV",
            id="perl-module",
        ),
        pytest.param(
            "x.rb",
            "#!/usr/bin/ruby\nrequire 'thing'\n",
            "requires `thing`, which may read ARGV",
            id="ruby-require",
        ),
        pytest.param(
            "x.sh.erb",
            "#!/bin/sh\n<%= @body %>\n",
            "an ERB tag alone on a line (`<%= ... %>`) may print code",
            id="erb-line",
        ),
    ],
)
def test_unknown_reason_says_what_made_the_reader_unsure(path: str, text: str, why: str) -> None:
    assert unknown_reason(path, text) == why


def test_interface_unknown_lists_the_called_scripts_with_why(tmp_path: Path) -> None:
    repo = make_repo(UNKNOWN, tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["interface", "--unknown", "--path", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "purge-thumbs (modules/thumbs/files/purge-thumbs, 2 calls): a `php` script: driftlint"
        " does not read that language",
        "1 called script with an unknown interface.",
    ]
    result = runner.invoke(cli, ["interface", "--unknown", "--format", "json", "--path", str(repo)])
    rows = json.loads(result.output)["unknown"]
    assert [(r["script"], r["calls"]) for r in rows] == [("purge-thumbs", 2)]
    result = runner.invoke(cli, ["interface", "--path", str(repo), "purge-thumbs"])
    assert result.exit_code == 2
    assert "interface is unknown: a `php` script" in result.output


def test_text_summary_counts_called_scripts_with_an_unknown_interface(tmp_path: Path) -> None:
    repo = make_repo(UNKNOWN, tmp_path)
    result = CliRunner().invoke(cli, ["check", str(repo)])
    assert "1 called script with an unknown interface" in result.output
    assert "checked 4 files, 2 calls" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "command => 'python /usr/local/lib/x'", {"/usr/local/lib/x": "python"}, id="py"
        ),
        pytest.param(
            "ExecStart=/usr/bin/python3 -u /usr/local/lib/x --now",
            {"/usr/local/lib/x": "python"},
            id="python3-with-flag",
        ),
        pytest.param(
            "0 2 * * * root bash /usr/local/lib/x", {"/usr/local/lib/x": "shell"}, id="bash"
        ),
        pytest.param("sh -e /usr/local/lib/x", {"/usr/local/lib/x": "shell"}, id="sh-flag"),
        pytest.param("perl -w /usr/local/lib/x a", {"/usr/local/lib/x": "perl"}, id="perl"),
        pytest.param("/usr/bin/ruby /usr/local/lib/x", {"/usr/local/lib/x": "ruby"}, id="ruby"),
        pytest.param("cat /usr/local/lib/x", {}, id="not-an-interpreter"),
        pytest.param("python /usr/local/lib/x.bak", {}, id="another-path"),
        pytest.param("crash /usr/local/lib/x", {}, id="sh-inside-a-word"),
    ],
)
def test_run_by_interpreter(text: str, expected: dict[str, str]) -> None:
    assert run_by_interpreter([text], {"/usr/local/lib/x"}) == expected


def _installs(text: str) -> set[tuple[str, str]]:
    from driftlint.parse.puppet import parse_manifest
    from driftlint.resolve.static_installs import found_installs

    return {(f.dest, f.ref) for f in found_installs([parse_manifest(text, "m.pp")])}


def test_every_posix_path_of_an_os_selector_is_a_possible_install() -> None:
    text = """class users::root {
    $home = $::operatingsystem ? {
        Darwin => '/var/root', Windows => $::rlocalpath, default => '/root' }
}
class puppet::tools {
    file { "${users::root::home}/puppetize.sh": source => 'puppet:///modules/puppet/puppetize.sh' }
}
"""
    assert _installs(text) == {
        ("/var/root/puppetize.sh", "puppet:///modules/puppet/puppetize.sh"),
        ("/root/puppetize.sh", "puppet:///modules/puppet/puppetize.sh"),
    }


def test_every_posix_path_a_case_assigns_is_a_possible_install() -> None:
    text = """class nrpe::settings {
    case $::operatingsystem {
        Darwin: { $plugins_dir = '/usr/local/libexec' }
        Ubuntu: { $plugins_dir = '/usr/lib/nagios/plugins' }
        default: { $plugins_dir = "/usr/${::lib_dir}/nagios/plugins" }
    }
}
define app::nagios($user) {
    $dir = $nrpe::settings::plugins_dir
    file { "${dir}/check_app": content => template('app/check_app.erb') }
}
"""
    assert _installs(text) == {
        ("/usr/local/libexec/check_app", "app/check_app.erb"),
        ("/usr/lib/nagios/plugins/check_app", "app/check_app.erb"),
    }


def test_a_case_with_too_many_paths_or_one_source_per_branch_is_no_install() -> None:
    many = "\n".join(f"        o{i}: {{ $d = '/opt/{i}' }}" for i in range(6))
    text = f"""class many {{
    case $::operatingsystem {{
{many}
    }}
    file {{ "${{d}}/x": source => 'puppet:///modules/many/x' }}
    $s = $::osfamily ? {{
        Debian => 'puppet:///modules/many/a', default => 'puppet:///modules/many/b' }}
    file {{ '/usr/local/bin/y': source => $s }}
}}
"""
    assert _installs(text) == set()


@pytest.mark.parametrize(
    ("dest", "spec", "text", "runs"),
    [
        pytest.param("/etc/analytics.py", "m/templates/analytics.py.erb", "DEBUG = 0\n", False,
                     id="settings-module-in-etc"),
        pytest.param("/etc/x/tidy.py", "m/files/tidy.py", "#!/usr/bin/python3\n", True,
                     id="shebang-in-etc"),
        pytest.param("/opt/app/manage.py", "m/files/manage.py", "import sys\n", True,
                     id="python-elsewhere"),
    ],
)  # fmt: skip
def test_is_script(dest: str, spec: str, text: str, runs: bool) -> None:
    assert is_script(dest, spec, text) is runs
