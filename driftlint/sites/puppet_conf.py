"""puppet.conf and environment.conf: `external_nodes` is the node classifier the Puppet server
runs with the node's name as its one more argument; `config_version` is a command it runs for
each catalog. Puppet splits both on spaces and runs no shell. `autosign` set to a program (not
`true`/`false`, nor a whitelist file `*.conf`) is the policy executable the CA runs with the
certificate's name as its one argument; the whole value is its path (Puppet's "Policy-based
autosigning")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse import shell
from driftlint.sites.base import Site, line_values, split_words, with_unknown_words

ENC = re.compile(r"^\s*external_nodes\s*=\s*")
VERSION = re.compile(r"^\s*config_version\s*=\s*")
AUTOSIGN = re.compile(r"^\s*autosign\s*=\s*(?=/)")


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for value in line_values(text, ENC):
        for command in _split(value, path):
            out.append(with_unknown_words(command, "the node's name", one=True))
    for value in line_values(text, VERSION):
        out.extend(_split(value, path))
    for value in line_values(text, AUTOSIGN):
        span = value.span()
        if span is not None and not value.text.endswith(".conf"):
            program = shell.Command(words=(Word(value.text, span, value.dynamic, True, value),))
            out.append(with_unknown_words(program, "the certificate's name", one=True))
    return out


def _split(value: LText, path: str) -> list[shell.Command]:
    if value.text.strip() in ("none", ""):
        return []  # `external_nodes = none`: no classifier
    return split_words(value)


SITE = Site(
    "puppet-conf",
    read,
    paths=("/etc/puppet/puppet.conf", "/etc/puppetlabs/puppet/puppet.conf", "*/environment.conf"),
    content=re.compile(r"^\s*(?:external_nodes|config_version|autosign)\s*=\s*/", re.MULTILINE),
)
