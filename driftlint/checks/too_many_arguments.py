"""Too many arguments: a call passes more positional arguments than the script takes.

## What it does
Counts the positional words bound to the script and flags the first one past what the usage
spec allows. Words that may expand to nothing (an unresolved variable) are not counted. A
script with no option parser takes every word as an operand, `-q` included; one whose code
never reads its arguments (no `$1`, `"$@"`, `shift`, `sys.argv`, `@ARGV`, `ARGV`, no parser and
nothing sourced or run that could read them) takes none: "the script reads no arguments".

## Why is this bad?
The script either refuses the call or ignores the extra words; either way the caller's intent
(often an option the script no longer parses, now read as a positional) is lost.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop webVideoTranscode extra' }

## Fix
Drop the extra words or pass them through an option the script declares.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.model import CheckContext, Finding

CODE = "too-many-arguments"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        allowed = problem.detail or "fewer"
        if allowed == "0":
            message = (
                f"`{problem.word.text}` is passed to {ctx.interface.script}, but the script reads"
                " no arguments"
            )
            yield ctx.finding(CODE, problem, message)
            continue
        message = (
            f"{ctx.interface.script} takes at most {allowed} positional argument"
            f"{'' if allowed == '1' else 's'}; `{problem.word.text}` is one too many"
        )
        if ctx.interface.dialect == "positional" and problem.word.text.startswith("-"):
            message += " (the script parses no options: it is an operand)"
        yield ctx.finding(CODE, problem, message)
