"""launchd jobs (macOS `/Library/LaunchDaemons/*.plist`, `LaunchAgents`): `ProgramArguments`
is the argv, one `<string>` a word, run with no shell; `Program`, when given, is the file run
and `ProgramArguments[0]` only its name (launchd.plist(5))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site

PROGRAM = re.compile(r"<key>\s*Program\s*</key>\s*<string>([^<]*)</string>")
ARGUMENTS = re.compile(r"<key>\s*ProgramArguments\s*</key>\s*<array>(.*?)</array>", re.DOTALL)
STRING = re.compile(r"<string>([^<]*)</string>")
ENTITIES = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    words: list[Word] = []
    arguments = ARGUMENTS.search(text.text)
    if arguments is not None:
        for item in STRING.finditer(text.text, arguments.start(1), arguments.end(1)):
            word = _word(text, item.start(1), item.end(1))
            if word is not None:
                words.append(word)
    program = PROGRAM.search(text.text)
    if program is not None:
        first = _word(text, program.start(1), program.end(1))
        if first is not None:
            words = [first, *words[1:]]
    return [shell.Command(words=tuple(words))] if words else []


def _word(text: LText, start: int, end: int) -> Word | None:
    value = text[start:end].strip()
    span = value.span()
    if not value.text or span is None:
        return None
    if ENTITIES.search(value.text):
        value = LText.symbol(span, "an XML entity")  # `&amp;`: not decoded, so unknown
    return Word(value.text, span, value.dynamic, True, value)


SITE = Site(
    "launchd-plist",
    read,
    paths=("/Library/LaunchDaemons/*.plist", "/Library/LaunchAgents/*.plist",
           "/System/Library/LaunchDaemons/*.plist", "*/Library/LaunchAgents/*.plist"),
    content=re.compile(r"<key>\s*(?:ProgramArguments|Program)\s*</key>"),
)  # fmt: skip
