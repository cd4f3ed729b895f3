"""Missing script: a call runs an installed path that no resource of that role installs.

## What it does
Flags a call to an absolute path that the tree once installed for a watched script (its
`file` resource) when, for the role that makes the call, no `file` resource installs it.

## Why is this bad?
The command fails with "No such file or directory" on every host of that role.

## Example
    cron { 'jobs': command => '/usr/local/bin/jobloop' }   # the role no longer installs it

## Fix
Install the script in that role, or remove the call.
"""

from __future__ import annotations

CODE = "missing-script"
