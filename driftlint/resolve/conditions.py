"""Which printed characters of a template depend on what its renderer assumed of unknowns.

A template forks on a condition it cannot tell (`<% if @debug %>`, no role sets `debug`): each
rendering records what it assumed. A character printed in every rendering is printed whatever
the unknowns are; one printed in only some of them is printed only under what those renderings
assumed and the others did not. Each such character's run gets that condition (`Run.assumed`),
so a finding on it can say when it happens, as a warning: it may never happen (see
`model.CheckContext.finding`). Characters are told apart by where they are written, so a value
a role passes counts as conditional only when the template prints it conditionally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from driftlint.ltext import LText, Run
from driftlint.model import Word
from driftlint.parse.erb import Rendering

Key = tuple[object, ...]


def mark_conditional(renderings: Sequence[Rendering]) -> list[LText]:
    """The renderings' texts, each character's run carrying the condition it is printed on."""
    texts = [r.text for r in renderings]
    if len(texts) < 2:
        return texts
    shared = set.intersection(*(set(r.assumptions) for r in renderings))
    own = [tuple(a for a in r.assumptions if a not in shared) for r in renderings]
    if not any(own):
        return texts  # alternatives of known values, not guesses about unknown ones
    presence = _Presence(texts)
    conditions: dict[frozenset[int], tuple[str, ...]] = {}

    def condition(where: frozenset[int]) -> tuple[str, ...]:
        if where not in conditions:
            conditions[where] = _condition(where, own, len(texts))
        return conditions[where]

    return [_marked(text, presence, condition) for text in texts]


class _Presence:
    """In which renderings each run, and where needed each character, is printed."""

    def __init__(self, texts: Sequence[LText]) -> None:
        self.total = len(texts)
        self.runs: dict[Key, set[int]] = {}
        for i, text in enumerate(texts):
            for run in text.runs:
                self.runs.setdefault(_run_key(run), set()).add(i)
        # Characters are told apart only on lines where some run is not printed everywhere:
        # the same piece of text printed by every rendering is one run in each.
        lines = {(k[0], k[1]) for k, where in self.runs.items() if len(where) < self.total}
        self.chars: dict[Key, set[int]] = {}
        for i, text in enumerate(texts):
            for run in text.runs:
                if not run.symbolic and (run.path, run.line) in lines:
                    for key in _char_keys(run):
                        self.chars.setdefault(key, set()).add(i)

    def of_run(self, run: Run) -> frozenset[int]:
        return frozenset(self.runs[_run_key(run)])

    def of_char(self, key: Key) -> frozenset[int]:
        return frozenset(self.chars[key])


def _run_key(run: Run) -> Key:
    return (run.path, run.line, run.column, run.end - run.start, run.symbolic, run.end_line,
            run.end_column, run.name)  # fmt: skip


def _char_keys(run: Run) -> list[Key]:
    return [(run.path, run.line, run.column + i) for i in range(run.end - run.start)]


def _condition(where: frozenset[int], own: list[tuple[str, ...]], total: int) -> tuple[str, ...]:
    """What the renderings `where` assumed and the others did not; () if printed always."""
    if len(where) == total or any(not own[i] for i in where):
        return ()
    first = own[min(where)]
    common = tuple(a for a in first if all(a in own[i] for i in where))
    if common:
        return common
    # Printed under different guesses with nothing in common: say each one.
    return (" or ".join(" and ".join(own[i]) for i in sorted(where)),)


def _marked(
    text: LText, presence: _Presence, condition: Callable[[frozenset[int]], tuple[str, ...]]
) -> LText:
    runs: list[Run] = []
    for run in text.runs:
        where = presence.of_run(run)
        if len(where) == presence.total:
            runs.append(run)
            continue
        if run.symbolic:
            runs.append(replace(run, assumed=_both(run.assumed, condition(where))))
            continue
        keys = _char_keys(run)
        found = [_both(run.assumed, condition(presence.of_char(key))) for key in keys]
        start = 0
        for i in range(1, len(keys) + 1):
            if i < len(keys) and found[i] == found[start]:
                continue
            runs.append(
                Run(
                    run.start + start,
                    run.start + i,
                    run.path,
                    run.line,
                    run.column + start,
                    assumed=found[start],
                )
            )
            start = i
    return LText(text.text, tuple(runs))


def _both(before: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """Conditions already on a run (a value printed conditionally before) and new ones."""
    return before + tuple(a for a in more if a not in before)


def conditions_of(words: Iterable[Word]) -> tuple[str, ...]:
    """Every condition some character of the words is printed on, in order of appearance."""
    out: list[str] = []
    for word in words:
        if word.source is not None:
            out.extend(a for a in word.source.assumed() if a not in out)
    return tuple(out)
