"""Read docopt-style usage text (`Usage:`, `SYNOPSIS`, `Options:`) into options and positionals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from driftlint.interfaces.common import TextLine
from driftlint.interfaces.docopt_options import option_section
from driftlint.interfaces.docopt_sections import program_word, usage_section
from driftlint.model import Option, Positional, Span

# `<keep days>` is one argument name, spaces and all (docopt allows them inside <>).
# `<WAL|BASE>` is one operand with alternatives inside (issue #14). What is glued to it is
# the same word: `<path>,<path>,<path>...` and `<host>:<port>` are one operand each.
_TOKEN = re.compile(
    r"\.\.\.|<[^<>\[\](){}|]+(?:\|[^<>\[\](){}|\s]+)*>[^\s\[\](){}|]*|[\[\](){}|]|[^\s\[\](){}|]+"
)
_SHORTCUTS = frozenset({"options", "option", "opts", "flags"})
_MAX_TOKENS = 2000  # bound the work on pathological text
# An operand that stands for a whole command line: it takes any number of words (issue #14).
_COMMAND = re.compile(
    r"^(?:cmd|command|child|program|prog|cmdline|command[ _-]?line|(?:cmd|command)[ _-]args?)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Usage:
    """What usage text declares."""

    options: tuple[Option, ...]
    positionals: tuple[Positional, ...]
    source: Span
    has_pattern: bool  # a `Usage:`/SYNOPSIS pattern was found
    has_option_list: bool  # options are listed (in a pattern or an Options section)
    shortcut_only: bool  # `[options]` without an Options section: the list is unknown
    command_tail: bool = False  # the last operand is a command line: its words are not ours


@dataclass(slots=True)
class _Tok:
    text: str
    line: TextLine
    start: int

    def span(self, path: str, start: int = 0, end: int | None = None) -> Span:
        stop = len(self.text) if end is None else end
        return self.line.span(path, self.start + start, self.start + stop)


@dataclass(slots=True)
class _Node:
    kind: str  # "option", "arg", "word", "shortcut", "group", "sep"
    tok: _Tok | None = None
    optional: bool = False
    alternatives: list[list[_Node]] = field(default_factory=list)
    repeat: bool = False
    value: _Tok | None = None  # an option's value written after it


@dataclass(slots=True)
class _Slot:
    name: str
    min: int
    max: int | None
    choices: tuple[str, ...] | None = None
    span: Span | None = None


def parse_usage(
    lines: list[TextLine], path: str, progs: frozenset[str] = frozenset()
) -> Usage | None:
    """Read one block of usage text; None when it holds neither a pattern nor an option list.

    A pattern must look like one: its program is one of `progs` (or `$0`-like), or it writes an
    option, a bracket or an `<arg>`/ARG; `Usage: run this from cron` is prose.
    """
    pattern_lines, head = usage_section(lines)
    described = option_section(lines, path)
    if not pattern_lines and not described:
        return None
    toks = _tokens(pattern_lines)
    patterns = [p for p in _split_patterns(toks) if _plausible(p, progs, pattern_lines)]
    if not patterns:
        pattern_lines = []
        if not described:
            return None
    trees = [_parse_seq(p, [0], closer="")[0] for p in patterns]
    options: dict[str, Option] = {}
    order: list[Option] = []
    for option in described:
        order.append(option)
        for name in option.names:
            options[name] = option
    shortcut = False
    for tree in trees:
        shortcut = _collect_options(tree, path, options, order) or shortcut
    merged = _unique(order, options)
    slots = _combine([_slots(tree, False, path) for tree in trees]) if trees else []
    slots, command_tail = _command_tail(slots, trees)
    positionals = tuple(Positional(s.name, s.min, s.max, s.choices, s.span) for s in slots)
    first = head or (lines[0] if lines else TextLine("", 1, 1))
    last = pattern_lines[-1] if pattern_lines else first
    end = (last.line, last.column + len(last.text))
    if described and described[-1].span is not None:
        # Options may be described before the usage line: the span must not end before it starts.
        end = max(end, (described[-1].span.end_line, described[-1].span.end_column))
    source = Span(path, first.line, first.column, *end)
    return Usage(
        options=tuple(merged),
        positionals=positionals,
        source=source,
        has_pattern=bool(trees),
        has_option_list=bool(merged),
        shortcut_only=shortcut and not described,
        command_tail=command_tail,
    )


def _command_tail(slots: list[_Slot], trees: list[list[_Node]]) -> tuple[list[_Slot], bool]:
    """From an operand named like a command (`COMMAND [ARGS...]`, `child`) or the first one
    after `--`, every word belongs to that command: one operand of any number of words."""
    cut = next(
        (
            i
            for i, s in enumerate(slots)
            if _COMMAND.match(s.name.strip("<>"))
            # last, or followed only by `[ARGS...]`: `<COMMAND> <SERVICE>` is an action word
            and (i == len(slots) - 1 or (i == len(slots) - 2 and slots[-1].max is None))
        ),
        None,
    )
    if cut is None and len(trees) == 1:
        before = 0
        for node in trees[0]:
            if node.kind == "sep":
                cut = before if before < len(slots) else None
                break
            before += len(_slots([node], False, ""))
    if cut is None:
        return slots, False
    head = slots[cut]
    return [*slots[:cut], replace(head, max=None)], True


def _plausible(toks: list[_Tok], progs: frozenset[str], lines: list[TextLine]) -> bool:
    first = lines[0].text.split()[0] if lines and lines[0].text.split() else ""
    prog = first.rsplit("/", 1)[-1]
    if any(q in first for q in "\"'") or any(
        t.text.endswith((",", ".")) and t.text != "..." for t in toks
    ):
        return False  # quoted examples or sentences: prose about usage, not a pattern
    if prog in progs or first.startswith(("$", "`")):
        return True
    return any(
        t.text in ("[", "(")
        or t.text.startswith(("<", "-"))
        or (t.text.isupper() and t.text.isalpha())
        for t in toks
    )


# patterns ------------------------------------------------------------------------------------
def _tokens(lines: list[TextLine]) -> list[tuple[list[_Tok], bool]]:
    """Tokens of each line, and whether the line starts with a program name."""
    out: list[tuple[list[_Tok], bool]] = []
    prog = ""
    for line in lines:
        word, end = program_word(line.text)
        starts = not prog or word == prog or word.startswith("$") or word.startswith("`")
        if not prog:
            prog = word
        offset = end if (word and starts) else 0
        toks = []
        for t in _TOKEN.finditer(line.text, offset):
            text, start = t.group(0), t.start()
            if text.strip("\\") == "":
                continue  # a shell line continuation inside the text
            # `<path>,<path>...` is one word listing values; its dots do not repeat it.
            glued_list = text.startswith("<") and "," in text
            if text.endswith("...") and len(text) > 3 and not glued_list:
                toks.append(_Tok(text[:-3], line, start))
                toks.append(_Tok("...", line, start + len(text) - 3))
            else:
                toks.append(_Tok(text, line, start))
            if len(toks) > _MAX_TOKENS:
                break
        out.append((toks, starts))
    return out


def _split_patterns(lines: list[tuple[list[_Tok], bool]]) -> list[list[_Tok]]:
    out: list[list[_Tok]] = []
    for toks, starts in lines:
        if starts or not out:
            out.append(list(toks))
        else:
            out[-1].extend(toks)
    return out


def _parse_seq(toks: list[_Tok], at: list[int], closer: str) -> tuple[list[_Node], bool]:
    """Parse alternatives up to `closer`; returns one sequence (a group when several)."""
    alternatives: list[list[_Node]] = [[]]
    while at[0] < len(toks):
        tok = toks[at[0]]
        at[0] += 1
        text = tok.text
        current = alternatives[-1]
        if text in ("]", ")", "}"):
            if closer:
                break
            continue  # an unbalanced closer: ignore it
        if text == "|":
            alternatives.append([])
        elif text in ("[", "(", "{"):
            inner, _ = _parse_seq(toks, at, {"[": "]", "(": ")", "{": "}"}[text])
            node = (
                inner[0]
                if len(inner) == 1 and inner[0].kind == "group"
                else _Node("group", alternatives=[inner])
            )
            node.optional = text == "["
            current.append(node)
        elif text == "...":
            if current:
                current[-1].repeat = True
        elif text.lower().strip("<>") in _SHORTCUTS:
            # `[options]`, `usage: $0 options`, `OPTIONS`, `[OPTION]...`: options, never an operand
            current.append(_Node("shortcut", tok))
        elif text == "--":
            current.append(_Node("sep", tok))
        elif text.startswith("-") and len(text) > 1:
            current.append(_Node("option", tok))
        elif text.startswith("<") or (text.isupper() and any(c.isalpha() for c in text)):
            current.append(_Node("arg", tok))
        else:
            current.append(_Node("word", tok))
    if len(alternatives) == 1:
        return alternatives[0], True
    return [_Node("group", alternatives=alternatives)], True


def _collect_options(
    nodes: list[_Node], path: str, options: dict[str, Option], order: list[Option]
) -> bool:
    """Add the options a pattern writes; True when it uses the `[options]` shortcut."""
    shortcut = False
    for index, node in enumerate(nodes):
        if node.kind == "group":
            for alternative in node.alternatives:
                shortcut = _collect_options(alternative, path, options, order) or shortcut
        elif node.kind == "shortcut":
            shortcut = True
        elif node.kind == "option" and node.tok is not None:
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if len(nodes) == 2 and index == 0 and _optional_value(following):
                # `[-l [LEVEL]]`: the option's value may be left out (issue #14)
                assert following is not None
                following.alternatives[0][0].kind = "value"
                _add(
                    Option(
                        (node.tok.text,),
                        True,
                        nargs=-3,
                        span=node.tok.span(path),
                        sources=frozenset({"text"}),
                    ),
                    options,
                    order,
                )
                continue
            _pattern_option(node.tok, following, path, options, order)
    return shortcut


def _optional_value(node: _Node | None) -> bool:
    return (
        node is not None
        and node.kind == "group"
        and node.optional
        and len(node.alternatives) == 1
        and len(node.alternatives[0]) == 1
        and node.alternatives[0][0].kind == "arg"
        and not node.alternatives[0][0].repeat
    )


def _pattern_option(
    tok: _Tok, following: _Node | None, path: str, options: dict[str, Option], order: list[Option]
) -> None:
    text = tok.text
    if "=" in text and text.startswith("--"):
        name = text.split("=", 1)[0]
        _add(
            Option((name,), True, span=tok.span(path, 0, len(name)), sources=frozenset({"text"})),
            options,
            order,
        )
        return
    if not text.startswith("--") and len(text) > 2:
        for i, char in enumerate(text[1:], start=1):  # `-vq`: bundled flags
            name = "-" + char
            _add(
                Option((name,), False, span=tok.span(path, i, i + 1), sources=frozenset({"text"})),
                options,
                order,
            )
        return
    known = options.get(text)
    value = (
        following is not None
        and not following.repeat
        and (
            following.kind == "arg"
            or (following.kind == "word" and (known is None or known.takes_value))
        )
    )
    if value and known is not None and not known.takes_value:
        # `--dir <path>` in a pattern: the description line just did not show the value.
        upgraded = replace(known, takes_value=True)
        for name in known.names:
            options[name] = upgraded
        order[:] = [upgraded if o is known else o for o in order]
    if value and following is not None:
        following.kind = "value"
    if known is not None:
        return
    _add(Option((text,), value, span=tok.span(path), sources=frozenset({"text"})), options, order)


def _add(option: Option, options: dict[str, Option], order: list[Option]) -> None:
    if option.names[0] in options:
        return
    options[option.names[0]] = option
    order.append(option)


def _unique(order: list[Option], options: dict[str, Option]) -> list[Option]:
    seen: set[int] = set()
    out = []
    for option in order:
        if id(option) not in seen:
            seen.add(id(option))
            out.append(option)
    return out


# positionals ---------------------------------------------------------------------------------
def _slots(nodes: list[_Node], optional: bool, path: str) -> list[_Slot]:
    out: list[_Slot] = []
    for node in nodes:
        if node.kind in ("arg", "word") and node.tok is not None:
            name = node.tok.text.strip("<>")
            if node.tok.text == "-":
                name = "-"
            out.append(
                _Slot(
                    name,
                    0 if optional or node.optional else 1,
                    None if node.repeat else 1,
                    None,
                    node.tok.span(path),
                )
            )
        elif node.kind == "group":
            out.extend(_group_slots(node, optional or node.optional, path))
    return out


def _group_slots(node: _Node, optional: bool, path: str) -> list[_Slot]:
    alts = node.alternatives
    words = [a[0] for a in alts if len(a) == 1 and a[0].kind == "word" and a[0].tok]
    if len(alts) > 1 and len(words) == len(alts):
        choices = tuple(w.tok.text for w in words if w.tok is not None)
        span = words[0].tok.span(path) if words[0].tok is not None else None
        return [
            _Slot(
                "|".join(choices), 0 if optional else 1, None if node.repeat else 1, choices, span
            )
        ]
    per = [_slots(a, optional, path) for a in alts]
    if len(per) == 1:
        slots = per[0]
        if node.repeat and slots:
            total = _total(slots)
            return [replace(slots[0], min=total[0], max=None)]
        return slots
    with_slots = [s for s in per if s]
    if not with_slots:
        return []
    totals = [_total(s) for s in per]
    low = 0 if optional else min(t[0] for t in totals)
    highs = [t[1] for t in totals]
    high = None if node.repeat or None in highs else max(h for h in highs if h is not None)
    first = with_slots[0][0]
    if len(with_slots) == 1 and len(with_slots[0]) == 1:
        return [replace(first, min=low, max=high)]
    return [_Slot("|".join(s[0].name for s in with_slots), low, high, None, first.span)]


def _total(slots: list[_Slot]) -> tuple[int, int | None]:
    low = sum(s.min for s in slots)
    highs = [s.max for s in slots]
    return low, None if None in highs else sum(h for h in highs if h is not None)


def _combine(patterns: list[list[_Slot]]) -> list[_Slot]:
    """Positionals that allow what every alternative usage pattern allows."""
    if len(patterns) == 1:
        return patterns[0]
    base = max(patterns, key=lambda p: (len(p), _total(p)[1] is None))
    if not base:
        return []
    shortest = min(len(p) for p in patterns)
    out = []
    for index, slot in enumerate(base):
        low = slot.min if index < shortest and all(p[index].min for p in patterns) else 0
        out.append(replace(slot, min=low, choices=None if len(patterns) > 1 else slot.choices))
    if any(_total(p)[1] is None for p in patterns):
        out[-1] = replace(out[-1], max=None)
    return out
