"""Wire the stages together: discover, parse, watch, resolve per role, bind, check. Never prints."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from driftlint import checks, history, spec, suppress
from driftlint.argv import bind_argv
from driftlint.config import Config
from driftlint.discover import SourceFile, detect_module_roots, discover_sources, module_file, read_source
from driftlint.errors import SetupError
from driftlint.extract import Extractor, Watched
from driftlint.ltext import LText
from driftlint.model import Call, CheckContext, Finding, Interface, Invocation, Result, Span
from driftlint.parse import erb, jinja, wrappers
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve.evaluate import Alts, Evaluator, FrameScope
from driftlint.resolve.hiera import Hiera
from driftlint.resolve.scope import Index, node_label
from driftlint.watch import static_installs, watched_scripts


@dataclass(slots=True)
class Tree:
    """Reads files of one tree, once each, never outside it."""

    root: Path
    max_file_size: int
    findings: list[Finding] = field(default_factory=list)
    _texts: dict[str, str | None] = field(default_factory=dict)

    def read(self, path: str) -> str | None:
        if path not in self._texts:
            text, problem = read_source(self.root, path, self.max_file_size)
            if problem is not None:
                self.findings.append(problem)
            self._texts[path] = text
        return self._texts[path]

    def exists(self, path: str) -> bool:
        return self.read(path) is not None


def run(root: Path, config: Config, setup: Iterable[SetupError] = ()) -> Result:
    tree = Tree(root, config.max_file_size)
    setup_errors = [str(e) for e in setup]
    files, unreadable = discover_sources(root, config.exclude, config.max_file_size)
    findings: list[Finding] = list(unreadable)
    module_roots = detect_module_roots(root)

    manifests = _parse_manifests(tree, [f for f in files if f.kind == "manifest"], findings)
    index = Index()
    for manifest in manifests:
        index.add(manifest)

    interfaces = _interfaces(tree, config, manifests, module_roots, setup_errors, findings)
    installs = static_installs(manifests, module_roots, tree.exists)
    for install in installs:
        if install.spec_path not in interfaces:
            text = tree.read(install.spec_path)
            name = posixpath.basename(install.dest or install.spec_path)
            found = spec.read_interface(install.spec_path, text, name, tree.read) if text else None
            interfaces[install.spec_path] = found
            if found is not None:
                findings.extend(found.errors)
    watched = watched_scripts(config.scripts, installs, interfaces)
    by_name = {w.name: interfaces.get(w.spec_path) for w in watched}
    by_name = {
        n: (replace(i, script=n) if i is not None else None) for n, i in by_name.items()
    }

    hiera = _load_hiera(tree, root)
    findings.extend(hiera.errors)
    table = wrappers.default_wrappers()
    extractor = Extractor(watched, table, lambda ref: _static(tree, ref, module_roots))
    calls = _resolve_calls(index, config, extractor, hiera, tree, module_roots)

    findings.extend(_check_calls(calls, by_name, watched, root, tree))
    findings.extend(tree.findings)
    findings = _select(findings, config)
    findings = list(
        suppress.apply_suppressions(
            findings,
            tree.read,
            config.select,
            known_codes=frozenset(checks.CHECKS),
            paths=[f.path for f in files],
        )
    )
    findings = _select(findings, config)
    return Result(
        root=str(root),
        findings=tuple(sorted(set(findings))),
        setup_errors=tuple(setup_errors),
        files_checked=len(files),
        calls_checked=len(calls),
        interfaces=tuple(i for i in by_name.values() if i is not None),
        calls=tuple(calls),
    )


def _parse_manifests(tree: Tree, files: list[SourceFile], findings: list[Finding]) -> list[ast.Manifest]:
    out = []
    for source in files:
        text = tree.read(source.path)
        if text is None:
            continue
        manifest = parse_manifest(text, source.path)
        findings.extend(manifest.errors)
        out.append(manifest)
    return out


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
            setup_errors.append(f"{where}usage spec `{rule.interface}` of {rule.name} cannot be read")
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


def _load_hiera(tree: Tree, root: Path) -> Hiera:
    def list_files(pattern: str) -> list[str]:
        return sorted(
            p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file()
        )

    return Hiera.load(tree.read, list_files)


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
    hiera: Hiera,
    tree: Tree,
    module_roots: tuple[str, ...],
) -> list[Call]:
    """Evaluate every root (role class, node, then whatever no root reaches) and merge calls."""
    roles: dict[Invocation, set[str]] = {}
    reached: set[str] = set()

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

    def lookup(key: str, facts: dict[str, str]) -> Alts | None:
        found = hiera.lookup(key, facts)
        return [h.value for h in found] if found else None

    def evaluate(label: str | None, start: ast.Node | str, facts: dict[str, str]) -> None:
        evaluator = Evaluator(index, facts, template, lookup, config.max_expansions)
        evaluator.run(index.toplevel, evaluator.top, ())
        if isinstance(start, str):
            evaluator.declare_class(start, None, ())
        elif isinstance(start, ast.NodeDef):
            evaluator.run(start.body, evaluator.top, ())
        reached.update(evaluator.classes)
        for invocation in extractor.invocations(evaluator.resources):
            roles.setdefault(invocation, set())
            if label:
                roles[invocation].add(label)

    prefix = config.role_prefix
    for role in index.roles(prefix):
        name = role.removeprefix(prefix)
        evaluate(role, role, {"role": name, "_role": name.replace("::", "/")})
    for node in index.nodes:
        evaluate(node_label(node), node, {})
    # Classes no root reaches are checked with their defaults, outside any role.
    for name in sorted(index.classes):
        if name not in reached:
            evaluate(None, name, {})
    return [Call(inv, tuple(sorted(r))) for inv, r in roles.items()]


def _check_calls(
    calls: list[Call],
    interfaces: dict[str, Interface | None],
    watched: list[Watched],
    root: Path,
    tree: Tree,
) -> list[Finding]:
    merged: dict[tuple[Span, str, str], Finding] = {}
    removed_cache: dict[str, Interface] = {}
    spec_of = {w.name: w.spec_path for w in watched}
    for call in calls:
        interface = interfaces.get(call.invocation.script)
        if interface is None:
            continue
        binding = bind_argv(call.invocation.words, interface, call.invocation.passthrough)
        if any(p.code == "unknown-option" for p in binding.problems):
            # Only now is it worth reading history: was the option ever accepted?
            if call.invocation.script not in removed_cache:
                removed_cache[call.invocation.script] = _with_history(
                    interface, root, spec_of[call.invocation.script], tree
                )
            interface = removed_cache[call.invocation.script]
            binding = bind_argv(call.invocation.words, interface, call.invocation.passthrough)
        ctx = CheckContext(call, interface, binding)
        for module in checks.BINDING_CHECKS:
            try:
                found = list(module.check(ctx))
            except Exception as error:  # a bug in a check: report it, go on (exit 3)
                span = call.invocation.command.span
                found = [Finding(span, "internal-error", f"check {module.CODE} raised {error!r}")]
            for finding in found:
                key = (finding.span, finding.code, finding.message)
                old = merged.get(key)
                if old is not None:
                    roles = tuple(sorted(set(old.roles) | set(finding.roles)))
                    finding = replace(old, roles=roles)
                merged[key] = replace(finding, severity=finding.severity)
    return list(merged.values())


def _with_history(interface: Interface, root: Path, spec_path: str, tree: Tree) -> Interface:
    def read_at(commit: str, text: str) -> Interface | None:
        return spec.read_interface(spec_path, text, interface.script, None)

    removed = history.removed_options(root, spec_path, interface, read_at)
    known = {n for o in interface.removed for n in o.names}
    extra = tuple(o for o in removed if not set(o.names) & known)
    return replace(interface, removed=interface.removed + extra) if extra else interface


def _select(findings: list[Finding], config: Config) -> list[Finding]:
    out = []
    overrides = dict(config.severity)
    for finding in findings:
        code = finding.code
        if config.select is not None and code not in config.select:
            continue
        if code in config.ignore:
            continue
        if any(
            code in codes and _glob(finding.span.path, pattern) for pattern, codes in config.per_path
        ):
            continue
        if code in overrides:
            finding = replace(finding, severity=overrides[code])  # type: ignore[arg-type]
        out.append(finding)
    return out


def _glob(path: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*")
