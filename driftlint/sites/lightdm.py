"""LightDM (`/etc/lightdm/lightdm.conf` and its `lightdm.conf.d/` files): the `*-script`
keys of a `[Seat:*]` (or the old `[SeatDefaults]`) section are command lines LightDM runs
itself, split into words like a shell would but never given to one; `session-wrapper` and
`greeter-wrapper` are run with the session's own command after their words
(lightdm.conf's comments, `lightdm --show-config`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values, split_words, with_unknown_words

SCRIPT = re.compile(
    r"^\s*(?:greeter-setup|session-setup|session-cleanup|display-setup|display-stopped)"
    r"-script\s*=\s*"
)
WRAPPER = re.compile(r"^\s*(?:session|greeter)-wrapper\s*=\s*")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out = [c for value in line_values(text, SCRIPT) for c in split_words(value)]
    out.extend(
        with_unknown_words(c, "the session's command", one=False)
        for value in line_values(text, WRAPPER)
        for c in split_words(value)
    )
    return out


SITE = Site(
    "lightdm-conf",
    read,
    paths=(
        "/etc/lightdm/lightdm.conf",
        "/etc/lightdm/lightdm.conf.d/*.conf",
        "/usr/share/lightdm/lightdm.conf.d/*.conf",
    ),
    content=re.compile(r"^\[(?:Seat:[^\]]*|SeatDefaults|LightDM)\]\s*$", re.MULTILINE),
)
