"""Monitoring macros (`$ARG1$`, `$HOSTADDRESS$`, `$USER1$`, Icinga 2's `$address$`) as unknown
words: the monitoring daemon replaces them before any shell sees the line, so the shell must
never read `$HOSTADDRESS$` as its own `$HOSTADDRESS` followed by a `$`. Each macro becomes one
SYMBOL located at the macro, inside whatever word it is written in
(`https://$HOSTADDRESS$:8080/api` stays one word). `$$` is a literal `$` (Nagios docs,
"Understanding Macros").
"""

from __future__ import annotations

import re

from driftlint.ltext import LText

MACRO = re.compile(r"\$\$|\$[A-Za-z_][A-Za-z0-9_.]*\$")


def has_macro(text: str) -> bool:
    return any(m.group(0) != "$$" for m in MACRO.finditer(text))


def macros_to_symbols(text: LText) -> LText:
    """The text with each macro an unknown and each `$$` one `$`."""
    parts: list[LText] = []
    pos = 0
    for match in MACRO.finditer(text.text):
        parts.append(text[pos : match.start()])
        piece = text[match.start() : match.end()]
        if match.group(0) == "$$":
            # One `$` for the shell; where it starts an expansion the word is unknown.
            parts.append(piece[:1])
        else:
            span = piece.span()
            parts.append(LText.symbol(span, match.group(0)) if span else LText.plain("\ue000"))
        pos = match.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return LText.join(parts)
