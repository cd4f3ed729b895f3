"""Read a hand-written bash option loop: `while ...; do case "$1" in -t|--timeout) ...; esac`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from driftlint.interfaces.common import LineIndex
from driftlint.model import Option, Span

_CASE = re.compile(r"""(?<![\w-])case\s+"?\$\{?(\w+)\}?"?\s+in(?![\w-])""")
_FOR = re.compile(r"""(?<![\w-])for\s+(\w+)\s+in\s+"\$(?:@|\{@\})"(?!\w)""")
_NAME = re.compile(r"^(-{1,2}[A-Za-z0-9?][\w.-]*)(=\*)?$")
_CATCH = re.compile(r"^(\*|-\*|--\*|-\?\*|-\[!-\]\*|-\[\^-\]\*|-\[!-\]\?\*|\?\*)$")
_REJECT = re.compile(
    r"\bexit\s+(?:[1-9]|\$)|\b(?:usage|die|fatal|fail|error|err|abort|bail|invalid|unknown)\w*|>&2",
    re.I,
)
_VALUE = re.compile(r"\bshift\s+2\b|\$\{?2\b|\bOPTARG\b")
_SHIFT_THEN_ONE = re.compile(r"\bshift\b\s*(?:;|\n|&&)[\s\S]*\$\{?1\b")
_GUARDED = re.compile(
    r"\bif\s+[^\n]*\$\{?2\b|\[\[?\s[^\]\n]*\$\{?2\b[^\]\n]*\]\]?\s*&&|"
    r"\$#\s*-g[te]\s*[12]\b|\bcase\s+\"?\$\{?2\b"
)
_WORD_AT = re.compile(r"(?<![\w-])(case|esac)(?![\w-])")


@dataclass(frozen=True, slots=True)
class Arm:
    names: tuple[tuple[str, Span], ...]  # option spellings in the pattern and where written
    equals: tuple[str, ...]  # names written as `--name=*`
    catch: str  # "", "dash" (`-*`) or "any" (`*`)
    body: str
    separator: bool  # a `--)` arm
    words: tuple[str, ...] = ()  # plain words in the pattern (`start`, `force-reload`)


MAX_ARMS = 500  # arms of one `case` read; past it the interface is open (issue 30)


@dataclass(frozen=True, slots=True)
class CaseParse:
    options: tuple[Option, ...]
    arms: tuple[Arm, ...]
    source: Span
    interleaved: bool
    accepts_unknown: bool
    long_equals: bool
    cut: Span | None = None  # where reading stopped at MAX_ARMS: the interface is then open


def read_case(text: str, code: str, path: str, index: LineIndex) -> CaseParse | None:
    """The first `case` on `$1` (or a `for x in "$@"` variable) whose arms name options."""
    loops = {m.group(1) for m in _FOR.finditer(code)}
    for m in _CASE.finditer(code):
        subject = m.group(1)
        in_for = subject in loops
        if subject != "1" and not in_for:
            continue
        arms, end = _arms(code, m.end(), path, index)
        if not any(a.names for a in arms):
            continue
        found = _read(arms, in_for, index.span(path, m.start(), end))
        if len(arms) >= MAX_ARMS and not code.startswith("esac", end):
            # The arms past the bound (a `*) exit 2`, more options) are not read: the
            # interface accepts any option, and says so, rather than reject on a guess.
            at = end
            while at < len(code) and code[at] in " \t\n;":
                at += 1
            return replace(found, accepts_unknown=True, cut=index.span(path, at, at + 1))
        return found
    return None


def case_arms(code: str, subject: str) -> Iterator[list[Arm]]:
    """The arms of every `case` on `$subject`, in file order."""
    index = LineIndex(code)
    for m in _CASE.finditer(code):
        if m.group(1) == subject:
            yield _arms(code, m.end(), "", index)[0]


def _read(arms: list[Arm], in_for: bool, source: Span) -> CaseParse:
    options = []
    rejects = False
    unknown_ok = True
    interleaved = True
    dash_seen = False
    for arm in arms:
        if arm.names:
            value = bool(arm.equals) or (
                not in_for and bool(_VALUE.search(arm.body) or _SHIFT_THEN_ONE.search(arm.body))
            )
            names = tuple(dict.fromkeys(n for n, _ in arm.names))
            # `if [ -n "$2" ]; then X=$2; shift; fi`: the value may be left out (issue #14)
            optional = value and not arm.equals and bool(_GUARDED.search(arm.body))
            options.append(
                Option(
                    names,
                    value,
                    nargs=-3 if optional else 1,
                    span=arm.names[0][1],
                    sources=frozenset({"code"}),
                )
            )
        if arm.catch == "dash":
            dash_seen = True
            rejects = bool(_REJECT.search(arm.body))
            unknown_ok = not rejects
        elif arm.catch == "any":
            if not dash_seen:
                rejects = bool(_REJECT.search(arm.body))
                unknown_ok = not rejects
            if re.search(r"\bbreak\b", arm.body) and not in_for:
                interleaved = False
    return CaseParse(
        options=tuple(options),
        arms=tuple(arms),
        source=source,
        interleaved=interleaved,
        accepts_unknown=unknown_ok and not rejects,
        long_equals=any(a.equals for a in arms),
    )


def _arms(code: str, at: int, path: str, index: LineIndex) -> tuple[list[Arm], int]:
    arms: list[Arm] = []
    i = at
    while i < len(code) and len(arms) < MAX_ARMS:
        while i < len(code) and code[i] in " \t\n;":
            i += 1
        if code.startswith("esac", i) or i >= len(code):
            return arms, min(len(code), i + 4)
        pattern_start = i + 1 if code[i] == "(" else i
        close = _unquoted(code, pattern_start, ")")
        if close < 0:
            return arms, len(code)
        body_end, next_at = _body_end(code, close + 1)
        arms.append(_arm(code, pattern_start, close, code[close + 1 : body_end], path, index))
        if next_at < 0:
            return arms, body_end
        i = next_at
    return arms, i


def _unquoted(code: str, at: int, char: str) -> int:
    quote = ""
    i = at
    while i < len(code):
        c = code[i]
        if quote:
            quote = "" if c == quote else quote
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == char:
            return i
        elif c == "\n" and code[at:i].strip() == "":
            pass
        i += 1
    return -1


def _body_end(code: str, at: int) -> tuple[int, int]:
    """End of an arm's body and where the next arm starts (-1 after the closing `esac`)."""
    depth = 0
    quote = ""
    i = at
    while i < len(code):
        c = code[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == ";" and code.startswith(";;", i) and depth == 0:
            step = 3 if code.startswith(";;&", i) else 2
            return i, i + step
        elif c == ";" and code.startswith(";&", i) and depth == 0:
            return i, i + 2
        else:
            m = _WORD_AT.match(code, i)
            if m and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] in "_-$")):
                if m.group(1) == "case":
                    depth += 1
                elif depth == 0:
                    return i, -1
                else:
                    depth -= 1
                i = m.end()
                continue
        i += 1
    return len(code), -1


def _arm(code: str, start: int, close: int, body: str, path: str, index: LineIndex) -> Arm:
    names: list[tuple[str, Span]] = []
    equals: list[str] = []
    catch = ""
    separator = False
    words: list[str] = []
    offset = start
    for raw in code[start:close].split("|"):
        lead = len(raw) - len(raw.lstrip())
        piece = raw.strip()
        begin = offset + lead
        offset += len(raw) + 1
        quoted = piece[:1] in "'\"" and piece[-1:] == piece[:1] and len(piece) > 1
        text = piece[1:-1] if quoted else piece
        text = text.replace("\\", "")
        shift = 1 if quoted else 0
        if text == "--":
            separator = True
            continue
        if _CATCH.match(text):
            catch = "any" if text in ("*", "?*") else "dash"
            continue
        m = _NAME.match(text)
        if m:
            name = m.group(1)
            at = code.find(name[:2], begin)
            at = at if 0 <= at < begin + len(piece) else begin + shift
            names.append((name, index.span(path, at, at + len(name))))
            if m.group(2):
                equals.append(name)
        elif text and not text.startswith("-"):
            words.append(text)
    return Arm(tuple(names), tuple(equals), catch, body, separator, tuple(words))
