"""Nagios and Icinga 1 `define command { command_line ... }` objects (and `nagios_command`
resources' `command_line`); `$ARG1$`-style macros are unknown words, never read by the shell
(driftlint.sites.macros)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site
from driftlint.sites.macros import macros_to_symbols

LINE = re.compile(r"^[ \t]*command_line[ \t]+")
# `$USER1$` is the plugin folder in the resource.cfg that Debian's nagios and icinga packages
# ship; a command line that starts with it runs a plugin from there.
USER1 = "$USER1$"
PLUGINS = "/usr/lib/nagios/plugins"


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        if match := LINE.match(line.text):
            body = line[match.end() :]
            # A `;` starts a comment in object definitions unless escaped (nagios docs,
            # "Object Definitions"); the shell would read it as a command separator.
            cut = re.search(r"(?<!\\);", body.text)
            body = body[: cut.start()] if cut else body
            out.extend(command_line(body, path))
    return out


def command_line(body: LText, path: str) -> list[shell.Command]:
    """The commands of one `command_line` value, with its macros unknown."""
    body = body.strip()
    if body.text.startswith(USER1):
        body = LText.plain(PLUGINS) + body[len(USER1) :]
    return list(shell.parse_shell(macros_to_symbols(body), path).commands)


SITE = Site(
    "nagios-command",
    read,
    paths=("/etc/nagios*/*.cfg", "/etc/icinga/*.cfg", "/etc/nagios*/conf.d/*",
           "/etc/icinga/objects/*", "/etc/icinga/commands.cfg"),
    content=re.compile(r"define\s+command\s*\{[^}]*command_line", re.DOTALL),
)  # fmt: skip
