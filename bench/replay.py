"""Replay a real repository's history: which findings did each commit introduce, and when did
each end? (issue 15)

    python bench/replay.py GITDIR [--since DATE] [--until DATE] [--rev REV] [--out DIR]

Walks the first-parent history of REV (default HEAD) from oldest to newest in a scratch
worktree. A commit is checked when it changes a watched script or a file that names one (the
names and installed paths `driftlint calls` reported at the last check); the others cannot
change a finding. Each check is a full `driftlint check --format json` with the run cache, and a
finding is introduced where its fingerprint and severity first appear and ended where they
disappear (fingerprints do not depend on line numbers, so unrelated edits keep them; the
severity is kept apart, as `--base` does, so a warning that becomes an error is new). Writes
`replay.csv` and `replay.md` (a table) to --out and prints the table.

Nothing of the replayed repository is committed; the scratch worktree is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLUMNS = ("commit", "date", "severity", "code", "argument", "where", "roles", "ended_by",
           "ended_date", "end_changed", "message")  # fmt: skip


@dataclass
class Open:
    commit: str
    date: str
    finding: dict[str, Any]
    ended_by: str = ""
    ended_date: str = ""
    end_changed: str = ""  # "caller" (the finding's own file), "script", or "other"


@dataclass
class State:
    names: set[str] = field(default_factory=set)  # watched names and installed paths
    paths: set[str] = field(default_factory=set)  # files some call came through
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)  # fingerprint:severity


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return done.stdout.decode("utf-8", "replace")  # a binary file is just not a mention


def driftlint(tree: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "driftlint", *args, str(tree)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode not in (0, 1):
        raise RuntimeError(f"driftlint {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return dict(json.loads(done.stdout))


def added_scripts(repo: Path, commit: str, parents: list[str]) -> bool:
    """Does the commit add a file a module installs (a new script may be watched from now)?"""
    if not parents:
        return True
    added = git(repo, "diff", "--name-only", "--diff-filter=AR", parents[0], commit)
    return any("/files/" in p or "/templates/" in p for p in added.splitlines())


def watched(tree: Path) -> tuple[set[str], set[str]]:
    """The watched scripts' names and installed paths, and the files calls come through."""
    command = [sys.executable, "-m", "driftlint", "calls", "--format", "json", "--path", str(tree)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    names: set[str] = set()
    paths: set[str] = set()
    for row in json.loads(done.stdout or '{"calls": []}')["calls"]:
        names.add(row["script"])
        names.add(row["argv"][0])
        # Every file a call comes through: a role's class declaration, Hiera, a template.
        paths.update(where.rsplit(":", 1)[0] for where in row["via"])
        paths.add(row["path"])
    return {n for n in names if n and "\ue000" not in n}, paths


def relevant(repo: Path, commit: str, parent: str, state: State) -> tuple[bool, list[str]]:
    changed = [p for p in git(repo, "diff", "--name-only", parent, commit).splitlines() if p]
    if not state.names:
        return True, changed
    for path in changed:
        if path in state.paths or path.rsplit("/", 1)[-1] in state.names:
            return True, changed
        for rev in (commit, parent):
            try:
                text = git(repo, "show", f"{rev}:{path}")
            except subprocess.CalledProcessError:
                continue  # added or deleted here
            if any(name in text for name in state.names):
                return True, changed
    return False, changed


def replay(
    repo: Path, rev: str, since: str | None, until: str | None, out: Path | None = None
) -> tuple[list[Open], dict]:
    args = ["rev-list", "--first-parent", "--reverse", "--format=%H %as", rev]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    lines = [line for line in git(repo, *args).splitlines() if not line.startswith("commit ")]
    commits = [tuple(line.split()) for line in lines]
    scratch = Path(tempfile.mkdtemp(prefix="driftlint-replay-"))
    tree = scratch / "tree"
    stats = {"commits": len(commits), "checked": 0, "seconds": 0.0}
    state = State()
    rows: list[Open] = []
    opened: dict[str, Open] = {}
    try:
        git(repo, "worktree", "add", "--detach", "-f", str(tree), commits[0][0] if commits else rev)
        for number, (commit, date) in enumerate(commits):
            parents = git(repo, "rev-list", "--parents", "-n1", commit).split()[1:]
            is_first = number == 0
            if not is_first and parents:
                hit, changed = relevant(repo, commit, parents[0], state)
                if not hit:
                    continue
            else:
                changed = []
            git(tree, "checkout", "-q", "--detach", commit)
            started = time.perf_counter()
            result = driftlint(tree, "check", "--format", "json")
            if is_first or added_scripts(repo, commit, parents):
                state.names, state.paths = watched(tree)
            stats["seconds"] += time.perf_counter() - started
            stats["checked"] += 1
            now = {f"{f['fingerprint']}:{f['severity']}": f for f in result["findings"]}
            if not is_first:
                for key in sorted(now.keys() - state.findings.keys()):
                    opened[key] = Open(commit[:11], date, now[key])
                    rows.append(opened[key])
                    print(f"  introduced: {values(opened[key])}", file=sys.stderr)
                for key in sorted(state.findings.keys() - now.keys()):
                    if key in opened and not opened[key].ended_by:
                        row = opened[key]
                        row.ended_by, row.ended_date = commit[:11], date
                        own = row.finding["path"] in changed
                        row.end_changed = "caller" if own else "script or other"
                        print(f"  ended: {values(row)}", file=sys.stderr)
            state.findings = now
            print(f"{date} {commit[:11]} checked: {len(now)} findings", file=sys.stderr)
            if out is not None:  # a long replay cut short still leaves what it found
                write(out, rows, stats | {"last": f"{commit[:11]} {date}"})
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(scratch, ignore_errors=True)
    return rows, stats


def table(rows: list[Open]) -> str:
    out = ["| " + " | ".join(COLUMNS[:-1]) + " |", "|" + "---|" * (len(COLUMNS) - 1)]
    for row in rows:
        out.append("| " + " | ".join(str(v) for v in values(row)[:-1]) + " |")
    return "\n".join(out)


def values(row: Open) -> tuple[str, ...]:
    f = row.finding
    roles = ", ".join(f["roles"][:3]) + (" …" if len(f["roles"]) > 3 else "")
    return (row.commit, row.date, f["severity"], f["code"], f"`{f['argument']}`",
            f"{f['path']}:{f['line']}", roles,
            row.ended_by or "(open)", row.ended_date, row.end_changed, f["message"])  # fmt: skip


def write(out: Path, rows: list[Open], stats: dict) -> str:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "replay.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(values(r) for r in rows)
    upto = f" (up to {stats['last']})" if "last" in stats else ""
    summary = (f"{stats['commits']} first-parent commits, {stats['checked']} checked{upto}, "
               f"{stats['seconds']:.0f} s of checks; {len(rows)} findings introduced")  # fmt: skip
    (out / "replay.md").write_text(f"{summary}\n\n{table(rows)}\n", encoding="utf-8")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gitdir", type=Path)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--since")
    parser.add_argument("--until")
    parser.add_argument("--out", type=Path, default=Path("replay-out"))
    args = parser.parse_args()
    rows, stats = replay(args.gitdir, args.rev, args.since, args.until, args.out)
    print(write(args.out, rows, stats))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
