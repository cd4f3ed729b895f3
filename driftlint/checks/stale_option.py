"""Stale option: a call passes an option that the script used to accept and no longer does.

## What it does
Flags an option that the script's interface no longer declares but that an earlier version
declared: found in the git history of the usage spec, or listed under `removed:`/`renamed:` in
an explicit interface spec. The message names the commit (or version) that removed it and, for
a rename, the option to use instead.

## Why is this bad?
A stale option is the classic drift: the script changed, one caller did not. The call fails
every time it runs, often silently (a cron job or a daemon loop that exits at once).

## Example
    class { 'mediawiki::jobrunner': extra_args => '-v 0' }   # -v removed from jobloop

## Fix
Drop the option, or use its replacement; `driftlint check --fix` does this where it is safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from driftlint.model import CheckContext, Finding

CODE = "stale-option"


def check(ctx: CheckContext) -> Iterator[Finding]:
    interface = ctx.binding.interface or ctx.interface
    for problem in ctx.binding.of(CODE):
        if problem.end < 0 and problem.word.text.startswith(problem.name + "="):
            # `--name=value`: the option name is what is wrong, not its value.
            problem = replace(problem, end=problem.start + len(problem.name))
        removed = interface.removed_option(problem.name) or ctx.interface.removed_option(
            problem.name
        )
        message = f"option `{problem.name}` was removed from {ctx.interface.script}"
        if removed is not None:
            if removed.removed_in:
                message += f" in {removed.removed_in}"
            if removed.removed_on:
                message += f" on {removed.removed_on}"
            if removed.replacement:
                message += f"; use `{removed.replacement}` instead"
            elif removed.message and "history" not in removed.sources:
                message += f"; {removed.message}"
            else:
                message += "; drop it"
        yield ctx.finding(CODE, problem, message)
