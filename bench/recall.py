"""Judge 2 of issue 27: compiled catalogs of a real tree against driftlint's static calls.

    python bench/recall.py TREE [--work DIR] [--calls CALLS.json] [--import-alias A=B]
                                [--facts KEY=VALUE] [--max-roots N] [--timeout S]
                                [--roots driftlint|nodes] [--modern] [--hiera FILE]
                                [--stub FUNCTION] [--skip-module NAME]

Each root of the tree (by default the roots `driftlint calls` names: a node definition, a
role class compiled as a node that includes it, a node or role of the Hiera class lists by
the facts that select its data file) is compiled by the installed `puppet` offline, with
facts stubbed for the node (its name, and an OS of the tree's era: `--facts`), Debian's
`puppet-module-*` Forge modules on the base module path, and a stub (returning undef) for
every function neither has; roots that do not compile are listed with Puppet's error. What
each catalog runs (`exec`/`cron` commands and every installed file of a call-site kind) goes
through driftlint's own call-site readers (driftlint/fleet/, as `--catalogs` does), and is
compared with driftlint's static calls of the same root (`driftlint calls --format json`; a
call belongs to the node whose body its first declaration is written in):

- recall: catalog calls of watched scripts that driftlint saw at that root with an argv
  alternative that fits (a word driftlint leaves unknown may be any text, and a wholly
  unknown word any words);
- precision: static call sites of that root (all alternatives of one place) of which the
  catalog holds one alternative.

Every disagreement is printed with what each side has. The last line reads
`recall R% precision P% (C of N roots compiled)`.

Puppet 7 no longer reads `import`: the main manifest is rebuilt for compiling in the work
folder, each `import` replaced by the files it names, in order (`--import-alias` names the
file to read for one the tree does not hold, as `nodes.pp` symlinks to a site's own). The tree
itself is never written.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from driftlint import checks, pipeline
from driftlint.config.load import load_config
from driftlint.discover import discover_sources
from driftlint.fleet import sites
from driftlint.fleet.catalogs import Interner, Selector
from driftlint.fleet.locate import Locator, PathMap
from driftlint.fleet.run import _declare, _reader
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve.classify import class_lists
from driftlint.resolve.facts import NO_HOST, node_facts, role_facts
from driftlint.resolve.hiera_config import Level
from driftlint.resolve.hiera_roots import discover
from driftlint.resolve.hiera_undecided import MARK
from driftlint.resolve.relevance import Mentions
from driftlint.resolve.scope import node_label

UNKNOWN = "\ue000"  # how `driftlint calls` prints characters it does not know
SYSTEM_MODULES = "/usr/share/puppet/modules"  # Debian's puppet-module-* packages
DEFAULT_FACTS = {
    "kernel": "Linux",
    "osfamily": "Debian",
    "operatingsystem": "Ubuntu",
    "operatingsystemrelease": "14.04",
    "operatingsystemmajrelease": "14.04",
    "lsbdistcodename": "trusty",
    "lsbdistid": "Ubuntu",
    "lsbdistrelease": "14.04",
    "lsbmajdistrelease": "14.04",
    "architecture": "amd64",
    "hardwaremodel": "x86_64",
    "processorcount": "4",
    "physicalprocessorcount": "1",
    "memorysize": "16.00 GB",
    "memorysize_mb": "16000",
    "memorytotal": "16.00 GB",
    "ipaddress": "10.64.0.10",
    "ipaddress_eth0": "10.64.0.10",
    "interfaces": "eth0,lo",
    "macaddress": "52:54:00:00:00:01",
    "netmask": "255.255.255.0",
    "virtual": "physical",
    "is_virtual": "false",
    "puppetversion": "7.23.0",
    "rubyversion": "3.1.2",
    "path": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "uptime_days": "10",
    "timezone": "UTC",
    "concat_basedir": "/var/lib/puppet/concat",  # the fact of old puppetlabs-concat
    "clientversion": "7.23.0",
}

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
STUB_FUNCTION = """\
Puppet::Functions.create_function(:'{name}') do
  dispatch :stub do
    repeated_param 'Any', :args
    optional_block_param
  end
  def stub(*args)
    nil
  end
end
"""


# Puppet 3 let templates name a variable bare (`always_groups`, not `@always_groups`) and
# compared a numeric string with a number as numbers; Puppet 4 dropped both. Loaded into the
# compiling Ruby (RUBYOPT), never into the tree.
PUPPET3_SHIM = """\
require 'puppet'
require 'puppet/parser/templatewrapper'
require 'puppet/pops'
class Puppet::Parser::TemplateWrapper
  def method_missing(name, *args)
    key = name.to_s
    return super unless args.empty? && scope.include?(key)
    value = scope.lookupvar(key)
    value == :undef ? nil : value
  end
end
module RecallPuppet3Compare
  def compare(a, b)
    a = (Puppet::Pops::Utils.to_n(a) || a) if a.is_a?(String) && b.is_a?(Numeric)
    b = (Puppet::Pops::Utils.to_n(b) || b) if b.is_a?(String) && a.is_a?(Numeric)
    super(a, b)
  end
end
Puppet::Pops::Evaluator::CompareOperator.prepend(RecallPuppet3Compare)
"""


# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Root:
    """A root of the tree (a node definition, a role class, a node or role of the Hiera
    data) and the name it is compiled as."""

    node: ast.NodeDef | None
    label: str  # as written: `db1001.eqiad.wmnet`, `/^db\\d+/`, `default`; or driftlint's
    certname: str | None  # None: no name can be made that selects this node
    role: str = ""  # driftlint's label of this root (`node:x`, `role::db`, `hiera:<file>`)
    klass: str = ""  # a class root: compiled as a node that includes only it
    facts: dict[str, str] = field(default_factory=dict)  # what selects it (Hiera roots)
    also: list[str] = field(default_factory=list)  # driftlint's roots its catalog also holds
    catalog: dict[str, Any] | None = None
    error: str = ""
    calls: list[Seen] = field(default_factory=list)  # what the catalog runs
    static: list[dict[str, Any]] = field(default_factory=list)  # driftlint's calls here


@dataclass(frozen=True, slots=True)
class Seen:
    script: str
    argv: tuple[str, ...]
    resource: str  # `Exec[x]`, `File[/etc/cron.d/y]`


def node_names(node: ast.NodeDef) -> list[str]:
    out = []
    for match in node.matches:
        if isinstance(match, ast.Str):
            out.append("".join(p.value.text for p in match.parts if isinstance(p, ast.Lit)))
        elif isinstance(match, ast.Name):
            out.append(match.text)
        elif isinstance(match, ast.Regex):
            out.append(f"/{match.pattern}/")
        elif isinstance(match, ast.Default):
            out.append("default")
    return out


def sample(pattern: str) -> str | None:
    """A host name the (Ruby) regex matches, made from its first choices; None if none."""
    try:
        import re._parser as sre  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse as sre
    try:
        parsed = sre.parse(pattern)
    except (re.error, Exception):
        return None

    def walk(items: Any) -> str:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "IN":
                kinds = {str(o): a for o, a in arg}
                if "LITERAL" in kinds:
                    out.append(chr(kinds["LITERAL"]))
                elif "RANGE" in kinds:
                    out.append(chr(kinds["RANGE"][0]))
                elif "CATEGORY" in kinds:
                    out.append("0" if "DIGIT" in str(kinds["CATEGORY"]) else "a")
                else:
                    out.append("a")
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _, inner = arg
                out.append(walk(inner) * max(low, 1))
            elif name == "SUBPATTERN":
                out.append(walk(arg[-1]))
            elif name == "BRANCH":
                out.append(walk(arg[1][0]))
            elif name == "ANY":
                out.append("a")
            elif name == "CATEGORY":
                out.append("0" if "DIGIT" in str(arg) else "a")
        return "".join(out)

    found = walk(parsed)
    return found if re.search(pattern, found) else None


def roots_of(index_nodes: Iterable[ast.NodeDef]) -> list[Root]:
    """A certname per node definition: its first name, or a name its regex matches that no
    named node and no earlier regex takes (Puppet tries names, then regexes in order)."""
    nodes = list(index_nodes)
    named = {n.lower() for node in nodes for n in node_names(node) if not n.startswith("/")}
    roots: list[Root] = []
    earlier: list[str] = []
    for node in nodes:
        names = node_names(node)
        label = ", ".join(names)
        literal = [n for n in names if not n.startswith("/") and n != "default"]
        certname: str | None = literal[0] if literal else None
        patterns = [n[1:-1] for n in names if n.startswith("/")]
        if certname is None and patterns:
            for pattern in patterns:
                made = sample(pattern)
                if (
                    made
                    and made.lower() not in named
                    and not any(re.search(p, made) for p in earlier)
                ):
                    certname = made
                    break
        if certname is None and names == ["default"]:
            certname = "driftlint-default-node.invalid"
        earlier.extend(patterns)
        roots.append(Root(node, label, certname, node_label(node)))
    return roots


def plain_facts(facts: dict[str, str]) -> dict[str, str]:
    """driftlint's facts of a root as a node's facts: plain names (`facts.x`, `trusted.x` and
    `networking.x` are made from them), without the placeholders that keep host data out of
    a role or mark a value undecided."""
    return {
        k.removeprefix("::"): v
        for k, v in facts.items()
        if v and "." not in k and k != MARK and v != NO_HOST and MARK not in v
    }


def _certname(label: str) -> str:
    return "recall-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".example.org"


def driftlint_roots(
    prepared: pipeline.Prepared,
    calls: list[dict[str, Any]],
    prefix: str,
    defaults: dict[str, str] | None = None,
) -> list[Root]:
    """The roots `driftlint calls` names in its `roles`, each made compilable: a node
    definition by a name it selects; a class (`role::db`, a class a fact or node data names)
    as a node that includes it, with the facts driftlint gives that role; a node or role of
    the Hiera data (`node:x`, `hiera:<file>`) by the facts that select its data file (the
    tree's own `site.pp` then declares its classes). Sorted by label."""
    index = prepared.index
    nodes = {r.role: r for r in roots_of(index.nodes)}
    layer = prepared.hiera.global_layer
    found = discover(layer, class_lists(index.toplevel, index.nodes), prepared.tree.peek)
    data = {h.label: h for h in found} if layer is not None else {}
    apart = _levels_apart(prepared)
    out: list[Root] = []
    for label in sorted({r for call in calls for r in call["roles"]}):
        if label in data:
            facts = plain_facts(data[label].fact_dict())
            name = facts.get("certname") or facts.get("fqdn") or _certname(label)
            if "." not in name:
                name = f"{name}.example.org" if "fqdn" not in facts else name
            out.append(Root(None, label, name, label, facts=facts))
        elif label in nodes:
            out.append(nodes[label])
        elif label.startswith(("node:", "hiera:")):
            out.append(Root(None, label, None, label))  # not rebuilt here: listed, not compiled
        else:
            facts = plain_facts(role_facts(label.removeprefix(prefix)))
            if not label.startswith(prefix):
                facts = {}
            out.append(Root(None, label, _certname(label), label, label, facts))
    # A level whose files add classes, keyed by a fact no root data sets, is a root of its
    # own for driftlint per file (`hiera:is_virtual/false.yaml`) and undecided for the other
    # roots: a node's catalog, compiled with one value of that fact, holds what driftlint
    # gives the node and what it gives the file that value selects.
    given = {**DEFAULT_FACTS, **(defaults or {})}
    for root in out:
        mine = {**given, **root.facts}
        for other in out:
            keyed = {k: v for k, v in other.facts.items() if k in apart}
            if (
                other is not root
                and other.role.startswith("hiera:")
                and keyed
                and all(mine.get(k) == v for k, v in keyed.items())
            ):
                root.also.append(other.role)
    return out


def system_modules(work: Path, skipped: Iterable[str]) -> None:
    """`work/system`: Debian's modules but those the tree needs an older API of (its
    Puppetfile pins `apt` 2, whose `apt::update` was public): those are stubbed instead."""
    folder = work / "system"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for module in sorted(Path(SYSTEM_MODULES).iterdir()):
        if module.name not in set(skipped):
            (folder / module.name).symlink_to(module)


STUB_MANIFEST = "zy_driftlint_stubs.pp"  # in the main manifest folder: stub classes, defines
MISSING = "recall_missing"  # a stub class declaring resources only missing modules declare


def _levels_apart(prepared: pipeline.Prepared) -> dict[str, set[str]]:
    """The plain facts keying a Hiera level other than a node's whose data files set a
    class list (`type/%{::type}.yaml` with `classes:`), each with the values its files are
    named for: driftlint takes each such file as a root of its own, `hiera:<file>`."""
    layer = prepared.hiera.global_layer
    out: dict[str, set[str]] = {}
    if layer is None:
        return out
    index = prepared.index
    keys = {c.key.removeprefix("::") for c in class_lists(index.toplevel, index.nodes)}
    if not keys:
        return out
    tree = Path(prepared.tree.root)
    for level in layer.levels:
        for template in level.paths:
            names = [
                n.removeprefix("::").removeprefix("facts.")
                for n in re.findall(r"%\{([^{}]*)\}", template)
            ]
            if not names or any(n in NODE_NAMES for n in names):
                continue
            pattern = re.sub(r"%\{[^{}]*\}", "*", template)
            files = glob.glob(
                str(tree / level.datadir / pattern) + ("" if "." in pattern else ".*")
            )
            if any(
                re.search(rf"(?m)^['\"]?(?:{'|'.join(map(re.escape, keys))})['\"]?\s*:", text)
                for f in files
                if (text := Path(f).read_text(errors="replace"))
            ):
                for name in names:
                    out.setdefault(name, set()).update(Path(f).stem for f in files)
    return out


NODE_NAMES = {"certname", "clientcert", "fqdn", "hostname", "trusted.certname",
              "networking.fqdn", "networking.hostname", "trusted.hostname"}  # fmt: skip


def class_nodes(roots: Iterable[Root]) -> str:
    """Node definitions for the class roots: each name includes only its class (and, after
    it, the resources that only modules the tree lacks would declare); other roots have them
    at the end of top scope (after a `hiera_include`)."""
    nodes = "".join(
        f"\nnode '{r.certname}' {{ include {r.klass}\n  include {MISSING} }}\n"
        for r in roots
        if r.klass and r.certname
    )
    return f"if $facts['recall_top_missing'] {{ include {MISSING} }}\n{nodes}"


def write_missing(work: Path, refs: Iterable[str]) -> None:
    """`recall_missing`: each resource (`Service[apache2]`) a relationship names that only a
    module the tree lacks would declare, declared unless something did."""
    body = []
    for ref in sorted(set(refs)):
        kind, _, title = ref.partition("[")
        title = title.removesuffix("]").strip("'\"")
        if kind == "Class":  # a class a relationship names: declared (a stub if none)
            body.append(f"  include {title.lower().lstrip(':')}\n")
            continue
        body.append(f"  if !defined({kind}['{title}']) {{ {kind.lower()} {{ '{title}': }} }}\n")
    path = work / "stubs" / MISSING / "manifests" / "init.pp"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"class {MISSING} {{\n{''.join(body)}}}\n")


def _walk(node: object) -> Iterable[Any]:
    """Every AST node under `node` (dataclass fields, tuples), `node` first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif isinstance(item, ast.Node):
            yield item
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)


PUPPET_TYPES = {
    "exec", "file", "filebucket", "group", "notify", "package", "resources", "schedule",
    "service", "stage", "tidy", "user", "whit", "component", "class", "node",
}  # fmt: skip


def missing_definitions(prepared: pipeline.Prepared, work: Path, env: Path) -> list[str]:
    """Stubs for the classes and resource types the tree declares and neither it nor the
    installed modules define (modules of its Puppetfile, not in the repository): an empty
    class or define taking every parameter the tree passes it. Written under `work/stubs`;
    their names are returned."""
    index = prepared.index
    known = set(PUPPET_TYPES) | set(index.classes) | set(index.defines)
    roots = [env, work / "system"]
    for base in roots:
        for found in base.glob("*/lib/puppet/type/*.rb"):
            known.add(found.stem)
        for found in base.glob("*/*/lib/puppet/type/*.rb"):
            known.add(found.stem)

    def defined(name: str) -> bool:
        if name in known:
            return True
        module, _, rest = name.partition("::")
        tail = (rest or "init").replace("::", "/") + ".pp"
        return any(
            (b / module / "manifests" / tail).is_file()
            or any(b.glob(f"*/{module}/manifests/{tail}"))
            for b in roots
        )

    wanted: dict[tuple[str, str], set[str]] = {}
    for manifest in prepared.manifests:
        for node in _walk(manifest.body):
            if isinstance(node, ast.Resource) and not node.virtual:
                kind = node.type.lower().lstrip(":")
                if kind == "class":
                    for one in node.bodies:
                        title = one.title
                        if isinstance(title, ast.Str) and all(
                            isinstance(p, ast.Lit) for p in title.parts
                        ):
                            name = "".join(p.value.text for p in title.parts)  # type: ignore[union-attr]
                            params = wanted.setdefault(("class", name.lower().lstrip(":")), set())
                            params.update(a.name for a in one.attrs if a.name != "*")
                    continue
                params = wanted.setdefault(("define", kind), set())
                params.update(a.name for b in node.bodies for a in b.attrs if a.name != "*")
            elif isinstance(node, ast.ClassDef) and node.parent:  # `inherits` a Forge class
                wanted.setdefault(("class", node.parent.lower().lstrip(":")), set())
            elif isinstance(node, ast.ResourceDefaults) and "::" in node.type:
                params = wanted.setdefault(("define", node.type.lower().lstrip(":")), set())
                params.update(a.name for a in node.attrs if a.name != "*")
            elif (
                isinstance(node, ast.Call)
                and node.name in ("create_resources", "ensure_resource", "ensure_resources")
                and node.args
            ):  # the type's parameters come from a hash (Hiera data): any the data names
                first = node.args[0]
                kind = first.text if isinstance(first, ast.Name) else ""
                if isinstance(first, ast.Str) and all(isinstance(p, ast.Lit) for p in first.parts):
                    kind = "".join(p.value.text for p in first.parts)  # type: ignore[union-attr]
                if kind:
                    wanted.setdefault(("define", kind.lower().lstrip(":")), set()).add("*data*")
            elif isinstance(node, ast.Call) and node.name in ("include", "require", "contain"):
                for arg in node.args:
                    if isinstance(arg, ast.Str) and all(isinstance(p, ast.Lit) for p in arg.parts):
                        name = "".join(p.value.text for p in arg.parts)  # type: ignore[union-attr]
                        wanted.setdefault(("class", name.lower().lstrip(":")), set())
                    elif isinstance(arg, ast.Name):
                        wanted.setdefault(("class", arg.text.lower().lstrip(":")), set())
    # the class lists of the Hiera data (`classes: [apache::mod::geoip]`)
    lists = {c.key.removeprefix("::") for c in class_lists(index.toplevel, index.nodes)}
    for data_file in prepared.hiera.data_files() if lists else ():
        try:
            data = yaml.safe_load(prepared.tree.read(data_file) or "")
        except yaml.YAMLError:
            continue
        for key in lists & set(data if isinstance(data, dict) else ()):
            for name in data[key] if isinstance(data[key], list) else [data[key]]:
                if isinstance(name, str):
                    wanted.setdefault(("class", name.lower().lstrip(":")), set())
    # what a resource hash of the Hiera data may pass: every key two levels down
    anywhere: set[str] = set()
    for data_file in prepared.hiera.data_files():
        try:
            data = yaml.safe_load(prepared.tree.read(data_file) or "")
        except yaml.YAMLError:
            continue
        for value in data.values() if isinstance(data, dict) else ():
            for inner in value.values() if isinstance(value, dict) else ():
                if isinstance(inner, dict):
                    anywhere.update(k for k in inner if isinstance(k, str))
    for params in wanted.values():
        if "*data*" in params:
            params.discard("*data*")
            params.update(anywhere)
    made = []
    texts: dict[Path, list[str]] = {}
    meta = {"name", "title", "require", "before", "notify", "subscribe", "tag", "stage", "alias",
            "audit", "loglevel", "noop", "schedule", "consume", "export"}  # fmt: skip
    for (kind, name), params in sorted(wanted.items()):
        if not re.fullmatch(r"[a-z][a-z0-9_]*(::[a-z][a-z0-9_]*)*", name) or defined(name):
            continue
        module, _, rest = name.partition("::")
        path = work / "stubs" / module / "manifests" / ((rest or "init").replace("::", "/") + ".pp")
        names = [p for p in sorted(params - meta) if re.fullmatch(r"[a-z_]\w*", p)]
        if kind == "define" and "::" not in name:  # a native type of a Forge module
            path = work / "stubs" / "recallstub" / "lib" / "puppet" / "type" / f"{name}.rb"
            body = "".join(f"  newparam(:{p})\n" for p in names if p != "name")
            # any parameter a hash splat (`* => $opts`) may pass is taken
            texts[path] = [f"Puppet::Type.newtype(:{name}) do\n"
                           f"  newparam(:name, :namevar => true)\n{body}"
                           "  def self.valid_parameter?(name) true end\nend\n"]  # fmt: skip
            made.append(f"type {name}")
            continue
        args = ", ".join(f"${p} = undef" for p in names)
        # in the main manifest, where any name may be defined (the tree's own module of that
        # name would hide a stub module)
        texts.setdefault(env / "manifests" / STUB_MANIFEST, []).append(
            f"{kind} {name}({args}) {{ }}\n"
        )
        made.append(f"{kind} {name}")
    for path, text in texts.items():  # a class and a type of one name share its file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(text))
    return made


# ---------------------------------------------------------------------------------------------
def inline_imports(tree: Path, manifest: Path, aliases: dict[str, str], seen: set[Path]) -> str:
    """The manifest with each `import 'x'` replaced by the files x names, recursively."""
    text = manifest.read_text(encoding="utf-8", errors="replace")
    out = []
    for line in text.splitlines():
        match = re.match(r"\s*import\s+['\"]([^'\"]+)['\"]\s*(#.*)?$", line)
        if not match:
            out.append(line)
            continue
        name = aliases.get(match.group(1), match.group(1))
        found = sorted(glob.glob(str(manifest.parent / name)))
        if not found:
            out.append(f"# driftlint recall: import {name!r}: no such file")
        for path in map(Path, found):
            if path.resolve() in seen or not path.is_file():
                continue
            seen.add(path.resolve())
            out.append(f"# driftlint recall: from {path.relative_to(tree)}")
            out.append(inline_imports(tree, path, aliases, seen))
    return "\n".join(out) + "\n"


TYPE_WORD = r"(?<![\w:$'\"])([A-Z]\w*)(?!\w|::|\[|['\"])"
LISTED = r"(?:'[^'\n]*'|\"[^\"\n]*\"|[\w:]+)"
OPTION_WORD = r"(?<![\w:$'\".])([A-Z]\w*|\d[\w.]*)(?!\w|::|\[|['\"])"
CASE_OPTION = re.compile(OPTION_WORD + rf"(?=\s*(?:,\s*{LISTED}\s*)*:\s*\{{)")
SELECTOR_OPTION = re.compile(OPTION_WORD + r"(?=\s*=>)")
COMPARED = re.compile(r"((?:==|!=)\s*)" + TYPE_WORD)
DIGIT_SEGMENT = re.compile(r"(?<=[a-z_]::)(?=\d\w*[a-z_])")
NODE_INHERITS = re.compile(r"(?m)^(\s*node\s+[^{\n]*?)\s+inherits\s+[^{\n]+?(\s*\{)")
NAME_PARAMETER = re.compile(
    r"(\bdefine\s+[\w:]+\s*\((?:[^{)]*?,)?\s*)\$(?:name|title)\b(?:\s*=\s*[^,)]+)?\s*,?"
)
HYPHEN_NAME = re.compile(
    r"(?<![\w$/.-])(?:[a-z][\w-]*(?:::[\w-]+)+|(?<=class )[a-z][\w-]*|(?<=include )[a-z][\w-]*)"
)
REPEATED_PARAMETER = re.compile(r"(?m)^(\s*\$\w+\s*(?:=[^\n]*)?,[ \t]*)\n\1$")
UPPER_VARIABLE = re.compile(r"(\$\{?(?:::)?(?:[a-z]\w*::)*)([A-Z]\w*)")
SPACED_REFERENCE = re.compile(r"(?<![\w:$])([A-Z][\w:]*)[ \t]+\[")
DIGIT_TITLE = re.compile(r"(\{\s*)(\d[\w.-]*[A-Za-z_-][\w.-]*)(\s*:)")


def puppet3(text: str) -> str:
    """What Puppet 3 read and Puppet 4+ does not, rewritten so that the tree means to
    Puppet 7 what it meant to its authors: a capitalised case or selector option or compared
    word (`Windows:`, `Ubuntu =>`, `== Ubuntu`: a type to Puppet 4+), a number as a case or
    selector option (`6:`: Puppet 3's facts and options were strings) and a title that starts
    with a digit (`000_default:`) are quoted; `Class [ 'x' ]` loses its space; a name segment
    that starts with a digit (`varnish::1layer`, strings too) gets an `x` before it and a
    hyphen in a class name (`dns::auth-server`) becomes `_`; a variable `$INTERNAL`, which
    Puppet 4 refuses, becomes `$uc_INTERNAL`; a parameter written twice in a row is once; a
    define's `$name` parameter and node inheritance, both gone in Puppet 4, are dropped (the
    parent node's body is then missing). Other comments and strings are left alone."""
    text = DIGIT_SEGMENT.sub("x", text)
    text = NAME_PARAMETER.sub(r"\1", text)
    text = REPEATED_PARAMETER.sub(r"\1", text)
    text = UPPER_VARIABLE.sub(r"\1uc_\2", text)
    text = HYPHEN_NAME.sub(lambda m: m.group(0).replace("-", "_"), text)
    text = NODE_INHERITS.sub(r"\1 /* driftlint recall: inherits dropped */\2", text)
    text = "\n".join(
        line if line.lstrip().startswith("#") else CASE_OPTION.sub(r"'\1'", line)
        for line in text.split("\n")
    )
    out = []
    for piece in re.split(r"(#[^\n]*|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")", text):
        if piece[:1] in ("#", "'", '"'):
            out.append(piece)
            continue
        piece = SELECTOR_OPTION.sub(r"'\1'", piece)
        piece = COMPARED.sub(r"\1'\2'", piece)
        piece = SPACED_REFERENCE.sub(r"\1[", piece)
        out.append(DIGIT_TITLE.sub(r"\1'\2'\3", piece))
    return "".join(out)


def misplaced(text: str, path: str, module: str) -> tuple[str, str]:
    """Puppet 4 refuses a class or define in a module file that is not its module's
    (`class systemuser::groups` in generic/manifests/systemuser.pp); Puppet 3 took it. They
    are cut out here, to go to the main manifest, where any name may be defined."""
    manifest = parse_manifest(text, path, puppet3=False)
    if manifest.errors:
        return text, ""
    lines = text.split("\n")
    moved: list[str] = []
    for node in reversed(manifest.body):
        if not isinstance(node, ast.ClassDef | ast.DefineDef):
            continue
        if node.name.lstrip(":").split("::")[0] == module:
            continue
        span = node.span
        start, end = span.line - 1, span.end_line - 1
        moved.insert(0, "\n".join(lines[start : end + 1]))
        lines[start : end + 1] = [""] * (end - start + 1)  # keep the other lines' numbers
    return "\n".join(lines), "\n".join(moved)


MOVED: list[str] = []  # definitions `misplaced` took out of module files, for the main manifest


def mirror(source: Path, dest: Path, old: bool = True) -> None:
    """A copy of a module folder for Puppet 7: manifests through `puppet3` (definitions a
    module file may no longer hold go to `MOVED`), any other file a link to the tree's."""
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        target = dest / here.relative_to(source)
        target.mkdir(parents=True, exist_ok=True)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = here / name
            if name.endswith(".pp") and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                text = puppet3(text) if old else text
                parts = here.relative_to(source).parts
                if old and len(parts) >= 2 and parts[1] == "manifests":
                    text, moved = misplaced(text, str(path), parts[0])
                    if moved:
                        MOVED.append(moved)
                # `base::standard-packages` is autoloaded as standard_packages.pp now
                (target / name.replace("-", "_")).write_text(text)
            elif not (target / name).exists():
                (target / name).symlink_to(path)


STUB_3X = """\
module Puppet::Parser::Functions
  newfunction(:'{name}', :type => :rvalue) do |args|
    nil
  end
end
"""


def environment(
    tree: Path,
    work: Path,
    aliases: dict[str, str],
    stubs: Iterable[str] = (),
    old: bool = True,
    levels: Iterable[Level] = (),
    hiera: str | None = None,
) -> Path:
    """An environment for compiling the tree: its modules, the main manifest rebuilt (and,
    `old`, the manifests rewritten as Puppet 3 read them), and a Hiera 5 config: the tree's
    own, or one made from the levels driftlint read (a Hiera 3 config), with a last level of
    stub data under `work` for the keys the tree's private data would give."""
    rewrite = puppet3 if old else (lambda text: text)
    env = work / "environments" / "production"
    if env.exists():
        shutil.rmtree(env)
    env.mkdir(parents=True)
    site = tree / "manifests" / "site.pp"
    (env / "manifests").mkdir()
    (env / "manifests" / "site.pp").write_text(
        rewrite(inline_imports(tree, site, aliases, {site.resolve()}))
    )
    if not old:  # Puppet 4+ reads every file of the manifests folder, in order, as one
        for other in sorted((tree / "manifests").rglob("*.pp")):
            if other != site:
                name = "manifests/" + str(other.relative_to(tree / "manifests")).replace("/", "_")
                (env / name).write_text(other.read_text(encoding="utf-8", errors="replace"))
                with (env / "manifests" / "site.pp").open("a") as main:
                    main.write(f"# driftlint recall: from {name}\n")
    modulepath = []
    conf = tree / "environment.conf"
    paths = ["modules"]
    if conf.is_file():
        found = re.search(r"(?m)^\s*modulepath\s*=\s*(.+)$", conf.read_text())
        if found:
            paths = [p.strip().removeprefix("./") for p in found.group(1).split(":")]
    for part in paths:
        if part.startswith("$") or not (tree / part).is_dir():
            continue
        mirror(tree / part, env / part.replace("/", "_"), old)
        modulepath.append(part.replace("/", "_"))
    for module in sorted(p for m in modulepath for p in (env / m).iterdir() if p.is_dir()):
        module_data(module)
    templates = tree / "templates"  # Puppet 3's templatedir: `template('misc/x.erb')`
    if templates.is_dir():
        for folder in sorted(p for p in templates.iterdir() if p.is_dir()):
            if not any((env / m / folder.name).exists() for m in modulepath):
                (work / "stubs" / folder.name).mkdir(parents=True, exist_ok=True)
                link = work / "stubs" / folder.name / "templates"
                if not link.exists():
                    link.symlink_to(folder)
    if MOVED:
        with (env / "manifests" / "site.pp").open("a") as main:
            main.write("\n# driftlint recall: definitions moved out of module files\n")
            main.write("\n".join(MOVED) + "\n")
    for name in stubs:  # the tree's own function (3.x or 4.x), replaced in the copy
        for own in env.glob(f"*/*/lib/puppet/parser/functions/{name}.rb"):
            own.unlink()
            own.write_text(STUB_3X.replace("{name}", name))
        for own in env.glob(f"*/*/lib/puppet/functions/{name.replace('::', '/')}.rb"):
            own.unlink()
            own.write_text(STUB_FUNCTION.replace("{name}", name))
    hiera_config(tree, work, env, list(levels), hiera)
    for extra in ("hieradata", "data", "templates", "files"):
        if (tree / extra).is_dir() and not (env / extra).exists():
            (env / extra).symlink_to(tree / extra)
    (env / "environment.conf").write_text(
        f"modulepath = {':'.join(modulepath)}:$basemodulepath\nenvironment_timeout = unlimited\n"
    )
    return env


STUB_DATA = "recall-stub-data"  # under work: values for keys only private data holds


def _datadir(tree: Path, datadir: str) -> str:
    """A datadir as the tree holds it: `environments/%{environment}/hieradata` or an absolute
    path on the server is read as the tree's folder of the longest tail that exists."""
    parts = [p for p in datadir.split("/") if p]
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        if "%{" not in tail and (tree / tail).is_dir():
            return str(tree / tail)
    return datadir


def _as_yaml(entry: dict[str, Any], tree: Path) -> None:
    """A level (or `defaults`) read as plain YAML: eyaml's encrypted values stay strings."""
    if "lookup_key" in entry and "eyaml" in str(entry["lookup_key"]):
        del entry["lookup_key"]
        entry.pop("options", None)
        entry["data_hash"] = "yaml_data"
    if isinstance(entry.get("datadir"), str):
        entry["datadir"] = _datadir(tree, entry["datadir"])


def hiera_config(
    tree: Path, work: Path, env: Path, levels: list[Level], given: str | None = None
) -> None:
    """The environment's hiera.yaml (v5; offline there is no trusted data, so
    `trusted.certname` is read from the fqdn fact): `given` (a file of the tree that the
    server is given as its config), the tree's own, or one made from the levels driftlint read."""
    own = tree / (given or "hiera.yaml")
    text = own.read_text() if own.is_file() else ""
    stub = {"name": "driftlint recall stubs", "datadir": str(work / STUB_DATA),
            "path": "stubs.yaml"}  # fmt: skip
    (work / STUB_DATA).mkdir(exist_ok=True)
    stubs = work / STUB_DATA / "stubs.yaml"
    stubs.write_text("---\n")
    try:
        config = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        config = None
    if isinstance(config, dict) and config.get("version") == 5:
        defaults = config.setdefault("defaults", {"data_hash": "yaml_data"})
        defaults.setdefault("datadir", "data")
        _as_yaml(defaults, tree)
        for level in config.get("hierarchy") or []:
            _as_yaml(level, tree)
        config.setdefault("hierarchy", []).append(stub)
        out = yaml.safe_dump(config, sort_keys=False)
    else:  # Hiera 3 (or none): the levels driftlint read, as Hiera 5 reads them
        hierarchy: list[dict[str, Any]] = []
        for level in levels:
            if level.backend != "yaml" or level.kind != "path":
                continue
            paths = [p if p.endswith((".yaml", ".yml")) else p + ".yaml" for p in level.paths]
            hierarchy.append({"name": level.name, "datadir": str(tree / level.datadir),
                              "paths": paths})  # fmt: skip
        hierarchy.append(stub)
        out = yaml.safe_dump({"version": 5, "defaults": {"data_hash": "yaml_data"},
                              "hierarchy": hierarchy}, sort_keys=False)  # fmt: skip
    (env / "hiera.yaml").write_text(
        out.replace("trusted.certname", "facts.fqdn").replace("::trusted", "trusted")
    )


def stub_keys(work: Path, keys: Iterable[str]) -> None:
    """Give each key only private data holds a value (a string), at the lowest level."""
    path = work / STUB_DATA / "stubs.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    for key in keys:
        data.setdefault(key, "driftlintrecallstub")  # a word: it fits `^[a-zA-Z0-9]*$`
    path.write_text(yaml.safe_dump(data))


def module_data(module: Path) -> None:
    """A module's data of Hiera 3's `module_data` backend (`data/hiera.yaml` with a
    `:hierarchy:`), given to Puppet 7 as the module's own Hiera 5 layer."""
    old = module / "data" / "hiera.yaml"
    if (module / "hiera.yaml").exists() or not old.is_file():
        return
    try:
        config = yaml.safe_load(old.read_text(errors="replace"))
    except yaml.YAMLError:
        return
    levels = config.get(":hierarchy") if isinstance(config, dict) else None
    if not isinstance(levels, list):
        return
    paths = [str(p) if str(p).endswith(".yaml") else f"{p}.yaml" for p in levels]
    (module / "hiera.yaml").write_text(
        yaml.safe_dump(
            {
                "version": 5,
                "defaults": {"datadir": "data", "data_hash": "yaml_data"},
                "hierarchy": [{"name": "module data", "paths": paths}],
            }
        )
    )


def write_facts(work: Path, certname: str, extra: dict[str, str]) -> None:
    facts = work / "var" / "yaml" / "facts"
    facts.mkdir(parents=True, exist_ok=True)
    short, _, domain = certname.partition(".")
    values: dict[str, Any] = {**DEFAULT_FACTS, "fqdn": certname, "hostname": short}
    values.update({"domain": domain, "clientcert": certname, **extra})
    values["networking"] = {"fqdn": certname, "hostname": short, "domain": domain,
                            "ip": values["ipaddress"]}  # fmt: skip
    values.setdefault("processors", {"count": int(values.get("processorcount", "4") or 4),
                                     "physicalcount": 1, "models": []})  # fmt: skip
    values["os"] = {
        "family": values["osfamily"], "name": values["operatingsystem"],
        "release": {"major": values["operatingsystemmajrelease"],
                    "full": values["operatingsystemrelease"]},
        "distro": {"codename": values["lsbdistcodename"]},
    }  # fmt: skip
    # JSON is YAML; the tag makes it Puppet's Facts object.
    text = f"--- !ruby/object:Puppet::Node::Facts\nname: {json.dumps(certname)}\n"
    (facts / f"{certname}.yaml").write_text(text + f"values: {json.dumps(values)}\n")


def _compile(name: str, work: Path, out: Path, timeout: int) -> None:
    """`puppet catalog compile` of one node: its catalog in out/NAME.json, or its error."""
    shim = work / "puppet3_shim.rb"
    if not shim.is_file():
        shim.write_text(PUPPET3_SHIM)
    env = {**os.environ, "RUBYOPT": f"-r{shim}"}
    try:
        done = subprocess.run(
            [
                "puppet",
                "catalog",
                "compile",
                name,
                "--render-as",
                "json",
                "--terminus",
                "compiler",
                "--facts_terminus",
                "yaml",
                "--environmentpath",
                str(work / "environments"),
                "--basemodulepath",
                f"{work / 'stubs'}:{work / 'system'}",
                "--codedir",
                str(work / "code"),
                "--vardir",
                str(work / "var"),
                "--confdir",
                str(work / "conf"),
                "--hiera_config",
                str(work / "conf" / "hiera.yaml"),
                "--color",
                "false",
                "--strict",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        (out / f"{name}.error").write_text(f"timed out after {timeout} s")
        return
    start = done.stdout.find("{")
    if done.returncode == 0 and start >= 0:
        (out / f"{name}.json").write_text(done.stdout[start:])
        return
    lines = (done.stderr + done.stdout).splitlines()
    first = next((i for i, line in enumerate(lines) if "Error" in line), None)
    # an error's first line, and what follows it (a template's own message is on the next)
    why = " | ".join(line.strip() for line in lines[first : first + 3]) if first is not None else ""
    (out / f"{name}.error").write_text(why or "no output")


def compile_roots(
    roots: list[Root],
    work: Path,
    facts: dict[str, str],
    timeout: int,
    jobs: int = 2,
    stubs_first: list[str] | None = None,
    per_node: list[tuple[str, str, str]] | None = None,
    rounds: int = 8,
) -> list[str]:
    """Compile every root that has a certname; stub unknown functions and try again. The
    names of the stubbed functions are returned."""
    stubs = work / "stubs" / "recallstub" / "lib" / "puppet" / "functions"
    stubs.mkdir(parents=True, exist_ok=True)
    out = work / "catalogs"
    stubbed: list[str] = list(stubs_first or [])
    write_stubs(work, stubbed)
    write_missing(work, [])
    role = work / "stubs" / "recallstub" / "lib" / "puppet" / "functions" / "role.rb"
    role.parent.mkdir(parents=True, exist_ok=True)
    role.write_text(ROLE_FUNCTION)  # Wikimedia's role(), as tests/test_oracle_puppet.py
    todo = [r for r in roots if r.certname]
    for r in todo:
        name = r.certname or ""
        mine = {k: v for p, k, v in per_node or [] if re.search(p, name)}
        # Wikimedia's role() sets `_role` at top scope for Hiera; the stub cannot: a fact.
        role_fact = node_facts(r.node).get("_role") if r.node is not None else None
        if role_fact and "_role" not in mine:
            mine["_role"] = role_fact
        top = {} if r.klass else {"recall_top_missing": "true"}
        write_facts(work, name, {**facts, **r.facts, **mine, **top})
    for _ in range(rounds):
        if out.exists():
            shutil.rmtree(out)
        out.mkdir()
        names = sorted({r.certname or "" for r in todo})
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda name: _compile(name, work, out, timeout), names))
        missing: set[str] = set()
        for root in todo:
            done = out / f"{root.certname}.json"
            failed = out / f"{root.certname}.error"
            if done.is_file():
                root.catalog = json.loads(done.read_text())
                root.error = ""
            else:
                root.error = failed.read_text() if failed.is_file() else "no output"
                why = root.error
                found = re.search(r"Unknown function: '([\w:]+)'", root.error)
                if found:
                    missing.add(found.group(1))
                found = re.search(r"Could not find (?:declared )?class (?:::)?([\w:]+)", root.error)
                if found:
                    missing.add("class " + found.group(1).lower())
                found = re.search(r"did not find a value for the name '(?:::)?([\w:]+)'", why)
                if found:
                    missing.add("key " + found.group(1))
                found = re.search(
                    r"Class\[([\w:]+)\]: expects a value for parameter '(\w+)'", root.error
                )
                if found:
                    missing.add(f"key {found.group(1).lower()}::{found.group(2)}")
                found = re.search(r"Could not find resource '([A-Z][\w:]*\[[^\]]*\])'", why)
                if found:
                    missing.add("resource " + found.group(1))
        new = sorted(m for m in missing if m not in stubbed)
        if not new:
            break
        refs = [n.removeprefix("resource ") for n in [*stubbed, *new] if n.startswith("resource ")]
        write_missing(work, refs)
        stubbed.extend(n for n in new if n.startswith("resource "))
        new = [n for n in new if not n.startswith("resource ")]
        stub_keys(work, [n.removeprefix("key ") for n in new if n.startswith("key ")])
        new_ = [n for n in new if not n.startswith("key ")]
        stubbed.extend(n for n in new if n.startswith("key "))
        new = new_
        write_stubs(work, [n for n in new if not n.startswith("class ")])
        write_classes(work, [n.removeprefix("class ") for n in new if n.startswith("class ")])
        stubbed.extend(new)
        todo = [r for r in todo if r.catalog is None]
    return stubbed


def write_classes(work: Path, names: list[str]) -> None:
    """An empty class for each class the tree names and nobody defines (a private module)."""
    with (work / "environments" / "production" / "manifests" / STUB_MANIFEST).open("a") as out:
        out.writelines(f"class {name} {{ }}\n" for name in names)


def write_stubs(work: Path, names: list[str]) -> None:
    stubs = work / "stubs" / "recallstub" / "lib" / "puppet" / "functions"
    for name in names:
        path = stubs / (name.replace("::", "/") + ".rb")
        if "::" in name:  # a namespaced function lives in its module's folder
            module, _, rest = name.partition("::")
            path = work / "stubs" / module / "lib" / "puppet" / "functions" / module
            path = path / (rest.replace("::", "/") + ".rb")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STUB_FUNCTION.format(name=name))


# ---------------------------------------------------------------------------------------------
def catalog_calls(root: Root, prepared: pipeline.Prepared, selector: Selector) -> list[Seen]:
    """What the catalog runs, read by driftlint's call-site readers (driftlint/fleet/)."""
    assert root.catalog is not None
    rows = expand_recursion(root.catalog.get("resources", []), prepared)
    host = selector.host(root.certname or "", rows)
    locator = Locator(prepared.tree.read, PathMap(prepared.tree.exists))
    cache: dict[int, sites.Declared] = {}
    located = [_declare(r, locator, cache) for r in host.resources]
    out: dict[tuple[str, tuple[str, ...]], Seen] = {}
    for invocation, resource in _with_resources(prepared, located, host.resources):
        if not invocation.is_call and invocation.command.text.startswith("/"):
            continue  # a path that is not the watched script's runs another file (static side)
        argv = (invocation.command.text, *(w.text for w in invocation.words))
        out.setdefault((invocation.script, argv), Seen(invocation.script, argv, resource))
    return list(out.values())


def expand_recursion(
    rows: list[dict[str, Any]], prepared: pipeline.Prepared
) -> list[dict[str, Any]]:
    """A folder a catalog copies with `recurse => true` from a module (`/root/bin` from
    `puppet:///modules/rootbin_asf/bin`) is expanded by the agent, not in the catalog: each
    file under it is added as the agent would install it."""
    out = []
    tree = Path(prepared.tree.root)
    for row in rows:
        out.append(row)
        params = row.get("parameters") or {}
        if row.get("type") != "File" or str(params.get("recurse")).lower() not in (
            "true",
            "remote",
        ):
            continue
        source = params.get("source")
        source = source[0] if isinstance(source, list) and source else source
        found = re.match(r"puppet:///modules/([^/]+)/(.+?)/?$", str(source or ""))
        if not found:
            continue
        module, folder = found.groups()
        base = next(
            (
                tree / r / module / "files" / folder
                for r in prepared.module_roots
                if (tree / r / module / "files" / folder).is_dir()
            ),
            None,
        )
        if base is None:
            continue
        dest = str(params.get("path") or row.get("title", "")).rstrip("/")
        kept = {k: v for k, v in params.items() if k not in ("recurse", "source", "path", "ensure")}
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = path.relative_to(base).as_posix()
                out.append({**row, "title": f"{dest}/{rel}", "parameters": {
                    **kept, "ensure": "file", "source": f"puppet:///modules/{module}/{folder}/{rel}"
                }})  # fmt: skip
    return out


def _with_resources(
    prepared: pipeline.Prepared, located: list[sites.Declared], resources: Iterable[Any]
) -> Iterable[tuple[Any, str]]:
    """Each call with the resource it comes from; files that name each other (a unit and
    the /etc/default file it reads) are read together, as driftlint reads a host's."""
    by_invocation = {}
    refs = {id(d): r.ref for d, r in zip(located, resources, strict=True)}
    for invocation in sites.invocations(prepared.extractor, located):
        by_invocation[invocation] = "?"
        for declared in located:
            if declared.span.path and any(
                s.path == declared.span.path and s.line == declared.span.line
                for s in invocation.via
            ):
                by_invocation[invocation] = refs[id(declared)]
                break
    return by_invocation.items()


def fits(ours: list[str], theirs: tuple[str, ...]) -> bool:
    """Does driftlint's argv (unknown characters stand for any text, a wholly unknown word for
    any words) fit the catalog's?"""

    def word(pattern: str, text: str) -> bool:
        regex = "".join(".*" if c == UNKNOWN else re.escape(c) for c in pattern)
        return re.fullmatch(regex, text, re.S) is not None

    def walk(i: int, j: int) -> bool:
        if i == len(ours):
            return j == len(theirs)
        if ours[i] and set(ours[i]) == {UNKNOWN}:
            return any(walk(i + 1, k) for k in range(j, len(theirs) + 1))
        return j < len(theirs) and word(ours[i], theirs[j]) and walk(i + 1, j + 1)

    return walk(0, 0)


def by_class(
    roots: list[Root], calls: list[dict[str, Any]], classes: dict[str, ast.ClassDef]
) -> list[dict[str, Any]]:
    """Give a call first declared in a class body (a role checked alone, or a node's replayed
    from the memo) to every compiled root whose catalog declares that class; the calls of
    no compiled root are returned."""
    spans = [(name, c.span) for name, c in classes.items()]
    left = []
    for call in calls:
        first = call["via"][0] if call["via"] else f"{call['path']}:{call['line']}"
        path, _, line = first.rpartition(":")
        owners = [n for n, s in spans if s.path == path and s.line <= int(line or 0) <= s.end_line]
        owner = min(
            owners, key=lambda n: classes[n].span.end_line - classes[n].span.line, default=""
        )
        taken = False
        for root in roots:
            declared = {str(c).lower() for c in (root.catalog or {}).get("classes", [])}
            if owner and owner.lower() in declared:
                root.static.append(call)
                taken = True
        if not taken:
            left.append(call)
    return left


def static_by_role(roots: list[Root], calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each static call to every root its `roles` name; the calls of none are returned."""
    by_label: dict[str, list[Root]] = {}
    for root in roots:
        for label in (root.role, *root.also):
            by_label.setdefault(label, []).append(root)
    left = []
    for call in calls:
        owners = list({id(o): o for r in call["roles"] for o in by_label.get(r, [])}.values())
        for root in owners:
            root.static.append(call)
        if not owners:
            left.append(call)
    return left


def static_of(roots: list[Root], calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each static call to the root whose node body holds its first declaration; the
    calls no node holds (a role or class checked alone, top-scope code) are returned."""
    spans = [(r, r.node.span) for r in roots if r.node is not None]
    alone = []
    for call in calls:
        first = call["via"][0] if call["via"] else f"{call['path']}:{call['line']}"
        path, _, line = first.rpartition(":")
        owner = [r for r, s in spans if s.path == path and s.line <= int(line or 0) <= s.end_line]
        if owner:
            owner[0].static.append(call)
        else:
            alone.append(call)
    return alone


@dataclass(slots=True)
class Tally:
    catalog_calls: int = 0
    recalled: int = 0
    static_sites: int = 0
    held: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)


def compare(root: Root, tally: Tally) -> None:
    sites_: dict[tuple[str, str, int, int], list[list[str]]] = {}
    for call in root.static:
        key = (call["script"], call["path"], call["line"], call["column"])
        sites_.setdefault(key, []).append(call["argv"])
    for seen in root.calls:
        tally.catalog_calls += 1
        mine = [a for (s, *_), alts in sites_.items() if s == seen.script for a in alts]
        if any(fits(a, seen.argv) for a in mine):
            tally.recalled += 1
            continue
        why = (
            f"driftlint has {len(mine)} other argv of {seen.script} here: "
            + "; ".join(" ".join(a).replace(UNKNOWN, "…") for a in mine[:3])
            if mine
            else f"driftlint has no call of {seen.script} at this root"
        )
        tally.misses.append(
            f"  miss {root.label} ({root.certname}): {seen.resource}: {' '.join(seen.argv)}\n"
            f"       {why}"
        )
    for (script, path, line, _), alts in sorted(sites_.items()):
        tally.static_sites += 1
        theirs = [s.argv for s in root.calls if s.script == script]
        if any(fits(a, t) for a in alts for t in theirs):
            tally.held += 1
            continue
        why = (
            "the catalog runs " + "; ".join(" ".join(t) for t in theirs[:3])
            if theirs
            else f"the catalog runs no {script}"
        )
        shown = "; ".join(" ".join(a).replace(UNKNOWN, "…") for a in alts[:3])
        tally.extras.append(f"  extra {root.label}: {path}:{line}: {shown}\n        {why}")


def _share(part: int, whole: int) -> str:
    """A percentage, or `-%` when there is nothing to count (no root compiled, no call)."""
    return f"{100.0 * part / whole:.1f}%" if whole else "-%"


def static_calls(tree: Path, given: Path | None) -> list[dict[str, Any]]:
    if given is not None:
        return list(json.loads(given.read_text())["calls"])
    done = subprocess.run(
        [sys.executable, "-m", "driftlint", "calls", "--format", "json", "--path", str(tree)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return list(json.loads(done.stdout)["calls"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--work", type=Path, help="where environments and catalogs go")
    parser.add_argument("--calls", type=Path, help="`driftlint calls --format json` output")
    parser.add_argument("--import-alias", action="append", default=[], metavar="A=B")
    parser.add_argument("--facts", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--facts-for", action="append", default=[], metavar="REGEX:KEY=VALUE",
        help="a fact of the nodes whose name the regex finds (their OS, say)",
    )  # fmt: skip
    parser.add_argument("--max-roots", type=int, default=0, help="compile at most N roots")
    parser.add_argument(
        "--stub", action="append", default=[], metavar="FUNCTION",
        help="replace a function of the tree by one returning undef (a 3.x function that "
        "calls hiera(), which Puppet 7 refuses)",
    )  # fmt: skip
    parser.add_argument(
        "--roots", choices=("driftlint", "nodes"), default="driftlint",
        help="the roots `driftlint calls` names (node definitions, role classes, Hiera nodes "
        "and roles), or every node definition",
    )  # fmt: skip
    parser.add_argument(
        "--modern", action="store_true",
        help="the tree is Puppet 4+ code: no Puppet 3 rewrites",
    )  # fmt: skip
    parser.add_argument(
        "--hiera", metavar="FILE",
        help="the tree's file the server reads as hiera.yaml (a v5 config deployed by a class)",
    )  # fmt: skip
    parser.add_argument(
        "--skip-module", action="append", default=[], metavar="NAME",
        help="leave out an installed Forge module (the tree pins an older API of it): stubbed",
    )  # fmt: skip
    parser.add_argument("--timeout", type=int, default=300, help="seconds per root")
    parser.add_argument("--jobs", type=int, default=2, help="compiles at once")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    if shutil.which("puppet") is None:
        parser.error("puppet is not installed")
    work = args.work or Path(tempfile.mkdtemp(prefix="recall-"))
    work.mkdir(parents=True, exist_ok=True)
    aliases = dict(a.split("=", 1) for a in args.import_alias)
    facts = dict(f.split("=", 1) for f in args.facts)

    config, _ = load_config(tree, None, known_codes=frozenset(checks.CHECKS))
    files, unreadable = discover_sources(tree, config.exclude, config.max_file_size)
    prepared = pipeline.prepare(tree, config, [], files, unreadable, None)
    calls = static_calls(tree, args.calls)
    by_role = args.roots == "driftlint"
    if by_role:
        roots = driftlint_roots(prepared, calls, config.role_prefix, facts)
    else:
        roots = roots_of(prepared.index.nodes)
    total = len(roots)
    if args.max_roots and len(roots) > args.max_roots:  # evenly spaced: the same every run
        step = len(roots) / args.max_roots
        roots = [roots[int(i * step)] for i in range(args.max_roots)]
    alone = static_by_role(roots, calls) if by_role else static_of(roots, calls)

    levels = prepared.hiera.global_layer.levels if prepared.hiera.global_layer else ()
    if (work / "stubs").exists():  # stubs are made anew each run, from this tree
        shutil.rmtree(work / "stubs")
    system_modules(work, args.skip_module)
    env = environment(tree, work, aliases, args.stub, not args.modern, levels, args.hiera)
    if by_role:
        # the last file of the main manifest folder: after the tree's top scope
        with (env / "manifests" / "zzzz_driftlint_recall.pp").open("a") as site:
            site.write("\n# driftlint recall: a node per class root\n" + class_nodes(roots))
    made = missing_definitions(prepared, work, env)
    main = (env / "manifests" / "site.pp").read_text()
    loaded = set(re.findall(r"(?m)^# driftlint recall: from (\S+)$", main)) | {"manifests/site.pp"}
    elsewhere = [r for r in roots if r.node is not None and r.node.span.path not in loaded]
    roots = [r for r in roots if r.node is None or r.node.span.path in loaded]
    (work / "conf").mkdir(exist_ok=True)
    (work / "conf" / "hiera.yaml").write_text("---\nversion: 5\nhierarchy: []\n")
    per_node: list[tuple[str, str, str]] = []
    for given in args.facts_for:
        pattern, _, pair = given.rpartition(":")
        key, _, value = pair.partition("=")
        per_node.append((pattern, key, value))
    stubbed = compile_roots(roots, work, facts, args.timeout, args.jobs, list(args.stub), per_node)

    tokens = tuple(sorted({n for w in prepared.extractor.watched for n in (*w.names, *w.paths)}))
    selector = Selector(
        Mentions(tokens), _reader(prepared), config.role_prefix, config.max_file_size,
        Interner(), tokens,
    )  # fmt: skip
    tally = Tally()
    compiled = [r for r in roots if r.catalog is not None]
    unplaced = alone if by_role else by_class(compiled, alone, prepared.index.classes)
    for root in compiled:
        root.calls = catalog_calls(root, prepared, selector)
        compare(root, tally)

    kind = "driftlint's roots with a call" if by_role else "node definitions"
    sampled = f" (a sample of {len(roots)} of {total})" if total > len(roots) else ""
    print(f"tree {tree.name}: {len(roots)} roots ({kind}){sampled}, {len(calls)} static calls "
          f"({len(unplaced)} of no root compiled here)")  # fmt: skip
    if made:
        print(f"stubbed definitions of modules the tree lacks ({len(made)}): {', '.join(made)}")
    if elsewhere:
        print(f"roots not in the main manifest as imported ({len(elsewhere)}, not counted): "
              + ", ".join(sorted({r.node.span.path for r in elsewhere if r.node})))  # fmt: skip
    if stubbed:
        print(f"stubs (functions return undef, classes are empty): {', '.join(stubbed)}")
    failed = [r for r in roots if r.catalog is None]
    if failed:
        print(f"roots that do not compile ({len(failed)}):")
        for root in failed:
            why = root.error.strip().splitlines()[0][:300] if root.error else "no name selects it"
            print(f"  {root.label} ({root.certname}): {why}")
    if tally.misses:
        print(f"catalog calls driftlint does not have ({len(tally.misses)}):")
        print("\n".join(tally.misses))
    if tally.extras:
        print(f"static call sites the catalog does not hold ({len(tally.extras)}):")
        print("\n".join(tally.extras))
    print(f"catalog calls {tally.catalog_calls}, recalled {tally.recalled}; static sites "
          f"{tally.static_sites}, held {tally.held}")  # fmt: skip
    print(
        f"recall {_share(tally.recalled, tally.catalog_calls)} "
        f"precision {_share(tally.held, tally.static_sites)} "
        f"({len(compiled)} of {len(roots)} roots compiled)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
