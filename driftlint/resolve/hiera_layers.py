"""Hiera layers as Puppet combines them: the global layer, then each module's own."""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftlint import safe_re
from driftlint.model import Finding
from driftlint.resolve.hiera import Hiera, HieraValue, data_file
from driftlint.resolve.hiera_config import Level
from driftlint.resolve.hiera_infer import USUAL_CONFIGS, data_folder, describe, infer_levels

# Where a tree keeps its global Hiera config: the environment's hiera.yaml, else a copy kept
# for tests (Wikimedia's rake_modules/hiera.yaml points its datadir at hieradata/).
HIERA_CONFIGS = ("hiera.yaml", "hiera/hiera.yaml", "rake_modules/hiera.yaml")


@dataclass(slots=True)
class HieraLayers:
    """The global layer, then each module's own layer for that module's keys (Hiera 5)."""

    global_layer: Hiera | None
    modules: dict[str, Hiera]
    # How the global layer was found when not as Puppet would (a datadir outside the tree read
    # from the tree's folder, a config found elsewhere, a hierarchy inferred): one line each
    # for the text summary.
    notes: tuple[str, ...] = ()

    def lookup(self, key: str, facts: dict[str, str]) -> list[HieraValue]:
        found: list[HieraValue] = []
        if self.global_layer is not None:
            found.extend(self.global_layer.lookup(key, facts))
        module = self.modules.get(key.split("::", 1)[0]) if "::" in key else None
        if module is not None and not any(h.certain for h in found):
            found.extend(module.lookup(key, facts))
        return found

    def lookup_merged(self, key: str, facts: dict[str, str]) -> list[HieraValue]:
        """Every value of a top-level key in the global layer, for a merge."""
        if self.global_layer is None:
            return []
        return list(self.global_layer.lookup_merged(key, facts))

    def data_files(self) -> list[str]:
        layers = [self.global_layer, *self.modules.values()]
        return [p for layer in layers if layer is not None for p in layer.data_files()]

    @property
    def config_errors(self) -> list[Finding]:
        layers = [self.global_layer, *self.modules.values()]
        return [e for layer in layers if layer is not None for e in layer.config_errors]

    def file_errors(self, path: str, read: Callable[[str], str | None]) -> tuple[Finding, ...]:
        """A data file's problems, as a lookup that read it found them (or reads it now)."""
        layers = [self.global_layer, *self.modules.values()]
        for layer in layers:
            found = layer.file_errors(path) if layer is not None else None
            if found is not None:
                return found
        text = read(path)
        return data_file(text, path)[1] if text is not None else ()

    @property
    def errors(self) -> list[Finding]:
        layers = [self.global_layer, *self.modules.values()]
        return [e for layer in layers if layer is not None for e in layer.errors]


@dataclass(frozen=True, slots=True)
class HieraSettings:
    """`.driftlint.yaml`'s `hiera:`: the config to read, or the hierarchy itself."""

    config: str = ""
    datadir: str = ""
    hierarchy: tuple[str, ...] = ()


def load_layers(
    read: Callable[[str], str | None],
    files: Sequence[str],
    module_roots: tuple[str, ...],
    classifies: bool = False,
    settings: HieraSettings = HieraSettings(),
) -> HieraLayers:
    """The global layer and the modules' layers.

    `classifies`: `site.pp` includes classes from Hiera, so the data is what makes a node;
    then a `hiera.yaml` kept elsewhere in the tree is looked for, and without one the
    hierarchy is inferred from the data folder's layout, never silently left out.
    """
    paths = list(files)
    list_files = Listing(paths)

    folders = frozenset(posixpath.dirname(p) for p in paths) - {""}
    global_layer, notes = _global_layer(read, paths, list_files, folders, classifies, settings)
    modules: dict[str, Hiera] = {}
    for path in paths:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] in module_roots and parts[2] == "hiera.yaml":
            modules[parts[1]] = Hiera.load(read, list_files, module=parts[1], config=path)
    return HieraLayers(global_layer, modules, tuple(notes))


def _global_layer(
    read: Callable[[str], str | None],
    paths: list[str],
    list_files: Callable[[str], Sequence[str]],
    folders: frozenset[str],
    classifies: bool,
    settings: HieraSettings,
) -> tuple[Hiera | None, list[str]]:
    notes: list[str] = []
    if settings.hierarchy:
        datadir = settings.datadir or data_folder(paths) or "hieradata"
        levels = tuple(
            Level(f"{p} (.driftlint.yaml)", datadir, (p if p.endswith(".yaml") else p + ".yaml",))
            for p in settings.hierarchy
        )
        return Hiera(read, list_files, levels), notes
    config: str | None = settings.config or next((c for c in HIERA_CONFIGS if c in paths), None)
    if config is None and classifies:
        config = next((c for c in USUAL_CONFIGS if c in paths), None) or _any_config(read, paths)
        if config is not None:
            notes.append(f"hiera: no hiera.yaml at the top of the tree; read {config}")
    if config is not None:
        if settings.datadir:
            folders = frozenset({settings.datadir})
        layer = Hiera.load(read, list_files, config=config, folders=folders)
        for moved in dict.fromkeys((lv.moved_from, lv.datadir) for lv in layer.levels):
            if moved[0]:
                notes.append(
                    f"hiera: datadir {moved[0]} of {config} is on the puppet server;"
                    f" read {moved[1] or '.'}/ of the tree in its place"
                )
        return layer, notes
    if not classifies:
        return None, notes
    folder = data_folder(paths)
    if folder is None:
        notes.append(
            "hiera: site.pp includes classes from Hiera, but the tree has no hiera.yaml and no"
            " data folder: its nodes and roles are unknown"
        )
        return None, notes
    levels = infer_levels(paths, read, folder)
    notes.append(
        f"hiera: no hiera.yaml in the tree; hierarchy inferred from {folder}/: {describe(levels)}"
    )
    return Hiera(read, list_files, levels), notes


_CONFIG_NAME = re.compile(r"(?:^|/)[^/]*hiera[^/]*\.ya?ml$")
_HIERARCHY = re.compile(r"^:?hierarchy:", re.MULTILINE)
_NOT_CONFIG = ("modules/", "spec/", "test/", "tests/", "vendor/")


def _any_config(read: Callable[[str], str | None], paths: list[str]) -> str | None:
    """A hiera config kept under another name (`hiera/hiera-stub.yaml`): the nearest the top
    whose text declares a hierarchy, outside modules and tests."""
    found = [
        p
        for p in paths
        if _CONFIG_NAME.search(p)
        and not p.startswith(_NOT_CONFIG)
        and "/fixtures/" not in p
        and _HIERARCHY.search(read(p) or "")
    ]
    return min(found, key=lambda p: (p.count("/"), p), default=None)


class Listing:
    """The files a Hiera glob matches, of those discovery found (a glob never follows a link
    out of the tree), in the listing's order.

    A glob's matches all start with its text before the first wildcard, so only that run of
    the sorted paths is matched: a glob per host's facts matched every file of the tree, half
    of an incremental run on the Wikimedia tree."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        self.order = sorted(range(len(self.paths)), key=self.paths.__getitem__)
        self.ordered = [self.paths[i] for i in self.order]

    def __call__(self, pattern: str) -> list[str]:
        whole = safe_re.linear(_glob_regex(pattern))  # linear in the path (issue 30)
        wild = [i for i in (pattern.find("*"), pattern.find("?")) if i >= 0]
        prefix = pattern[: min(wild)] if wild else pattern
        found = []
        for at in range(bisect.bisect_left(self.ordered, prefix), len(self.ordered)):
            if not self.ordered[at].startswith(prefix):
                break
            if whole(self.ordered[at]):
                found.append(self.order[at])
        return [self.paths[i] for i in sorted(found)]


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
