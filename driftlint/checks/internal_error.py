"""Internal error: a check raised an exception; this is a bug in driftlint.

## What it does
Reports, at the call it was checking, a check or stage that crashed. The run goes on and
exits with code 3.

## Why is this bad?
Some calls were not checked.

## Example
    (any input that triggers a bug)

## Fix
Run again with `--debug` and report the traceback.
"""

from __future__ import annotations

CODE = "internal-error"
