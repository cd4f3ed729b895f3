"""Undocumented option: the script's parser code and its usage text disagree.

## What it does
Reported at the option's declaration when the parser code (`getopts`, `getopt`, a `case` loop,
argparse) accepts an option that the usage text omits, or the text documents one the code does
not accept. The code decides what is an error for callers; this warning says the two drifted.
A call that passes such an undocumented option is warned at the caller's word as well: it
works today, but nothing the operators read says it will tomorrow.

## Why is this bad?
Operators read the usage text to write calls. An option it documents but the code rejects is a
stale call waiting to happen; one the code takes silently is invisible to them.

## Example
    # Usage: jobloop [-t timeout] [-v] [job_type]
    while getopts "t:" opt; do        # -v documented, not accepted

## Fix
Make the usage text and the parser agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.model import CheckContext, Finding, Problem

CODE = "undocumented-option"


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Callers of an option the code accepts and the usage text omits (warned at the option's
    declaration when the interface was read)."""
    interface = ctx.binding.interface or ctx.interface
    warned = {f.span for f in (*ctx.interface.errors, *interface.errors) if f.code == CODE}
    if not warned:
        return
    for bound in ctx.binding.bound:
        if bound.kind != "option" or bound.word.dynamic:
            continue
        option = interface.find_option(bound.name) or ctx.interface.find_option(bound.name)
        if option is None or option.span not in warned or "text" in option.sources:
            continue
        problem = Problem(CODE, bound.word, bound.name, start=bound.start, end=bound.end)
        message = (
            f"option `{bound.name}` is accepted by {ctx.interface.script} but its usage text"
            " does not document it"
        )
        yield ctx.finding(CODE, problem, message, severity="warning")
