"""Module folders outside the tree (issue 27 §2): what is read there, and where findings go."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.config.load import load_config
from driftlint.model import Finding, Result, Span
from driftlint.modulepath import PREFIX, is_modulepath, open_modulepath, relocate, split
from driftlint.report.common import rebase

DEFINE = "define cron_entry::job(String $command) {}\n"


def module(folder: Path, name: str, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = folder / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder / name


def test_first_folder_holding_a_module_wins_and_carried_modules_are_skipped(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    module(first, "cron_entry", {"manifests/job.pp": DEFINE})
    module(second, "cron_entry", {"manifests/job.pp": "# another copy\n"})
    module(second, "unitfile", {"manifests/init.pp": "class unitfile {}\n"})
    module(second, "site_own", {"manifests/init.pp": "class site_own {}\n"})
    (second / "Not-A-Module").mkdir()
    (second / "README.md").write_text("modules installed by r10k\n", encoding="utf-8")
    found = open_modulepath([str(first), str(second)], carried={"site_own"})
    assert [name for name, _ in found.modules] == ["cron_entry", "unitfile"]
    assert found.read(f"{PREFIX}/cron_entry/manifests/job.pp", 1000) == DEFINE
    assert found.manifests() == [
        f"{PREFIX}/cron_entry/manifests/job.pp",
        f"{PREFIX}/unitfile/manifests/init.pp",
    ]


def test_a_module_that_is_a_link_is_followed_to_its_folder(tmp_path: Path) -> None:
    # Debian: /usr/share/puppet/modules/NAME -> /etc/alternatives/... -> modules.available/X
    available = module(tmp_path / "available", "acme-cron_entry", {"manifests/job.pp": DEFINE})
    path = tmp_path / "modules"
    path.mkdir()
    os.symlink(available, path / "cron_entry")
    found = open_modulepath([str(path)])
    assert found.read(f"{PREFIX}/cron_entry/manifests/job.pp", 1000) == DEFINE


def test_inside_a_module_no_link_out_of_it_is_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.erb"
    secret.write_text("<%= @password %>\n", encoding="utf-8")
    folder = module(tmp_path / "mp", "cron_entry", {"manifests/job.pp": DEFINE})
    (folder / "templates").mkdir()
    os.symlink(secret, folder / "templates" / "entry.erb")
    os.symlink(tmp_path, folder / "files")
    found = open_modulepath([str(tmp_path / "mp")])
    assert found.read(f"{PREFIX}/cron_entry/templates/entry.erb", 1000) is None
    assert found.read(f"{PREFIX}/cron_entry/files/secret.erb", 1000) is None
    assert found.read(f"{PREFIX}/cron_entry/manifests/../../../secret.erb", 1000) is None


def test_only_manifests_templates_and_files_are_read_within_the_size_limit(
    tmp_path: Path,
) -> None:
    folder = module(
        tmp_path,
        "cron_entry",
        {"manifests/job.pp": DEFINE, "metadata.json": "{}", "templates/big.erb": "x" * 2000},
    )
    found = open_modulepath([str(tmp_path)])
    assert found.read(f"{PREFIX}/cron_entry/metadata.json", 1000) is None
    assert found.read(f"{PREFIX}/cron_entry/templates/big.erb", 1000) is None
    assert found.read(f"{PREFIX}/cron_entry/templates/big.erb", 5000) == "x" * 2000
    assert found.read("modules/cron_entry/manifests/job.pp", 1000) is None  # a tree path
    assert (folder / "metadata.json").is_file()


def test_the_digest_changes_with_what_a_module_holds(tmp_path: Path) -> None:
    module(tmp_path, "cron_entry", {"manifests/job.pp": DEFINE})
    before = open_modulepath([str(tmp_path)]).digest()
    (tmp_path / "cron_entry" / "manifests" / "job.pp").write_text(DEFINE + "# more\n")
    assert open_modulepath([str(tmp_path)]).digest() != before


def test_split_reads_puppets_colon_form() -> None:
    assert split(["/a:/b", "/c", ""]) == ["/a", "/b", "/c"]


def span(path: str, line: int) -> Span:
    return Span(path, line, 3, line, 9)


def finding(at: Span, via: tuple[Span, ...]) -> Finding:
    return Finding(at, "unknown-option", "option `--fast` is not accepted by x", via=via)


def test_a_word_written_on_the_module_path_is_found_at_the_last_tree_link() -> None:
    word = span(f"{PREFIX}/cron_entry/templates/entry.erb", 2)
    chain = (
        span("modules/role/manifests/db.pp", 3),
        span("modules/db/manifests/init.pp", 7),
        span(f"{PREFIX}/cron_entry/manifests/job.pp", 12),
    )
    moved = relocate([finding(word, chain), finding(span("site.pp", 1), ())])
    assert [f.span for f in moved] == [span("modules/db/manifests/init.pp", 7), span("site.pp", 1)]
    assert f"written in {PREFIX}/cron_entry/templates/entry.erb:2" in moved[0].message
    assert not any(is_modulepath(f.span.path) for f in moved)


def test_a_problem_of_the_modules_own_files_is_not_the_trees() -> None:
    word = span(f"{PREFIX}/cron_entry/manifests/job.pp", 4)
    assert relocate([finding(word, (span(f"{PREFIX}/cron_entry/manifests/init.pp", 1),))]) == []


def test_config_modulepath_outside_is_absolute_inside_is_a_module_folder(tmp_path: Path) -> None:
    """A config from outside the tree (`--config`) may name folders of the machine."""
    tree, outside = tmp_path / "tree", tmp_path / "forge"
    (tree / "vendor").mkdir(parents=True)
    outside.mkdir()
    config_file = tmp_path / "ci.yaml"
    config_file.write_text("modulepath: ['../forge', vendor, '../missing']\n", encoding="utf-8")
    config, errors = load_config(tree, config_file)
    assert config.modulepath == (str(outside), "vendor")
    assert [(e.span.line if e.span else 0, e.message) for e in errors] == [
        (1, '`modulepath` folder "../missing" does not exist')
    ]


def test_the_trees_own_config_names_no_folder_outside_the_tree(tmp_path: Path) -> None:
    """The tree's own .driftlint.yaml is part of the change under review: a change that
    adds `modulepath: ['/etc']` must not make driftlint read the machine (a config error,
    exit 2), while its own folders are still taken."""
    tree, outside = tmp_path / "tree", tmp_path / "forge"
    (tree / "vendor").mkdir(parents=True)
    outside.mkdir()
    (tree / ".driftlint.yaml").write_text("modulepath: ['../forge', vendor]\n", encoding="utf-8")
    config, errors = load_config(tree)
    assert config.modulepath == ("vendor",)
    assert len(errors) == 1 and "is outside the tree" in errors[0].message
    (tree / "manifests").mkdir()
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(tree)])
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("command", [["check"], ["calls", "--path"], ["baseline"]])
def test_modulepath_that_does_not_exist_exits_2(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "manifests").mkdir()
    args = [*command, str(tmp_path), "--modulepath", str(tmp_path / "nowhere")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "--modulepath" in result.stderr and "no such folder" in result.stderr


def test_machine_paths_from_the_repository_top_leave_module_path_links_alone() -> None:
    chain = (
        span("modules/db/manifests/init.pp", 7),
        span(f"{PREFIX}/cron_entry/manifests/job.pp", 3),
    )
    result = Result("puppet", (finding(span("modules/db/manifests/init.pp", 8), chain),))
    moved = rebase(result, "puppet/", "/repo").findings[0]
    assert moved.span.path == "puppet/modules/db/manifests/init.pp"
    assert [v.path for v in moved.via] == [
        "puppet/modules/db/manifests/init.pp",
        f"{PREFIX}/cron_entry/manifests/job.pp",
    ]


JOB = """\
define cron_entry::job(String $program, String $user = 'root') {
  file { "/etc/cron.d/${title}":
    content => template('cron_entry/job.erb'),
  }
}
define cron_entry::leaky(String $program) {
  file { "/etc/cron.d/${title}":
    content => template('cron_entry/leak.erb'),
  }
}
"""
DUMP = """\
#!/bin/sh
# Usage: dbdump [-f]
while getopts "f" opt; do
  case "$opt" in
    f) full=1 ;;
    *) echo "usage: dbdump [-f]" >&2; exit 2 ;;
  esac
done
"""


def test_a_check_reads_a_module_path_only_as_puppet_does(tmp_path: Path) -> None:
    from tests.test_reliability import check, make_tree, recording, rows

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.erb").write_text("0 1 * * * root /usr/local/bin/dbdump -z\n")
    folder = module(
        tmp_path / "mp",
        "cron_entry",
        {
            "manifests/job.pp": JOB,
            "templates/job.erb": "0 3 * * * <%= @user %> <%= @program %>\n",
            "metadata.json": '{"name": "acme-cron_entry"}',
            "lib/facter/cron_entry.rb": "Facter.add(:cron_entry) { setcode { 'x' } }\n",
        },
    )
    os.symlink(outside / "secret.erb", folder / "templates" / "leak.erb")
    site = """\
class db {
  file { '/usr/local/bin/dbdump': mode => '0755', source => 'puppet:///modules/db/dbdump' }
  cron_entry::job { 'dump': program => '/usr/local/bin/dbdump -f -q' }
  cron_entry::leaky { 'leak': program => '/usr/local/bin/dbdump' }
}
"""
    repo = make_tree(
        tmp_path,
        {
            "modules/db/manifests/init.pp": site,
            "modules/db/files/dbdump": DUMP,
            "modules/role/manifests/db.pp": "class role::db {\n  include db\n}\n",
        },
        base=False,
    )
    os.chmod(repo / "modules/db/files/dbdump", 0o755)
    code, findings, _ = check(repo)
    assert rows(findings) == set()  # without the module path, no rule knows cron_entry::job
    with recording() as events:
        code, findings, stderr = check(repo, "--modulepath", str(tmp_path / "mp"))
    assert rows(findings) == {("modules/db/manifests/init.pp", 3, 66, "unknown-option", "-q")}
    assert code == 1, stderr
    opened = [path for event, path in events if event == "open" and str(tmp_path) in path]
    assert str(folder / "manifests" / "job.pp") in opened
    assert not [p for p in opened if "outside" in p or "metadata" in p or "/lib/" in p], opened


def test_a_tree_with_a_puppetfile_is_told_which_types_no_module_defines(tmp_path: Path) -> None:
    from driftlint import engine

    tree = tmp_path / "tree"
    module(tree / "modules", "db", {"manifests/init.pp": DB_CLASS})
    (tree / "Puppetfile").write_text("mod 'acme-cron_entry', '1.0.0'\nmod 'acme-backup'\n")
    module(tmp_path / "mp", "cron_entry", {"manifests/job.pp": JOB})
    config, _ = load_config(tree)
    (note,) = engine.run(tree, config).notes
    assert note.startswith("2 resource types the tree declares are defined in no module of the")
    assert "(backup::volume, cron_entry::job)" in note
    config = replace(config, modulepath=(str(tmp_path / "mp"),))
    (note,) = engine.run(tree, config).notes
    assert note.startswith("1 resource type the tree declares is defined in no module of the tree")
    assert "its module path (backup::volume)" in note
    (tree / "Puppetfile").unlink()
    assert engine.run(tree, config).notes == ()


DB_CLASS = """\
class db {
  cron_entry::job { 'dump': program => '/usr/local/bin/dbdump' }
  backup::volume { '/srv/db': }
}
"""


def test_an_edit_on_the_module_path_is_not_answered_from_the_run_cache(tmp_path: Path) -> None:
    from tests.test_reliability import make_tree

    folder = module(
        tmp_path / "mp",
        "cron_entry",
        {"manifests/job.pp": JOB, "templates/job.erb": "0 3 * * * root <%= @program %> -q\n"},
    )
    repo = make_tree(
        tmp_path,
        {
            "modules/db/manifests/init.pp": DB_DUMP,
            "modules/db/files/dbdump": DUMP,
        },
        base=False,
    )
    args = ["check", "--format=json", "--cache-dir", str(tmp_path / "cache")]
    args += ["--modulepath", str(tmp_path / "mp"), str(repo)]

    def arguments() -> list[str]:
        result = CliRunner().invoke(cli, args)
        return [f["argument"] for f in json.loads(result.stdout)["findings"]]

    assert arguments() == ["-q"]  # written in the module's template: found at the declaration
    (folder / "templates" / "job.erb").write_text("0 3 * * * root <%= @program %> -x\n")
    assert arguments() == ["-x"]


DB_DUMP = """\
class db {
  file { '/usr/local/bin/dbdump': mode => '0755', source => 'puppet:///modules/db/dbdump' }
  cron_entry::job { 'dump': program => '/usr/local/bin/dbdump' }
}
"""
