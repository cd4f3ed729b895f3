"""Missing argument: an option that needs a value is given none.

## What it does
Flags an option that takes a value (`-t TIMEOUT`, `--type=TYPE`) written last, with no word
after it that the script would take as its value.

## Why is this bad?
The script stops with a usage error, or, worse with hand-written parsers, takes the next
option as the value and runs with a wrong setting.

## Example
    cron { 'jobs': command => '/usr/local/bin/jobloop --type' }

## Fix
Give the option its value, or drop it.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.model import CheckContext, Finding

CODE = "missing-argument"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        message = f"option `{problem.name}` of {ctx.interface.script} needs a value and has none"
        yield ctx.finding(CODE, problem, message)
