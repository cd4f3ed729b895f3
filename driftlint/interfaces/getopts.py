"""Read bash `getopts` optstrings and GNU `getopt -o ... --long ...` calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from driftlint.interfaces.caseloop import case_arms
from driftlint.interfaces.common import LineIndex, parse_error
from driftlint.model import Finding, Option, Span

_GETOPTS = re.compile(r"""(?<![\w-])getopts\s+(?:"([^"\n]*)"|'([^'\n]*)'|([^\s;'"]+))\s""")
_GETOPT = re.compile(r"(?<![\w/-])(?:/usr/bin/)?getopt(?=\s)")
_SHORT_CHAR = re.compile(r"[A-Za-z0-9?]")


@dataclass(frozen=True, slots=True)
class ShellParse:
    """Options a getopts/getopt call declares."""

    dialect: str  # "getopts" or "getopt_long"
    options: tuple[Option, ...]
    source: Span
    interleaved: bool = True
    single_dash_long: bool = False
    errors: tuple[Finding, ...] = ()


def code_lines(text: str) -> str:
    """The text with comments blanked (same length), so code searches skip them."""
    return re.sub(
        r"(?m)(^|\s)#[^\n]*", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), text
    )


def read_getopts(text: str, path: str, index: LineIndex) -> ShellParse | None:
    code = code_lines(text)
    m = _GETOPTS.search(code)
    if m is None:
        return None
    group = 1 if m.group(1) is not None else 2 if m.group(2) is not None else 3
    optstring, start = m.group(group), m.start(group)
    assigned = _assigned(code, optstring)
    if assigned is not None:
        optstring, start = assigned
    options = []
    errors = []
    position = 1 if optstring.startswith(":") else 0  # leading `:` is silent error reporting
    while position < len(optstring):
        char = optstring[position]
        if char == "$":
            errors.append(
                parse_error(
                    index.span(path, start + position, start + len(optstring)),
                    f"getopts optstring `{optstring}` is not literal",
                )
            )
            break
        if not _SHORT_CHAR.match(char) or char == "?":
            position += 1
            continue
        value = optstring[position + 1 : position + 2] == ":"
        span = index.span(path, start + position, start + position + 1)
        options.append(Option(("-" + char,), value, span=span, sources=frozenset({"code"})))
        position += 2 if value else 1
    source = index.span(path, m.start(), m.end() - 1)
    options = _armed(options, code, m.end())
    return ShellParse("getopts", tuple(options), source, interleaved=False, errors=tuple(errors))


# An arm that stores its value (`t) timeout=$OPTARG ;;`) keeps the last one given; one that
# appends (`+=`, `X="$X $OPTARG"`, an array) collects them.
_KEEPS_LAST = re.compile(r"""(?<![\w$])([A-Za-z_]\w*)=["']?\$\{?OPTARG\}?["']?(?=\s|;|$)""")
_COLLECTS = re.compile(
    r"""\+=|\w+\[[^\]]*\]=|=["'(]?\$\{?\w+\}?[^;\n]*\$\{?OPTARG|\bpush\b|echo[^;\n]*OPTARG\s*>>"""
)
_VARIABLE = re.compile(r"\s*([A-Za-z_]\w*)")
_REJECTS = re.compile(r"\bexit\s+(?:[1-9]|\$)|\busage\b|\bdie\b|\bhelp\b", re.I)


def _armed(options: list[Option], code: str, after: int) -> list[Option]:
    """Letters of the optstring as the `case` on getopts' variable handles them (issue 26 §3):
    a letter with no arm, which a rejecting `*)` or `\\?)` arm refuses, is not accepted; one
    that falls through silently is accepted, but is no undocumented option of the script."""
    variable = _VARIABLE.match(code, after)
    if variable is None:
        return options
    cases = list(case_arms(code, variable.group(1)))
    if not cases:
        return options
    arms = cases[0]
    handled = {w for arm in arms for w in arm.words} | {
        n.lstrip("-") for arm in arms for n, _ in arm.names
    }
    rejects = any(
        (arm.catch == "any" or "?" in arm.words) and _REJECTS.search(arm.body) for arm in arms
    )
    bodies: dict[str, str] = {}
    for arm in arms:
        for word in arm.words:
            bodies.setdefault(word, arm.body)
    out = []
    for option in options:
        letter = option.names[0][1:]
        if letter in handled:
            body = bodies.get(letter, "")
            if option.takes_value and _KEEPS_LAST.search(body) and not _COLLECTS.search(body):
                option = replace(option, repeatable=False)  # `t) T=$OPTARG`: the last one wins
            out.append(option)
        elif not rejects:
            out.append(replace(option, span=None))  # accepted, does nothing: not to document
    return out


def _assigned(code: str, optstring: str) -> tuple[str, int] | None:
    """`options=':hl:'` ... `getopts $options opt`: the one literal the variable is set to."""
    name = re.fullmatch(r"\$\{?(\w+)\}?", optstring)
    if name is None:
        return None
    found = list(
        re.finditer(
            rf"""(?m)^\s*(?:local\s+|readonly\s+|declare\s+)?{name.group(1)}="""
            r"""(?:"([^"$`\n]*)"|'([^'\n]*)'|([^\s;'"$`]*))(?=[\s;]|$)""",
            code,
        )
    )
    if len(found) != 1:
        return None
    m = found[0]
    group = 1 if m.group(1) is not None else 2 if m.group(2) is not None else 3
    return m.group(group), m.start(group)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    starts: tuple[int, ...]  # text offset of each character


def _words(code: str, at: int) -> list[_Word]:
    """Shell words from `at` to the end of the command (`;`, `)`, newline without `\\`)."""
    out: list[_Word] = []
    chars: list[str] = []
    starts: list[int] = []
    quote = ""
    i = at
    while i < len(code):
        c = code[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < len(code):
                i += 1
                chars.append(code[i])
                starts.append(i)
            else:
                chars.append(c)
                starts.append(i)
        elif c in "'\"":
            quote = c
        elif c == "\\" and code[i + 1 : i + 2] == "\n":
            i += 1
            if chars:
                out.append(_Word("".join(chars), tuple(starts)))
                chars, starts = [], []
        elif c in " \t" or c in "\n;)|&`":
            if chars:
                out.append(_Word("".join(chars), tuple(starts)))
                chars, starts = [], []
            if c not in " \t":
                break
        else:
            chars.append(c)
            starts.append(i)
        i += 1
    if chars:
        out.append(_Word("".join(chars), tuple(starts)))
    return out


def read_getopt(text: str, path: str, index: LineIndex) -> ShellParse | None:
    code = code_lines(text)
    for m in _GETOPT.finditer(code):
        words = _words(code, m.end())
        found = _getopt_call(words, path, index, m.start(), m.end())
        if found is not None:
            return found
    return None


def _getopt_call(
    words: list[_Word], path: str, index: LineIndex, begin: int, end: int
) -> ShellParse | None:
    short: _Word | None = None
    longs: list[_Word] = []
    alternative = False
    i = 0
    while i < len(words):
        word = words[i].text
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word in ("-o", "--options") and nxt:
            short, i = nxt, i + 2
            continue
        if word.startswith("-o") and len(word) > 2:
            short = _Word(word[2:], words[i].starts[2:])
        elif word.startswith("--options="):
            short = _Word(word[10:], words[i].starts[10:])
        elif word in ("-l", "--long", "--longoptions") and nxt:
            longs.append(nxt)
            i += 2
            continue
        elif word.startswith(("--long=", "--longoptions=")):
            cut = word.index("=") + 1
            longs.append(_Word(word[cut:], words[i].starts[cut:]))
        elif word in ("-a", "--alternative"):
            alternative = True
        elif word in ("-n", "--name", "-s", "--shell"):
            i += 2
            continue
        elif word == "--":
            if short is None and i + 1 < len(words):
                short = words[i + 1]  # `getopt -- optstring "$@"` (old form)
            break
        elif not word.startswith("-") and short is None:
            short = words[i]  # `getopt ab:c "$@"` (old form)
            break
        i += 1
    if short is None and not longs:
        return None
    options: list[Option] = []
    interleaved = True
    if short is not None:
        text, starts = short.text, short.starts
        position = 0
        while position < len(text) and text[position] in "+-":
            interleaved = interleaved and text[position] != "+"
            position += 1
        while position < len(text):
            char = text[position]
            colons = len(text[position + 1 :]) - len(text[position + 1 :].lstrip(":"))
            colons = min(colons, 2)
            if _SHORT_CHAR.match(char) and char != "?":
                span = index.span(path, starts[position], starts[position] + 1)
                options.append(
                    Option(
                        ("-" + char,),
                        colons > 0,
                        optional_value=colons == 2,
                        span=span,
                        sources=frozenset({"code"}),
                    )
                )
            position += 1 + colons
    for long_word in longs:
        offset = 0
        for piece in long_word.text.split(","):
            name = piece.rstrip(":")
            colons = min(len(piece) - len(name), 2)
            if name and not name.startswith("$"):
                at = offset
                begin_at, end_at = long_word.starts[at], long_word.starts[at + len(name) - 1]
                span = index.span(path, begin_at, end_at + 1)
                options.append(
                    Option(
                        ("--" + name,),
                        colons > 0,
                        optional_value=colons == 2,
                        span=span,
                        sources=frozenset({"code"}),
                    )
                )
            offset += len(piece) + 1
    source = index.span(path, begin, end)
    return ShellParse(
        "getopt_long", tuple(options), source, interleaved=interleaved, single_dash_long=alternative
    )
