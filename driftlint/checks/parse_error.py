"""Parse error: a file could not be parsed; the rest of the tree is still checked.

## What it does
Reports the first syntax error driftlint meets in a manifest, template, Hiera file, shell
script or usage spec, at its line and column. Calls in that file may be missed.

## Why is this bad?
A call driftlint cannot read is a call it cannot check.

## Example
    exec { 'jobs': command => '/usr/local/bin/jobloop' ]

## Fix
Fix the syntax (`puppet parser validate` agrees), or exclude the file in `.driftlint.yaml`.
"""

from __future__ import annotations

CODE = "parse-error"
