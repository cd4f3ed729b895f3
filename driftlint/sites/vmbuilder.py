"""vmbuilder's configuration (`/etc/vmbuilder.cfg`, `-c FILE`): `execscript` is run on the
building host once the guest is installed, given the guest's root directory as its one
argument; `firstboot` and `firstlogin` are copied into the guest and run there with none
(vmbuilder(1)). `part` and `copy` name files vmbuilder reads, not programs."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values, split_words, with_unknown_words

EXECSCRIPT = re.compile(r"^\s*execscript\s*=\s*")
IN_GUEST = re.compile(r"^\s*first(?:boot|login)\s*=\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for value in line_values(text, EXECSCRIPT):
        for command in split_words(value)[:1]:
            out.append(with_unknown_words(command, "the guest's root directory", one=True))
    for value in line_values(text, IN_GUEST):
        out.extend(split_words(value)[:1])
    return out


SITE = Site(
    "vmbuilder-config",
    read,
    paths=("/etc/vmbuilder.cfg", "/etc/vmbuilder/*.cfg"),
    content=re.compile(r"^\s*(?:execscript|firstboot|firstlogin)\s*=\s*/", re.MULTILINE),
)
