"""X session scripts: `/etc/X11/Xsession` and the files of `/etc/X11/Xsession.d/`, which it
sources in one shell at every graphical login (Xsession(5)), and the `xinitrc` files that
`startx` runs. Their commands are shell, run on the host that installs them."""

from __future__ import annotations

from driftlint.sites.base import Site, shell_commands

SITE = Site(
    "xsession-script",
    shell_commands,
    paths=(
        "/etc/X11/Xsession",
        "/etc/X11/Xsession.d/*",
        "/etc/X11/xinit/xinitrc",
        "/etc/X11/xinit/xinitrc.d/*",
        "/etc/X11/xinit/xserverrc",
    ),
)
