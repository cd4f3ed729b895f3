"""Why a watched script has no interface driftlint can read (`driftlint interface --unknown`)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from driftlint.interfaces.scriptargs import PERL_QUIET, RUBY_QUIET

_SHEBANG = re.compile(r"^#!\s*(\S+)(?:\s+(\S+))?")
_READ = ("sh", "bash", "dash", "ksh", "zsh", "python", "perl", "ruby")


def interpreter(text: str) -> str:
    """The program a shebang names (`python3` for `#!/usr/bin/env python3`), or ``."""
    m = _SHEBANG.match(text.lstrip("\ufeff"))
    if m is None:
        return ""
    program = posixpath.basename(m.group(1))
    if program == "env" and m.group(2):
        program = posixpath.basename(m.group(2))
    return program


def unknown_reason(path: str, text: str | None) -> str:
    """One clause saying why no interface was read from the file at `path`."""
    if text is None:
        return "not readable as text (binary, not UTF-8, too large or a link out of the tree)"
    program = interpreter(text)
    language = re.sub(r"[\d.]+$", "", program)
    if program and language not in _READ:
        return f"a `{program}` script: driftlint does not read that language"
    base = path.removesuffix(".erb")
    if not program and not base.endswith((".sh", ".bash", ".py", ".pl", ".rb")):
        return "no shebang and no script suffix: its language is unknown"
    if language == "python" or base.endswith(".py"):
        found = _first(_PYTHON, text)
    elif language == "perl" or base.endswith(".pl"):
        found = _first(_PERL, text, lambda name: PERL_QUIET.match(name) is None)
    elif language == "ruby" or base.endswith(".rb"):
        found = _first(_RUBY, text, lambda name: RUBY_QUIET.match(name) is None)
    else:
        found = _first(_SHELL, text)
    return (
        found or "no option parser, usage text or use of its arguments that driftlint understands"
    )


def _first(
    rules: tuple[tuple[re.Pattern[str], str], ...],
    text: str,
    telling: Callable[[str], bool] = lambda name: True,
) -> str | None:
    """The first rule that matches, with what it matched; a match `telling` refuses (a module
    known to leave the arguments alone) is passed over."""
    for pattern, why in rules:
        for m in pattern.finditer(text):
            if telling(m.group(1)):
                return why.format(*m.groups())
    return None


# What made a reader unsure, in the order the readers look (driftlint.interfaces.scriptargs,
# driftlint.interfaces.positional): said to the user, never used to decide.
_PYTHON = (
    (
        re.compile(
            r"(?m)^\s*(?:import|from)\s+(argparse|optparse|click|docopt|fire|typer|plac|absl)"
        ),
        "a `{0}` parser driftlint could not read (built at run time, or in another file)",
    ),
    (
        re.compile(r"(?m)^\s*(?:import|from)\s+(getopt|fileinput|unittest)\b"),
        "uses `{0}`, which reads the arguments in ways driftlint does not follow",
    ),
    (
        re.compile(r"(?m)^\s*from\s+([\w.]+)\s+import\s+main\b"),
        "hands its arguments to `main()` of `{0}`",
    ),
    (re.compile(r"\b(exec|eval|execfile)\s*\("), "builds code at run time (`{0}`)"),
    (re.compile(r"\b(sys\.argv|argv)\b"), "reads `{0}` in a way driftlint does not follow"),
)
_PERL = (
    (re.compile(r"^#!\S*perl\S*\s+(-\w*[snpa]\w*)"), "`perl {0}` reads its arguments itself"),
    (
        re.compile(r"(?m)^\s*use\s+(Getopt::\w+|Pod::Usage)"),
        "a `{0}` call driftlint could not read",
    ),
    (re.compile(r"(?m)^\s*(?:use|require)\s+([A-Z][\w:]*)"), "loads `{0}`, which may read @ARGV"),
    (re.compile(r"\b(require|do|eval)\s*[('\"$]"), "loads code at run time (`{0}`)"),
)
_RUBY = (
    (
        re.compile(r"\b(OptionParser|GetoptLong|Thor|Slop)\b"),
        "a `{0}` parser driftlint could not read",
    ),
    (
        re.compile(r"(?m)^\s*(?:require|require_relative|load)\b\s*\(?\s*['\"]([^'\"]+)"),
        "requires `{0}`, which may read ARGV",
    ),
    (re.compile(r"(?<![.\w])(gets)\b"), "reads the files ARGV names (`{0}`)"),
)
_SHELL = (
    (re.compile(r"\b(getopts?)\b"), "a `{0}` call driftlint could not follow"),
    (
        re.compile(r"(?m)^[ \t]*(<%=)[^\n]*%>[ \t]*$"),
        "an ERB tag alone on a line (`{0} ... %>`) may print code",
    ),
    (re.compile(r"(\$#)"), "tests of `{0}` that driftlint reads as contradicting each other"),
)
