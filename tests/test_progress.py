"""The progress line: on a terminal only, and gone when the run ends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.progress import Progress
from tests.conftest import FIXTURES, make_repo


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_a_bar_and_erases_it() -> None:
    stream = Terminal()
    bar = Progress(stream, interval=0)
    bar("parsing manifests", 3, 12)
    assert (
        "\r\x1b[2Kdriftlint: [######------------------] parsing manifests 3/12" in stream.getvalue()
    )
    bar("checking calls", 0, 0)
    assert stream.getvalue().endswith("driftlint: checking calls")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_throttled_but_the_last_step_is_drawn() -> None:
    stream = Terminal()
    bar = Progress(stream, interval=3600)
    bar("x", 1, 10)
    bar("x", 2, 10)  # too soon: skipped
    bar("x", 10, 10)  # the end is always drawn
    text = stream.getvalue()
    assert "x 1/10" in text and "x 2/10" not in text and text.endswith("x 10/10")


def test_wanted_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    assert Progress.wanted(Terminal())
    assert not Progress.wanted(io.StringIO())
    assert Progress.wanted(io.StringIO(), "always")
    assert not Progress.wanted(Terminal(), "never")
    monkeypatch.setenv("TERM", "dumb")
    assert not Progress.wanted(Terminal())


def test_nothing_reaches_a_pipe(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(repo)])
    assert "driftlint: [" not in result.stderr and "\x1b[2K" not in result.stderr


def test_always_draws_even_into_a_pipe(tmp_path: Path) -> None:
    repo = make_repo(FIXTURES / "jobloop-2014-incident", tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--progress=always", str(repo)])
    assert "parsing manifests" in result.stderr
    assert result.stderr.count("\r\x1b[2K") >= 2  # drawn, then erased
