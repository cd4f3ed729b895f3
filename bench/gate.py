"""The CI gate on real changes: each of a repository's last N first-parent commits that touch
Puppet files, checked with `--base` its parent and the store the previous check left (#17).

    python bench/gate.py GITDIR [--commits N] [--rev REV] [--jobs J] [--verify K] [--out DIR]

One scratch worktree is moved from commit to commit, oldest first, as a CI runner that keeps
its cache between jobs would see them. The first commit is checked once without timing, to
fill the store as main's pipeline would have. Each check is timed from the outside (a fresh
process, imports included). `--verify K` also checks K evenly spaced commits cold (no cache)
and compares every finding with the warm check of the same commit. Prints p50/p90/max and
writes gate.csv to --out. Nothing of the repository is committed; the worktree is removed.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PUPPET = (".pp", ".erb", ".epp", ".yaml", ".j2")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def check(tree: Path, cache: Path | None, *args: str, jobs: int) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, "-m", "driftlint", "check", "--format", "json"]
    command += ["--fail-on", "never", "--jobs", str(jobs), *args]
    command += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    start = time.perf_counter()
    done = subprocess.run([*command, str(tree)], capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    try:
        return took, json.loads(done.stdout)
    except json.JSONDecodeError:
        return took, {"error": done.stderr[-500:]}


def touches_puppet(repo: Path, commit: str) -> bool:
    names = git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", f"{commit}^", commit)
    return any(n.endswith(PUPPET) or "/files/" in n for n in names.splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gitdir", type=Path)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--verify", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    repo = args.gitdir
    history = git(repo, "rev-list", "--first-parent", f"--max-count={args.commits * 4}", args.rev)
    picked = [c for c in history.split() if touches_puppet(repo, c)][: args.commits + 1]
    picked.reverse()  # oldest first; the first only fills the store
    scratch = Path(tempfile.mkdtemp(prefix="driftlint-gate-"))
    tree, cache = scratch / "tree", scratch / "cache"
    rows: list[dict[str, Any]] = []
    step = max(1, len(picked) // args.verify) if args.verify else 0
    verify_at = set(picked[1::step][: args.verify]) if step else set()
    try:
        git(repo, "worktree", "add", "--detach", "-q", str(tree), picked[0])
        took, _ = check(tree, cache, jobs=args.jobs)
        print(f"store filled at {picked[0][:10]} in {took:.1f} s", flush=True)
        for commit in picked[1:]:
            git(tree, "checkout", "-q", "--detach", commit)
            took, found = check(tree, cache, "--base", "HEAD~1", jobs=args.jobs)
            row: dict[str, Any] = {
                "commit": commit[:10],
                "seconds": round(took, 3),
                "introduced": len(found.get("findings", [])),
                "error": found.get("error", ""),
            }
            if commit in verify_at:
                _, warm = check(tree, cache, jobs=args.jobs)
                _, cold = check(tree, None, jobs=args.jobs)
                row["same_as_cold"] = warm.get("findings") == cold.get("findings")
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(scratch, ignore_errors=True)
    times = sorted(r["seconds"] for r in rows)
    if times:
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        print(f"{len(times)} changes: p50 {statistics.median(times):.2f} s, p90 {p90:.2f} s, "
              f"max {times[-1]:.2f} s")  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "gate.csv").open("w", newline="") as handle:
        fields = ["commit", "seconds", "introduced", "error", "same_as_cold"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
