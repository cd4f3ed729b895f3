"""Wire the stages together: discover, parse, watch, resolve per role, bind, check. Never prints."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from driftlint import checks, history, spec, suppress
from driftlint.argv import bind_argv
from driftlint.cache import Cache, parse_all
from driftlint.config import Config
from driftlint.discover import (
    SourceFile,
    compile_excludes,
    detect_module_roots,
    discover_sources,
    excluded,
    is_inside,
    kind_of,
    module_file,
    read_source,
)
from driftlint.errors import SetupError
from driftlint.extract import Extractor
from driftlint.ltext import LText
from driftlint.model import Call, CheckContext, Finding, Interface, Invocation, Result, Span
from driftlint.parse import erb, wrappers
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve import relevance as relevant
from driftlint.resolve.evaluate import Alts, Evaluator, FrameScope
from driftlint.resolve.hiera import Hiera, HieraValue
from driftlint.resolve.scope import Index, node_label
from driftlint.values import Unknown
from driftlint.watch import is_script, static_installs, watched_scripts


@dataclass(slots=True)
class Tree:
    """Reads files of one tree, once each, never outside it."""

    root: Path
    max_file_size: int
    findings: list[Finding] = field(default_factory=list)
    _texts: dict[str, str | None] = field(default_factory=dict)

    def read(self, path: str) -> str | None:
        if path not in self._texts:
            if not is_inside(self.root, path) or not os.path.lexists(self.root / path):
                # A file the tree does not have (a guessed config, a template of another
                # module root) is not a problem with the tree.
                self._texts[path] = None
                return None
            text, problem = read_source(self.root, path, self.max_file_size)
            # Manifests, templates and Hiera data must be read; a binary under files/
            # (an image, a keystore) is just not a script, so it is no finding.
            if problem is not None and kind_of(path) != "other":
                self.findings.append(problem)
            self._texts[path] = text
        return self._texts[path]

    def exists(self, path: str) -> bool:
        return self.read(path) is not None


def run(
    root: Path,
    config: Config,
    setup: Iterable[SetupError] = (),
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> Result:
    """Check the tree at root. `cache_dir` None parses everything afresh."""
    tree = Tree(root, config.max_file_size)
    setup_errors = [str(e) for e in setup]
    files, unreadable = discover_sources(root, config.exclude, config.max_file_size)
    findings: list[Finding] = list(unreadable)
    module_roots = detect_module_roots(root)

    manifests = _parse_manifests(
        tree,
        [f for f in files if f.kind == "manifest"],
        findings,
        Cache(cache_dir, "manifests"),
        jobs or os.cpu_count() or 1,
    )
    index = Index()
    for manifest in manifests:
        index.add(manifest)

    interfaces = _interfaces(tree, config, manifests, module_roots, setup_errors, findings)
    installs = static_installs(manifests, module_roots, tree.exists)
    for install in installs:
        if install.spec_path not in interfaces:
            text = tree.read(install.spec_path)
            name = posixpath.basename(install.dest or install.spec_path)
            found = (
                spec.read_interface(install.spec_path, text, name, tree.read)
                if text and is_script(install.dest, install.spec_path, text)
                else None
            )
            interfaces[install.spec_path] = found
            if found is not None:
                findings.extend(found.errors)
    watched = watched_scripts(config.scripts, installs, interfaces)
    specs: dict[str, list[tuple[str, Interface]]] = {}
    for w in watched:
        found = interfaces.get(w.spec_path)
        if found is not None:
            specs.setdefault(w.name, []).append((w.spec_path, replace(found, script=w.name)))

    hiera = _load_hiera(tree, files, module_roots)
    table = _wrappers(config, root, setup_errors)
    extractor = Extractor(watched, table, lambda ref: _static(tree, ref, module_roots))
    missing: list[Finding] = []
    calls = _resolve_calls(index, config, extractor, hiera, tree, module_roots, missing)
    findings.extend(missing)

    findings.extend(hiera.errors)  # after the lookups, which parse the data files they read
    findings.extend(_check_calls(calls, specs, root))
    findings = _select(findings, config)
    findings = list(
        suppress.apply_suppressions(
            findings,
            tree.read,
            config.select,
            known_codes=frozenset(checks.CHECKS),
            paths=[f.path for f in files if f.kind != "other"],
        )
    )
    # Files that could not be read (found while reading, suppressions included) hold no
    # suppression comments that driftlint could honour.
    findings.extend(tree.findings)
    findings = _select(findings, config)
    return Result(
        root=str(root),
        findings=tuple(sorted(set(findings))),
        setup_errors=tuple(setup_errors),
        files_checked=len(files),
        calls_checked=len(calls),
        interfaces=tuple(i for pairs in specs.values() for _, i in pairs),
        calls=tuple(calls),
    )


def _parse_manifests(
    tree: Tree, files: list[SourceFile], findings: list[Finding], cache: Cache, jobs: int
) -> list[ast.Manifest]:
    items = [(f.path, text) for f in files if (text := tree.read(f.path)) is not None]
    manifests: list[ast.Manifest] = parse_all(items, parse_manifest, cache, jobs)
    for manifest in manifests:
        # The first syntax error is the root cause; what recovery trips on after it is noise.
        findings.extend(manifest.errors[:1])
    return manifests


def _interfaces(
    tree: Tree,
    config: Config,
    manifests: list[ast.Manifest],
    module_roots: tuple[str, ...],
    setup_errors: list[str],
    findings: list[Finding],
) -> dict[str, Interface | None]:
    out: dict[str, Interface | None] = {}
    for rule in config.scripts:
        text = tree.read(rule.interface)
        where = f"{rule.span}: " if rule.span else ""
        if text is None:
            setup_errors.append(
                f"{where}usage spec `{rule.interface}` of {rule.name} cannot be read"
            )
            out[rule.interface] = None
            continue
        found = spec.read_interface(rule.interface, text, rule.name, tree.read)
        if found is None:
            setup_errors.append(
                f"{where}`{rule.interface}` declares no interface for {rule.name}"
                " (no usage text, parser code or interface spec found)"
            )
        else:
            findings.extend(found.errors)
        out[rule.interface] = found
    return out


# Where a tree keeps its global Hiera config: the environment's hiera.yaml, else a copy kept
# for tests (Wikimedia's rake_modules/hiera.yaml points its datadir at hieradata/).
HIERA_CONFIGS = ("hiera.yaml", "hiera/hiera.yaml", "rake_modules/hiera.yaml")


@dataclass(slots=True)
class HieraLayers:
    """The global layer, then each module's own layer for that module's keys (Hiera 5)."""

    global_layer: Hiera | None
    modules: dict[str, Hiera]

    def lookup(self, key: str, facts: dict[str, str]) -> list[HieraValue]:
        found: list[HieraValue] = []
        if self.global_layer is not None:
            found.extend(self.global_layer.lookup(key, facts))
        module = self.modules.get(key.split("::", 1)[0]) if "::" in key else None
        if module is not None and not any(h.certain for h in found):
            found.extend(module.lookup(key, facts))
        return found

    def data_files(self) -> list[str]:
        layers = [self.global_layer, *self.modules.values()]
        return [p for layer in layers if layer is not None for p in layer.data_files()]

    @property
    def errors(self) -> list[Finding]:
        layers = [self.global_layer, *self.modules.values()]
        return [e for layer in layers if layer is not None for e in layer.errors]


def _load_hiera(
    tree: Tree, files: tuple[SourceFile, ...], module_roots: tuple[str, ...]
) -> HieraLayers:
    paths = [f.path for f in files]

    def list_files(pattern: str) -> list[str]:
        # Only files discovery found: a glob never follows a link out of the tree.
        regex = re.compile(_glob_regex(pattern))
        return [p for p in paths if regex.fullmatch(p)]

    config = next((c for c in HIERA_CONFIGS if tree.exists(c)), None)
    global_layer = Hiera.load(tree.read, list_files, config=config) if config else None
    modules: dict[str, Hiera] = {}
    for path in paths:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] in module_roots and parts[2] == "hiera.yaml":
            modules[parts[1]] = Hiera.load(tree.read, list_files, module=parts[1], config=path)
    return HieraLayers(global_layer, modules)


def _glob_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if char == "*":
            out.append(".*" if pattern.startswith("**", i) else "[^/]*")
            i += 2 if pattern.startswith("**", i) else 1
            continue
        out.append("[^/]" if char == "?" else re.escape(char))
        i += 1
    return "".join(out)


def _wrappers(config: Config, root: Path, setup_errors: list[str]) -> wrappers.WrapperTable:
    if not config.wrappers:
        return wrappers.default_wrappers()
    try:
        base = wrappers.default_wrappers()
        extra = wrappers.load_wrappers([root / p for p in config.wrappers])
        return wrappers.WrapperTable({**base.by_name, **extra.by_name})
    except ValueError as error:
        setup_errors.append(str(error))
        return wrappers.default_wrappers()


def _static(tree: Tree, ref: str, module_roots: tuple[str, ...]) -> LText | None:
    for root in module_roots:
        path = module_file("source", ref, root)
        if path is not None:
            text = tree.read(path)
            if text is not None:
                return LText.literal(text, path, 1, 1)
    return None


def _resolve_calls(
    index: Index,
    config: Config,
    extractor: Extractor,
    hiera: HieraLayers,
    tree: Tree,
    module_roots: tuple[str, ...],
    missing: list[Finding],
) -> list[Call]:
    """Evaluate every root (role class, node, then whatever no root reaches) and merge calls."""
    roles: dict[Invocation, set[str]] = {}
    reached: set[str] = set()
    # (invocation, role label, paths that root installs) for missing-script.
    seen_installs: list[tuple[Invocation, str, frozenset[str]]] = []
    installed_anywhere: set[str] = set()

    def template(kind: str, ref: str, scope: FrameScope, span: Span) -> Alts:
        for root in module_roots:
            path = module_file(kind, ref, root)
            text = tree.read(path) if path else None
            if path is None or text is None:
                continue
            if kind == "template":
                renderings, errors = erb.render_erb(text, path, scope, limit=config.max_expansions)
            else:
                return [LText.symbol(span, f"{kind}()")]
            tree.findings.extend(errors)
            return [r.text for r in renderings]
        return [LText.symbol(span, f"{kind}()")]

    lookups: dict[tuple[str, tuple[tuple[str, str], ...]], Alts | None] = {}

    def lookup(key: str, facts: dict[str, str]) -> Alts | None:
        memo = (key, tuple(sorted(facts.items())))
        if memo not in lookups:
            found = hiera.lookup(key, facts)
            lookups[memo] = [h.value for h in found] if found else None
        return lookups[memo]

    tokens = {n for w in extractor.watched for n in (*w.names, *w.paths)}
    hiera_texts = [t for p in hiera.data_files() if (t := tree.read(p)) is not None]
    relevance = relevant.compute(
        index,
        relevant.mentions(tokens),
        tree.read,
        lambda kind, ref: _module_path(kind, ref, module_roots, tree),
        hiera_texts,
    )
    prefix = config.role_prefix

    def evaluate(label: str | None, start: ast.Node | str, facts: dict[str, str]) -> None:
        evaluator = Evaluator(
            index,
            facts,
            template,
            lookup,
            config.max_expansions,
            max_depth=config.max_depth,
            prune=relevance,
        )
        evaluator.run(index.toplevel, evaluator.top, ())
        if isinstance(start, str):
            if start in index.defines:
                evaluator.declare_define(
                    start, Unknown(None, "$title"), {}, index.defines[start].span, ()
                )
            else:
                evaluator.declare_class(start, None, ())
        elif isinstance(start, ast.NodeDef):
            evaluator.run(start.body, evaluator.top, ())
            # A node is labelled by the roles it declares; a node without one by its name.
            declared = sorted(c for c in evaluator.classes if c.startswith(prefix))
            label = ", ".join(declared) if declared else label
        reached.update(evaluator.classes)
        reached.update(evaluator.defines_seen)
        installed = frozenset(extractor.installed_files(evaluator.resources, read=False))
        installed_anywhere.update(installed)
        for invocation in extractor.invocations(evaluator.resources):
            roles.setdefault(invocation, set())
            if label:
                roles[invocation].update(label.split(", "))
                for role in label.split(", "):
                    seen_installs.append((invocation, role, installed))

    for role in index.roles(prefix):
        if relevance(role):
            name = role.removeprefix(prefix)
            evaluate(role, role, _role_facts(name))
    host_hits = relevant.data_for(relevance, [(p, tree.read(p)) for p in hiera.data_files()])
    for node in index.nodes:
        if relevant.node_relevant(node, relevance, prefix, host_hits):
            evaluate(node_label(node), node, _node_facts(node))
    # Classes and defines no root reaches are checked with their defaults, outside any role.
    for name in sorted(relevance.relevant):
        if name not in reached:
            evaluate(None, name, _role_facts(None))
    missing.extend(_missing_scripts(seen_installs, installed_anywhere, extractor))
    return [Call(inv, tuple(sorted(r))) for inv, r in roles.items()]


def _missing_scripts(
    seen: list[tuple[Invocation, str, frozenset[str]]],
    installed_anywhere: set[str],
    extractor: Extractor,
) -> list[Finding]:
    """Calls by installed path that a role makes without installing the script."""
    by_place: dict[Span, tuple[Invocation, set[str]]] = {}
    for invocation, role, installed in seen:
        path = invocation.command.text
        watched = extractor.match(path)
        if not path.startswith("/") or watched is None or path not in watched.paths:
            continue
        if path in installed or path not in installed_anywhere:
            continue  # installed here, or by a package: nothing the tree can tell
        by_place.setdefault(invocation.command.span, (invocation, set()))[1].add(role)
    out = []
    for span, (invocation, found_roles) in by_place.items():
        names = ", ".join(sorted(found_roles))
        out.append(
            Finding(
                span,
                "missing-script",
                f"`{invocation.command.text}` is not installed by {names}; no `file` resource of "
                "that role installs it",
                argument=invocation.command.text,
                script=invocation.script,
                roles=tuple(sorted(found_roles)),
                via=invocation.via,
                severity="warning",
            )
        )
    return out


# Facts that name one host. A role is checked for no host in particular, so host-level Hiera
# data must not apply to it: giving these facts a value that names no file keeps those levels
# out, and the nodes that name a host bring them in.
HOST_FACTS = (
    "trusted.certname",
    "certname",
    "fqdn",
    "hostname",
    "facts.fqdn",
    "facts.hostname",
    "facts.networking.fqdn",
    "networking.fqdn",
)


def _role_facts(name: str | None) -> dict[str, str]:
    facts = {key: "driftlint-no-host.invalid" for key in HOST_FACTS}
    if name is not None:
        facts.update({"role": name, "_role": name.replace("::", "/"), "facts.role": name})
    return facts


def _node_facts(node: ast.NodeDef) -> dict[str, str]:
    facts: dict[str, str] = {}
    for inner in node.body:
        # `role(x)` (Wikimedia's wmflib) sets the `_role` fact that Hiera levels use.
        if isinstance(inner, ast.Call) and inner.name == "role" and len(inner.args) == 1:
            arg = inner.args[0]
            name = arg.text if isinstance(arg, ast.Name) else None
            if isinstance(arg, ast.Str) and all(isinstance(p, ast.Lit) for p in arg.parts):
                name = "".join(p.value.text for p in arg.parts if isinstance(p, ast.Lit))
            if name:
                facts.update(_role_facts(name.lstrip(":")))
    return facts | _host_facts(node)


def _host_facts(node: ast.NodeDef) -> dict[str, str]:
    for match in node.matches:
        if isinstance(match, ast.Str) and all(isinstance(p, ast.Lit) for p in match.parts):
            certname = "".join(p.value.text for p in match.parts if isinstance(p, ast.Lit))
            short = certname.split(".")[0]
            facts = {key: certname for key in HOST_FACTS}
            facts.update({"hostname": short, "facts.hostname": short})
            return facts
    # A regex or default node names no host we can tell: no host-level data, as for a role.
    return {key: "driftlint-no-host.invalid" for key in HOST_FACTS}


def _module_path(kind: str, ref: str, module_roots: tuple[str, ...], tree: Tree) -> str | None:
    for root in module_roots:
        path = module_file(kind, ref, root)
        if path is not None and tree.exists(path):
            return path
    return None


def _check_calls(
    calls: list[Call],
    specs: dict[str, list[tuple[str, Interface]]],
    root: Path,
) -> list[Finding]:
    """Bind each call to its script's interface and run the checks; merge roles per finding.

    Two specs may install under one name (a template per OpenStack release): a call is then
    judged against each, and only what every one of them rejects is reported.
    """
    merged: dict[tuple[Span, str, str], Finding] = {}
    history_cache: dict[str, Interface] = {}
    for call in calls:
        verdicts = [
            _check_one(call, spec_path, interface, root, history_cache)
            for spec_path, interface in specs.get(call.invocation.script, ())
        ]
        if not verdicts:
            continue
        common = set.intersection(*({(f.span, f.code, f.argument) for f in v} for v in verdicts))
        for finding in verdicts[0]:
            if (finding.span, finding.code, finding.argument) not in common:
                continue
            key = (finding.span, finding.code, finding.message)
            old = merged.get(key)
            if old is not None:
                finding = replace(old, roles=tuple(sorted(set(old.roles) | set(finding.roles))))
            merged[key] = finding
    return list(merged.values())


def _check_one(
    call: Call,
    spec_path: str,
    interface: Interface,
    root: Path,
    history_cache: dict[str, Interface],
) -> list[Finding]:
    invocation = call.invocation
    binding = bind_argv(invocation.words, interface, invocation.passthrough)
    if any(p.code == "unknown-option" for p in binding.problems):
        # Only now is it worth reading history: was the option ever accepted?
        if spec_path not in history_cache:
            history_cache[spec_path] = _with_history(interface, root, spec_path)
        interface = history_cache[spec_path]
        binding = bind_argv(invocation.words, interface, invocation.passthrough)
    ctx = CheckContext(call, interface, binding)
    found: list[Finding] = []
    for module in checks.BINDING_CHECKS:
        try:
            found.extend(module.check(ctx))
        except Exception as error:  # a bug in a check: report it, go on (exit 3)
            span = invocation.command.span
            found.append(Finding(span, "internal-error", f"check {module.CODE} raised {error!r}"))
    return found


def _with_history(interface: Interface, root: Path, spec_path: str) -> Interface:
    def read_at(commit: str, text: str) -> Interface | None:
        return spec.read_interface(spec_path, text, interface.script, None)

    removed = history.removed_options(root, spec_path, interface, read_at)
    known = {n for o in interface.removed for n in o.names}
    extra = tuple(o for o in removed if not set(o.names) & known)
    return replace(interface, removed=interface.removed + extra) if extra else interface


def _select(findings: list[Finding], config: Config) -> list[Finding]:
    out = []
    overrides = dict(config.severity)
    # per-path globs follow the same gitignore rules as `exclude`.
    per_path = [(compile_excludes([pattern]), codes) for pattern, codes in config.per_path]
    for finding in findings:
        code = finding.code
        if config.select is not None and code not in config.select:
            continue
        if code in config.ignore:
            continue
        if any(
            code in codes and excluded(rules, finding.span.path, False) for rules, codes in per_path
        ):
            continue
        if code in overrides:
            finding = replace(finding, severity=overrides[code])  # type: ignore[arg-type]
        out.append(finding)
    return out
