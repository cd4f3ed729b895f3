"""Interfaces of shell scripts with no option parser, read from how the code uses its operands.

A script that reads `$1` and `$2` and nothing else takes two operands (a third is ignored: the
caller's intent is lost), every word an operand, `-q` included (the `positional` dialect). One
that never reads its arguments takes none. Anything that may read more, or hand the arguments
on, makes the count open: `"$@"`, `$*`, `shift`, `for x; do`, `${!i}`, `set --`, `eval`,
`BASH_ARGV`, a sourced file (it sees the script's arguments). A `getopts`/`getopt` the option
readers did not follow, or an ERB tag alone on a line (it may print code), leaves the interface
unknown. Tests of `$#` and `${1:?}` at the top level, whose branch exits or prints usage, say
how many operands the code requires or allows.
"""

from __future__ import annotations

import re

from driftlint.interfaces.common import LineIndex, make_interface
from driftlint.ltext import SYMBOL
from driftlint.model import Interface, Positional

__all__ = ["blank_shell", "shell_positional"]

_HEREDOC = re.compile(r"<<-?\s*(['\"]?)\\?([A-Za-z_]\w*)\1")
_INDEX = re.compile(r"\$([1-9])|\$\{([1-9]\d*)")
_ALL = re.compile(r"\$[@*]|\$\{[@*!]|\$\{#[@*]|\bBASH_ARGV\b|\bBASH_ARGC\b")
_COMMAND_START = r"(?:^|[;&|({`]|\$\(|\b(?:then|do|else|elif|if|while|until)\b)\s*"
_OPEN = re.compile(
    _COMMAND_START + r"(?:shift|eval|source|\.|set\s+--|set\s+-[a-z]*\s+--)(?=\s|;|$)"
    r"|\bfor\s+[A-Za-z_]\w*\s*(?:;|\n|\bdo\b)",
    re.M,
)
_PARSER = re.compile(_COMMAND_START + r"(?:getopts?|argbash)\b", re.M)
_COUNT = r"\"?\$(?:#|\{#\})\"?"
_TEST = re.compile(
    rf"(?P<neg>!\s*)?(?:\[\[?|\btest)\s*(?P<neg2>!\s*)?{_COUNT}\s*-(?P<op>eq|ne|lt|le|gt|ge)\s*"
    rf"\"?(?P<n>\d+)\"?\s*\]?\]?"
    rf"|\(\(\s*{_COUNT}\s*(?P<cop>==|!=|<=|>=|<|>)\s*(?P<cn>\d+)\s*\)\)"
    rf"|(?:\[\[?|\btest)\s*-(?P<zn>[zn])\s+\"?\$\{{?(?P<zi>[1-9])\}}?\"?\s*\]?\]?"
)
_C_OPS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "gt": "le", "le": "gt"}
_REJECT = re.compile(r"\bexit\s+(?:[1-9]|\$)|\busage\b|\bUsage\b|\bUSAGE\b|\bdie\b")
_REQUIRED = re.compile(r"\$\{([1-9]):?\?")


def blank_shell(text: str) -> str:
    """`text` with comments, single-quoted strings, escaped characters and quoted heredoc
    bodies blanked (lines and offsets kept): what is left is where the shell expands `$`."""
    out = list(text)
    i, n = 0, len(text)
    state = ""  # "", "'", '"'
    pending: list[tuple[str, bool]] = []  # heredocs opened on this line: (delimiter, quoted)
    while i < n:
        c = text[i]
        if c == "\n" and pending and not state:
            i = _skip_heredocs(text, i + 1, pending, out)
            pending = []
            continue
        if state == "'":
            if c == "'":
                state = ""
            elif c != "\n":
                out[i] = " "
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            out[i] = " "
            if text[i + 1] != "\n":
                out[i + 1] = " "
            i += 2
            continue
        if state == '"':
            if c == '"':
                state = ""
            i += 1
            continue
        if c == "'":
            state = "'"
        elif c == '"':
            state = '"'
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            end = text.find("\n", i)
            end = n if end < 0 else end
            for k in range(i, end):
                out[k] = " "
            i = end
            continue
        elif c == "<" and text.startswith("<<", i) and not text.startswith("<<<", i):
            m = _HEREDOC.match(text, i)
            if m is not None:
                pending.append((m.group(2), bool(m.group(1)) or "\\" in m.group(0)))
                i = m.end()
                continue
        i += 1
    return "".join(out)


def _skip_heredocs(text: str, i: int, pending: list[tuple[str, bool]], out: list[str]) -> int:
    for delimiter, quoted in pending:
        while i < len(text):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            line = text[i:end]
            done = line.strip() == delimiter
            if quoted and not done:
                for k in range(i, end):
                    out[k] = " "
            elif not done:
                for k in range(i, end):
                    if out[k] == "\\" and k + 1 < end:
                        out[k] = out[k + 1] = " "
            i = end + 1
            if done:
                break
    return i


def shell_positional(path: str, text: str, script: str) -> Interface | None:
    """The operands a shell script with no option parser takes; None when that is unsure."""
    code = blank_shell(text)
    body = code.split("\n", 1)[1] if code.startswith("#!") else code
    if _PARSER.search(body):
        return None
    for line in body.split("\n"):
        if line.strip() and line.strip().strip(SYMBOL + " \t") == "":
            return None  # an ERB output tag alone on a line may print code
    body = _without_functions(body)
    reads = [int(m.group(1) or m.group(2)) for m in _INDEX.finditer(body)]
    open_count = _ALL.search(body) is not None or _OPEN.search(body) is not None
    if "$#" in body or "${#}" in body:
        reads.append(0)  # the count is tested: the code reads its arguments
    low, high = _count_tests(body)
    most: int | None = None if open_count else max(reads, default=0)
    if high is not None:
        most = high  # the code refuses more, whatever it reads
    if most is not None and low > most:
        return None  # tests we misread: say nothing rather than something false
    index = LineIndex(text)
    first = next((m.start() for m in _INDEX.finditer(body)), 0)
    offset = len(code) - len(body)
    start = min(offset + first, len(text))
    source = index.span(path, start, min(start + 2, len(text)))
    positionals = () if most == 0 else (Positional("args", low, most),)
    return make_interface(script, "positional", positionals=positionals, source=source)


_FUNCTION = re.compile(r"^([ \t]*)(?:function\s+)?[A-Za-z_][\w-]*\s*(?:\(\s*\))?\s*\{?\s*$")
_ONE_LINE_FUNCTION = re.compile(
    r"^[ \t]*(?:function\s+)?[A-Za-z_][\w-]*\s*\(\s*\)\s*\{.*\}\s*;?\s*$"
)


def _without_functions(code: str) -> str:
    """`code` with the bodies of its functions blanked: there `$1`, `"$@"` and `shift` are the
    function's own arguments, never the script's (those reach a function only through a call
    written outside it, `f "$1"`). A body is blanked only when its end is plain to see: a `}`
    alone on a line, indented as the header; otherwise the code is kept as it is."""
    lines = code.split("\n")
    out = list(lines)
    number = 0
    while number < len(lines):
        line = lines[number]
        if _ONE_LINE_FUNCTION.match(line):
            out[number] = ""
            number += 1
            continue
        header = _FUNCTION.match(line)
        if header is None or ("(" not in line and not line.lstrip().startswith("function")):
            number += 1
            continue
        indent = header.group(1)
        end = next(
            (k for k in range(number + 1, len(lines)) if lines[k] == indent + "}"
             or lines[k].rstrip() == indent + "}"),
            None,
        )  # fmt: skip
        if end is None:
            return code  # no plain end: keep everything
        for k in range(number, end + 1):
            out[k] = ""
        number = end + 1
    return "\n".join(out)


def _count_tests(code: str) -> tuple[int, int | None]:
    """What top-level tests that reject the call (their branch exits or prints usage) say:
    the fewest operands required and the most allowed (None: no bound)."""
    lines = code.split("\n")
    low = 0
    high: int | None = None
    for number, line in enumerate(lines):
        if not line or line[0] in " \t":
            continue  # inside a function or a branch: it may hold for one mode only
        for m in _REQUIRED.finditer(line):
            low = max(low, int(m.group(1)))
        tests = list(_TEST.finditer(line))
        if len(tests) != 1:
            continue
        test = tests[0]
        after = line[test.end() :]
        stripped = line.lstrip()
        if re.match(r"\s*(?:\]\]?\s*)?&&", after) and _REJECT.search(after):
            negated = False
        elif re.match(r"\s*(?:\]\]?\s*)?\|\|", after) and _REJECT.search(after):
            negated = True
        elif stripped.startswith(("if ", "if[")) and _rejects(lines, number):
            negated = False
        else:
            continue
        if test.group("neg") or test.group("neg2"):
            negated = not negated
        if test.group("zi"):
            empty = test.group("zn") == "z"
            if empty != negated:
                low = max(low, int(test.group("zi")))
            continue
        op = test.group("op") or _C_OPS[test.group("cop")]
        n = int(test.group("n") or test.group("cn"))
        if negated:
            op = _NEGATE[op]
        # `op n` holds when the call is rejected
        if op == "ne":
            low, high = max(low, n), n if high is None else min(high, n)
        elif op == "eq" and n == 0:
            low = max(low, 1)
        elif op == "lt":
            low = max(low, n)
        elif op == "le":
            low = max(low, n + 1)
        elif op == "gt":
            high = n if high is None else min(high, n)
        elif op == "ge":
            high = max(0, n - 1) if high is None else min(high, max(0, n - 1))
    return low, high


def _rejects(lines: list[str], number: int) -> bool:
    """The `if` at `lines[number]` runs a rejection (exit, usage, die) before its else/fi."""
    for offset, line in enumerate(lines[number : number + 12]):
        head = line.split("then", 1)[1] if offset == 0 and "then" in line else line
        if offset and re.match(r"\s*(?:else|elif|fi)\b", line):
            return False
        if _REJECT.search(head):
            return True
        if re.search(r"\bfi\b", head):
            return False
    return False
