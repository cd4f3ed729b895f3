"""What a shell script's code says about its operands, beside its option parser (issue #14).

- A `case "$1" in start) ... reload|force-reload) ...` of an init script lists the words it
  accepts: the code decides, whatever the echoed usage line leaves out.
- Tests of `$#` and of an empty `$1` say how many operands the code requires.
- A script that runs its words as a command (`exec "$@"`, `sudo -u x -- "$@"`) takes any
  number of them, and the command's options are not the script's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from driftlint.interfaces.caseloop import case_arms
from driftlint.model import Interface, Positional

__all__ = [
    "CaseWords",
    "first_word_case",
    "operands_from_code",
    "required_count",
    "runs_all_words",
]

_WORD = re.compile(r"^[A-Za-z][\w.-]*$")
_REJECT = re.compile(r"\bexit\s+(?:[1-9]|\$)|\busage\w*|>&2|\bfalse\b|\breturn\s+[1-9]", re.I)
_FROM_FIRST = re.compile(
    r"""(?m)^\s*(?:local\s+)?([A-Za-z_]\w*)="?\$\{?1(?:\}|:-[^}]*\})?"?\s*(?:$|;)"""
)
_FUNCTION = re.compile(r"(?m)^\s*function\s+([A-Za-z_][\w-]*)|^\s*([A-Za-z_][\w-]*)\s*\(\s*\)")
# `"$@"` (or `$@`, `${@}`, `${@:N}`, `$*`) on a line; `_NOT_A_RUN` drops loops, `set --`,
# getopt(s) calls, tests and output.
_ALL = re.compile(r"""(?m)^(?P<line>[^\n#]*?)(?<![\w$])"?\$(?:@|\{@\}|\{@:(?P<from>\d+)\}|\*)"?""")
# Tests of the operand count (`[ $# -lt 2 ] && usage`, `(( $# != 1 ))`) and of an empty operand
# (`[ -z "$1" ]`, `${1:?}`): what the code requires, whatever the usage text says.
_COUNT = re.compile(
    r"\$\{?#\}?\"?\s*-(?P<op>eq|ne|lt|le|gt|ge)\s*\"?(?P<n>\d+)|"
    r"\$#\s*(?P<cop>==|!=|<=|>=|<|>)\s*(?P<cn>\d+)|"
    r"-z\s+\"?\$\{?(?P<z>[1-9])\}?\"?|\$\{(?P<q>[1-9]):?\?"
)
_IMPLIED = {"eq": 1, "ne": 0, "lt": 0, "le": 1, "gt": 1, "ge": 0}
_C_OPS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_RUNNERS = frozenset(
    {
        "exec",
        "sudo",
        "nohup",
        "nice",
        "setsid",
        "env",
        "time",
        "command",
        "ionice",
        "chpst",
        "runuser",
        "timeout",
        "stdbuf",
        "su-exec",
        "gosu",
        "setpriv",
        "chroot",
    }
)
_VALUED = frozenset({"-u", "-g", "-n", "-c", "-p", "-k", "-s", "-w", "-C"})
_NOT_A_RUN = re.compile(
    r"""(?:\bfor\s+\w+\s+in\b|\bset\s+--|\bgetopts?\b|\bwhile\b|\bcase\b|\[|\btest\b|"""
    r"""\becho\b|\bprintf\b|\blogger\b|\blocal\b|\bdeclare\b|=\(?\s*"?$|\blog\w*\b)"""
)


@dataclass(frozen=True, slots=True)
class CaseWords:
    words: tuple[str, ...]  # the words `case "$1"` accepts
    open_ended: bool  # a catch-all arm accepts any other word


def first_word_case(code: str) -> CaseWords | None:
    """The words of the first `case "$1"` whose arms are plain words (not options); a variable
    set from `$1` (`action="$1"`, `ACTION=${1:-}`) stands for it."""
    subjects = ["1", *dict.fromkeys(m.group(1) for m in _FROM_FIRST.finditer(code))]
    for arms in (a for subject in subjects for a in case_arms(code, subject)):
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


def required_count(code: str) -> int | None:
    """The fewest operands the code insists on, read from its tests; None without a test.

    Each test is taken as the one that rejects (`[ $# -eq 0 ] && usage` needs 1), and the
    lowest need wins: a script that checks `$# -eq 0` and `$# -eq 1` for two modes needs 1."""
    needs: list[int] = []
    for m in _COUNT.finditer(code):
        if m.group("z") or m.group("q"):
            needs.append(int(m.group("z") or m.group("q")))
            continue
        op = m.group("op") or _C_OPS[m.group("cop")]
        n = int(m.group("n") or m.group("cn"))
        needs.append(n + _IMPLIED[op] if op in ("eq", "le", "gt") else n)
    return min(needs) if needs else None


def runs_all_words(code: str) -> int | None:
    """The first operand (1 for `"$@"`, N for `"${@:N}"`) from which the script runs its
    words as a command (`exec "$@"`, `sudo -u "$u" -- "$@"`); None when it does not.

    Words handed to a program the script names (`exec php run.php "$@"`) are not a command:
    the usage text of such a wrapper says what it takes."""
    functions = {m.group(1) or m.group(2) for m in _FUNCTION.finditer(code)} - {None}
    for m in _ALL.finditer(code):
        line = m.group("line")
        if _NOT_A_RUN.search(line):
            continue
        segment = re.split(r"&&|\|\||;|\bthen\b|\bdo\b|\belse\b|\{|\(", line)[-1].split()
        if segment and segment[0] in functions:
            continue
        if _command_position(segment):
            return int(m.group("from") or 1)
    return None


def _command_position(before: list[str]) -> bool:
    """True when the words before `"$@"` only run it: runners, their options and values."""
    if before and before[0] not in _RUNNERS:
        return False
    takes_value = False
    for word in before:
        if takes_value or word in _RUNNERS or word.startswith("-") or "=" in word:
            takes_value = word in _VALUED
            continue
        if word.strip("\"'").isdigit():
            continue  # `timeout 30`, `nice -n 5`
        return False
    return True


def operands_from_code(found: Interface, code: str) -> Interface:
    """`found` (read from the parser code and usage text) with its operands as the code runs
    them: the words of `case "$1"` decide the first operand's choices, and `"$@"` run as a
    command makes the last operand take any number of words."""
    positionals = list(found.positionals)
    if positionals and positionals[0].choices is not None:
        case = first_word_case(code)
        if case is not None:
            choices = None if case.open_ended else case.words
            positionals[0] = replace(positionals[0], choices=choices)
    need = required_count(code)
    if need is not None and sum(p.min for p in positionals) > need:
        # the code decides how many operands are required: later ones become optional
        kept: list[Positional] = []
        for positional in positionals:
            keep = min(positional.min, max(0, need - sum(p.min for p in kept)))
            kept.append(replace(positional, min=keep))
        positionals = kept
    start = runs_all_words(code)
    if start is None:
        return replace(found, positionals=tuple(positionals))
    if start > 1 and found.dialect == "docopt":
        # `exec "${@:2}"`: from the second word on, the words are a command's
        positionals = [*positionals[: start - 1], Positional("command", 0, None)]
    elif positionals:
        positionals[-1] = replace(positionals[-1], max=None)
    else:
        positionals = [Positional("command", 0, None)]
    # the command's own options follow it: they are not the script's
    return replace(found, positionals=tuple(positionals), interleaved=False)
