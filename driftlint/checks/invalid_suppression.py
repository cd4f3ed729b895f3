"""Invalid suppression: a `driftlint:` comment is malformed.

## What it does
Flags a suppression comment without codes (`driftlint: ignore`), with an unknown code, without
a reason (`-- reason`), or a `disable` block that is never closed by `enable`.

## Why is this bad?
Blanket or unexplained suppressions hide future problems and leave no trace of why.

## Example
    # driftlint: ignore
    exec { 'jobs': command => '/usr/local/bin/jobloop --old' }

## Fix
Name the codes and give a reason: `# driftlint: ignore[stale-option] -- kept until T123456`.
"""

from __future__ import annotations

CODE = "invalid-suppression"
