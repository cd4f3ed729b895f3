"""Deprecated option: a call passes an option the script marks as deprecated.

## What it does
Flags an option whose usage spec says it is deprecated (argparse `deprecated=True`, an explicit
spec's `deprecated:`), with the spec's advice.

## Why is this bad?
It still works today; it is the stale option of tomorrow.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop --maxjobs 5' }

## Fix
Move to what the deprecation message recommends before the option is removed; when the spec
names a `replacement`, `driftlint check --fix` renames the option to it.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.model import CheckContext, Finding

CODE = "deprecated-option"


def check(ctx: CheckContext) -> Iterator[Finding]:
    interface = ctx.binding.interface or ctx.interface
    for problem in ctx.binding.of(CODE):
        option = interface.find_option(problem.name) or ctx.interface.find_option(problem.name)
        advice = option.deprecated if option is not None and option.deprecated else ""
        message = f"option `{problem.name}` of {ctx.interface.script} is deprecated"
        if advice and advice not in ("True", "true", "yes"):
            message += f"; {advice}"
        elif option is not None and option.replacement:
            message += f"; use `{option.replacement}` instead"
        yield ctx.finding(CODE, problem, message, severity="warning")
