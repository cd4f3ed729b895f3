"""Heimdal's `kdc.conf` (`/etc/heimdal-kdc/kdc.conf`, or `krb5.conf`): in `[password_quality]`,
`external_program` is the program kpasswdd and kadmind run to judge a new password. They write
the principal and the password to its standard input; whether the principal is also given as
an argument differs between versions, so the words after it are unknown (Heimdal's manual,
"Password changing"; krb5-strength's heimdal-strength [principal])."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words, with_unknown_words

SECTION = re.compile(r"^\s*\[([^\]]+)\]")
PROGRAM = re.compile(r"^\s*external_program\s*=\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    section = ""
    for line in text.split("\n"):
        header = SECTION.match(line.text)
        if header is not None:
            section = header.group(1).strip()
            continue
        match = PROGRAM.match(line.text)
        if section == "password_quality" and match is not None:
            out.extend(
                with_unknown_words(c, "the principal, in some versions", one=False)
                for c in split_words(line[match.end() :].strip())
            )
    return out


SITE = Site(
    "heimdal-password-quality",
    read,
    paths=("/etc/heimdal-kdc/kdc.conf", "/var/lib/heimdal-kdc/kdc.conf", "/etc/krb5.conf"),
    content=re.compile(r"^\s*\[password_quality\]", re.MULTILINE),
)
