"""Missing required: a required option or positional argument is absent.

## What it does
Flags a call that lacks an option declared `required` or a positional the usage spec demands,
only when no unresolved word or `"$@"` could supply it.

## Why is this bad?
The script stops with a usage error every time the call runs.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop' }   # usage: jobloop --type TYPE

## Fix
Pass the required argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from driftlint.model import CheckContext, Finding

CODE = "missing-required"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        message = f"{ctx.interface.script} requires `{problem.name}` and the call does not pass it"
        # Nothing is written where the argument is missing: point at the command itself.
        command = ctx.call.invocation.command
        finding = ctx.finding(CODE, replace(problem, word=command, start=0, end=-1), message)
        yield replace(finding, argument=problem.name)
