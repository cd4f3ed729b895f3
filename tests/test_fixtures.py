"""Golden fixtures: each folder under fixtures/ and the findings a person wrote for it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from driftlint import checks
from driftlint.cli import cli
from tests.conftest import FIXTURES, make_repo

CASES = sorted(p.parent for p in FIXTURES.glob("*/EXPECTED.json"))
KEYS = ("path", "line", "column", "code", "argument", "roles")


def rows(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(json.dumps(f.get(k)) for k in KEYS) for f in findings)


def run(fixture: Path, tmp_path: Path, *extra: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    expected = json.loads((fixture / "EXPECTED.json").read_text(encoding="utf-8"))
    repo = make_repo(fixture, tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    if (fixture / "MODULEPATH").is_dir():  # modules installed outside the tree (issue 27 §2)
        outside = tmp_path / "modulepath"
        shutil.copytree(fixture / "MODULEPATH", outside, symlinks=True)
        cache += ["--modulepath", str(outside)]
    args = ["check", "--format=json", *cache, *expected.get("args", []), *extra, str(repo)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return expected, result, json.loads(result.stdout) if result.stdout.startswith("{") else {}


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture(fixture: Path, tmp_path: Path) -> None:
    expected, result, output = run(fixture, tmp_path)
    assert output, f"no JSON output; stderr: {result.stderr}"
    assert rows(output["findings"]) == rows(expected["findings"]), result.stderr
    for want in expected["findings"]:
        # Two findings may share a place (one role certain, another only under an assumption).
        got = next(f for f in output["findings"] if rows([f]) == rows([want]))
        if "severity" in want:
            assert got["severity"] == want["severity"], got
        # The links a fixture pins must be in the chain, in that order.
        links = [v for v in got["via"] if v in want.get("via", ())]
        assert links == want.get("via", links), got["via"]
        if "message" not in want:
            continue
        pattern = want["message"]
        if pattern.startswith("/") and pattern.endswith("/"):
            assert re.search(pattern[1:-1], got["message"]), got["message"]
        else:
            assert got["message"] == pattern
    default_exit = (
        1
        if any(
            f.get("severity", "error") == "error" and checks.severity(f["code"]) == "error"
            for f in expected["findings"]
        )
        else 0
    )
    assert result.exit_code == expected.get("exit_code", default_exit), result.stderr


def test_every_fixture_folder_has_expected_json() -> None:
    folders = [p for p in FIXTURES.iterdir() if p.is_dir()]
    assert folders
    missing = [p.name for p in folders if not (p / "EXPECTED.json").is_file()]
    assert missing == []


def test_every_code_has_docs_and_a_fixture() -> None:
    seen = set()
    for fixture in CASES:
        expected = json.loads((fixture / "EXPECTED.json").read_text(encoding="utf-8"))
        seen.update(f["code"] for f in expected["findings"])
    for code, module in checks.CHECKS.items():
        doc = module.__doc__ or ""
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
            assert section in doc, f"{code} lacks {section}"
    untested = sorted(set(checks.CHECKS) - seen - {"internal-error"})
    assert untested == [], f"codes without a fixture: {untested}"
