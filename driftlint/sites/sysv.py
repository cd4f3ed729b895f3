"""SysV init scripts (`/etc/init.d/*`): shell, read with the `/etc/default` file they source."""

from __future__ import annotations

from driftlint.sites.base import Site, shell_commands

SITE = Site("sysv-init", shell_commands, paths=("/etc/init.d/*", "/etc/rc.local"))
