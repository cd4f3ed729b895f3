"""Regular expressions written in the tree, run by the evaluator: one place to bound them.

Puppet's regexes are Ruby's. The few spellings Python's `re` reads differently are rewritten
(`\\z`, `\\h`, `(?<name>`); a pattern Python cannot compile is None, and the caller treats
the match as unknown. Every regex the evaluator runs on the tree's text goes through `search`,
`finditer` or `split` here, so that one function can bound their cost.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from driftlint import safe_re

_RUBY = re.compile(r"\\[zhH]|\(\?<(?=[A-Za-z_])")
_REWRITE = {"\\z": r"\Z", "\\h": "[0-9A-Fa-f]", "\\H": "[^0-9A-Fa-f]", "(?<": "(?P<"}


@functools.lru_cache(maxsize=1024)
def compile_ruby(
    pattern: str, ignore_case: bool = False, extended: bool = False
) -> re.Pattern[str] | None:
    """A Ruby regex as Python's, or None when Python cannot read it."""
    text = _RUBY.sub(lambda m: _REWRITE[m.group(0)], pattern)
    flags = (re.IGNORECASE if ignore_case else 0) | (re.VERBOSE if extended else 0)
    try:
        return re.compile(text, flags)
    except (re.error, RecursionError, OverflowError):
        return None


class Unbounded(Exception):
    """Whether the pattern matches cannot be told within safe_re's bound: the match is unknown."""


_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE


def _verdict(pattern: re.Pattern[str], text: str) -> bool:
    """Does the pattern match, asked of safe_re first (RE2, or a timeout), so that `re`
    runs only where the answer is known to be quick to find. Raises Unbounded."""
    verdict = safe_re.search(pattern.pattern, text, pattern.flags & _FLAGS)
    if verdict is None:
        raise Unbounded(pattern.pattern)
    return verdict


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match, or None where there is none. Raises Unbounded."""
    return pattern.search(text) if _verdict(pattern, text) else None


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Every match (none where the pattern does not match). Raises Unbounded."""
    return pattern.finditer(text) if _verdict(pattern, text) else iter(())
