"""Tests for driftlint.resolve.hiera: hierarchy levels, priority, interpolation, located values."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.resolve.hiera import Hiera, HieraValue, top_level_keys
from driftlint.values import Unknown, Value

CONFIG = """\
version: 5
defaults:
  datadir: hieradata
  data_hash: yaml_data
hierarchy:
  - name: "host"
    path: "hosts/%{::hostname}.yaml"
  - name: "secrets"
    lookup_key: eyaml_lookup_key
    path: "secrets.eyaml"
  - name: "role"
    paths:
      - "role/%{::site}/%{::_role}.yaml"
      - "role/common/%{facts._role}.yaml"
  - name: "common"
    path: "common.yaml"
"""

TREE = {
    "hiera.yaml": CONFIG,
    "hieradata/hosts/mw1.yaml": "jobrunner::args: '-t 5 --host'\n",
    "hieradata/hosts/mw2.yaml": "other: 1\n",
    "hieradata/role/eqiad/video.yaml": 'jobrunner::args: "-v 0"\n',
    "hieradata/role/common/video.yaml": "jobrunner::args: -t 9\nonly_role: r\n",
    "hieradata/role/common/api.yaml": "jobrunner::args: -t 1\n",
    "hieradata/common.yaml": (
        "jobrunner::args: -t 60\nonly_common: c\nnested:\n  inner:\n    - x\n    - --deep\n"
    ),
}


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """pathlib-style glob: `*` stays inside one directory, `**/` spans any number, `[x]` escapes."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            out.append(re.escape(pattern[i + 1 : end]))
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def make(tree: Mapping[str, str], module: str | None = None, config: str | None = None) -> Hiera:
    def list_files(pattern: str) -> list[str]:
        regex = _glob_regex(pattern)
        return sorted(p for p in tree if regex.fullmatch(p))

    return Hiera.load(tree.get, list_files, module=module, config=config)


def _text(value: Value) -> object:
    if isinstance(value, LText):
        return value.text
    if isinstance(value, tuple):
        return tuple(_text(v) for v in value)
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    return value


def rows(found: tuple[HieraValue, ...]) -> list[tuple[str, object, str, bool]]:
    return [(h.path, _text(h.value), h.level, h.certain) for h in found]


H1 = "hieradata/hosts/mw1.yaml"
R_EQ = "hieradata/role/eqiad/video.yaml"
R_CO = "hieradata/role/common/video.yaml"
COMMON = "hieradata/common.yaml"
ALL_KNOWN = {"hostname": "mw1", "site": "eqiad", "_role": "video"}


@pytest.mark.parametrize(
    ("key", "facts", "expected"),
    [
        pytest.param(
            "jobrunner::args",
            ALL_KNOWN,
            [(H1, "-t 5 --host", "host", True)],
            id="host-wins-when-known",
        ),
        pytest.param(
            "jobrunner::args",
            {**ALL_KNOWN, "hostname": "mw2"},
            [(R_EQ, "-v 0", "role", True)],
            id="site-role-before-common-role",
        ),
        pytest.param(
            "jobrunner::args",
            {"hostname": "mw2", "site": "codfw", "_role": "video"},
            [(R_CO, "-t 9", "role", True)],
            id="second-path-of-level",
        ),
        pytest.param(
            "jobrunner::args",
            {"hostname": "mw2", "site": "codfw", "_role": "db"},
            [(COMMON, "-t 60", "common", True)],
            id="falls-to-common",
        ),
        pytest.param(
            "jobrunner::args",
            {"site": "codfw", "_role": "video"},
            [(H1, "-t 5 --host", "host", False), (R_CO, "-t 9", "role", True)],
            id="unknown-host-may-apply",
        ),
        pytest.param(
            "jobrunner::args",
            {"hostname": "mw9"},
            [
                ("hieradata/role/common/api.yaml", "-t 1", "role", False),
                (R_CO, "-t 9", "role", False),
                ("hieradata/role/eqiad/video.yaml", "-v 0", "role", False),
                (COMMON, "-t 60", "common", True),
            ],
            id="unknown-role-and-site-glob-every-candidate",
        ),
        pytest.param("only_common", {}, [(COMMON, "c", "common", True)], id="no-facts-common-only"),
        pytest.param("::only_common", {}, [(COMMON, "c", "common", True)], id="top-scope-prefix"),
        pytest.param(
            "nested.inner", {}, [(COMMON, ("x", "--deep"), "common", True)], id="dotted-key-digs"
        ),
        pytest.param("absent", ALL_KNOWN, [], id="absent-key"),
    ],
)
def test_lookup_follows_priority_order(
    key: str, facts: dict[str, str], expected: list[tuple[str, object, str, bool]]
) -> None:
    hiera = make(TREE)
    assert rows(hiera.lookup(key, facts)) == expected


def test_lookup_value_is_located_in_the_data_file() -> None:
    found = make(TREE).lookup("nested", {})
    value = found[0].value
    assert isinstance(value, dict)
    deep = value["inner"]
    assert isinstance(deep, tuple) and isinstance(deep[1], LText)
    assert deep[1].loc(2) == (COMMON, 6, 9)
    host = make(TREE).lookup("jobrunner::args", ALL_KNOWN)[0].value
    assert isinstance(host, LText) and host.span(5, 11) is not None
    assert str(host.span(5, 11)) == f"{H1}:1:24"


def test_load_records_skipped_levels() -> None:
    hiera = make(TREE)
    assert [(s.name, s.reason) for s in hiera.skipped_levels] == [
        ("secrets", "lookup_key eyaml_lookup_key")
    ]
    assert [level.name for level in hiera.levels] == ["host", "role", "common"]
    assert hiera.errors == ()


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        pytest.param("data_hash: json_data", "data_hash json_data", id="other-data-hash"),
        pytest.param(
            "datadir: /etc/puppet/hieradata",
            "datadir /etc/puppet/hieradata is outside the tree",
            id="absolute-datadir",
        ),
        pytest.param(
            "datadir: ../../up", "datadir ../../up is outside the tree", id="datadir-leaves-tree"
        ),
        pytest.param("uri: http://example.invalid", "uri levels read no files", id="uri"),
        pytest.param(
            "lookup_key: wmflib::regex_data", "lookup_key wmflib::regex_data", id="custom-lookup"
        ),
    ],
)
def test_load_skips_levels_it_cannot_read(config: str, reason: str) -> None:
    level = f"  - name: x\n    {config}\n"
    if not config.startswith("uri"):
        level += "    path: a.yaml\n"
    hiera = make({"hiera.yaml": "version: 5\nhierarchy:\n" + level})
    assert [(s.name, s.reason) for s in hiera.skipped_levels] == [("x", reason)]
    assert hiera.levels == ()


EQ_JOBS, CO_JOBS = "data/eqiad/profile/jobs.yaml", "data/common/profile/jobs.yaml"
WMF_LIKE = {
    "conf/hiera.yaml": (
        "version: 5\ndefaults: {datadir: ../data, data_hash: yaml_data}\nhierarchy:\n"
        "  - {name: site, path: '%{::site}', lookup_key: 'wmflib::expand_path'}\n"
        "  - {name: common, path: common, lookup_key: 'wmflib::expand_path'}\n"
    ),
    CO_JOBS: "profile::jobs::args: -t 60\n",
    "data/common.yaml": "toplevel: t\n",
    EQ_JOBS: "profile::jobs::args: -t 10\n",
}


@pytest.mark.parametrize(
    ("key", "facts", "expected"),
    [
        pytest.param(
            "profile::jobs::args",
            {"site": "eqiad"},
            [(EQ_JOBS, "-t 10", "site", True)],
            id="namespace-file-of-site",
        ),
        pytest.param(
            "profile::jobs::args",
            {"site": "codfw"},
            [(CO_JOBS, "-t 60", "common", True)],
            id="namespace-file-of-common",
        ),
        pytest.param(
            "profile::jobs::args",
            {},
            [(EQ_JOBS, "-t 10", "site", False), (CO_JOBS, "-t 60", "common", True)],
            id="unknown-site-globs",
        ),
        pytest.param(
            "toplevel",
            {"site": "codfw"},
            [("data/common.yaml", "t", "common", True)],
            id="key-without-namespace",
        ),
    ],
)
def test_lookup_models_wmflib_expand_path(
    key: str, facts: dict[str, str], expected: list[tuple[str, object, str, bool]]
) -> None:
    hiera = make(WMF_LIKE, config="conf/hiera.yaml")
    assert rows(hiera.lookup(key, facts)) == expected


def test_module_layer_answers_only_its_own_keys() -> None:
    tree = {
        "modules/jobs/hiera.yaml": "version: 5\nhierarchy:\n  - {name: c, path: common.yaml}\n",
        "modules/jobs/data/common.yaml": "jobs::args: -t 3\nother::args: -x\n",
    }
    hiera = make(tree, module="jobs")
    assert rows(hiera.lookup("jobs::args", {})) == [
        ("modules/jobs/data/common.yaml", "-t 3", "c", True)
    ]
    assert hiera.lookup("other::args", {}) == ()


def test_module_layer_without_config_has_no_levels() -> None:
    assert make({}, module="jobs").lookup("jobs::x", {}) == ()


def test_glob_and_mapped_paths_levels() -> None:
    tree = {
        "hiera.yaml": (
            "version: 5\nhierarchy:\n"
            "  - {name: mapped, mapped_paths: [services, svc, 'svc/%{svc}.yaml']}\n"
            "  - {name: globbed, glob: 'parts/%{::site}/*.yaml'}\n"
        ),
        "data/svc/a.yaml": "k: from-a\n",
        "data/parts/eqiad/1.yaml": "k: one\n",
        "data/parts/eqiad/2.yaml": "k: two\n",
    }
    hiera = make(tree)
    assert rows(hiera.lookup("k", {"site": "eqiad"})) == [
        ("data/svc/a.yaml", "from-a", "mapped", False),
        ("data/parts/eqiad/1.yaml", "one", "globbed", True),
    ]


def test_hiera_3_config() -> None:
    tree = {
        "hiera.yaml": (
            "---\n:backends: [yaml]\n:yaml:\n  :datadir: hd\n"
            ":hierarchy:\n  - 'nodes/%{::fqdn}'\n  - common\n"
        ),
        "hd/nodes/a.example.yaml": "k: node\n",
        "hd/common.yaml": "k: common\n",
    }
    hiera = make(tree)
    assert rows(hiera.lookup("k", {"fqdn": "a.example"})) == [
        ("hd/nodes/a.example.yaml", "node", "nodes/%{::fqdn}", True)
    ]
    assert rows(hiera.lookup("k", {"fqdn": "b.example"}))[0][1] == "common"


def _common(text: str) -> dict[str, str]:
    return {
        "hiera.yaml": "version: 5\nhierarchy:\n  - {name: common, path: common.yaml}\n",
        "data/common.yaml": text,
    }


INTERPOLATIONS = (
    "base: -t 5\n"  # 1
    "list: [-a, -b]\n"  # 2
    "via_hiera: \"--x %{hiera('base')} --y\"\n"  # 3
    "via_lookup: \"%{lookup('base')}\"\n"  # 4
    "via_alias: \"%{alias('list')}\"\n"  # 5
    "via_literal: \"100%{literal('%')}\"\n"  # 6
    "via_scope: \"--host=%{scope('fqdn')}\"\n"  # 7
    'via_top: "--host=%{::fqdn}"\n'  # 8
    'via_facts: "--site=%{facts.site}"\n'  # 9
    'via_trusted: "%{trusted.certname}"\n'  # 10
    "via_missing: \"%{lookup('nope')}\"\n"  # 11
    'via_empty: "a%{}b"\n'  # 12
    "alias_in_text: \"x%{alias('list')}\"\n"  # 13
    "self: \"%{lookup('self')}\"\n"  # 14
    "ping: \"%{hiera('pong')}\"\n"  # 15
    "pong: \"-p %{hiera('ping')}\"\n"  # 16
    "nested: {a: [\"%{lookup('base')}\"]}\n"  # 17
)


@pytest.mark.parametrize(
    ("key", "facts", "text"),
    [
        pytest.param("via_hiera", {}, "--x -t 5 --y", id="hiera-function"),
        pytest.param("via_lookup", {}, "-t 5", id="lookup-function"),
        pytest.param("via_alias", {}, ("-a", "-b"), id="alias-keeps-the-array"),
        pytest.param("via_literal", {}, "100%", id="literal-percent"),
        pytest.param("via_scope", {"fqdn": "h.example"}, "--host=h.example", id="scope-known"),
        pytest.param("via_scope", {}, "--host=" + SYMBOL, id="scope-unknown"),
        pytest.param("via_top", {"fqdn": "h.example"}, "--host=h.example", id="top-scope-fact"),
        pytest.param("via_top", {}, "--host=" + SYMBOL, id="top-scope-unknown"),
        pytest.param("via_facts", {"site": "eqiad"}, "--site=eqiad", id="facts-hash"),
        pytest.param("via_trusted", {"certname": "c.example"}, "c.example", id="trusted-certname"),
        pytest.param("via_missing", {}, SYMBOL, id="lookup-of-absent-key"),
        pytest.param("via_empty", {}, "ab", id="empty-interpolation"),
        pytest.param("alias_in_text", {}, "x" + SYMBOL, id="alias-inside-text"),
        pytest.param("nested", {}, {"a": ("-t 5",)}, id="inside-hash-and-array"),
    ],
)
def test_lookup_interpolates_values(key: str, facts: dict[str, str], text: object) -> None:
    hiera = make(_common(INTERPOLATIONS))
    found = hiera.lookup(key, facts)
    assert [_text(h.value) for h in found] == [text]
    assert hiera.errors == ()


def test_interpolated_characters_point_where_they_are_written() -> None:
    hiera = make(_common(INTERPOLATIONS))
    value = hiera.lookup("via_hiera", {})[0].value
    assert isinstance(value, LText)
    assert value.loc(0) == ("data/common.yaml", 3, 13)  # `--x` in via_hiera
    assert value.loc(7) == ("data/common.yaml", 1, 10)  # `5` of base, written on line 1
    assert value.loc(9) == ("data/common.yaml", 3, 34)  # `--y` after the interpolation
    unknown = hiera.lookup("via_top", {})[0].value
    assert isinstance(unknown, LText)
    assert str(unknown.span(7, 8)) == "data/common.yaml:8:18"
    assert unknown.symbols()[0].end_column == 27  # the whole `%{::fqdn}`
    alias = hiera.lookup("via_alias", {})[0].value
    assert isinstance(alias, tuple) and isinstance(alias[1], LText)
    assert alias[1].loc(1) == ("data/common.yaml", 2, 13)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        pytest.param("self", SYMBOL, id="self-reference"),
        pytest.param("ping", "-p " + SYMBOL, id="mutual-reference"),
    ],
)
def test_lookup_guards_recursion(key: str, text: str) -> None:
    hiera = make(_common(INTERPOLATIONS))
    assert [_text(h.value) for h in hiera.lookup(key, {})] == [text]
    errors = hiera.errors
    assert errors and all(
        e.code == "parse-error" and "hiera recursion" in e.message for e in errors
    )


def test_lookup_reports_bad_data_files_without_raising() -> None:
    tree = {**TREE, "hieradata/common.yaml": "jobrunner::args: [unclosed\n"}
    hiera = make(tree)
    assert hiera.lookup("jobrunner::args", {"hostname": "mw2", "site": "x", "_role": "y"}) == ()
    assert [(e.span.path, e.code) for e in hiera.errors] == [(COMMON, "parse-error")]


def test_uncertain_values_across_several_candidates_leave_interpolation_unknown() -> None:
    tree = {
        "hiera.yaml": "version: 5\nhierarchy:\n  - {name: h, path: 'h/%{::hostname}.yaml'}\n"
        "  - {name: common, path: common.yaml}\n",
        "data/h/a.yaml": "port: '1'\n",
        "data/common.yaml": "port: '2'\nargs: \"--port %{lookup('port')}\"\n",
    }
    hiera = make(tree)
    assert [_text(h.value) for h in hiera.lookup("args", {})] == ["--port " + SYMBOL]
    assert [_text(h.value) for h in hiera.lookup("args", {"hostname": "a"})] == ["--port 1"]


def test_data_files_lists_every_reachable_file() -> None:
    assert make(TREE).data_files() == (
        "hieradata/hosts/mw1.yaml",
        "hieradata/hosts/mw2.yaml",
        "hieradata/role/common/api.yaml",
        "hieradata/role/common/video.yaml",
        "hieradata/role/eqiad/video.yaml",
        "hieradata/common.yaml",
    )
    assert set(make(WMF_LIKE, config="conf/hiera.yaml").data_files()) == {
        "data/common.yaml",
        CO_JOBS,
        EQ_JOBS,
    }


def test_unknown_tag_value_stays_unknown() -> None:
    hiera = make(_common("k: !ruby/object:Foo {a: 1}\n"))
    assert isinstance(hiera.lookup("k", {})[0].value, Unknown)


_YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}%'\"\\ \n*&!|.$(){}hiera")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(config=_YAMLISH, data=_YAMLISH)
def test_hiera_never_raises_on_arbitrary_files(config: str, data: str) -> None:
    tree = {
        "hiera.yaml": "version: 5\nhierarchy:\n  - {name: c, path: c.yaml}\n",
        "data/c.yaml": data,
    }
    for candidate in (tree, {"hiera.yaml": config, "data/c.yaml": data, "data/common.yaml": data}):
        hiera = make(candidate)
        for key in ("a", "b", "a.b", "hiera"):
            hiera.lookup(key, {"a": "b"})
        hiera.data_files()
        assert all(e.code == "parse-error" for e in hiera.errors)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_interpolation_never_raises(text: str) -> None:
    data = "k: " + repr(text).replace("'", '"') + "\n"
    hiera = make(_common(data + "k2: \"%{lookup('k')}\"\n"))
    hiera.lookup("k2", {"x": "y"})


PUPPET = shutil.which("puppet")
ORACLE_TREE = {
    "hiera.yaml": (
        "version: 5\nhierarchy:\n"
        "  - {name: host, path: 'hosts/%{::hostname}.yaml'}\n"
        "  - {name: role, path: 'role/%{facts.role}.yaml'}\n"
        "  - {name: common, path: common.yaml}\n"
    ),
    "data/common.yaml": (
        "base: '-t 5'\n"
        "k: \"--x %{lookup('base')} %{::hostname} %{literal('%')}\"\n"
        "list: [-a, '-b c']\n"
        "arr: \"%{alias('list')}\"\n"
        "blk: >\n  --one\n  --two\n\n  --three\n"
        'esc: "a\\tb\\u00e9 \\"q\\""\n'
    ),
    "data/role/video.yaml": "base: -t 7\n",
    "data/hosts/mw2.yaml": "k: |\n  -h\n    --x\n",
}


@pytest.mark.skipif(PUPPET is None, reason="needs Debian's puppet as the oracle")
@pytest.mark.parametrize(
    ("key", "hostname", "role"),
    [
        pytest.param("k", "mw1", "video", id="lookup-sees-the-whole-hierarchy"),
        pytest.param("k", "mw1", "db", id="lookup-falls-to-common"),
        pytest.param("k", "mw2", "video", id="host-level-wins"),
        pytest.param("arr", "mw1", "video", id="alias-array"),
        pytest.param("blk", "mw1", "video", id="folded-block"),
        pytest.param("esc", "mw1", "video", id="double-quoted-escapes"),
    ],
)
def test_lookup_agrees_with_puppet_lookup(
    key: str, hostname: str, role: str, tmp_path: Path
) -> None:
    """Oracle: `puppet lookup` on the same little environment gives the same value."""
    env = tmp_path / "envs" / "production"
    for path, text in ORACLE_TREE.items():
        (env / path).parent.mkdir(parents=True, exist_ok=True)
        (env / path).write_text(text, encoding="utf-8")
    facts = {"hostname": hostname, "domain": "example", "fqdn": f"{hostname}.example",
             "clientcert": f"{hostname}.example", "role": role}  # fmt: skip
    (tmp_path / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    assert PUPPET is not None
    done = subprocess.run(
        [PUPPET, "lookup", key, "--render-as", "json", "--node", facts["fqdn"],
         "--facts", str(tmp_path / "facts.json"), "--environment", "production",
         "--environmentpath", str(tmp_path / "envs"), *(f"--{d}={tmp_path / d}" for d in
         ("confdir", "vardir", "codedir", "logdir", "rundir"))],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    expected = json.loads(done.stdout)
    found = make(ORACLE_TREE).lookup(key, facts)
    assert [h.certain for h in found] == [True]
    assert _json(found[0].value) == expected


def _json(value: Value) -> object:
    plain = _text(value)
    return list(plain) if isinstance(plain, tuple) else plain


# The line scan that spares parsing data files which cannot hold a key -----------------------


def test_top_level_keys_of_a_block_mapping() -> None:
    text = (
        "---\n"
        "# a comment\n"
        "profile::jobs::args: '-t 5'\n"
        '"quoted::key": 1\n'
        "'single''s': 2\n"
        "spaced key  : 3\n"
        "nested:\n"
        "  inner: 4\n"
        "block: |\n"
        "  not::a::key: 5\n"
        "url: http://example.org:80/\n"
        "empty:\n"
    )
    keys = top_level_keys(text)
    assert keys is not None
    assert {
        "profile::jobs::args",
        "quoted::key",
        "single's",
        "spaced key",
        "nested",
        "block",
        "url",
        "empty",
    } <= keys
    assert "inner" not in keys and "not::a::key" not in keys


def test_top_level_keys_gives_up_on_shapes_it_cannot_read() -> None:
    assert top_level_keys("{a: 1, b: 2}\n") is None
    assert top_level_keys("--- {a: 1}\n") is None
    assert top_level_keys("base: &b {x: 1}\nother:\n  <<: *b\n") is None
    assert top_level_keys("? complex\n: value\n") is None
    assert top_level_keys('"esc\\"aped": 1\n') is None


_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,5}(::[a-z][a-z0-9_]{0,5}){0,2}", fullmatch=True)
_SCALAR = st.one_of(st.integers(), st.text(alphabet="ab: -#'\"", max_size=8), st.booleans())
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEY, inner, max_size=3)),
    max_leaves=6,
)


@given(st.dictionaries(_KEY, _VALUE, max_size=5), st.sampled_from([True, False]))
def test_top_level_keys_never_misses_a_key_yaml_reads(data: dict, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow or None, sort_keys=False)
    loaded = yaml.safe_load(text)
    keys = top_level_keys(text)
    if keys is not None and isinstance(loaded, dict):
        assert set(map(str, loaded)) <= keys


def test_a_glob_lists_what_matching_every_file_lists() -> None:
    """The listing matches a glob against the run of sorted paths that start with its text
    before the first wildcard: the same files, in the same order, as matching every path."""
    import random

    from driftlint import safe_re
    from driftlint.resolve.hiera_layers import Listing, _glob_regex

    rng = random.Random(31)
    parts = ["data", "hosts", "common", "a.yaml", "b.yml", "x", "da", "hosts.yaml", "c*d"]
    paths = ["/".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) for _ in range(300)]
    paths = list(dict.fromkeys(paths))
    rng.shuffle(paths)
    listing = Listing(paths)
    globs = ["data/*", "data/**/*.yaml", "*.yaml", "**", "hosts/?.yaml", "d*/hosts*", "data"]
    globs += ["/".join(rng.choice([*parts, "*", "**", "?"]) for _ in range(3)) for _ in range(60)]
    for glob in globs:
        whole = safe_re.linear(_glob_regex(glob))
        assert listing(glob) == [p for p in paths if whole(p)], glob
    assert listing("data/*") and listing("**") == paths
