"""`driftlint check | head`: a reader that goes away is not an internal error."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FIXTURES


def test_a_closed_pipe_keeps_the_findings_exit_code() -> None:
    fixture = FIXTURES / "jobloop-2014-incident"
    command = [sys.executable, "-m", "driftlint", "check", "--no-cache", str(fixture)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # long before the report is written: the write meets a closed pipe
    _, stderr = proc.communicate(timeout=120)
    assert b"internal error" not in stderr and b"Traceback" not in stderr, stderr
    assert proc.returncode == 1  # the error finding, whether or not anyone read it


def test_explain_into_a_closed_pipe_is_quiet() -> None:
    command = [sys.executable, "-m", "driftlint", "explain"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=60)
    assert stderr == b""
    assert proc.returncode in (0, 1)  # 1 as click says a closed pipe; 0 if it fitted before
