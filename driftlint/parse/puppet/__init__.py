"""Puppet 7 manifests: our own lexer and parser, with a span on every node."""

from __future__ import annotations

from driftlint.parse.puppet import ast
from driftlint.parse.puppet.parser import parse_manifest

__all__ = ["ast", "parse_manifest"]
