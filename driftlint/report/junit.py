"""`--format junit`: JUnit XML, one testsuite per file with findings, one testcase per finding.

Errors are `<failure>`s; warnings are passing testcases with the finding in `<system-out>`, so
the CI test status agrees with the exit code (warnings alone exit 0, DESIGN §8).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from itertools import groupby

from driftlint.model import Finding, Result
from driftlint.report.common import NO_CONTEXT, TOOL_NAME, ReportContext, summary_line
from driftlint.report.fingerprint import fingerprints

# Characters XML 1.0 forbids even escaped (XML 1.0 §2.2); ElementTree would write them as is.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _details(finding: Finding) -> str:
    lines = [f"{finding.span}: {finding.severity}[{finding.code}] {finding.message}"]
    if finding.script:
        lines.append(f"script: {finding.script}")
    if finding.argument:
        lines.append(f"argument: {finding.argument}")
    if finding.roles:
        lines.append(f"roles: {', '.join(finding.roles)}")
    if finding.via:
        lines.append(f"via: {' → '.join(v.where for v in finding.via)}")
    return _clean("\n".join(lines))


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    fps = fingerprints(result.findings, result.root)
    root = ET.Element("testsuites", name=TOOL_NAME)
    total = failed = 0
    for path, group in groupby(result.findings, key=lambda f: f.span.path):
        findings = list(group)
        failures = sum(f.severity == "error" for f in findings)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_clean(path),
            tests=str(len(findings)),
            failures=str(failures),
            errors="0",
            skipped="0",
            time="0",
        )
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_clean(path),
                # Not the line: CI tracks a test by name, and a moved line is the same finding.
                name=_clean(
                    f"{finding.code} {finding.argument or finding.script} [{fps[finding]}]"
                ),
                time="0",
            )
            if finding.severity == "error":
                failure = ET.SubElement(
                    case, "failure", message=_clean(finding.message), type=finding.code
                )
                failure.text = _details(finding)
            else:
                ET.SubElement(case, "system-out").text = _details(finding)
        total += len(findings)
        failed += failures
    if not result.findings:
        # One passing test, so CI shows that driftlint ran and found nothing.
        suite = ET.SubElement(
            root,
            "testsuite",
            name=TOOL_NAME,
            tests="1",
            failures="0",
            errors="0",
            skipped="0",
            time="0",
        )
        case = ET.SubElement(suite, "testcase", classname=TOOL_NAME, name=TOOL_NAME, time="0")
        ET.SubElement(case, "system-out").text = summary_line(result)
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
