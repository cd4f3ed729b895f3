"""Usage strings that code prints (`print("Usage: x.py OUT [ROOT [K]]")`, `die "Usage: $0 ..."`,
`sys.exit("usage: %s HOST" % sys.argv[0])`), and how they refine what the code says (issue 26).

Only a string literal that starts with `usage:` and is the first argument of a printing or exiting
command is read (Python `print`, Python 2 `print >>sys.stderr,`, `sys.exit`, `exit`,
`sys.stderr.write`, `raise SystemExit`; Perl `die`, `warn`, `print`, `printf`, `say`; Ruby
`puts`, `warn`, `abort`, `print`, `$stderr.puts`, `raise`). Help lines (`print("  -v  verbose")`)
are never part of it. A placeholder where the program's name stands (`%s`, `%(prog)s`, `{}`,
`{0}`, `{sys.argv[0]}`, `#{$0}`) is read as `$0`.

Code decides (DESIGN §5): `refine` keeps what the positional code reader is sure of and takes
from the text only what the code leaves open.
"""

from __future__ import annotations

import re
from dataclasses import replace

from driftlint.interfaces.common import TextLine, make_interface
from driftlint.interfaces.usage import best_usage
from driftlint.model import Interface, Positional

__all__ = ["code_usage", "refine"]

_PY_CALL = (
    r"(?:print\s*(?:>>\s*[\w.]+\s*,\s*)?\(?|(?:sys\.)?exit\s*\(|sys\.std(?:err|out)\.write\s*\("
    r"|raise\s+SystemExit\s*\(?)\s*"
)
_PERL_CALL = (
    r"(?:die|warn|croak|confess|print|printf|say)\b\s*\(?\s*"
    r"(?:STDERR\s+|\{\s*\*?STDERR\s*\}\s*)?"
)
_RUBY_CALL = (
    r"(?:puts|warn|abort|print|(?:\$stderr|STDERR|\$stdout|STDOUT)\.(?:puts|print|write)"
    r"|raise(?:\s+\w+\s*,)?|exit_with_usage)\b\s*\(?\s*"
)
_QUOTE = r"(?P<quote>'''|\"\"\"|'|\")"
_START = {
    "python": re.compile(
        rf"(?:^|[;:]|\bthen\b|\belse\b)\s*{_PY_CALL}(?P<prefix>[rRuUfFbB]{{0,2}}){_QUOTE}"
    ),
    "perl": re.compile(
        rf"(?:^|[;{{]|\bor\b|\band\b|\bunless\b|\bif\b|&&|\|\|)\s*{_PERL_CALL}(?P<prefix>){_QUOTE}"
    ),
    "ruby": re.compile(
        rf"(?:^|[;]|\bthen\b|\bunless\b|\bif\b|&&|\|\|)\s*{_RUBY_CALL}(?P<prefix>){_QUOTE}"
    ),
}
_USAGE = re.compile(r"\s*(?:\\n)*\s*usage\s*:", re.I)
# Where the program's name is written in the pattern's first word.
_PLACEHOLDER = re.compile(
    r"%(?:\(\w+\))?s|\{(?:\d*|prog\w*|name|script\w*|me|sys\.argv\[0\]|[\w.]*basename\([^)]*\))\}"
    r"|#\{[^}]*\}|\$\{?0\}?|\$PROGRAM_NAME|\$FindBin::Script|__FILE__"
)
_MAX_BLOCKS = 50
# `command args`: an operand named so stands for any number of words, none included.
_ANY = re.compile(r"^(?:args?|arguments?|params?|parameters?|argv)$", re.I)


def code_usage(language: str, text: str, path: str, progs: frozenset[str]) -> Interface | None:
    """The usage pattern some printing command of the script writes, as a text interface."""
    blocks = _blocks(language, text)
    usage = best_usage(blocks, path, progs | {"$0"})
    if usage is None or not usage.has_pattern:
        return None
    return make_interface(
        "", "docopt", options=usage.options, positionals=usage.positionals, source=usage.source
    )


def _blocks(language: str, text: str) -> list[list[TextLine]]:
    start = _START[language]
    lines = text.split("\n")
    out: list[list[TextLine]] = []
    for number, raw in enumerate(lines, start=1):
        if raw.lstrip().startswith("#") or ("sage" not in raw and "SAGE" not in raw):
            continue
        for m in start.finditer(raw):
            quote = m.group("quote")
            if not _USAGE.match(raw, m.end()):
                continue
            block = _literal(
                lines, number, m.end(), quote, raw_string="r" in m.group("prefix").lower()
            )
            if block:
                out.append(block)
            break
        if len(out) >= _MAX_BLOCKS:
            break
    return out


def _literal(
    lines: list[str], number: int, at: int, quote: str, *, raw_string: bool
) -> list[TextLine]:
    """The literal's text from `at` to its closing quote, as lines; a `\\n` escape ends a line.
    A one-quote literal must close on its line; a triple-quoted one may run on."""
    out: list[TextLine] = []
    row, start = number, at
    while row <= len(lines):
        raw = lines[row - 1]
        end = _close(raw, start, quote, raw_string)
        piece = raw[start : len(raw) if end < 0 else end]
        column = start + 1
        for part in re.split(r"(\\n)", piece):
            if part == "\\n":
                column += 2
                continue
            out.append(TextLine(part.replace("\\t", "  "), row, column))
            column += len(part)
        if end >= 0:
            return _first_line_program(out)
        if len(quote) == 1 or len(out) > 200:
            return []
        row, start = row + 1, 0
    return []


def _close(raw: str, start: int, quote: str, raw_string: bool) -> int:
    i = start
    while i < len(raw):
        if raw[i] == "\\" and not raw_string:
            i += 2
            continue
        if raw.startswith(quote, i):
            return i
        i += 1
    return -1


def _first_line_program(block: list[TextLine]) -> list[TextLine]:
    """`usage: %s HOST`: the placeholder after `usage:` becomes `$0…` of the same width."""
    for index, line in enumerate(block):
        m = re.match(r"(\s*usage\s*:\s*)", line.text, re.I)
        if m is None:
            continue
        rest = line.text[m.end() :]
        p = _PLACEHOLDER.match(rest)
        if p is not None:
            width = len(p.group(0))
            text = line.text[: m.end()] + "$0" + "0" * max(0, width - 2) + rest[width:]
            if width == 1:
                text = line.text[: m.end()] + "$" + rest[width:]
            block[index] = TextLine(text, line.line, line.column)
        break
    return block


def refine(code: Interface | None, text: Interface | None) -> Interface | None:
    """The positional reading of `code`, with what usage `text` adds where the code is open.

    - text that names options (other than help) is about a hand parse the code reader does not
      see as options: the code's reading stays;
    - code that reads no argument while its own usage names operands: the reading missed
      something, so the count is open (no false `too-many-arguments`);
    - code with an open count takes the text's operands when they require at least what the
      code requires, the last one open (`setlock.pl LOCKFILE command args` hands on `@args`):
      text alone never makes a word too many where the code may read any number;
    - code with a bounded count takes the text's operands when they allow at least as many
      and require at least as many (`case "$1" in start|stop)` with `usage: $0 start|stop`;
      an operand the text names that the code reader did not see read is no error); text that
      allows fewer than the code reads cannot make a word too many: the code's count stays."""
    if code is None or text is None or code.dialect != "positional":
        return code
    if any(n not in ("-h", "--help") for o in text.options for n in o.names):
        return code
    words = text.positionals
    if not words:
        return code
    if not code.positionals:
        return replace(code, positionals=(Positional("args", 0, None),))
    low, high = _count(words)
    have_low, have_high = _count(code.positionals)
    if low < have_low:
        return code
    words = tuple(
        replace(p, min=0, max=None) if _ANY.match(p.name.strip("<>[]")) else p for p in words
    )
    if have_high is None:
        return replace(code, positionals=(*words[:-1], replace(words[-1], max=None)))
    if high is None or high >= have_high:
        return replace(code, positionals=words)
    return code


def _count(words: tuple[Positional, ...]) -> tuple[int, int | None]:
    high: int | None = 0
    for p in words:
        high = None if high is None or p.max is None else high + p.max
    return sum(p.min for p in words), high
