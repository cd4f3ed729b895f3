"""keepalived (`/etc/keepalived/keepalived.conf`): a `vrrp_script`'s `script` and the
`notify*` scripts of an instance, split on blanks (no shell); a `notify` script is given the
kind, name, state and priority after its own arguments (keepalived.conf(5))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words, with_unknown_words

SCRIPT = re.compile(r"^\s*(script|notify(?:_master|_backup|_fault|_stop|_deleted)?)\s+")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        match = SCRIPT.match(line.text)
        if match is None:
            continue
        value = line[match.end() :].strip()
        cut = re.search(r"\s[#!]", value.text)
        value = value[: cut.start()] if cut else value
        if len(value.text) >= 2 and value.text[0] == value.text[-1] and value.text[0] in "\"'":
            value = value[1:-1]
        for command in split_words(value):
            if match.group(1) == "notify":
                command = with_unknown_words(command, "the instance and its state", one=False)
            out.append(command)
    return out


SITE = Site(
    "keepalived-script",
    read,
    paths=("/etc/keepalived/keepalived.conf", "/etc/keepalived/*.conf"),
    content=re.compile(r"^\s*vrrp_(?:script|instance)\s+\S+\s*\{", re.MULTILINE),
)
