"""Formats that comment on a change (Gerrit, Zuul) or annotate files (GitHub), and JUnit names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from driftlint.model import Result, Span
from driftlint.report import FORMATS, ReportContext
from driftlint.report.common import Replacement
from driftlint.report.github import escape_data, escape_property
from tests.test_report_formats import INIT, SITE, build, error, validate, warning

SCRIPT = "modules/jobs/templates/jobloop.erb"
ANCHOR = Span(SCRIPT, 11, 1, 11, 1)


def test_gerrit_comments_only_on_files_of_the_change(tmp_path: Path) -> None:
    # The change edits the script; the stale caller (INIT) is elsewhere.
    found = error()
    context = ReportContext(changed=frozenset({SCRIPT, SITE}), anchors={found: ANCHOR})
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (found,)), context=context))
    validate("gerrit-review-input.schema.json", review)
    assert set(review["comments"]) == {SCRIPT, "/PATCHSET_LEVEL"}
    (on_script,) = review["comments"][SCRIPT]
    assert on_script["line"] == 11
    assert on_script["message"] == (
        f"`--verbos` removed here is still passed by role::video, role::zz at {INIT}:2"
        " (unknown-option)"
    )
    assert f"{INIT}:2:34: error[unknown-option]" in review["message"]
    assert review["comments"]["/PATCHSET_LEVEL"][0]["message"] == review["message"]
    assert review["labels"] == {"Verified": -1}


def test_gerrit_inline_comment_on_a_file_of_the_change(tmp_path: Path) -> None:
    context = ReportContext(changed=frozenset({INIT}))
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (error(),)), context=context))
    assert set(review["comments"]) == {INIT}
    assert "does not modify" not in review["message"]


def test_gerrit_robot_comments_and_label_on_request(tmp_path: Path) -> None:
    context = ReportContext(robot_comments=True, label="Code-Review")
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (error(),)), context=context))
    validate("gerrit-review-input.schema.json", review)
    (comment,) = review["robot_comments"][INIT]
    assert comment["robot_id"] == "driftlint" and comment["properties"]["code"] == "unknown-option"
    assert review["labels"] == {"Code-Review": -1}


def test_gerrit_fix_suggestions_from_fix_edits(tmp_path: Path) -> None:
    found = error()
    edit = Replacement(INIT, 2, 34, 2, 42, "--verbose")
    context = ReportContext(fixes={found: (edit,)})
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (found,)), context=context))
    validate("gerrit-review-input.schema.json", review)
    (suggestion,) = review["comments"][INIT][0]["fix_suggestions"]
    assert suggestion["replacements"] == [
        {
            "path": INIT,
            "range": {"start_line": 2, "start_character": 33, "end_line": 2, "end_character": 41},
            "replacement": "--verbose",
        }
    ]


def test_zuul_file_comments_keys_and_warnings(tmp_path: Path) -> None:
    found, other = error(), warning()
    context = ReportContext(changed=frozenset({SCRIPT}), anchors={found: ANCHOR})
    data = json.loads(FORMATS["zuul"](build(tmp_path, (found, other)), context=context))
    assert list(data) == ["zuul"]
    comments = data["zuul"]["file_comments"]
    assert set(comments) == {SCRIPT}  # Zuul drops comments on files the change leaves alone
    for comment in comments[SCRIPT]:
        assert set(comment) <= {"line", "message", "range"}
    assert comments[SCRIPT][0]["line"] == 11
    warnings = data["zuul"]["warnings"]
    assert any(f"{INIT}:2:34: error[unknown-option]" in w for w in warnings)
    assert any(f"{INIT}:3:9: warning[deprecated-option]" in w for w in warnings)


def test_zuul_comment_on_a_changed_file_has_a_range(tmp_path: Path) -> None:
    data = json.loads(FORMATS["zuul"](build(tmp_path, (error(),))))
    (comment,) = data["zuul"]["file_comments"][INIT]
    assert comment["line"] == 2
    assert comment["range"] == {
        "start_line": 2,
        "start_character": 33,
        "end_line": 2,
        "end_character": 41,
    }
    assert "warnings" not in data["zuul"]


def test_github_workflow_commands(tmp_path: Path) -> None:
    lines = FORMATS["github"](build(tmp_path, (error(), warning()))).splitlines()
    assert lines[0].startswith(
        f"::error file={INIT},line=2,col=34,endLine=2,endColumn=42,"
        "title=driftlint unknown-option::option `--verbos`"
    )
    assert "%0Aroles: role::video, role::zz%0Avia: " in lines[0]
    assert lines[1].startswith(f"::warning file={INIT},line=3,col=9,")
    assert lines[2].startswith("Found 1 error and 1 warning")


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        pytest.param("a%b", "a%25b", "a%25b", id="percent"),
        pytest.param("a\r\nb", "a%0D%0Ab", "a%0D%0Ab", id="newlines"),
        pytest.param("a:b,c", "a:b,c", "a%3Ab%2Cc", id="colon-comma"),
    ],
)
def test_github_escapes_like_the_actions_toolkit(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data and escape_property(text) == prop


def test_junit_names_do_not_change_when_the_line_moves(tmp_path: Path) -> None:
    def names(line: int) -> list[str | None]:
        found = error()
        moved = replace(found, span=replace(found.span, line=line, end_line=line))
        result = Result(str(tmp_path), (moved,))
        root = ET.fromstring(FORMATS["junit"](result).encode("utf-8"))
        return [c.get("name") for c in root.iter("testcase")]

    build(tmp_path, ())
    before = names(2)
    source = tmp_path / INIT
    source.write_text("# a new first line\n" + source.read_text(encoding="utf-8"), "utf-8")
    after = names(3)
    assert before == after and str(before[0]).startswith("unknown-option --verbos ")
