"""`--format checkstyle`: Checkstyle XML, as reviewdog (`-f=checkstyle`) and Jenkins' Warnings
plugin read it: `<checkstyle><file name><error line column severity message source/>`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from itertools import groupby

from driftlint.model import Result
from driftlint.report.common import NO_CONTEXT, TOOL_NAME, ReportContext

# Characters XML 1.0 cannot carry, even escaped: a message quoting a control byte of a file.
_NOT_XML = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    top = ET.Element("checkstyle", version="4.3")
    ordered = sorted(result.findings, key=lambda f: f.span.path)
    for path, group in groupby(ordered, key=lambda f: f.span.path):
        file = ET.SubElement(top, "file", name=path.translate(_NOT_XML))
        for finding in group:
            ET.SubElement(
                file,
                "error",
                line=str(finding.span.line),
                column=str(finding.span.column),
                severity=finding.severity,
                message=finding.message.translate(_NOT_XML),
                source=f"{TOOL_NAME}.{finding.code}",
            )
    ET.indent(top)
    body = ET.tostring(top, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
