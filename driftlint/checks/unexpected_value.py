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

from driftlint.model import CheckContext, Finding

CODE = "unexpected-value"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        message = f"option `{problem.name}` of {ctx.interface.script} takes no value"
        yield ctx.finding(CODE, problem, message + f"; write `{problem.name}` alone")
