"""A Debian `/etc/default/NAME` that names the daemon the packaged init script starts:
`DAEMON=/path` and `DAEMON_OPTS=`, `DAEMON_ARGS=` or `NAME_OPTS=` (the init script itself is
not in the tree). When the same role installs `/etc/init.d/NAME`, that script is read instead."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, basename

OPTIONS = ("DAEMON_OPTS", "DAEMON_ARGS", "DAEMON_ARGUMENTS", "OPTIONS")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    env = shell.parse_shell(text, path).env
    daemon = env.get("DAEMON")
    if daemon is None or not daemon.text.strip():
        return []
    name = re.sub(r"\W", "_", basename(path)).upper()
    options = next((o for o in (*OPTIONS, f"{name}_OPTS") if o in env), None)
    # The packaged script runs `$DAEMON $DAEMON_OPTS` (word split, unquoted): say so in shell,
    # with the values located where the file writes them.
    line = '"$DAEMON"' + (f" ${options}" if options else "")
    return list(shell.parse_shell(LText.plain(line), path, env).commands)


SITE = Site(
    "debian-default",
    read,
    paths=("/etc/default/*",),
    shadowed_by=lambda dest: ("/etc/init.d/" + basename(dest),),
)
