"""Walk a tree safely: find its source files and read them within limits."""

from __future__ import annotations

import errno
import os
import posixpath
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from driftlint import safe_re
from driftlint.model import Finding, Span

CODE = "unreadable-file"
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj"})
KINDS = {
    ".pp": "manifest", ".erb": "erb", ".epp": "epp", ".j2": "jinja", ".jinja": "jinja",
    ".jinja2": "jinja", ".yaml": "yaml", ".yml": "yaml",
}  # fmt: skip
MODULE_DIRS = ("modules", "site", "site-modules", "core_modules", "vendor_modules")
BINARY_PROBE = 8192


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # tree-relative POSIX
    kind: str  # "manifest", "erb", "epp", "jinja", "yaml", "other"
    size: int


def kind_of(path: str) -> str:
    return KINDS.get(posixpath.splitext(path)[1].lower(), "other")


def unreadable(path: str, message: str) -> Finding:
    return Finding(Span(path, 1, 1, 1, 1), CODE, message, severity="warning")


# Excluding ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Rule:
    regex: Callable[[str], bool]  # does the whole path match
    negate: bool
    dirs_only: bool


def _translate(glob: str) -> str:
    """A gitignore glob body as a regex: `*` stays in one segment, `**` spans segments."""
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (end := glob.find("]", i + 2)) > 0:
            body = glob[i + 1 : end]
            body = "^" + body[1:] if body[0] in "!^" else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def compile_excludes(patterns: Sequence[str]) -> tuple[_Rule, ...]:
    rules = []
    for raw in patterns:
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern[1:] if negate else pattern
        dirs_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        if not pattern:
            continue
        # As in gitignore: a slash anywhere but at the end anchors the glob at the root.
        anchored = "/" in pattern
        body = _translate(pattern.lstrip("/"))
        prefix = "" if anchored else "(?:.*/)?"
        try:  # linear in the path, however many `*` the glob has (issue 30)
            regex = safe_re.linear(f"{prefix}{body}", re.DOTALL)
        except re.error:
            regex = safe_re.linear(re.escape(pattern.lstrip("/")))
        rules.append(_Rule(regex, negate, dirs_only))
    return tuple(rules)


def excluded(rules: Sequence[_Rule], path: str, is_dir: bool) -> bool:
    """Whether the last rule matching path excludes it (a later `!rule` re-includes it)."""
    out = False
    for rule in rules:
        if rule.dirs_only and not is_dir:
            continue
        if rule.regex(path):
            out = not rule.negate
    return out


# Walking -----------------------------------------------------------------------------------
def discover_sources(
    root: Path, exclude: Sequence[str] = (), max_file_size: int = 5_000_000
) -> tuple[tuple[SourceFile, ...], tuple[Finding, ...]]:
    """Every file of the tree, sorted by path, and the links and folders that cannot be read.

    Sizes are not checked here (read_source does, for the files actually read), so a large
    binary nobody reads makes no noise.
    """
    del max_file_size  # kept in the signature for callers; read_source enforces it
    rules = compile_excludes(exclude)
    files: list[SourceFile] = []
    findings: list[Finding] = []
    try:
        real_root = os.path.realpath(root, strict=True)
    except OSError:
        return (), ()
    linked: set[str] = set()  # real folders already walked through a link
    ignores: list[tuple[str, GitIgnoreSpec]] = []  # the .gitignore files above the folder

    def walk(folder: str, real_folder: str, rel: str, ancestors: frozenset[str]) -> None:
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as error:
            if rel:
                findings.append(unreadable(rel, f"folder cannot be read: {error.strerror}"))
            return
        spec = _gitignore(folder)
        if spec is not None:
            ignores.append((rel, spec))
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
                # A worktree's or submodule's `.git` is a file naming the real one.
                if entry.name in VCS_DIRS and (is_dir or entry.name == ".git"):
                    continue
                if _git_ignored(ignores, path, is_dir):
                    continue
                if link:
                    _link(entry, path, ancestors)
                    continue
                if excluded(rules, path, is_dir):
                    continue
                if is_dir:
                    real = os.path.join(real_folder, entry.name)
                    walk(entry.path, real, path, ancestors | {real})
                elif entry.is_file(follow_symlinks=False):
                    files.append(SourceFile(path, kind_of(path), entry.stat().st_size))
            except OSError as error:
                findings.append(unreadable(path, f"cannot be read: {error.strerror}"))
        if spec is not None:
            ignores.pop()

    def _link(entry: os.DirEntry[str], path: str, ancestors: frozenset[str]) -> None:
        try:
            target = os.path.realpath(entry.path, strict=True)
        except OSError as error:
            if excluded(rules, path, False):
                return
            what = "loops" if error.errno == errno.ELOOP else "leads nowhere"
            findings.append(unreadable(path, f"symbolic link {what}: {path} -> {_readlink(entry)}"))
            return
        is_dir = os.path.isdir(target)
        if excluded(rules, path, is_dir):
            return
        if not _within(target, real_root):
            findings.append(
                unreadable(
                    path, f"symbolic link leads outside the tree: {path} -> {_readlink(entry)}"
                )
            )
        elif is_dir:
            if target in ancestors or target == real_root:
                findings.append(
                    unreadable(path, f"symbolic link loops: {path} -> {_readlink(entry)}")
                )
            elif target not in linked:
                # Each linked folder is walked once, so fans of links cannot multiply the tree.
                linked.add(target)
                walk(entry.path, target, path, ancestors | {target})
        elif os.path.isfile(target):
            files.append(SourceFile(path, kind_of(path), os.stat(target).st_size))

    walk(str(root), real_root, "", frozenset({real_root}))
    files.sort(key=lambda f: f.path)
    findings.sort()
    return tuple(files), tuple(findings)


GITIGNORE_MAX_BYTES = 1_000_000


def _gitignore(folder: str) -> GitIgnoreSpec | None:
    """The folder's own `.gitignore` (a regular file), read with git's rules by pathspec."""
    path = os.path.join(folder, ".gitignore")
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return None
        with open(path, "rb") as handle:
            data = handle.read(GITIGNORE_MAX_BYTES)
    except OSError:
        return None
    try:
        return GitIgnoreSpec.from_lines(data.decode("utf-8", "replace").splitlines())
    except Exception:  # pathspec refusing a pattern: git would skip that line, not the file
        return None


def _git_ignored(ignores: list[tuple[str, GitIgnoreSpec]], path: str, is_dir: bool) -> bool:
    """What git decides for an untracked path: the deepest .gitignore with a matching pattern
    (its last match, so `!keep` re-includes), else not ignored."""
    for base, spec in reversed(ignores):
        relative = path[len(base) + 1 :] if base else path
        verdict = spec.check_file(relative + "/" if is_dir else relative).include
        if verdict is not None:
            return verdict
    return False


def _readlink(entry: os.DirEntry[str]) -> str:
    try:
        return os.readlink(entry.path)
    except OSError:
        return "?"


def _within(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


# Reading -----------------------------------------------------------------------------------
def _limit_text(size: int) -> str:
    if size >= 1_000_000 and size % 100_000 == 0:
        return f"{size / 1_000_000:g} MB"
    if size >= 1000 and size % 100 == 0:
        return f"{size / 1000:g} KB"
    return f"{size} bytes"


def _relative(path: str) -> str | None:
    """The path normalised, when it is written relative and does not climb out; else None."""
    if not path or "\0" in path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return None
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


def is_inside(root: Path, path: str) -> bool:
    """Whether a tree-relative path stays in the tree: no absolute path, no `..` escape, and,
    when it exists, no link out. For many paths of one tree, keep one `Inside`."""
    return Inside(root)(path)


class Inside:
    """`is_inside` for many paths of one tree: each folder's real path is found once, so a
    file costs one `lstat` (is it a link?) instead of resolving every part of its path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self._folders: dict[str, str | None] = {}

    def __call__(self, path: str) -> bool:
        normal = _relative(path)
        if normal is None:
            return False
        folder, name = posixpath.split(normal)
        real_folder = self._folder(folder)
        if real_folder is None:
            return False
        full = os.path.join(real_folder, name)
        try:
            if os.path.islink(full):
                return _within(os.path.realpath(full), self.real_root)
        except (OSError, ValueError):
            return False
        return True

    def _folder(self, folder: str) -> str | None:
        """The real path of a tree folder when it is in the tree, else None."""
        if folder in self._folders:
            return self._folders[folder]
        try:
            real = os.path.realpath(os.path.join(self.root, folder) if folder else self.root)
        except (OSError, ValueError):
            real = ""
        found = real if real and _within(real, self.real_root) else None
        self._folders[folder] = found
        return found


def read_source(
    root: Path, path: str, max_file_size: int = 5_000_000, *, inside: bool | None = None
) -> tuple[str | None, Finding | None]:
    """The text of a tree file, or None and an `unreadable-file` finding saying why; for a
    file that is not all UTF-8, its text with U+FFFD in place of the bad bytes and a finding
    at the first.

    A UTF-8 BOM is dropped (columns then count from after it); CRLF is kept as written.
    `inside`: what `is_inside(root, path)` answers, when the caller knows already.
    """
    if not (is_inside(root, path) if inside is None else inside):
        try:
            lexical = not os.path.isabs(path) and not posixpath.normpath(path).startswith("..")
        except ValueError:
            lexical = False
        target = _target(root, path) if lexical else ""
        if target:
            return None, unreadable(path, f"symbolic link leads outside the tree: {target}")
        return None, unreadable(path, f"path leads outside the tree: {path}")
    full = os.path.join(root, path)
    try:
        real = os.path.realpath(full, strict=True)
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            return None, unreadable(path, "not a regular file")
        if info.st_size > max_file_size:
            return None, unreadable(
                path, f"file is larger than the {_limit_text(max_file_size)} limit"
            )
        with open(real, "rb") as handle:
            # Read one byte past the limit: a file that grew since stat() is still refused.
            data = handle.read(max_file_size + 1)
    except OSError as error:
        return None, _os_problem(root, path, error)
    if len(data) > max_file_size:
        return None, unreadable(path, f"file is larger than the {_limit_text(max_file_size)} limit")
    nul = data.find(b"\0", 0, BINARY_PROBE)
    if nul >= 0:
        return None, unreadable(path, f"binary file (a NUL byte at byte {nul})")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        # One bad byte must not hide every call of the file: the text is read with U+FFFD
        # in place of what does not decode, and the first bad byte is reported where it is.
        offset = bom + error.start
        line = data.count(b"\n", 0, offset) + 1
        start = max(data.rfind(b"\n", 0, offset) + 1, bom)
        column = len(data[start:offset].decode("utf-8", "replace")) + 1
        found = Finding(
            Span(path, line, column, line, column + 1),
            CODE,
            f"not valid UTF-8 at byte {offset} (line {line}); read with U+FFFD in its place",
            severity="warning",
        )
        return data[bom:].decode("utf-8", "replace"), found
    return text, None


def _os_problem(root: Path, path: str, error: OSError) -> Finding:
    """Say a broken link the way discover_sources() does, so the two findings are one."""
    link = _target(root, path)
    if error.errno == errno.ELOOP:
        return unreadable(path, f"symbolic link loops: {link or path}")
    if error.errno == errno.ENOENT and link:
        return unreadable(path, f"symbolic link leads nowhere: {link}")
    return unreadable(path, f"cannot be read: {error.strerror or error}")


def _target(root: Path, path: str) -> str:
    """The text of the link on the way to path that leads out, if there is one."""
    parts = posixpath.normpath(path).split("/")
    for i in range(1, len(parts) + 1):
        here = os.path.join(root, *parts[:i])
        if os.path.islink(here):
            try:
                return "/".join(parts[:i]) + " -> " + os.readlink(here)
            except OSError:
                return ""
    return ""


def detect_module_roots(root: Path) -> tuple[str, ...]:
    """The tree's module folders: `modulepath` of environment.conf, else the usual ones."""
    found: list[str] = []
    text, _ = read_source(root, "environment.conf", 100_000)
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "modulepath":
            for item in re.split(r"[:;]", value.split("#")[0].strip()):
                entry = posixpath.normpath(item.strip()) if item.strip() else ""
                # `$basemodulepath` and absolute folders are outside the tree.
                usable = entry and "$" not in entry and is_inside(root, entry)
                if usable and (root / entry).is_dir() and entry not in found:
                    found.append(entry)
    if not found:
        found = [d for d in MODULE_DIRS if (root / d).is_dir()]
        # r10k installs a Puppetfile's modules into its `moduledir` (default modules/).
        text, _ = read_source(root, "Puppetfile", 100_000)
        for match in _MODULEDIR.finditer(text or ""):
            entry = posixpath.normpath(match.group(2))
            usable = "$" not in entry and is_inside(root, entry) and (root / entry).is_dir()
            if usable and entry not in found:
                found.append(entry)
    return tuple(found) or ("modules",)


_MODULEDIR = re.compile(r"""^\s*moduledir\s*\(?\s*(['"])([^'"\n]+)\1""", re.M)


# A module's folders of code Puppet never loads: rspec-puppet trees (with their fixture copies
# of other modules), the smoke tests and examples `puppet module generate` creates, and Bolt
# plans (`plans/`, run by Bolt, never compiled into a catalog).
NOT_LOADED = frozenset({"tests", "examples", "spec", "plans"})


def is_loaded(path: str, module_roots: Sequence[str]) -> bool:
    """Is the manifest code Puppet loads? Not a module's `tests/`, `examples/`, `spec/` or `plans/`,
    nor anything under a `spec/` folder (rspec fixtures hold copies of whole modules)."""
    parts = path.split("/")
    if "spec" in parts[:-1]:
        return False
    for root in module_roots:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            inner = path[len(prefix) :].split("/")
            return not (len(inner) > 2 and inner[1] in NOT_LOADED)
    return True
