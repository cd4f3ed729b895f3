"""Roots from Hiera data when `site.pp` includes a class list (issue 25).

Every data file that makes a node differ defines a root:
- a level keyed by the node (`nodes/%{trusted.certname}.yaml`, `%{::fqdn}`, `%{::hostname}`,
  `%{clientcert}`): one root per data file, `node:<name>`, evaluated with the host facts set
  from the file's name;
- a level keyed by a variable that node data sets (`role: db` and `roles/%{::role}.yaml`): the
  node's root takes that file; a file of that level no node names is a root of its own,
  `hiera:<file>`, with the variable set from its name;
- a level keyed by a fact nobody sets (`roles/%{::noderole}`, `%{::osfamily}`): its files stay
  undecided for every other root (a value from any of them is an alternative), and a file
  there that sets the class list is a root of its own, `hiera:<file>`, since the classes it
  adds are reached only through it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftlint import reads
from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.resolve.classify import ClassList
from driftlint.resolve.facts import HOST_FACTS, NO_HOST, role_facts
from driftlint.resolve.hiera import Hiera, HieraValue, top_level_keys
from driftlint.resolve.hiera_config import Level
from driftlint.resolve.hiera_interp import fact_names
from driftlint.resolve.hiera_undecided import MARK
from driftlint.resolve.scope import class_name

# Facts (as `fact_names` spells them) that name one host: a level keyed by one of them holds
# one file per node.
NODE_FACTS = frozenset(
    {
        "trusted.certname",
        "certname",
        "clientcert",
        "fqdn",
        "hostname",
        "networking.fqdn",
        "networking.hostname",
        "trusted.hostname",
    }
)
_SHORT_FACTS = frozenset({"hostname", "networking.hostname", "trusted.hostname"})
_INTERPOLATION = re.compile(r"%\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class HieraRoot:
    """A node or a role as the tree's Hiera data classifies it."""

    label: str  # "node:db1.example.org" or "hiera:<data file>"
    path: str  # the data file that defines it
    facts: tuple[tuple[str, str], ...]  # sorted

    def fact_dict(self) -> dict[str, str]:
        return dict(self.facts)

    def variables(self) -> list[tuple[str, str]]:
        """The facts known for this root as top-scope variables (`$::osfamily`): plain names
        with a value, not the placeholders that keep host data out of a role."""
        return [
            (k, v)
            for k, v in self.facts
            if v and "." not in k and not k.startswith("_") and v != NO_HOST
        ]


def host_facts(name: str, short: bool) -> dict[str, str]:
    """The facts of the host a node data file is named for; `short`: the name is a hostname."""
    facts = {key: name for key in HOST_FACTS}
    facts[MARK] = "yes"
    facts.update({"certname": name, "trusted.certname": name, "clientcert": name})
    host, _, domain = name.partition(".")
    if short:
        host, domain = name, ""
    for key in ("hostname", "facts.hostname", "networking.hostname", "trusted.hostname"):
        facts[key] = host
    if domain:
        for key in ("domain", "networking.domain", "trusted.domain"):
            facts[key] = domain
    return facts


def _variables(template: str) -> list[str]:
    return [fact_names(m.group(1))[0] for m in _INTERPOLATION.finditer(template)]


def _regex(datadir: str, template: str) -> re.Pattern[str]:
    """A regex over tree paths matching the files of a level, one group per variable."""
    out: list[str] = []
    pos = 0
    seen: dict[str, str] = {}
    for match in _INTERPOLATION.finditer(template):
        out.append(re.escape(template[pos : match.start()]))
        name = fact_names(match.group(1))[0]
        if name in seen:
            out.append(f"(?P={seen[name]})")
        else:
            seen[name] = f"v{len(seen)}"
            out.append(f"(?P<{seen[name]}>[^/]+)")
        pos = match.end()
    out.append(re.escape(template[pos:]))
    prefix = re.escape(datadir + "/") if datadir else ""
    return re.compile(prefix + "".join(out))


def _bindings(
    level: Level, template: str, files: Sequence[str]
) -> list[tuple[str, dict[str, str]]]:
    """Each file of a level with the value of each variable its name gives."""
    regex = _regex(level.datadir, template)
    names = list(dict.fromkeys(_variables(template)))
    out = []
    for path in files:
        found = regex.fullmatch(path)
        if found is not None:
            out.append((path, {n: found.group(f"v{i}") for i, n in enumerate(names)}))
    return out


def _setting(facts: dict[str, str], bound: dict[str, str]) -> dict[str, str]:
    out = dict(facts)
    for name, value in bound.items():
        out[name] = value
        out[f"facts.{name}"] = value
    return out


def discover(
    hiera: Hiera | None,
    lists: Sequence[ClassList],
    read: Callable[[str], str | None],
) -> list[HieraRoot]:
    """The roots the tree's Hiera data defines for its class-list statements, by label."""
    if hiera is None or not lists or not hiera.levels:
        return []
    keys = {c.key for c in lists}

    def sets_key(path: str) -> bool:
        text = read(path)
        if text is None:
            return False
        found = top_level_keys(text)
        return bool(keys & found) if found is not None else any(k in text for k in keys)

    data = list(hiera.data_files())
    nodes: dict[str, dict[str, str]] = {}  # label -> facts
    node_paths: dict[str, str] = {}
    others: list[tuple[Level, str, list[str]]] = []  # levels keyed by other variables
    fixed: list[str] = []
    for level in hiera.levels:
        if level.kind != "path":
            continue
        for template in level.paths:
            variables = _variables(template)
            if not variables:
                path = posixpath.normpath(posixpath.join(level.datadir, template))
                if path in data:
                    fixed.append(path)
            elif all(v in NODE_FACTS for v in variables):
                short = all(v in _SHORT_FACTS for v in variables)
                for path, bound in _bindings(level, template, data):
                    name = next(iter(bound.values()))
                    label = f"node:{name}"
                    if label not in nodes:
                        nodes[label] = host_facts(name, short)
                        node_paths[label] = path
            else:
                others.append((level, template, variables))
    # Variables node data sets (`role: db`): each node takes its value; a node without one
    # reads no file at that level, as Puppet interpolates an unset variable to "".
    decided: set[str] = set()
    for _level, _template, variables in others:
        for name in variables:
            if any(_set_by(hiera, name, facts) for facts in nodes.values()):
                decided.add(name)
    for label, facts in nodes.items():
        for name in decided:
            value = _set_by(hiera, name, facts) or ""
            nodes[label] = facts = _setting(facts, {name: value})
    roots = [
        HieraRoot(label, node_paths[label], tuple(sorted(facts.items())))
        for label, facts in sorted(nodes.items())
    ]
    named = {(name, facts.get(name, "")) for facts in nodes.values() for name in decided}
    seen: set[str] = set()
    for level, template, variables in others:
        for path, bound in _bindings(level, template, data):
            if path in seen:
                continue
            if all(v in decided for v in variables):
                if set(bound.items()) <= named:
                    continue  # a node takes it
            elif not sets_key(path):
                continue  # platform data: an undecided alternative for every root
            seen.add(path)
            facts = _setting(role_facts(None) | {MARK: "yes"}, bound)
            for name in decided - set(bound):
                facts = _setting(facts, {name: ""})
            roots.append(HieraRoot(f"hiera:{path}", path, tuple(sorted(facts.items()))))
    if not roots:
        # No node or role data: the levels every host reads are the one root.
        holder = next((p for p in fixed if sets_key(p)), None)
        if holder is not None:
            facts = role_facts(None) | {MARK: "yes"}
            roots.append(HieraRoot(f"hiera:{holder}", holder, tuple(sorted(facts.items()))))
    return roots


def _set_by(hiera: Hiera, name: str, facts: dict[str, str]) -> str | None:
    """The value node data gives a variable for these facts (a level that surely applies)."""
    for found in hiera.lookup(name, facts):
        if found.certain and isinstance(found.value, LText) and not found.value.dynamic:
            return found.value.text or None
    return None


def class_list(
    hiera: Hiera, spec: ClassList, facts: dict[str, str]
) -> list[tuple[str, Span | None]]:
    """The classes a class-list statement declares for a root's facts, with where each is
    written: values of levels that surely apply (merged, or the first found), minus the
    excluded keys' classes. Values of undecided levels are not taken: their files are roots
    of their own."""
    for key in (spec.key, *spec.excludes):
        reads.note_key(key)  # a change to the list re-evaluates the root (incremental.py)
    merge = spec.merge or _merged_by_options(hiera, spec.key, facts)
    found = _values(hiera, spec.key, merge, facts)
    dropped = {name for key in spec.excludes for name, _ in _values(hiera, key, True, facts)}
    out: dict[str, Span | None] = {}
    for name, span in found:
        if name not in dropped and name not in out:
            out[name] = span
    return list(out.items())


def _merged_by_options(hiera: Hiera, key: str, facts: dict[str, str]) -> bool:
    """Whether the data's `lookup_options` make a plain lookup of `key` merge
    (`lookup_options: {classes: {merge: unique}}`, Puppet 5's way to keep `lookup('classes')`)."""
    reads.note_key("lookup_options")
    for found in hiera.lookup_merged("lookup_options", facts):
        options = found.value.get(key) if isinstance(found.value, dict) else None
        merge = options.get("merge") if isinstance(options, dict) else None
        if isinstance(merge, dict):
            merge = merge.get("strategy")
        if isinstance(merge, LText):
            return merge.text in ("unique", "deep", "hash")
    return False


def _values(
    hiera: Hiera, key: str, merge: bool, facts: dict[str, str]
) -> list[tuple[str, Span | None]]:
    values: list[HieraValue]
    if merge:
        values = [v for v in hiera.lookup_merged(key, facts) if v.certain]
    else:
        values = [v for v in hiera.lookup(key, facts) if v.certain][:1]
    out: list[tuple[str, Span | None]] = []
    for value in values:
        for item in _flat(value.value):
            if isinstance(item, LText) and not item.dynamic and item.text.strip():
                out.append((class_name(item.text), item.span()))
    return out


def _flat(value: object) -> list[object]:
    if isinstance(value, tuple):
        return [x for item in value for x in _flat(item)]
    return [value]
