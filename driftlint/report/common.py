"""Helpers the renderers share: counts, the summary sentence and rule help text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from driftlint.model import Finding, Result, Span
from driftlint.modulepath import is_modulepath

TOOL_NAME = "driftlint"
# Where users read about driftlint (its repository; it is not on PyPI): SARIF
# tool.driver.informationUri and Gerrit comment urls.
INFORMATION_URI = "https://example.org/driftlint"


def help_uri(code: str) -> str:
    """A page per code: the check's module, whose docstring is its `explain` page."""
    return f"{INFORMATION_URI}/-/blob/main/driftlint/checks/{code.replace('-', '_')}.py"


@dataclass(frozen=True, slots=True)
class Replacement:
    """One edit `--fix` would make: the text from line:column to end_line:end_column
    (1-based, end exclusive) becomes `text`."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What the change under review is, for formats that comment on it (Gerrit, Zuul).

    `changed` None: the change's files are unknown, and every file counts as part of it.
    `anchors`: for a finding the change caused by editing a script, where in the script (a
    line the change touched) the option it passes was removed or renamed.
    """

    changed: frozenset[str] | None = None
    anchors: Mapping[Finding, Span] = field(default_factory=dict)
    fixes: Mapping[Finding, tuple[Replacement, ...]] = field(default_factory=dict)
    source_root: str = ""  # absolute `file://` URI of the repository top, ending in `/`
    label: str = "Verified"  # the Gerrit label to vote -1 on when errors remain
    robot_comments: bool = False  # Gerrit: robot_comments (deprecated in 3.10) not comments

    def in_change(self, path: str) -> bool:
        return self.changed is None or path in self.changed


NO_CONTEXT = ReportContext()


class Renderer(Protocol):
    def __call__(
        self,
        result: Result,
        *,
        color: bool = False,
        docs: Mapping[str, str] = ...,
        context: ReportContext = ...,
    ) -> str: ...


def rebase(result: Result, prefix: str, top: str) -> Result:
    """The result with every path under `prefix` (`a/b/`) and its root at `top`: machine
    formats name files from the repository top, where CI systems look for them."""
    if not prefix:
        return replace(result, root=top)

    def move(span: Span) -> Span:
        if is_modulepath(span.path):  # a module folder outside the repository: no prefix
            return span
        return replace(span, path=prefix + span.path)

    findings = tuple(
        replace(f, span=move(f.span), via=tuple(move(v) for v in f.via)) for f in result.findings
    )
    return replace(result, root=top, findings=findings)


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
