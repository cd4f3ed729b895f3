"""Mentions not understood: places naming a watched script that became no call (issue 13)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.config.load import Config
from driftlint.engine import run

SCRIPT = "#!/bin/bash\n# Usage: sync.sh [-q]\nwhile getopts q f; do :; done\n"
MANIFEST = """class role::sync {
    file { '/usr/local/bin/sync.sh':
        mode   => '0755',
        source => 'puppet:///modules/role/sync.sh',
    }
    # /usr/local/bin/sync.sh runs nightly
    exec { 'sync':
        command => '/usr/local/bin/sync.sh -q', require => File['/usr/local/bin/sync.sh'] }
    service { 'syncd': pattern => '/usr/local/bin/sync.sh' }
    mystery::job { 'nightly': run => '/usr/local/bin/sync.sh -q' }
}
"""
SHELL = "#!/bin/sh\ntest -x /usr/local/bin/sync.sh || exit 0\nnice sync.sh -q\nFOO=1; sync.sh -q\n"


def tree(tmp_path: Path) -> Path:
    (tmp_path / "modules/role/manifests").mkdir(parents=True)
    (tmp_path / "modules/role/files").mkdir()
    (tmp_path / "modules/role/manifests/sync.pp").write_text(MANIFEST)
    (tmp_path / "modules/role/files/sync.sh").write_text(SCRIPT)
    (tmp_path / "modules/role/files/unused.sh").write_text(SHELL)
    return tmp_path


def test_mentions_list_only_what_became_no_call(tmp_path: Path) -> None:
    result = run(tree(tmp_path), Config())
    assert len(result.calls) == 1  # the exec
    got = [(m.span.path, m.span.line, m.span.column, m.text, m.reason) for m in result.mentions]
    unused = "modules/role/files/unused.sh"
    not_installed = "in a file no `file` resource driftlint recognises installs"
    assert got == [
        (unused, 4, 8, "sync.sh", not_installed),
        ("modules/role/manifests/sync.pp", 10, 39, "/usr/local/bin/sync.sh",
         "the `run` of a `mystery::job` resource, which driftlint does not read as a command"),
    ]  # fmt: skip


def test_calls_unresolved_and_the_summary_line(tmp_path: Path) -> None:
    root = str(tree(tmp_path))
    listed = CliRunner().invoke(cli, ["calls", "--unresolved", "--path", root])
    assert listed.exit_code == 0, listed.output
    assert "sync.pp:10:39: `/usr/local/bin/sync.sh` (sync.sh): the `run` of" in listed.output
    summary = CliRunner().invoke(cli, ["check", "--no-cache", root])
    assert "2 mentions not understood" in summary.output


def test_absent_resource_runs_nothing_and_data_file_commands_are_listed(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "modules/role/manifests/old.pp").write_text(
        "class role::old {\n"
        "    cron { 'sync': ensure => absent, command => '/usr/local/bin/sync.sh -q' }\n"
        "}\n"
    )
    (root / "modules/role/files/runner.yaml").write_text(
        "jobs:\n  - name: nightly\n    cmd: sudo sync.sh -q\n"
    )
    got = {(m.span.path, m.span.line, m.reason) for m in run(root, Config()).mentions}
    assert not any(path.endswith("old.pp") for path, _, _ in got)
    data = "modules/role/files/runner.yaml"
    assert any(path == data and line == 3 and "data file" in why for path, line, why in got)


def test_identifiers_of_a_program_and_man_pages_are_no_mentions(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "modules/role/files/report.py").write_text(
        "#!/usr/bin/env python3\nimport subprocess\nsync.sh = 1\n"
        "print(sync.sh)\nsubprocess.call('cd /tmp; sync.sh -x', shell=True)\n"
    )
    (root / "modules/role/files/sync.sh.1").write_text(".TH SYNC 1\n.SH SYNOPSIS\n| sync.sh -q\n")
    got = {(m.span.path, m.span.line) for m in run(root, Config()).mentions}
    assert ("modules/role/files/report.py", 4) not in got  # `(sync.sh)`: an identifier
    assert ("modules/role/files/report.py", 5) in got  # a string that starts a command
    assert not any(path.endswith(".1") for path, _ in got)


def test_keys_qualified_names_and_module_tests_are_no_mentions(tmp_path: Path) -> None:
    """A script named like a key runs nothing where the name is the key: an attribute
    (`shell => '/bin/false'`), a YAML key (`shell: bash`), a qualified Puppet name
    (`shell::user_shell:` in module data); nor in a module's own tests and CI files, which
    Puppet serves to no host. The same name after a separator is still a mention."""
    (tmp_path / "modules/role/manifests").mkdir(parents=True)
    (tmp_path / "modules/role/files").mkdir()
    (tmp_path / "modules/role/data").mkdir()
    (tmp_path / "modules/role/spec/fixtures").mkdir(parents=True)
    (tmp_path / "modules/role/files/shell").write_text(SCRIPT.replace("sync.sh", "shell"))
    (tmp_path / "modules/role/manifests/init.pp").write_text(
        "class role {\n"
        "    file { '/usr/local/bin/shell':\n"
        "        mode => '0755', source => 'puppet:///modules/role/shell' }\n"
        "    user { 'app':\n        shell => '/bin/false',\n    }\n"
        "    $h = { shell => 1 }\n"
        "}\n"
    )
    (tmp_path / "modules/role/data/common.yaml").write_text(
        "role::shell::timeout: 3\nshell: bash\nrun_it: '/bin/true; shell -q'\n"
    )
    (tmp_path / "modules/role/spec/fixtures/runner").write_text("#!/bin/sh\nshell -q\n")
    result = run(tmp_path, Config())
    got = [(m.span.path, m.span.line, m.span.column) for m in result.mentions]
    assert got == [("modules/role/data/common.yaml", 3, 21)]


def test_a_wrapper_running_the_tool_of_its_name_is_no_mention(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "modules/role/files/reprepro").write_text(
        '#!/bin/bash -e\n# Usage: reprepro [...]\nexec /usr/bin/reprepro --basedir /srv "$@"\n'
    )
    (root / "modules/role/manifests/apt.pp").write_text(
        "class role::apt {\n    file { '/opt/apt/bin/reprepro':\n        mode   => '0755',\n"
        "        source => 'puppet:///modules/role/reprepro',\n    }\n"
        "    exec { 'export': command => '/usr/bin/reprepro export' }\n}\n"
    )
    got = {(m.span.path, m.span.line) for m in run(root, Config()).mentions}
    assert ("modules/role/files/reprepro", 3) not in got  # the wrapper runs the real tool
    assert ("modules/role/manifests/apt.pp", 6) in got  # another file runs /usr/bin/reprepro


def test_tests_dependency_lists_definitions_lookups_and_sources_are_no_mentions(
    tmp_path: Path,
) -> None:
    root = tree(tmp_path)
    (root / "modules/role/spec/classes").mkdir(parents=True)
    (root / "modules/role/spec/classes/role_sync_spec.rb").write_text(
        "it { is_expected.to contain_exec('sync').with_command('/usr/local/bin/sync.sh -q') }\n"
    )
    (root / "Gemfile.lock").write_text("GEM\n  specs:\nsync.sh (1.0)\n")
    (root / "modules/role/files/env.sh").write_text(
        "#!/bin/sh\n"
        "sync.sh() { :; }\n"  # 2: a function's definition
        "ps aux | grep '/usr/local/bin/sync.sh' | wc -l\n"  # 3: a pattern looked for
        ". /usr/local/bin/sync.sh\n"  # 4: sourced, no words
        "x; . /usr/local/bin/sync.sh -q\n"  # 5: sourced with words: still listed
        "wget -q -O /usr/local/bin/sync.sh https://example.org/sync.sh\n"  # 6: fetched
        "chmod +x /usr/local/bin/sync.sh\n"  # 7: made executable
        "chmod +x /tmp/a && /usr/local/bin/sync.sh -q\n"  # 8: run after: still listed
    )
    (root / "modules/role/manifests/more.pp").write_text(
        "class role::more($helper = '/usr/local/bin/sync.sh') {\n"
        "    file { $helper: mode => '0755', source => 'puppet:///modules/role/sync.sh' }\n"
        "    File <| title == 'x' |> { require => File['/etc/x', '/usr/local/bin/sync.sh'] }\n"
        "    exec { 'unhook': command => \"sed -i '\n/^old/ d\n' /usr/local/bin/sync.sh\" }\n"
        "}\n"
    )
    (root / "modules/role/lib/facter").mkdir(parents=True)
    (root / "modules/role/lib/facter/synced.rb").write_text(
        "Facter.add('synced') do\n"
        "  setcode { File.executable?('/usr/local/bin/sync.sh') && `/usr/local/bin/sync.sh -q` }\n"
        "end\n"
    )
    (root / "modules/role/lib/puppet/parser/functions").mkdir(parents=True)
    (root / "modules/role/lib/puppet/parser/functions/synced_at.rb").write_text(
        "newfunction(:synced_at, :doc => <<-EOS\n"
        "When `sync.sh -q` last ran.\n"  # 2: prose in a heredoc
        "    EOS\n"
        ") do |args|\n"
        "  `sync.sh -q`\n"  # 5: a backtick command: still listed
        "end\n"
    )
    result = run(root, Config())
    got = {(m.span.path, m.span.line) for m in result.mentions}
    function = "modules/role/lib/puppet/parser/functions/synced_at.rb"
    assert {line for path, line in got if path == function} == {5}
    fact = [c for c in result.calls if c.invocation.command.span.path.endswith("synced.rb")]
    assert [c.invocation.remote for c in fact] == ["a Facter fact"]  # a call, where it runs
    assert not any(path.endswith("synced.rb") for path, _ in got)  # the test runs nothing
    assert not any("spec/" in path or path == "Gemfile.lock" for path, _ in got)
    env = "modules/role/files/env.sh"
    assert {line for path, line in got if path == env} == {5, 8}
    # An install, a reference, and an operand of sed over three lines of one string.
    assert not any(path.endswith("more.pp") for path, _ in got)
