"""Turn planned changes into splices of one file's text, leaving every other character alone.

A renamed option is replaced where it is written. Dropped words go with one run of blanks
next to them inside their container, the text they are words of: a Puppet string or heredoc,
a YAML scalar (a line of it when it spans several), or else their line. The run after them is
taken when more words follow in the container, else the run before them. Words that fill a
whole Puppet string leave it empty (`extra_args => ''`); in YAML, a whole scalar becomes `''`
and a whole list item is removed (driftlint/fix_yaml.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from driftlint.fix import yaml_edit as fix_yaml
from driftlint.fix.plan import Change, Piece
from driftlint.fix.yaml_edit import ItemCut, Splice
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve.scope import walk

_BLANKS = re.compile(r"[ \t]+")
_YAML = (".yaml", ".yml", ".eyaml")

Edit = Splice | ItemCut


@dataclass(slots=True)
class FileText:
    """A file's text (without a BOM) with offsets of its lines, split at `\n` as spans are."""

    path: str
    text: str
    starts: list[int] = field(default_factory=list)
    yaml: fix_yaml.Document | None = None
    _strings: list[tuple[int, int, bool]] | None = None

    def __post_init__(self) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        if self.path.endswith(_YAML):
            self.yaml = fix_yaml.Document(self.text)

    def offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.starts):
            return None
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        offset = self.starts[line - 1] + column - 1
        return offset if self.starts[line - 1] <= offset <= end else None

    def at(self, piece: Piece) -> tuple[int, int] | None:
        """The offsets of a piece, if the file still holds its text there."""
        start = self.offset(piece.line, piece.column)
        if start is None or self.text[start : start + len(piece.text)] != piece.text:
            return None
        return start, start + len(piece.text)

    def line(self, offset: int) -> tuple[int, int]:
        """The offsets of the line holding `offset`, without its line break."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return start, len(self.text) if end < 0 else end

    def container(self, start: int, end: int) -> tuple[int, int, bool]:
        """The text that text[start:end] are words of (see the module docstring), and whether
        all of it may go (not a line, not an item of a Puppet array: its words are argv words
        only if the item goes too)."""
        if self.path.endswith(".pp"):
            held = [s for s in self.strings() if s[0] <= start and end <= s[1]]
            if held:
                return min(held, key=lambda s: s[1] - s[0])
        if self.yaml is not None:
            found = self.yaml.content(start, end)
            if found is not None:
                return (*found, True)
        return (*self.line(start), False)

    def strings(self) -> list[tuple[int, int, bool]]:
        """Offsets of the contents of every Puppet string and heredoc of a manifest."""
        if self._strings is None:
            self._strings = []
            nodes = list(walk(parse_manifest(self.text, self.path).body))
            items = {id(i) for n in nodes if isinstance(n, ast.Array) for i in n.items}
            for node in nodes:
                if isinstance(node, ast.Str) and node.parts:
                    first, last = node.parts[0].span, node.parts[-1].span
                    lo = self.offset(first.line, first.column)
                    hi = self.offset(last.end_line, last.end_column)
                    if lo is not None and hi is not None:
                        self._strings.append((lo, hi, id(node) not in items))
        return self._strings


def render(change: Change, file: FileText) -> list[Edit] | str:
    """The edits that make a change in this file, or why it cannot be made."""
    places = [file.at(p) for p in change.pieces]
    spans = [p for p in places if p is not None]
    if len(spans) != len(places):
        return "the file no longer holds the text where the finding points"
    if change.kind == "replace":
        start, end = spans[0]
        return [Splice(start, end, change.new)]
    edits: list[Edit] = []
    for start, end in _groups(file.text, spans):
        found = _drop(change, file, start, end)
        if found is None:
            words = " ".join(p.text for p in change.pieces)
            return f"`{words}` is not set off from the rest of its text by blanks alone"
        edits.extend(found)
    return edits


def _groups(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge word spans separated only by blanks on one line."""
    groups = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = groups[-1]
        if last_end < start and _BLANKS.fullmatch(text, last_end, start):
            groups[-1] = (last_start, end)
        else:
            groups.append((start, end))
    return groups


def _drop(change: Change, file: FileText, start: int, end: int) -> list[Edit] | None:
    """Drop text[start:end] and one run of blanks next to it, inside its container."""
    text = file.text
    low, high, emptiable = file.container(start, end)
    after = _BLANKS.match(text, end, high)
    if after is not None and after.end() < high and not text[after.end()].isspace():
        return [Splice(start, after.end(), "")]
    before = _blanks_before(text, start, low)
    if before < start and before > low and not text[before - 1].isspace():
        return [Splice(before, end, "")]
    if change.quoted:
        return None  # `"-v"`: dropping the characters would leave an empty word
    if file.yaml is not None:
        return file.yaml.whole(start, end, file.starts)
    if file.path.endswith(".pp"):
        whole = (start, end) == (low, high) and emptiable
        return [Splice(start, end, "")] if whole else None  # all of a string: it becomes ''
    quote = text[start - 1 : start]
    if quote in ("'", '"') and text[end : end + 1] == quote:
        return [Splice(start, end, "")]  # `VAR="-v 0"` in a template or a shell file
    return None


def _blanks_before(text: str, start: int, low: int) -> int:
    while start > low and text[start - 1] in " \t":
        start -= 1
    return start
