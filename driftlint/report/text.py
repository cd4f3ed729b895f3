"""`--format text`: ShellCheck/ruff-like findings with the source line and a caret underline."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from itertools import groupby

from driftlint.model import Finding, Result, Span
from driftlint.report.common import NO_CONTEXT, ReportContext, plural, summary_line
from driftlint.report.fingerprint import SourceLines

TAB_WIDTH = 4

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
CYAN = "\x1b[36m"
SEVERITY_COLOR = {"error": RED, "warning": YELLOW}

Paint = Callable[[str, str], str]


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    paint = _painter(color)
    lines = SourceLines(result.root)
    out: list[str] = []
    for _path, group in groupby(result.findings, key=lambda f: f.span.path):
        for finding in group:
            out.extend(_finding_block(finding, lines, paint))
            out.append("")
    summary = summary_line(result)
    out.append(paint(BOLD, summary) if result.findings else summary)
    out.extend(result.notes)
    if result.mentions:
        out.append(
            f"{plural(len(result.mentions), 'mention')} not understood"
            " (`driftlint calls --unresolved` lists them)."
        )
    unknown = result.unknown
    if unknown:
        scripts = plural(len(unknown), "called script")
        out.append(
            f"{scripts} with an unknown interface, whose arguments are not checked"
            " (`driftlint interface --unknown` lists them)."
        )
    return "\n".join(out) + "\n"


def _painter(color: bool) -> Paint:
    def paint(style: str, text: str) -> str:
        return f"{style}{text}{RESET}" if color and text else text

    return paint


def _finding_block(finding: Finding, lines: SourceLines, paint: Paint) -> list[str]:
    span = finding.span
    tint = SEVERITY_COLOR.get(finding.severity, RED)
    head = (
        f"{paint(BOLD, escape(str(span)))}: {paint(BOLD + tint, finding.severity)}"
        f"[{paint(BOLD, finding.code)}] {escape(finding.message)}"
    )
    block = [head]
    source = lines.line(span.path, span.line) if lines.printable(span.path) else None
    if source is not None:
        gutter = str(span.line)
        pad = " " * len(gutter)
        shown, start, width = _underline(source, span.column, _end_column(span, source))
        block.append(f" {paint(DIM, gutter + ' |')} {shown}".rstrip())
        block.append(f" {paint(DIM, pad + ' |')} {' ' * start}{paint(tint, '^' * width)}")
    if finding.roles:
        block.append(f"  {paint(CYAN, 'roles:')} {escape(', '.join(finding.roles))}")
    if finding.via:
        via = " → ".join(v.where for v in finding.via)
        block.append(f"  {paint(CYAN, 'via:')} {escape(via)}")
    return block


def escape(text: str) -> str:
    """text with every control and format character written as an escape (`\\x1b`), so
    that nothing from the tree (ESC M, ESC c, a bidi override) reaches the terminal as is."""
    if text.isprintable():
        return text
    return "".join(
        (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if unicodedata.category(char) in _UNSHOWN
        else char
        for char in text
    )


_UNSHOWN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))  # controls, formats, stray surrogates


def _end_column(span: Span, source: str) -> int:
    """The exclusive end column on the span's first line (a multi-line span runs to its end)."""
    return len(source) + 1 if span.end_line != span.line else span.end_column


def _underline(source: str, column: int, end_column: int) -> tuple[str, int, int]:
    """The line as displayed, and the display offset and width of columns [column, end_column).

    Tabs expand and wide characters take two cells, so the carets stay under the text; an empty
    or out-of-line span still gets one caret.
    """
    shown: list[str] = []
    start = width = 0
    cell = 0
    first = max(column, 1) - 1
    last = max(end_column - 1, first + 1)
    for index, char in enumerate(source):
        if index == first:
            start = cell
        if char == "\t":
            size = TAB_WIDTH - cell % TAB_WIDTH
            text = " " * size
        elif unicodedata.category(char) in ("Cc", "Cf"):
            size, text = 1, "?"  # control characters would move the cursor
        else:
            size = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
            text = char
        if first <= index < last:
            width += size
        shown.append(text)
        cell += size
    if first >= len(source):
        start = cell + (first - len(source))
    return "".join(shown), start, max(width, 1)
