"""Tests for driftlint.config.load: loading, strict validation with locations, rule folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftlint.config.load import Config, ScriptRule, load_config
from driftlint.errors import SetupError
from driftlint.model import Span

CODES = frozenset({"unknown-option", "stale-option", "parse-error", "unreadable-file"})


def load(
    tmp_path: Path, text: str, files: dict[str, str] | None = None
) -> tuple[Config, list[str]]:
    (tmp_path / ".driftlint.yaml").write_text(text, encoding="utf-8")
    for name, body in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    config, errors = load_config(tmp_path, known_codes=CODES)
    return config, [str(e) for e in errors]


FULL = """\
scripts:
  - name: jobloop
    interface: modules/mw/files/jobloop.sh
    commands: [jobloop, /usr/local/bin/jobloop]
  - name: single
    interface: ./bin/single
roles: {class_prefix: "profile::role::"}
exclude: ["vendor/**", "*.bak"]
per-path:
  "modules/legacy/**": {ignore: [unknown-option]}
select: [unknown-option, stale-option]
ignore: [parse-error]
severity: {stale-option: warning}
limits: {max-file-size: 2MB, max-depth: 50, max-expansions: 8}
wrappers: [rules/extra.yaml]
"""


def test_full_config_is_read(tmp_path: Path) -> None:
    config, errors = load(tmp_path, FULL)
    assert errors == []
    assert config.scripts == (
        ScriptRule("jobloop", "modules/mw/files/jobloop.sh", ("jobloop", "/usr/local/bin/jobloop"),
                   Span(".driftlint.yaml", 2, 5, 2, 5)),
        ScriptRule("single", "bin/single", ("single",), Span(".driftlint.yaml", 5, 5, 5, 5)),
    )  # fmt: skip
    assert config.role_prefix == "profile::role::"
    assert config.exclude == ("vendor/**", "*.bak")
    assert config.per_path == (("modules/legacy/**", frozenset({"unknown-option"})),)
    assert config.select == frozenset({"unknown-option", "stale-option"})
    assert config.ignore == frozenset({"parse-error"})
    assert config.severity == (("stale-option", "warning"),)
    assert (config.max_file_size, config.max_depth, config.max_expansions) == (2_000_000, 50, 8)
    assert config.wrappers == ("rules/extra.yaml",)


def test_no_config_is_the_default(tmp_path: Path) -> None:
    assert load_config(tmp_path) == (Config(), ())


def test_missing_config_path_is_an_error(tmp_path: Path) -> None:
    config, errors = load_config(tmp_path, tmp_path / "nope.yaml")
    assert config == Config()
    assert [str(e) for e in errors] == [f"--config {tmp_path / 'nope.yaml'}: no such file"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "exlude: []\n",
            ['.driftlint.yaml:1:1: unknown key "exlude"; did you mean "exclude"?'],
            id="unknown-key-suggestion",
        ),
        pytest.param(
            "select: []\n\n\nzzzz: 1\n",
            [
                '.driftlint.yaml:4:1: unknown key "zzzz"; '
                "expected one of scripts, rules, roles, exclude, per-path, select, ignore, "
                "severity, limits, wrappers, hiera, roots, modulepath"
            ],
            id="unknown-key-no-suggestion",
        ),
        pytest.param(
            "scripts:\n  - name: x\n    interfase: a\n",
            [
                '.driftlint.yaml:3:5: unknown key "interfase" in a `scripts` entry; did '
                'you mean "interface"?',
                ".driftlint.yaml:2:5: a `scripts` entry has no `interface`",
            ],
            id="script-key-typo",
        ),
        pytest.param(
            "scripts:\n  - interface: a\n",
            [".driftlint.yaml:2:5: a `scripts` entry has no `name`"],
            id="no-name",
        ),
        pytest.param(
            "scripts:\n  - name: 3\n    interface: a\n",
            [".driftlint.yaml:2:11: `name` must be a non-empty string, not a number"],
            id="name-type",
        ),
        pytest.param(
            "scripts: {a: 1}\n",
            [".driftlint.yaml:1:10: `scripts` must be a list of mappings, not a mapping"],
            id="scripts-type",
        ),
        pytest.param(
            "scripts:\n  - name: x\n    interface: ../../etc/passwd\n",
            ['.driftlint.yaml:3:16: `interface` "../../etc/passwd" must be a path inside the tree'],
            id="interface-escapes",
        ),
        pytest.param(
            "exclude: 3\n",
            [".driftlint.yaml:1:10: `exclude` must be a list of strings, not a number"],
            id="exclude-type",
        ),
        pytest.param(
            "ignore: [unknwn-option]\n",
            ['.driftlint.yaml:1:10: unknown code "unknwn-option"; did you mean "unknown-option"?'],
            id="unknown-code",
        ),
        pytest.param(
            "severity: {parse-error: fatal}\n",
            [
                '.driftlint.yaml:1:25: severity of "parse-error" must be error or warning,'
                " not 'fatal'"
            ],
            id="bad-severity",
        ),
        pytest.param(
            "per-path:\n  x/**: {ignor: [parse-error]}\n",
            [
                '.driftlint.yaml:2:10: unknown key "ignor" in `per-path` entry "x/**"; '
                'did you mean "ignore"?'
            ],
            id="per-path-key",
        ),
        pytest.param(
            "limits: {max-depth: -1, max-file-size: lots}\n",
            [
                ".driftlint.yaml:1:21: `max-depth` must be a positive whole number, not -1",
                ".driftlint.yaml:1:40: `max-file-size` must be a positive whole number, not 'lots'",
            ],
            id="bad-limits",
        ),
        pytest.param(
            "roles: {class_prefix: [a]}\n",
            [".driftlint.yaml:1:23: `class_prefix` must be a string, not a list"],
            id="prefix-type",
        ),
        pytest.param(
            "exclude: [a\n",
            [".driftlint.yaml:2:1: invalid YAML: expected ',' or ']', but got '<stream end>'"],
            id="yaml-syntax",
        ),
        pytest.param(
            "a: 1\na: 2\n",
            [
                ".driftlint.yaml:2:1: invalid YAML: found duplicate key "
                '"a" with value "2" (original value: "1")'
            ],
            id="duplicate-key",
        ),
        pytest.param(
            "- 1\n",
            [".driftlint.yaml:1:1: the config must be a mapping, not a list"],
            id="top-level-list",
        ),
        pytest.param(
            "exclude: !!python/object/apply:os.system [echo]\n",
            [".driftlint.yaml:1:10: `exclude` must be a list of strings, not a tagged value"],
            id="python-tag-refused",
        ),
        pytest.param(
            "rules: [nowhere]\n",
            ['.driftlint.yaml:1:9: rules folder "nowhere" does not exist in the tree'],
            id="missing-rules-folder",
        ),
        pytest.param(
            "scripts:\n  - {name: a, interface: x}\n  - {name: a, interface: y}\n",
            ['.driftlint.yaml:3:5: script "a" is declared twice (first at .driftlint.yaml:2:5)'],
            id="duplicate-script",
        ),
        pytest.param("", [], id="empty-file"),
    ],
)
def test_errors_are_located(tmp_path: Path, text: str, expected: list[str]) -> None:
    _, errors = load(tmp_path, text)
    assert errors == expected


def test_bad_config_still_yields_the_valid_parts(tmp_path: Path) -> None:
    config, errors = load(tmp_path, "exclude: [vendor/**]\nexlude: [x]\nignore: [nope]\n")
    assert len(errors) == 2
    assert config.exclude == ("vendor/**",)
    assert config.ignore == frozenset()


def test_codes_are_not_checked_without_known_codes(tmp_path: Path) -> None:
    (tmp_path / ".driftlint.yaml").write_text("ignore: [anything]\n")
    config, errors = load_config(tmp_path)
    assert errors == () and config.ignore == frozenset({"anything"})


def test_rule_folders_are_merged_with_their_own_locations(tmp_path: Path) -> None:
    config, errors = load(
        tmp_path,
        "rules: [rules/]\nscripts:\n  - {name: a, interface: x}\n",
        {
            "rules/b.yaml": "scripts:\n  - name: b\n    interface: y\n    commands: [b]\n",
            "rules/c.yml": "# a comment\nscripts:\n  - {name: c, interface: z, comands: [c]}\n",
            "rules/wrap.yaml": "wrappers: []\n",
            "rules/note.txt": "not yaml: [",
        },
    )
    assert [r.name for r in config.scripts] == ["a", "b", "c"]
    assert config.scripts[1].span == Span("rules/b.yaml", 2, 5, 2, 5)
    assert config.wrappers == ("rules/wrap.yaml",)
    assert errors == ['rules/c.yml:3:29: unknown key "comands" in a `scripts` entry; did you '
                      'mean "commands"?']  # fmt: skip


def test_a_site_rule_file_may_describe_resource_types(tmp_path: Path) -> None:
    config, errors = load(
        tmp_path,
        "rules: [rules/]\n",
        {"rules/acme.yaml": "types:\n  acme::job: {cmd: command}\n", "rules/x.yaml": "tipes: {}\n"},
    )
    assert config.types == ("rules/acme.yaml",)
    assert errors == ['rules/x.yaml:1:1: unknown key "tipes" in a rule file; did you mean "types"?']


def test_rule_file_errors(tmp_path: Path) -> None:
    _, errors = load(
        tmp_path, "rules: [r]\n", {"r/a.yaml": "scripts: [\n", "r/b.yaml": "sripts: []\n"}
    )
    assert errors == [
        "r/a.yaml:2:1: invalid YAML: expected the node content, but found '<stream end>'",
        'r/b.yaml:1:1: unknown key "sripts" in a rule file; did you mean "scripts"?',
    ]


def test_config_outside_the_tree_is_labelled_by_its_path(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    other = tmp_path / "other.yaml"
    other.write_text("exlude: []\n")
    _, errors = load_config(tree, other)
    assert [str(e) for e in errors] == [
        f'{other}:1:1: unknown key "exlude"; did you mean "exclude"?'
    ]


def test_setup_error_text() -> None:
    assert str(SetupError("boom")) == "boom"
    assert str(SetupError("boom", Span("a.yaml", 3, 1, 3, 2))) == "a.yaml:3:1: boom"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.sampled_from("abc:-[]{}!&*\n #'\"\t|>?,1"), max_size=120))
def test_never_raises(tmp_path: Path, text: str) -> None:
    (tmp_path / ".driftlint.yaml").write_text(text, encoding="utf-8")
    config, errors = load_config(tmp_path, known_codes=CODES)
    assert isinstance(config, Config)
    assert all(isinstance(e, SetupError) for e in errors)


def test_pyproject_tool_driftlint_is_the_config_without_a_driftlint_yaml(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from driftlint.cli import cli
    from tests.test_cli_gate import roles_tree

    tree = roles_tree(tmp_path / "tree", 2)
    runner = CliRunner()
    before = runner.invoke(cli, ["check", "--no-cache", "--format", "json", str(tree)])
    assert len(json.loads(before.stdout)["findings"]) == 2
    (tree / "pyproject.toml").write_text(
        '[project]\nname = "puppet"\n\n[tool.driftlint]\n'
        'per-path = {"modules/role/manifests/r1.pp" = {ignore = ["unknown-option"]}}\n',
        encoding="utf-8",
    )
    after = runner.invoke(cli, ["check", "--no-cache", "--format", "json", str(tree)])
    paths = [f["path"] for f in json.loads(after.stdout)["findings"]]
    assert paths == ["modules/role/manifests/r0.pp"], after.stdout + after.stderr
    # Its keys are checked as .driftlint.yaml's are, naming the table.
    (tree / "pyproject.toml").write_text('[tool.driftlint]\nexlude = ["x"]\n', encoding="utf-8")
    bad = runner.invoke(cli, ["check", "--no-cache", str(tree)])
    assert bad.exit_code == 2
    assert 'pyproject.toml [tool.driftlint]: unknown key "exlude"' in bad.stderr, bad.stderr
    # .driftlint.yaml, when there is one, wins.
    (tree / ".driftlint.yaml").write_text("exclude: []\n", encoding="utf-8")
    assert runner.invoke(cli, ["check", "--no-cache", str(tree)]).exit_code == 1
