"""Unknown subcommand: a call names a subcommand the script does not declare.

## What it does
Flags the first positional word of a script with subcommands (argparse subparsers, docopt
command words) when it is not one of them.

## Why is this bad?
The script refuses the call; a renamed subcommand breaks every caller at once.

## Example
    cron { 'purge': command => '/usr/local/bin/cachectl purg --all' }

## Fix
Use a declared subcommand (`driftlint interface cachectl` lists them).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from driftlint.model import CheckContext, Finding

CODE = "unknown-subcommand"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        names = [n.strip() for n in problem.detail.split(",") if n.strip()]
        message = f"`{problem.name}` is not a subcommand of {ctx.interface.script}"
        if guess := difflib.get_close_matches(problem.name, names, n=1):
            message += f"; did you mean `{guess[0]}`?"
        elif names:
            message += "; choose from " + ", ".join(f"`{n}`" for n in names)
        yield ctx.finding(CODE, problem, message)
