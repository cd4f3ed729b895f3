"""`driftlint check --fix` and `--diff`: edit stale and renamed options where they are written.

The steps: plan the changes (driftlint/fix_plan.py), turn them into splices of each file
(driftlint/fix_text.py), write the files atomically, then check the tree again. A file whose
edits make it unparsable, bring a new finding, or change any call's argv otherwise than planned
gets its old bytes back. `--diff` does the same and then puts every file back as it was.
Never prints: the command line reports what `FixReport` holds.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from driftlint.fix import yaml_edit as fix_yaml
from driftlint.fix.plan import Planned, Use, plan_fixes
from driftlint.fix.text import FileText, render
from driftlint.fix.yaml_edit import ItemCut, Splice
from driftlint.model import Call, Finding, Result
from driftlint.parse.puppet import parse_manifest
from driftlint.parse.yaml import load_yaml

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class FixReport:
    result: Result  # the check of the tree as it is after fixing (with --diff: would be)
    fixed: int  # findings fixed
    files: tuple[str, ...]  # files changed (with --diff: that would change)
    notes: tuple[str, ...]  # one line each: what was not fixed, what was undone, and why
    diff: str = ""  # unified diff of the changes
    before: Result | None = None  # the check of the tree before any edit


@dataclass(slots=True)
class _Edit:
    """A file's planned new bytes."""

    path: str
    old: bytes
    new: bytes
    planned: list[Planned] = field(default_factory=list)


def fix_tree(root: Path, check: Callable[[], Result], *, write: bool = True) -> FixReport:
    """Fix what `check()` finds under root; `write=False` only computes the diff."""
    before = check()
    planned, skips = plan_fixes(before, root)
    notes = [f"not fixed: {_where(s.finding)}: {s.reason}" for s in skips]
    edits = _edits(root, planned, notes)
    try:
        kept, after = _apply_checked(root, before, edits, check, notes)
    except BaseException:
        _restore(root, edits)  # a check that failed half way proves nothing: put all back
        raise
    finally:
        if not write:
            _restore(root, edits)
    diff = "".join(_diff(e) for e in sorted(kept, key=lambda e: e.path))
    fixed = {f for e in kept for p in e.planned for f in p.findings}
    files = tuple(sorted(e.path for e in kept))
    return FixReport(after, len(fixed), files, tuple(notes), diff, before)


def planned_edits(result: Result, root: Path) -> list[tuple[str, str, str, set[Finding]]]:
    """What `fix_tree` would write before checking again, without writing: (path, old text,
    new text, the findings the edit fixes) per file. The re-check may still undo a file."""
    planned, _ = plan_fixes(result, root)
    out = []
    for edit in _edits(root, planned, []):
        fixed = {f for p in edit.planned for f in p.findings}
        old, new = (b.removeprefix(BOM).decode("utf-8") for b in (edit.old, edit.new))
        out.append((edit.path, old, new, fixed))
    return out


def _restore(root: Path, edits: list[_Edit]) -> None:
    for edit in edits:
        path = root / edit.path
        if path.read_bytes() != edit.old:
            _write(path, edit.old)


def _where(finding: Finding) -> str:
    return f"{finding.span}: {finding.code} `{finding.argument}`"


# planning edits per file --------------------------------------------------------------------
def _edits(root: Path, planned: list[Planned], notes: list[str]) -> list[_Edit]:
    by_path: dict[str, list[Planned]] = {}
    for entry in planned:
        by_path.setdefault(entry.change.path, []).append(entry)
    out = []
    for path, entries in sorted(by_path.items()):
        edit = _file_edit(root, path, entries, notes)
        if edit is not None:
            out.append(edit)
    return out


def _file_edit(root: Path, path: str, entries: list[Planned], notes: list[str]) -> _Edit | None:
    full = root / path
    if full.is_symlink():
        _skip(entries, "the file is a symbolic link", notes)
        return None
    try:
        old = full.read_bytes()
        text = old.removeprefix(BOM).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _skip(entries, f"the file cannot be read: {error}", notes)
        return None
    file = FileText(path, text)
    rendered: list[tuple[Planned, list[Splice], list[ItemCut]]] = []
    for entry in sorted(entries, key=lambda e: e.change.pieces):
        found = render(entry.change, file)
        if isinstance(found, str):
            _skip([entry], found, notes)
            continue
        splices = [s for s in found if isinstance(s, Splice)]
        rendered.append((entry, splices, [c for c in found if isinstance(c, ItemCut)]))
    cuts = fix_yaml.cut_items(text, [c for r in rendered for c in r[2]])
    if isinstance(cuts, str):
        _skip([r[0] for r in rendered if r[2]], cuts, notes)
        rendered = [r for r in rendered if not r[2]]
        cuts = []
    kept: list[Planned] = []
    splices = list(cuts)
    for entry, mine, items in rendered:
        if items and not mine:
            kept.append(entry)  # its list items are among the cuts
        elif _splice(text, splices + mine) is None:
            _skip([entry], "another fix edits the same text", notes)
        else:
            kept.append(entry)
            splices += mine
    new = _splice(text, splices)
    if not kept or new is None or new == text:
        return None
    prefix = BOM if old.startswith(BOM) else b""
    return _Edit(path, old, prefix + new.encode("utf-8"), kept)


def _splice(text: str, splices: Iterable[Splice]) -> str | None:
    """Apply non-overlapping splices (identical ones once); None when two overlap."""
    ordered = sorted(set(splices))
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            return None
    for splice in reversed(ordered):
        text = text[: splice.start] + splice.text + text[splice.end :]
    return text


def _skip(entries: list[Planned], reason: str, notes: list[str]) -> None:
    for entry in entries:
        for finding in sorted(entry.findings):
            notes.append(f"not fixed: {_where(finding)}: {reason}")


# writing and checking -----------------------------------------------------------------------
def _apply_checked(
    root: Path, before: Result, edits: list[_Edit], check: Callable[[], Result], notes: list[str]
) -> tuple[list[_Edit], Result]:
    """Write the edits, check again, and undo the files that made things worse."""
    kept = list(edits)
    after = before
    for _ in range(len(edits) + 1):
        if not kept:
            return [], before if after is before else check()
        for edit in kept:
            _write(root / edit.path, edit.new)
        after = check()
        bad = _verify(before, after, kept)
        if not bad:
            return kept, after
        for edit in kept:
            if edit.path in bad:
                _write(root / edit.path, edit.old)
                notes.append(f"undone: {edit.path}: {bad[edit.path]}")
        kept = [e for e in kept if e.path not in bad]
    return kept, check()


def _verify(before: Result, after: Result, edits: list[_Edit]) -> dict[str, str]:
    """Files whose edits must be undone, with the reason."""
    bad: dict[str, str] = {}
    for edit in edits:
        problem = _parse_problem(edit)
        if problem:
            bad[edit.path] = problem
    old: dict[tuple[str, ...], list[set[str]]] = {}
    for finding in before.findings:
        old.setdefault(_key(finding), []).append(set(finding.roles))
    for finding in after.findings:
        if any(set(finding.roles) <= roles for roles in old.get(_key(finding), ())):
            continue  # the same finding, for the same roles or fewer
        reason = f"a new finding appeared: {finding.span}: {finding.message}"
        for path in _blame(edits, finding.span.path, {finding.script}):
            bad.setdefault(path, reason)
    expected = _argvs(before.calls, [p for e in edits for p in e.planned])
    actual = _argvs(after.calls, [])
    for script, role, argv in sorted(expected ^ actual):
        shown = " ".join(argv).replace("\ue000", "…")
        reason = f"the call `{script} {shown}` ({role or 'no role'}) is not the one planned"
        for path in _blame(edits, "", {script}):
            bad.setdefault(path, reason)
    return bad


def _blame(edits: list[_Edit], path: str, scripts: set[str]) -> list[str]:
    """The edited files to undo for a problem in `path` or in a call of these scripts."""
    if any(e.path == path for e in edits):
        return [path]
    return [e.path for e in edits] if len(edits) == 1 else _by_script(edits, scripts)


def _by_script(edits: list[_Edit], scripts: set[str]) -> list[str]:
    found = [
        e.path for e in edits if any(f.script in scripts for p in e.planned for f in p.findings)
    ]
    return found or [e.path for e in edits]


def _parse_problem(edit: _Edit) -> str:
    """Why the edited file no longer parses as well as before, or ""."""
    old = edit.old.removeprefix(BOM).decode("utf-8")
    new = edit.new.removeprefix(BOM).decode("utf-8")
    if edit.path.endswith(".pp"):
        errors = [parse_manifest(t, edit.path).errors for t in (old, new)]
    elif edit.path.endswith((".yaml", ".yml", ".eyaml")):
        errors = [load_yaml(t, edit.path)[1] for t in (old, new)]
    else:
        return ""
    if len(errors[1]) > len(errors[0]):
        return f"it no longer parses: {errors[1][0].message}"
    return ""


def _key(finding: Finding) -> tuple[str, ...]:
    """A finding's identity without its position, which an edit of its line may move."""
    return finding.code, finding.span.path, finding.script, finding.argument


Argv = tuple[str, str, tuple[str, ...]]  # script, role, argv


def _argvs(calls: tuple[Call, ...], planned: list[Planned]) -> set[Argv]:
    """Every call's argv per role, with the planned changes made to its words."""
    changes: dict[tuple[int, int], Use] = {(u.call, u.word): u for p in planned for u in p.uses}
    out: set[Argv] = set()
    for c, call in enumerate(calls):
        argv = [call.invocation.command.text]
        for w, word in enumerate(call.invocation.words):
            use = changes.get((c, w))
            if use is None:
                argv.append(word.text)
            elif use.text is not None:
                argv.append(use.text)
        for role in call.roles or ("",):
            out.add((call.invocation.script, role, tuple(argv)))
    return out


def _write(path: Path, data: bytes) -> None:
    """Replace a file's bytes atomically (a temporary file in its folder, then os.replace),
    keeping its permission bits."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _diff(edit: _Edit) -> str:
    old = edit.old.removeprefix(BOM).decode("utf-8").splitlines(keepends=True)
    new = edit.new.removeprefix(BOM).decode("utf-8").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{edit.path}", f"b/{edit.path}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
