"""collectd's exec plugin: `Exec "user[:group]" "/path/to/program" "arg" ...` and
`NotificationExec` inside `<Plugin exec>` run the program with the arguments given, no shell;
each value is a double-quoted string or a bare word (collectd-exec(5))."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site

PLUGIN = re.compile(r'<Plugin\s+"?exec"?\s*>(.*?)</Plugin>', re.IGNORECASE | re.DOTALL)
EXEC = re.compile(r"^[ \t]*(?:Notification)?Exec[ \t]+(.*)$", re.IGNORECASE | re.MULTILINE)
VALUE = re.compile(r'"((?:[^"\\\n]|\\.)*)"|([^\s"#]+)|(#)')


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for plugin in PLUGIN.finditer(text.text):
        for line in EXEC.finditer(text.text, plugin.start(1), plugin.end(1)):
            words: list[Word] = []
            for value in VALUE.finditer(text.text, line.start(1), line.end(1)):
                if value.group(3):
                    break  # a comment to the end of the line
                group = 1 if value.group(1) is not None else 2
                part = text[value.start(group) : value.end(group)]
                span = part.span() or text.span(value.start(), value.end())
                if span is not None:
                    words.append(Word(part.text, span, part.dynamic, True, part))
            if len(words) >= 2:  # the user, then the program and its arguments
                out.append(shell.Command(words=tuple(words[1:])))
    return out


SITE = Site(
    "collectd-exec",
    read,
    paths=("/etc/collectd/conf.d/*", "/etc/collectd/collectd.conf.d/*", "/etc/collectd.d/*",
           "/etc/collectd/collectd.conf", "/etc/collectd.conf"),
    content=re.compile(r'<Plugin\s+"?exec"?\s*>', re.IGNORECASE),
)  # fmt: skip
