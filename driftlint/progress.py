"""A one-line progress bar on stderr, for long runs on a terminal only.

The engine reports `(stage, done, total)`; this draws it at most ten times a second and
erases itself when the run ends, so nothing of it is left in a terminal's scrollback and
nothing at all reaches a pipe, a file or a CI log.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

Report = Callable[[str, int, int], None]  # (stage, done, total); total 0: length unknown


def silent(stage: str, done: int, total: int) -> None:
    """The Report of a run nobody watches."""
    del stage, done, total


_WIDTH = 24  # characters of bar


class Progress:
    def __init__(self, stream: TextIO, *, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self._last: float | None = None  # nothing drawn yet: the first step is always drawn
        self._shown = False

    @staticmethod
    def wanted(stream: TextIO, choice: str = "auto") -> bool:
        """Whether to draw on stream: `always`, `never`, or (`auto`) on a terminal that
        is not `TERM=dumb`."""
        if choice in ("always", "never"):
            return choice == "always"
        if os.environ.get("TERM") == "dumb":
            return False
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        if total > 0:
            filled = _WIDTH * min(done, total) // total
            bar = "#" * filled + "-" * (_WIDTH - filled)
            line = f"driftlint: [{bar}] {stage} {done}/{total}"
        else:
            line = f"driftlint: {stage}"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False
