"""Baselines: remember today's findings by fingerprint and report only new ones."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from driftlint.model import Result
from driftlint.report.fingerprint import fingerprints


def write(result: Result, path: Path) -> int:
    prints = fingerprints(result.findings, result.root)
    entries = sorted(
        (
            {"fingerprint": prints[f], "code": f.code, "path": f.span.path, "argument": f.argument}
            for f in result.findings
        ),
        key=lambda e: (e["path"], e["code"], e["fingerprint"]),
    )
    path.write_text(
        json.dumps({"version": 1, "findings": entries}, indent=2) + "\n", encoding="utf-8"
    )
    return len(entries)


class BadBaseline(Exception):
    """The baseline file cannot be read or is not one (a usage error, naming the file)."""


def load(path: Path) -> set[str]:
    """The fingerprints a baseline lists. Raises BadBaseline."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadBaseline(f"--baseline {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BadBaseline(f"--baseline {path}: not valid JSON ({error})") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BadBaseline(
            f"--baseline {path}: not a driftlint baseline (expected"
            ' {"findings": [{"fingerprint": "..."}, ...]}, as `driftlint baseline` writes)'
        )
    return {e["fingerprint"] for e in entries}


def kept(result: Result, known: set[str]) -> list[bool]:
    """For each finding, in order: True when its fingerprint is not in the baseline."""
    prints = fingerprints(result.findings, result.root)
    return [prints[f] not in known for f in result.findings]


def only(result: Result, flags: list[bool]) -> Result:
    """The result with the findings whose flag is True."""
    findings = tuple(f for f, keep in zip(result.findings, flags, strict=True) if keep)
    return replace(result, findings=findings)


def hide(result: Result, path: Path) -> Result:
    return only(result, kept(result, load(path)))
