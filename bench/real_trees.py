"""Measure driftlint on a real tree: scripts installed, interfaces read, calls and findings.

Usage: python bench/real_trees.py TREE [--out FILE.json]
Prints a summary (per dialect and per language) and every finding, for a person to judge each
one true or false by reading the script and the caller. Never commits or copies tree files.
"""

from __future__ import annotations

import argparse
import collections
import json
import posixpath
import sys
import time
from pathlib import Path

from driftlint import engine
from driftlint import interfaces as spec
from driftlint.config.load import load_config
from driftlint.discover import detect_module_roots, read_source
from driftlint.parse.puppet import parse_manifest
from driftlint.watch import static_installs


def _language(text: str, path: str) -> str:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    for word in ("python", "perl", "ruby", "php"):
        if first.startswith("#!") and word in first:
            return word
    if first.startswith("#!") and "sh" in first:
        return "shell"
    base = path.removesuffix(".erb")
    for suffix, language in ((".py", "python"), (".sh", "shell"), (".pl", "perl"), (".rb", "ruby")):
        if base.endswith(suffix):
            return language
    return "other"


def measure(root: Path) -> dict[str, object]:
    config, setup = load_config(root, None)
    start = time.perf_counter()
    result = engine.run(root, config, setup, jobs=2, cache_dir=None)
    seconds = time.perf_counter() - start
    manifests = []
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("*.pp")):
        text, _ = read_source(root, path, 5_000_000)
        if text is not None:
            manifests.append(parse_manifest(text, path))
    roots = detect_module_roots(root)
    installs = static_installs(manifests, roots, lambda p: (root / p).is_file())
    languages: collections.Counter[str] = collections.Counter()
    dialects: collections.Counter[str] = collections.Counter()
    for spec_path in sorted({i.spec_path for i in installs}):
        text, _ = read_source(root, spec_path, 5_000_000)
        if not text or not text.lstrip("\ufeff").startswith("#!"):
            continue
        language = _language(text, spec_path)
        languages[language] += 1
        found = spec.read_interface(spec_path, text, posixpath.basename(spec_path), None)
        dialects[f"{language}:{found.dialect if found else 'none'}"] += 1
    findings = [
        {
            "where": f"{f.span.path}:{f.span.line}:{f.span.column}",
            "code": f.code,
            "severity": f.severity,
            "script": f.script,
            "message": f.message,
        }
        for f in result.findings
    ]
    codes = collections.Counter(f"{f.severity}:{f.code}" for f in result.findings)
    pp_errors = sum(
        1 for f in result.findings if f.code == "parse-error" and f.span.path.endswith(".pp")
    )
    return {
        "manifests": len(manifests),
        "scripts_installed_with_shebang": dict(sorted(languages.items())),
        "interfaces_by_dialect": dict(sorted(dialects.items())),
        "calls": result.calls_checked,
        "findings_by_code": dict(sorted(codes.items())),
        "manifest_parse_errors": pp_errors,
        "seconds": round(seconds, 1),
        "findings": findings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    found = measure(args.tree.resolve())
    text = json.dumps(found, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in found.items() if k != "findings"}
    print(json.dumps(summary, indent=1))
    for finding in found["findings"]:  # type: ignore[attr-defined]
        print(f"{finding['where']}: {finding['severity']} {finding['code']}: {finding['message']}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
