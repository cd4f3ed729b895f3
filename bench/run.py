"""Time driftlint, puppet-lint and puppet parser validate on one Puppet tree, side by side."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

TIME = "/usr/bin/time"
OUT = Path(__file__).resolve().parent / "out"
DRIFTLINT_SOURCES = (".pp", ".erb", ".epp", ".yaml", ".yml")
LINT_MODES = ("parallel", "list", "dir")
TIMEOUT = [600.0]  # seconds per tool run; set from --timeout
VALIDATE_BATCH = 1000  # files per `puppet parser validate`: one Ruby start per batch


@dataclass(frozen=True, slots=True)
class Row:
    tool: str
    command: str
    wall_s: float | None  # None: the tool did not run
    peak_mb: float | None
    files: int
    exit_code: int | None
    ok: bool  # the tool ran to a normal end (findings are a normal end)
    note: str = ""

    @property
    def files_per_s(self) -> float | None:
        return self.files / self.wall_s if self.wall_s else None


def count_files(tree: Path) -> dict[str, int]:
    counts = dict.fromkeys(DRIFTLINT_SOURCES, 0)
    for _, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            ext = os.path.splitext(name)[1]
            if ext in counts:
                counts[ext] += 1
    return counts


def manifests(tree: Path) -> list[str]:
    found = []
    for root, dirs, names in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        found += [os.path.join(root, n) for n in sorted(names) if n.endswith(".pp")]
    return found


def timed(
    tool: str, argv: list[str], files: int, ok_codes: tuple[int, ...], stdin: Path | None = None
) -> tuple[Row, str]:
    """Run argv under `/usr/bin/time -v`; return its row and its standard output."""
    command = shlex.join(argv)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        start = time.perf_counter()
        try:
            with open(stdin or os.devnull, "rb") as feed:
                # A session of its own, so a timeout can end the whole process group.
                proc = subprocess.Popen(
                    [TIME, "-v", "-o", stats.name, *argv],
                    stdin=feed,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
                try:
                    stdout, stderr = proc.communicate(timeout=TIMEOUT[0])
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.communicate()
                    note = f"timed out after {TIMEOUT[0]:.0f} s"
                    return Row(tool, command, None, None, files, None, False, note), ""
        except OSError as err:
            return Row(tool, command, None, None, files, None, False, str(err)), ""
        elapsed = time.perf_counter() - start
        fields = dict(
            line.strip().rsplit(": ", 1) for line in stats.read().splitlines() if ": " in line
        )
    wall = parse_clock(fields.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "")) or elapsed
    rss = fields.get("Maximum resident set size (kbytes)", "")
    peak = int(rss) / 1024 if rss.isdigit() else None
    ok = proc.returncode in ok_codes
    note = "" if ok else first_line(stderr) or f"exit {proc.returncode}"
    return Row(tool, command, round(wall, 2), peak, files, proc.returncode, ok, note), stdout


def parse_clock(text: str) -> float | None:
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        return None
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total if parts else None


def first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    # A traceback's last line says what went wrong; a usage error's first line does.
    return (
        (lines[-1] if lines and lines[0].startswith("Traceback") else lines[0])[:160]
        if lines
        else ""
    )


def one_file_changed(base: list[str], tree: Path, files: int) -> Row:
    """A run after a change to one manifest (a comment appended, then taken out again): what
    a CI gate sees on most changes, when the run cache cannot answer and the parse cache can
    for every other file."""
    manifest = min(tree.rglob("*.pp"))
    before = manifest.read_bytes()
    try:
        manifest.write_bytes(before + b"\n# bench: one file changed\n")
        return timed("driftlint, 1 file changed", [*base, str(tree)], files, (0, 1))[0]
    finally:
        manifest.write_bytes(before)


def run_driftlint(
    cmd: list[str], tree: Path, files: int, warm: bool
) -> tuple[list[Row], dict[str, object]]:
    base = [*cmd, "check", "--format", "json"]
    cold, stdout = timed("driftlint cold", [*base, "--no-cache", str(tree)], files, (0, 1))
    rows = [cold]
    if cold.ok and warm:
        timed("driftlint warm 1", [*base, str(tree)], files, (0, 1))  # fills the cache
        rows.append(timed("driftlint warm", [*base, str(tree)], files, (0, 1))[0])
        rows.append(one_file_changed(base, tree, files))
    try:
        report = json.loads(stdout) if cold.ok else {}
    except json.JSONDecodeError:
        report = {}
        rows[0] = Row(**{**asdict(cold), "ok": False, "note": "output is not JSON"})
    return rows, report


def run_puppet_lint(mode: str, tree: Path, pp: list[str], listing: Path) -> Row:
    lint = ["puppet-lint", "--no-documentation-check"]
    if mode == "dir":  # puppet-lint walks the tree itself
        return timed("puppet-lint", [*lint, str(tree)], len(pp), (0, 1))[0]
    jobs = ["-P", str(os.cpu_count() or 1)] if mode == "parallel" else []
    size = -(-len(pp) // (os.cpu_count() or 1)) if mode == "parallel" else 5000
    argv = ["xargs", "-0", *jobs, "-n", str(size), *lint]
    # xargs exits 123 when any batch exits 1-125: puppet-lint's "problems found".
    return timed("puppet-lint", argv, len(pp), (0, 1, 123), stdin=listing)[0]


def run_validate(pp: list[str], listing: Path) -> Row:
    argv = ["xargs", "-0", "-n", str(VALIDATE_BATCH), "puppet", "parser", "validate"]
    row = timed("puppet parser validate", argv, len(pp), (0, 123), stdin=listing)[0]
    return row if row.exit_code != 123 else Row(**{**asdict(row), "note": "some files invalid"})


def check_expected(tree: Path, report: dict[str, object]) -> list[dict[str, object]] | None:
    path = tree / "BENCH_EXPECTED.json"
    if not path.is_file():
        return None
    expected = json.loads(path.read_text(encoding="utf-8"))["bad"]
    found = report.get("findings", [])
    findings = found if isinstance(found, list) else []
    results = []
    for bad in expected:
        key = (bad["path"], bad["line"], bad["column"], bad["argument"])
        exact = any(
            (f.get("path"), f.get("line"), f.get("column"), f.get("argument")) == key
            for f in findings
        )
        near = any(
            f.get("path") == bad["path"] and f.get("argument") == bad["argument"] for f in findings
        )
        state = "found" if exact else "found elsewhere in the file" if near else "missed"
        results.append({**bad, "result": state if report else "driftlint did not run"})
    return results


def others(report: dict[str, object], expected: list[dict[str, object]]) -> list[object]:
    """Findings that are not planted bad arguments: false alarms on a generated tree."""
    found = report.get("findings", [])
    keys = {(e["path"], e["line"], e["column"]) for e in expected}
    return [
        f
        for f in (found if isinstance(found, list) else [])
        if (f.get("path"), f.get("line"), f.get("column")) not in keys
    ]


def finding_codes(report: dict[str, object]) -> dict[str, int]:
    found = report.get("findings", [])
    codes: dict[str, int] = {}
    for f in found if isinstance(found, list) else []:
        codes[str(f.get("code"))] = codes.get(str(f.get("code")), 0) + 1
    return dict(sorted(codes.items()))


def table(rows: list[Row]) -> str:
    cold = next((r for r in rows if r.tool == "driftlint cold" and r.ok and r.wall_s), None)
    head = f"{'tool':<24} {'wall s':>8} {'peak MB':>8} {'files/s':>9} {'x cold':>8}  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        wall = f"{r.wall_s:.2f}" if r.wall_s is not None else "-"
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else "-"
        rate = f"{r.files_per_s:.0f}" if r.files_per_s else "-"
        ratio = f"{r.wall_s / cold.wall_s:.1f}" if cold and r.wall_s and cold.wall_s else "-"
        note = r.note or ("" if r.ok else "failed")
        lines.append(f"{r.tool:<24} {wall:>8} {peak:>8} {rate:>9} {ratio:>8}  {note}")
    return "\n".join(lines)


def default_driftlint() -> str:
    venv = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "driftlint"
    return str(venv) if venv.exists() else "driftlint"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tree", type=Path, help="root of the Puppet tree")
    parser.add_argument("--driftlint", default=default_driftlint(), help="driftlint command")
    parser.add_argument("--skip-puppet", action="store_true", help="skip the two puppet tools")
    parser.add_argument("--no-warm", action="store_true", help="only the cold driftlint run")
    parser.add_argument("--skip-driftlint", action="store_true", help="skip driftlint")
    parser.add_argument(
        "--lint-mode",
        choices=LINT_MODES,
        default="parallel",
        help="puppet-lint on the file list split over all cores (default), on one file list, "
        "or on the directory",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds per tool run")
    parser.add_argument("--out", type=Path, default=OUT, help="directory for the JSON results")
    args = parser.parse_args(argv)
    if not Path(TIME).exists():
        parser.error(f"{TIME} is missing: apt-get install -y time")
    TIMEOUT[0] = args.timeout
    tree = args.tree.resolve()
    counts = count_files(tree)
    pp = manifests(tree)
    rows: list[Row] = []
    report: dict[str, object] = {}
    if not args.skip_driftlint:
        drift_rows, report = run_driftlint(
            shlex.split(args.driftlint), tree, sum(counts.values()), not args.no_warm
        )
        rows += drift_rows
    if not args.skip_puppet:
        with tempfile.NamedTemporaryFile("wb", suffix=".list") as listing:
            listing.write(b"\0".join(p.encode() for p in pp))
            listing.flush()
            rows.append(run_puppet_lint(args.lint_mode, tree, pp, Path(listing.name)))
            rows.append(run_validate(pp, Path(listing.name)))
    expected = check_expected(tree, report)
    load = os.getloadavg()
    print(f"tree: {tree}  files: {counts}  cores: {os.cpu_count()}  load: {load[0]:.1f}")
    print(table(rows))
    codes = finding_codes(report)
    if codes:
        print(f"driftlint findings by code: {codes}")
    for r in rows:
        if r.tool == "puppet-lint":
            print(f"puppet-lint ran as: {r.command} (file list on stdin)")
    if expected is not None:
        hits = sum(1 for e in expected if e["result"] == "found")
        print(f"\nexpected bad arguments found by driftlint: {hits}/{len(expected)}")
        if report:  # the generated tree is otherwise clean: anything else is a false alarm
            print(f"other driftlint findings (false alarms here): {len(others(report, expected))}")
        for e in expected:
            print(f"  {e['result']:<28} {e['path']}:{e['line']}:{e['column']} {e['argument']}")
    result = {
        "tree": str(tree),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
        "load_average_after": load,
        "driftlint_findings": codes,
        "files": counts,
        "lint_mode": args.lint_mode,
        "rows": [{**asdict(r), "files_per_s": r.files_per_s} for r in rows],
        "expected": expected,
        "other_findings": others(report, expected)[:50] if expected is not None else None,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{tree.name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    (args.out / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out / name}")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    if shutil.which("xargs") is None:
        sys.exit("run.py: xargs is missing")
    sys.exit(main())
