"""What a shell script's code says about its operands, beside its option parser (issue #14).

- A `case "$1" in start) ... reload|force-reload) ...` of an init script lists the words it
  accepts: the code decides, whatever the echoed usage line leaves out.
- A script that runs `"$@"` (`exec "$@"`, `sudo -u x "$@"`) hands its remaining words to another
  program: they are any number of words, and without an option parser of its own, any options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from driftlint.interfaces.caseloop import case_arms
from driftlint.model import Interface, Positional

_WORD = re.compile(r"^[A-Za-z][\w.-]*$")
_REJECT = re.compile(r"\bexit\s+(?:[1-9]|\$)|\busage\w*|>&2|\bfalse\b|\breturn\s+[1-9]", re.I)
_FUNCTION = re.compile(
    r"(?m)^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*(?:\(\s*\))?\s*\{?\s*$|"
    r"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\s*\)"
)
# `"$@"` (or `$@`, `${@}`) as a word of a command line that is not a loop, `set --`, a getopt(s)
# call or a call of one of the script's own functions.
_ALL = re.compile(r"""(?m)^(?P<line>[^\n#]*?)(?<![\w$])"?\$(?:@|\{@\})"?""")
_NOT_A_RUN = re.compile(
    r"""(?:\bfor\s+\w+\s+in\b|\bset\s+--|\bgetopts?\b|\bwhile\b|\bcase\b|\[|\btest\b|"""
    r"""\becho\b|\bprintf\b|\blogger\b|\blocal\b|\bdeclare\b|=\(?\s*"?$|\blog\w*\b)"""
)


@dataclass(frozen=True, slots=True)
class CaseWords:
    words: tuple[str, ...]  # the words `case "$1"` accepts
    open_ended: bool  # a catch-all arm accepts any other word


def first_word_case(code: str) -> CaseWords | None:
    """The words of the first `case "$1"` whose arms are plain words (not options)."""
    for arms in case_arms(code, "1"):
        words: list[str] = []
        open_ended = False
        for arm in arms:
            if arm.names:
                break
            words.extend(w for w in arm.words if _WORD.match(w))
            if arm.catch and not _REJECT.search(arm.body):
                open_ended = True
        else:
            if words:
                return CaseWords(tuple(dict.fromkeys(words)), open_ended)
    return None


def runs_all_words(code: str) -> bool:
    """True when a command line of the script passes every remaining word on (`exec "$@"`)."""
    functions = {m.group(1) or m.group(2) for m in _FUNCTION.finditer(code)} - {None}
    for m in _ALL.finditer(code):
        line = m.group("line")
        if _NOT_A_RUN.search(line):
            continue
        segment = re.split(r"&&|\|\||;|\bthen\b|\bdo\b|\belse\b|\{", line)[-1].split()
        if not segment:
            continue  # `"$@"` alone at the start: a command named by the first word
        if segment[0] in functions or segment[0] in ("shift", "return", ":"):
            continue
        return True
    return False


__all__ = ["CaseWords", "first_word_case", "operands_from_code", "runs_all_words"]


def operands_from_code(found: Interface, code: str) -> Interface:
    """`found` (read from the parser code and usage text) with its operands as the code runs
    them: the words of `case "$1"` decide the first operand's choices, and `"$@"` passed on
    makes the last operand take any number of words."""
    positionals = list(found.positionals)
    if positionals and positionals[0].choices is not None:
        case = first_word_case(code)
        if case is not None:
            choices = None if case.open_ended else case.words
            positionals[0] = replace(positionals[0], choices=choices)
    if not runs_all_words(code):
        return replace(found, positionals=tuple(positionals))
    if positionals:
        positionals[-1] = replace(positionals[-1], max=None)
    else:
        positionals = [Positional("args", 0, None)]
    own_parser = found.dialect != "docopt"
    return replace(
        found,
        positionals=tuple(positionals),
        interleaved=found.interleaved and own_parser,
        accepts_unknown=found.accepts_unknown or not own_parser,
    )
