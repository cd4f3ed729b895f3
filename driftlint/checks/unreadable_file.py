"""Unreadable file: a file is binary, not UTF-8, too large, or a link out of the tree.

## What it does
Reports a file driftlint did not read: a NUL byte in its first 8 KB, bytes that are not UTF-8,
a size over the limit (`limits: {max-file-size: ...}`), a symbolic link that leads outside the
tree or loops, or a permission error.

## Why is this bad?
Calls inside it are not checked. Links out of the tree are never followed, so driftlint never
reads outside the folder it was pointed at.

## Example
    modules/jobs/files/jobloop.sh -> /etc/passwd

## Fix
Store the file as UTF-8 text inside the tree, or exclude it in `.driftlint.yaml`.
"""

from __future__ import annotations

CODE = "unreadable-file"
