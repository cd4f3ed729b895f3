"""Whole trees mutated, each checked by `driftlint check` under a time and a memory budget.

The parser properties (tests/test_fuzz.py) feed one file to one reader; a run reads a tree:
templates a role renders, Hiera data it looks up, scripts it installs. Here a fixture is
copied and some of its files mutated (deep nesting, huge repetition, bad bytes, control
characters, regexes that backtrack, a case with hundreds of arms, tokens spliced in), then
checked in a child process limited to BUDGET_SECONDS and BUDGET_BYTES of address space.
Every run must exit 0, 1 or 2, print no traceback and no internal error, and stay in budget.

CI runs SHORT runs; the long run is a command (not a CI job):

    DRIFTLINT_FUZZ_TREES=500 pytest -q -m slow tests/test_fuzz_trees.py -s

which prints runs, crashes, hangs and the largest peak memory seen.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

BUDGET_SECONDS = 120  # a hang past this fails the run
BUDGET_BYTES = 2 << 30  # address space of the child: past it, MemoryError, which must not crash
SHORT = 6
LONG = int(os.environ.get("DRIFTLINT_FUZZ_TREES", "0") or 0)
SEEDS = ("jobloop-2014-incident", "unknown-option-in-exec", "roles-hiera-levels")

# Hostile pieces, each a function of a random generator: what issue 30 found, and more.
PIECES = [
    lambda r: "{" * r.randint(200, 3000),
    lambda r: "[" * r.randint(200, 100_000),
    lambda r: "(" * r.randint(200, 3000) + "1" + ")" * r.randint(0, 3000),
    lambda r: " + ".join(["1"] * r.randint(100, 3000)),
    lambda r: "$(" * r.randint(50, 400) + "echo" + ")" * r.randint(0, 400),
    lambda r: "<%" * r.randint(100, 50_000),
    lambda r: "<% if @x %>" * r.randint(100, 20_000),
    lambda r: "newfunction(:a, " * r.randint(100, 20_000),
    lambda r: "case $s { /^(a+)+$/: { } /^(a|a)+\\1?b$/: { } }\n$s = '" + "a" * 40 + "!'\n",
    lambda r: "\x1bc\x1bM\u202e\x07",
    lambda r: "caf\udce9",  # a byte that is not UTF-8 (written back as the byte)
    lambda r: "\0",
    lambda r: 'case "$1" in\n' + "".join(f"  -o{i}) ;;\n" for i in range(r.randint(100, 800))),
    lambda r: "getopt -o v --long " + ",".join(f"o{i}" for i in range(r.randint(100, 5000))),
    lambda r: "class c" + str(r.randint(0, 9)) + " { include c" + str(r.randint(0, 9)) + " }\n",
    lambda r: "\n" * r.randint(1, 5000),
    lambda r: "'" * r.randint(1, 50) + '"' * r.randint(0, 50),
    # Found by the second sitting's runs on real trees: YAML nested past libyaml's C stack,
    # Puppet strings nested in `${}`, Jinja2 and Ruby nesting, `elsif` chains.
    lambda r: "[" * r.randint(30_000, 100_000),
    lambda r: "- " * r.randint(30_000, 60_000) + "x\n",
    lambda r: '"${' * r.randint(60, 2000),
    lambda r: "{% if x %}" * r.randint(60, 1000),
    lambda r: "<%= " + "(" * r.randint(100, 3000) + "1 %>",
    lambda r: "if $x { }" + " elsif $x { }" * r.randint(60, 3000) + "\n",
]


@dataclass
class Outcome:
    code: int | None  # None: past the time budget
    peak_kib: int
    stderr: str


def mutate(tree: Path, rng: random.Random) -> list[str]:
    """Mutate 1 to 3 text files of tree in place; return what was done, to replay a failure."""
    files = sorted(p for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts)
    done: list[str] = []
    for path in rng.sample(files, min(len(files), rng.randint(1, 3))):
        data = path.read_bytes().decode("utf-8", "surrogateescape")
        piece = PIECES[rng.randrange(len(PIECES))](rng)
        at = rng.randint(0, len(data))
        if rng.random() < 0.3 and data:  # also cut a range out
            cut = rng.randint(at, len(data))
            data = data[:at] + data[cut:]
        data = data[:at] + piece + data[at:]
        path.write_bytes(data.encode("utf-8", "surrogateescape"))
        done.append(f"{path.relative_to(tree)}@{at}+{len(piece)}")
    return done


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BUDGET_BYTES, BUDGET_BYTES))


def check_in_budget(tree: Path) -> Outcome:
    args = [sys.executable, "-m", "driftlint", "check", "--no-cache", "--jobs", "1", str(tree)]
    with subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=_limit
    ) as child:
        try:
            _, stderr = child.communicate(timeout=BUDGET_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return Outcome(None, 0, "")
    # The largest peak of any child waited for so far: the runs' peak, in KiB.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(child.returncode, peak, stderr)


def fuzz(n: int, tmp_path: Path, seed: int) -> list[str]:
    """n mutated trees checked; the problems found (empty when all is well)."""
    rng = random.Random(seed)
    problems: list[str] = []
    hangs = crashes = 0
    peak = 0
    for i in range(n):
        fixture = FIXTURES / rng.choice(SEEDS)
        tree = tmp_path / f"t{i}"
        shutil.copytree(fixture, tree, ignore=shutil.ignore_patterns("EXPECTED*", "BASE"))
        done = mutate(tree, rng)
        outcome = check_in_budget(tree)
        peak = max(peak, outcome.peak_kib)
        where = f"seed {seed} run {i} ({fixture.name}: {', '.join(done)})"
        if outcome.code is None:
            hangs += 1
            problems.append(f"{where}: past {BUDGET_SECONDS} s")
        elif (
            outcome.code not in (0, 1, 2)
            or "Traceback" in outcome.stderr
            or ("internal error" in outcome.stderr)
        ):
            crashes += 1
            problems.append(f"{where}: exit {outcome.code}: {outcome.stderr[-500:]}")
        shutil.rmtree(tree)
    print(f"\nfuzzed trees: {n} runs, {crashes} crashes, {hangs} hangs, peak {peak // 1024} MiB")
    return problems


def test_mutated_trees_never_crash_hang_or_blow_the_budget(tmp_path: Path) -> None:
    assert fuzz(SHORT, tmp_path, seed=30) == []


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="set DRIFTLINT_FUZZ_TREES to the number of runs")
def test_mutated_trees_long_run(tmp_path: Path) -> None:
    assert fuzz(LONG, tmp_path, seed=int(os.environ.get("DRIFTLINT_FUZZ_SEED", "1"))) == []
