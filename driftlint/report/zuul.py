"""`--format zuul`: the `data` of Zuul's `zuul_return` for line comments on the change.

`zuul.file_comments` maps a file of the change to comments with only `line`, `message` and
`range` (Zuul's job-content documentation, "Returning file comments"); Zuul drops comments on
files the change does not modify, so those findings, and the one on the script's changed line
for drift the change caused elsewhere, go into `zuul.warnings`, which the build's summary and
its report show. A job task: `zuul_return: {data: "{{ lookup('file', 'driftlint.json') }}"}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftlint.model import Result
from driftlint.report.common import NO_CONTEXT, TOOL_NAME, ReportContext, summary_line
from driftlint.report.gerrit import comment_range, commentable, finding_text, still_passed


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    file_comments: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for finding in result.findings:
        if commentable(finding.span.path, context):
            range_ = comment_range(finding.span)
            file_comments.setdefault(finding.span.path, []).append(
                {"line": range_["end_line"], "message": finding_text(finding), "range": range_}
            )
            continue
        where = f"{finding.span}: {finding.severity}[{finding.code}] {finding.message}"
        anchor = context.anchors.get(finding)
        if anchor is not None and commentable(anchor.path, context):
            file_comments.setdefault(anchor.path, []).append(
                {"line": anchor.line, "message": still_passed(finding)}
            )
        warnings.append(f"{TOOL_NAME}: {where}")
    zuul: dict[str, Any] = {"file_comments": file_comments}
    if warnings:
        zuul["warnings"] = [f"{TOOL_NAME}: {summary_line(result)}", *warnings]
    return json.dumps({"zuul": zuul}, indent=2, ensure_ascii=False) + "\n"
