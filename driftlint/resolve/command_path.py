"""Does a command word run a watched script? Decided from the file the word can run (#19).

A word with a `/` runs that file: it is a call only when it is an installed path of the
script (any role's) or a link the tree installs to one. A bare name runs what the search path
finds: each call site says which directories that is (`SearchPath`), and a name is a call
only when one of them holds an installed path of the script. When the call site cannot tell
(a script that inherits its caller's `PATH`), a name installed on a default `PATH` is still
a call, as before.

Call sites supply their search path through the small helpers here: `exec` (`path =>`, and
Puppet's refusal of an unqualified command without one), cron (`PATH=` lines, else
`/usr/bin:/bin`), systemd units (`ExecSearchPath=`, else systemd's fixed list), a script's own
`PATH=` and `env PATH=...`/`VAR=... cmd` prefixes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from driftlint.ltext import LText
from driftlint.parse.puppet import ast
from driftlint.parse.shell import Command
from driftlint.resolve.evaluate import Resource
from driftlint.resolve.scope import string_literal, walk
from driftlint.values import Value

T = TypeVar("T")

# crontab(5) on Debian: "PATH is set to /usr/bin:/bin" unless the crontab sets it.
CRON_DEFAULT = ("/usr/bin", "/bin")
# systemd.service(5), "Command lines": a name that is not an absolute path is looked up in a
# fixed list compiled in (/usr/local/bin, /usr/bin, /bin and their sbin counterparts), unless
# the unit sets ExecSearchPath= (systemd 250).
SYSTEMD_DEFAULT = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# Wrappers that set their own PATH for the command they run (sudo's secure_path, su and
# runuser's ENV_PATH from login.defs): after them the caller's PATH says nothing.
RESETS_PATH = frozenset({"sudo", "su", "runuser", "ssh"})  # ssh: the remote login shell's
SHELLS = frozenset({"sh", "bash", "dash", "ksh", "zsh"})
_EXEC_SEARCH = re.compile(r"^\s*ExecSearchPath\s*=(.*)$", re.M)
_CRON_PATH = re.compile(r"^\s*PATH\s*=\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class SearchPath:
    """The directories a bare command name is looked up in; `dirs` None: not known."""

    dirs: tuple[str, ...] | None
    origin: str = ""  # what set it, for `driftlint calls`: "cron PATH", "exec path", ...


UNKNOWN = SearchPath(None)
NO_PATH = "exec without `path`: Puppet refuses an unqualified command"


def parse_search_path(text: str | LText | None, origin: str) -> SearchPath:
    """A `PATH` value (`a:b`); anything symbolic or relative makes it unknown."""
    if text is None:
        return UNKNOWN
    if isinstance(text, LText):
        if text.dynamic:
            return UNKNOWN
        text = text.text
    text = text.strip().strip("'\"")
    dirs = tuple(d.rstrip("/") or "/" for d in text.split(":") if d)
    if not dirs or any(not d.startswith("/") or "$" in d for d in dirs):
        return UNKNOWN
    return SearchPath(dirs, origin)


def join_search_paths(paths: Iterable[SearchPath], origin: str) -> SearchPath:
    """Where any of several alternatives may search (one role's branches, several PATHs)."""
    dirs: list[str] = []
    for path in paths:
        if path.dirs is None:
            return UNKNOWN
        dirs.extend(d for d in path.dirs if d not in dirs)
    return SearchPath(tuple(dirs), origin)


def assignment_search_path(
    assignments: Sequence[tuple[str, LText]], outer: SearchPath, origin: str
) -> SearchPath:
    """`PATH=... cmd` or `env PATH=... cmd`: the last PATH assignment wins."""
    found = outer
    for name, value in assignments:
        if name == "PATH":
            found = parse_search_path(value, origin)
    return found


def unit_search_path(text: str) -> SearchPath:
    """A unit's `ExecSearchPath=` (the last one), else systemd's fixed list."""
    values = [m.group(1).strip() for m in _EXEC_SEARCH.finditer(text)]
    if values and values[-1]:
        return parse_search_path(values[-1], "ExecSearchPath")
    return SearchPath(SYSTEMD_DEFAULT, "systemd's default")


def crontab_search_paths(text: str) -> dict[int, SearchPath]:
    """The PATH in force on each line of a crontab (1-based line numbers); lines before any
    `PATH=` line run with cron's default."""
    current = SearchPath(CRON_DEFAULT, "cron's default PATH")
    out: dict[int, SearchPath] = {}
    for number, line in enumerate(text.split("\n"), 1):
        match = _CRON_PATH.match(line)
        if match:
            current = parse_search_path(match.group(1), "crontab PATH")
        out[number] = current
    return out


def exec_search_path(
    path_values: Sequence[object] | None,
    environment: Sequence[object] | None,
    provider: str | None,
    has_default: bool,
) -> SearchPath:
    """Where Puppet's `exec` finds a bare command.

    Puppet's posix provider refuses a command that is not fully qualified when no `path` is
    given ("is not qualified and no path was specified. Please qualify the command or specify
    a path."; exec reference, `path`): it then runs nothing, so the search path is empty.
    `provider` is "posix" when none is given; the shell provider runs `sh -c` with the agent's
    PATH (unknown), as does any provider we cannot read, and an `Exec { }` default in scope
    may supply a path (unknown too). `environment => ['PATH=...']` adds its
    directories (the command runs under it).
    """
    if path_values is None:
        if has_default or provider != "posix":
            return UNKNOWN
        return SearchPath((), NO_PATH)
    found = [_values_search_path(v, "exec path") for v in path_values]
    for env in environment or ():
        for item in env if isinstance(env, tuple) else (env,):
            if isinstance(item, LText) and item.text.startswith("PATH="):
                found.append(parse_search_path(item[5:], "exec environment PATH"))
            elif not isinstance(item, LText):
                return UNKNOWN
    return join_search_paths(found, "exec path")


def _values_search_path(value: object, origin: str) -> SearchPath:
    """`path => '/a:/b'` or `path => ['/a', '/b:/c']`."""
    items = value if isinstance(value, tuple) else (value,)
    parts = []
    for item in items:
        if not isinstance(item, LText):
            return UNKNOWN
        parts.append(parse_search_path(item, origin))
    return join_search_paths(parts, origin)


@dataclass(frozen=True, slots=True)
class TreeFiles:
    """What the tree's `file` resources say about paths, read without evaluating."""

    links: Mapping[str, str] = field(default_factory=dict)  # link path -> its target
    paths: frozenset[str] = frozenset()  # every literal path a `file` resource manages
    recursive: frozenset[str] = frozenset()  # directories managed with `recurse`
    exec_defaults: frozenset[str] = frozenset()  # manifests with an `Exec { }` default
    toplevel_exec_default: bool = False  # one outside any class or define: applies to all
    # A `package` with a pip, gem or npm provider, or an `exec` that installs or builds:
    # files may appear under /usr/local that no resource names.
    local_installers: bool = False

    def may_exist(self, path: str) -> bool:
        """The tree manages this path, a link to it, or a directory above it recursively."""
        if path in self.paths or path in self.links:
            return True
        return any(path.startswith(d.rstrip("/") + "/") for d in self.recursive)


def tree_files(manifests: Iterable[ast.Manifest]) -> TreeFiles:
    links: dict[str, str] = {}
    paths: set[str] = set()
    recursive: set[str] = set()
    defaults: set[str] = set()
    toplevel = False
    local = False
    for manifest in manifests:
        for node in manifest.body:
            if isinstance(node, ast.ResourceDefaults) and node.type == "exec":
                toplevel = True
        for node in walk(manifest.body):
            if isinstance(node, ast.ResourceDefaults) and node.type == "exec":
                defaults.add(node.span.path)
            if isinstance(node, ast.Resource) and node.type in ("package", "exec"):
                local = local or _installs_locally(node)
            if not isinstance(node, ast.Resource) or node.type != "file":
                continue
            for body in node.bodies:
                attrs = {a.name: a.value for a in body.attrs}
                dest = string_literal(attrs["path"]) if "path" in attrs else None
                dest = dest or string_literal(body.title)
                if not dest or not dest.startswith("/"):
                    continue
                dest = posixpath.normpath(dest)
                paths.add(dest)
                ensure = string_literal(attrs["ensure"]) if "ensure" in attrs else None
                target = string_literal(attrs["target"]) if "target" in attrs else None
                if ensure and ensure.startswith("/"):
                    target = ensure  # the old form: `ensure => '/path'` makes a link
                elif ensure not in ("link", None):
                    target = None
                if target:
                    links[dest] = posixpath.normpath(
                        posixpath.join(posixpath.dirname(dest), target)
                    )
                recurse = attrs.get("recurse")
                if (
                    recurse is not None
                    and not (isinstance(recurse, ast.Bool) and not recurse.value)
                    and string_literal(recurse) != "false"
                ):
                    recursive.add(dest)
    return TreeFiles(
        links, frozenset(paths), frozenset(recursive), frozenset(defaults), toplevel, local
    )


LOCAL_PROVIDERS = frozenset({"pip", "pip3", "pipx", "gem", "puppet_gem", "npm"})


def _installs_locally(node: ast.Resource) -> bool:
    for body in node.bodies:
        for attr in body.attrs:
            provider = (string_literal(attr.value) or "").lower()
            if node.type == "package" and attr.name == "provider" and provider in LOCAL_PROVIDERS:
                return True
            if node.type == "exec" and attr.name == "command":
                texts = [p.value.text for p in walk([attr.value]) if isinstance(p, ast.Lit)]
                if any("install" in t for t in texts):
                    return True
    return False


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A command word that runs a watched script, and how the word reached it."""

    script: T
    how: str  # "installed path", "link /usr/bin/x -> /usr/local/bin/x", "name on PATH ..."


@dataclass(slots=True)
class Resolver(Generic[T]):
    """Match command words to watched scripts: each script with its installed paths and the
    names it answers to when the search path is unknown."""

    # (script, installed paths, names on a default PATH, names a rule declares)
    scripts: Sequence[tuple[T, frozenset[str], frozenset[str], frozenset[str]]]
    links: Mapping[str, str] = field(default_factory=dict)
    _by_path: dict[str, T] = field(init=False)
    _by_name: dict[str, T] = field(init=False)
    _declared: dict[str, T] = field(init=False)
    _by_base: dict[str, list[tuple[str, T]]] = field(init=False)  # basename -> (path, script)

    def __post_init__(self) -> None:
        self._by_path = {p: s for s, paths, _, _ in self.scripts for p in paths}
        self._by_name = {n: s for s, _, names, _ in self.scripts for n in names}
        self._declared = {n: s for s, _, _, names in self.scripts for n in names}
        self._by_base = {}
        for path, script in self._by_path.items():
            self._by_base.setdefault(posixpath.basename(path), []).append((path, script))
        for link in self.links:
            found = self.follow(link)
            if found is not None:
                self._by_base.setdefault(posixpath.basename(link), []).append((link, found[1]))

    def follow(self, path: str) -> tuple[str, T] | None:
        """The installed path and script a path is, itself or through the tree's links."""
        seen: set[str] = set()
        while path not in self._by_path:
            if path in seen or path not in self.links:
                return None
            seen.add(path)
            path = self.links[path]
        return path, self._by_path[path]

    def named(self, word: str) -> T | None:
        """The script whose installed basename or declared name the word ends with."""
        base = posixpath.basename(word)
        if base in self._by_name:
            return self._by_name[base]
        found = self._by_base.get(base)
        return found[0][1] if found else None

    def resolve(
        self, word: str, search: SearchPath = UNKNOWN, cwd: str | None = None
    ) -> Match[T] | None:
        """What script the command word runs, or None when it runs none of them."""
        if "/" in word:
            path = word if word.startswith("/") else posixpath.join(cwd, word) if cwd else None
            if path is None:
                return self._relative(word)
            path = posixpath.normpath(path)
            if path in self._by_path:
                return Match(self._by_path[path], "installed path")
            found = self.follow(path)
            if found is not None:
                return Match(found[1], f"link {path} -> {found[0]}")
            return None
        if word in self._declared:
            return Match(self._declared[word], "name declared in a rule")
        places = self._by_base.get(word, [])
        if search.dirs is None:
            if word in self._by_name:
                return Match(self._by_name[word], "name, PATH not known")
            return None
        for directory in search.dirs:
            for path, script in places:
                if posixpath.dirname(path) == directory:
                    return Match(script, f"name on PATH: {path} ({search.origin})")
        if word in self._by_name and not any(s is self._by_name[word] for _, s in places):
            # A name declared in a rule with no installed path known: where it lives is not
            # known either, so the search path cannot rule it out.
            return Match(self._by_name[word], "name, installed path not known")
        return None

    def _relative(self, word: str) -> Match[T] | None:
        """`./x` or `bin/x` with an unknown working directory: a call when some installed
        path ends with it."""
        tail = posixpath.normpath(word)
        tail = tail[2:] if tail.startswith("./") else tail
        if tail.startswith("../"):
            return None
        for path, script in self._by_base.get(posixpath.basename(tail), []):
            if path.endswith("/" + tail):
                return Match(script, f"relative path, {path} (working directory not known)")
        return None


# --- call sites ----------------------------------------------------------------------------
def resource_search_path(resource: Resource, crons_set_path: bool, files: TreeFiles) -> SearchPath:
    """Where an `exec` or `cron` resource finds a bare command name; any other resource
    (a `service`'s own commands, a Forge type) runs with the agent's PATH, not known."""
    attrs = resource.attrs
    if resource.type not in ("exec", "cron"):
        return UNKNOWN
    if resource.type == "cron":
        found = [
            parse_search_path(item[5:], "cron environment PATH")
            for value in attrs.get("environment", ())
            for item in (value if isinstance(value, tuple) else (value,))
            if isinstance(item, LText) and item.text.startswith("PATH=")
        ]
        if found:
            return join_search_paths(found, "cron environment PATH")
        if crons_set_path or "environment" in attrs:
            # Environment lines of other entries of the same crontab carry over.
            return UNKNOWN
        return SearchPath(CRON_DEFAULT, "cron's default PATH")
    provider = "posix"
    if "provider" in attrs:
        provider = _single_text(attrs["provider"]) or "?"
    manifest = resource.span.path
    has_default = files.toplevel_exec_default or manifest in files.exec_defaults
    return exec_search_path(attrs.get("path"), attrs.get("environment"), provider, has_default)


def site_commands(
    site: str, content: LText, read: Callable[[LText], list[Command]]
) -> list[tuple[Command, SearchPath]]:
    """The commands a kind of call site (driftlint.sites, by name) reads from a file, each
    with where it looks up a bare name: a crontab line with the PATH= line above it (each
    line read alone), a unit with its ExecSearchPath= or systemd's list. Other kinds inherit
    a PATH we do not know (supervisord's, nrpe's, Upstart's `env` stanzas are not read); a
    script's own `PATH=` still applies (Command.search_path)."""
    if site == "cron":
        out: list[tuple[Command, SearchPath]] = []
        current = SearchPath(CRON_DEFAULT, "cron's default PATH")
        for row in content.split("\n"):
            match = _CRON_PATH.match(row.text)
            if match:
                current = parse_search_path(match.group(1), "crontab PATH")
                continue
            out.extend((c, current) for c in read(row))
        return out
    search = unit_search_path(content.text) if site == "systemd-unit" else UNKNOWN
    return [(c, search) for c in read(content)]


def first_word_search(search: SearchPath, first: Command, number: int) -> SearchPath:
    """The search path of the `number`th command of an `exec` string whose first is `first`.

    Puppet checks only the first word against `path`: without one, an unqualified first word
    fails the whole resource (nothing of it runs), and a qualified one runs the rest of the
    string with the agent's own PATH, which we do not know.
    """
    if search.origin != NO_PATH:
        return search
    if first.words and "/" not in first.words[0].text and not first.words[0].dynamic:
        return search  # the whole exec fails: no command of it runs
    return search if number == 0 and not first.words else UNKNOWN


def sets_cron_path(resource: Resource) -> bool:
    """A `cron` resource whose environment sets PATH (it carries over to later entries)."""
    return any(
        isinstance(item, LText) and item.text.startswith("PATH=")
        for value in resource.attrs.get("environment", ())
        for item in (value if isinstance(value, tuple) else (value,))
    )


def _single_text(alts: list[Value] | None) -> str | None:
    if alts and len(alts) == 1 and isinstance(alts[0], LText) and not alts[0].dynamic:
        return alts[0].text
    return None


def inner_search_path(command: Command, inner: Command, outer: SearchPath) -> SearchPath:
    """Where the command a wrapper runs finds its name: the outer PATH, unless a wrapper
    resets it (sudo, su) or the inner command sets its own (`env PATH=...`, `sh -c 'PATH=..'`)."""
    if inner is command:
        return assignment_search_path(command.assignments, outer, "PATH= before it")
    head = inner.words[0].span if inner.words else None
    shell = False
    for word in command.words:
        if word.span == head:
            break
        name = "" if word.dynamic else posixpath.basename(word.text)
        login = shell and (word.text == "--login" or _short_flags(word.text, "l"))
        if name in RESETS_PATH or login:
            outer = UNKNOWN  # a login shell reads /etc/profile, which sets PATH
        shell = shell or name in SHELLS
    if inner.search_path is not None:
        outer = parse_search_path(inner.search_path, "PATH= in the command string")
    return assignment_search_path(inner.assignments, outer, "env PATH=")


def _short_flags(text: str, flag: str) -> bool:
    return len(text) > 1 and text[0] == "-" and text[1] != "-" and flag in text[1:]


def why_not(word: str, search: SearchPath) -> str:
    if "/" in word:
        return "runs another file: not an installed path of the script nor a link to one"
    where = ", ".join(search.dirs or ()) or "nothing (no path given)"
    return f"the name is looked up in {where} ({search.origin}), where the script is not installed"
