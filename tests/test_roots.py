"""Tests for root discovery from Hiera and an ENC: driftlint.resolve.classify, hiera_roots,
hiera_infer, hiera_undecided, the `hiera:`/`roots:` config keys (issue 25)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from driftlint.config.load import load_config
from driftlint.model import Finding, Span
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve.classify import class_lists
from driftlint.resolve.hiera_config import read_config, tree_folder
from driftlint.resolve.hiera_layers import HieraLayers, HieraSettings, load_layers
from driftlint.resolve.hiera_roots import class_list, discover, host_facts
from driftlint.resolve.hiera_undecided import settle


def _lists(code: str) -> list[tuple[str, bool, tuple[str, ...], int]]:
    manifest = parse_manifest(code, "manifests/site.pp")
    nodes = [n for n in manifest.body if isinstance(n, ast.NodeDef)]
    top = [n for n in manifest.body if not isinstance(n, ast.NodeDef | ast.ClassDef)]
    return [(c.key, c.merge, c.excludes, c.span.line) for c in class_lists(top, nodes)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("hiera_include('classes')\n", [("classes", True, (), 1)], id="quoted"),
        pytest.param("hiera_include(classes)\n", [("classes", True, (), 1)], id="bareword"),
        pytest.param(
            "lookup('roles', Array[String], 'unique', []).include\n",
            [("roles", True, (), 1)],
            id="lookup-unique-method",
        ),
        pytest.param(
            "include(lookup('classes'))\n", [("classes", False, (), 1)], id="lookup-first-found"
        ),
        pytest.param(
            "lookup('classes', {merge => unique}).include\n",
            [("classes", True, (), 1)],
            id="lookup-merge-hash",
        ),
        pytest.param(
            "$c = hiera_array('classes')\n$x = hiera_array('exclude')\n$w = $c - $x\ninclude $w\n",
            [("classes", True, ("exclude",), 4)],
            id="minus-excludes-through-variables",
        ),
        pytest.param(
            "$c = lookup('k', Array, 'unique').filter |$n| { !($n in lookup('skip')) }\n"
            "$c.each |$n| { contain $n }\n",
            [("k", True, ("skip",), 2)],
            id="filter-then-each-contain",
        ),
        pytest.param(
            "node default { hiera_include('classes') }\nnode 'db1' { hiera_include('x') }\n",
            [("classes", True, (), 1)],
            id="default-node-only",
        ),
        pytest.param(
            "class a { hiera_include('inside') }\ninclude(lookup('not_a_list', String))\n"
            "$x = lookup('y')\nnotice($x)\n",
            [("not_a_list", False, (), 2)],
            id="class-bodies-and-other-lookups-ignored",
        ),
        pytest.param("hiera_include($key)\ninclude foo\n", [], id="no-literal-key"),
    ],
)
def test_class_lists_read_each_form(code: str, expected: list[object]) -> None:
    assert _lists(code) == expected


def _layer(
    tree: Mapping[str, str], classifies: bool = True, settings: HieraSettings | None = None
) -> HieraLayers:
    return load_layers(
        tree.get, sorted(tree), ("modules",), classifies, settings or HieraSettings()
    )


V5 = """\
version: 5
defaults: {datadir: data}
hierarchy:
  - {name: node, path: "nodes/%{trusted.certname}.yaml"}
  - {name: role, path: "roles/%{::role}.yaml"}
  - {name: os, path: "os/%{facts.os.family}.yaml"}
  - {name: common, path: "common.yaml"}
"""
TREE = {
    "hiera.yaml": V5,
    "data/nodes/db1.example.org.yaml": "role: db\nclasses: [pg::backup]\n",
    "data/nodes/web1.example.org.yaml": "nginx::workers: 4\n",
    "data/roles/db.yaml": "classes: [pg]\n",
    "data/roles/cache.yaml": "classes: [redis]\n",
    "data/os/Debian.yaml": "classes: [apt]\n",
    "data/os/RedHat.yaml": "pkg::tool: yum\n",
    "data/common.yaml": "classes: [base, legacy]\nexclude_classes: [legacy]\n",
}
LIST = class_lists(parse_manifest("hiera_include('classes')\n", "site.pp").body, [])


def test_discover_names_nodes_role_files_and_platform_files_that_add_classes() -> None:
    layer = _layer(TREE).global_layer
    roots = {r.label: r for r in discover(layer, LIST, TREE.get)}
    assert sorted(roots) == [
        "hiera:data/os/Debian.yaml",  # an undecided level whose file adds classes
        "hiera:data/roles/cache.yaml",  # a role no node names
        "node:db1.example.org",
        "node:web1.example.org",
    ]  # roles/db.yaml is db1's; os/RedHat.yaml adds no class: an alternative, not a root
    db1 = roots["node:db1.example.org"].fact_dict()
    assert (db1["role"], db1["hostname"], db1["domain"], db1["fqdn"]) == (
        "db",
        "db1",
        "example.org",
        "db1.example.org",
    )
    assert roots["node:web1.example.org"].fact_dict()["role"] == ""  # names no role file
    assert roots["hiera:data/os/Debian.yaml"].fact_dict()["os.family"] == "Debian"


def test_class_list_merges_levels_that_apply_and_leaves_undecided_ones_out() -> None:
    layer = _layer(TREE).global_layer
    assert layer is not None
    roots = {r.label: r for r in discover(layer, LIST, TREE.get)}
    db1 = [n for n, _ in class_list(layer, LIST[0], roots["node:db1.example.org"].fact_dict())]
    assert db1 == ["pg::backup", "pg", "base", "legacy"]  # not os/Debian's apt: undecided
    spans = class_list(layer, LIST[0], roots["node:db1.example.org"].fact_dict())
    assert spans[0][1] == Span("data/nodes/db1.example.org.yaml", 2, 11, 2, 21)


def test_class_list_drops_excluded_classes() -> None:
    code = "$c = hiera_array('classes') - hiera_array('exclude_classes')\ninclude $c\n"
    lists = class_lists(parse_manifest(code, "site.pp").body, [])
    layer = _layer(TREE).global_layer
    assert layer is not None
    facts = host_facts("web1.example.org", short=False)
    assert [n for n, _ in class_list(layer, lists[0], facts)] == ["base"]


def test_host_facts_from_a_short_name_keep_the_domain_unknown() -> None:
    facts = host_facts("acid", short=True)
    assert (facts["hostname"], facts["trusted.certname"]) == ("acid", "acid")
    assert "domain" not in facts


def test_an_absolute_datadir_is_read_from_the_tree_folder_of_the_same_tail() -> None:
    config = ":backends: [yaml]\n:yaml:\n  :datadir: /etc/puppet/data\n:hierarchy: [common]\n"
    levels, skipped, _ = read_config(config, "hiera.yaml", frozenset({"data", "modules"}))
    assert [(lv.datadir, lv.moved_from) for lv in levels] == [("data", "/etc/puppet/data")]
    assert skipped == ()
    # Without the tree's folders (or with no folder of that tail) the level is skipped.
    assert read_config(config, "hiera.yaml")[0] == ()
    assert tree_folder("/srv/puppet/hieradata", frozenset({"data"})) is None
    assert tree_folder("/etc/puppetlabs/code/environments/production/data", frozenset(
        {"data", "production/data"})) == "production/data"  # fmt: skip


def test_the_summary_says_how_the_hierarchy_was_found() -> None:
    moved = {
        "hiera.yaml": ":yaml:\n  :datadir: /etc/puppet/data\n:hierarchy: [common]\n",
        "data/common.yaml": "a: 1\n",
    }
    assert _layer(moved).notes == (
        "hiera: datadir /etc/puppet/data of hiera.yaml is on the puppet server;"
        " read data/ of the tree in its place",
    )
    elsewhere = {"puppet/hiera.yaml": V5, "data/common.yaml": "a: 1\n"}
    assert _layer(elsewhere).notes == (
        "hiera: no hiera.yaml at the top of the tree; read puppet/hiera.yaml",
    )
    assert _layer(elsewhere, classifies=False).global_layer is None  # only for class lists
    stub = {
        "hiera/hiera-stub.yaml": ":yaml:\n  :datadir: /var/lib/hiera\n:hierarchy: [common]\n",
        "hiera/common.yaml": "a: 1\n",
        "modules/m/hiera.yaml": V5,  # a module's layer, not the environment's
    }
    assert _layer(stub).notes == (
        "hiera: no hiera.yaml at the top of the tree; read hiera/hiera-stub.yaml",
        "hiera: datadir /var/lib/hiera of hiera/hiera-stub.yaml is on the puppet server;"
        " read hiera/ of the tree in its place",
    )
    nothing = {"manifests/site.pp": "hiera_include('classes')\n"}
    assert "nodes and roles are unknown" in _layer(nothing).notes[0]


def test_a_hierarchy_is_inferred_from_the_data_folder() -> None:
    tree = {k: v for k, v in TREE.items() if k != "hiera.yaml"}
    layers = _layer(tree)
    assert layers.notes == (
        "hiera: no hiera.yaml in the tree; hierarchy inferred from data/: "
        "nodes/%{trusted.certname}.yaml, roles/%{role}.yaml, os/%{os}.yaml, common.yaml",
    )
    assert layers.global_layer is not None
    roots = {r.label for r in discover(layers.global_layer, LIST, tree.get)}
    assert {"node:db1.example.org", "hiera:data/roles/cache.yaml"} <= roots


def test_config_names_the_hierarchy() -> None:
    settings = HieraSettings(datadir="data", hierarchy=("nodes/%{trusted.certname}", "common"))
    layer = _layer(TREE, settings=settings).global_layer
    assert layer is not None
    assert [lv.paths for lv in layer.levels] == [
        ("nodes/%{trusted.certname}.yaml",),
        ("common.yaml",),
    ]


def _finding(path: str, severity: str, message: str) -> Finding:
    return Finding(
        Span(path, 2, 1, 2, 5), "unknown-option", message, "--x", "tool", ("node:a",),
        severity=severity,  # type: ignore[arg-type]
    )  # fmt: skip


def test_settle_makes_errors_only_when_every_alternative_is_bad() -> None:
    said = "`k` comes from {}, not {}"
    one = _finding(
        "os/A.yaml", "warning", f"bad (only when {said.format('os/A.yaml', 'os/B.yaml')})"
    )
    two = _finding(
        "os/B.yaml", "warning", f"bad (only when {said.format('os/B.yaml', 'os/A.yaml')})"
    )
    assert [f.severity for f in settle([one])] == ["warning"]
    both = settle([one, two])
    assert [f.severity for f in both] == ["error", "error"]
    assert both[0].message == "bad (whichever of os/A.yaml, os/B.yaml applies)"
    # A finding that needs a template's condition as well stays a warning.
    needs = f"{said.format('os/B.yaml', 'os/A.yaml')} and `@x` is true"
    cond = _finding("os/B.yaml", "warning", f"bad (only when {needs})")
    assert [f.severity for f in settle([one, cond])] == ["warning", "warning"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "hiera: {confg: x}\n",
            ['.driftlint.yaml:1:9: unknown key "confg" in `hiera`; did you mean "config"?'],
            id="hiera-unknown-key",
        ),
        pytest.param(
            "hiera: {config: /etc/puppet/hiera.yaml}\n",
            [
                '.driftlint.yaml:1:17: `config` "/etc/puppet/hiera.yaml" must be a path'
                " inside the tree"
            ],
            id="hiera-config-outside",
        ),
        pytest.param(
            "roots: {node: {}}\n",
            ['.driftlint.yaml:1:9: unknown key "node" in `roots`; did you mean "nodes"?'],
            id="roots-unknown-key",
        ),
        pytest.param(
            "roots: {nodes: {a: 3}}\n",
            [
                '.driftlint.yaml:1:20: node "a" must be a list of classes or an ENC output,'
                " not a number"
            ],
            id="roots-node-type",
        ),
        pytest.param(
            "roots: {enc: [nowhere]}\n",
            ['.driftlint.yaml:1:15: `enc` path "nowhere" does not exist in the tree'],
            id="roots-enc-missing",
        ),
    ],
)
def test_config_keys_are_strict(tmp_path: Path, text: str, expected: list[str]) -> None:
    (tmp_path / ".driftlint.yaml").write_text(text, encoding="utf-8")
    _, errors = load_config(tmp_path)
    assert [str(e) for e in errors] == expected


def test_config_reads_enc_nodes_and_files(tmp_path: Path) -> None:
    (tmp_path / "enc").mkdir()
    (tmp_path / "enc" / "b.example.org.yaml").write_text(
        "classes: {web: {port: 8080}}\nparameters: {tier: 'front'}\n", encoding="utf-8"
    )
    (tmp_path / ".driftlint.yaml").write_text(
        "roots:\n  nodes:\n    'a*': [base, db]\n  enc: [enc]\n", encoding="utf-8"
    )
    config, errors = load_config(tmp_path)
    assert errors == ()
    assert [(r.pattern, r.classes, r.parameters) for r in config.roots] == [
        ("a*", (("base", ()), ("db", ())), ()),
        ("b.example.org", (("web", (("port", "8080"),)),), (("tier", "front"),)),
    ]
    assert config.roots[1].where == (
        ("web::port", Span("enc/b.example.org.yaml", 1, 23, 1, 23)),
        ("tier", Span("enc/b.example.org.yaml", 2, 21, 2, 21)),
    )


def test_lookup_options_make_a_plain_class_lookup_merge() -> None:
    lists = class_lists(parse_manifest("include(lookup('classes'))\n", "site.pp").body, [])
    facts = host_facts("db1.example.org", short=False)
    layer = _layer(TREE).global_layer
    assert layer is not None
    assert [n for n, _ in class_list(layer, lists[0], facts)] == ["pg::backup"]  # first found
    options = "lookup_options:\n  classes:\n    merge: unique\n"
    merged = {**TREE, "data/common.yaml": TREE["data/common.yaml"] + options}
    layer = _layer(merged).global_layer
    assert layer is not None
    assert [n for n, _ in class_list(layer, lists[0], facts)] == ["pg::backup", "base", "legacy"]
