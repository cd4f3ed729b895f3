"""Repeated option: a call gives a single-value option twice, and the script keeps only the last.

## What it does
Flags the second use of an option that takes one value and is not declared repeatable:
argparse's and optparse's default `store` action, a Getopt::Long spec stored in a scalar
(`'pattern=s' => \\$pattern`), a Nagios::Plugin `add_arg` spec without `@`, a `getopts` arm
that assigns `$OPTARG` (`t) timeout=$OPTARG ;;`). The message names where the first value was
given. Options declared to collect values (`append`, `=s@`, `+`, `+=` onto an array) are fine.

## Why is this bad?
The parser does not complain: it silently drops the first value, so the call does less than
it says (`--exclude a --exclude b` excludes only `b`). Usually one of the two is a leftover of
an edit, or the caller believes the option adds up.

## Example
    cron { 'prune': command => '/usr/local/bin/prune --keep 7 --dir /srv --keep 30' }

## Fix
Give the option once, or make the script collect its values (`action="append"`, `=s@`).
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.model import CheckContext, Finding

CODE = "repeated-option"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        message = (
            f"option `{problem.name}` is given twice; {ctx.interface.script} keeps only the last"
            f" value, so the one given first at {problem.detail} is dropped"
        )
        yield ctx.finding(CODE, problem, message, severity="warning")
