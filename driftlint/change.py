"""`--base REV`: keep only the findings a change introduces, and what reports need of it.

The tree at REV is checked the same way, in a temporary git worktree so that specs have their
history there too, and a finding is new when its fingerprint (path, script, argument, roles and
the text of its line; not its code nor its line number) is absent at REV. Stale calls that a
change to a script causes elsewhere are new too: the call's line did not change, but at REV it
had no finding.
"""

from __future__ import annotations

import bisect
import difflib
import json
from dataclasses import asdict, replace
from pathlib import Path

from driftlint import engine
from driftlint.cache.store import Cache
from driftlint.config.load import Config
from driftlint.interfaces.changes import (
    BaseUnavailable,
    Hunk,
    base_commit,
    changed_files,
    clean_head,
    hunks,
    repo_prefix,
    tree_at_base,
)
from driftlint.model import Finding, Result, Span
from driftlint.report.common import Replacement, ReportContext, rebase
from driftlint.report.fingerprint import fingerprints

__all__ = ["BaseUnavailable", "for_reports", "introduced"]


def introduced(
    result: Result, root: Path, base: str, config: Config, *, cache_dir: Path | None = None
) -> Result:
    """The findings of result absent at base. Raises BaseUnavailable (a missing revision, not
    a git checkout): then nothing must be reported as if it were new."""
    _, prefix, commit = base_commit(root, base)
    if commit is None:  # the first commit: everything is new
        return result
    # A commit's findings never change: a pre-commit hook checks against HEAD once per commit.
    store = Cache(cache_dir, "bases")  # a commit's findings: (fingerprint, severity) pairs
    try:
        settings = json.dumps(asdict(config), sort_keys=True, default=_key)
    except (TypeError, ValueError):  # a config json cannot write: check the base every time
        store = Cache(None, "bases")
        settings = ""
    key = store.key(f"{commit}:{prefix}", settings)
    new = fingerprints(result.findings, result.root)
    head = clean_head(root)
    if head is not None and not result.setup_errors and not result.internal_errors:
        # This commit's findings, for a later change whose base it is (the next CI gate).
        store.put(store.key(f"{head}:{prefix}", settings), _marks(new))
    old = store.get(key, frozenset[tuple[str, str]])
    if not _is_marks(old):
        with tree_at_base(root, base) as folder:
            assert folder is not None  # base_commit named a commit
            before = engine.run(folder, config, cache_dir=cache_dir, full=False)
            old = _marks(fingerprints(before.findings, folder))
        if not before.setup_errors and not before.internal_errors:
            store.put(key, old)
    # A finding is new where its place had none at base, or only a milder one: the 2014
    # change turned an undocumented `-v` (a warning, same fingerprint) into a stale option.
    kept = tuple(
        f
        for f in result.findings
        if (new[f], f.severity) not in old and (new[f], "error") not in old
    )
    return replace(result, findings=kept)


def _marks(found: dict[Finding, str]) -> frozenset[tuple[str, str]]:
    return frozenset((value, finding.severity) for finding, value in found.items())


def _is_marks(value: object) -> bool:
    return isinstance(value, frozenset) and all(isinstance(v, tuple) and len(v) == 2 for v in value)


def _key(value: object) -> object:
    """Config values json cannot write: sets in a stable order, the rest as text."""
    if isinstance(value, set | frozenset):
        return sorted(map(repr, value))
    return repr(value)


def for_reports(
    result: Result,
    root: Path,
    base: str | None,
    *,
    label: str = "Verified",
    robot_comments: bool = False,
    review: bool = False,
) -> tuple[Result, ReportContext]:
    """The result with paths from the repository top (DESIGN §8), and what the change is.

    `review`: a format comments on the change (Gerrit, Zuul), so find the change's files, the
    lines of scripts it edited, and the fixes `--fix` would make; the result must be full."""
    where = repo_prefix(root)
    if where is None:
        return result, ReportContext(label=label, robot_comments=robot_comments)
    top, prefix = where
    moved = rebase(result, prefix, str(top))
    if not review:
        return moved, ReportContext(source_root=top.as_uri() + "/", label=label)
    findings = dict(zip(result.findings, moved.findings, strict=True))
    changed = changed_files(root, base)
    return moved, ReportContext(
        changed=changed,
        anchors=_anchors(result, root, base, prefix, changed or frozenset(), findings),
        fixes=_fixes(result, root, prefix, findings),
        source_root=top.as_uri() + "/",
        label=label,
        robot_comments=robot_comments,
    )


def _anchors(
    result: Result,
    root: Path,
    base: str | None,
    prefix: str,
    changed: frozenset[str],
    moved: dict[Finding, Finding],
) -> dict[Finding, Span]:
    """For findings outside the change on an option a script the change edits no longer takes:
    the script's changed line that mentioned the option (else its first changed line)."""
    specs = {i.script: prefix + i.source.path for i in result.interfaces if i.source}
    found: dict[Finding, Span] = {}
    diffs: dict[str, tuple[Hunk, ...]] = {}
    for finding in result.findings:
        spec = specs.get(finding.script)
        if spec is None or spec not in changed or not finding.argument.startswith("-"):
            continue
        if moved[finding].span.path in changed:
            continue  # the finding itself is on a line of the change
        if spec not in diffs:
            diffs[spec] = hunks(root, base, spec)
        name = finding.argument.split("=", 1)[0]
        touched = [h for h in diffs[spec] if h.removed]
        best = next((h for h in touched if any(name in line for line in h.removed)), None)
        if best is None and touched:
            best = touched[0]
        if best is not None:
            found[moved[finding]] = Span(spec, best.new_line, 1, best.new_line, 1)
    return found


def _fixes(
    result: Result, root: Path, prefix: str, moved: dict[Finding, Finding]
) -> dict[Finding, tuple[Replacement, ...]]:
    """The text edits `--fix` computes for each finding, as the smallest replaced ranges of
    each file it edits. Nothing is written."""
    from driftlint.fix.apply import planned_edits

    try:
        edits = planned_edits(result, root)
    except Exception:  # suggestions are a courtesy: a planning bug must not stop the report
        return {}
    out: dict[Finding, list[Replacement]] = {}
    for path, old, new, fixed in edits:
        pieces = _replacements(prefix + path, old, new)
        for finding in fixed:
            out.setdefault(moved[finding], []).extend(pieces)
    return {f: tuple(r) for f, r in out.items()}


def _replacements(path: str, old: str, new: str) -> list[Replacement]:
    starts = [0]
    for index, char in enumerate(old):
        if char == "\n":
            starts.append(index + 1)

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append(Replacement(path, *where(i1), *where(i2), new[j1:j2]))
    return out
