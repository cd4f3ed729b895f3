"""Undocumented option: the script's parser code and its usage text disagree.

## What it does
Reported at the option's declaration when the parser code (`getopts`, `getopt`, a `case` loop,
argparse) accepts an option that the usage text omits, or the text documents one the code does
not accept. The code decides what is an error for callers; this warning says the two drifted.

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

CODE = "undocumented-option"
