"""Check the commands the fleet really runs against the interfaces of the tree's scripts.

Hosts whose catalogs keep the same resources are checked once, together. Each finding names
its hosts as roles `host:CERTNAME`; one that a static finding already reports (the same code,
script and argument, reached through the same command) adds its hosts to that finding instead
of being reported twice. With a base revision, only what the change breaks is kept: findings
of hosts whose same call already failed against the interfaces at the base.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from driftlint import checks, pipeline, safe_re, suppress
from driftlint.checks.run import check_calls
from driftlint.config.load import Config
from driftlint.discover import discover_sources
from driftlint.fleet import sites
from driftlint.fleet.catalogs import CatalogError, Host, Interner, Resource, Selector
from driftlint.fleet.locate import Locator, PathMap
from driftlint.interfaces import history
from driftlint.ltext import LText
from driftlint.model import Call, Finding, Invocation, Result, Span
from driftlint.parse.puppet import ast
from driftlint.resolve.relevance import Mentions
from driftlint.values import Value

HOST = "host:"  # the role label of a host: `host:tmh1001.eqiad.wmnet`
Load = Callable[[Selector], tuple[list[Host], list[str]]]


@dataclass(slots=True)
class Fleet:
    """What a fleet check adds to a result."""

    result: Result
    notes: list[str] = field(default_factory=list)


def check_fleet(
    root: Path,
    config: Config,
    result: Result,
    load: Load,
    *,
    base: str | None = None,
    cache_dir: Path | None = None,
) -> Fleet:
    """Add the fleet's findings to a static result. `load` reads the hosts' catalogs, with
    the errors of those it could not read; it raises `CatalogError` when it can read none
    (PuppetDB down): a setup error, and the static findings are still reported."""
    tree = _prepare(root, config, cache_dir)
    interner = Interner()
    tokens = tuple(sorted({n for w in tree.extractor.watched for n in (*w.names, *w.paths)}))
    selector = Selector(
        Mentions(tokens), _reader(tree), config.role_prefix, config.max_file_size, interner, tokens
    )
    try:
        hosts, errors = load(selector)
    except CatalogError as error:
        return Fleet(replace(result, setup_errors=(*result.setup_errors, str(error))))
    result = replace(result, setup_errors=(*result.setup_errors, *errors))
    notes: list[str] = []
    stale = _unknown_hosts(hosts, tree.index.nodes)
    if stale:
        names = _names(HOST + h.certname for h in stale)
        notes.append(
            f"not checked: the catalogs of {len(stale)} host(s) that no node definition of the "
            f"tree matches any more ({names})"
        )
        hosts = [h for h in hosts if h not in stale]
    findings, calls = _findings(root, tree, hosts)
    if base is not None:
        before = _at_base(root, base, config, hosts)
        if before is None:
            notes.append(f"--base {base}: the fleet's findings are not compared to the base")
        else:
            findings = _introduced(findings, before)
    findings = _select(findings, tree, config)
    static = list(result.findings)
    merged = _merge(static, findings, hosts, still=base is not None)
    return Fleet(
        replace(
            result,
            findings=tuple(sorted(set(merged))),
            calls_checked=result.calls_checked + calls,
        ),
        notes,
    )


def _prepare(root: Path, config: Config, cache_dir: Path | None) -> pipeline.Prepared:
    files, unreadable = discover_sources(root, config.exclude, config.max_file_size)
    return pipeline.prepare(root, config, [], files, unreadable, cache_dir)


def _reader(tree: pipeline.Prepared) -> Callable[[str], str | None]:
    def read(ref: str) -> str | None:
        found = tree.extractor.read_static(ref)
        return found[0].text if found else None

    return read


# --- hosts the tree no longer has ---------------------------------------------------------
def _unknown_hosts(hosts: list[Host], nodes: Iterable[ast.NodeDef]) -> list[Host]:
    """Hosts no node definition matches, when the tree defines nodes and no `default`: their
    next run compiles no catalog from this tree. A tree without node definitions (an ENC
    classifies the hosts) knows every host."""
    names: set[str] = set()
    patterns: list[safe_re.Pattern] = []
    for node in nodes:
        for match in node.matches:
            if isinstance(match, ast.Default):
                return []
            if isinstance(match, ast.Str):
                names.add("".join(p.value.text for p in match.parts if isinstance(p, ast.Lit)))
            elif isinstance(match, ast.Name):
                names.add(match.text)
            elif isinstance(match, ast.Regex):
                found = safe_re.compile(match.pattern)
                if found is None:
                    return []  # a Ruby pattern Python cannot read: assume it matches
                patterns.append(found)
    if not names and not patterns:
        return []
    lowered = {n.lower() for n in names}
    return [
        h
        for h in hosts
        # A match past safe_re's bound (None) may match: such a host is not reported.
        if h.certname.lower() not in lowered
        and not any(p.search(h.certname) is not False for p in patterns)
    ]


# --- calls and findings -------------------------------------------------------------------
def _findings(root: Path, tree: pipeline.Prepared, hosts: list[Host]) -> tuple[list[Finding], int]:
    locator = Locator(tree.tree.read, PathMap(tree.tree.exists))
    groups: dict[tuple[Resource, ...], list[Host]] = {}
    for host in hosts:
        groups.setdefault(host.resources, []).append(host)
    declared: dict[int, sites.Declared] = {}
    roles: dict[Invocation, set[str]] = {}
    for resources, members in groups.items():
        located = [_declare(r, locator, declared) for r in resources]
        for invocation in sites.invocations(tree.extractor, located):
            if not invocation.is_call and invocation.command.text.startswith("/"):
                continue  # a path that is not the watched script's: runs another file
            roles.setdefault(invocation, set()).update(HOST + h.certname for h in members)
    sites.bind_remote(roles)
    calls = [Call(inv, tuple(sorted(labels))) for inv, labels in roles.items()]
    found = check_calls(calls, tree.specs, root)
    sources = {i.script: i.source for pairs in tree.specs.values() for _, i in pairs}
    out = [_placed(f, locator, sources.get(f.script)) for f in found]
    out += _oversized(hosts, locator)
    return [f for f in out if f is not None], len(calls)


def _declare(
    resource: Resource, locator: Locator, cache: dict[int, sites.Declared]
) -> sites.Declared:
    found = cache.get(id(resource))
    if found is not None:
        return found
    attrs: dict[str, Value] = {}
    for name, value in resource.params:
        attrs[name] = _value(resource, name, value, locator)
    line = max(resource.line, 1)
    where = locator.paths(resource.file) if resource.file else None
    span = Span(where or "", line, 1, line, 1)
    kind = resource.type.lower()
    found = sites.declared(kind, LText.plain(resource.title), attrs, span)
    cache[id(resource)] = found
    return found


def _value(resource: Resource, name: str, value: object, locator: Locator) -> Value:
    if isinstance(value, tuple):
        return tuple(_value(resource, name, v, locator) for v in value)
    text = str(value)
    if name in ("path", "source"):
        return LText.plain(text)
    return locator.value(resource, name, text)


def _placed(finding: Finding, locator: Locator, fallback: Span | None) -> Finding | None:
    """Move a finding out of stand-in files, to its resource's line in the tree (or, when
    the resource's manifest is not in the tree, to the script's interface)."""
    stand_in = locator.stand_in(finding.span)
    span = locator.place(finding.span) or fallback
    if span is None:
        return None
    via = tuple(s for v in finding.via if (s := locator.place(v)) is not None and s.path)
    message = finding.message
    if stand_in is not None:
        resource = stand_in.resource
        what = "the content of " if stand_in.attr == "content" else f"`{stand_in.attr}` of "
        message += f" (in {what}{resource.ref}, line {finding.span.line})"
    return replace(finding, span=span, via=tuple(dict.fromkeys(via)), message=message)


def _oversized(hosts: list[Host], locator: Locator) -> list[Finding]:
    by_resource: dict[Resource, set[str]] = {}
    for host in hosts:
        for resource in host.oversized:
            by_resource.setdefault(resource, set()).add(HOST + host.certname)
    out = []
    for resource, labels in by_resource.items():
        path = locator.paths(resource.file) if resource.file else None
        if path is None:
            continue
        line = max(resource.line, 1)
        span = Span(path, line, 1, line, 1)
        out.append(
            Finding(
                span,
                "unreadable-file",
                f"the content of {resource.ref} is larger than the size limit; not read",
                argument=resource.title,
                roles=tuple(sorted(labels)),
                severity="warning",
            )
        )
    return out


# --- --base -------------------------------------------------------------------------------
Seen = dict[str, set[tuple[str, str, str]]]  # host label -> (code, script, argument)


def _at_base(root: Path, base: str, config: Config, hosts: list[Host]) -> Seen | None:
    """What the same hosts' calls break against the tree at base, per host."""
    if history.git_root(root) is None:
        return None
    with tempfile.TemporaryDirectory(prefix="driftlint-fleet-base-") as tmp:
        dest = Path(tmp) / "tree"
        if not history.tree_at(root, base, dest):
            return None
        tree = _prepare(dest, config, None)
        found, _ = _findings(dest, tree, hosts)
    seen: Seen = {}
    for finding in found:
        for label in finding.roles:
            seen.setdefault(label, set()).add((finding.code, finding.script, finding.argument))
    return seen


def _introduced(findings: list[Finding], before: Seen) -> list[Finding]:
    out = []
    for finding in findings:
        key = (finding.code, finding.script, finding.argument)
        new = tuple(r for r in finding.roles if key not in before.get(r, set()))
        if new:
            out.append(replace(finding, roles=new))
    return out


# --- merging with the static findings -----------------------------------------------------
def _select(findings: list[Finding], tree: pipeline.Prepared, config: Config) -> list[Finding]:
    kept = pipeline.select_findings(findings, config)
    done = suppress.apply_suppressions(
        kept, tree.tree.read, config.select, known_codes=frozenset(checks.CHECKS)
    )
    # The static run reported the suppressions themselves; only what they hide matters here.
    return [f for f in done if f.code not in ("invalid-suppression", "unused-suppression")]


def _merge(
    static: list[Finding], fleet: list[Finding], hosts: list[Host], still: bool
) -> list[Finding]:
    classes = {HOST + h.certname: h.classes for h in hosts}
    added: dict[int, set[str]] = {}
    alone: dict[Finding, set[str]] = {}
    for finding in fleet:
        labels = {r for r in finding.roles if r.startswith(HOST)}
        places = {finding.span.where, *(v.where for v in finding.via)}
        candidates = [
            i
            for i, s in enumerate(static)
            if s.code == finding.code
            and s.script == finding.script
            and s.argument == finding.argument
            and places & {s.span.where, *(v.where for v in s.via)}
        ]
        if candidates:
            roles_of = {c for label in labels for c in classes.get(label, ())}
            preferred = [i for i in candidates if roles_of & set(static[i].roles)] or candidates
            added.setdefault(preferred[0], set()).update(labels)
        else:
            alone.setdefault(finding, set()).update(labels)
    verb = "still run" if still else "run"
    out = [
        replace(
            s,
            roles=tuple(sorted({*s.roles, *added[i]})),
            message=f"{s.message}; {_names(added[i])} {verb} it",
        )
        if i in added
        else s
        for i, s in enumerate(static)
    ]
    out += [
        replace(f, message=f"{f.message}; {_names(labels)} {verb} it")
        for f, labels in alone.items()
    ]
    return out


def _names(labels: Iterable[str]) -> str:
    names = sorted(label.removeprefix(HOST) for label in labels)
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{', '.join(names[:2])} and {len(names) - 2} more hosts"
