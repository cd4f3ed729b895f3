"""Zabbix agent user parameters (`zabbix_agentd.conf` and the files of its `Include`
folders): `UserParameter=key,command` is a command line the agent runs through `/bin/sh -c`
each time the server asks for the key. For a flexible key (`key[*]`) the agent first writes
the item's parameters in place of `$1`..`$9`, which the shell reading reports as unknown
words (zabbix_agentd.conf(5), "User parameters")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site

USER_PARAMETER = re.compile(r"^\s*UserParameter\s*=\s*[^,]*,")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        match = USER_PARAMETER.match(line.text)
        if match is not None:
            command = line[match.end() :].strip()
            out.extend(shell.parse_shell(command, path).commands)
    return out


SITE = Site(
    "zabbix-userparameter",
    read,
    paths=(
        "/etc/zabbix/zabbix_agentd.conf",
        "/etc/zabbix/zabbix_agentd.d/*",
        "/etc/zabbix/zabbix_agentd.conf.d/*",
        "/etc/zabbix/zabbix_agent2.d/*",
        "/etc/zabbix_agentd.conf.d/*",
    ),
    content=re.compile(r"^\s*UserParameter\s*=", re.MULTILINE),
)
