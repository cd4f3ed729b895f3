"""`--format github`: GitHub Actions workflow commands, shown as annotations on the files.

`::error file=F,line=L,col=C,endLine=L,endColumn=C,title=T::message`, escaped as the Actions
toolkit does (`%`, CR and LF in the message; also `:` and `,` in properties). Paths are from
the repository top, which is where Actions resolves them.
"""

from __future__ import annotations

from collections.abc import Mapping

from driftlint.model import Finding, Result
from driftlint.report.common import NO_CONTEXT, TOOL_NAME, ReportContext, summary_line


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    span = finding.span
    properties = {
        "file": span.path,
        "line": str(span.line),
        "col": str(span.column),
        "endLine": str(max(span.end_line, span.line)),
        "endColumn": str(span.end_column),
        "title": f"{TOOL_NAME} {finding.code}",
    }
    if properties["endLine"] != properties["line"]:
        del properties["endColumn"]  # Actions reads endColumn only on a one-line annotation
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = finding.message
    if finding.roles:
        message += f"\nroles: {', '.join(finding.roles)}"
    if finding.via:
        message += f"\nvia: {' → '.join(v.where for v in finding.via)}"
    kind = "warning" if finding.severity == "warning" else "error"
    return f"::{kind} {listed}::{escape_data(message)}"


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    lines = [command(f) for f in result.findings]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
