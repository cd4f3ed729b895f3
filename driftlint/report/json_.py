"""`--format json`: the one machine-readable contract of DESIGN §8."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftlint.model import Finding, Result
from driftlint.report.common import NO_CONTEXT, ReportContext, by_code, by_severity
from driftlint.report.fingerprint import fingerprints

VERSION = 1


def finding_record(finding: Finding, fp: str) -> dict[str, Any]:
    """One finding as DESIGN §8 lists its keys, in that order."""
    span = finding.span
    return {
        "code": finding.code,
        "severity": finding.severity,
        "path": span.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "script": finding.script,
        "argument": finding.argument,
        "roles": list(finding.roles),
        "via": [v.where for v in finding.via],
        "message": finding.message,
        "fingerprint": fp,
    }


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    fps = fingerprints(result.findings, result.root)
    document = {
        "version": VERSION,
        "findings": [finding_record(f, fps[f]) for f in result.findings],
        "summary": {
            "by_severity": by_severity(result.findings),
            "by_code": by_code(result.findings),
            "files_checked": result.files_checked,
            "calls_checked": result.calls_checked,
        },
    }
    return json.dumps(document, indent=2) + "\n"
