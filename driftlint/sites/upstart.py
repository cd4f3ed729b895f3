"""Upstart jobs (`/etc/init/*.conf`): `exec`, `script ... end script` blocks (also after
`pre-start`, `post-start`, `pre-stop`, `post-stop`) and `env NAME=value` stanzas, per init(5).
An `exec` line that ends in `\\` goes on over the next lines, as in the shell that runs it;
`chdir DIR` is the working directory of the job's processes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, block_commands

PHASE = r"(?:(?:pre|post)-(?:start|stop)\s+)?"
EXEC = re.compile(rf"^\s*{PHASE}exec\s+")
SCRIPT = re.compile(rf"^\s*{PHASE}script\s*(?:#.*)?$")
END = re.compile(r"^\s*end\s+script\b")
ENV = re.compile(r"^\s*env\s+(?=[A-Za-z_][A-Za-z0-9_]*=)")
CHDIR = re.compile(r"^\s*chdir\s+(/\S*)\s*$", re.MULTILINE)


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    blocks: list[LText] = []
    inside = continued = False
    for line in text.split("\n"):
        if continued:
            blocks.append(_continued(line))
            continued = line.text.rstrip().endswith("\\")
        elif inside:
            if END.match(line.text):
                inside = False
            else:
                blocks.append(line)
        elif SCRIPT.match(line.text):
            inside = True
        elif match := EXEC.match(line.text):
            blocks.append(_continued(line[match.end() :]))
            continued = line.text.rstrip().endswith("\\")
        elif match := ENV.match(line.text):
            blocks.append(line[match.end() :])  # `NAME=value`: an assignment in shell too
    commands = block_commands(text, path, named, blocks)
    found = CHDIR.findall(text.text)
    if found:
        commands = [replace(c, cwd=found[-1].rstrip("/") or "/") for c in commands]
    return commands


def _continued(line: LText) -> LText:
    """A line whose `\\` ends it (spaces after it dropped), so that the shell joins the next."""
    stripped = line.text.rstrip()
    return line[: len(stripped)] if stripped.endswith("\\") else line


SITE = Site(
    "upstart-job",
    read,
    paths=("/etc/init/*.conf", "/etc/init/*.override"),
    content=re.compile(r"^\s*start on\b.*$\s*(?:.*\n)*?\s*(?:exec|script)\b", re.MULTILINE),
)
