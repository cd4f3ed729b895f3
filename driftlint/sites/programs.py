"""Python, Perl and Ruby programs that run other programs, known by their `#!` line.

Read, never run: the commands are the string literals given to the calls that start a process
(Python `subprocess.*`, `os.system`, `os.popen`, `os.exec*`; Perl `system`, `exec`, backticks,
`qx`; Ruby backticks, `%x`, `system`, `exec`, `spawn`, `IO.popen`, `Open3.*`, and Facter's
`Facter::Core::Execution.execute`, `Facter::Util::Resolution.exec`, which run a shell). A
single string is a shell command (Python `subprocess` only with `shell=True`); a list, or
several arguments, is argv, one word per element. What is not a literal (a variable, a call, an
interpolation, `%s`, `{}`) is an unknown word, or an unknown part of the word it is written in,
so a literal that is concatenated with more text ends in an unknown (`"cmd --ver" + x` may be
`--verbose`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site

SHEBANG = re.compile(r"\A\ufeff?#!\s*\S*\b(?:env\s+)?(python|perl|ruby)")

PYTHON = re.compile(
    r"\b(?P<name>subprocess\.(?:call|check_call|check_output|run|Popen|getoutput|getstatusoutput)"
    r"|os\.(?:system|popen|exec[lv]p?e?)|commands\.(?:getoutput|getstatusoutput))\s*\("
)
PERL = re.compile(
    r"(?<![\w$@%&>])(?P<name>system|exec)\b\s*(?P<paren>\(?)"
    r"|(?P<tick>`)|\bqx\s*(?P<qx>[{(\[/|!])"
)
RUBY = re.compile(
    r"(?<![\w.:])(?P<name>system|exec|spawn|IO\.popen"
    r"|Open3\.(?:capture2e?|capture3|popen[23]e?|pipeline\w*)"
    r"|Facter::(?:Core::Execution|Util::Resolution)\.exec(?:ute)?)\b\s*(?P<paren>\(?)"
    r"|(?P<tick>`)|%x(?P<qx>[{(\[|!])"
)
CLOSE = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True, slots=True)
class Item:
    """One argument of a call: a string literal (its located contents, already with unknown
    parts as SYMBOLs), a list of items, or anything else (None)."""

    text: LText | None = None
    items: tuple[Item, ...] | None = None
    tail: bool = False  # more text is joined to the literal (`+`, `%`, `.format`)
    splat: bool = False  # `*args`, Perl's `@args`: any number of words; else one


def language(text: str) -> str | None:
    match = SHEBANG.match(text)
    return match.group(1) if match else None


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    lang = language(text.text)
    if lang is None:
        return []
    out: list[shell.Command] = []
    pattern = {"python": PYTHON, "perl": PERL, "ruby": RUBY}[lang]
    for match in pattern.finditer(text.text):
        line_start = text.text.rfind("\n", 0, match.start()) + 1
        if _commented(text.text[line_start : match.start()], lang):
            continue
        groups = match.groupdict()
        if groups.get("tick") or groups.get("qx"):
            opener = groups.get("qx") or "`"
            close = CLOSE.get(opener, opener)
            end = text.text.find(close, match.end())
            if end < 0 or "\n" in text.text[match.end() : end]:
                continue
            body = _interpolated(text[match.end() : end], lang)
            out.extend(shell.parse_shell(body, path).commands)
            continue
        name = groups["name"]
        args, shell_true = _arguments(text, match.end(), lang, bool(groups.get("paren", "(")))
        out.extend(_commands(lang, name, args, shell_true, path))
    return out


def _commented(before: str, lang: str) -> bool:
    return "#" in before if lang != "perl" else re.search(r"(?:^|\s)#", before) is not None


def _commands(
    lang: str, name: str, args: list[Item], shell_true: bool, path: str
) -> list[shell.Command]:
    if not args:
        return []
    first = args[0]
    if name.startswith("os.exec"):
        # os.execv(path, [argv0, ...]) / os.execl(path, argv0, ...): argv0 is not an argument.
        rest = args[1].items or () if name[7] == "v" and len(args) > 1 else tuple(args[1:])
        return _argv([first, *rest[1:]]) if first.text is not None else []
    if lang == "python" and name.startswith("subprocess.") and "getoutput" not in name:
        if first.items is not None:
            return _argv(list(first.items))
        if first.text is not None and shell_true:
            return _shell(first, path)
        if first.text is not None and not first.tail and " " not in first.text.text:
            return _argv([first])  # a program with no arguments
        return []
    if first.items is not None:
        return _argv(list(first.items))  # IO.popen([...]), Perl has no list literal here
    if len(args) > 1:
        return _argv(args)  # system("prog", "arg", ...): argv, no shell
    return _shell(first, path) if first.text is not None else []


def _shell(item: Item, path: str) -> list[shell.Command]:
    assert item.text is not None
    text = item.text + _unknown(item.text) if item.tail else item.text
    return list(shell.parse_shell(text, path).commands)


def _argv(items: list[Item]) -> list[shell.Command]:
    words: list[Word] = []
    for item in items:
        if item.text is None:
            if not words:
                return []  # the program itself is not known
            words.append(_symbol_word(words[-1], one=not item.splat and item.items is None))
            continue
        text = item.text + _unknown(item.text) if item.tail else item.text
        span = text.span()
        if span is None:
            continue
        words.append(Word(text.text, span, text.dynamic, True, text))
    if not words or words[0].dynamic:
        return []
    return [shell.Command(words=tuple(words))]


def _symbol_word(before: Word, one: bool) -> Word:
    """An element that is not a literal: one word of any text, or any words (a splat)."""
    text = LText.symbol(before.span, "a value that is not a literal")
    return Word(text.text, before.span, True, one, text)


def _unknown(text: LText) -> LText:
    span = text.span(len(text.text) - 1) if text.text else None
    return LText.symbol(span, "joined text") if span else LText.plain(SYMBOL)


# --- literals -------------------------------------------------------------------------------
STRING = re.compile(r"""(?P<prefix>[rRbBuUfF]{0,2})(?P<q>'''|\"\"\"|'|")""")


def _arguments(text: LText, at: int, lang: str, paren: bool) -> tuple[list[Item], bool]:
    """The items of an argument list from `at` (after its `(`), to its `)` or, without a
    parenthesis (Perl, Ruby), to the end of the statement; and whether `shell=True` is
    among them."""
    s = text.text
    top: list[Item] = []
    lists: list[list[Item]] = []  # list literals still open
    current: Item | None = None
    shell_true = False
    i = at
    while i < len(s):
        c = s[i]
        if not lists and (c == ")" or (not paren and c in ";\n")):
            break
        if c.isspace() or c == "\\":
            i += 1
            continue
        if c == "#":
            newline = s.find("\n", i)
            i = len(s) if newline < 0 else newline
            continue
        if c == "[" and current is None:
            lists.append([])
            i += 1
            continue
        if c == "]" and lists:
            inner = lists.pop()
            if current is not None:
                inner.append(current)
            current = Item(items=tuple(inner))
            i += 1
            continue
        if c == ",":
            (lists[-1] if lists else top).append(current or Item())
            current = None
            i += 1
            continue
        if c in "([{":
            current = _joined(current)
            i = _skip_group(s, i)
            continue
        match = STRING.match(s, i)
        if match and current is None:
            literal, i = _literal(text, match, lang)
            current = Item(text=literal) if literal is not None else Item()
            continue
        keyword = re.match(r"([A-Za-z_]\w*)\s*=(?!=)\s*", s[i:]) if lang == "python" else None
        if keyword and current is None:
            value = i + keyword.end()
            shell_true = shell_true or (keyword.group(1) == "shell" and s.startswith("True", value))
            i = _skip_value(s, value)
            continue
        current = _joined(current) if current is not None else Item(splat=c in "*@")
        i += 1
    if lists:
        return [], shell_true  # a list never closed: nothing is known
    if current is not None:
        top.append(current)
    return top, shell_true


def _joined(current: Item | None) -> Item:
    """An item that more of an expression follows: a literal gets an unknown tail, a list
    unknown words after its own."""
    if current is not None and current.text is not None:
        return Item(text=current.text, tail=True)
    if current is not None and current.items is not None:
        if current.items and current.items[-1] == Item():
            return current
        return Item(items=(*current.items, Item()))  # `[...] + more`: more words
    return current or Item()


def _skip_group(s: str, i: int) -> int:
    close = CLOSE[s[i]]
    open_ = s[i]
    depth = 0
    while i < len(s):
        if s[i] == open_:
            depth += 1
        elif s[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
        elif s[i] in "'\"":
            end = s.find(s[i], i + 1)
            i = end if end > 0 else i
        i += 1
    return i


def _skip_value(s: str, i: int) -> int:
    while i < len(s) and s[i] not in ",)":
        if s[i] in "([{":
            i = _skip_group(s, i) if s[i] in "([" else i + 1
            continue
        i += 1
    return i


def _literal(text: LText, match: re.Match[str], lang: str) -> tuple[LText | None, int]:
    s = text.text
    quote = match.group("q")
    start = match.end()
    i = start
    while i < len(s):
        if s[i] == "\\" and len(quote) == 1:
            i += 2
            continue
        if s.startswith(quote, i):
            break
        if s[i] == "\n" and len(quote) == 1:
            return None, i
        i += 1
    body = text[start:i]
    end = i + len(quote)
    prefix = match.group("prefix").lower()
    if "b" in prefix:
        return None, end
    interpolates = quote.startswith('"') or "f" in prefix
    if lang == "python":
        # `%s` and `{...}` are filled in later (`%`, `.format`, an f-string): unknown.
        body = _unknowns(body, r"%[-#0 +]*\d*(?:\.\d+)?[sdrfixXoeEgGc]|\{[^{}]*\}")
    elif interpolates:
        pattern = r"#\{[^}]*\}" if lang == "ruby" else r"[$@]\{?[A-Za-z_]\w*(?:::\w+)*\}?"
        body = _unknowns(body, pattern)
    if "\\" in body.text:
        return None, end  # escapes: the literal's text is not what is written
    return body, end


def _interpolated(body: LText, lang: str) -> LText:
    pattern = r"#\{[^}]*\}" if lang == "ruby" else r"@\{?[A-Za-z_]\w*\}?"
    return _unknowns(body, pattern)


def _unknowns(text: LText, pattern: str) -> LText:
    parts: list[LText] = []
    pos = 0
    for match in re.finditer(pattern, text.text):
        parts.append(text[pos : match.start()])
        span = text.span(match.start(), match.end())
        parts.append(LText.symbol(span, match.group(0)) if span else LText.plain(SYMBOL))
        pos = match.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return LText.join(parts)


SITE = Site("program", read, content=SHEBANG)
