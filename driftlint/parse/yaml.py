"""Safe-load one YAML document into located driftlint values (Hiera data, rule files)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

import yaml

from driftlint.ltext import LText, Run
from driftlint.model import Finding, Span
from driftlint.values import Unknown, Value

try:
    _LOADER: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _LOADER = yaml.SafeLoader

# Alias expansion is where a "billion laughs" document explodes; nesting is where recursion does.
MAX_NODES = 100_000
MAX_DEPTH = 200

_CORE = "tag:yaml.org,2002:"
_TRUE = {"true", "yes", "on", "y"}  # YAML 1.1, as PyYAML and Ruby's Psych read it
_HEX = {"x": 2, "u": 4, "U": 8}
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
# YAML's line breaks (spec 5.4): block scalars are cut into lines by these, as PyYAML and
# libyaml do; spans count `\n` only (see _newline_starts).
BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BREAK_CHARS = "\r\n\x85\u2028\u2029"
_BLANKS = " \t" + _BREAK_CHARS
_BLOCK_HEADER = re.compile(r"[|>]([1-9]?)[+-]?([1-9]?)")
_PROPERTIES = re.compile(r"(?:[&!][^ \t\r\n]*[ \t\r\n]+)*")


def load_yaml(text: str, path: str) -> tuple[Value, tuple[Finding, ...]]:
    """Compose `text` and convert it; bad YAML gives (None, parse-error findings), never raises.

    Leading BOMs are dropped, as read_source() drops one: columns count from after them.
    """
    text = text.lstrip("\ufeff")  # libyaml's marks would not count them; ours would
    try:
        deep = _too_deep(text)
        if deep is not None:
            line, column = _line_column(text, deep)
            message = f"YAML too deep: nesting beyond {MAX_DEPTH} levels"
            return None, (_finding(path, line, column, message),)
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = _line_column(text, mark.index) if mark is not None else (0, 0)
        message = " ".join(str(p) for p in (error.context, error.problem) if p) or "bad YAML"
        return None, (_finding(path, line, column, f"invalid YAML: {message}"),)
    except yaml.reader.ReaderError as error:
        position = error.position
        if _LOADER is not yaml.SafeLoader:  # libyaml gives a byte offset into the UTF-8 text
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        line, column = _line_column(text, position)
        return None, (_finding(path, line, column, f"invalid YAML: {error.reason}"),)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, MemoryError) as error:
        return None, (_finding(path, 0, 0, f"invalid YAML: {type(error).__name__}"),)
    if node is None:
        return None, ()
    converter = _Converter(path, text)
    value = converter.convert(node, 0)
    return value, tuple(converter.findings)


# libyaml's composer recurses in C, unbounded: 40,000 nested `[` or `- ` crashed the process
# (SIGSEGV; issue 30). A text with fewer characters that open a level than this cannot nest
# that deep and is composed as it is; past it the tokens are counted first, without recursion.
_SCAN_ABOVE = 10_000
_OPEN = (
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)


def _too_deep(text: str) -> int | None:
    """The character offset where the document nests past MAX_DEPTH levels, if it does."""
    if sum(text.count(c) for c in "[{-?:") <= _SCAN_ABOVE:
        return None
    depth = 0
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                index: int = token.start_mark.index
                if _LOADER is not yaml.SafeLoader:  # libyaml gives a byte offset (ReaderError)
                    index = len(text.encode("utf-8")[:index].decode("utf-8", errors="ignore"))
                return index
        elif isinstance(token, _CLOSE):
            depth = max(0, depth - 1)
    return None


def _finding(path: str, line: int, column: int, message: str) -> Finding:
    span = Span(path, line + 1, column + 1, line + 1, column + 2)
    return Finding(span, "parse-error", message, severity="warning")


def _line_column(text: str, index: int) -> tuple[int, int]:
    """0-based line and column of a character offset, lines split at `\n` only."""
    return _line_column_fast(_newline_starts(text), index)


def _newline_starts(text: str) -> list[int]:
    # Spans count lines as editors and the rest of driftlint do (a lone `\r`, NEL or U+2028
    # does not start one), not as YAML's marks do.
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in BREAK.finditer(text)]


@dataclass(slots=True)
class _Converter:
    path: str
    text: str
    findings: list[Finding] = field(default_factory=list)
    visited: int = 0
    starts: list[int] = field(default_factory=list)  # offset of each line's first character
    newlines: list[int] = field(default_factory=list)  # the same, lines split at `\n` only
    too_deep: bool = False
    located: dict[int, LText] = field(default_factory=dict)  # aliases share their nodes

    def __post_init__(self) -> None:
        self.starts = _line_starts(self.text)
        self.newlines = _newline_starts(self.text)

    def place(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (marks count YAML's breaks)."""
        line, column = _line_column_fast(self.newlines, offset)
        return line + 1, column + 1

    def span(self, node: yaml.Node) -> Span:
        return Span(self.path, *self.place(node.start_mark.index), *self.place(node.end_mark.index))

    def stop(self, node: yaml.Node, message: str) -> None:
        line, column = self.place(node.start_mark.index)
        self.findings.append(_finding(self.path, line - 1, column - 1, message))

    def convert(self, node: yaml.Node, depth: int) -> Value:
        self.visited += 1
        if self.visited > MAX_NODES or depth >= MAX_DEPTH:
            if self.visited == MAX_NODES + 1:
                self.stop(node, f"YAML too large: aliases expand beyond {MAX_NODES} nodes")
            elif depth >= MAX_DEPTH and not self.too_deep:
                self.too_deep = True
                self.stop(node, f"YAML too deep: nesting beyond {MAX_DEPTH} levels")
            return Unknown(self.span(node), "yaml")
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, tag)
        if isinstance(node, yaml.SequenceNode) and tag == _CORE + "seq":
            return tuple(self.convert(item, depth + 1) for item in node.value)
        if isinstance(node, yaml.MappingNode) and tag == _CORE + "map":
            return self.mapping(node, depth)
        # `!ruby/object`, `!!python/object/apply`, `!!set`, `!!omap`: never constructed.
        return Unknown(self.span(node), tag)

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Value]:
        out: dict[str, Value] = {}
        merged: dict[str, Value] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                # `<<: *defaults` (or a list of them): explicit keys win, earlier merges win.
                value = self.convert(value_node, depth + 1)
                for part in value if isinstance(value, tuple) else (value,):
                    if isinstance(part, dict):
                        merged = {**part, **merged}
                continue
            key = self.convert(key_node, depth + 1)
            if isinstance(key, LText):
                name = key.text
            elif isinstance(key, bool):
                name = "true" if key else "false"
            elif key is None:
                name = ""
            else:
                continue  # a sequence, hash or unknown key cannot name anything we look up
            out[name] = self.convert(value_node, depth + 1)
        return {**merged, **out} if merged else out

    def scalar(self, node: yaml.ScalarNode, tag: str) -> Value:
        raw: str = node.value
        if tag == _CORE + "null":
            return None
        if tag == _CORE + "bool":
            return raw.lower() in _TRUE
        if tag in (_CORE + t for t in ("str", "int", "float", "timestamp", "value")):
            found = self.located.get(id(node))
            if found is None:
                found = self.located[id(node)] = self.locate(node)
            return found
        return Unknown(self.span(node), tag)

    # locating -----------------------------------------------------------------------------
    def offset(self, line: int, column: int) -> int:
        return self.starts[line] + column if line < len(self.starts) else len(self.text)

    def locate(self, node: yaml.ScalarNode) -> LText:
        """Give each character of the scalar's value the place it is written at.

        The source is decoded into candidate characters (escapes, `''`, indentation removed)
        and the value is matched against them in order; characters made by line folding
        (a break read as a space) have no place of their own and stay unlocated.
        """
        value: str = node.value
        start = self.offset(node.start_mark.line, node.start_mark.column)
        # The node starts at its anchor or tag, if any (`&a !!str text`): skip to the scalar.
        if found := _PROPERTIES.match(self.text, start):
            start = found.end()
        end = self.offset(node.end_mark.line, node.end_mark.column)
        style = node.style
        if style in ("|", ">"):
            candidates = self.block_candidates(start, end)
        elif style == '"':
            candidates = self.double_candidates(start + 1, max(start + 1, end - 1))
        elif style == "'":
            candidates = self.single_candidates(start + 1, max(start + 1, end - 1))
        else:
            candidates = [(self.text[i], i) for i in range(start, end)]
        offsets = _align(value, candidates)
        if offsets is None:  # should not happen; keep the value, placed at its start
            line, column = self.place(node.start_mark.index)
            return LText(value, (Run(0, len(value), self.path, line, column),) if value else ())
        return LText(value, self.runs(offsets))

    def runs(self, offsets: list[int | None]) -> tuple[Run, ...]:
        runs: list[Run] = []
        i = 0
        while i < len(offsets):
            first = offsets[i]
            if first is None or self.text[first] in _BREAK_CHARS:
                i += 1
                continue
            j = i + 1
            while j < len(offsets):
                nxt = offsets[j]
                if nxt != first + (j - i) or self.text[nxt] in _BREAK_CHARS:
                    break
                j += 1
            line, column = self.place(first)
            runs.append(Run(i, j, self.path, line, column))
            i = j
        return tuple(runs)

    def single_candidates(self, start: int, end: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        i = start
        while i < end:
            out.append((self.text[i], i))
            i += 2 if self.text.startswith("''", i) else 1
        return out

    def double_candidates(self, start: int, end: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        text, i = self.text, start
        while i < end:
            char = text[i]
            if char != "\\" or i + 1 >= end:
                out.append((char, i))
                i += 1
                continue
            code = text[i + 1]
            if code in _HEX:
                digits = text[i + 2 : i + 2 + _HEX[code]]
                with contextlib.suppress(ValueError, OverflowError):
                    out.append((chr(int(digits, 16)), i))
                i += 2 + _HEX[code]
            elif code in _ESCAPES:
                out.append((_ESCAPES[code], i))
                i += 2
            else:  # an escaped line break joins the lines with nothing between them
                i += 2
                while i < end and text[i] in _BLANKS:
                    i += 1
        return out

    def block_candidates(self, start: int, end: int) -> list[tuple[str, int]]:
        text = self.text
        first, _ = _line_column_fast(self.starts, start)
        last, _ = _line_column_fast(self.starts, end)
        match = _BLOCK_HEADER.match(text, start)
        explicit = int(match.group(1) or match.group(2) or 0) if match else 0
        lines: list[tuple[int, str]] = []
        for number in range(first + 1, min(last + 1, len(self.starts))):
            begin = self.starts[number]
            stop = self.starts[number + 1] if number + 1 < len(self.starts) else len(text)
            lines.append((begin, text[begin:stop].rstrip(_BREAK_CHARS)))
        indent = explicit or min(
            (len(s) - len(s.lstrip(" ")) for _, s in lines if s.strip()), default=0
        )
        out: list[tuple[str, int]] = []
        for begin, line in lines:
            skip = min(indent, len(line) - len(line.lstrip(" ")))
            out.extend((c, begin + k) for k, c in enumerate(line[skip:], skip))
            out.append(("\n", begin + len(line)))
        return out


def _line_column_fast(starts: list[int], offset: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # last line start <= offset
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo, offset - starts[lo]


def _align(value: str, candidates: list[tuple[str, int]]) -> list[int | None] | None:
    """Match value's characters to candidates in order; None when they cannot be matched."""
    out: list[int | None] = []
    k = 0
    for char in value:
        if k < len(candidates) and candidates[k][0] == char:
            out.append(candidates[k][1])
            k += 1
            continue
        if char in " \n":  # made by folding a line break
            out.append(None)
            continue
        # Whitespace the folding dropped (indentation, trailing blanks, the break itself).
        while k < len(candidates) and candidates[k][0] in _BLANKS and candidates[k][0] != char:
            k += 1
        if k < len(candidates) and candidates[k][0] == char:
            out.append(candidates[k][1])
            k += 1
        else:
            return None
    return out
