"""Place what a catalog says back in the tree.

A catalog names the manifest of each resource by its path on the machine that compiled it
(`/etc/puppetlabs/code/environments/production/modules/x/manifests/init.pp`): the tree file is
the longest suffix of that path that exists in the tree (`modules/x/manifests/init.pp`).

A command written literally in the manifest (`command => '/usr/local/bin/x -v'`) is located
character for character where it is written, so a finding points at the very word, as a static
finding does. Anything else (a rendered `content`, an interpolated command) is located in a
stand-in file, one per resource and attribute, whose spans are moved to the line where the
attribute is written (`content => template(...)`), or the resource's, once the checks have run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from driftlint.fleet.catalogs import Resource
from driftlint.ltext import LText
from driftlint.model import Span

STAND_IN = "\0fleet/"  # no tree path starts with a NUL
NEAR = 60  # lines after a resource's first line where its attributes are looked for


class PathMap:
    """Catalog paths to tree paths, by the longest suffix the tree has; None when none."""

    def __init__(self, exists: Callable[[str], bool]) -> None:
        self.exists = exists
        self._found: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._found:
            parts = [p for p in path.split("/") if p and p not in (".", "..")]
            self._found[path] = next(
                (s for i in range(len(parts)) if self.exists(s := "/".join(parts[i:]))), None
            )
        return self._found[path]


@dataclass(slots=True)
class StandIn:
    resource: Resource
    attr: str
    path: str | None  # the tree file of the resource, or None
    line: int = 0  # where the attribute is written (`command =>`), else the resource's line


@dataclass(slots=True)
class Locator:
    read: Callable[[str], str | None]  # a tree file's text
    paths: PathMap
    stand_ins: list[StandIn] = field(default_factory=list)
    _texts: dict[tuple[int, str, str], LText] = field(default_factory=dict)

    def value(self, resource: Resource, attr: str, text: str) -> LText:
        """`text`, an attribute of resource, located where the manifest writes it if it
        does so literally, else in the resource's stand-in file. One object per resource
        and text, so that every host shares the parse of it."""
        key = (id(resource), attr, text)
        found = self._texts.get(key)
        if found is None:
            found = self._locate(resource, attr, text)
            self._texts[key] = found
        return found

    def _locate(self, resource: Resource, attr: str, text: str) -> LText:
        path = self.paths(resource.file) if resource.file else None
        source = self.read(path) if path else None
        line = resource.line
        if path and source and resource.line:
            lines = source.split("\n")
            start = sum(len(line) + 1 for line in lines[: resource.line - 1])
            stop = start + sum(len(line) + 1 for line in lines[resource.line - 1 :][:NEAR])
            at = source.find(text, start, stop) if attr != "content" and text else -1
            if at >= 0:
                line = source.count("\n", 0, at) + 1
                column = at - (source.rfind("\n", 0, at) + 1) + 1
                return LText.literal(text, path, line, column)
            # Not written literally (interpolated, rendered): the line of `attr =>`.
            found = re.compile(rf"\b{re.escape(attr)}\s*=>").search(source, start, stop)
            if found is not None:
                line = source.count("\n", 0, found.start()) + 1
        self.stand_ins.append(StandIn(resource, attr, path, line))
        return LText.literal(text, f"{STAND_IN}{len(self.stand_ins) - 1}", 1, 1)

    def stand_in(self, span: Span) -> StandIn | None:
        if not span.path.startswith(STAND_IN):
            return None
        return self.stand_ins[int(span.path[len(STAND_IN) :])]

    def place(self, span: Span) -> Span | None:
        """A span in the tree for a span that may be in a stand-in file; None when the
        resource's manifest is not in the tree."""
        found = self.stand_in(span)
        if found is None:
            return span
        if found.path is None:
            return None
        line = max(found.line, 1)
        text = self.read(found.path) or ""
        lines = text.split("\n")
        written = lines[line - 1] if line <= len(lines) else ""
        indent = len(written) - len(written.lstrip())
        return Span(found.path, line, indent + 1, line, max(len(written), indent) + 1)
