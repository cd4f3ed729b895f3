"""Which scripts are watched: those the config names and those the tree installs with a spec."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from driftlint.config.load import ScriptRule
from driftlint.extract import Watched
from driftlint.model import Interface
from driftlint.module_refs import module_file
from driftlint.parse.puppet import ast
from driftlint.resolve.scope import string_literal, walk
from driftlint.resolve.static_installs import found_installs


@dataclass(frozen=True, slots=True)
class Install:
    """A `file` resource that installs a file of the tree, found without evaluating."""

    dest: str  # the installed path, or "" when its title is not a literal
    spec_path: str  # the tree file that is installed
    folder: str = ""  # the directory copied with `recurse => true` that installs it


def static_installs(
    manifests: Iterable[ast.Manifest],
    module_roots: tuple[str, ...],
    exists: Callable[[str], bool],
    listing: Sequence[str] = (),
) -> list[Install]:
    """Every `file` resource whose `source` or `content => template()` names a tree file; with
    the tree's `listing`, also those whose path or source is built from variables, and every
    file of a directory copied with `recurse => true` (driftlint.resolve.static_installs)."""
    manifests = list(manifests)
    out: list[Install] = _substituted(manifests, module_roots, exists, listing) if listing else []
    for manifest in manifests:
        for node in walk(manifest.body):
            if not isinstance(node, ast.Resource) or node.type.lower() != "file":
                continue
            for body in node.bodies:
                dest = string_literal(body.title)
                for attr in body.attrs:
                    if attr.name == "path":
                        dest = string_literal(attr.value) or dest
                for attr in body.attrs:
                    for ref_kind, ref in _refs(attr):
                        for root in module_roots:
                            path = module_file(ref_kind, ref, root)
                            if path is not None and exists(path):
                                out.append(Install(dest or "", path))
                                break
    return out


def _substituted(
    manifests: list[ast.Manifest],
    module_roots: tuple[str, ...],
    exists: Callable[[str], bool],
    listing: Sequence[str],
) -> list[Install]:
    out: list[Install] = []
    folders: dict[str, list[str]] = {}
    for found in found_installs(manifests):
        for root in module_roots:
            path = module_file(found.kind, found.ref, root)
            if path is None:
                continue
            if exists(path):
                out.append(Install(found.dest, path))
                break
            if found.recurse:
                if not folders:
                    for name in listing:
                        folders.setdefault(posixpath.dirname(name), []).append(name)
                inside = [f for d, names in folders.items() if d == path or d.startswith(path + "/")
                          for f in names]  # fmt: skip
                dest = found.dest.rstrip("/")
                out.extend(Install(dest + f.removeprefix(path), f, dest) for f in sorted(inside))
                if inside:
                    break
    return out


def _refs(attr: ast.Attr) -> list[tuple[str, str]]:
    if attr.name == "source":
        values = attr.value.items if isinstance(attr.value, ast.Array) else (attr.value,)
        return [("source", t) for v in values if (t := string_literal(v))]
    value = attr.value
    if (
        attr.name == "content"
        and isinstance(value, ast.Call)
        and value.name in ("template", "epp", "file", "jinja_template")
        and value.args
    ):
        ref = string_literal(value.args[0])
        kind = "template" if value.name == "jinja_template" else value.name
        return [(kind, ref)] if ref else []
    return []


# Folders on a default PATH: a script installed there is also called by its bare name.
BIN_DIRS = ("/usr/local/bin/", "/usr/local/sbin/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/")
SCRIPT_SUFFIXES = (".py", ".sh", ".bash")


def is_script(dest: str, spec_path: str, text: str | None) -> bool:
    """A file that is run as a program: a shebang, a script suffix, or a home on the PATH.

    Config files that happen to hold usage text (a YAML file documenting a tool) are not.
    """
    if text is not None and text.lstrip("\ufeff").startswith("#!"):
        # PHP parsers are not read; Perl's and Ruby's option specs are (issue #14).
        shebang = text.lstrip("\ufeff").split("\n", 1)[0]
        return any(s in shebang for s in ("sh", "python", "perl", "ruby"))
    base = spec_path.removesuffix(".erb").removesuffix(".epp")
    return base.endswith(SCRIPT_SUFFIXES) or dest.startswith(BIN_DIRS)


def script_name(dest: str, spec_path: str) -> str:
    base = posixpath.basename(dest) if dest else posixpath.basename(spec_path)
    for suffix in (".erb", ".epp", ".j2"):
        base = base.removesuffix(suffix)
    return base


def watched_scripts(
    rules: Iterable[ScriptRule],
    installs: Iterable[Install],
    interfaces: dict[str, Interface | None],
) -> list[Watched]:
    """Merge configured scripts with discovered ones; `interfaces` is keyed by spec path."""
    by_spec: dict[str, Watched] = {}
    for rule in rules:
        paths = {c for c in rule.commands if c.startswith("/")}
        names = {posixpath.basename(c) for c in rule.commands if c}
        declared = frozenset(c for c in rule.commands if c and "/" not in c)
        by_spec[rule.interface] = Watched(
            rule.name, rule.interface, frozenset(paths), frozenset(names), declared
        )
    for install in installs:
        if interfaces.get(install.spec_path) is None:
            continue
        if not install.dest.startswith("/"):
            continue  # installed at a path we cannot tell: nothing would call it by that path
        old = by_spec.get(install.spec_path)
        name = old.name if old else script_name(install.dest, install.spec_path)
        paths = set(old.paths) if old else set()
        names = set(old.names) if old else set()
        if install.dest.startswith("/"):
            paths.add(install.dest)
            # A bare name runs what the PATH finds: only scripts installed on it answer to
            # theirs (`keystone` is OpenStack's client, not /etc/init.d/keystone).
            if install.dest.startswith(BIN_DIRS):
                names.add(posixpath.basename(install.dest))
        by_spec[install.spec_path] = Watched(
            name,
            install.spec_path,
            frozenset(paths),
            frozenset(names),
            old.declared if old else frozenset(),
        )
    return sorted(by_spec.values(), key=lambda w: (w.name, w.spec_path))
