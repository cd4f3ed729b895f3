"""`check --fix` and `--diff`: plan edits of stale options, splice them, check again."""
