"""Unknown option: a call passes an option that the script does not declare.

## What it does
Flags an option word (`-x`, `--name`, `--name=value`, a letter in a bundle like `-vx`) that the
script's usage spec or parser code does not accept, and suggests the closest declared option.

## Why is this bad?
The script refuses the whole call and the job never runs. In June 2014 Wikimedia's video
scalers stopped transcoding for two days because a role still passed an option the job loop no
longer took.

## Example
    exec { 'run-jobs': command => '/usr/local/bin/jobloop --verbos' }

## Fix
Use an option the script declares (`driftlint interface jobloop` lists them), or change the
script and every caller together.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace

from driftlint.model import CheckContext, Finding

CODE = "unknown-option"


def check(ctx: CheckContext) -> Iterator[Finding]:
    interface = ctx.binding.interface or ctx.interface
    for problem in ctx.binding.of(CODE):
        if problem.end < 0 and problem.word.text.startswith(problem.name + "="):
            # `--name=value`: the option name is what is wrong, not its value.
            problem = replace(problem, end=problem.start + len(problem.name))
        message = f"option `{problem.name}` is not accepted by {ctx.interface.script}"
        if problem.detail:
            message += f"; it is ambiguous between {problem.detail}"
        elif guess := difflib.get_close_matches(problem.name, interface.option_names(), n=1):
            message += f"; did you mean `{guess[0]}`?"
        yield ctx.finding(CODE, problem, message)
