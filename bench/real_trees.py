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
import re
import sys
import time
from pathlib import Path

from driftlint import engine
from driftlint import interfaces as spec
from driftlint.config.load import load_config
from driftlint.discover import detect_module_roots, read_source
from driftlint.model import Call
from driftlint.parse.puppet import parse_manifest
from driftlint.watch import Install, static_installs


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


_NOT_A_RUN = re.compile(
    r"\b(?:file|path|creates|unless|onlyif|source|require|before|notify|subscribe)\b|puppet:///",
    re.I,
)
_ERB_COMMENT = re.compile(r"^\s*#")


def _missed_mentions(
    root: Path, installs: list[Install], read_paths: set[str], calls: tuple[Call, ...]
) -> list[str]:
    """`path:line` of manifest, template and Hiera lines naming an installed path of a script
    whose interface was read, where driftlint found no call (grep's view, for a person to
    judge: a mention may be a `file` title, a comment or a check command)."""
    dests = {i.dest for i in installs if i.spec_path in read_paths and i.dest.startswith("/")}
    if not dests:
        return []
    pattern = re.compile("|".join(re.escape(d) + r"(?![\w.-])" for d in sorted(dests)))
    seen = {(s.path, s.line) for c in calls for s in (*c.invocation.via, c.invocation.command.span)}
    out: list[str] = []
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("*")):
        if not path.endswith((".pp", ".erb", ".epp", ".yaml", ".j2")) or "/." in "/" + path:
            continue
        text, _ = read_source(root, path, 5_000_000)
        for number, line in enumerate((text or "").split("\n"), start=1):
            code = line.split("#", 1)[0] if path.endswith((".pp", ".yaml")) else line
            m = pattern.search(code)
            if m is None or (path, number) in seen:
                continue
            rest = code[m.end() :].lstrip("'\" ")
            if rest.startswith(":") or _NOT_A_RUN.search(code) or _ERB_COMMENT.match(line):
                continue  # a `file` title, a reference, a path attribute, a guard, a comment
            out.append(f"{path}:{number}")
    return out


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
    read_paths: set[str] = set()
    for spec_path in sorted({i.spec_path for i in installs}):
        text, _ = read_source(root, spec_path, 5_000_000)
        if not text or not text.lstrip("\ufeff").startswith("#!"):
            continue
        language = _language(text, spec_path)
        languages[language] += 1
        found = spec.read_interface(spec_path, text, posixpath.basename(spec_path), None)
        label = found.dialect if found else "none"
        if found and any(e.code == "parse-error" for e in found.errors) and found.accepts_unknown:
            label = "unreadable"  # a parser we could not read: any argv accepted
        if found and label != "unreadable":
            read_paths.add(spec_path)
        dialects[f"{language}:{label}"] += 1
    missed = _missed_mentions(root, installs, read_paths, result.calls)
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
        "mentions_without_call": len(missed),
        "missed": missed,
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
    summary = {k: v for k, v in found.items() if k not in ("findings", "missed")}
    print(json.dumps(summary, indent=1))
    for finding in found["findings"]:  # type: ignore[attr-defined]
        print(f"{finding['where']}: {finding['severity']} {finding['code']}: {finding['message']}")
    for where in found["missed"]:  # type: ignore[attr-defined]
        print(f"{where}: mention without a call")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
