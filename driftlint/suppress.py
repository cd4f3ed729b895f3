"""Inline `driftlint:` suppression comments: hide the findings they name, check the comments."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from driftlint.model import Finding, Span

MARK = "driftlint:"
KINDS = ("ignore", "disable", "enable", "file-ignore")
INVALID = "invalid-suppression"
UNUSED = "unused-suppression"

# The comment opener right before the mark: `#` (Puppet, YAML, shell, systemd, cron),
# `<%#`/`<%-#` (ERB, EPP) or `{#`/`{#-` (Jinja). Leftmost match wins, so `<%#` beats `#`.
_OPENER = re.compile(r"(?:<%-?#|\{#-?|#)[ \t]*$")
_CLOSER = {"<%": "%>", "{#": "#}"}
_DIRECTIVE = re.compile(
    r"driftlint:[ \t]*(?P<kind>[A-Za-z][\w-]*)?[ \t]*(?:\[(?P<codes>[^\]]*)\])?(?P<rest>.*)$"
)


@dataclass(slots=True)
class Directive:
    """One parsed suppression comment; `used` collects the codes it hid."""

    kind: str
    codes: tuple[str, ...]
    span: Span  # from the mark to the end of the comment text, on one line
    alone: bool  # nothing but the comment on its line: it applies to the next line
    valid: bool = True
    used: set[str] = field(default_factory=set)
    target: int = 0  # the line an `ignore` covers
    until: dict[str, int] = field(default_factory=dict)  # code -> last line a `disable` covers


def apply_suppressions(
    findings: Sequence[Finding],
    text_of: Callable[[str], str | None],
    select_codes: frozenset[str] | None = None,
    *,
    known_codes: frozenset[str] | None = None,
    paths: Iterable[str] = (),
) -> tuple[Finding, ...]:
    """Drop suppressed findings; add `invalid-suppression` and `unused-suppression` findings.

    Files scanned: those with findings plus `paths` (the files checked), and only when their
    text holds the mark. `known_codes` None accepts any code. Unused suppressions of a code
    that is not in `select_codes` are not reported: the run could not have used them.
    """
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.span.path, []).append(finding)
    order = list(dict.fromkeys([*by_path, *paths]))
    kept: list[Finding] = []
    extra: list[Finding] = []
    for path in order:
        here = by_path.get(path, [])
        text = text_of(path)
        if text is None or text.find(MARK) < 0:
            kept.extend(here)
            continue
        directives, problems = parse_directives(path, text, known_codes)
        extra.extend(problems)
        for finding in here:
            if not _suppressed(finding, directives):
                kept.append(finding)
        extra.extend(_unused(directives, select_codes))
    return tuple(sorted([*kept, *extra], key=_order))


def _order(finding: Finding) -> tuple[str, int, int, str, str]:
    span = finding.span
    return (span.path, span.line, span.column, finding.code, finding.message)


def _suppressed(finding: Finding, directives: list[Directive]) -> bool:
    """Whether a directive hides the finding: one that names its code first, else one that
    names another code of its family."""
    line = finding.span.line
    for exact in (True, False):
        for directive in directives:
            if exact:
                code = finding.code if finding.code in directive.codes else None
            else:
                mine = family(finding.code)
                code = next((c for c in directive.codes if family(c) == mine), None)
            if code is None:
                continue
            if (
                directive.kind == "file-ignore"
                or (directive.kind == "ignore" and directive.target == line)
                or (
                    directive.kind == "disable"
                    and directive.span.line < line <= directive.until.get(code, 0)
                )
            ):
                directive.used.add(code)
                return True
    return False


# A shallow clone has no history of the spec, so the word a full clone calls `stale-option`
# is an `unknown-option` there: a suppression of either code hides both (as fingerprints do).
FAMILIES = {"stale-option": "unknown-option"}


def family(code: str) -> str:
    """The code that stands for a family of codes one word can get, depending on history."""
    return FAMILIES.get(code, code)


def _unused(directives: list[Directive], select_codes: frozenset[str] | None) -> list[Finding]:
    out = []
    for directive in directives:
        if not directive.valid or directive.kind == "enable":
            continue
        idle = [
            code
            for code in directive.codes
            if code not in directive.used and (select_codes is None or code in select_codes)
        ]
        if idle:
            names = ", ".join(f"`{c}`" for c in idle)
            out.append(
                Finding(
                    directive.span,
                    UNUSED,
                    f"suppression of {names} hides nothing; delete it",
                    argument=",".join(idle),
                    severity="warning",
                )
            )
    return out


def parse_directives(
    path: str, text: str, known_codes: frozenset[str] | None = None
) -> tuple[list[Directive], list[Finding]]:
    """Every suppression comment of a file with its reach, and the malformed ones as findings."""
    directives: list[Directive] = []
    problems: list[Finding] = []
    line_count = text.count("\n") + 1
    start = text.find(MARK)
    line_no, line_start = 1, 0
    while start >= 0:
        line_no += text.count("\n", line_start, start)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line = text[line_start : line_end if line_end >= 0 else len(text)].removesuffix("\r")
        parsed = _parse_one(path, line, start - line_start, line_no, known_codes, problems)
        if parsed is not None:
            directives.append(parsed)
        start = text.find(MARK, start + len(MARK))
    _resolve_reach(path, directives, line_count, problems)
    return directives, problems


def _parse_one(
    path: str,
    line: str,
    col: int,
    line_no: int,
    known_codes: frozenset[str] | None,
    problems: list[Finding],
) -> Directive | None:
    opener = _OPENER.search(line, 0, col)
    if opener is None:
        return None  # `driftlint:` outside a comment, or not at the comment's start
    closer = _CLOSER.get(opener.group()[:2])
    end = len(line)
    if closer is not None:
        found = line.find(closer, col)
        if found >= 0:
            end = found
    body = line[col:end].rstrip(" \t-")
    after = line[end + len(closer) :] if closer is not None and end < len(line) else ""
    span = Span(path, line_no, col + 1, line_no, col + len(body) + 1)
    alone = not line[: opener.start()].strip() and not after.strip()

    def invalid(message: str, argument: str = "") -> None:
        problems.append(Finding(span, INVALID, message, argument=argument or body))

    match = _DIRECTIVE.match(body)
    assert match is not None  # every group is optional and `rest` takes the remainder
    kind = match.group("kind") or ""
    if kind not in KINDS:
        shown = f"`{kind}`" if kind else "nothing"
        invalid(f"suppression says {shown}; write `driftlint: ignore[code] -- reason`")
        return None
    codes_text = match.group("codes")
    codes = tuple(c.strip() for c in (codes_text or "").split(",") if c.strip())
    directive = Directive(kind, codes, span, alone)
    if not codes:
        invalid(f"`{kind}` names no codes; write `driftlint: {kind}[code] -- reason`")
        return None
    if known_codes is not None:
        for code in codes:
            if code not in known_codes:
                close = difflib.get_close_matches(code, sorted(known_codes), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                invalid(f"unknown code `{code}` in suppression{hint}", code)
                directive.valid = False
        # Known codes beside an unknown one still hide their findings; the error fails the run.
        directive.codes = tuple(c for c in codes if c in known_codes)
    rest = match.group("rest").strip()
    if rest and not rest.startswith("--"):
        invalid(f"expected `-- reason` after `[{codes_text}]`, found `{rest}`")
        return None
    if kind != "enable" and not rest[2:].strip():
        invalid(f"suppression has no reason; add `-- reason` after `[{codes_text}]`")
        directive.valid = False  # it still hides what it names: the error already fails the run
    return directive


def _resolve_reach(
    path: str, directives: list[Directive], line_count: int, problems: list[Finding]
) -> None:
    # A comment alone on its line covers the next line that is not itself such a comment,
    # so several suppressions can be stacked above one line.
    standalone = {d.span.line for d in directives if d.alone}
    open_blocks: dict[str, Directive] = {}
    for directive in directives:
        if directive.kind == "ignore":
            target = directive.span.line
            if directive.alone:
                target += 1
                while target in standalone:
                    target += 1
            directive.target = target
        elif directive.kind == "disable":
            for code in directive.codes:
                directive.until[code] = line_count
                if code in open_blocks:
                    problems.append(
                        Finding(
                            directive.span,
                            INVALID,
                            f"`{code}` is already disabled on line {open_blocks[code].span.line}",
                            argument=code,
                        )
                    )
                    directive.until.pop(code)
                else:
                    open_blocks[code] = directive
        elif directive.kind == "enable":
            for code in directive.codes:
                opened = open_blocks.pop(code, None)
                if opened is None:
                    problems.append(
                        Finding(
                            directive.span,
                            INVALID,
                            f"`enable[{code}]` closes no `disable[{code}]`",
                            argument=code,
                        )
                    )
                else:
                    opened.until[code] = directive.span.line
    for code, opened in open_blocks.items():
        problems.append(
            Finding(
                opened.span,
                INVALID,
                f"`disable[{code}]` is never closed by `driftlint: enable[{code}]`",
                argument=code,
            )
        )
        opened.valid = False
