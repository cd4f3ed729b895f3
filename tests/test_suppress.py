"""Inline suppressions: each form, each invalid and unused case, never raising on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.model import Finding, Severity, Span
from driftlint.suppress import apply_suppressions, parse_directives

KNOWN = frozenset(
    {"unknown-option", "stale-option", "missing-argument", "deprecated-option", "parse-error"}
)
P = "m.pp"


def finding(line: int, code: str = "unknown-option", path: str = P) -> Finding:
    severity: Severity = "warning" if code in {"deprecated-option", "parse-error"} else "error"
    return Finding(Span(path, line, 3, line, 8), code, f"{code} here", severity=severity)


def run(
    files: dict[str, str],
    findings: list[Finding],
    select: frozenset[str] | None = None,
    paths: tuple[str, ...] = (),
) -> list[tuple[str, int, str]]:
    out = apply_suppressions(findings, files.get, select, known_codes=KNOWN, paths=paths)
    return [(f.span.path, f.span.line, f.code) for f in out]


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


CASES = [
    pytest.param(
        lines("exec { 'x': } # driftlint: ignore[unknown-option] -- T1"),
        [finding(1)],
        [],
        id="ignore-same-line",
    ),
    pytest.param(
        lines("  # driftlint: ignore[unknown-option] -- T1", "exec { 'x': }"),
        [finding(2)],
        [],
        id="ignore-line-above",
    ),
    pytest.param(
        lines(
            "# driftlint: ignore[unknown-option] -- T1",
            "# driftlint: ignore[stale-option] -- T2",
            "exec { 'x': }",
        ),
        [finding(3), finding(3, "stale-option")],
        [],
        id="stacked-above",
    ),
    pytest.param(
        lines("exec { 'x': } # driftlint: ignore[unknown-option,stale-option] -- T1"),
        [finding(1), finding(1, "stale-option")],
        [],
        id="two-codes",
    ),
    pytest.param(
        lines("exec { 'x': } # driftlint: ignore[missing-argument] -- T1"),
        [finding(1)],
        [(P, 1, "unknown-option"), (P, 1, "unused-suppression")],
        id="other-code-not-hidden",
    ),
    # A shallow clone reports `unknown-option` for the word a full clone calls `stale-option`
    # (no history of the spec): one family for suppressions, as for fingerprints (#29).
    pytest.param(
        lines("exec { 'x': } # driftlint: ignore[stale-option] -- T1"),
        [finding(1)],
        [],
        id="stale-option-hides-the-unknown-option-of-a-shallow-clone",
    ),
    pytest.param(
        lines("exec { 'x': } # driftlint: ignore[unknown-option] -- T1"),
        [finding(1, "stale-option")],
        [],
        id="unknown-option-hides-the-stale-option-of-a-full-clone",
    ),
    pytest.param(
        lines("# driftlint: ignore[unknown-option] -- T1", "", "exec { 'x': }"),
        [finding(3)],
        [(P, 1, "unused-suppression"), (P, 3, "unknown-option")],
        id="blank-line-breaks-above",
    ),
    pytest.param(
        lines(
            "a",
            "# driftlint: disable[unknown-option] -- legacy",
            "b",
            "c",
            "# driftlint: enable[unknown-option]",
            "d",
        ),
        [finding(1), finding(3), finding(4), finding(6)],
        [(P, 1, "unknown-option"), (P, 6, "unknown-option")],
        id="disable-enable-block",
    ),
    pytest.param(
        lines(
            "# driftlint: disable[unknown-option,missing-argument] -- legacy",
            "b",
            "# driftlint: enable[missing-argument]",
            "d",
            "# driftlint: enable[unknown-option]",
        ),
        [finding(2, "missing-argument"), finding(4, "missing-argument"), finding(4)],
        [(P, 4, "missing-argument")],
        id="block-codes-close-separately",
    ),
    pytest.param(
        lines("a", "b", "# driftlint: file-ignore[unknown-option] -- vendored"),
        [finding(1), finding(2), finding(2, "missing-argument")],
        [(P, 2, "missing-argument")],
        id="file-ignore",
    ),
    pytest.param(
        lines("<%# driftlint: ignore[unknown-option] -- T1 %>", "<%= @x %>"),
        [finding(2)],
        [],
        id="erb-comment-above",
    ),
    pytest.param(
        lines("ExecStart=/bin/x <%# driftlint: ignore[unknown-option] -- T1 -%>"),
        [finding(1)],
        [],
        id="erb-trailing-trim",
    ),
    pytest.param(
        lines("{#- driftlint: ignore[unknown-option] -- T1 -#}", "{{ x }}"),
        [finding(2)],
        [],
        id="jinja-comment-above",
    ),
    pytest.param(
        lines("<%# driftlint: ignore[unknown-option] -- T1 %> <%= @x %>", "y"),
        [finding(1)],
        [],
        id="erb-comment-then-code-is-same-line",
    ),
    pytest.param(
        lines("command => 'x driftlint: ignore[unknown-option] -- T1'"),
        [finding(1)],
        [(P, 1, "unknown-option")],
        id="not-in-a-comment",
    ),
    pytest.param(
        lines("# see driftlint: ignore[unknown-option] -- T1"),
        [],
        [],
        id="mark-not-at-comment-start",
    ),
]


@pytest.mark.parametrize(("text", "findings", "expected"), CASES)
def test_suppression_forms(
    text: str, findings: list[Finding], expected: list[tuple[str, int, str]]
) -> None:
    assert run({P: text}, findings) == expected


INVALID = [
    pytest.param("x # driftlint: ignore", "names no codes", id="blanket"),
    pytest.param("x # driftlint: ignore[] -- r", "names no codes", id="empty-codes"),
    pytest.param("x # driftlint: ignore -- r", "names no codes", id="blanket-with-reason"),
    pytest.param(
        "x # driftlint: ignore[unknwn-option] -- r", "did you mean `unknown-option`", id="unknown"
    ),
    pytest.param("x # driftlint: ignore[unknown-option]", "no reason", id="no-reason"),
    pytest.param("x # driftlint: ignore[unknown-option] --   ", "no reason", id="empty-reason"),
    pytest.param(
        "x # driftlint: ignore[unknown-option] why", "expected `-- reason`", id="no-dashes"
    ),
    pytest.param("x # driftlint: ignroe[unknown-option] -- r", "`ignroe`", id="unknown-kind"),
    pytest.param("x # driftlint:", "nothing", id="bare-mark"),
    pytest.param(
        "# driftlint: disable[unknown-option] -- r", "never closed", id="unclosed-disable"
    ),
    pytest.param("# driftlint: enable[unknown-option]", "closes no", id="enable-without-disable"),
    pytest.param(
        "# driftlint: disable[stale-option] -- r\n# driftlint: disable[stale-option] -- r\n"
        "# driftlint: enable[stale-option]",
        "already disabled",
        id="double-disable",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_suppressions(text: str, message: str) -> None:
    out = apply_suppressions([], {P: text}.get, known_codes=KNOWN, paths=(P,))
    invalid = [f for f in out if f.code == "invalid-suppression"]
    assert len(invalid) == 1, out
    assert message in invalid[0].message
    assert invalid[0].severity == "error"
    assert invalid[0].span.line in (1, 2) and invalid[0].span.path == P


def test_invalid_suppression_is_located_at_the_mark() -> None:
    (problem,) = apply_suppressions([], {P: "abc  # driftlint: ignore\n"}.get, paths=(P,))
    assert (problem.span.line, problem.span.column, problem.span.end_column) == (1, 8, 25)


def test_reasonless_suppression_still_hides_but_is_reported() -> None:
    text = "x # driftlint: ignore[unknown-option]\n"
    assert run({P: text}, [finding(1)]) == [(P, 1, "invalid-suppression")]


def test_unknown_code_beside_a_known_one_still_hides_the_known_one() -> None:
    text = "x # driftlint: ignore[unknown-option,bogus] -- T1\n"
    assert run({P: text}, [finding(1)]) == [(P, 1, "invalid-suppression")]


def test_unused_suppression_is_a_warning_at_the_comment() -> None:
    text = "a\n  # driftlint: ignore[stale-option,unknown-option] -- T1\nb\n"
    out = apply_suppressions([finding(3)], {P: text}.get, known_codes=KNOWN)
    (unused,) = out
    assert unused.code == "unused-suppression" and unused.severity == "warning"
    assert unused.span.line == 2 and unused.span.column == 5
    assert "`stale-option`" in unused.message and "unknown-option" not in unused.message


def test_unused_not_reported_for_unselected_codes() -> None:
    text = "x # driftlint: ignore[stale-option] -- T1\n"
    assert run({P: text}, [], frozenset({"unknown-option"}), (P,)) == []
    assert run({P: text}, [], frozenset({"stale-option"}), (P,)) == [(P, 1, "unused-suppression")]


def test_unused_block_and_file_ignore() -> None:
    text = lines(
        "# driftlint: file-ignore[parse-error] -- generated",
        "# driftlint: disable[stale-option] -- r",
        "# driftlint: enable[stale-option]",
    )
    assert run({P: text}, [], paths=(P,)) == [
        (P, 1, "unused-suppression"),
        (P, 2, "unused-suppression"),
    ]


def test_suppression_only_applies_in_the_findings_file() -> None:
    files = {P: "x # driftlint: ignore[unknown-option] -- T1\n", "other.pp": "x\n"}
    assert run(files, [finding(1, path="other.pp")], paths=(P,)) == [
        (P, 1, "unused-suppression"),
        ("other.pp", 1, "unknown-option"),
    ]


def test_files_without_the_mark_are_not_parsed() -> None:
    asked: list[str] = []

    def text_of(path: str) -> str | None:
        asked.append(path)
        return "plain text\n" if path != "gone.pp" else None

    found = [finding(1), finding(1, path="gone.pp")]
    out = apply_suppressions(found, text_of, known_codes=KNOWN, paths=("clean.pp",))
    assert list(out) == sorted(found, key=lambda f: f.span.path)
    assert sorted(asked) == ["clean.pp", "gone.pp", P]


def test_parse_directives_reach() -> None:
    text = lines("# driftlint: disable[stale-option] -- r", "a", "b")
    (directive,), problems = parse_directives(P, text, KNOWN)
    assert [p.code for p in problems] == ["invalid-suppression"]
    assert directive.until == {"stale-option": 4}  # unclosed: it runs to the end of the file


PIECES = [*"#<%>{}[]-,: \n\tabc", "driftlint:", "ignore", "disable", "enable", "unknown-option"]
COMMENTY = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=COMMENTY, lines_=st.lists(st.integers(1, 12), max_size=5))
def test_never_raises(text: str, lines_: list[int]) -> None:
    findings = [finding(n) for n in lines_]
    out = apply_suppressions(findings, {P: text}.get, frozenset({"unknown-option"}), paths=(P,))
    assert all(f.span.path == P for f in out)
    kept = {f for f in out if f.code == "unknown-option"}
    assert kept <= set(findings)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    apply_suppressions([], {P: "# driftlint: " + text}.get, known_codes=KNOWN, paths=(P,))
