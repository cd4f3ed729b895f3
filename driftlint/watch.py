"""Which scripts are watched: those the config names and every executable file the tree installs.

A script is watched whether or not its interface can be read (issue 26): its calls are then
listed and counted, and `missing-script` and mentions not understood see them, but no argument
is judged.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from driftlint.config.load import ScriptRule
from driftlint.extract import Watched
from driftlint.model import Interface
from driftlint.module_refs import module_file
from driftlint.parse.puppet import ast
from driftlint.resolve.scope import string_literal, walk
from driftlint.resolve.static_installs import found_installs, literal_mode


@dataclass(frozen=True, slots=True)
class Install:
    """A `file` resource that installs a file of the tree, found without evaluating."""

    dest: str  # the installed path, or "" when its title is not a literal
    spec_path: str  # the tree file that is installed
    folder: str = ""  # the directory copied with `recurse => true` that installs it
    mode: str = ""  # the resource's `mode` as written, when literal


def static_installs(
    manifests: Iterable[ast.Manifest],
    module_roots: tuple[str, ...],
    exists: Callable[[str], bool],
    listing: Sequence[str] = (),
    lookup: Callable[[str], str | None] | None = None,
) -> list[Install]:
    """Every `file` resource whose `source` or `content => template()` names a tree file; with
    the tree's `listing`, also those whose path or source is built from variables, and every
    file of a directory copied with `recurse => true` (driftlint.resolve.static_installs)."""
    manifests = list(manifests)
    out: list[Install] = (
        _substituted(manifests, module_roots, exists, listing, lookup) if listing else []
    )
    for manifest in manifests:
        for node in walk(manifest.body):
            if not isinstance(node, ast.Resource) or node.type.lower() != "file":
                continue
            for body in node.bodies:
                dest = string_literal(body.title)
                mode = ""
                for attr in body.attrs:
                    if attr.name == "path":
                        dest = string_literal(attr.value) or dest
                    elif attr.name == "mode":
                        mode = literal_mode(attr.value)
                for attr in body.attrs:
                    for ref_kind, ref in _refs(attr):
                        for root in module_roots:
                            path = module_file(ref_kind, ref, root)
                            if path is not None and exists(path):
                                out.append(Install(dest or "", path, mode=mode))
                                break
    return out


def _substituted(
    manifests: list[ast.Manifest],
    module_roots: tuple[str, ...],
    exists: Callable[[str], bool],
    listing: Sequence[str],
    lookup: Callable[[str], str | None] | None = None,
) -> list[Install]:
    out: list[Install] = []
    folders: dict[str, list[str]] = {}
    for found in found_installs(manifests, lookup):
        for root in module_roots:
            path = module_file(found.kind, found.ref, root)
            if path is None:
                continue
            if exists(path):
                out.append(Install(found.dest, path, mode=found.mode))
                break
            if found.recurse:
                if not folders:
                    for name in listing:
                        folders.setdefault(posixpath.dirname(name), []).append(name)
                inside = [f for d, names in folders.items() if d == path or d.startswith(path + "/")
                          for f in names]  # fmt: skip
                dest = found.dest.rstrip("/")
                out.extend(
                    Install(dest + f.removeprefix(path), f, dest, found.mode)
                    for f in sorted(inside)
                )
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
    if _settings_module(dest, base):
        return False
    return base.endswith(SCRIPT_SUFFIXES) or dest.startswith(BIN_DIRS)


def _settings_module(dest: str, base: str) -> bool:
    """A Python file without a `#!` line under /etc: a settings module the application
    imports (`ANALYTICS_SETTINGS=/etc/analytics.py`), not a program run with an argv."""
    return dest.startswith("/etc/") and base.endswith(".py")


# Folders whose files are programs (`/usr/lib/nagios/plugins/check_x`, `/usr/local/libexec/x`).
EXEC_FOLDERS = frozenset({"bin", "sbin", "libexec", "plugins", "cgi-bin"})
# What is plainly data, even in such a folder (`/etc/collectd/plugins/x.conf`).
DATA_SUFFIXES = (
    ".conf", ".cfg", ".cnf", ".ini", ".yaml", ".yml", ".json", ".xml", ".txt", ".md", ".rst",
    ".pem", ".crt", ".key", ".pub", ".service", ".timer", ".socket", ".html", ".css", ".js",
    ".csv", ".properties", ".erb", ".epp", ".j2", ".pyc", ".jar", ".war", ".gz", ".tgz",
    ".zip", ".png", ".gif", ".jpg", ".svg", ".ico", ".rules", ".list", ".repo", ".pp",
)  # fmt: skip
# Without a `#!` line, these are read by the program that hosts them, never run with an argv:
# data, a Lua script of httpd or nginx (`LuaQuickHandler /var/www/x.lua`), a desktop entry.
# An Apache send-as-is file (`.asis`, mod_asis) is a response, not a program.
NOT_PROGRAMS = (*DATA_SUFFIXES, ".lua", ".desktop", ".asis")
_MODE_DIGITS = re.compile(r"^0?[0-7]?([0-7]{3})$")
_MODE_SYMBOLS = re.compile(r"(?:^|,)[ugoa]*[+=][rwsXt]*x")


def executable_mode(mode: str) -> bool:
    """A Puppet `mode` that lets someone run the file: `0755`, `'0550'`, `'a+x'`, `'u=rwx'`."""
    digits = _MODE_DIGITS.match(mode.strip())
    if digits is not None:
        return any(int(d) & 1 for d in digits.group(1))
    return _MODE_SYMBOLS.search(mode.strip()) is not None


def is_executable(install: Install, text: str | None, executable_in_tree: bool) -> bool:
    """A file a root installs to be run: a shebang, a script suffix, an executable `mode`,
    the executable bit in the tree, or a home in a `bin`/`sbin`/`libexec`/`plugins` folder.

    A path that ends in `/` or has no basename is no script, and what is plainly data
    (`.conf`, `.yaml`) needs a shebang or an executable mode to count."""
    dest = install.dest
    if not dest.startswith("/") or dest.endswith("/") or not posixpath.basename(dest):
        return False
    if text is not None and text.lstrip("\ufeff").startswith("#!"):
        return True
    base = install.spec_path.removesuffix(".erb").removesuffix(".epp")
    if base.lower().endswith(NOT_PROGRAMS) or dest.lower().endswith(NOT_PROGRAMS):
        return False  # an executable mode on data (`kif.yaml` with 0755) is a stray bit too
    if install.mode and executable_mode(install.mode):
        return True
    if _settings_module(dest, base):
        return False
    if base.endswith((*SCRIPT_SUFFIXES, ".pl", ".rb")) or executable_in_tree:
        return True
    folders = set(posixpath.dirname(dest).split("/"))
    return bool(folders & EXEC_FOLDERS)


# `python /usr/local/lib/x.py`, `bash /opt/x.sh`, `perl -w /srv/x`: an interpreter, its own
# flags, then the script's path (a file installed with mode 0644 that a cron line runs so).
_RUN_BY = re.compile(
    r"(?:^|[\s'\"`;|&(=/])(?P<interpreter>python[\d.]*|pypy3?|bash|sh|dash|ksh|zsh|perl|ruby)"
    r"(?:\s+-[\w-]+)*\s+['\"]?(?P<path>/[^\s'\"`;|&<>()]+)"
)


def run_by_interpreter(texts: Iterable[str], dests: set[str]) -> dict[str, str]:
    """The installed paths in `dests` that some text hands to an interpreter to run, each with
    the language it is run as (`python`, `shell`, `perl`, `ruby`)."""
    out: dict[str, str] = {}
    if not dests:
        return out
    for text in texts:
        for m in _RUN_BY.finditer(text):
            if m.group("path") in dests:
                word = m.group("interpreter")
                language = "python" if word.startswith("py") else word
                out.setdefault(m.group("path"), language if word in ("perl", "ruby") or
                               language == "python" else "shell")  # fmt: skip
    return out


def script_name(dest: str, spec_path: str) -> str:
    base = posixpath.basename(dest) if dest else posixpath.basename(spec_path)
    for suffix in (".erb", ".epp", ".j2"):
        base = base.removesuffix(suffix)
    return base


def watched_scripts(
    rules: Iterable[ScriptRule],
    installs: Iterable[Install],
    interfaces: dict[str, Interface | None],
    executables: Callable[[Install], bool] = lambda install: False,
) -> list[Watched]:
    """Merge configured scripts with discovered ones: every install whose interface is read
    (`interfaces`, keyed by spec path) and every other that `executables` says is run."""
    by_spec: dict[str, Watched] = {}
    ruled: set[str] = set()
    for rule in rules:
        ruled.add(rule.interface)
        paths = {c for c in rule.commands if c.startswith("/")}
        names = {posixpath.basename(c) for c in rule.commands if c}
        declared = frozenset(c for c in rule.commands if c and "/" not in c)
        by_spec[rule.interface] = Watched(
            rule.name, rule.interface, frozenset(paths), frozenset(names), declared
        )
    # What the config says a script is called by: an install there is that script, whose
    # interface the config names (a wrapper shipped in front of a packaged tool).
    configured = {p for w in by_spec.values() for p in w.paths}
    declared_names = {n for w in by_spec.values() for n in w.declared}
    for install in installs:
        dest = install.dest
        if not dest.startswith("/") or dest.endswith("/") or not posixpath.basename(dest):
            continue  # installed at a path we cannot tell: nothing would call it by that path
        if install.spec_path not in by_spec and (
            dest in configured
            or (dest.startswith(BIN_DIRS) and posixpath.basename(dest) in declared_names)
        ):
            continue
        if interfaces.get(install.spec_path) is None and not executables(install):
            continue
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
    return sorted(_distinct(by_spec.values(), ruled), key=lambda w: (w.name, w.spec_path))


def _distinct(watched: Iterable[Watched], ruled: set[str]) -> list[Watched]:
    """`/etc/init.d/jobloop` next to `/usr/local/bin/jobloop`: two scripts, one name. The one
    on the PATH keeps the name; the others (not named by a rule) are called by their path, so
    that findings, `--fix` and `driftlint interface` tell them apart. Templates of one script
    installed at the same path (one per release) keep their shared name."""
    groups: dict[str, list[Watched]] = {}
    for w in watched:
        groups.setdefault(w.name, []).append(w)
    out: list[Watched] = []
    for group in groups.values():
        on_path = [w for w in group if any(p.startswith(BIN_DIRS) for p in w.paths)]
        for w in group:
            elsewhere = on_path and w not in on_path and w.spec_path not in ruled
            if elsewhere and w.paths and not w.paths & {p for o in on_path for p in o.paths}:
                w = replace(w, name=min(w.paths))
            out.append(w)
    return out
