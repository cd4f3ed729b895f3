"""Regular expressions written in the tree, matched in bounded time.

A pattern from the tree (`case $s { /^(a+)+$/: }`, a selector, an ERB `=~`, a node regex) run
by Python's `re` can take exponential time on a short subject, and one such pattern hangs the
whole run. Every tree pattern is matched here instead:

- with RE2 (`google-re2`, linear in the subject) when the pattern fits its syntax;
- else (a backreference, a lookaround) with the `regex` module under a timeout of BOUND;
- past the bound, or when the pattern is not valid, the answer is None: unknown, so a caller
  takes both branches of a condition, as for an unknown value.

RE2 reads a POSIX class (`[[:alpha:]]`) as Ruby, and so Puppet, does; `re` would read a set
followed by `]`. Otherwise both engines answer as `re` does (tests/test_hostile.py).

`search(pattern, text)` is the one function callers need; `compile` keeps a pattern for many
subjects. driftlint's own patterns (written in its code) keep using `re`.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from typing import Any

BOUND = 0.25  # seconds for one match by the backtracking engine

_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
_KNOWN_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE


class Pattern:
    """A tree pattern compiled once; `search(text)` is True, False or None (unknown)."""

    __slots__ = ("_search", "flags", "pattern")

    def __init__(self, pattern: str, flags: int, search: Callable[[str], bool | None]) -> None:
        self.pattern = pattern
        self.flags = flags
        self._search = search

    def search(self, text: str) -> bool | None:
        return self._search(text)


def search(pattern: str, text: str, flags: int = 0) -> bool | None:
    """Does pattern match somewhere in text? None when that cannot be told in the bound."""
    compiled = compile(pattern, flags)
    return None if compiled is None else compiled.search(text)


@functools.lru_cache(maxsize=4096)
def compile(pattern: str, flags: int = 0) -> Pattern | None:
    """The pattern for the fastest engine that reads it as `re` would; None if none can."""
    if flags & ~_KNOWN_FLAGS:
        return None
    linear = _re2(pattern, flags)
    if linear is not None:
        return Pattern(pattern, flags, linear)
    bounded = _backtracking(pattern, flags)
    if bounded is not None:
        return Pattern(pattern, flags, bounded)
    return None


@functools.lru_cache(maxsize=4096)
def linear(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    """A whole-text matcher for a pattern driftlint built itself from a glob of the tree
    (`.driftlint.yaml` `exclude:`, a Hiera `glob:` level): RE2, linear in the text, where a
    backtracking engine takes polynomial time in the number of `*` (`a*a*a*…b`). Such a
    pattern has no backreference or lookaround, so RE2 always reads it; `re` only without
    RE2 installed, or for a pattern RE2 refuses, raising re.error as re.compile does."""
    _valid(pattern, flags)
    compiled = _re2_compile(pattern, flags)
    if compiled is not None:
        return lambda text: compiled.fullmatch(text) is not None
    fallback = re.compile(pattern, flags)
    return lambda text: fallback.fullmatch(text) is not None


def _re2_compile(pattern: str, flags: int) -> Any:
    """pattern compiled by RE2 as `re` reads it, or None (RE2 missing, or refusing it)."""
    source = _to_re2(pattern)
    if source is None or flags & re.VERBOSE:  # RE2 has no verbose mode
        return None
    try:
        import re2
    except ImportError:
        return None
    letters = "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(f"(?{letters}){source}" if letters else source, options)
    except (re2.error, ValueError, TypeError, OverflowError, RecursionError):
        return None


def _re2(pattern: str, flags: int) -> Callable[[str], bool | None] | None:
    try:
        _valid(pattern, flags)  # what re refuses is not a pattern, whatever RE2 says
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return None
    compiled = _re2_compile(pattern, flags)
    if compiled is None:
        return None

    def found(text: str) -> bool | None:
        try:
            return compiled.search(text) is not None
        except (ValueError, TypeError, UnicodeError):
            return None

    return found


def _valid(pattern: str, flags: int) -> None:
    """Raise re.error for a pattern `re` refuses (quietly: `[[:` warns of nested sets)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re.compile(pattern, flags)


def _to_re2(pattern: str) -> str | None:
    """pattern in RE2's spelling: `\\Z` (end of text) is RE2's `\\z`. None for what RE2 would
    read differently from `re` (a `\\z`, which `re` refuses)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Z":
                out.append("\\z")
            elif nxt == "z":
                return None
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _backtracking(pattern: str, flags: int) -> Callable[[str], bool | None] | None:
    try:
        import regex
    except ImportError:
        return None
    try:
        _valid(pattern, flags)
        compiled = regex.compile(pattern, flags | regex.VERSION0)
    except (re.error, regex.error, ValueError, TypeError, OverflowError, RecursionError):
        return None

    def found(text: str) -> bool | None:
        try:
            return compiled.search(text, timeout=BOUND) is not None
        except TimeoutError:
            return None  # past the bound: unknown
        except (ValueError, TypeError, RecursionError, MemoryError):
            return None

    return found
