"""Where usage text's pattern lines are (`Usage:`, SYNOPSIS) and which word is the program."""

from __future__ import annotations

import re

from driftlint.interfaces.common import TextLine

# An option, perhaps with its value and other spellings, then two spaces and prose.
_HELP_LINE = re.compile(
    r"^-{1,2}[\w?][\w-]*(?:[ =]?<?[\w.-]+>?)?(?:,\s*-{1,2}[\w-]+(?:[ =]<?[\w.-]+>?)?)*"
    r"(?:\s{2,}|\t)[A-Za-z(]"
)
_PROG = re.compile(r"\$\([^)]*\)|`[^`]*`|\$\{[^}]*\}|\S+")
# Words written before the program in a usage line: `sudo NAME ...`, `env X=1 NAME ...`.
_WRAPPERS = frozenset({"sudo", "env", "exec", "nohup", "bash", "sh", "python", "python3", "perl"})


def usage_section(lines: list[TextLine]) -> tuple[list[TextLine], TextLine | None]:
    """The pattern lines after `Usage:` (or under SYNOPSIS), each trimmed to the pattern."""
    for index, line in enumerate(lines):
        stripped = line.text.strip()
        lower = stripped.lower()
        lead = len(line.text) - len(line.text.lstrip())
        if lower.startswith("usage:"):
            at = lead + len("usage:")
            rest = line.text[at:]
            out = []
            if rest.strip():
                skip = len(rest) - len(rest.lstrip())
                out.append(TextLine(rest.strip(), line.line, line.column + at + skip))
            out.extend(_following(lines[index + 1 :], bool(out), lead, started=bool(out)))
            return out, line
        if stripped.rstrip(":") in ("SYNOPSIS", "Synopsis"):
            return _following(lines[index + 1 :], True, lead, started=False), line
    return [], None


def _following(
    lines: list[TextLine], stop_unindented: bool, base: int, started: bool
) -> list[TextLine]:
    out: list[TextLine] = []
    for line in lines:
        stripped = line.text.strip()
        lead = len(line.text) - len(line.text.lstrip())
        if not stripped:
            if out or started:
                break
            continue
        if stripped.endswith(":") and not stripped.startswith("-") and lead <= base:
            break  # the next section
        if _HELP_LINE.match(stripped):
            break  # `-h   Get help`: an option's description, never part of the pattern
        if (
            stop_unindented
            and lead <= base
            and (out or started)
            # `[--config <path>] [--dryrun]` on the next line goes on with the pattern
            and not stripped.startswith(("[", "-", "<", "|"))
        ):
            break
        out.append(TextLine(stripped, line.line, line.column + lead))
    return out


def program_word(text: str) -> tuple[str, int]:
    """The program word of a usage line and where it ends, past `sudo [-u USER]`, `env X=1`."""
    words = list(_PROG.finditer(text))
    index = 0
    while index + 1 < len(words) and words[index].group(0) in _WRAPPERS:
        index += 1
        while index + 1 < len(words) and (
            words[index].group(0).startswith("-") or "=" in words[index].group(0)
        ):
            option = words[index].group(0)
            index += 2 if option in ("-u", "-g") else 1
        index = min(index, len(words) - 1)
    if not words:
        return "", 0
    return words[index].group(0), words[index].end()
