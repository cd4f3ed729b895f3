"""Located text: a string whose every character knows where it is written in the tree.

Values travel from a role's class declaration or a Hiera file through templates and shell
quoting into argv words. Each step slices and concatenates `LText`s, so a word's characters
still point at the file, line and column where they were written (DESIGN §3, "Spans through the
flow"). A value that cannot be known is one `SYMBOL` character whose location is the whole
expression that would have produced it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from driftlint.model import Span, fast_pickling

# A private-use character stands for an unknown piece of text. It never appears in real
# configuration text; if a file contains it anyway, it only makes that word dynamic.
SYMBOL = "\ue000"


@dataclass(frozen=True, slots=True)
class Run:
    """text[start:end] is written at (path, line, column) onwards, on one line, char for char.

    A symbolic run has length 1 (the SYMBOL) and covers the source span up to
    (end_line, end_column); `name` says what was unknown (`$extra_args`).
    """

    start: int
    end: int
    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    name: str = ""
    symbolic: bool = False
    # What a template assumed of an unknown value to print these characters, e.g.
    # ("`@debug` is set",); () when it prints them whatever the unknowns are. See
    # driftlint/resolve/conditions.py.
    assumed: tuple[str, ...] = ()

    def cut(self, start: int, end: int, skipped: int) -> Run:
        """The part of this run from its `skipped`-th character on, at start..end of a new
        text. A symbolic run keeps its whole span: an unknown has no parts."""
        if self.symbolic:
            return Run(
                start,
                end,
                self.path,
                self.line,
                self.column,
                self.end_line,
                self.end_column,
                self.name,
                True,
                self.assumed,
            )
        return Run(start, end, self.path, self.line, self.column + skipped, assumed=self.assumed)

    def shifted(self, by: int) -> Run:
        """The same run, `by` characters further into its text."""
        return Run(
            self.start + by,
            self.end + by,
            self.path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.name,
            self.symbolic,
            self.assumed,
        )


@dataclass(frozen=True, slots=True)
class LText:
    text: str
    runs: tuple[Run, ...] = ()  # sorted, non-overlapping; characters in no run have no location

    # construction -----------------------------------------------------------------------
    @staticmethod
    def plain(text: str) -> LText:
        """Text with no location (made up by driftlint, e.g. a default)."""
        return LText(text, ())

    @staticmethod
    def literal(text: str, path: str, line: int, column: int) -> LText:
        """Text written as is from (line, column) on; newlines in it move to the next line."""
        runs: list[Run] = []
        offset = 0
        for piece in text.split("\n"):
            if piece:
                runs.append(Run(offset, offset + len(piece), path, line, column))
            offset += len(piece) + 1
            line, column = line + 1, 1
        # Newline characters themselves map to the end of their line.
        return LText(text, tuple(runs))

    @staticmethod
    def symbol(span: Span, name: str = "") -> LText:
        run = Run(
            0, 1, span.path, span.line, span.column, span.end_line, span.end_column, name, True
        )
        return LText(SYMBOL, (run,))

    @staticmethod
    def join(parts: Iterable[LText], separator: LText | str = "") -> LText:
        """Concatenate in one pass: runs are shifted once, not copied at every step."""
        sep = LText.plain(separator) if isinstance(separator, str) else separator
        texts: list[str] = []
        runs: list[Run] = []
        shift = 0
        for i, part in enumerate(parts):
            for piece in (sep, part) if i else (part,):
                runs.extend(r.shifted(shift) for r in piece.runs)
                texts.append(piece.text)
                shift += len(piece.text)
        return LText("".join(texts), tuple(runs))

    def __add__(self, other: LText | str) -> LText:
        if isinstance(other, str):
            other = LText.plain(other)
        shift = len(self.text)
        return LText(
            self.text + other.text, self.runs + tuple(r.shifted(shift) for r in other.runs)
        )

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, item: slice) -> LText:
        start, stop, step = item.indices(len(self.text))
        if step != 1:
            raise ValueError("LText slices take no step")
        if stop <= start:
            return LText.plain("")
        # Runs are sorted and do not overlap: start at the first that ends after `start` (a
        # scan of every run made `split` of a 10,000-line template quadratic: minutes).
        all_runs = self.runs
        i = bisect.bisect_right(all_runs, start, key=_run_end)
        runs = []
        while i < len(all_runs) and all_runs[i].start < stop:
            r = all_runs[i]
            lo, hi = max(r.start, start), min(r.end, stop)
            if lo < hi:
                runs.append(r.cut(lo - start, hi - start, lo - r.start))
            i += 1
        return LText(self.text[start:stop], tuple(runs))

    # queries ----------------------------------------------------------------------------
    @property
    def dynamic(self) -> bool:
        return SYMBOL in self.text

    def symbols(self) -> list[Run]:
        return [r for r in self.runs if r.symbolic]

    def _run_at(self, index: int) -> Run | None:
        # Bisect on the runs themselves: a list of their starts per call made `span()` of a
        # 70,000-character word quadratic (a fuzzed script hung a run, issue 30).
        i = bisect.bisect_right(self.runs, index, key=_run_start) - 1
        if i >= 0 and self.runs[i].start <= index < self.runs[i].end:
            return self.runs[i]
        return None

    def loc(self, index: int) -> tuple[str, int, int] | None:
        """(path, line, column) of the character at index, or None if it has no location."""
        r = self._run_at(index)
        if r is None:
            return None
        if r.symbolic:
            return (r.path, r.line, r.column)
        return (r.path, r.line, r.column + index - r.start)

    def span(self, start: int = 0, end: int | None = None) -> Span | None:
        """The span of text[start:end]: from its first located character to its last.

        When the characters lie in several files, the span stays in the first one's file.
        """
        stop = len(self.text) if end is None else end
        first: tuple[str, int, int] | None = None
        last: tuple[str, int, int] | None = None
        for i in range(start, stop):
            r = self._run_at(i)
            if r is None:
                continue
            if first is None:
                first = self.loc(i)
                assert first is not None
            if r.path != first[0]:
                continue
            if r.symbolic:
                here = (r.path, r.end_line, r.end_column)
            else:
                here = (r.path, r.line, r.column + i - r.start + 1)
            # A value written earlier in the same file (`--type="$type"`) cannot end the span
            # before it starts: the span ends at the furthest character after its start.
            if here[1:] >= first[1:] and (last is None or here[1:] > last[1:]):
                last = here
        if first is None or last is None:
            return None
        return Span(first[0], first[1], first[2], last[1], last[2])

    def paths(self, start: int = 0, end: int | None = None) -> list[str]:
        """The files the characters of text[start:end] are written in, in order of appearance."""
        stop = len(self.text) if end is None else end
        out: list[str] = []
        for r in self.runs:
            if r.start < stop and r.end > start and r.path not in out:
                out.append(r.path)
        return out

    def span_in(self, path: str, start: int = 0, end: int | None = None) -> Span | None:
        """The span of the characters of text[start:end] that are written in `path`."""
        stop = len(self.text) if end is None else end
        keep = [r for r in self.runs if r.path == path and r.start < stop and r.end > start]
        if not keep:
            return None
        lo, hi = max(keep[0].start, start), min(keep[-1].end, stop)
        return self[lo:hi].span()

    def assumed(self, start: int = 0, end: int | None = None) -> tuple[str, ...]:
        """What a template had to assume to print all of text[start:end]: the conditions of
        each of its characters, together; () when it prints them whatever the unknowns are."""
        stop = len(self.text) if end is None else end
        out: list[str] = []
        for r in self.runs:
            if r.start < stop and r.end > start:
                out.extend(a for a in r.assumed if a not in out)
        return tuple(out)

    def strip(self) -> LText:
        text = self.text
        lo = len(text) - len(text.lstrip())
        hi = len(text.rstrip())
        return self[lo:hi]

    def split(self, sep: str) -> list[LText]:
        out, pos = [], 0
        while True:
            i = self.text.find(sep, pos)
            if i < 0:
                out.append(self[pos:])
                return out
            out.append(self[pos:i])
            pos = i + len(sep)

    def __str__(self) -> str:
        return self.text


def _run_start(run: Run) -> int:
    return run.start


def _run_end(run: Run) -> int:
    return run.end


fast_pickling(globals())
