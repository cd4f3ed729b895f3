"""`command="..."` in `authorized_keys` (sshd(8), AUTHORIZED_KEYS FILE FORMAT): the forced
command sshd runs through the user's shell, whatever the client asks."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site

OPTION = re.compile(r'(?:^|,)\s*command="((?:[^"\\]|\\.)*)"')


def forced_commands(text: LText, path: str) -> list[shell.Command]:
    """The commands of `command="..."` options in a text (a keys file or an options list)."""
    out: list[shell.Command] = []
    for line in text.split("\n"):
        for match in OPTION.finditer(line.text):
            start, end = match.span(1)
            # Inside the option a quote is written `\"`: drop the backslash, keep the quote.
            pieces: list[LText] = []
            i = start
            for escape in re.finditer(r'\\"', match.group(1)):
                pieces.append(line[i : start + escape.start()])
                i = start + escape.start() + 1
            pieces.append(line[i:end])
            out.extend(shell.parse_shell(LText.join(pieces), path).commands)
    return out


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    return forced_commands(text, path)


SITE = Site(
    "authorized-keys",
    read,
    paths=("*/.ssh/authorized_keys", "*/.ssh/authorized_keys2", "/etc/ssh/userkeys/*",
           "/etc/ssh/authorized_keys/*"),
    content=re.compile(r'^(?:\S+,)?command="[^"]*"[^\n]*\bssh-(?:rsa|ed25519|dss)\b', re.M),
)  # fmt: skip
