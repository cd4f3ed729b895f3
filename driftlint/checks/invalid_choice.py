"""Invalid choice: a literal value is outside the choices the option or argument accepts.

## What it does
Flags a value bound to an option or positional that declares its choices (argparse `choices=`,
docopt alternatives, an explicit spec) when the value is written literally and is not one of them.

## Why is this bad?
The script rejects the call (`argparse`: "invalid choice"), or a hand-written parser falls
through to a default branch and does something else.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop --type=webVideoTranscod' }

## Fix
Use one of the listed choices.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace

from driftlint.model import CheckContext, Finding

CODE = "invalid-choice"


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.binding.of(CODE):
        text = problem.word.text
        if problem.start == 0 and problem.end < 0 and text.startswith("-") and "=" in text:
            # `--site=ulsfo`: the value is what is wrong.
            problem = replace(problem, start=text.index("=") + 1)
        value = problem.word.text[problem.start : None if problem.end < 0 else problem.end]
        choices = [c.strip() for c in problem.detail.split(",") if c.strip()]
        message = f"`{value}` is not a valid value for `{problem.name}` of {ctx.interface.script}"
        if guess := difflib.get_close_matches(value, choices, n=1):
            message += f"; did you mean `{guess[0]}`?"
        elif choices:
            message += "; choose from " + ", ".join(f"`{c}`" for c in choices)
        yield ctx.finding(CODE, problem, message)
