"""`--base REV`: keep only the findings a change introduces.

The tree at REV is checked the same way in a temporary folder, and a finding is new when its
fingerprint (code, path, script, argument, roles and the text of its line, not its line number)
is absent at REV. Stale calls that a change to a script causes elsewhere are new too: the call's
line did not change, but at REV it had no finding.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from driftlint import engine
from driftlint.config.load import Config
from driftlint.interfaces import history
from driftlint.model import Result
from driftlint.report.fingerprint import fingerprints


def introduced(
    result: Result, root: Path, base: str, config: Config, *, cache_dir: Path | None = None
) -> Result:
    repo = history.git_root(root)
    if repo is None:
        return replace(
            result,
            setup_errors=(*result.setup_errors, f"--base {base}: {root} is not in a git checkout"),
        )
    with tempfile.TemporaryDirectory(prefix="driftlint-base-") as tmp:
        dest = Path(tmp) / "tree"
        if not history.tree_at(root, base, dest):
            return replace(
                result, setup_errors=(*result.setup_errors, f"--base {base}: no such revision")
            )
        before = engine.run(dest, config, cache_dir=cache_dir, full=False)
        old = set(fingerprints(before.findings, str(dest)).values())
    new = fingerprints(result.findings, result.root)
    kept = tuple(f for f in result.findings if new[f] not in old)
    return replace(result, findings=kept)
