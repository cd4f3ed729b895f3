"""Ruby regular expressions of ERB conditions (`@os =~ /^deb/`, `@x.match(/y/)`), matched
with Python's `re` when the text is known (issue 13, shape 10).

Only literals whose Python reading means the same are matched: anything with interpolation,
Ruby-only syntax or a pattern `re` refuses gives None (unknown), and the template forks.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from driftlint import safe_re
from driftlint.ltext import SYMBOL, LText
from driftlint.values import Value

# Ruby escapes with another spelling in Python; `\Z` in Ruby also allows a final newline.
_TRANSLATE = {r"\z": r"\Z", r"\Z": r"(?=\n?\Z)", r"\h": "[0-9a-fA-F]", r"\H": "[^0-9a-fA-F]"}
_RUBY_ONLY = re.compile(r"\\[GKRXpP]|\(\?<[a-zA-Z]|\(\?[imx]*-?[imx]*:|\[\[:")
_FLAGS = {"i": re.IGNORECASE, "x": re.VERBOSE, "m": re.DOTALL}


def regex_of(node: Node | None, program: bytes) -> safe_re.Pattern | None:
    """A `regex` node as a compiled Python pattern; None when it cannot be read faithfully.

    Ruby's `^` and `$` match at every line: the pattern is compiled with `re.MULTILINE`."""
    if node is None or node.type != "regex":
        return None
    if any(c.type not in ("string_content", "escape_sequence") for c in node.named_children):
        return None  # `#{...}`
    source = program[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if not source.startswith("/"):
        return None  # %r{...}: delimiters vary, not worth guessing
    end = source.rfind("/")
    body, flags = source[1:end], source[end + 1 :]
    if _RUBY_ONLY.search(body) or any(f not in _FLAGS for f in flags):
        return None
    for ruby, python in _TRANSLATE.items():
        body = body.replace(ruby, python)
    mode = re.MULTILINE
    for flag in flags:
        mode |= _FLAGS[flag]
    return safe_re.compile(body, mode)  # matched in bounded time (issue 30)


def matches(value: Value, pattern: safe_re.Pattern | None) -> bool | None:
    """Does a known text match? None when the text or the pattern is not known, or the
    match takes past safe_re's bound."""
    if pattern is None or not isinstance(value, LText) or SYMBOL in value.text:
        return None
    return pattern.search(value.text)
