"""Module folders outside the tree that the user names: `--modulepath DIR` and `.driftlint.yaml`
`modulepath:` (the Forge modules a Puppetfile installs with r10k or `puppet module install`
elsewhere, Debian's `puppet-module-*` packages in /usr/share/puppet/modules).

Nothing else outside the tree is read, and these folders only as Puppet reads a module path:
each entry named like a module is a module (the first folder that holds a name wins, and a
module the tree carries itself is never taken from here). An entry that is a link is followed
once, to its module folder (Debian's entries are links through /etc/alternatives to
/usr/share/puppet/modules.available); inside a module no link that leads out of it is followed,
and files are read with the tree's size limit.

A module-path file is named `<modulepath>/MODULE/PATH`: no tree path, and the same on every
machine whichever folder holds the module. A finding never points there; see `relocate`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from driftlint.discover import read_source
from driftlint.model import Finding

PREFIX = "<modulepath>"
MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_MODULES = 5_000  # entries of one folder taken as modules
MAX_FILES = 20_000  # manifests listed in all
MAX_DEPTH = 16  # folders below a module's manifests/
# What Puppet reads of a module to compile a catalog: its classes and defines, the templates
# and files they name. Nothing else of a module-path folder is ever read.
READ_FOLDERS = frozenset({"manifests", "templates", "files"})


def is_modulepath(path: str) -> bool:
    return path.startswith(PREFIX + "/")


@dataclass(frozen=True, slots=True)
class ModulePath:
    """The modules of the named folders: name -> the real folder that holds it."""

    modules: tuple[tuple[str, str], ...] = ()

    def folder(self, module: str) -> str | None:
        return dict(self.modules).get(module)

    def read(self, path: str, max_file_size: int) -> str | None:
        """The text of `<modulepath>/MODULE/PATH`, or None (no such module or file, a file of
        another folder than manifests/, templates/ and files/, a link out of the module,
        larger than the limit, binary)."""
        if not is_modulepath(path):
            return None
        module, _, rest = path[len(PREFIX) + 1 :].partition("/")
        folder = self.folder(module)
        if folder is None or rest.split("/", 1)[0] not in READ_FOLDERS:
            return None
        return read_source(Path(folder), rest, max_file_size)[0]

    def manifests(self) -> list[str]:
        """Every manifest of every module, as `<modulepath>/` paths, in a stable order."""
        out: list[str] = []
        for module, folder in self.modules:
            for rest in _manifests(folder):
                if len(out) >= MAX_FILES:
                    return out
                out.append(f"{PREFIX}/{module}/{rest}")
        return out

    def digest(self) -> str:
        """A digest of what these modules hold (each readable file's path, size, times and
        inode): a run remembered with other module-path files is not this run's answer."""
        digest = hashlib.blake2b(digest_size=16)
        for module, folder in self.modules:
            digest.update(f"{module}\0{folder}\0".encode("utf-8", "surrogateescape"))
            for rest, info in _files(folder):
                # ctime too: a write moves it, and no `touch -d` sets it back.
                stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                digest.update(f"{rest}\0{stamp}\0".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()


def open_modulepath(folders: Sequence[str], carried: Iterable[str] = ()) -> ModulePath:
    """The modules of `folders` (absolute paths), first folder first; `carried`: the names of
    the tree's own modules, which the tree's code is read for instead."""
    skip = set(carried)
    found: dict[str, str] = {}
    for folder in folders:
        try:
            entries = sorted(os.listdir(folder))[:MAX_MODULES]
        except OSError:
            continue
        for entry in entries:
            if entry in found or entry in skip or not MODULE_NAME.match(entry):
                continue
            full = os.path.join(folder, entry)
            try:
                # A module that is a link (Debian's alternatives) is followed once, to its folder.
                real = os.path.realpath(full) if os.path.islink(full) else full
                if os.path.isdir(real) and not os.path.islink(real):
                    found[entry] = real
            except (OSError, ValueError):
                continue
    return ModulePath(tuple(found.items()))


def split(values: Iterable[str]) -> list[str]:
    """Folders as Puppet's `--modulepath` writes them: each value a `:`-separated list."""
    return [part for value in values for part in value.split(os.pathsep) if part]


def _files(folder: str) -> Iterator[tuple[str, os.stat_result]]:
    """(module-relative path, lstat) of each regular file under the folders that are read,
    sorted, no link followed, within the depth and count limits."""
    count = 0
    for top in sorted(READ_FOLDERS):
        start = os.path.join(folder, top)
        if os.path.islink(start) or not os.path.isdir(start):
            continue
        for here, dirs, files in os.walk(start, followlinks=False):
            depth = os.path.relpath(here, folder).count(os.sep)
            if depth >= MAX_DEPTH:
                dirs[:] = []
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(here, name)
                try:
                    info = os.lstat(full)
                except OSError:
                    continue
                count += 1
                if count > MAX_FILES:
                    return
                if os.path.isfile(full) and not os.path.islink(full):
                    yield os.path.relpath(full, folder).replace(os.sep, "/"), info


def _manifests(folder: str) -> list[str]:
    return [
        rest for rest, _ in _files(folder) if rest.startswith("manifests/") and rest.endswith(".pp")
    ]


def relocate(findings: Iterable[Finding]) -> list[Finding]:
    """Findings where the user can act: one whose word is written in a module-path file moves
    to the last place of its chain in the tree (the site's own declaration that reached the
    module's code, the parameter it passed), saying where the word is written; one with no
    such place (a problem of the module's own files) is not the tree's and is dropped."""
    out = []
    for finding in findings:
        if not is_modulepath(finding.span.path):
            out.append(finding)
            continue
        inside = [v for v in finding.via if not is_modulepath(v.path)]
        if not inside:
            continue
        message = f"{finding.message} (written in {finding.span.where}, a module-path file)"
        out.append(replace(finding, span=inside[-1], message=message))
    return out
