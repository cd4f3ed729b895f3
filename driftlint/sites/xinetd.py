"""xinetd services (`/etc/xinetd.d/*`, `/etc/xinetd.conf`): `server` is the program, run with
`server_args` split on blanks, no shell (xinetd.conf(5))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words

SERVICE = re.compile(r"^\s*service\s+\S+\s*(?:\n\s*)?\{", re.MULTILINE)
SERVER = re.compile(r"^\s*server\s*=\s*(.*?)\s*$", re.MULTILINE)
ARGS = re.compile(r"^\s*server_args\s*=\s*(.*?)\s*$", re.MULTILINE)


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for service in SERVICE.finditer(text.text):
        end = text.text.find("}", service.end())
        end = len(text.text) if end < 0 else end
        server = SERVER.search(text.text, service.end(), end)
        if server is None:
            continue
        parts = [text[server.start(1) : server.end(1)]]
        args = ARGS.search(text.text, service.end(), end)
        if args is not None:
            parts.append(text[args.start(1) : args.end(1)])
        out.extend(split_words(LText.join(parts, " ")))
    return out


SITE = Site(
    "xinetd-service",
    read,
    paths=("/etc/xinetd.d/*", "/etc/xinetd.conf"),
    content=re.compile(r"^\s*server\s*=\s*/", re.MULTILINE),
)
