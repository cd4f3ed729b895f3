"""Mail aliases (`/etc/aliases` and the alias files of Postfix, Exim and Sendmail): an
address written `"|command ..."` (or `|command` without blanks) delivers each message to
that command's standard input; the MTA runs it through `/bin/sh -c` with no more arguments
(aliases(5), local(8))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site

ALIAS = re.compile(r"^[^#\s][^:]*:")
PIPE = re.compile(r'"\|([^"]*)"|(?<![^\s,:])\|([^\s,"]+)')


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    in_alias = False
    for line in text.split("\n"):
        if line.text.lstrip().startswith("#"):
            continue
        head = ALIAS.match(line.text)
        if head is not None:
            in_alias, start = True, head.end()
        elif in_alias and line.text[:1] in (" ", "\t"):
            start = 0  # a continuation line: more addresses of the same alias
        else:
            in_alias = False
            continue
        for match in PIPE.finditer(line.text, start):
            group = 1 if match.group(1) is not None else 2
            value = line[match.start(group) : match.end(group)]
            out.extend(shell.parse_shell(value, path).commands)
    return out


SITE = Site(
    "mail-alias",
    read,
    paths=(
        "/etc/aliases",
        "/etc/mail/aliases",
        "/etc/postfix/aliases",
        "/etc/postfix/*aliases*",
        "/etc/exim4/aliases",
        "/etc/aliases.d/*",
    ),
)
