"""Why a watched script has no interface driftlint can read (`driftlint interface --unknown`)."""

from __future__ import annotations

import posixpath
import re

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
    if program:
        language = re.sub(r"[\d.]+$", "", program)
        if language not in _READ:
            return f"a `{program}` script: driftlint does not read that language"
    elif not path.removesuffix(".erb").endswith((".sh", ".bash", ".py", ".pl", ".rb")):
        return "no shebang and no script suffix: its language is unknown"
    return "no option parser, usage text or use of its arguments that driftlint understands"
