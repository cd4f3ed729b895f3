"""The stages of a check: parse, watch, resolve per role, bind, check. Never prints.

`driftlint.engine.run` calls this when its run cache has no answer."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing as mp
import os
import posixpath
import signal
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from driftlint import checks, incremental, reads, suppress
from driftlint import interfaces as spec
from driftlint.cache.rows import Rows
from driftlint.cache.store import Cache, parse_all
from driftlint.checks.run import check_calls, from_own_defaults
from driftlint.config.load import Config
from driftlint.config.roots import RootRule
from driftlint.discover import (
    Inside,
    SourceFile,
    compile_excludes,
    detect_module_roots,
    excluded,
    is_loaded,
    kind_of,
    read_source,
)
from driftlint.extract import Extractor, Watched
from driftlint.interfaces.unknown import unknown_reason
from driftlint.ltext import LText
from driftlint.mentions import unresolved_mentions
from driftlint.model import Call, Finding, Interface, Invocation, Result, Span, UnknownInterface
from driftlint.module_refs import module_file
from driftlint.modulepath import PREFIX, ModulePath, is_modulepath, open_modulepath, relocate
from driftlint.parse import wrappers
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.progress import Report, silent
from driftlint.reads import FrozenReads
from driftlint.resolve import command_path
from driftlint.resolve import relevance as relevant
from driftlint.resolve.classify import ClassList, class_lists
from driftlint.resolve.enc import declare_roots, enc_facts, top_scope
from driftlint.resolve.evaluate import Alts
from driftlint.resolve.fact_roles import fact_roles
from driftlint.resolve.facts import node_facts, role_facts
from driftlint.resolve.hiera_layers import HieraLayers, HieraSettings, load_layers
from driftlint.resolve.hiera_roots import HieraRoot, class_list, discover
from driftlint.resolve.hiera_undecided import MARK, alternatives, settle
from driftlint.resolve.memo import Memo, MemoEvaluator
from driftlint.resolve.misplaced import misplaced_calls, not_calls
from driftlint.resolve.ruby_functions import PATH, TemplateFunction, read_functions
from driftlint.resolve.scope import Index, node_label, walk
from driftlint.resolve.templates import TemplateRenderer, static_jinja
from driftlint.sites import facter, nagios, nrpe, resource_types
from driftlint.sites import script as script_site
from driftlint.unrendered import unrendered_invocations
from driftlint.values import Unknown
from driftlint.watch import (
    Install,
    is_executable,
    is_script,
    run_by_interpreter,
    static_installs,
    watched_scripts,
)


@dataclass(slots=True)
class Tree:
    """Reads files of one tree, once each, never outside it."""

    root: Path
    max_file_size: int
    findings: list[Finding] = field(default_factory=list)
    _texts: dict[str, str | None] = field(default_factory=dict)
    _inside: Inside | None = None
    # Module folders outside the tree that the user named: `<modulepath>/` paths read there.
    modulepath: ModulePath = field(default_factory=ModulePath)

    def read(self, path: str) -> str | None:
        """A file's text; noted as read by the root being evaluated (driftlint.reads)."""
        reads.note_file(path)
        return self.peek(path)

    def peek(self, path: str) -> str | None:
        """A file's text, not noted: for readers whose reads are noted by what they mean
        (Hiera data by key)."""
        if path not in self._texts and is_modulepath(path):
            # Its problems are the module's, not the tree's: an unreadable file is no file.
            self._texts[path] = self.modulepath.read(path, self.max_file_size)
        if path not in self._texts:
            if self._inside is None:
                self._inside = Inside(self.root)
            inside = self._inside(path)
            if not inside or not os.path.lexists(os.path.join(self.root, path)):
                # A file the tree does not have (a guessed config, a template of another
                # module root) is not a problem with the tree.
                self._texts[path] = None
                return None
            text, problem = read_source(self.root, path, self.max_file_size, inside=inside)
            # Manifests, templates and Hiera data must be read; a binary under files/
            # (an image, a keystore) is just not a script, so it is no finding.
            if problem is not None and kind_of(path) != "other":
                self.findings.append(problem)
            self._texts[path] = text
        return self._texts[path]

    def exists(self, path: str) -> bool:
        return self.read(path) is not None

    def executable(self, path: str) -> bool:
        """The file has an executable bit in the tree (links are not followed)."""
        if self._inside is None:
            self._inside = Inside(self.root)
        if not self._inside(path):
            return False
        try:
            info = os.lstat(os.path.join(self.root, path))
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and bool(info.st_mode & 0o111)


def check(
    root: Path,
    config: Config,
    setup_errors: list[str],
    files: tuple[SourceFile, ...],
    unreadable: tuple[Finding, ...],
    jobs: int | None,
    cache_dir: Path | None,
    progress: Report,
    digests: dict[str, bytes] | None = None,
    shard: incremental.Shard | None = None,
) -> Result:
    """`digests` (each file's, from the run cache's key) turns on the incremental engine:
    roots whose reads did not change since the last run like this one are not evaluated.
    `shard`: evaluate one part of the roots and write it (no findings), or merge the parts."""
    prepared = prepare(root, config, setup_errors, files, unreadable, cache_dir, progress)
    tree, findings, index, specs = prepared.tree, prepared.findings, prepared.index, prepared.specs
    extractor, hiera, module_roots = prepared.extractor, prepared.hiera, prepared.module_roots
    watched, manifests, installs = prepared.watched, prepared.manifests, prepared.installs
    missing: list[Finding] = []
    functions = read_functions(
        (f.path, text) for f in files if PATH.search(f.path) and (text := tree.read(f.path))
    )
    store = _store(prepared, config, setup_errors, files, digests, cache_dir, functions, shard)
    calls = _resolve_calls(
        index,
        config,
        extractor,
        hiera,
        tree,
        module_roots,
        missing,
        jobs or os.cpu_count() or 1,
        progress,
        functions,
        [f.path for f in files],
        store,
        frozenset(i.folder for i in installs if i.folder),
    )
    if store is not None and store.sharded:
        # A shard job's part is in its file; the findings are the merge's (`driftlint merge`).
        notes = tuple(store.notes)
        return Result(str(root), (), tuple(setup_errors), files_checked=len(files), notes=notes)
    findings.extend(missing)
    unresolved = [c for c in calls if not c.invocation.is_call]  # named so, but run no script
    calls = [c for c in calls if c.invocation.is_call]

    progress("checking calls", 0, 0)
    # A name that an unknown script answers to too may be that script: nothing is sure of it.
    open_names = frozenset(
        name
        for w in prepared.watched
        if w.spec_path in prepared.unknown
        for name in (w.name, *w.names)
    )
    definitions = [
        d
        for d in (*index.classes.values(), *index.defines.values())
        if isinstance(d, ast.ClassDef | ast.DefineDef)
    ]
    checked = check_calls(calls, specs, root, open_names)
    findings.extend(settle(from_own_defaults(checked, definitions)))
    # A word written in a module-path file is found where the tree reached it (issue 27 §2).
    findings = _select(relocate(findings), config)
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
    mentions = unresolved_mentions(
        files, tree.read, watched, [*calls, *unresolved], manifests, {i.spec_path for i in installs}
    )
    # Commands named like a watched script that run another file, with why (#19).
    mentions = sorted({*mentions, *not_calls(unresolved)}, key=lambda m: (m.span, m.script))
    called = {c.invocation.script for c in calls}
    return Result(
        root=str(root),
        findings=tuple(sorted(set(findings))),
        setup_errors=tuple(setup_errors),
        files_checked=len(files),
        calls_checked=len(calls),
        interfaces=tuple(i for pairs in specs.values() for _, i in pairs),
        calls=tuple(calls),
        mentions=tuple(mentions),
        notes=(
            *hiera.notes,
            *_undefined_types(files, index, manifests, config),
            *(store.notes if store else ()),
        ),
        unknown=tuple(
            sorted(
                UnknownInterface(name, path, why)
                for path, (name, why) in prepared.unknown.items()
                if name in called
            )
        ),
    )


def _store(
    prepared: Prepared,
    config: Config,
    setup_errors: list[str],
    files: tuple[SourceFile, ...],
    digests: dict[str, bytes] | None,
    cache_dir: Path | None,
    functions: Mapping[str, TemplateFunction],
    shard: incremental.Shard | None = None,
) -> incremental.Store | None:
    """The incremental store for this tree's global inputs: what every root's evaluation
    depends on, so that a change to any of them is a cold run. A shard job or a merge has
    one without a cache folder too (its roots go to, or come from, the shards' files)."""
    if digests is None or (cache_dir is None and shard is None):
        return None
    tree, extractor = prepared.tree, prepared.extractor
    global_files = sorted(
        f.path for f in files if PATH.search(f.path) or posixpath.basename(f.path) == "hiera.yaml"
    )
    inputs = {
        "config": _canonical(config),
        "setup": sorted(setup_errors),
        "module_roots": list(prepared.module_roots),
        "watched": sorted(repr(_canonical(w)) for w in prepared.watched),
        "wrappers": repr(_canonical(dict(extractor.table.by_name))),
        "types": repr(_canonical(dict(extractor.types))),
        "files": [(p, digests.get(p, b"").hex()) for p in global_files],
        "functions": sorted(functions),
        "toplevel": incremental.toplevel_digest(prepared.index, tree.peek),
        "links": _canonical(extractor.files.links),
        "folders": _canonical(extractor.folders),
        "exec_defaults": sorted(extractor.files.exec_defaults),
        "toplevel_exec_default": extractor.files.toplevel_exec_default,
        "modulepath": tree.modulepath.digest() if tree.modulepath.modules else "",
    }
    context = hashlib.sha256(repr(inputs).encode("utf-8", "surrogatepass")).hexdigest()
    return incremental.Store(Rows(cache_dir, "roots"), context, digests, tree.peek, shard)


def _canonical(value: object) -> object:
    """Sets in a stable order, so equal inputs give equal digests in every process."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


@dataclass(slots=True)
class Prepared:
    """A tree parsed, with its watched scripts and their interfaces: what a check of calls
    needs, whether the calls come from evaluating the tree or from compiled catalogs."""

    tree: Tree
    findings: list[Finding]
    module_roots: tuple[str, ...]
    manifests: list[ast.Manifest]
    index: Index
    installs: list[Install]
    watched: list[Watched]
    specs: dict[str, list[tuple[str, Interface]]]
    extractor: Extractor
    hiera: HieraLayers
    # Watched scripts whose interface is unknown: spec path -> (name, why)
    unknown: dict[str, tuple[str, str]] = field(default_factory=dict)


def _call_site_texts(
    tree: Tree, files: tuple[SourceFile, ...], installs: list[Install]
) -> Iterator[str]:
    """What may run a command: manifests, templates, Hiera data and every installed file."""
    paths = [f.path for f in files if f.kind != "other"]
    paths.extend(dict.fromkeys(i.spec_path for i in installs))
    for path in paths:
        text = tree.peek(path)
        if text:
            yield text


def prepare(
    root: Path,
    config: Config,
    setup_errors: list[str],
    files: tuple[SourceFile, ...],
    unreadable: tuple[Finding, ...],
    cache_dir: Path | None,
    progress: Report = silent,
) -> Prepared:
    tree = Tree(root, config.max_file_size)
    findings: list[Finding] = list(unreadable)
    module_roots = _module_roots(root, config)

    manifests = _parse_manifests(
        tree,
        [f for f in files if f.kind == "manifest" and is_loaded(f.path, module_roots)],
        findings,
        Cache(cache_dir, "manifests"),
        lambda done, total: progress("parsing manifests", done, total),
    )
    index = Index()
    for manifest in manifests:
        index.add(manifest)
    # Modules on a module path outside the tree: their classes and defines are evaluated like
    # the tree's own (after them: the tree's code wins), read from there (issue 27 §2).
    outside = [p for p in config.modulepath if p.startswith("/")]
    if outside:
        tree.modulepath = open_modulepath(outside, _carried(files, module_roots))
        listed = [SourceFile(p, "manifest", 0) for p in tree.modulepath.manifests()]
        for manifest in _parse_manifests(
            tree, listed, [], Cache(cache_dir, "manifests"), lambda done, total: None
        ):
            index.add(manifest)
        module_roots = (*module_roots, PREFIX)

    read_interface = _InterfaceCache(tree, Cache(cache_dir, "interfaces"))
    interfaces = _interfaces(tree, config, read_interface, setup_errors, findings)
    listing = [f.path for f in files]
    # Paths built from a class parameter that Hiera sets (`${jenkins_home}/x.sh`): a Hiera of
    # its own, so that what these lookups read is no root's read.
    static_hiera = load_layers(tree.peek, listing, module_roots)

    def hiera_text(key: str) -> str | None:
        values = static_hiera.lookup(key, role_facts(None))
        texts = {v.value.text for v in values if isinstance(v.value, LText) and not v.value.dynamic}
        return texts.pop() if len(texts) == 1 else None

    installs = static_installs(manifests, module_roots, tree.exists, listing, hiera_text)
    for install in installs:
        if install.spec_path not in interfaces:
            text = tree.read(install.spec_path)
            name = posixpath.basename(install.dest or install.spec_path)
            found = (
                read_interface(install.spec_path, text, name)
                if text and is_script(install.dest, install.spec_path, text)
                else None
            )
            interfaces[install.spec_path] = found
            if found is not None:
                findings.extend(found.errors)

    def plainly_executable(install: Install) -> bool:
        text = tree.read(install.spec_path)
        return is_executable(install, text, tree.executable(install.spec_path))

    # A file installed without an executable mode that some call site runs through an
    # interpreter (`python /usr/local/lib/x.py` in a cron line) is a script too (issue 26 §1).
    others = {
        i.dest
        for i in installs
        if i.dest.startswith("/") and not i.dest.endswith("/") and not plainly_executable(i)
    }
    run_by = run_by_interpreter(_call_site_texts(tree, files, installs), others)
    for install in installs:
        if install.dest in run_by and interfaces.get(install.spec_path) is None:
            text = tree.read(install.spec_path)
            name = posixpath.basename(install.dest)
            language = run_by[install.dest]
            found = read_interface(install.spec_path, text, name, language) if text else None
            if found is not None:
                interfaces[install.spec_path] = found
                findings.extend(found.errors)

    def executable(install: Install) -> bool:
        return install.dest in run_by or plainly_executable(install)

    watched = watched_scripts(config.scripts, installs, interfaces, executable)
    specs: dict[str, list[tuple[str, Interface]]] = {}
    unknown: dict[str, tuple[str, str]] = {}
    for w in watched:
        found = interfaces.get(w.spec_path)
        if found is not None:
            # Under every name it is installed as on a PATH folder: a bare `pool` may run any
            # script installed as `pool`, and is judged against each (checks/run.py).
            for name in sorted({w.name, *w.names}):
                specs.setdefault(name, []).append((w.spec_path, replace(found, script=name)))
        else:
            unknown[w.spec_path] = (w.name, unknown_reason(w.spec_path, tree.read(w.spec_path)))

    classifies = bool(class_lists(index.toplevel, index.nodes))
    settings = HieraSettings(config.hiera.config, config.hiera.datadir, config.hiera.hierarchy)
    hiera = load_layers(tree.peek, [f.path for f in files], module_roots, classifies, settings)
    table = _wrappers(config, root, setup_errors)
    table = _wrapper_scripts(table, installs, tree)
    extractor = Extractor(
        watched,
        table,
        _remembering(lambda ref: _static(tree, ref, module_roots, config.max_expansions)),
        lambda kind, ref: _template_source(tree, kind, ref, module_roots),
        read_text=tree.read,
        folders=_folders(installs),
        files=command_path.tree_files(manifests),
        types=_types(config, root, setup_errors),
    )
    return Prepared(
        tree,
        findings,
        module_roots,
        manifests,
        index,
        installs,
        watched,
        specs,
        extractor,
        hiera,
        unknown,
    )


def _parse_manifests(
    tree: Tree,
    files: list[SourceFile],
    findings: list[Finding],
    cache: Cache,
    progress: Callable[[int, int], None],
) -> list[ast.Manifest]:
    items = [(f.path, text) for f in files if (text := tree.read(f.path)) is not None]
    manifests: list[ast.Manifest] = parse_all(items, parse_manifest, cache, ast.Manifest, progress)
    for manifest in manifests:
        # The first syntax error is the root cause; what recovery trips on after it is noise.
        findings.extend(manifest.errors[:1])
    return manifests


@dataclass(slots=True)
class _InterfaceCache:
    """A script's interface, kept by its path, name and text, with the other files its
    reading read (a sourced library, an imported module) and their digests: a hit is used
    only while those are unchanged too."""

    tree: Tree
    cache: Cache

    def __call__(self, path: str, text: str, name: str, language: str = "") -> Interface | None:
        key = self.cache.key(f"{path}\0{name}\0{language}", text)
        found = self.cache.get(key, tuple[Interface | None, tuple[tuple[str, str], ...]])
        if found is not None:
            value, others = found
            if all(self._digest(p) == d for p, d in others):
                return value  # type: ignore[no-any-return]
        with reads.collect() as read:
            value = spec.read_interface(path, text, name, self.tree.read, language)
        others = tuple((p, self._digest(p)) for p in sorted(read.files - {path}))
        self.cache.put(key, (value, others))
        return value

    def _digest(self, path: str) -> str:
        text = self.tree.peek(path)
        return (
            ""
            if text is None
            else hashlib.blake2b(text.encode("utf-8", "surrogatepass")).hexdigest()
        )


def _interfaces(
    tree: Tree,
    config: Config,
    read_interface: Callable[[str, str, str], Interface | None],
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
        found = read_interface(rule.interface, text, rule.name)
        if found is None:
            setup_errors.append(
                f"{where}`{rule.interface}` declares no interface for {rule.name}"
                " (no usage text, parser code or interface spec found)"
            )
        else:
            findings.extend(found.errors)
        out[rule.interface] = found
    return out


def _undefined_types(
    files: Sequence[SourceFile], index: Index, manifests: Sequence[ast.Manifest], config: Config
) -> list[str]:
    """A note when a tree with a Puppetfile (whose modules r10k installs elsewhere) declares
    module types nothing driftlint reads defines: pass --modulepath to read them."""
    if not any(f.path == "Puppetfile" for f in files):
        return []
    types = sorted(
        {
            node.type.lstrip(":")
            for manifest in manifests
            for node in walk(manifest.body)
            if isinstance(node, ast.Resource) and "::" in node.type
        }
        - set(index.defines)
        - set(index.classes)
    )
    if not types:
        return []
    shown = ", ".join(types[:4]) + (", ..." if len(types) > 4 else "")
    where = "the tree or its module path" if config.modulepath else "the tree"
    count = f"{len(types)} resource type{'s' if len(types) != 1 else ''}"
    return [
        f"{count} the tree declares {'are' if len(types) != 1 else 'is'} defined in no module of"
        f" {where} ({shown}): `--modulepath` reads the Puppetfile's modules where r10k installs"
        " them, else rules/resource-types.yaml says what it knows of them"
    ]


def _module_roots(root: Path, config: Config) -> tuple[str, ...]:
    """The tree's module folders, with the ones `modulepath:` names in the tree."""
    found = detect_module_roots(root)
    inside = [p for p in config.modulepath if p not in (*found, ".") and not p.startswith("/")]
    return (*found, *inside)


def _carried(files: Sequence[SourceFile], module_roots: Sequence[str]) -> set[str]:
    """The names of the modules the tree carries itself."""
    out = set()
    for file in files:
        for root in module_roots:
            if file.path.startswith(root + "/"):
                out.add(file.path[len(root) + 1 :].split("/", 1)[0])
    return out


def _types(config: Config, root: Path, setup_errors: list[str]) -> resource_types.Types:
    """The shipped resource types, with the site's rule files' `types:` over them."""
    if not config.types:
        return resource_types.default_types()
    try:
        site = resource_types.load_types([root / p for p in config.types])
    except ValueError as error:
        setup_errors.append(str(error))
        return resource_types.default_types()
    return {**resource_types.default_types(), **site}


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


def _wrapper_scripts(
    table: wrappers.WrapperTable, installs: list[Install], tree: Tree
) -> wrappers.WrapperTable:
    """The tree's own wrapper scripts (`with_lock NAME cmd ...`, driftlint.sites.script), by
    installed path: the command after their leading arguments is what they run."""
    found: dict[str, wrappers.Wrapper] = {}
    for install in installs:
        if not install.dest.startswith("/") or install.dest in found:
            continue
        text = tree.peek(install.spec_path)
        if text and ('"$@"' in text or '"${@}"' in text):
            skip = script_site.passthrough_skip(text)
            if skip:
                found[install.dest] = wrappers.Wrapper(names=(install.dest,), skip=skip)
    if not found:
        return table
    return wrappers.WrapperTable({**table.by_name, **found})


def _static(tree: Tree, ref: str, module_roots: tuple[str, ...], limit: int) -> list[LText]:
    """A `puppet:///` file's located text. Cached by the caller: every role that installs it
    gets the same object, so what is parsed of it is parsed once."""
    for root in module_roots:
        path = module_file("source", ref, root)
        if path is not None:
            text = tree.read(path)
            if text is not None and path.endswith(".j2"):
                return static_jinja(text, path, limit)  # its tags are unknowns, not text
            if text is not None:
                return [LText.literal(text, path, 1, 1)]
    return []


def _folders(installs: list[Install]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Directories copied with `recurse => true`: folder -> (installed path, tree path)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for install in installs:
        if install.folder and install.dest:
            out.setdefault(install.folder, []).append((install.dest, install.spec_path))
    return {folder: tuple(sorted(set(files))) for folder, files in out.items()}


def _remembering(read: Callable[[str], list[LText]]) -> Callable[[str], list[LText]]:
    """`read` once per reference; a later call notes again the files the first one read."""
    cache: dict[str, tuple[list[LText], FrozenReads]] = {}
    return lambda ref: reads.remember(cache, ref, lambda: read(ref))


def _template_source(tree: Tree, kind: str, ref: str, module_roots: tuple[str, ...]) -> str | None:
    path = _module_path(kind, ref, module_roots, tree)
    return tree.read(path) if path else None


@dataclass(slots=True)
class _Reached:
    """What evaluating the roots found, merged in root order."""

    roles: dict[Invocation, set[str]] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)  # classes and defines some root reached
    # (invocation, role label, paths that root installs) for missing-script.
    installs: list[tuple[Invocation, str, frozenset[str]]] = field(default_factory=list)
    installed_anywhere: set[str] = field(default_factory=set)
    # (role label, paths that root installs) of every root with a role: where a call run on
    # another host runs.
    installed_by: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    cut: list[Finding] = field(default_factory=list)  # bodies cut short (too deep, too many)
    # Found while evaluating: template problems, Hiera data files' problems.
    problems: list[Finding] = field(default_factory=list)
    rendered: set[str] = field(default_factory=set)  # template files some root rendered
    data: set[str] = field(default_factory=set)  # Hiera data files some root's lookups read

    def add(self, out: incremental.RootOut) -> None:
        self.classes |= out.classes
        self.installed_anywhere |= out.installed
        self.cut += out.cut
        self.problems += out.problems
        self.rendered |= out.reads.rendered
        self.data |= out.reads.data
        labels = out.label.split(", ") if out.label else []
        self.installed_by.extend((label, out.installed) for label in labels)
        for invocation in out.invocations:
            self.roles.setdefault(invocation, set()).update(labels)
            for role in labels if invocation.is_call else ():
                self.installs.append((invocation, role, out.installed))


# (identity in the store, label, class or node, facts)
Root = tuple[
    "incremental.RootId", str | None, "ast.NodeDef | HieraRoot | RootRule | str", dict[str, str]
]
# Below this many roots, starting workers costs more than it saves.
PARALLEL_ROOTS = 64
_WORKER: Callable[[list[Root]], list[incremental.RootOut]] | None = (
    None  # set in the parent, inherited by fork
)


def _evaluate_in_worker(roots: list[Root]) -> list[incremental.RootOut]:
    assert _WORKER is not None
    return _WORKER(roots)


def _resolve_calls(
    index: Index,
    config: Config,
    extractor: Extractor,
    hiera: HieraLayers,
    tree: Tree,
    module_roots: tuple[str, ...],
    missing: list[Finding],
    jobs: int = 1,
    progress: Report = silent,
    functions: Mapping[str, TemplateFunction] | None = None,
    listing: Sequence[str] = (),
    store: incremental.Store | None = None,
    folders: frozenset[str] = frozenset(),
) -> list[Call]:
    """Evaluate every root (role class, node, then whatever no root reaches) and merge calls.

    With `jobs` > 1 and fork available, the roles and nodes are split in contiguous runs (so
    that alike roles share a worker's memo) over worker processes that inherit the parsed
    tree; the classes no root reaches are evaluated after, here. With a `store`, a root whose
    reads did not change since the stored run is not evaluated: its result is the stored one
    (driftlint/incremental.py).
    """
    # ERB, EPP and Jinja2, from module files or inline text (driftlint/resolve/templates.py).
    template = TemplateRenderer(tree.read, module_roots, config.max_expansions, tree.findings)

    lookups: dict[tuple[str, frozenset[tuple[str, str]]], tuple[Alts | None, FrozenReads]] = {}

    fact_keys: dict[int, tuple[dict[str, str], frozenset[tuple[str, str]]]] = {}

    # Class lists `site.pp` includes from Hiera (driftlint/resolve/classify.py): each node or
    # role its data defines is a root that declares them; elsewhere the lookup is inert.
    lists = class_lists(index.toplevel, index.nodes)
    list_keys = {k for c in lists for k in (c.key, *c.excludes)}

    def lookup(key: str, facts: dict[str, str]) -> Alts | None:
        if key.removeprefix("::") in list_keys:
            return None
        reads.note_key(key)
        # Each root's facts are one dict: its frozen form is made once (the dict is kept, so
        # its id is not reused by another).
        known = fact_keys.get(id(facts))
        if known is None or known[0] is not facts:
            known = fact_keys[id(facts)] = (facts, frozenset(facts.items()))
        memo = (key, known[1])
        found = lookups.get(memo)
        if found is None:
            with reads.collect() as read:
                values = hiera.lookup(key, facts)
            alts = alternatives(key, values) if MARK in facts else [h.value for h in values]
            found = lookups[memo] = (alts or None, read.frozen())
        else:
            found[1].replay()  # the data files and keys the first lookup read
        return found[0]

    tokens = {n for w in extractor.watched for n in (*w.names, *w.paths)}
    # A monitoring plugin is named by its basename where it is run (`$USER1$/x`, NRPE's
    # `check_nrpe -c x`, driftlint.sites.nrpe): those classes are relevant too.
    tokens |= {
        posixpath.basename(p)
        for w in extractor.watched
        for p in w.paths
        if p.startswith(nagios.PLUGINS + "/")
    }
    hiera_texts = [t for p in hiera.data_files() if (t := tree.read(p)) is not None]
    # A directory copied with `recurse => true` mentions what the files under it mention.
    copied: dict[str, list[str]] = {}
    for folder, files in extractor.folders.items():
        for dest, spec_path in files:
            tail = dest[len(folder) :]
            if dest.startswith(folder + "/") and spec_path.endswith(tail):
                copied.setdefault(spec_path[: -len(tail)], []).append(spec_path)

    def read_folder(path: str) -> str | None:
        if path not in copied:
            return tree.read(path)
        return "\n".join(t for f in sorted(copied[path]) if (t := tree.read(f)) is not None)

    relevance = relevant.compute(
        index,
        relevant.mentions(tokens),
        read_folder,
        lambda kind, ref: (
            _module_path(kind, ref, module_roots, tree)
            or next((d for r in module_roots if (d := module_file(kind, ref, r)) in copied), None)
        ),
        hiera_texts,
        functions or {},
    )
    prefix = config.role_prefix

    memo = Memo()  # class and define bodies evaluated once for all roles that see them alike

    def evaluate(root: Root) -> incremental.RootOut:
        (kind, _), label, start, facts = root
        alone = kind == "class"  # declared by no root: an `undef` default is still to pass
        tree_before = len(tree.findings)
        hiera_before = set(hiera.errors)
        with reads.collect() as read:
            evaluator = MemoEvaluator(
                index,
                facts,
                template,
                lookup,
                config.max_expansions,
                max_depth=config.max_depth,
                prune=relevance,
                memo=memo,
                functions=functions or {},
            )
            if isinstance(start, RootRule | HieraRoot):
                evaluator.top.vars.update(top_scope(start))
            evaluator.run(index.toplevel, evaluator.top, ())
            if isinstance(start, str):
                if start in index.defines:
                    evaluator.declare_define(
                        start,
                        Unknown(None, "$title"),
                        {},
                        index.defines[start].span,
                        (),
                        open_undef=alone,
                    )
                else:
                    evaluator.declare_class(start, None, (), open_undef=alone)
            elif isinstance(start, HieraRoot | RootRule):
                declare_roots(evaluator, index.nodes, lists, hiera.global_layer, facts, start)
            elif isinstance(start, ast.NodeDef):
                evaluator.run(start.body, evaluator.top, ())
                # A node is labelled by the roles it declares itself (a role that role
                # includes is not another role of the host's), else by every role its
                # catalog holds, else by its name.
                declared = sorted(c for c in relevant.node_declares(start) if c.startswith(prefix))
                declared = declared or sorted(c for c in evaluator.classes if c.startswith(prefix))
                label = ", ".join(declared) if declared else label
            catalog = evaluator.catalog(keep_virtual=alone)
            installed = frozenset(extractor.installed_files(catalog, read=False))
            invocations = tuple(extractor.invocations(catalog))
        # Problems found while evaluating (templates, data files) belong to this root: a
        # stored root keeps them. Read problems stay in tree.findings as well.
        problems = [*tree.findings[tree_before:]]
        del tree.findings[tree_before:]
        problems += [e for e in hiera.errors if e not in hiera_before]
        out = incremental.RootOut(
            label,
            invocations,
            frozenset(evaluator.classes) | frozenset(evaluator.defines_seen),
            installed,
            tuple(evaluator.problems),
            tuple(problems),
            read.frozen(),
        )
        evaluator.release()
        return out

    def evaluate_all(roots: list[Root], report: bool = False) -> list[incremental.RootOut]:
        out = []
        for done, root in enumerate(roots):
            if report:
                progress("evaluating roles and nodes", done, len(roots))
            out.append(evaluate(root))
        return out

    roots: list[Root] = []
    for role in index.roles(prefix):
        if relevance(role):
            roots.append((("role", role), role, role, role_facts(role.removeprefix(prefix))))
    for name, facts in fact_roles(index):
        if relevance(name) and not name.startswith(prefix):
            roots.append((("fact", name), name, name, role_facts(None) | facts))
    host_hits = relevant.data_for(relevance, [(p, tree.read(p)) for p in hiera.data_files()])
    for node in index.nodes:
        if relevant.node_relevant(node, relevance, prefix, host_hits):
            node_id = ("node", incremental.node_digest(node, tree.read))
            roots.append((node_id, node_label(node), node, node_facts(node)))
    enc = _enc_roots(config.roots)
    named = {r[1] for r in enc}
    classified = [r for r in _hiera_roots(lists, hiera, tree, relevance) if r[1] not in named]
    classified += enc
    roots.extend(classified)
    changes = store.open(index, relevance, hiera.data_files()) if store else None
    outs: dict[incremental.RootId, incremental.RootOut] = {}
    if store is not None and store.sharded:  # `check --shard`: this job's part, written out
        roots = store.part(roots)

    def settle(roots: list[Root], here: bool) -> None:
        todo = []
        for root in roots:
            old = store.stored(root[0]) if store else None
            if old is not None and changes is not None and not changes.touches(old):
                outs[root[0]] = old
            else:
                todo.append(root)
        done = evaluate_all(todo) if here else _evaluate_roots(todo, evaluate_all, jobs, progress)
        outs.update((root[0], out) for root, out in zip(todo, done, strict=True))

    settle(roots, here=False)
    if store is not None and store.sharded:
        store.save(outs)
        return []
    reached = _Reached()
    for root in roots:
        reached.add(outs[root[0]])
    # Classes and defines no root reaches are checked with their defaults, outside any role.
    unreached: list[Root] = [
        (("class", name), None, name, role_facts(None))
        for name in sorted(relevance.relevant)
        if name not in reached.classes
    ]
    settle(unreached, here=True)
    for root in unreached:
        reached.add(outs[root[0]])
    # Templates nothing rendered are read by their kind, every variable unknown (no role).
    for invocation in unrendered_invocations(
        extractor, listing, tree.read, reached.rendered, config.max_expansions
    ):
        reached.roles.setdefault(invocation, set())
    # What the Puppet server runs while compiling (`generate()`), on no node's behalf.
    definitions = [*index.classes.values(), *index.defines.values(), *index.nodes, *index.toplevel]
    for invocation in extractor.server_invocations(definitions):
        reached.roles.setdefault(invocation, set())
    # A Puppet environment's own environment.conf (`config_version`) is run by the server
    # where the tree is deployed, a module's custom facts by every agent (pluginsync): each
    # is read where it is written.
    for path in listing:
        here = posixpath.basename(path) == "environment.conf" or facter.is_fact(path)
        if here and (text := tree.read(path)):
            texts = [LText.literal(text, path, 1, 1)]
            for invocation in extractor.file_invocations("/" + path, texts):
                reached.roles.setdefault(invocation, set())
    nrpe.bind_all(reached.roles)  # `check_nrpe -c NAME` runs the agents' definitions of NAME
    missing.extend(reached.problems)
    missing.extend(reached.cut[:1])  # a body cut short is said once, by the first root
    # A data file's problems are reported when some root's lookups read it, as Puppet would.
    missing.extend(hiera.config_errors)

    def errors_of(path: str) -> tuple[Finding, ...]:
        return hiera.file_errors(path, tree.peek)

    data_errors = (
        store.data_errors(reached.data, errors_of)
        if store
        else {p: errors_of(p) for p in reached.data}
    )
    for path in sorted(reached.data):
        missing.extend(data_errors[path])
    if store:
        store.save(outs)
    # With node definitions, a role no node declares has hosts the tree cannot see (an ENC,
    # LDAP): whether they have the script is not for the tree to say.
    judged: set[str] | None = None
    if index.nodes:
        judged = set()
        for node in index.nodes:
            declared = {c for c in relevant.node_declares(node) if c.startswith(prefix)}
            judged |= declared or {node_label(node)}
    if classified:
        judged = (judged or set()) | {r[1] for r in classified if r[1]}
    missing.extend(
        _missing_scripts(reached.installs, reached.installed_anywhere, extractor, judged, folders)
    )
    installed = {w.name: w.paths for w in extractor.watched}
    missing.extend(
        misplaced_calls(reached.roles, reached.installed_anywhere, extractor.files, installed)
    )
    return [
        Call(_where_it_runs(inv, reached.installed_by), tuple(sorted(r)))
        for inv, r in reached.roles.items()
    ]


RUNS_ON = nrpe.RUNS_ON


def _where_it_runs(
    invocation: Invocation, installed_by: list[tuple[str, frozenset[str]]]
) -> Invocation:
    """A call run on another host (ssh, an Icinga 2 endpoint) names the roles that install
    its script: where it runs, as its own roles say where its words are written."""
    if not invocation.remote or not invocation.is_call or RUNS_ON in invocation.matched:
        return invocation  # NRPE names the roles that install the definition (sites.nrpe)
    path = invocation.command.text
    roles = sorted({role for role, installed in installed_by if path in installed})
    if not roles:
        return invocation
    return replace(invocation, matched=f"{invocation.matched}; {RUNS_ON}{', '.join(roles)}")


def _hiera_roots(
    lists: list[ClassList], hiera: HieraLayers, tree: Tree, relevance: relevant.Relevance
) -> list[Root]:
    """The nodes and roles the tree's Hiera data defines, those that declare a relevant class."""
    layer = hiera.global_layer
    if layer is None:
        return []
    out: list[Root] = []
    for found in discover(layer, lists, tree.peek):
        facts = found.fact_dict()
        classes = [n for spec in lists for n, _ in class_list(layer, spec, facts)]
        if not any(relevance(n) for n in classes):
            continue
        digest = hashlib.sha256(repr(found.facts).encode()).hexdigest()[:16]
        out.append((("hiera", f"{found.label}@{digest}"), found.label, found, facts))
    return out


def _enc_roots(rules: Sequence[RootRule]) -> list[Root]:
    """The nodes `.driftlint.yaml`'s `roots:` lists, as an ENC would classify them."""
    out: list[Root] = []
    for rule in rules:
        label = f"node:{rule.pattern}"
        digest = hashlib.sha256(repr((rule.classes, rule.parameters)).encode()).hexdigest()[:16]
        out.append((("enc", f"{label}@{digest}"), label, rule, enc_facts(rule)))
    return out


def _evaluate_roots(
    roots: list[Root],
    evaluate_all: Callable[[list[Root]], list[incremental.RootOut]],
    jobs: int,
    progress: Report,
) -> list[incremental.RootOut]:
    """Evaluate roots here, or in `jobs` forked workers when there are enough of them.

    Workers take runs of adjacent roots (alike roles share a worker's memo, which lives on
    from one run to the next in the same process); a few runs per worker let the progress
    bar move and even out the load."""
    if jobs < 2 or len(roots) < PARALLEL_ROOTS or "fork" not in mp.get_all_start_methods():
        return evaluate_all(roots, report=True)  # type: ignore[call-arg]
    global _WORKER
    size = -(-len(roots) // (jobs * 4))
    chunks = [roots[i : i + size] for i in range(0, len(roots), size)]
    _WORKER = evaluate_all
    out: list[incremental.RootOut] = []
    try:
        context = mp.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_ctrl_c) as pool:
            # The workers are forked by the first submit: with Ctrl-C blocked until their
            # initializer ignores it, a Ctrl-C in between cannot reach the handler they inherit.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                parts = pool.map(_evaluate_in_worker, chunks)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            try:
                for done, part in enumerate(parts, 1):
                    out.extend(part)
                    progress("evaluating roles and nodes", done, len(chunks))
            except KeyboardInterrupt:
                # Ctrl-C reaches the workers too; they ignore it and this process stops them:
                # a worker killed by it would break the pool, and its fallback below would
                # evaluate everything again here instead of stopping.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except (OSError, BrokenProcessPool):
        return evaluate_all(roots, report=True)  # type: ignore[call-arg]  # no workers to be had
    finally:
        _WORKER = None
    return out


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending one is dropped


def _missing_scripts(
    seen: list[tuple[Invocation, str, frozenset[str]]],
    installed_anywhere: set[str],
    extractor: Extractor,
    judged: set[str] | None = None,
    folders: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Calls by installed path that a role makes without installing the script.

    A role is judged by every root that carries it: a node that declares the role also
    evaluates its own code (`include standard`), and when any of them installs the script the
    role's hosts have it. A role that manages a directory the tree copies with
    `recurse => true` (`folders`) installs what is under it."""

    def holds(installed: frozenset[str], path: str) -> bool:
        if path in installed:
            return True
        folder = posixpath.dirname(path)
        while folder not in ("", "/"):
            if folder in folders and folder in installed:
                return True
            folder = posixpath.dirname(folder)
        return False

    has_it = {
        (invocation.command.span, role)
        for invocation, role, installed in seen
        if holds(installed, invocation.command.text)
    }
    by_place: dict[Span, tuple[Invocation, set[str]]] = {}
    for invocation, role, installed in seen:
        if (invocation.command.span, role) in has_it:
            continue
        if judged is not None and role not in judged:
            continue  # no node declares the role: its hosts are not in the tree
        path = invocation.command.text
        watched = extractor.match(path)
        if not path.startswith("/") or watched is None or path not in watched.paths:
            continue
        if invocation.remote:
            continue  # it runs on the hosts that install it (ssh, an Icinga 2 endpoint)
        if invocation.in_code:
            continue  # a program's branch may call it only where it is installed
        if holds(installed, path) or path not in installed_anywhere:
            continue  # installed here, or by a package: nothing the tree can tell
        by_place.setdefault(invocation.command.span, (invocation, set()))[1].add(role)
    out = []
    for span, (invocation, found_roles) in by_place.items():
        names = ", ".join(sorted(found_roles))
        when = f" (only when {' and '.join(invocation.requires)})" if invocation.requires else ""
        out.append(
            Finding(
                span,
                "missing-script",
                f"`{invocation.command.text}` is not installed by {names}; no `file` resource of "
                f"that role installs it{when}",
                argument=invocation.command.text,
                script=invocation.script,
                roles=tuple(sorted(found_roles)),
                via=invocation.via,
                severity="warning",
            )
        )
    return out


def _module_path(kind: str, ref: str, module_roots: tuple[str, ...], tree: Tree) -> str | None:
    for root in module_roots:
        path = module_file(kind, ref, root)
        if path is not None and tree.exists(path):
            return path
    return None


def select_findings(findings: list[Finding], config: Config) -> list[Finding]:
    """Apply --select, --ignore, `per-path` and severity overrides."""
    return _select(findings, config)


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
