"""NRPE checks: `command[name]=command line`, which the daemon runs through `/bin/sh -c`.

`$ARG1$`-style macros are unknown words (they hold what the monitoring server sends), never
read by the shell (driftlint.sites.macros). A monitoring host's `check_nrpe -c NAME -a A1 A2`
(`uses`) runs the definition of NAME on the agent with `$ARGn$` replaced by the n-th `-a` word
(what `dont_blame_nrpe=1` lets through): the pipeline binds it to every definition of NAME
the tree's roots install (`bind`), like a call over ssh."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Invocation, Word
from driftlint.parse import shell
from driftlint.sites.base import Site
from driftlint.sites.macros import macros_to_symbols

LINE = re.compile(r"^[ \t]*command\[([^\]]+)\]\s*=\s*")
CHECK_NRPE = "check_nrpe"
REMOTE = "check_nrpe"
ARG = re.compile(r"\$ARG([1-9][0-9]*)\$")
# An `-a` word NRPE puts into the line as it is, and the agent's shell reads as one word.
RUNS_ON = "it runs on the hosts of "  # as driftlint.pipeline and model.Problem read it
PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        if match := LINE.match(line.text):
            commands = shell.parse_shell(macros_to_symbols(line[match.end() :]), path).commands
            out.extend(replace(c, nrpe=match.group(1).strip()) for c in commands)
    return out


def uses(command: shell.Command) -> tuple[Word, tuple[Word, ...]] | None:
    """`check_nrpe ... -c NAME [-a A1 A2 ...]`: (NAME, the `-a` words). None when it is no
    `check_nrpe` or NAME is not a literal."""
    if not command.words or command.words[0].dynamic:
        return None
    if command.words[0].text.rsplit("/", 1)[-1] != CHECK_NRPE:
        return None
    rest = command.words[1:]
    name: Word | None = None
    args: tuple[Word, ...] = ()
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.text in ("-a", "--args"):
            args = rest[i + 1 :]  # the argument list is the last option: it takes the rest
            break
        if word.text in ("-c", "--command"):
            if name is not None or i + 1 >= len(rest):
                return None
            name = rest[i + 1]
            i += 1
        elif word.text.startswith(("--command=", "-c")) and word.text != "-c":
            return None  # NAME attached to its flag: not worth a guess
        i += 1
    if name is None or name.dynamic or not name.text:
        return None
    # A dropped "$@" may have stood anywhere among the words: no position is known.
    return name, () if command.passthrough else args


def bind(definition: Invocation, use: Invocation, hosts: str) -> Invocation:
    """The definition's call with each `$ARGn$` word the n-th `-a` word of `use`, where that
    word is known and reaches the agent's shell as one word; other `$ARGn$` stay unknown."""
    known: list[Word] = []
    for word in use.words:
        if word.dynamic or not PLAIN.fullmatch(word.text):
            break  # from here on, which word is the n-th is not known
        known.append(word)
    words = []
    for word in definition.words:
        symbols = word.source.symbols() if word.source is not None else []
        found = ARG.fullmatch(symbols[0].name) if word.text == SYMBOL and symbols else None
        n = int(found.group(1)) if found else 0
        words.append(known[n - 1] if 0 < n <= len(known) else word)
    return replace(
        definition,
        words=tuple(words),
        via=(*use.via, *definition.via),
        assumptions=tuple(dict.fromkeys((*use.assumptions, *definition.assumptions))),
        requires=tuple(dict.fromkeys((*use.requires, *definition.requires))),
        matched=f"{definition.matched}; {REMOTE} -c {use.nrpe}"
        + (f"; {RUNS_ON}{hosts}" if hosts else ""),
        remote=REMOTE,
    )


def bind_all(roles: dict[Invocation, set[str]]) -> None:
    """Replace each `check_nrpe` use (an invocation with no script) by the definitions of its
    NAME, bound with its words: checked in the roles that write the use, naming the roles that
    install the definition. A NAME nothing defines binds to nothing."""
    definitions: dict[str, list[tuple[Invocation, set[str]]]] = {}
    for invocation, found in roles.items():
        if invocation.script and invocation.nrpe and invocation.is_call:
            definitions.setdefault(invocation.nrpe, []).append((invocation, found))
    for use in [i for i in roles if not i.script]:
        written_in = roles.pop(use)
        for definition, installed_by in definitions.get(use.nrpe, []):
            bound = bind(definition, use, ", ".join(sorted(installed_by)))
            roles.setdefault(bound, set()).update(written_in)


SITE = Site(
    "nrpe-command",
    read,
    paths=("/etc/nagios/nrpe.d/*", "/etc/nagios/nrpe.cfg", "/etc/nagios/nrpe_local.cfg",
           "/etc/nrpe.d/*", "*/nrpe.d/*"),
    content=re.compile(LINE.pattern, re.MULTILINE),
)  # fmt: skip
