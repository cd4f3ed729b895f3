"""Machine formats (json, sarif, codeclimate, gerrit, junit) validated against their schemas."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from driftlint.model import Finding, Result, Span
from driftlint.report import FORMATS, ReportContext, gerrit

SCHEMAS = Path(__file__).parent / "schemas"
SITE = "manifests/site.pp"
INIT = "modules/vidéo/manifests/init.pp"  # non-ASCII path: URIs must percent-encode it
SOURCES = {
    SITE: "node 'a' {\n  include role::video\n}\n",
    INIT: "class video {\n\texec { 'j': command => 'jobloop --verbos 日本' }\n  $x = '--old'\n}\n",
}
DOCS = {
    "unknown-option": "Unknown option: the script does not accept it.\n\n## Fix\nUse a valid one.",
    "deprecated-option": "Deprecated option: the script warns about it.",
}


def error() -> Finding:
    return Finding(
        Span(INIT, 2, 34, 2, 42),
        "unknown-option",
        "option `--verbos` is not accepted by jobloop; did you mean `--verbose`? — 日本",
        argument="--verbos",
        script="jobloop",
        roles=("role::video", "role::zz"),
        via=(Span(SITE, 2, 3, 2, 22), Span(INIT, 2, 26, 2, 49)),
    )


def warning() -> Finding:
    return Finding(
        Span(INIT, 3, 9, 3, 14),
        "deprecated-option",
        "option `--old` is deprecated",
        argument="--old",
        script="jobloop",
        severity="warning",
    )


def build(tmp_path: Path, findings: tuple[Finding, ...]) -> Result:
    for path, text in SOURCES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    return Result(str(tmp_path), findings, files_checked=12, calls_checked=7)


SAMPLES = [
    pytest.param((error(), warning()), id="error-and-warning"),
    pytest.param((warning(),), id="warning-only"),
    pytest.param((), id="empty"),
]


def validate(name: str, document: Any) -> None:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("findings", SAMPLES)
def test_json_matches_design_contract(tmp_path: Path, findings: tuple[Finding, ...]) -> None:
    out = FORMATS["json"](build(tmp_path, findings), docs=DOCS)
    assert out.endswith("}\n")
    document = json.loads(out)
    assert list(document) == ["version", "findings", "summary"]
    assert document["version"] == 1
    keys = "code severity path line column end_line end_column script argument roles via"
    for record, finding in zip(document["findings"], findings, strict=True):
        assert list(record) == [*keys.split(), "message", "fingerprint"]
        assert record["path"] == finding.span.path
        assert record["roles"] == list(finding.roles)
        assert record["via"] == [v.where for v in finding.via]
        assert len(record["fingerprint"]) == 16
    summary = document["summary"]
    assert summary["files_checked"] == 12 and summary["calls_checked"] == 7
    assert sum(summary["by_severity"].values()) == len(findings)
    assert sum(summary["by_code"].values()) == len(findings)


def test_json_is_deterministic(tmp_path: Path) -> None:
    result = build(tmp_path, (error(), warning()))
    assert FORMATS["json"](result) == FORMATS["json"](result)


@pytest.mark.parametrize("findings", SAMPLES)
def test_sarif_validates(tmp_path: Path, findings: tuple[Finding, ...]) -> None:
    log = json.loads(FORMATS["sarif"](build(tmp_path, findings), docs=DOCS))
    validate("sarif-2.1.0-subset.schema.json", log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "driftlint"
    for result, finding in zip(run["results"], findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        assert result["level"] == finding.severity
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {
            "uri": "modules/vid%C3%A9o/manifests/init.pp",
            "uriBaseId": "%SRCROOT%",
        }
        span = finding.span
        assert location["region"] == {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
        assert result["properties"]["roles"] == list(finding.roles)
        assert len(result.get("relatedLocations", [])) == len(finding.via)
        prints = result["partialFingerprints"]
        assert set(prints) == {"driftlint/v2", "primaryLocationLineHash"}
        assert prints["primaryLocationLineHash"] == prints["driftlint/v2"] + ":1"
        rule = rules[result["ruleIndex"]]
        assert rule["name"] == "".join(w.capitalize() for w in finding.code.split("-"))
        assert rule["helpUri"].startswith("https://")


def test_sarif_links_the_via_chain_to_related_locations(tmp_path: Path) -> None:
    log = json.loads(FORMATS["sarif"](build(tmp_path, (error(),)), docs=DOCS))
    (result,) = log["runs"][0]["results"]
    ids = [r["id"] for r in result["relatedLocations"]]
    # GitHub turns `[text](id)` into a link to the relatedLocation with that id.
    assert result["message"]["text"].endswith(f"(via [{SITE}:2]({ids[0]}) → [{INIT}:2]({ids[1]}))")


def test_sarif_escapes_brackets_in_plain_text(tmp_path: Path) -> None:
    finding = Finding(Span(INIT, 2, 34, 2, 42), "unknown-option", "option `[x]` is unknown")
    log = json.loads(FORMATS["sarif"](build(tmp_path, (finding,))))
    assert log["runs"][0]["results"][0]["message"]["text"] == "option `\\[x\\]` is unknown"


def test_sarif_names_the_source_root(tmp_path: Path) -> None:
    context = ReportContext(source_root="file:///src/puppet/")
    log = json.loads(FORMATS["sarif"](build(tmp_path, (error(),)), context=context))
    validate("sarif-2.1.0-subset.schema.json", log)
    assert log["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///src/puppet/"}}


def test_sarif_rule_help_comes_from_docs(tmp_path: Path) -> None:
    log = json.loads(FORMATS["sarif"](build(tmp_path, (error(),)), docs=DOCS))
    rule = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}["unknown-option"]
    assert rule["shortDescription"]["text"] == "Unknown option: the script does not accept it."
    assert rule["help"]["markdown"] == DOCS["unknown-option"]
    assert rule["defaultConfiguration"]["level"] == "error"


@pytest.mark.parametrize("findings", SAMPLES)
def test_codeclimate_validates(tmp_path: Path, findings: tuple[Finding, ...]) -> None:
    issues = json.loads(FORMATS["codeclimate"](build(tmp_path, findings), docs=DOCS))
    validate("gitlab-codequality.schema.json", issues)
    assert [i["severity"] for i in issues] == [
        "major" if f.severity == "error" else "minor" for f in findings
    ]
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab drops duplicates


@pytest.mark.parametrize("findings", SAMPLES)
def test_gerrit_validates(tmp_path: Path, findings: tuple[Finding, ...]) -> None:
    review = json.loads(FORMATS["gerrit"](build(tmp_path, findings)))
    validate("gerrit-review-input.schema.json", review)
    assert "robot_comments" not in review  # deprecated in Gerrit 3.10, gone in 3.13
    comments = [c for cs in review["comments"].values() for c in cs]
    assert len(comments) == len(findings)
    for comment, finding in zip(comments, findings, strict=True):
        span = finding.span
        assert comment["range"] == {
            "start_line": span.line,
            "start_character": span.column - 1,
            "end_line": span.end_line,
            "end_character": span.end_column - 1,
        }
        assert comment["line"] == comment["range"]["end_line"]
    has_error = any(f.severity == "error" for f in findings)
    assert review.get("labels") == ({"Verified": -1} if has_error else None)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"BUILD_ID": "42", "CI_JOB_ID": "7"}, "42", id="jenkins-first"),
        pytest.param({"ZUUL_BUILD": "abc"}, "abc", id="zuul"),
        pytest.param({"CI_JOB_ID": "7"}, "7", id="gitlab"),
        pytest.param({"BUILD_ID": "  "}, None, id="blank-falls-back-to-hash"),
    ],
)
def test_gerrit_run_id(environ: dict[str, str], expected: str | None) -> None:
    fps = {error(): "aaaa"}
    got = gerrit.run_id(fps, environ)
    assert got == expected if expected else len(got) == 16 and got == gerrit.run_id(fps, {})


def test_gerrit_puts_magic_paths_in_message(tmp_path: Path) -> None:
    finding = Finding(Span("/COMMIT_MSG", 1, 1, 1, 2), "parse-error", "odd", severity="warning")
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (finding,))))
    assert set(review["comments"]) == {"/PATCHSET_LEVEL"}
    assert "/COMMIT_MSG:1:1" in review["message"]


def test_gerrit_widens_an_empty_range(tmp_path: Path) -> None:
    finding = Finding(Span(INIT, 2, 5, 2, 5), "missing-argument", "needs a value")
    review = json.loads(FORMATS["gerrit"](build(tmp_path, (finding,))))
    (comment,) = review["comments"][INIT]
    assert comment["range"]["end_character"] == comment["range"]["start_character"] + 1


def check_junit(root: ET.Element) -> None:
    """The Ant/Jenkins JUnit format: required attributes, counts that add up."""
    assert root.tag == "testsuites"
    assert len(root) >= 1
    for suite in root:
        assert suite.tag == "testsuite"
        assert {"name", "tests", "failures", "errors"} <= set(suite.attrib)
        cases = list(suite)
        assert all(c.tag == "testcase" and {"name", "classname"} <= set(c.attrib) for c in cases)
        assert int(suite.get("tests", "")) == len(cases)
        failures = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("failures", "")) == len(failures)
        for case in failures:
            failure = case.find("failure")
            assert failure is not None and {"message", "type"} <= set(failure.attrib)
    assert int(root.get("tests", "")) == sum(int(s.get("tests", "")) for s in root)


@pytest.mark.parametrize("findings", SAMPLES)
def test_junit_structure(tmp_path: Path, findings: tuple[Finding, ...]) -> None:
    out = FORMATS["junit"](build(tmp_path, findings))
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    check_junit(root)
    cases = root.findall("./testsuite/testcase")
    if not findings:
        assert [c.get("name") for c in cases] == ["driftlint"]
        return
    assert len(cases) == len(findings)
    for case, finding in zip(cases, findings, strict=True):
        assert case.get("classname") == finding.span.path
        failure = case.find("failure")
        if finding.severity == "error":
            assert failure is not None and failure.get("type") == finding.code
            assert "role::video" in (failure.text or "")
        else:
            assert failure is None and finding.message in (case.findtext("system-out") or "")


def test_junit_escapes_control_characters(tmp_path: Path) -> None:
    finding = Finding(
        Span(INIT, 1, 1, 1, 2), "parse-error", "bad byte \x00\x1b <&>", severity="error"
    )
    root = ET.fromstring(FORMATS["junit"](build(tmp_path, (finding,))).encode("utf-8"))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad byte \ufffd\ufffd <&>"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_empty_and_ends_with_newline(tmp_path: Path, name: str) -> None:
    out = FORMATS[name](Result(str(tmp_path), ()), color=False, docs={})
    assert out.endswith("\n") and out.strip()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_survives_a_missing_root(name: str) -> None:
    result = Result("/nonexistent/driftlint-root", (error(), warning()))
    assert FORMATS[name](result).endswith("\n")


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        pytest.param(
            "sarif-2.1.0-subset.schema.json",
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "bogus": 1}]},
            id="sarif-unknown-key",
        ),
        pytest.param(
            "sarif-2.1.0-subset.schema.json",
            {
                "version": "2.1.0",
                "runs": [
                    {"tool": {"driver": {"name": "x"}}, "results": [{"message": {}, "level": "x"}]}
                ],
            },
            id="sarif-bad-level-and-message",
        ),
        pytest.param(
            "gitlab-codequality.schema.json",
            [{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "error"}],
            id="codequality-no-location-bad-severity",
        ),
        pytest.param(
            "gerrit-review-input.schema.json",
            {"robot_comments": {"/COMMIT_MSG": [{"message": "m"}]}},
            id="gerrit-magic-path-no-robot-id",
        ),
        pytest.param(
            "gerrit-review-input.schema.json",
            {"comments": {"/COMMIT_MSG": [{"message": "m"}], "a.pp": [{"robot_id": "x"}]}},
            id="gerrit-comment-on-magic-path-and-robot-field",
        ),
    ],
)
def test_schemas_reject_bad_documents(schema: str, document: Any) -> None:
    with pytest.raises(AssertionError):
        validate(schema, document)
