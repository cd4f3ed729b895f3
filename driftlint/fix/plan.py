"""Plan `check --fix`: the text each fixable finding asks to change, or why it cannot be changed.

A finding is fixed only where its word is written: every character of the option (and of the
value words dropped with it) must be written verbatim, contiguously, on one line of one file,
and no other call may read that text without asking for the same change (a Hiera value or a
class parameter shared by roles that call another script with it, where it means something
else). Everything else is left alone, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from driftlint.checks.run import bind_call
from driftlint.ltext import SYMBOL
from driftlint.model import (
    Binding,
    Call,
    Finding,
    Interface,
    Option,
    Problem,
    Result,
    Span,
    Word,
    origin,
)

FIXABLE = frozenset({"stale-option", "deprecated-option", "unknown-option"})
# A replacement is written into strings of several languages: plain option names need no
# quoting or escaping in any of them.
_NAME = re.compile(r"--?[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


@dataclass(frozen=True, slots=True, order=True)
class Piece:
    """Characters written verbatim at `path:line`, columns [column, end_column)."""

    path: str
    line: int
    column: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: replace a piece's text, or drop whole words with one adjoining blank run."""

    kind: Literal["replace", "drop"]
    pieces: tuple[Piece, ...]
    new: str = ""  # "replace": the text the piece becomes
    quoted: bool = False  # "drop": a dropped word was in shell quotes

    @property
    def path(self) -> str:
        return self.pieces[0].path


@dataclass(frozen=True, slots=True)
class Use:
    """A word of a call the change touches: `text` is what it becomes, None when dropped."""

    call: int  # index into Result.calls
    word: int  # index into the call's words
    text: str | None


@dataclass(slots=True)
class Planned:
    change: Change
    findings: set[Finding] = field(default_factory=set)
    uses: set[Use] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Skip:
    """A fixable finding left as it is, and why."""

    finding: Finding
    reason: str


def plan_fixes(result: Result, root: Path) -> tuple[list[Planned], list[Skip]]:
    """The changes that fix the result's fixable findings, and the findings left alone."""
    wanted = {(f.span, f.code): f for f in result.findings if f.code in FIXABLE}
    planned: dict[Change, Planned] = {}
    skips: dict[Finding, str] = {}
    if not wanted:
        return [], []
    specs = _specs(result.interfaces)
    scripts = {f.script for f in wanted.values()}
    history: dict[str, Interface] = {}
    for index, call in enumerate(result.calls):
        if call.invocation.script not in scripts:
            continue
        for_script = specs.get(call.invocation.script, [])
        for spec_path, interface in for_script[:1]:
            used, binding = bind_call(call, spec_path, interface, root, history)
            for problem in binding.problems:
                finding = wanted.get(_finding_key(problem, call))
                if finding is None:
                    continue
                if len(for_script) > 1:
                    skips.setdefault(finding, "several usage specs install this script")
                    continue
                action = _action(index, call, problem, used, binding)
                if isinstance(action, str):
                    skips.setdefault(finding, action)
                elif action is not None:
                    entry = planned.setdefault(action[0], Planned(action[0]))
                    entry.findings.add(finding)
                    entry.uses.update(action[1])
    kept = []
    for entry in _safe(list(planned.values()), result.calls, skips):
        # One role's use of the text cannot be fixed: then no role's is.
        reasons = [skips[f] for f in sorted(entry.findings) if f in skips]
        if reasons:
            for finding in entry.findings:
                skips.setdefault(finding, reasons[0])
        else:
            kept.append(entry)
    return kept, [Skip(f, r) for f, r in sorted(skips.items())]


def _specs(interfaces: tuple[Interface, ...]) -> dict[str, list[tuple[str, Interface]]]:
    """Usage specs by script name, with the file each was read from (for its history)."""
    out: dict[str, list[tuple[str, Interface]]] = {}
    for interface in interfaces:
        if interface.source is not None:
            out.setdefault(interface.script, []).append((interface.source.path, interface))
    return out


def _finding_key(problem: Problem, call: Call) -> tuple[Span, str]:
    """The (span, code) the check gives this problem's finding."""
    end = problem.end
    narrow = problem.code != "deprecated-option"
    if narrow and end < 0 and problem.word.text.startswith(problem.name + "="):
        end = problem.start + len(problem.name)  # `--name=value`: the name is what is wrong
    return origin(problem.word, problem.start, end, call.invocation.command), problem.code


def _option(problem: Problem, interface: Interface, binding: Binding) -> Option | None:
    scope = binding.interface or interface
    name = problem.name
    if problem.code == "deprecated-option":
        return scope.find_option(name) or interface.find_option(name)
    return scope.removed_option(name) or interface.removed_option(name)


Action = tuple[Change, tuple[Use, ...]] | str | None


def _action(
    index: int, call: Call, problem: Problem, interface: Interface, binding: Binding
) -> Action:
    """What fixes one problem of one call; a string says why nothing can; None: not fixable."""
    old = _option(problem, interface, binding)
    if old is None:
        return None
    words = call.invocation.words
    position = next((i for i, w in enumerate(words) if w is problem.word), -1)
    if position < 0:
        return "the word is not in the call's argv"
    if old.replacement:
        scope = binding.interface or interface
        new = scope.find_option(old.replacement) or interface.find_option(old.replacement)
        if new is None or not _NAME.match(old.replacement):
            return f"its replacement `{old.replacement}` is not an option of {interface.script}"
        if "history" in old.sources and old.takes_value != new.takes_value:
            return f"`{old.replacement}` does not take a value the way `{problem.name}` did"
        return _rename(index, position, problem, old.replacement)
    if problem.code != "stale-option":
        return None
    return _drop(index, call, position, problem, old, interface)


def _rename(index: int, position: int, problem: Problem, new: str) -> Action:
    word, name = problem.word, problem.name
    text = word.text
    if text == name or (text.startswith(name + "=") and new.startswith("--")):
        start, end = 0, len(name)
    elif _short(name) and not text.startswith("--"):
        # A letter of a bundle (`-qn`) or with its value attached (`-n5`).
        start = problem.start or 1
        end = start + 1
        if text[start:end] != name[1]:
            return f"`{name}` is not written as such in `{_show(text)}`"
        if not _short(new):
            return f"`{name}` is bundled with other letters in `{_show(text)}`"
        new = new[1]
    else:
        return f"`{name}` is not written as such in `{_show(text)}`"
    piece = _piece(word, start, end)
    if isinstance(piece, str):
        return piece
    change = Change("replace", (piece,), new)
    return change, (Use(index, position, text[:start] + new + text[end:]),)


def _drop(
    index: int, call: Call, position: int, problem: Problem, old: Option, interface: Interface
) -> Action:
    """Drop a removed option: a flag, an option and its value words, or a letter of a bundle."""
    word, name = problem.word, problem.name
    text = word.text
    known = "history" in old.sources  # history knows the arity; a spec's `removed:` does not
    if not known:
        # Only history shows that no spelling of the option survives and what it took: a
        # spec's `removed:` list says neither, and a wrong drop changes what the script does.
        return f"the spec's history does not show how `{name}` was removed"
    takes = old.takes_value and not old.optional_value
    if text != name and not text.startswith(name + "="):
        start = problem.start or 1
        if not _short(name) or text[start : start + 1] != name[1]:
            return f"`{name}` is not written as such in `{_show(text)}`"
        if start == 1 and takes:
            return _drop_words(index, call, position, 0)  # `-v0`: the rest is its value
        if takes:
            return f"`{name}` is bundled with other letters in `{_show(text)}`"
        piece = _piece(word, start, start + 1)
        if isinstance(piece, str):
            return piece
        return Change("replace", (piece,)), (
            Use(index, position, text[:start] + text[start + 1 :]),
        )
    count = 0
    if text == name and takes:  # its value words go with it; a flag's next word stays
        count = old.nargs
        if count < 1:
            return f"`{name}` took a varying number of values"
    return _drop_words(index, call, position, count)


def _drop_words(index: int, call: Call, position: int, values: int) -> Action:
    words = call.invocation.words
    dropped = words[position : position + 1 + values]
    if len(dropped) < 1 + values:
        return "its value is not in the call"
    pieces = []
    for word in dropped:
        piece = _piece(word, 0, len(word.text))
        if isinstance(piece, str):
            return piece if word is dropped[0] else f"its value: {piece}"
        pieces.append(piece)
    change = Change("drop", tuple(pieces), quoted=any(w.quoted for w in dropped))
    uses = tuple(Use(index, position + i, None) for i in range(len(dropped)))
    return change, uses


def _piece(word: Word, start: int, end: int) -> Piece | str:
    """Where word.text[start:end] is written, if verbatim on one line of one file."""
    source = word.source
    chunk = word.text[start:end]
    if SYMBOL in chunk:
        return f"`{_show(word.text)}` is built from a value known only when Puppet runs"
    if source is None or not chunk:
        return f"where `{chunk}` is written is not known"
    places = [source.loc(i) for i in range(start, end)]
    first = places[0]
    if first is None or any(p is None for p in places):
        return f"`{chunk}` is not written anywhere in the tree (a default of driftlint)"
    path, line, column = first
    expected = [(path, line, column + i) for i in range(len(chunk))]
    if places != expected:
        return f"`{chunk}` is not written in one piece (quotes, escapes or several files)"
    return Piece(path, line, column, column + len(chunk), chunk)


def _short(name: str) -> bool:
    return len(name) == 2 and name[0] == "-" and name[1] != "-"


def _show(text: str) -> str:
    return text.replace(SYMBOL, "…")


# shared text -----------------------------------------------------------------------------------
def _safe(
    planned: list[Planned], calls: tuple[Call, ...], skips: dict[Finding, str]
) -> list[Planned]:
    """Keep the changes whose text no other call reads, and that no other change overlaps."""
    readers = _readers(calls)
    kept = []
    for entry in planned:
        reason = _conflict(entry, planned) or _other_reader(entry, readers, calls)
        if reason:
            for finding in entry.findings:
                skips.setdefault(finding, reason)
        else:
            kept.append(entry)
    return kept


def _conflict(entry: Planned, planned: list[Planned]) -> str:
    for other in planned:
        if other is not entry and any(
            _overlap(a, b) for a in entry.change.pieces for b in other.change.pieces
        ):
            return "another finding asks to change the same text differently"
    return ""


def _overlap(a: Piece, b: Piece) -> bool:
    return (
        (a.path, a.line) == (b.path, b.line) and a.column < b.end_column and b.column < a.end_column
    )


Reader = tuple[int, int, int, int, int, int]  # line, column, end line, end column, call, word


def _readers(calls: tuple[Call, ...]) -> dict[str, list[Reader]]:
    """Every located run of every word, by file: who reads which text."""
    out: dict[str, list[Reader]] = {}
    for c, call in enumerate(calls):
        for w, word in enumerate(call.invocation.words):
            for run in word.source.runs if word.source is not None else ():
                if run.symbolic:
                    where = (run.line, run.column, run.end_line, run.end_column)
                else:
                    where = (run.line, run.column, run.line, run.column + run.end - run.start)
                out.setdefault(run.path, []).append((*where, c, w))
    return out


def _other_reader(entry: Planned, readers: dict[str, list[Reader]], calls: tuple[Call, ...]) -> str:
    mine = {(u.call, u.word) for u in entry.uses}
    for piece in entry.change.pieces:
        for line, column, end_line, end_column, c, w in readers.get(piece.path, ()):
            inside = (line, column) < (piece.line, piece.end_column) and (
                piece.line,
                piece.column,
            ) < (end_line, end_column)
            if inside and (c, w) not in mine:
                other = calls[c]
                roles = ", ".join(other.roles) or "no role"
                return (
                    f"`{piece.text}` is also passed to {other.invocation.script} ({roles}), "
                    "which does not ask for this fix"
                )
    return ""
