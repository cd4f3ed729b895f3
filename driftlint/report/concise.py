"""`--format concise`: one line per finding, as ruff's and flake8's default output."""

from __future__ import annotations

from collections.abc import Mapping

from driftlint.model import Result
from driftlint.report.common import NO_CONTEXT, ReportContext, summary_line


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    """`path:line:column: severity[code] message`; then a blank line and the summary."""
    lines = [
        f"{f.span}: {f.severity}[{f.code}] {' '.join(f.message.split())}" for f in result.findings
    ]
    return (
        "".join(line + "\n" for line in lines)
        + ("\n" if lines else "")
        + (summary_line(result) + "\n")
    )
