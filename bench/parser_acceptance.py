"""Compare our Puppet parser with `puppet parser validate` on every manifest of a tree.

Usage: python bench/parser_acceptance.py TREE [--batch 200] [--jobs 2] [--no-puppet]
Prints: files, accepted by puppet, accepted by us, the disagreements, and our parse time
(one process).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from driftlint.parse.epp import parse_epp
from driftlint.parse.puppet import parse_manifest

# `(file: PATH, line: N, column: M)`, or `(file: PATH)` for an error at the end of input.
_ERROR = re.compile(r"\(file: (?P<path>[^,)\n]+)(?:, line: \d+(?:, column: \d+)?)?\)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def puppet_rejects(files: list[Path], batch: int, jobs: int) -> dict[str, str]:
    """Map each file puppet rejects to its first error line."""
    puppet = shutil.which("puppet") or "/usr/bin/puppet"
    work = tempfile.mkdtemp(prefix="driftlint-validate-")
    batches = [files[i : i + batch] for i in range(0, len(files), batch)]

    def run(chunk: list[Path]) -> str:
        cmd = [puppet, "parser", "validate", "--color=false", "--vardir", work, "--confdir", work]
        done = subprocess.run([*cmd, *map(str, chunk)], capture_output=True, text=True)
        text = _ANSI.sub("", done.stdout + done.stderr)
        # Some errors ("Virtual (@) can only be applied to ...") end the run and hide the errors
        # of the other files: split the batch until each such file is alone.
        if "Try 'puppet help" not in text or len(chunk) == 1:
            return text
        half = len(chunk) // 2
        return run(chunk[:half]) + "\n" + run(chunk[half:])

    out: dict[str, str] = {}
    with ThreadPoolExecutor(jobs) as pool:
        for text in pool.map(run, batches):
            # a message may span lines (`Syntax error at ',\n  x'`): match on the whole text
            clean = _ANSI.sub("", text)
            for m in _ERROR.finditer(clean):
                where = clean.rfind("Error:", 0, m.start())
                line = " ".join(clean[where : m.end()].split())
                out.setdefault(str(Path(m.group("path")).resolve()), line)
    shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-puppet", action="store_true", help="only time our parser")
    args = ap.parse_args()
    root = args.tree.resolve()
    files = sorted(p for p in root.rglob("*.pp") if p.is_file() and ".git" not in p.parts)
    templates = sorted(p for p in root.rglob("*.epp") if p.is_file() and ".git" not in p.parts)
    texts = [(p, p.read_text(encoding="utf-8", errors="replace")) for p in files]
    size = sum(len(t) for _, t in texts)

    ours: dict[str, str] = {}
    puppet3_only = 0
    began = time.perf_counter()
    for path, text in texts:
        # Puppet 7 only: `puppet parser validate` of Puppet 7 is the oracle here; the Puppet 3
        # reading driftlint falls back to is counted apart.
        manifest = parse_manifest(text, path.relative_to(root).as_posix(), puppet3=False)
        if manifest.errors and not parse_manifest(text, manifest.path).errors:
            puppet3_only += 1
        if manifest.errors:
            first = manifest.errors[0]
            ours[str(path)] = f"{first.span}: {first.message}"
    elapsed = time.perf_counter() - began
    epp_rejected = 0
    epp_began = time.perf_counter()
    for path in templates:
        template = parse_epp(path.read_text(encoding="utf-8", errors="replace"), path.name)
        epp_rejected += bool(template.errors)
    epp_elapsed = time.perf_counter() - epp_began

    print(f"files: {len(files)} ({size / 1e6:.1f} MB)")
    print(f"accepted by us: {len(files) - len(ours)} (as Puppet 7)")
    print(f"refused as Puppet 7, read as Puppet 3 in a check: {puppet3_only}")
    print(f"our parse time: {elapsed:.2f} s (one process)")
    print(f"epp templates: {len(templates)}, rejected by us: {epp_rejected}, {epp_elapsed:.2f} s")
    if args.no_puppet:
        for _path, message in sorted(ours.items()):
            print(f"  we reject {message}")
        return 0
    theirs = puppet_rejects(files, args.batch, args.jobs)
    print(f"accepted by puppet: {len(files) - len(theirs)}")
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    print(f"disagreements: {len(only_ours) + len(only_theirs)}")
    for path in only_ours:
        print(f"  only we reject: {ours[path]}")
    for path in only_theirs:
        print(f"  only puppet rejects: {theirs[path]}")
    return 1 if only_ours else 0


if __name__ == "__main__":
    sys.exit(main())
