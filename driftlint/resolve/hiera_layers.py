"""Hiera layers as Puppet combines them: the global layer, then each module's own."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftlint import safe_re
from driftlint.model import Finding
from driftlint.resolve.hiera import Hiera, HieraValue, data_file

# Where a tree keeps its global Hiera config: the environment's hiera.yaml, else a copy kept
# for tests (Wikimedia's rake_modules/hiera.yaml points its datadir at hieradata/).
HIERA_CONFIGS = ("hiera.yaml", "hiera/hiera.yaml", "rake_modules/hiera.yaml")


@dataclass(slots=True)
class HieraLayers:
    """The global layer, then each module's own layer for that module's keys (Hiera 5)."""

    global_layer: Hiera | None
    modules: dict[str, Hiera]

    def lookup(self, key: str, facts: dict[str, str]) -> list[HieraValue]:
        found: list[HieraValue] = []
        if self.global_layer is not None:
            found.extend(self.global_layer.lookup(key, facts))
        module = self.modules.get(key.split("::", 1)[0]) if "::" in key else None
        if module is not None and not any(h.certain for h in found):
            found.extend(module.lookup(key, facts))
        return found

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


def load_layers(
    read: Callable[[str], str | None], files: Sequence[str], module_roots: tuple[str, ...]
) -> HieraLayers:
    paths = list(files)

    def list_files(pattern: str) -> list[str]:
        # Only files discovery found: a glob never follows a link out of the tree.
        whole = safe_re.linear(_glob_regex(pattern))  # linear in the path (issue 30)
        return [p for p in paths if whole(p)]

    config = next((c for c in HIERA_CONFIGS if c in paths), None)
    global_layer = Hiera.load(read, list_files, config=config) if config else None
    modules: dict[str, Hiera] = {}
    for path in paths:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] in module_roots and parts[2] == "hiera.yaml":
            modules[parts[1]] = Hiera.load(read, list_files, module=parts[1], config=path)
    return HieraLayers(global_layer, modules)


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
