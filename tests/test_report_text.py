"""The text format: golden output written by hand, colour, carets under tabs and wide text."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftlint.model import Finding, Result, Span
from driftlint.report import text

INIT = "modules/video/manifests/init.pp"
OTHER = "modules/zz/templates/run.erb"
SOURCE = "class video {\n\texec { 'j': command => 'jobloop --verbos' }\n  $x = '日本 --old'\n}\n"


def tree(tmp_path: Path) -> str:
    for path, content in {INIT: SOURCE, OTHER: "<%= @a %>\n"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    return str(tmp_path)


FINDINGS = (
    Finding(
        Span(INIT, 2, 34, 2, 42),
        "unknown-option",
        "option `--verbos` is not accepted by jobloop; did you mean `--verbose`?",
        argument="--verbos",
        script="jobloop",
        roles=("role::a", "role::b"),
        via=(Span("manifests/site.pp", 3, 3, 3, 9), Span(INIT, 2, 2, 2, 6)),
    ),
    Finding(
        Span(INIT, 3, 11, 3, 16),
        "deprecated-option",
        "option `--old` is deprecated",
        argument="--old",
        severity="warning",
    ),
    Finding(Span(OTHER, 9, 1, 9, 2), "missing-argument", "option `-t` needs a value"),
)

GOLDEN = """\
modules/video/manifests/init.pp:2:34: error[unknown-option] option `--verbos` is not accepted by jobloop; did you mean `--verbose`?
 2 |     exec { 'j': command => 'jobloop --verbos' }
   |                                     ^^^^^^^^
  roles: role::a, role::b
  via: manifests/site.pp:3 → modules/video/manifests/init.pp:2

modules/video/manifests/init.pp:3:11: warning[deprecated-option] option `--old` is deprecated
 3 |   $x = '日本 --old'
   |             ^^^^^

modules/zz/templates/run.erb:9:1: error[missing-argument] option `-t` needs a value

Found 2 errors and 1 warning in 2 files (checked 12 files, 7 calls).
"""  # noqa: E501


def test_text_matches_golden(tmp_path: Path) -> None:
    result = Result(tree(tmp_path), FINDINGS, files_checked=12, calls_checked=7)
    assert text.render(result) == GOLDEN


@pytest.mark.parametrize(
    ("findings", "files", "calls", "summary"),
    [
        pytest.param((), 12, 7, "No problems found (checked 12 files, 7 calls).", id="clean"),
        pytest.param((), 1, 1, "No problems found (checked 1 file, 1 call).", id="singular"),
        pytest.param(
            FINDINGS[:1], 3, 2, "Found 1 error in 1 file (checked 3 files, 2 calls).", id="one"
        ),
        pytest.param(
            FINDINGS[1:2], 3, 2, "Found 1 warning in 1 file (checked 3 files, 2 calls).", id="warn"
        ),
    ],
)
def test_text_summary(
    tmp_path: Path, findings: tuple[Finding, ...], files: int, calls: int, summary: str
) -> None:
    result = Result(tree(tmp_path), findings, files_checked=files, calls_checked=calls)
    assert text.render(result).splitlines()[-1] == summary


def test_text_color_only_when_asked(tmp_path: Path) -> None:
    result = Result(tree(tmp_path), FINDINGS)
    plain = text.render(result, color=False)
    colored = text.render(result, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in colored and "\x1b[33m" in colored  # red error, yellow warning
    assert _strip_ansi(colored) == plain


def _strip_ansi(value: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", value)


@pytest.mark.parametrize(
    ("source", "column", "end", "expected"),
    [
        pytest.param("ab cd", 4, 6, ("ab cd", 3, 2), id="plain"),
        pytest.param("\tx", 2, 3, ("    x", 4, 1), id="tab-expands"),
        pytest.param("日本 x", 4, 5, ("日本 x", 5, 1), id="wide-chars"),
        pytest.param("ab", 2, 2, ("ab", 1, 1), id="empty-span-one-caret"),
        pytest.param("ab", 5, 6, ("ab", 4, 1), id="past-end-of-line"),
        pytest.param("a\x1bb", 1, 4, ("a?b", 0, 3), id="control-char-hidden"),
    ],
)
def test_underline(source: str, column: int, end: int, expected: tuple[str, int, int]) -> None:
    assert text._underline(source, column, end) == expected


def test_text_multi_line_span_underlines_to_end_of_first_line(tmp_path: Path) -> None:
    finding = Finding(Span(INIT, 2, 2, 3, 4), "parse-error", "odd", severity="warning")
    out = text.render(Result(tree(tmp_path), (finding,))).splitlines()
    assert out[2] == "   |     " + "^" * 43
