"""ERB templates rendered for one role's values, safely: a small Ruby subset, never Ruby itself."""

# The template is split into text and tags with tree-sitter-embedded-template, then compiled the
# way Ruby's ERB compiles it (`trim_mode: '-'`, as Puppet does): text runs become `__t(i)` calls,
# `<%= code %>` becomes `__o((code))`, other code is copied as is. tree-sitter-ruby parses that
# one program, so `<% if %>`/`<% each do %>` bodies nest as in Ruby, and `ruby_eval` walks it.
# Code is copied at known offsets, so every node maps back to its place in the template.

from __future__ import annotations

import bisect
from dataclasses import dataclass

import tree_sitter_embedded_template
import tree_sitter_ruby
from tree_sitter import Language, Node, Parser

from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.parse import nesting
from driftlint.values import Scope

_ERB = Language(tree_sitter_embedded_template.language())
_RUBY = Language(tree_sitter_ruby.language())
# Levels of the Ruby syntax tree the evaluator may recurse into (driftlint/parse/ruby_eval.py,
# about 1 to 3 Python frames each); 1,000 nested `(` overflowed Python's stack (issue 30).
MAX_NESTING = 150


@dataclass(frozen=True, slots=True)
class Rendering:
    text: LText  # the output; unknown pieces are SYMBOL chars located at the tag
    # Conditions this rendering assumed, e.g. ("`@extra_flags` is set",); () = no guess.
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Printed:
    """What a rendering has printed so far: a chain of pieces, so printing one is O(1)."""

    piece: LText
    before: Printed | None = None

    def __add__(self, piece: LText) -> Printed:
        return Printed(piece, self)

    def joined(self) -> LText:
        pieces: list[LText] = []
        link: Printed | None = self
        while link is not None:
            pieces.append(link.piece)
            link = link.before
        return LText.join(reversed(pieces))


@dataclass(frozen=True, slots=True)
class Tag:
    kind: str  # "output", "code", "comment"
    code: str
    start: int  # character offsets of the whole tag in the template
    end: int
    code_start: int  # character offset of the code in the template
    span: Span


@dataclass(frozen=True, slots=True)
class Segment:
    """Template code copied into the Ruby program at byte `at`; `tag` is where it was written."""

    at: int
    code: bytes
    source: int  # character offset of the code in the template
    tag: Tag


class Template:
    """An ERB template split into text pieces and tags, compiled to one Ruby program."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.items: list[LText | Tag] = []
        self.errors: list[Finding] = []
        self._split()
        self.texts: dict[int, LText] = {}  # byte offset of `__t(` in the program -> text
        self.outputs: dict[int, Tag] = {}  # byte offset of `__o(` -> its tag
        self.segments: list[Segment] = []
        self.program = self._compile()
        self.segment_starts = [s.at for s in self.segments]

    # positions --------------------------------------------------------------------------
    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, *self.pos(start), *self.pos(end))

    def segment(self, at: int) -> Segment | None:
        """The code segment holding program byte `at` (or the last one before it)."""
        i = bisect.bisect_right(self.segment_starts, at) - 1
        return self.segments[i] if i >= 0 else None

    def located(self, start: int, end: int) -> LText:
        """Program bytes [start, end) as text located in the template (one segment)."""
        seg = self.segment(start)
        raw = self.program[start:end].decode("utf-8", "replace")
        if seg is None or end > seg.at + len(seg.code):
            return LText.plain(raw)
        before = seg.code[: start - seg.at].decode("utf-8", "replace")
        return LText.literal(raw, self.path, *self.pos(seg.source + len(before)))

    def tag_at(self, at: int) -> Span:
        seg = self.segment(at)
        return seg.tag.span if seg else Span(self.path, 1, 1, 1, 1)

    # splitting --------------------------------------------------------------------------
    def _split(self) -> None:
        data = self.text.encode("utf-8", "surrogatepass")
        chars = _char_offsets(self.text, data)
        tree = Parser(_ERB).parse(data)
        pieces: list[tuple[int, int] | Tag] = []
        for node in tree.root_node.children:
            start, end = chars[node.start_byte], chars[node.end_byte]
            if node.type == "content":
                pieces.append((start, end))
                continue
            if node.type == "ERROR" or node.has_error or _missing(node):
                where = self.span(start, end)
                self.errors.append(
                    Finding(where, "parse-error", "ERB tag not closed", severity="warning")
                )
                pieces.append(Tag("code", "", start, end, start, where))
                continue
            opening = node.children[0].type if node.children else "<%"
            code_node = next((c for c in node.children if c.type in ("code", "comment")), None)
            code_start = chars[code_node.start_byte] if code_node else start + len(opening)
            code_end = chars[code_node.end_byte] if code_node else code_start
            closing = node.children[-1].type if node.children else "%>"
            kind = {"<%=": "output", "<%#": "comment"}.get(opening, "code")
            if node.type == "comment_directive":
                kind = "comment"
            tag = Tag(
                kind, self.text[code_start:code_end], start, end, code_start, self.span(start, end)
            )
            if opening == "<%-":
                _trim_indent(pieces, self.text, start)
            pieces.append(tag)
            # The grammar reads the `-` of a comment's `-%>` as part of the comment.
            if closing == "-%>" or (kind == "comment" and tag.code.endswith("-")):
                pieces.append((-1, -1))  # marks "drop the newline that follows"
        trim = False
        for piece in pieces:
            if isinstance(piece, Tag):
                self.items.append(piece)
                continue
            if piece == (-1, -1):
                trim = True
                continue
            start, end = piece
            if trim and self.text.startswith("\n", start) and start < end:
                start += 1
            trim = False
            if start < end:
                self.items.append(self._content(start, end))

    def _content(self, start: int, end: int) -> LText:
        out = LText.literal(self.text[start:end], self.path, *self.pos(start))
        # `<%%` in text renders as `<%` (ERB's escape); `%%>` outside a tag stays as is.
        while (i := out.text.find("<%%")) >= 0:
            out = out[: i + 2] + out[i + 3 :]
        return out

    # compiling --------------------------------------------------------------------------
    def _compile(self) -> bytes:
        parts: list[bytes] = []
        size = 0

        def add(chunk: bytes) -> None:
            nonlocal size
            parts.append(chunk)
            size += len(chunk)

        for item in self.items:
            if isinstance(item, LText):
                self.texts[size] = item
                add(b"__t(%d)\n" % len(self.texts))
            elif item.kind == "output":
                self.outputs[size] = item
                add(b"__o((")
                self._code(item, size, add)
                add(b"\n))\n")
            elif item.kind == "code":
                self._code(item, size, add)
                add(b"\n")
        return b"".join(parts)

    def _code(self, tag: Tag, at: int, add: object) -> None:
        code = tag.code.encode("utf-8", "surrogatepass")
        self.segments.append(Segment(at, code, tag.code_start, tag))
        assert callable(add)
        add(code)

    def parse(self) -> Node:
        return Parser(_RUBY).parse(self.program).root_node


def _char_offsets(text: str, data: bytes) -> list[int]:
    """Character offset of every byte offset (0..len(data)) of the UTF-8 text."""
    if len(data) == len(text):
        return list(range(len(data) + 1))
    out: list[int] = []
    for i, char in enumerate(text):
        out.extend([i] * len(char.encode("utf-8", "surrogatepass")))
    out.append(len(text))
    return out


def _missing(node: Node) -> bool:
    return any(c.is_missing for c in node.children)


def _trim_indent(pieces: list[tuple[int, int] | Tag], text: str, tag_start: int) -> None:
    """`<%-` at the start of a line (after spaces/tabs only) drops that indentation."""
    line_start = text.rfind("\n", 0, tag_start) + 1
    if text[line_start:tag_start].strip(" \t") or not pieces:
        return
    last = pieces[-1]
    if isinstance(last, tuple) and last != (-1, -1) and last[1] == tag_start:
        pieces[-1] = (last[0], max(last[0], line_start))


def template_text(text: str, path: str) -> LText:
    """The template with every tag replaced by one SYMBOL located at the tag."""
    try:
        template = Template(text, path)
    except (RecursionError, ValueError, UnicodeError):
        return LText.literal(text, path, 1, 1)
    parts: list[LText] = []  # joined once: `out = out + item` was quadratic in the tags
    for item in template.items:
        if isinstance(item, LText):
            parts.append(item)
        elif item.kind != "comment":
            parts.append(LText.symbol(item.span, "<%= %>" if item.kind == "output" else "<% %>"))
    return LText.join(parts)


def render_erb(
    text: str, path: str, scope: Scope, *, limit: int = 16
) -> tuple[tuple[Rendering, ...], tuple[Finding, ...]]:
    """Every rendering of the template for this scope (forks on unknown conditions)."""
    from driftlint.parse.ruby_eval import evaluate

    try:
        template = Template(text, path)
        if template.errors:
            return (Rendering(template_text(text, path)),), tuple(template.errors)
        root = template.parse()
        nested_at, _ = nesting.past(root, MAX_NESTING)
        if nested_at is not None:
            message = (
                f"Ruby code in ERB tags nested more than {MAX_NESTING} levels deep; "
                "its tags are read as unknown values"
            )
            finding = Finding(
                template.tag_at(nested_at.start_byte), "parse-error", message, severity="warning"
            )
            return (Rendering(template_text(text, path)),), (finding,)
        if root.has_error:
            bad = _first_error(root)
            at = template.tag_at(bad.start_byte) if bad else Span(path, 1, 1, 1, 1)
            message = "Ruby code in ERB tags does not parse"
            finding = Finding(at, "parse-error", message, severity="warning")
            return (Rendering(template_text(text, path)),), (finding,)
        worlds = evaluate(template, root, scope, max(1, limit))
    except (RecursionError, ValueError, UnicodeError, IndexError, KeyError) as error:
        deep = isinstance(error, RecursionError)
        finding = Finding(
            Span(path, 1, 1, 1, 1),
            "parse-error",
            "template nested too deeply to evaluate; its tags are read as unknown values"
            if deep
            else f"template not understood: {type(error).__name__}",
            severity="warning",
        )
        return (Rendering(template_text(text, path)),), (finding,)
    seen: set[tuple[str, tuple[object, ...]]] = set()
    out: list[Rendering] = []
    for out_text, assumptions in worlds:
        key = (out_text.text, out_text.runs)
        if key not in seen:  # two forks that print the same text are one rendering
            seen.add(key)
            out.append(Rendering(out_text, assumptions))
    return tuple(out), ()


def _first_error(node: Node) -> Node | None:
    while not (node.type == "ERROR" or node.is_missing):  # a loop: the tree may be deep
        child = next((c for c in node.children if c.has_error or c.is_missing), None)
        if child is None:
            return None
        node = child
    return node
