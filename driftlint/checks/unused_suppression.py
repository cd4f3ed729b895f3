"""Unused suppression: a `driftlint:` comment hides nothing.

## What it does
Flags a suppression whose codes match no finding on the lines it covers.

## Why is this bad?
A stale suppression will silently hide the next real problem on that line.

## Example
    # driftlint: ignore[unknown-option] -- T1234
    exec { 'jobs': command => '/usr/local/bin/jobloop --dry-run' }   # now valid

## Fix
Delete the comment.
"""

from __future__ import annotations

CODE = "unused-suppression"
