"""What a change is in git: a worktree at its base, the files it touches, the lines it removed.

Everything here runs `git` only, read-only except `git worktree add/remove` of a temporary
folder, through driftlint.git (no hook, filter, textconv or signature program runs), and
files are written from git's objects, so a repository's config cannot make driftlint run a
program (DESIGN §10).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from driftlint import git
from driftlint.interfaces import history

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's id of the empty tree


class BaseUnavailable(Exception):
    """The base revision cannot be checked: not a git checkout, no such revision."""


def _git(cwd: Path, *args: str) -> bytes | None:
    # `git commit` gives pre-commit a GIT_INDEX_FILE, which a worktree's checkout would
    # otherwise fill with the base's files, and so change the commit.
    return git.run(cwd, *args, keep_index=False)


def repo_prefix(root: Path) -> tuple[Path, str] | None:
    """The repository top holding root and root's path under it (`""` at the top, else
    `a/b/`); None outside git."""
    top = history.git_root(root)
    if top is None:
        return None
    try:
        rel = Path(os.path.realpath(root)).relative_to(os.path.realpath(top))
    except ValueError:
        return None
    prefix = rel.as_posix()
    return top, "" if prefix == "." else prefix + "/"


def _commit(top: Path, rev: str) -> str | None:
    if not rev or rev.startswith("-") or "\0" in rev or "\n" in rev:
        return None
    out = _git(top, "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}")
    return out.decode("ascii", "replace").strip() or None if out else None


def _unborn(top: Path) -> bool:
    """A repository without any commit yet (the first `git commit`)."""
    return _git(top, "rev-parse", "--verify", "-q", "HEAD") is None and (
        _git(top, "rev-parse", "--git-dir") is not None
    )


def unborn(root: Path) -> bool:
    """root is in a repository with no commit yet: a first commit's base is empty."""
    where = repo_prefix(root)
    return where is not None and _unborn(where[0])


def base_commit(root: Path, base: str) -> tuple[Path, str, str | None]:
    """The repository top, root's prefix under it, and the commit the change is compared
    with: where HEAD left `base` (`git merge-base base HEAD`, as a merge request's diff), so a
    fix the target branch made after the change branched off is not blamed on the change.
    `A...B` names the merge base of A and B. The commit is None when `base` is `HEAD` of a
    repository with no commit yet (the base is empty). Raises BaseUnavailable."""
    where = repo_prefix(root)
    if where is None:
        raise BaseUnavailable(f"--base {base}: {root} is not in a git checkout")
    top, prefix = where
    left, dots, right = base.partition("...")
    tips = (left or "HEAD", right or "HEAD") if dots else (base, "HEAD")
    commits = [_commit(top, tip) for tip in tips]
    if commits[0] is None or commits[1] is None:
        if base == "HEAD" and _unborn(top):
            return top, prefix, None
        missing = tips[0] if commits[0] is None else tips[1]
        hint = _SHALLOW_ADVICE if _shallow(top) else ""
        raise BaseUnavailable(f"--base {base}: no such revision `{missing}`{hint}")
    if commits[0] == commits[1]:
        return top, prefix, commits[0]
    out = _git(top, "merge-base", commits[0], commits[1])
    found = out.decode("ascii", "replace").strip() if out else ""
    if not found:
        if _shallow(top):
            raise BaseUnavailable(
                f"--base {base}: the clone is shallow and does not reach where "
                f"{tips[1]} left {tips[0]}{_SHALLOW_ADVICE}"
            )
        raise BaseUnavailable(f"--base {base}: {tips[0]} and {tips[1]} have no common history")
    return top, prefix, found


_SHALLOW_ADVICE = (
    " (the clone is shallow: fetch more history, e.g. `git fetch --deepen=200` or"
    " `git fetch --unshallow`; in CI, `fetch-depth: 0` on GitHub or `GIT_DEPTH: 0` on GitLab)"
)


def _shallow(top: Path) -> bool:
    return _git(top, "rev-parse", "--is-shallow-repository") == b"true\n"


def base_rev(root: Path, base: str) -> str | None:
    """The commit `--base` compares with (see base_commit); None when it cannot be named."""
    try:
        return base_commit(root, base)[2]
    except BaseUnavailable:
        return None


@contextlib.contextmanager
def tree_at_base(root: Path, base: str) -> Iterator[Path | None]:
    """Yield the folder that holds root's files at `base`, in a temporary git worktree with the
    repository's history (so specs have their history there, as here); None when the base is
    empty (see base_commit). The worktree is removed afterwards. Raises BaseUnavailable."""
    top, prefix, commit = base_commit(root, base)
    if commit is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="driftlint-base-") as tmp:
        work = Path(tmp) / "tree"
        # --no-checkout: the files come from git's objects below, never through filters.
        if _git(top, "worktree", "add", "--detach", "--no-checkout", str(work), commit) is None:
            raise BaseUnavailable(f"--base {base}: git worktree add failed")
        try:
            folder = work / prefix if prefix else work
            tree = f"{commit}:{prefix.rstrip('/')}" if prefix else commit
            if prefix and _git(top, "cat-file", "-e", tree) is None:
                folder.mkdir(parents=True)  # the change adds the whole tree
            elif not history.tree_at(top, tree, folder):
                raise BaseUnavailable(f"--base {base}: cannot read the tree at {commit[:12]}")
            yield folder
        finally:
            if _git(top, "worktree", "remove", "--force", str(work)) is None:
                shutil.rmtree(work, ignore_errors=True)
                _git(top, "worktree", "prune")


def _git_index(top: Path, *args: str) -> bytes | None:
    """git with the index a hook was given (`git commit -a` and `git commit FILE` stage the
    commit in a temporary index named by GIT_INDEX_FILE; git.run keeps it)."""
    return git.run(top, *args)


def staged_files(root: Path) -> frozenset[str] | None:
    """Repository-relative files the index changes against HEAD (all of them before the first
    commit); None outside git."""
    where = repo_prefix(root)
    if where is None:
        return None
    top, _ = where
    against = "HEAD" if not _unborn(top) else EMPTY_TREE
    out = _git_index(top, "diff", "--cached", "--name-only", "-z", "--no-renames", against, "--")
    if out is None:
        return None
    return frozenset(os.fsdecode(n) for n in out.split(b"\0") if n)


def unstaged(root: Path) -> bool:
    """The working tree holds what the index does not: modified or untracked files (not
    ignored ones). A hook must then check the index, not the working tree."""
    where = repo_prefix(root)
    if where is None:
        return False
    top, _ = where
    modified = _git_index(top, "diff", "--name-only", "-z", "--no-ext-diff", "--")
    untracked = _git_index(top, "ls-files", "--others", "--exclude-standard", "-z")
    return bool((modified or b"").strip(b"\0") or (untracked or b"").strip(b"\0"))


@contextlib.contextmanager
def tree_of_index(root: Path) -> Iterator[Path]:
    """Yield a folder holding root's files as the index stages them, in a temporary git
    worktree at HEAD (so specs have their history there). Files come from git's objects
    (`git write-tree` of the index, then as tree_at_base). Raises BaseUnavailable."""
    where = repo_prefix(root)
    if where is None:
        raise BaseUnavailable(f"{root} is not in a git checkout: there is no index to check")
    top, prefix = where
    out = _git_index(top, "write-tree")
    tree = out.decode("ascii", "replace").strip() if out else ""
    if not tree:
        raise BaseUnavailable("the index cannot be written as a tree (unmerged files?)")
    head = None if _unborn(top) else _commit(top, "HEAD")
    with tempfile.TemporaryDirectory(prefix="driftlint-index-") as tmp:
        work = Path(tmp) / "tree"
        made = None
        if head is not None:
            made = _git(top, "worktree", "add", "--detach", "--no-checkout", str(work), head)
        if made is None:
            work.mkdir()  # no commit yet: no history to keep
        try:
            folder = work / prefix if prefix else work
            rev = f"{tree}:{prefix.rstrip('/')}" if prefix else tree
            if prefix and _git(top, "cat-file", "-e", rev) is None:
                folder.mkdir(parents=True)
            elif not history.tree_at(top, rev, folder):
                raise BaseUnavailable("cannot read the index's files")
            yield folder
        finally:
            if made is None or _git(top, "worktree", "remove", "--force", str(work)) is None:
                shutil.rmtree(work, ignore_errors=True)
                _git(top, "worktree", "prune")


def clean_head(root: Path) -> str | None:
    """The commit HEAD names when the repository holding root has no change in its files
    (none staged, modified, untracked or ignored-but-present); else None."""
    where = repo_prefix(root)
    if where is None:
        return None
    top, _ = where
    status = _git(top, "status", "--porcelain", "-z", "--ignored=matching")
    if status is None or status.strip(b"\0"):
        return None
    return _commit(top, "HEAD")


def changed_files(root: Path, base: str | None) -> frozenset[str] | None:
    """Repository-relative files the change touches: since `base` (working tree and untracked
    files included), else the HEAD commit's files plus uncommitted ones. None outside git."""
    where = repo_prefix(root)
    if where is None:
        return None
    top, _ = where
    names: set[bytes] = set()
    args = ("--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv")
    if base is not None:
        commit = base_rev(root, base)
        out = _git(top, "diff", *args, commit, "--") if commit else None
        if out is None:
            return None
        names |= set(out.split(b"\0"))
    else:
        # The change is the HEAD commit: against its first parent, as Zuul's speculative merge
        # commit too; a root commit against the empty tree. Then what is not committed yet.
        parent = _commit(top, "HEAD~1") or EMPTY_TREE
        head = _git(top, "diff", *args, parent, "HEAD", "--")
        names |= set((head or b"").split(b"\0"))
        names |= set((_git(top, "diff", *args, "HEAD", "--") or b"").split(b"\0"))
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
    names |= set((untracked or b"").split(b"\0"))
    return frozenset(os.fsdecode(n) for n in names if n)


@dataclass(frozen=True, slots=True)
class Hunk:
    new_line: int  # first line of the new side; for a pure deletion, the line before it
    removed: tuple[str, ...]
    added: tuple[str, ...]


_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def hunks(root: Path, base: str | None, path: str) -> tuple[Hunk, ...]:
    """The change's hunks of a repository-relative file (against `base`, else HEAD's parent,
    working tree included); () when git cannot tell."""
    where = repo_prefix(root)
    if where is None:
        return ()
    top, _ = where
    # Without a base: the change is the HEAD commit, or every file of a first commit.
    rev = base_rev(root, base) if base is not None else _commit(top, "HEAD~1") or EMPTY_TREE
    if not rev:
        return ()
    out = _git(top, "diff", "-U0", "--no-ext-diff", "--no-textconv", rev, "--", path)
    return parse_hunks(out or b"")


def parse_hunks(diff: bytes) -> tuple[Hunk, ...]:
    found: list[Hunk] = []
    new_line, removed, added = 0, list[str](), list[str]()
    inside = False
    for raw in diff.split(b"\n"):
        match = _HUNK.match(raw)
        if match:
            if inside:
                found.append(Hunk(new_line, tuple(removed), tuple(added)))
            start, count = int(match[1]), int(match[2] or b"1")
            new_line = start if count else max(start, 1)
            removed, added, inside = [], [], True
        elif inside and raw.startswith(b"-") and not raw.startswith(b"---"):
            removed.append(raw[1:].decode("utf-8", "replace"))
        elif inside and raw.startswith(b"+") and not raw.startswith(b"+++"):
            added.append(raw[1:].decode("utf-8", "replace"))
    if inside:
        found.append(Hunk(new_line, tuple(removed), tuple(added)))
    return tuple(found)
