"""Missing script: a call runs an installed path that no resource of that role installs.

## What it does
Flags a call to an absolute path that the tree once installed for a watched script (its
`file` resource) when, for the role that makes the call, no `file` resource installs it.
Also flags a path under `/usr/local` named like a script the tree installs elsewhere when no
resource installs that path: no Debian package installs there, so nothing will (#19).

## Why is this bad?
The command fails with "No such file or directory" on every host of that role.

## Example
    cron { 'jobs': command => '/usr/local/bin/jobloop' }   # the role no longer installs it
    cron { 'jobs': command => '/usr/local/sbin/jobloop' }  # installed in /usr/local/bin

## Fix
Install the script in that role, call it by the path it is installed at, or remove the call.
"""

from __future__ import annotations

CODE = "missing-script"
