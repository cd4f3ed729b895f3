"""Git history of usage specs (when did an option disappear?) and trees at a base revision.

`git` is the only program driftlint runs, always through driftlint.git, which turns off every
setting of a repository's config that would run a program.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from driftlint import git
from driftlint.model import Interface, Option

TIMEOUT = git.TIMEOUT
WORKING_TREE = "the working tree"


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """git's standard output, or None when git is missing, fails or takes too long."""
    return git.run(cwd, *args, stdin=stdin)


def git_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding path, or None."""
    folder = path if path.is_dir() else path.parent
    out = _git(folder, "rev-parse", "--show-toplevel")
    if not out or not out.strip():
        return None
    return Path(os.fsdecode(out.rstrip(b"\n")))


head_commit = git.head_commit  # kept here for its callers; the run cache imports it from git


def _bad_rev(rev: str) -> bool:
    # A revision that starts with `-` would be read as an option.
    return not rev or rev.startswith("-") or "\0" in rev or "\n" in rev


def _repo_path(root: Path, path: str) -> tuple[Path, str] | None:
    """The repository top and path relative to it, for a tree-relative path."""
    repo = git_root(root)
    if repo is None:
        return None
    try:
        rel = Path(os.path.realpath(root), path).relative_to(os.path.realpath(repo))
    except ValueError:
        return None
    return repo, posixpath.normpath(rel.as_posix())


def show_file(root: Path, rev: str, path: str) -> str | None:
    """The text of a tree-relative file at rev, or None."""
    where = _repo_path(root, path)
    if where is None or _bad_rev(rev):
        return None
    out = _cat(where[0], [f"{rev}:{where[1]}"])
    return out[0] if out else None


def _cat(repo: Path, names: Sequence[str]) -> list[str | None] | None:
    """The texts of objects (`rev:path`) in one `git cat-file --batch`, None for missing ones."""
    if not names:
        return []
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in names).encode())
    if out is None:
        return None
    texts: list[str | None] = []
    pos = 0
    for _ in names:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():
            texts.append(None)  # `<name> missing` or `ambiguous`
            continue
        size = int(header[2])
        blob = out[pos : pos + size]
        pos += size + 1
        if header[1] != b"blob":
            texts.append(None)
            continue
        texts.append(blob.decode("utf-8", errors="replace").removeprefix("\ufeff"))
    texts.extend([None] * (len(names) - len(texts)))
    return texts


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    short: str
    date: str  # YYYY-MM-DD
    subject: str
    path: str  # the spec's path in this commit (it may have been renamed since)


def spec_commits(root: Path, spec_path: str, max_commits: int = 200) -> tuple[Commit, ...]:
    """Commits that touched the spec, newest first, following renames."""
    where = _repo_path(root, spec_path)
    if where is None:
        return ()
    repo, rel = where
    args = ("--no-merges", f"-n{max(1, max_commits)}", "--format=%x00%H%x09%h%x09%as%x09%s",
            "--name-only", "--", rel)  # fmt: skip
    # Following renames compares blobs of older commits; a clone missing some of them (a
    # mirror without its largest files, a partial clone offline) fails there, and the
    # history up to the rename is still worth having.
    out = _git(repo, "log", "--follow", *args) or _git(repo, "log", *args)
    if not out:
        return ()
    commits: list[Commit] = []
    path = rel
    for record in out.decode("utf-8", errors="replace").split("\0")[1:]:
        head, _, names = record.partition("\n")
        fields = head.split("\t", 3)
        if len(fields) != 4:
            continue
        listed = [n for n in names.splitlines() if n.strip()]
        path = listed[-1] if listed else path
        commits.append(Commit(fields[0], fields[1], fields[2], fields[3], path))
    return tuple(commits)


def _by_name(interface: Interface) -> dict[str, Option]:
    return {name: option for option in interface.options for name in option.names}


def _replacement(old: Option, older: dict[str, Option], newer: dict[str, Option],
                 now: set[str]) -> str:  # fmt: skip
    """An option the removing commit added that is still accepted, like the removed one."""
    best, score = "", 0.0
    for option in dict.fromkeys(newer.values()):
        added = [n for n in option.names if n not in older and n in now]
        if not added:
            continue
        same_help = bool(old.help.strip()) and old.help.strip().casefold() == (
            option.help.strip().casefold()
        )
        ratio = max(difflib.SequenceMatcher(None, a, b).ratio() for a in old.names for b in added)
        value = 2.0 if same_help else ratio
        if value >= 0.6 and value > score:
            best, score = max(added, key=lambda n: (n.startswith("--"), len(n))), value
    return best


def removed_options(
    root: Path,
    spec_path: str,
    current: Interface,
    read_at: Callable[[str, str], Interface | None],
    *,
    max_commits: int = 200,
) -> tuple[Option, ...]:
    """Options an earlier version of the spec accepted and the current one does not.

    Each carries the newest commit where it disappeared: short hash, date, subject, and the
    option that commit added in its place when one looks like it. Not a git checkout, no git,
    or an untracked spec: ().
    """
    commits = spec_commits(root, spec_path, max_commits)
    where = _repo_path(root, spec_path) if commits else None
    if where is None:
        return ()
    texts = _cat(where[0], [f"{c.sha}:{c.path}" for c in commits])
    if texts is None:
        return ()
    versions: list[tuple[Commit | None, dict[str, Option]]] = [(None, _by_name(current))]
    for commit, text in zip(commits, texts, strict=True):
        if text is None:
            continue
        try:
            interface = read_at(commit.sha, text)
        except Exception:  # a spec reader bug on an old version must not stop the run
            interface = None
        if interface is not None:
            versions.append((commit, _by_name(interface)))
    now = set(versions[0][1])
    # name -> (index of the newer version, the option as it was just before)
    gone: dict[str, tuple[int, Option]] = {}
    for i in range(len(versions) - 1):
        newer, older = versions[i][1], versions[i + 1][1]
        for name, option in older.items():
            if name not in now and name not in newer and name not in gone:
                gone[name] = (i, option)
    groups: dict[tuple[int, int], list[str]] = {}
    for name, (i, option) in gone.items():
        groups.setdefault((i, id(option)), []).append(name)
    out = []
    for (i, _), names in groups.items():
        by = versions[i][0]
        option = gone[names[0]][1]
        ordered = tuple(n for n in option.names if n in names)
        # A spelling of the same option that is still accepted (`-c` dropped, `--node-class`
        # kept) is what the caller meant: rename to it, never drop the option and its value.
        kept = [n for n in option.names if n in now and n not in names]
        survivor = max(kept, key=lambda n: (n.startswith("--"), len(n))) if kept else ""
        out.append(
            replace(
                option,
                names=ordered,
                required=False,
                deprecated="",
                removed_in=by.short if by else WORKING_TREE,
                removed_on=by.date if by else "",
                message=by.subject if by else "",
                replacement=survivor
                or _replacement(option, versions[i + 1][1], versions[i][1], now),
                span=None,
                sources=frozenset({"history"}),
            )
        )
    return tuple(sorted(out, key=lambda o: o.names))


def changed_files(root: Path, base: str) -> tuple[str, ...] | None:
    """Tree-relative files that differ between base and the working tree, untracked included;
    None when root is not a git checkout or base is no revision."""
    if _bad_rev(base):
        return None
    diff = _git(root, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
                "--no-textconv", "--relative", base, "--")  # fmt: skip
    if diff is None:
        return None
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    names = set(diff.split(b"\0")) | set((untracked or b"").split(b"\0"))
    return tuple(sorted(os.fsdecode(n) for n in names if n))


def tree_at(root: Path, rev: str, dest: Path) -> bool:
    """Write the files of root's folder as they were at rev into dest (created); False on any
    failure. Objects come from `git cat-file`, so `export-ignore` attributes and filters do not
    change what is written, and nothing is written outside dest."""
    if _bad_rev(rev):
        return False
    listing = _git(root, "ls-tree", "-r", "-z", rev)
    if listing is None:
        return False
    entries: list[tuple[str, str, str]] = []  # mode, object, path
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) == 3 and parts[1] == b"blob":
            entries.append((parts[0].decode(), parts[2].decode(), os.fsdecode(name)))
    try:
        dest.mkdir(parents=True, exist_ok=True)
        real_dest = os.path.realpath(dest)
        blobs = _blobs(root, [e[1] for e in entries])
        if blobs is None:
            return False
        for (mode, _obj, path), data in zip(entries, blobs, strict=True):
            _write(real_dest, path, mode, data)
    except OSError:
        return False
    return True


def _blobs(root: Path, objects: Sequence[str]) -> list[bytes] | None:
    if not objects:
        return []
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in objects).encode())
    if out is None:
        return None
    blobs, pos = [], 0
    for _ in objects:
        end = out.find(b"\n", pos)
        header = out[pos:end].split(b" ")
        if end < 0 or len(header) != 3 or not header[2].isdigit():
            return None
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


def _write(real_dest: str, name: str, mode: str, data: bytes) -> None:
    normal = posixpath.normpath(name)
    if normal.startswith(("../", "/")) or normal in ("..", ".") or "\0" in normal:
        return
    target = os.path.join(real_dest, *normal.split("/"))
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    # A folder on the way must not be a link out of dest (git trees cannot make one, but a
    # crafted tree could).
    real_parent = os.path.realpath(parent)
    if real_parent != real_dest and not real_parent.startswith(real_dest + os.sep):
        return
    if mode == "120000":
        os.symlink(os.fsdecode(data), target)
        return
    with open(target, "wb") as handle:
        handle.write(data)
    if mode == "100755":
        os.chmod(target, 0o755)
