"""Apache httpd configuration: the directives whose value is a program httpd starts.

- `FcgidWrapper command [suffix] [virtual]` (mod_fcgid): the command, quoted when it has
  arguments, is run for every request of that suffix; the suffix and `virtual` are not its
  words;
- piped logs, `CustomLog`/`ErrorLog`/`TransferLog`/`GlobalLog "|command ..."`: `||` runs the
  command without a shell, `|$` and `|` through one (httpd 2.4's "Piped Logs").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words

WRAPPER = re.compile(r"""^\s*FcgidWrapper\s+(?:"([^"]*)"|(\S+))""", re.IGNORECASE)
PIPED_LOG = re.compile(
    r"""^\s*(?:CustomLog|ErrorLog|TransferLog|GlobalLog)\s+"?(\|\|?\$?)\s*([^"]*)""",
    re.IGNORECASE,
)


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        wrapper = WRAPPER.match(line.text)
        if wrapper is not None:
            group = 1 if wrapper.group(1) is not None else 2
            out.extend(split_words(line[wrapper.start(group) : wrapper.end(group)]))
            continue
        piped = PIPED_LOG.match(line.text)
        if piped is None:
            continue
        unquoted = not line.text[: piped.start(1)].rstrip().endswith('"')
        end = piped.end(2)
        if unquoted:  # without quotes the program is one word; the format follows it
            found = re.match(r"\S*", line.text[piped.start(2) :])
            end = piped.start(2) + (found.end() if found else 0)
        value = line[piped.start(2) : end]
        if piped.group(1) == "||":
            out.extend(split_words(value))
        else:
            out.extend(shell.parse_shell(value, path).commands)
    return out


SITE = Site(
    "apache-conf",
    read,
    paths=(
        "/etc/apache2/*.conf",
        "/etc/apache2/conf.d/*",
        "/etc/apache2/conf-available/*",
        "/etc/apache2/sites-available/*",
        "/etc/apache2/mods-available/*.conf",
        "/etc/httpd/conf/*.conf",
        "/etc/httpd/conf.d/*",
        "/etc/httpd/conf.modules.d/*",
    ),
    content=re.compile(
        r"^\s*(?:FcgidWrapper|(?:CustomLog|ErrorLog|TransferLog|GlobalLog)\s+\"?\|)", re.M
    ),
)
