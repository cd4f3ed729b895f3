"""Unexpected value: a value is attached to an option that takes none.

## What it does
Flags `--flag=value` (or an optional-value form) for an option the script declares as a flag.

## Why is this bad?
Parsers reject it (`argparse`: "ignored explicit argument"), or silently ignore the value, so
the caller does not get what it asked for.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop --dry-run=yes' }

## Fix
Write the flag alone (`--dry-run`), or drop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from driftlint.model import CheckContext, Finding

CODE = "unexpected-value"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        message = f"option `{problem.name}` of {ctx.interface.script} takes no value"
        # The finding covers the whole `--flag=value` word: that is what has to be rewritten.
        whole = replace(problem, start=0, end=-1)
        yield ctx.finding(CODE, whole, message + f"; write `{problem.name}` alone")
