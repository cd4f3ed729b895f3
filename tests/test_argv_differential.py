"""Differential tests: the argv binder agrees with argparse, bash getopts and docopt-ng."""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import subprocess

import docopt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftlint.argv.binder import bind_argv
from driftlint.model import Interface, Option, Positional, Span, Word


def words(argv: list[str]) -> tuple[Word, ...]:
    return tuple(Word(text, Span("t.pp", 1, 1, 1, 1 + len(text))) for text in argv)


def rejects(argv: list[str], interface: Interface) -> bool:
    """The binder's verdict: an error problem (anything but deprecated-option)."""
    binding = bind_argv(words(argv), interface)
    return any(p.code != "deprecated-option" for p in binding.problems)


def argvs(full: list[str], simple: list[str], separator: bool) -> st.SearchStrategy[list[str]]:
    """Argvs over `full`; with `separator`, also `simple...` `--` `full...` (at least one).

    Python 3.11's argparse rejects a trailing `--` once its positionals were filled by an
    earlier chunk (`x -v --`) and accepts it otherwise; we treat `--` as always accepted.
    """
    plain = st.lists(st.sampled_from(full), max_size=6)
    if not separator:
        return plain
    split = st.tuples(
        st.lists(st.sampled_from(simple), max_size=3),
        st.lists(st.sampled_from(full), min_size=1, max_size=4),
    ).map(lambda parts: [*parts[0], "--", *parts[1]])
    return st.one_of(plain, split)


# --- argparse -------------------------------------------------------------------------------

ARGPARSE = Interface(
    script="prog",
    dialect="argparse",
    options=(
        Option(("-v", "--verbose")),
        Option(("-t", "--timeout"), takes_value=True),
        Option(("--type",), takes_value=True, choices=("a", "b")),
        Option(("--tag",), takes_value=True),
        Option(("-n",), takes_value=True, nargs=2),
        Option(("--files",), takes_value=True, nargs=-1),
    ),
    positionals=(Positional("mode", min=0, max=1, choices=("x", "y")),),
    abbreviations=True,
)


def argparse_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prog", exit_on_error=False, add_help=False)
    parser.add_argument("-v", "--verbose", action="count")
    parser.add_argument("-t", "--timeout")
    parser.add_argument("--type", choices=["a", "b"])
    parser.add_argument("--tag")
    parser.add_argument("-n", nargs=2)
    parser.add_argument("--files", nargs="+")
    parser.add_argument("mode", nargs="?", choices=["x", "y"])
    return parser


def argparse_rejects(argv: list[str]) -> bool:
    parser = argparse_parser()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            parser.parse_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return True
    return False


# Words that never take a value, so `--` after them is a plain separator. Python 3.11's
# argparse lets an option read the word after `--` as its value (`-t -- 5` sets t=5, and
# `--files a -- b` takes both); we model `--` as ending options, so `--` is generated only
# after words that cannot be waiting for a value.
ARGPARSE_SIMPLE = ["-v", "--verbose", "--verb", "-vv", "x", "y", "z", "-"]
ARGPARSE_WORDS = [
    *ARGPARSE_SIMPLE,
    *("-t", "--timeout", "--ti", "--type", "--ty", "--tag", "--ta", "--t", "-n", "--files"),
    *("-x", "--bogus", "--bogus=1", "1", "a", "b", "-5", "", "a b"),
    *("-vt", "-vt5", "-t5", "-vx", "-xv", "-nv", "-t=5", "--type=a", "--type=c"),
    *("--timeout=3", "--verbose=1", "--ti=4", "--ty=b", "--files=a", "-v5"),
]


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argvs(ARGPARSE_WORDS, ARGPARSE_SIMPLE, separator=True))
def test_binder_agrees_with_argparse(argv: list[str]) -> None:
    assert rejects(argv, ARGPARSE) == argparse_rejects(argv), argv


# --- bash getopts ---------------------------------------------------------------------------

GETOPTS = Interface(
    script="prog",
    dialect="getopts",
    options=(Option(("-t",), takes_value=True), Option(("-v",)), Option(("-h",))),
    positionals=(Positional("job_type", min=0, max=1),),
    long_equals=False,
    interleaved=False,
)

# Reads argvs as NUL-separated records (a word count, then the words) and prints 1 for each
# argv the getopts loop rejects: an unknown option, a missing value, or more than one operand.
GETOPTS_LOOP = r"""
check() {
  local OPTIND=1 o
  while getopts ":t:vh" o; do case $o in \?|:) return 1;; esac; done
  shift $((OPTIND-1)); [ $# -le 1 ]
}
while IFS= read -r -d '' n; do
  args=()
  for ((i = 0; i < n; i++)); do IFS= read -r -d '' w; args+=("$w"); done
  if check "${args[@]}"; then echo 0; else echo 1; fi
done
"""

GETOPTS_WORDS = [
    *("-t", "-v", "-h", "-vh", "-vv", "-vt", "-vt5", "-t5", "-tv", "-x", "-vx", "-xv"),
    *("--", "-", "", "5", "job", "-t=5", "--v", "--bogus", "-5", "a b", "-v-"),
]


def getopts_rejects(batch: list[list[str]]) -> list[bool]:
    records = "".join(f"{len(argv)}\0" + "".join(f"{w}\0" for w in argv) for argv in batch)
    done = subprocess.run(
        ["bash", "-c", GETOPTS_LOOP], input=records, capture_output=True, text=True, check=True
    )
    return [line == "1" for line in done.stdout.split()]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(GETOPTS_WORDS), max_size=6), min_size=50, max_size=50))
def test_binder_agrees_with_getopts(batch: list[list[str]]) -> None:
    verdicts = getopts_rejects(batch)
    assert len(verdicts) == len(batch)
    for argv, rejected in zip(batch, verdicts, strict=True):
        assert rejects(argv, GETOPTS) == rejected, argv


# --- docopt-ng ------------------------------------------------------------------------------

# `[options]...` lets options repeat: docopt rejects a repeated option the usage does not mark
# repeatable, and the binder has no code for that (Option.repeatable is not checked).
DOCOPT_USAGE = """Usage: prog [options]... [<file>]

Options:
  -v, --verbose               Say more.
  -t <sec>, --timeout=<sec>   Stop after this long.
  --type=<kind>               Job type.
  --tag=<tag>                 Tag.
"""

DOCOPT = Interface(
    script="prog",
    dialect="docopt",
    options=(
        Option(("-v", "--verbose")),
        Option(("-t", "--timeout"), takes_value=True),
        Option(("--type",), takes_value=True),
        Option(("--tag",), takes_value=True),
    ),
    positionals=(Positional("file", min=0, max=1),),
    abbreviations=True,
)

# No `--`: docopt-ng turns `--` itself into an argument unless the usage lists `[--]`, and then
# only matches it before the positionals; neither is a behaviour we model.
DOCOPT_WORDS = [
    *("-v", "--verbose", "--verb", "-vv", "-t", "--timeout", "--ti", "--type", "--ty", "--t"),
    *("--tag", "--ta", "-x", "--bogus", "--bogus=1", "-vt", "-vt5", "-t5", "-vx", "-xv"),
    *("--timeout=3", "--verbose=1", "--ty=b", "-", "", "f", "g", "-5", "1"),
]


def docopt_rejects(argv: list[str]) -> bool:
    try:
        docopt.docopt(DOCOPT_USAGE, argv, default_help=False)
    except docopt.DocoptExit:
        return True
    return False


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(DOCOPT_WORDS), max_size=6))
def test_binder_agrees_with_docopt(argv: list[str]) -> None:
    assert rejects(argv, DOCOPT) == docopt_rejects(argv), argv


def test_argparse_optional_value_option_takes_the_next_word() -> None:
    """argparse `nargs="?"` on an option: `-o FILE` binds FILE as the value (no positional)."""
    import argparse

    from driftlint.argv.binder import bind_argv
    from driftlint.model import Interface, Option, Span, Word

    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("-o", nargs="?")
    assert parser.parse_args(["-o", "f"]).o == "f"
    iface = Interface("x", "argparse", options=(Option(("-o",), takes_value=True, nargs=-3),))
    words = [Word(t, Span("t.pp", 1, 1 + 3 * i, 1, 3 + 3 * i)) for i, t in enumerate(["-o", "f"])]
    assert bind_argv(words, iface).problems == ()
    assert bind_argv(words[:1], iface).problems == ()
