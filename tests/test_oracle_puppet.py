"""Puppet's own compiler judges our evaluator (issue 15).

For every fixture whose site.pp names nodes, Debian's `puppet catalog compile` compiles each
node offline, and driftlint's calls of the roles that node declares are compared with the
catalog: an `exec`/`cron` call must be the command Puppet would run, word for word, and every
concrete word driftlint says a call passes must be written somewhere in what Puppet installs or
runs on that node. A word driftlint leaves unknown may be anything; a concrete word that
Puppet never produces is a bug in our evaluator.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from driftlint.cli import cli
from tests.conftest import FIXTURES

PUPPET = shutil.which("puppet")
pytestmark = pytest.mark.skipif(
    PUPPET is None, reason="Debian's puppet is not installed (apt-get install puppet)"
)

SYSTEM_MODULES = "/usr/share/puppet/modules"  # Debian's puppet-module-* packages (`cron`)
# Debian's puppet-module-puppetlabs-stdlib: its functions (ensure_resource, join, prefix ...)
# and types; without it, test stubs of the types trees use stand in.
HAS_STDLIB = Path(SYSTEM_MODULES, "stdlib", "metadata.json").is_file()
UNKNOWN = "\ue000"  # how `driftlint calls` prints characters it does not know
NODE = re.compile(r"^node\s+['\"]([^'\"$]+)['\"]\s*\{\s*(?:role\(([\w:]+)\))?", re.M)
# Test stub of Wikimedia's `role()` function, which stock Puppet lacks: declare role::NAME.
ROLE_FUNCTION = """\
Puppet::Functions.create_function(:role) do
  dispatch :role do
    repeated_param 'String', :names
  end

  def role(*names)
    names.each { |n| call_function('include', "role::#{n.sub(/^::/, '')}") }
  end
end
"""
# Test stubs of puppetlabs-stdlib's type aliases that trees use (the module is not installed).
STDLIB_TYPES = {
    "Port": "Integer[0, 65535]",
    "Unixpath": "Pattern[/\\A\\/([^\\n\\/\\0]+\\/*)*\\z/]",
    "Absolutepath": "Pattern[/\\A\\//]",
    "Host": "String[1]",
    "Fqdn": "String[1]",
    "Filemode": "Pattern[/\\A[0-7]{3,4}\\z/]",
    "Ensure::Service": "Enum['running', 'stopped']",
}
FACTS = """\
--- !ruby/object:Puppet::Node::Facts
name: {name}
values:
  fqdn: {name}
  hostname: {host}
  networking: {{fqdn: {name}, hostname: {host}}}
  os: {{family: Debian, name: Debian, release: {{major: '12', full: '12.5'}}}}
  osfamily: Debian
  kernel: Linux
  _role: "{role}"
"""


@dataclass
class Catalog:
    node: str
    roles: set[str] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)  # exec and cron commands
    texts: list[str] = field(default_factory=list)  # file contents, static sources, commands


def nodes_of(fixture: Path) -> list[tuple[str, str]]:
    """The fixture's nodes with the role each names in `role(x)` (or "")."""
    site = fixture / "manifests" / "site.pp"
    return NODE.findall(site.read_text(encoding="utf-8")) if site.is_file() else []


def compile_node(
    tree: Path,
    node: str,
    role: str,
    work: Path,
    facts: dict[str, Any] | None = None,
    modulepath: Path | None = None,
) -> tuple[dict[str, Any] | None, str]:
    """The node's catalog as Puppet compiles it, or None and Puppet's complaint. `facts`
    replace the default facts of the same names; `modulepath`: a module folder outside the
    tree (a fixture's MODULEPATH/), first on the base module path."""
    stubs = work / "stubs" / "oraclestub" / "lib" / "puppet" / "functions"
    stubs.mkdir(parents=True, exist_ok=True)
    (stubs / "role.rb").write_text(ROLE_FUNCTION)
    types = work / "stubs" / "stdlib" / "types"  # the stdlib types trees use, not the module
    for name, alias in () if HAS_STDLIB else STDLIB_TYPES.items():
        where = types / f"{name.lower().replace('::', '/')}.pp"
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(f"type Stdlib::{name} = {alias}\n")
    facts_dir = work / "var" / "yaml" / "facts"
    facts_dir.mkdir(parents=True, exist_ok=True)
    text = FACTS.format(name=node, host=node.split(".")[0], role=role.replace("::", "/"))
    if facts:
        head, _, body = text.partition("\n")
        document = yaml.safe_load(body)
        document["values"].update(facts)
        text = head + "\n" + yaml.safe_dump(document)
    (facts_dir / f"{node}.yaml").write_text(text)
    environments = work / "environments"
    environments.mkdir(exist_ok=True)
    production = environments / "production"
    if not production.exists():
        production.symlink_to(tree)  # Hiera's hiera.yaml and data are the fixture's own
    # Offline, Puppet has no trusted data: the certname is the fqdn fact here. wmflib's role()
    # sets `_role` at top scope; the stub cannot, so it is a fact (facts are top scope too).
    conf = tree / "environment.conf"  # the stubs are on the base module path: keep it
    if conf.is_file() and "$basemodulepath" not in conf.read_text():
        text = re.sub(r"(?m)^(modulepath\s*=.*)$", r"\1:$basemodulepath", conf.read_text())
        conf.write_text(text)
    hiera = tree / "hiera.yaml"
    if hiera.is_file():
        hiera.write_text(hiera.read_text().replace("trusted.certname", "facts.fqdn"))
    done = subprocess.run(
        [PUPPET or "puppet", "catalog", "compile", node, "--render-as", "json",
         "--terminus", "compiler", "--facts_terminus", "yaml",
         "--environmentpath", str(environments),
         "--basemodulepath", ":".join(
             [*([str(modulepath)] if modulepath else []), str(work / "stubs"), SYSTEM_MODULES]
         ),
         "--codedir", str(work / "code"), "--vardir", str(work / "var"),
         "--confdir", str(work / "conf"), "--color", "false"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    start = done.stdout.find("{")
    if done.returncode != 0 or start < 0:
        errors = [line for line in (done.stderr + done.stdout).splitlines() if "Error" in line]
        return None, errors[0] if errors else "no output"
    return json.loads(done.stdout[start:]), ""


def read_catalog(tree: Path, node: str, data: dict[str, Any]) -> Catalog:
    catalog = Catalog(node)
    for resource in data.get("resources", []):
        kind, params = resource["type"], resource.get("parameters", {})
        if kind == "Class" and resource["title"].lower().startswith("role::"):
            catalog.roles.add(resource["title"].lower())
        elif kind in ("Exec", "Cron"):
            for attr in ("command", "unless", "onlyif"):
                if attr in params:
                    catalog.commands.append(str(params[attr]))
            if kind == "Exec" and "command" not in params:
                catalog.commands.append(resource["title"])
        elif kind == "File":
            if isinstance(params.get("content"), str):
                catalog.texts.append(params["content"])
            sources = params.get("source")
            for source in sources if isinstance(sources, list) else [sources]:
                match = re.match(r"puppet:///modules/([^/]+)/(.+)$", str(source or ""))
                if match:
                    path = tree / "modules" / match.group(1) / "files" / match.group(2)
                    if path.is_file():
                        catalog.texts.append(path.read_text(encoding="utf-8", errors="replace"))
    catalog.texts.extend(catalog.commands)
    return catalog


def tokens(texts: list[str]) -> set[str]:
    """Every word a text holds, split at blanks and quotes, and again at `=`."""
    out: set[str] = set()
    for text in texts:
        for word in re.split(r"[\s\"'`;|&()]+", text):
            out.add(word)
            out.update(word.split("="))
    out.discard("")
    return out


def fits(ours: list[str], theirs: list[str]) -> bool:
    """Is `ours` (with unknown characters standing for anything) a run of `theirs`?"""
    patterns = [
        re.compile("".join(".*" if c == UNKNOWN else re.escape(c) for c in w) + r"\Z", re.S)
        for w in ours
    ]
    for start in range(len(theirs) - len(ours) + 1):
        if all(p.match(t) for p, t in zip(patterns, theirs[start:], strict=False)):
            return True
    return False


def driftlint_calls(tree: Path, *extra: str) -> list[dict[str, Any]]:
    args = ["calls", "--format", "json", "--path", str(tree), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout)["calls"])


def compare(
    tree: Path,
    catalog: Catalog,
    calls: list[dict[str, Any]],
    others: tuple[Catalog, ...] = (),
) -> list[str]:
    """Disagreements between driftlint's calls of the node's roles and Puppet's catalog.

    driftlint labels a call by role, so the calls of one place hold the alternatives of every
    node of that role (host-level Hiera, facts): one of them must be what this node runs, or
    what one of `others` (nodes of the same role with other facts) runs.
    """
    sites: dict[tuple[str, int, int], list[list[str]]] = {}
    for call in calls:
        if catalog.roles & set(call["roles"]) and not call["assumptions"]:
            sites.setdefault((call["path"], call["line"], call["column"]), []).append(call["argv"])
    problems: list[str] = []
    for (path, line, _), alternatives in sorted(sites.items()):
        found = _site_problems(f"{path}:{line}", path, alternatives, catalog)
        if found and any(not _site_problems("", path, alternatives, o) for o in others):
            continue  # what another node of the role runs
        problems.extend(found)
    return problems


def _site_problems(
    where: str, path: str, alternatives: list[list[str]], catalog: Catalog
) -> list[str]:
    known = tokens(catalog.texts)
    split = []
    for command in catalog.commands:
        try:
            split.append(shlex.split(command))
        except ValueError:
            split.append(command.split())
    problems: list[str] = []
    argv0 = alternatives[0][0]
    if path.endswith(".pp") and UNKNOWN not in argv0:
        runs = [words for words in split if any(w.endswith(argv0) for w in words)]
        if runs and not any(fits(a[1:], words) for a in alternatives for words in runs):
            problems.append(f"{where}: none of {alternatives} is in {runs}")
    written = [a for a in alternatives if all(UNKNOWN in w or w in known for w in a[1:])]
    if not written:
        problems.append(f"{where}: no alternative of {alternatives} is in {catalog.node}")
    return problems


def node_facts(fixture: Path) -> dict[str, dict[str, Any]]:
    """Facts some nodes of a fixture have instead of the default ones (`EXPECTED.facts.json`,
    by node): another OS family, so that a role's alternatives per fact are each compiled."""
    path = fixture / "EXPECTED.facts.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


CASES = [
    pytest.param(fixture, node, role, id=f"{fixture.name}:{node}")
    for fixture in sorted(p.parent for p in FIXTURES.glob("*/EXPECTED.json"))
    for node, role in nodes_of(fixture)
]


def test_some_fixtures_have_nodes_to_compile() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize(("fixture", "node", "role"), CASES)
def test_driftlint_agrees_with_puppets_catalog(
    fixture: Path, node: str, role: str, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("EXPECTED*", "BASE", "MODULEPATH")
    shutil.copytree(fixture, tree, ignore=ignore)
    modulepath = None
    if (fixture / "MODULEPATH").is_dir():  # modules outside the tree, for both (issue 27 §2)
        modulepath = tmp_path / "modulepath"
        shutil.copytree(fixture / "MODULEPATH", modulepath)
    facts = node_facts(fixture)
    work = tmp_path / "puppet"
    data, why = compile_node(tree, node, role, work, facts.get(node), modulepath)
    if data is None:
        pytest.skip(f"Puppet does not compile {node}: {why}")
    catalog = read_catalog(tree, node, data)
    others = []
    if facts:  # the same role on nodes with other facts
        for i, (other, other_role) in enumerate(nodes_of(fixture)):
            if other != node and other_role == role:
                work = tmp_path / f"puppet-{i}"
                found, why = compile_node(tree, other, role, work, facts.get(other))
                assert found is not None, why
                others.append(read_catalog(tree, other, found))
    calls = driftlint_calls(tree, *(["--modulepath", str(modulepath)] if modulepath else []))
    assert compare(tree, catalog, calls, tuple(others)) == []


def test_the_comparison_sees_a_wrong_value() -> None:
    catalog = Catalog("n", {"role::a"}, ["/usr/local/bin/x -t 5"], ["/usr/local/bin/x -t 5"])
    good = {"roles": ["role::a"], "assumptions": [], "path": "m.pp", "line": 1, "column": 1,
            "argv": ["/usr/local/bin/x", "-t", UNKNOWN]}  # fmt: skip
    bad = dict(good, argv=["/usr/local/bin/x", "-t", "6"])
    assert compare(Path("."), catalog, [good]) == []
    assert len(compare(Path("."), catalog, [bad])) == 2  # not the command, and `6` is nowhere
    assert compare(Path("."), catalog, [bad, good]) == []  # another node's alternative


GENERATED_SEED = 7
GENERATED_EVERY = 5  # a sample of the generated nodes: every fifth, about 10


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """A small generated tree (bench/generate.py, 10 modules) and driftlint's calls of it."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    tree = tmp_path_factory.mktemp("generated") / "tree"
    generate.generate(tree, scale=0.05, seed=GENERATED_SEED, bad=3)
    (tree / "BENCH_EXPECTED.json").unlink()
    return tree, driftlint_calls(tree)


def generated_nodes() -> list[str]:
    """The generated tree's node names, as the generator writes them (seeded: always alike)."""
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as folder:
        generate.generate(Path(folder), scale=0.05, seed=GENERATED_SEED, bad=3)
        site = (Path(folder) / "manifests" / "site.pp").read_text()
    return re.findall(r"^node '([^']+)'", site, re.M)[::GENERATED_EVERY]


@pytest.mark.parametrize("node", generated_nodes())
def test_driftlint_agrees_with_puppet_on_a_generated_tree(
    node: str, generated: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    tree, calls = generated
    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    data, why = compile_node(copy, node, "", tmp_path / "puppet")
    assert data is not None, f"Puppet refuses the generated tree: {why}"
    catalog = read_catalog(copy, node, data)
    assert catalog.roles, "every generated node declares a role"
    assert compare(copy, catalog, calls) == []
