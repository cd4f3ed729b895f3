"""Matching in Puppet's `case`, selectors and `=~`: which branches may run for a subject, and
the regex match variables (`$0`-`$9`) each branch sees (Puppet language reference,
"Conditional statements and expressions", "Regular expressions"). Every regex of the tree runs
through driftlint/resolve/regexes.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast
from driftlint.resolve import access, functions, regexes
from driftlint.resolve.undecided import case_label, mark, parameter_of
from driftlint.values import Unknown, Value, WrittenHash

if TYPE_CHECKING:
    from driftlint.resolve.evaluate import Alts, Evaluator, Frame


def case(ev: Evaluator, node: ast.Case, frame: Frame, via: tuple[Span, ...]) -> Alts:
    saved = saved_matches(frame)
    try:
        return _case(ev, node, frame, via)
    finally:
        restore_matches(frame, saved)


def _case(ev: Evaluator, node: ast.Case, frame: Frame, via: tuple[Span, ...]) -> Alts:
    subjects = ev.eval(node.subject, frame, via)
    chosen: list[tuple[ast.Node, ...]] = []
    captures: list[dict[str, Alts]] = []  # per chosen body, its match variables

    def choose(body: tuple[ast.Node, ...]) -> None:
        if body not in chosen:
            chosen.append(body)
            captures.append({})
        i = chosen.index(body)
        captures[i] = merge_captures(ev, captures[i], ev.captured or {})

    may_miss = False  # may no branch run? The case is then undef.
    # Puppet tries `default` last, wherever it is written.
    branches = sorted(
        node.branches, key=lambda b: any(isinstance(m, ast.Default) for m in b.matches)
    )
    for subject in subjects:
        for branch in branches:
            ev.captured = None
            verdict = match_subject(ev, subject, branch.matches, frame, via)
            if verdict is None:  # cannot tell: this branch may run, keep looking
                choose(branch.body)
                continue
            if verdict:
                choose(branch.body)
                break
        else:
            may_miss = True
    ev.captured = None
    # The value of a `case` is the value of the branch taken.
    value: Alts = [None]
    if len(chosen) == 1:
        value = ev._run_matched(chosen[0], frame, via, captures[0])
        if may_miss:
            value = ev._union(value, [None])
        name = node.subject.name if isinstance(node.subject, ast.Var) else None
        if name is not None and ev._defaulted(name, frame):
            for branch in node.branches:
                if branch.body is not chosen[0]:
                    label = case_label(name, branch)
                    ev._explore(branch.body, label, frame, via, name)
    elif chosen:
        if may_miss:  # running no branch is one more way, which changes nothing
            chosen.append(())
        value = ev._branches(chosen, frame, via, captures)
    return value


def merge_captures(ev: Evaluator, a: dict[str, Alts], b: dict[str, Alts]) -> dict[str, Alts]:
    """Match variables of either of two matches: each variable one of both values."""
    if not a or not b:
        return a or b
    return {k: ev._union(a.get(k, [None]), b.get(k, [None])) for k in {*a, *b}}


def regex_match(
    ev: Evaluator, pattern: re.Pattern[str] | None, subject: Value, span: Span
) -> bool | None:
    """Does a regex match the subject? Sets `captured` to the match variables it gives."""
    text = functions.known_text(subject)
    if pattern is None or text is None:
        ev.captured = merge_captures(ev, ev.captured or {}, unknown_captures(span))
        return None
    try:
        found = regexes.search(pattern, text.text)
    except regexes.Unbounded:
        ev.captured = merge_captures(ev, ev.captured or {}, unknown_captures(span))
        return None
    if found is None:
        return False
    groups: dict[str, Alts] = {}
    for group in range(min(pattern.groups, 9) + 1):
        start, end = found.span(group)
        groups[str(group)] = [text[start:end]] if start >= 0 else [None]
    ev.captured = merge_captures(ev, ev.captured or {}, groups)
    return True


def pattern_of(
    ev: Evaluator, node: ast.Node, frame: Frame, via: tuple[Span, ...]
) -> re.Pattern[str] | None:
    """The regex a match operand stands for: a regex literal, or a string (`=~ 'x'`)."""
    if isinstance(node, ast.Regex):
        return regexes.compile_ruby(node.pattern)
    values = ev.eval(node, frame, via)
    text = functions.known_text(values[0]) if len(values) == 1 else None
    return regexes.compile_ruby(text.text) if text is not None else None


def match_subject(
    ev: Evaluator, subject: Value, matches: Sequence[ast.Node], frame: Frame, via: tuple[Span, ...]
) -> bool | None:
    """True if a match fits the subject, False if none can, None if it cannot be told.
    A regex that matches, or may, sets `captured`."""
    unsure = False
    for match in matches:
        if isinstance(match, ast.Default):
            return True
        if isinstance(match, ast.Regex):
            verdict = regex_match(ev, regexes.compile_ruby(match.pattern), subject, match.span)
            if verdict:
                return True
            unsure = unsure or verdict is None
            continue
        if isinstance(subject, Unknown) or (isinstance(subject, LText) and subject.dynamic):
            unsure = True
            continue
        for value in _options(ev, match, frame, via):
            if isinstance(value, Unknown) or (isinstance(value, LText) and value.dynamic):
                unsure = True
            elif isinstance(value, LText) and isinstance(subject, LText):
                # Puppet's case and selector compare strings case-insensitively.
                if value.text.lower() == subject.text.lower():
                    return True
            elif isinstance(value, tuple | dict) or isinstance(subject, tuple | dict):
                # An array or hash option matches item by item, and its items may be regexes,
                # types or `default`: known only when both are plain values.
                same = (
                    None
                    if functions.unsure(value) or functions.unsure(subject)
                    else (functions.equal(value, subject))
                )
                if same is None:
                    unsure = True
                elif same:
                    return True
            elif value == subject:
                return True
    return None if unsure else False


def _options(ev: Evaluator, match: ast.Node, frame: Frame, via: tuple[Span, ...]) -> Alts:
    """The values one option stands for: `*x` is each item of x (none for undef)."""
    operand = access.splatted(match)
    if operand is None:
        return ev.eval(match, frame, via)
    out: Alts = []
    for value in ev.eval(operand, frame, via):
        items = access.unfold(value, match.span)
        out.extend(items if isinstance(items, tuple) else (items,))
    return out


def selector(ev: Evaluator, node: ast.Selector, frame: Frame, via: tuple[Span, ...]) -> Alts:
    saved = saved_matches(frame)
    try:
        return _selector(ev, node, frame, via)
    finally:
        restore_matches(frame, saved)


def _selector(ev: Evaluator, node: ast.Selector, frame: Frame, via: tuple[Span, ...]) -> Alts:
    out: Alts = []
    taken: set[int] = set()
    # Puppet tries `default` last, wherever it is written.
    order = sorted(enumerate(node.cases), key=lambda c: isinstance(c[1][0], ast.Default))
    for subject in ev.eval(node.subject, frame, via):
        for i, (match, result) in order:
            ev.captured = None
            verdict = match_subject(ev, subject, (match,), frame, via)
            if verdict is False:
                continue
            out = ev._union(out, eval_matched(ev, result, frame, via, ev.captured))
            taken.add(i)
            if verdict:
                break
    ev.captured = None
    name = parameter_of(node.subject)
    if out and isinstance(node.subject, ast.Var) and name and ev._defaulted(name, frame):
        for i, (match, result) in enumerate(node.cases):
            if i not in taken:
                label = case_label(name, ast.CaseBranch(match.span, (match,), ()))
                marked = [mark(v, label) for v in ev.eval(result, frame, via)]
                out = ev._union(out, [v for v in marked if isinstance(v, LText)])
    return out or [Unknown(node.span, "selector")]


def eval_matched(
    ev: Evaluator,
    node: ast.Node,
    frame: Frame,
    via: tuple[Span, ...],
    match: dict[str, Alts] | None,
) -> Alts:
    if not match:
        return ev.eval(node, frame, via)
    saved = {k: frame.vars[k] for k in match if k in frame.vars}
    frame.vars.update(match)
    try:
        return ev.eval(node, frame, via)
    finally:
        for key in match:
            if key in saved:
                frame.vars[key] = saved[key]
            else:
                frame.vars.pop(key, None)


def match_op(ev: Evaluator, node: ast.BinOp, frame: Frame, via: tuple[Span, ...]) -> Alts:
    """`x =~ /re/` (or a string pattern); a match sets `$0`-`$9` (`captured`)."""
    subjects = ev.eval(node.left, frame, via)
    pattern = pattern_of(ev, node.right, frame, via)
    ev.captured = None
    out: Alts = []
    verdicts: list[bool | None] = []
    for subject in subjects[: ev.limit]:
        verdict = regex_match(ev, pattern, subject, node.span)
        verdicts.append(verdict)
        if verdict is None:
            out.append(Unknown(node.span, node.op))
        else:
            out.append(verdict == (node.op == "=~"))
    keep(ev, frame, verdicts)
    if node.op == "!~":
        ev.captured = None
    return ev._dedupe(out)


def regex_in(ev: Evaluator, node: ast.BinOp, frame: Frame, via: tuple[Span, ...]) -> Alts:
    """`/re/ in x`: a match in a string (case counts, unlike a string in a string), in any
    string item of an array (the first that matches gives `$0`-`$9`), or a hash's keys."""
    assert isinstance(node.left, ast.Regex)
    pattern = regexes.compile_ruby(node.left.pattern)
    ev.captured = None
    out: Alts = []
    verdicts: list[bool | None] = []
    for hay in ev.eval(node.right, frame, via)[: ev.limit]:
        if isinstance(hay, dict):
            keys = tuple(LText.plain(k) for k in hay)
            verdict = _first_match(ev, pattern, keys, node.span)
            if verdict is not None and not isinstance(hay, WrittenHash):
                # The hash may have more keys, and one before these may match first.
                ev.captured = merge_captures(ev, ev.captured or {}, unknown_captures(node.span))
                verdict = verdict or None
        elif isinstance(hay, tuple):
            verdict = _first_match(ev, pattern, hay, node.span)
        elif isinstance(hay, bool) or hay is None:
            verdict = False
        else:
            verdict = _string_match(ev, pattern, hay, node.span)
        verdicts.append(verdict)
        out.append(Unknown(node.span, "in") if verdict is None else verdict)
    keep(ev, frame, verdicts)
    return ev._dedupe(out)


def _string_match(
    ev: Evaluator, pattern: re.Pattern[str] | None, hay: Value, span: Span
) -> bool | None:
    """A regex in one value Puppet may hold as a string: a number never matches, and a
    number and a string look alike here."""
    verdict = regex_match(ev, pattern, hay, span)
    if verdict and isinstance(hay, LText) and functions.may_be_number(hay.text):
        ev.captured = merge_captures(ev, ev.captured or {}, unknown_captures(span))
        return None
    return verdict


def _first_match(
    ev: Evaluator, pattern: re.Pattern[str] | None, items: tuple[Value, ...], span: Span
) -> bool | None:
    unsure = False
    for item in items:
        if isinstance(item, bool | tuple | dict) or item is None:
            continue  # only strings are searched
        verdict = _string_match(ev, pattern, item, span)
        if verdict:
            return None if unsure else True
        unsure = unsure or verdict is None
    return None if unsure else False


MATCH_VARS = tuple(str(group) for group in range(10))


def keep(ev: Evaluator, frame: Frame, verdicts: Sequence[bool | None]) -> None:
    """A match that succeeds sets `$0`-`$9` for the rest of its scope (until the end of the
    enclosing `if`, `case` or selector, or of the body); one that fails leaves them."""
    found = ev.captured
    if not found or not verdicts:
        return
    for name in MATCH_VARS:
        new = found.get(name, [None])
        if not all(v is True for v in verdicts):  # some alternatives did not match
            new = ev._union(match_var(ev, frame, name), new)
        frame.vars[name] = new


def match_var(ev: Evaluator, frame: Frame, name: str) -> Alts:
    """`$0`-`$9` as seen from frame: its scope's last match (a lambda sees its body's).
    Undef at top scope when no match set them, unless a node's regex name may have (node
    bodies run at top scope here); unknown in a class or define."""
    here: Frame | None = frame
    while here is not None:
        if name in here.vars:
            return here.vars[name]
        if not here.lambda_:
            break
        here = here.parent
    if here is ev.top and not any(
        isinstance(m, ast.Regex) for node in ev.index.nodes for m in node.matches
    ):
        return [None]
    return [Unknown(None, "$" + name)]


def saved_matches(frame: Frame) -> dict[str, Alts | None]:
    return {name: frame.vars.get(name) for name in MATCH_VARS}


def restore_matches(frame: Frame, saved: dict[str, Alts | None]) -> None:
    """The match variables end with the `if`, `case` or selector whose test set them."""
    for name, alts in saved.items():
        if alts is None:
            frame.vars.pop(name, None)
        else:
            frame.vars[name] = alts


def unknown_captures(span: Span) -> dict[str, Alts]:
    return {str(group): [Unknown(span, f"${group}")] for group in range(10)}
