"""Helpers the renderers share: counts, the summary sentence and rule help text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Protocol

from driftlint.model import Finding, Result

TOOL_NAME = "driftlint"
# Where users read about driftlint; SARIF tool.driver.informationUri and Gerrit comment urls.
INFORMATION_URI = "https://pypi.org/project/driftlint/"


class Renderer(Protocol):
    def __call__(
        self, result: Result, *, color: bool = False, docs: Mapping[str, str] = ...
    ) -> str: ...


def by_severity(findings: tuple[Finding, ...]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {"error": counts["error"], "warning": counts["warning"]}


def by_code(findings: tuple[Finding, ...]) -> dict[str, int]:
    return dict(sorted(Counter(f.code for f in findings).items()))


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(result: Result) -> str:
    """`Found 2 errors and 1 warning in 1 file (checked 12 files, 7 calls).`"""
    checked = (
        f"checked {plural(result.files_checked, 'file')}, {plural(result.calls_checked, 'call')}"
    )
    if not result.findings:
        return f"No problems found ({checked})."
    counts = by_severity(result.findings)
    parts = [plural(counts[s], s) for s in ("error", "warning") if counts[s]]
    files = len({f.span.path for f in result.findings})
    return f"Found {' and '.join(parts)} in {plural(files, 'file')} ({checked})."


def doc_summary(docs: Mapping[str, str], code: str) -> str:
    """The first line of a code's explain text, or the code itself."""
    text = docs.get(code, "").strip()
    return text.splitlines()[0].strip() if text else code


def severity_of(code: str, findings: tuple[Finding, ...]) -> str:
    """A code's default severity: what its findings say, else the check registry's."""
    for finding in findings:
        if finding.code == code:
            return finding.severity
    try:
        from driftlint.checks import severity
    except ImportError:  # the registry is optional for rendering; DESIGN §7 defaults to error
        return "error"
    return severity(code)
