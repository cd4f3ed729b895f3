"""Edits of YAML (Hiera) text that keep comments, indentation and quoting as written.

The document is composed (safe, never constructed into objects) only to find the scalar and
the list that hold a word; the edit itself is a splice of the text at the node's marks, so
everything outside the removed characters stays byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

_DASH = re.compile(r"[ \t]*-[ \t]+\Z")  # the `- ` before a block list item on its line
_REST = re.compile(r"[ \t]*(#.*)?\Z")  # what may follow an item on its line
MAX_DEPTH = 200


@dataclass(frozen=True, slots=True, order=True)
class Splice:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ItemCut:
    """Remove item `index` of a YAML list; cuts of one list are made together."""

    sequence: yaml.SequenceNode
    index: int


class Document:
    """One YAML file's node tree, composed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root: yaml.Node | None = None
        self._tried = False

    @property
    def root(self) -> yaml.Node | None:
        if not self._tried:
            self._tried = True
            try:
                # The pure-Python loader: its marks count characters of this very string.
                self._root = yaml.compose(self.text, Loader=yaml.SafeLoader)
            except (yaml.YAMLError, RecursionError, ValueError):
                self._root = None
        return self._root

    def content(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the words of text[start:end] end: its scalar's text (inside the quotes), cut
        to the line when the scalar spans several; None outside any scalar."""
        found = self._holder(start, end)
        if found is None:
            return None
        node = found[0]
        low, high = _content(node) or (node.start_mark.index, node.end_mark.index)
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        return max(low, line_start), min(high, line_end)

    def whole(self, start: int, end: int, starts: list[int]) -> list[Splice | ItemCut] | None:
        """Edits that drop text[start:end] when it is a whole scalar, list item or line of a
        multi-line scalar; None when it is none of these."""
        found = self._holder(start, end)
        if found is None:
            return None
        node, parent, index = found
        lo, hi = node.start_mark.index, node.end_mark.index
        content = _content(node)
        if content == (start, end):
            if isinstance(parent, yaml.SequenceNode):
                return [ItemCut(parent, index)]
            if isinstance(parent, yaml.MappingNode) and index % 2 == 1:
                # A mapping value: keep the key, with an empty string as its value.
                return [Splice(lo, hi, "''")] if node.style is None else [Splice(start, end, "")]
            return None
        line_start = max(s for s in starts if s <= start)
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        before, after = self.text[line_start:start], self.text[end:line_end]
        alone = not before.strip(" \t") and not after.strip(" \t")
        closes_later = node.style in (None, "|", ">") or hi > line_end
        if alone and lo < line_start and closes_later:
            return [Splice(line_start, min(line_end + 1, len(self.text)), "")]
        return None

    def _holder(self, start: int, end: int) -> tuple[yaml.ScalarNode, yaml.Node | None, int] | None:
        """The scalar holding text[start:end], its parent and its place among the parent's
        children (a mapping counts keys and values: value k is 2k+1)."""
        root = self.root
        if root is None:
            return None
        for node, parent, index in _walk(root, None, 0, 0):
            inside = node.start_mark.index <= start and end <= node.end_mark.index
            if isinstance(node, yaml.ScalarNode) and inside:
                return node, parent, index
        return None


def _walk(
    node: yaml.Node, parent: yaml.Node | None, index: int, depth: int
) -> Iterator[tuple[yaml.Node, yaml.Node | None, int]]:
    yield node, parent, index
    if depth > MAX_DEPTH:
        return
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            yield from _walk(child, node, i, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for i, (key, value) in enumerate(node.value):
            yield from _walk(key, node, 2 * i, depth + 1)
            yield from _walk(value, node, 2 * i + 1, depth + 1)


def _content(node: yaml.ScalarNode) -> tuple[int, int] | None:
    """Offsets of a one-line scalar's text inside its quotes; None for block scalars."""
    lo, hi = node.start_mark.index, node.end_mark.index
    if node.style is None:
        return lo, hi
    if node.style in ("'", '"'):
        return lo + 1, hi - 1
    return None


def cut_items(text: str, cuts: list[ItemCut]) -> list[Splice] | str:
    """Splices that remove the cut items, each list's together; or why they cannot be made."""
    by_list: dict[int, tuple[yaml.SequenceNode, set[int]]] = {}
    for cut in cuts:
        by_list.setdefault(id(cut.sequence), (cut.sequence, set()))[1].add(cut.index)
    out: list[Splice] = []
    for sequence, indexes in by_list.values():
        if len(indexes) == len(sequence.value) and not sequence.flow_style:
            return "removing the items would leave a YAML list with none"
        found = (_flow_cuts if sequence.flow_style else _block_cuts)(text, sequence, indexes)
        if isinstance(found, str):
            return found
        out.extend(found)
    return out


def _block_cuts(text: str, sequence: yaml.SequenceNode, indexes: set[int]) -> list[Splice] | str:
    """Remove each item's lines (`  - -v` and a comment after it); other lines stay."""
    out = []
    for i in sorted(indexes):
        item = sequence.value[i]
        lo, hi = item.start_mark.index, item.end_mark.index
        line_start = text.rfind("\n", 0, lo) + 1
        line_end = text.find("\n", hi)
        line_end = len(text) if line_end < 0 else line_end
        if not _DASH.match(text[line_start:lo]) or not _REST.match(text[hi:line_end]):
            return "the list item shares its line with other YAML"
        out.append(Splice(line_start, min(line_end + 1, len(text)), ""))
    return out


def _flow_cuts(text: str, sequence: yaml.SequenceNode, indexes: set[int]) -> list[Splice]:
    """Remove runs of items of `[a, b, c]` with the commas and blanks between them."""
    items = sequence.value
    out = []
    i = 0
    while i < len(items):
        if i not in indexes:
            i += 1
            continue
        j = i
        while j + 1 in indexes:
            j += 1
        if j + 1 < len(items):  # `[x, y]` -> `[y]`: up to the next kept item
            out.append(Splice(items[i].start_mark.index, items[j + 1].start_mark.index, ""))
        elif i > 0:  # `[x, y]` -> `[x]`: from the end of the previous kept item
            out.append(Splice(items[i - 1].end_mark.index, items[j].end_mark.index, ""))
        else:  # every item: `[]`
            out.append(Splice(items[i].start_mark.index, items[j].end_mark.index, ""))
        i = j + 1
    return out
