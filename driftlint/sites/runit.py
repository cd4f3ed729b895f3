"""runit and daemontools services: a `run` file (often without `#!`) that execs the daemon."""

from __future__ import annotations

from driftlint.sites.base import Site, shell_commands

SITE = Site(
    "runit-run",
    shell_commands,
    paths=("/etc/sv/*/run", "/etc/service/*/run", "/service/*/run", "/etc/sv/*/log/run",
           "/var/lib/supervise/*/run", "*/sv/*/run"),
)  # fmt: skip
