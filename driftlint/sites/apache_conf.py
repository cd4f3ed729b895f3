"""Apache httpd configuration: the directives whose value is a program httpd starts.

- `FcgidWrapper command [suffix] [virtual]` (mod_fcgid): the command, quoted when it has
  arguments, is run for every request of that suffix; the suffix and `virtual` are not its
  words;
- piped logs, `CustomLog`/`ErrorLog`/`TransferLog`/`GlobalLog`/`ForensicLog "|command ..."`:
  `|` and `||` run the program with no shell (its words split on blanks), `|$` through
  `/bin/sh -c` (httpd 2.4, "Piped Logs"). A puppetlabs-apache `*_log_pipe` parameter is such
  a value alone. `rotatelogs -p PROGRAM` runs PROGRAM each time it opens a log file, with the
  new file's name and, after a rotation, the old one's: one or two words driftlint cannot
  know (rotatelogs(8)).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words, with_unknown_words

WRAPPER = re.compile(r"""^\s*FcgidWrapper\s+(?:"([^"]*)"|(\S+))""", re.IGNORECASE)
PIPED_LOG = re.compile(
    r"""^\s*(?:CustomLog|ErrorLog|TransferLog|GlobalLog|ForensicLog)\s+("\|[^"]*"|\|\S+)""",
    re.IGNORECASE,
)
ROTATELOGS = frozenset({"rotatelogs", "rotatelogs2", "rotatelogs.exe"})
VALUED = frozenset({"-L", "-p", "-n"})  # the options of rotatelogs that take a value


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    values: list[LText] = []
    for line in text.split("\n"):
        wrapper = WRAPPER.match(line.text)
        if wrapper is not None:
            group = 1 if wrapper.group(1) is not None else 2
            out.extend(split_words(line[wrapper.start(group) : wrapper.end(group)]))
            continue
        piped = PIPED_LOG.match(line.text)
        if piped is not None:
            start, end = piped.start(1), piped.end(1)
            if line.text[start] == '"':
                start, end = start + 1, end - 1
            values.append(line[start:end])
    stripped = text.strip()
    if not out and not values and stripped.text.startswith("|") and "\n" not in stripped.text:
        values.append(stripped)  # a `*_log_pipe` parameter: the value alone
    for value in values:
        if value.text.startswith("|$"):
            commands = list(shell.parse_shell(value[2:], path).commands)
        else:
            commands = split_words(value[2:] if value.text.startswith("||") else value[1:])
        for command in commands:
            out.append(command)
            out.extend(_rotation_program(command))
    return out


def _rotation_program(command: shell.Command) -> list[shell.Command]:
    """The program `rotatelogs -p PROGRAM` runs, given the log files it does not know."""
    words = command.words
    if not words or posixpath.basename(words[0].text) not in ROTATELOGS:
        return []
    i = 1
    while i < len(words) and words[i].text.startswith("-"):
        flag = words[i].text
        if flag in VALUED and i + 1 < len(words):
            if flag == "-p":
                value = words[i + 1]
                program = shell.Command(words=(replace(value, quoted=True),))
                return [with_unknown_words(program, "the log files rotatelogs opened", one=False)]
            i += 1
        i += 1
    return []


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
        r"^\s*(?:FcgidWrapper|(?:CustomLog|ErrorLog|TransferLog|GlobalLog|ForensicLog)\s+\"?\|)",
        re.IGNORECASE | re.MULTILINE,
    ),
)
