"""`--format codeclimate`: a GitLab Code Quality report, also valid Code Climate issues."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftlint.model import Result
from driftlint.report.common import NO_CONTEXT, ReportContext
from driftlint.report.fingerprint import fingerprints

# GitLab's scale is info, minor, major, critical, blocker; errors fail the run, so rank higher.
SEVERITY = {"error": "major", "warning": "minor"}


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    fps = fingerprints(result.findings, result.root)
    issues = []
    for finding in result.findings:
        span = finding.span
        issue: dict[str, Any] = {
            "type": "issue",
            "check_name": finding.code,
            "description": finding.message,
            "categories": ["Bug Risk"],
            "fingerprint": fps[finding],
            "severity": SEVERITY.get(finding.severity, "major"),
            "location": {
                "path": span.path,
                "lines": {"begin": span.line, "end": max(span.end_line, span.line)},
            },
        }
        if finding.code in docs:
            issue["content"] = {"body": docs[finding.code]}
        issues.append(issue)
    return json.dumps(issues, indent=2) + "\n"
