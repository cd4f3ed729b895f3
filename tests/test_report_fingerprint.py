"""Fingerprints: stable when unrelated lines move, different when what identifies them differs."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from driftlint.model import Finding, Span
from driftlint.report.fingerprint import SourceLines, fingerprint, fingerprints

PATH = "manifests/a.pp"
LINE = "  exec { 'j': command => 'jobloop --verbos' }"
BASE = Finding(
    Span(PATH, 3, 36, 3, 44),
    "unknown-option",
    "option `--verbos` is unknown",
    argument="--verbos",
    script="jobloop",
    roles=("role::a",),
)


def write(root: Path, lines: list[str]) -> None:
    (root / PATH).parent.mkdir(parents=True, exist_ok=True)
    (root / PATH).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_fingerprint_stable_when_lines_are_inserted_above(tmp_path: Path) -> None:
    write(tmp_path, ["class a {", "", LINE, "}"])
    before = fingerprints([BASE], tmp_path)[BASE]
    write(tmp_path, ["# a new comment", "class a {", "  $x = 1", "", LINE, "}"])
    moved = replace(BASE, span=replace(BASE.span, line=5, end_line=5))
    assert fingerprints([moved], tmp_path)[moved] == before


def test_fingerprint_ignores_indentation_and_message() -> None:
    reindented = fingerprint(BASE, "\t\t" + LINE.strip() + "  ")
    assert reindented == fingerprint(replace(BASE, message="reworded"), LINE)


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(replace(BASE, span=replace(BASE.span, path="manifests/b.pp")), id="path"),
        pytest.param(replace(BASE, script="other"), id="script"),
        pytest.param(replace(BASE, argument="--verbose"), id="argument"),
        pytest.param(replace(BASE, roles=("role::b",)), id="roles"),
    ],
)
def test_fingerprint_differs_when_identity_differs(changed: Finding) -> None:
    assert fingerprint(changed, LINE) != fingerprint(BASE, LINE)


def test_fingerprint_does_not_depend_on_the_code() -> None:
    # A shallow clone has no history, so the stale option of a full clone is unknown there.
    stale = replace(BASE, code="stale-option", message="option `--verbos` was removed in 1a2b3c4")
    assert fingerprint(stale, LINE) == fingerprint(BASE, LINE)


def test_fingerprint_differs_when_line_text_differs() -> None:
    assert fingerprint(BASE, LINE) != fingerprint(BASE, LINE.replace("exec", "cron"))


def test_fingerprint_is_16_hex() -> None:
    value = fingerprint(BASE, LINE)
    assert len(value) == 16 and int(value, 16) >= 0


def test_identical_fingerprints_get_suffixes_in_order(tmp_path: Path) -> None:
    write(tmp_path, ["class a {", "", LINE, "", LINE, "}"])
    second = replace(BASE, span=replace(BASE.span, line=5, end_line=5))
    third = replace(BASE, span=replace(BASE.span, column=2, end_column=3))  # same line as BASE
    got = fingerprints([BASE, second, third], tmp_path)
    assert got[second] == got[BASE] + ":2"
    assert got[third] == got[BASE] + ":3"


def test_source_lines_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ["a", "b"])
    reads: list[Path] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    lines = SourceLines(tmp_path)
    assert lines.line(PATH, 2) == "b" and lines.line(PATH, 1) == "a" and lines.line(PATH, 3) is None
    assert len(reads) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"a\r\nb\r\n", ["a", "b"], id="crlf"),
        pytest.param(b"a\x0bb\n", ["a\x0bb"], id="vertical-tab-is-not-a-newline"),
        pytest.param(b"\xff\xfe x", ["\ufffd\ufffd x"], id="invalid-utf8-replaced"),
        pytest.param(b"", [], id="empty"),
    ],
)
def test_source_lines_decoding(tmp_path: Path, content: bytes, expected: list[str]) -> None:
    (tmp_path / "f").write_bytes(content)
    assert SourceLines(tmp_path)("f") == expected


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("../outside.pp", id="dotdot"),
        pytest.param("/etc/hostname", id="absolute"),
        pytest.param("link.pp", id="symlink-out"),
        pytest.param("missing.pp", id="missing"),
        pytest.param("dir", id="directory"),
    ],
)
def test_source_lines_never_reads_outside_root(tmp_path: Path, path: str) -> None:
    root = tmp_path / "root"
    (root / "dir").mkdir(parents=True)
    (tmp_path / "outside.pp").write_text("secret\n", encoding="utf-8")
    os.symlink(tmp_path / "outside.pp", root / "link.pp")
    assert SourceLines(root)(path) is None
