"""Option description lines of usage text: `-t, --timeout=<s>  Stop after [default: 300].`"""

from __future__ import annotations

import re

from driftlint.interfaces.common import TextLine
from driftlint.model import Option

_DEFAULT = re.compile(r"\[default:\s*([^\]]*)\]", re.I)
_OPTION_HEAD = re.compile(
    r"^(?:[\w\s-]*\s)?(?:options?|flags|args|arguments|parameters)\s*:?\s*$", re.I
)
_NAME = re.compile(r"^-{1,2}[A-Za-z0-9?][\w.?-]*$")


def option_section(lines: list[TextLine], path: str) -> list[Option]:
    """Option descriptions: `-x` lines under an Options header, or with a 2-space description."""
    out: list[Option] = []
    inside = False
    for line in lines:
        stripped = line.text.strip()
        if _OPTION_HEAD.match(stripped) and not stripped.startswith("-"):
            inside = True
            continue
        if not stripped.startswith("-") or stripped.startswith("--- "):
            continue
        lead = len(line.text) - len(line.text.lstrip())
        described = re.search(r"\S(\s{2,}|\t)\S", stripped) is not None
        if not inside and not described:
            continue
        option = _describe(TextLine(stripped, line.line, line.column + lead), path)
        if option is not None:
            out.append(option)
    return out


def _describe(line: TextLine, path: str) -> Option | None:
    """`-t, --timeout=<seconds>  Stop after [default: 300].` as an Option."""
    text = line.text
    cut = re.search(r"\s{2,}|\t", text)
    spec = text[: cut.start()] if cut else text
    help_text = text[cut.end() :].strip() if cut else ""
    names: list[str] = []
    value = False
    first: tuple[int, int] | None = None
    for m in re.finditer(r"[^\s,=|\[\]]+?(?=[\s,=|\[\]]|/-|$)", spec):
        word = m.group(0).lstrip("/").rstrip(")\"':;.")
        if _NAME.match(word) and word != "--":
            names.append(word)
            if first is None:
                first = (m.start(), m.start() + len(word))
        elif names and word:
            value = True
    if not names or first is None:
        return None
    default = _DEFAULT.search(help_text)
    return Option(
        names=tuple(dict.fromkeys(names)),
        takes_value=value,
        help=_DEFAULT.sub("", help_text).strip() if default else help_text,
        span=line.span(path, first[0], first[1]),
        sources=frozenset({"text"}),
    )
