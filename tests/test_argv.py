"""Unit tests for the argv binder: each problem code, each dialect corner, each soundness rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.argv.binder import bind_argv
from driftlint.ltext import SYMBOL as S
from driftlint.model import Interface, Option, Positional, Span, Word

LONG = Interface(
    script="jobloop",
    dialect="getopt_long",
    options=(
        Option(("-v", "--verbose")),
        Option(("-t", "--timeout"), takes_value=True),
        Option(("--type",), takes_value=True, choices=("web", "video")),
        Option(("--tag",), takes_value=True),
        Option(("-o", "--output"), takes_value=True, optional_value=True),
        Option(("--old",), deprecated="use --new"),
        Option(("--new",)),
        Option(("--newer",)),
    ),
    positionals=(Positional("job", min=0, max=1),),
    removed=(Option(("--legacy",)), Option(("-l",))),
    abbreviations=True,
)

ARGPARSE = Interface(
    script="tool",
    dialect="argparse",
    options=(
        Option(("-v", "--verbose")),
        Option(("-t", "--timeout"), takes_value=True),
        Option(("-n",), takes_value=True, nargs=2),
        Option(("--files",), takes_value=True, nargs=-1),
    ),
    positionals=(Positional("mode", min=0, max=1, choices=("x", "y")),),
    abbreviations=True,
)

POSITIONAL = Interface(
    script="rotate.sh",
    dialect="positional",
    positionals=(Positional("args", min=1, max=2),),
    bundling=False,
    attached_values=False,
    long_equals=False,
)

NO_ARGUMENTS = Interface(script="check_plain", dialect="positional")

GETOPTS = Interface(
    script="loop.sh",
    dialect="getopts",
    options=(Option(("-t",), takes_value=True), Option(("-v",))),
    positionals=(Positional("job_type", min=0, max=1),),
    long_equals=False,
    interleaved=False,
)

DOCOPT = Interface(
    script="doc",
    dialect="docopt",
    options=(Option(("-t", "--timeout"), takes_value=True), Option(("-v",))),
    positionals=(Positional("file", min=0, max=1),),
)

REQUIRED = Interface(
    script="req",
    dialect="argparse",
    options=(Option(("-v",)), Option(("--mode",), takes_value=True, required=True)),
    positionals=(Positional("src"),),
)

START = Interface(script="svc", dialect="argparse", options=(Option(("--force",)),))
SUBCOMMANDS = Interface(
    script="svc",
    dialect="argparse",
    options=(Option(("-v",)),),
    subcommands=(("start", START), ("stop", Interface(script="svc", dialect="argparse"))),
)

OPTPARSE = Interface(
    script="old.py",
    dialect="optparse",
    options=(Option(("-f", "-foo")), Option(("-bar",), takes_value=True)),
    single_dash_long=True,
    abbreviations=True,
)

MANUAL = Interface(
    script="case.sh", dialect="manual", options=(Option(("-v",)), Option(("-q",))), bundling=False
)

LOOSE = Interface(script="wrap", dialect="manual", options=(Option(("-v",)),), accepts_unknown=True)


def make_words(*texts: str, quoted: tuple[int, ...] = ()) -> tuple[Word, ...]:
    """Words on one line, one space apart; `quoted` lists the indexes written in quotes."""
    out: list[Word] = []
    column = 1
    for index, text in enumerate(texts):
        span = Span("t.pp", 1, column, 1, column + len(text))
        out.append(Word(text, span, dynamic=S in text, quoted=index in quoted))
        column += len(text) + 1
    return tuple(out)


def problems(
    interface: Interface, texts: list[str], passthrough: bool = False, quoted: tuple[int, ...] = ()
) -> list[tuple[str, str, int, int, int]]:
    words = make_words(*texts, quoted=quoted)
    binding = bind_argv(words, interface, passthrough)
    return [(p.code, p.name, words.index(p.word), p.start, p.end) for p in binding.problems]


def one(
    code: str, name: str, index: int, start: int = 0, end: int = -1
) -> tuple[str, str, int, int, int]:
    return (code, name, index, start, end)


CASES = [
    # unknown and stale options
    pytest.param(LONG, ["--verbse"], [one("unknown-option", "--verbse", 0)], id="unknown-long"),
    pytest.param(
        LONG, ["--verbse=1"], [one("unknown-option", "--verbse", 0, 0, 8)], id="unknown-long-equals"
    ),
    pytest.param(LONG, ["-x"], [one("unknown-option", "-x", 0)], id="unknown-short"),
    pytest.param(LONG, ["-vx"], [one("unknown-option", "-x", 0, 2)], id="unknown-in-bundle"),
    pytest.param(
        LONG, ["-xv"], [one("unknown-option", "-x", 0, 0, 2)], id="unknown-first-in-bundle"
    ),
    pytest.param(LONG, ["--legacy"], [one("stale-option", "--legacy", 0)], id="stale-long"),
    pytest.param(LONG, ["-vl"], [one("stale-option", "-l", 0, 2)], id="stale-in-bundle"),
    pytest.param(LONG, ["--old"], [one("deprecated-option", "--old", 0)], id="deprecated"),
    pytest.param(LOOSE, ["--whatever", "x", "-q"], [], id="accepts-unknown"),
    # values
    pytest.param(LONG, ["-t"], [one("missing-argument", "-t", 0)], id="missing-argument-last"),
    pytest.param(
        LONG, ["-vt"], [one("missing-argument", "-t", 0, 2)], id="missing-argument-bundle"
    ),
    pytest.param(LONG, ["-t", "-v"], [], id="getopt-long-takes-dash-value"),
    pytest.param(GETOPTS, ["-t", "--"], [], id="getopts-takes-separator-value"),
    pytest.param(
        ARGPARSE, ["-t", "-v"], [one("missing-argument", "-t", 0)], id="argparse-refuses-dash-value"
    ),
    pytest.param(ARGPARSE, ["-t", "-5"], [], id="argparse-negative-number-value"),
    pytest.param(
        ARGPARSE,
        ["-t", "--", "x"],
        [one("missing-argument", "-t", 0)],
        id="argparse-refuses-separator",
    ),
    pytest.param(
        DOCOPT, ["-t", "--"], [one("missing-argument", "-t", 0)], id="docopt-refuses-separator"
    ),
    pytest.param(DOCOPT, ["-t", "-v"], [], id="docopt-takes-dash-value"),
    pytest.param(LONG, ["-t5"], [], id="attached-value"),
    pytest.param(LONG, ["--timeout=5"], [], id="long-equals-value"),
    pytest.param(LONG, ["-vt", "5"], [], id="bundle-then-value"),
    pytest.param(LONG, ["-vt5"], [], id="bundle-attached-value"),
    pytest.param(LONG, ["-vv"], [], id="counted-flag"),
    pytest.param(
        LONG, ["--verbose=yes"], [one("unexpected-value", "--verbose", 0)], id="unexpected-value"
    ),
    pytest.param(LONG, ["--type", "web"], [], id="valid-choice"),
    pytest.param(
        LONG, ["--type", "bogus"], [one("invalid-choice", "--type", 1)], id="invalid-choice"
    ),
    pytest.param(
        LONG,
        ["--type=bogus"],
        [one("invalid-choice", "--type", 0, 7)],
        id="invalid-choice-attached",
    ),
    pytest.param(
        ARGPARSE, ["z"], [one("invalid-choice", "mode", 0)], id="invalid-positional-choice"
    ),
    pytest.param(LONG, ["-o", "file"], [], id="optional-value-never-next-word"),
    pytest.param(
        LONG,
        ["-o", "a", "b"],
        [one("too-many-arguments", "", 2)],
        id="optional-value-next-is-positional",
    ),
    pytest.param(LONG, ["-ofile", "--output=x"], [], id="optional-value-attached"),
    pytest.param(ARGPARSE, ["-n", "1", "2"], [], id="nargs-two"),
    pytest.param(ARGPARSE, ["-n", "1"], [one("missing-argument", "-n", 0)], id="nargs-two-short"),
    pytest.param(
        ARGPARSE, ["-n", "1", "-v"], [one("missing-argument", "-n", 0)], id="nargs-two-cut"
    ),
    pytest.param(
        ARGPARSE,
        ["-n1", "2"],
        [one("missing-argument", "-n", 0, 0, 2)],
        id="argparse-nargs-attached",
    ),
    pytest.param(ARGPARSE, ["--files", "a", "b", "-v"], [], id="nargs-plus"),
    pytest.param(
        ARGPARSE, ["--files", "-v"], [one("missing-argument", "--files", 0)], id="nargs-plus-empty"
    ),
    pytest.param(OPTPARSE, ["-foo", "-bar", "1", "-ba=2"], [], id="single-dash-long"),
    pytest.param(
        OPTPARSE, ["-fx"], [one("unknown-option", "-x", 0, 2)], id="single-dash-long-else-short"
    ),
    pytest.param(MANUAL, ["-v", "-q"], [], id="no-bundling-separate"),
    pytest.param(MANUAL, ["-vq"], [one("unknown-option", "-vq", 0)], id="no-bundling"),
    # abbreviations
    pytest.param(LONG, ["--verb"], [], id="abbreviation"),
    pytest.param(LONG, ["--new"], [], id="exact-beats-prefix"),
    pytest.param(LONG, ["--t"], [one("unknown-option", "--t", 0)], id="ambiguous-abbreviation"),
    pytest.param(GETOPTS, ["--v"], [one("unknown-option", "--v", 0)], id="no-abbreviations"),
    # positionals, `--`, interleaving
    pytest.param(LONG, ["a", "b", "c"], [one("too-many-arguments", "", 1)], id="too-many"),
    pytest.param(LONG, ["--", "--verbse"], [], id="separator-makes-operand"),
    pytest.param(
        LONG, ["--", "a", "b"], [one("too-many-arguments", "", 2)], id="too-many-operands"
    ),
    pytest.param(
        LONG, ["job", "--verbse"], [one("unknown-option", "--verbse", 1)], id="interleaved"
    ),
    pytest.param(
        GETOPTS, ["job", "-x"], [one("too-many-arguments", "", 1)], id="getopts-stops-at-positional"
    ),
    pytest.param(
        GETOPTS,
        ["-x", "a", "-y"],
        [one("unknown-option", "-x", 0)],
        id="getopts-unknown-then-unsure",
    ),
    # subcommands
    pytest.param(SUBCOMMANDS, ["-v", "start", "--force"], [], id="subcommand"),
    pytest.param(
        SUBCOMMANDS,
        ["--force", "start"],
        [one("unknown-option", "--force", 0)],
        id="option-before-subcommand",
    ),
    pytest.param(
        SUBCOMMANDS,
        ["start", "-v"],
        [one("unknown-option", "-v", 1)],
        id="parent-option-after-subcommand",
    ),
    pytest.param(
        SUBCOMMANDS, ["stat"], [one("unknown-subcommand", "stat", 0)], id="unknown-subcommand"
    ),
    # required
    pytest.param(
        REQUIRED,
        ["-v"],
        [one("missing-required", "--mode", 0), one("missing-required", "src", 0)],
        id="missing-required",
    ),
    pytest.param(REQUIRED, [], [], id="missing-required-needs-a-word"),
    pytest.param(REQUIRED, ["--mode", "m", "s"], [], id="required-present"),
    # after an unknown option: one root cause
    pytest.param(
        LONG,
        ["--bogus", "a", "b"],
        [one("unknown-option", "--bogus", 0)],
        id="unknown-then-no-too-many",
    ),
    pytest.param(
        LONG,
        ["--bogus", "1", "--verbse"],
        [one("unknown-option", "--bogus", 0), one("unknown-option", "--verbse", 2)],
        id="two-misspellings",
    ),
    # issue 29: each bad word of a call, even right after another
    pytest.param(
        LONG,
        ["--bogus", "--verbse"],
        [one("unknown-option", "--bogus", 0), one("unknown-option", "--verbse", 1)],
        id="two-misspellings-side-by-side",
    ),
    pytest.param(
        GETOPTS,
        ["-x", "-y", "job"],
        [one("unknown-option", "-x", 0), one("unknown-option", "-y", 1)],
        id="two-unknown-letters-side-by-side",
    ),
    pytest.param(
        LONG,
        ["--bogus", "-5"],
        [one("unknown-option", "--bogus", 0)],
        id="unknown-then-negative-number-may-be-its-value",
    ),
    pytest.param(
        LONG,
        ["--legacy", "job", "extra"],
        [one("stale-option", "--legacy", 0)],
        id="removed-flag-takes-no-value",
    ),
    # issue 26: a script with no option parser takes every word as an operand
    pytest.param(POSITIONAL, ["a", "b"], [], id="positional-in-bounds"),
    pytest.param(
        POSITIONAL,
        ["-q", "a", "b"],
        [one("too-many-arguments", "", 0)],  # reported at the inserted `-q`
        id="positional-option-is-an-operand",
    ),
    pytest.param(POSITIONAL, ["--", "a"], [], id="positional-double-dash-is-an-operand-too"),
    pytest.param(NO_ARGUMENTS, ["-v"], [one("too-many-arguments", "", 0)], id="reads-none"),
    pytest.param(NO_ARGUMENTS, [S], [], id="reads-none-wild-may-be-nothing"),
    pytest.param(
        LONG,
        ["--bogus", "--type", "x"],
        [one("unknown-option", "--bogus", 0)],
        id="unknown-then-maybe-value",
    ),
    pytest.param(
        REQUIRED,
        ["--bogus"],
        [one("unknown-option", "--bogus", 0)],
        id="unknown-then-no-missing-required",
    ),
]

DYNAMIC = [
    pytest.param(LONG, [S, "--verbse"], (), [], id="wild-then-literal"),
    pytest.param(
        LONG, ["--verbse", S], (), [one("unknown-option", "--verbse", 0)], id="literal-then-wild"
    ),
    pytest.param(
        LONG,
        [f"--verbse={S}"],
        (),
        [one("unknown-option", "--verbse", 0, 0, 8)],
        id="unknown-with-dynamic-value",
    ),
    pytest.param(LONG, [f"--timeout={S}", f"--type={S}"], (), [], id="known-with-dynamic-value"),
    pytest.param(
        LONG,
        [f"--verbose={S}"],
        (),
        [one("unexpected-value", "--verbose", 0)],
        id="flag-with-dynamic-value",
    ),
    pytest.param(LONG, ["-t", S, "--verbse"], (), [], id="unquoted-value-may-split"),
    pytest.param(
        LONG,
        ["-t", S, "--verbse"],
        (1,),
        [one("unknown-option", "--verbse", 2)],
        id="quoted-value-is-one-word",
    ),
    pytest.param(LONG, ["-t", S], (), [], id="dynamic-may-be-value"),
    pytest.param(ARGPARSE, ["-t", f"-{S}"], (), [], id="argparse-dash-dynamic-may-be-number"),
    pytest.param(LONG, ["a", S, "b"], (), [], id="no-too-many-after-wild"),
    pytest.param(
        LONG, ["a", "b", S], (), [one("too-many-arguments", "", 1)], id="too-many-before-wild"
    ),
    pytest.param(
        LONG,
        [f"a{S}", "b"],
        (),
        [one("too-many-arguments", "", 1)],
        id="prefixed-positional-counts",
    ),
    pytest.param(
        LONG, ["--", "a", S], (2,), [one("too-many-arguments", "", 2)], id="quoted-operand-counts"
    ),
    pytest.param(LONG, ["--", "a", S, "b"], (), [], id="unquoted-operand-may-be-nothing"),
    pytest.param(REQUIRED, [S], (), [], id="wild-may-supply-required"),
    pytest.param(REQUIRED, ["-v", S], (1,), [], id="quoted-wild-may-supply-required"),
    pytest.param(SUBCOMMANDS, [S, "stat"], (), [], id="wild-before-subcommand"),
    pytest.param(SUBCOMMANDS, [f"st{S}"], (), [], id="dynamic-subcommand"),
    pytest.param(LONG, [f"-{S}", "--verbse"], (), [], id="dash-dynamic-is-wild"),
    pytest.param(LONG, [f"--{S}", "--verbse"], (), [], id="double-dash-dynamic-is-wild"),
    pytest.param(LONG, [f"-t{S}", "--verbse"], (), [], id="attached-dynamic-may-be-empty"),
    pytest.param(
        LONG,
        [f"-t{S}", "a", "--verbse"],
        (),
        [one("unknown-option", "--verbse", 2)],
        id="attached-dynamic-then-later",
    ),
    pytest.param(LONG, [f"-v{S}", "--verbse"], (), [], id="flag-then-dynamic-tail"),
    pytest.param(
        LONG,
        [f"-x{S}"],
        (),
        [one("unknown-option", "-x", 0, 0, 2)],
        id="unknown-letter-then-dynamic",
    ),
    pytest.param(LONG, [f"--type={S}"], (), [], id="dynamic-value-no-choice-check"),
]


@pytest.mark.parametrize(("interface", "texts", "expected"), CASES)
def test_bind_argv_reports(
    interface: Interface, texts: list[str], expected: list[tuple[str, str, int, int, int]]
) -> None:
    assert problems(interface, texts) == expected


@pytest.mark.parametrize(("interface", "texts", "quoted", "expected"), DYNAMIC)
def test_bind_argv_is_sound_with_dynamic_words(
    interface: Interface,
    texts: list[str],
    quoted: tuple[int, ...],
    expected: list[tuple[str, str, int, int, int]],
) -> None:
    assert problems(interface, texts, quoted=quoted) == expected


@pytest.mark.parametrize(
    ("interface", "texts", "expected"),
    [
        pytest.param(LONG, ["-t"], [], id="no-missing-argument"),
        pytest.param(REQUIRED, ["-v"], [], id="no-missing-required"),
        pytest.param(LONG, ["a", "b"], [one("too-many-arguments", "", 1)], id="too-many-still"),
    ],
)
def test_bind_argv_passthrough(
    interface: Interface, texts: list[str], expected: list[tuple[str, str, int, int, int]]
) -> None:
    assert problems(interface, texts, passthrough=True) == expected


@pytest.mark.parametrize(
    ("interface", "texts", "code", "detail"),
    [
        pytest.param(LONG, ["--type", "x"], "invalid-choice", "web, video", id="choices"),
        pytest.param(
            LONG, ["--t"], "unknown-option", "--tag, --timeout, --type", id="ambiguous-candidates"
        ),
        pytest.param(LONG, ["a", "b"], "too-many-arguments", "1", id="allowed-count"),
        pytest.param(
            SUBCOMMANDS, ["stat"], "unknown-subcommand", "start, stop", id="subcommand-names"
        ),
    ],
)
def test_bind_argv_problem_detail(
    interface: Interface, texts: list[str], code: str, detail: str
) -> None:
    binding = bind_argv(make_words(*texts), interface)
    assert [(p.code, p.detail) for p in binding.problems] == [(code, detail)]


@pytest.mark.parametrize(
    ("interface", "texts", "expected"),
    [
        pytest.param(
            LONG,
            ["-vt5", "--", "x"],
            [
                ("option", "-v", 0, 2),
                ("option", "-t", 2, 3),
                ("value", "-t", 3, -1),
                ("separator", "", 0, -1),
                ("operand", "job", 0, -1),
            ],
            id="bundle-separator-operand",
        ),
        pytest.param(
            LONG,
            ["--verb", "--timeout=5", "job"],
            [
                ("option", "--verbose", 0, -1),
                ("option", "--timeout", 0, 9),
                ("value", "--timeout", 10, -1),
                ("positional", "job", 0, -1),
            ],
            id="abbreviation-canonical-name",
        ),
        pytest.param(
            LONG,
            ["--bogus", "1", S],
            [("unknown", "--bogus", 0, -1), ("unknown", "", 0, -1), ("dynamic", "", 0, -1)],
            id="unknown-and-dynamic",
        ),
        pytest.param(
            SUBCOMMANDS,
            ["start", "--force"],
            [("subcommand", "start", 0, -1), ("option", "--force", 0, -1)],
            id="subcommand",
        ),
    ],
)
def test_bind_argv_says_what_each_word_is(
    interface: Interface, texts: list[str], expected: list[tuple[str, str, int, int]]
) -> None:
    binding = bind_argv(make_words(*texts), interface)
    assert [(b.kind, b.name, b.start, b.end) for b in binding.bound] == expected


def test_bind_argv_returns_the_subcommand_interface() -> None:
    assert bind_argv(make_words("start"), SUBCOMMANDS).interface is START
    assert bind_argv(make_words("-v"), SUBCOMMANDS).interface is SUBCOMMANDS


INTERFACES = [LONG, ARGPARSE, GETOPTS, DOCOPT, REQUIRED, SUBCOMMANDS, LOOSE]
PIECES = ["-", "--", "-v", "-t", "=", "x", "--type", "--t", S, " ", "5", "-5", "start", "é", ""]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(INTERFACES),
    st.lists(
        st.tuples(
            st.one_of(
                st.text(max_size=8), st.lists(st.sampled_from(PIECES), max_size=3).map("".join)
            ),
            st.booleans(),
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_bind_argv_never_raises(
    interface: Interface, items: list[tuple[str, bool]], passthrough: bool
) -> None:
    words = tuple(
        Word(text, Span("t.pp", 1, 1, 1, 1 + len(text)), dynamic=S in text, quoted=quoted)
        for text, quoted in items
    )
    binding = bind_argv(words, interface, passthrough)
    assert {id(b.word) for b in binding.bound} == {id(word) for word in words}
    for problem in binding.problems:
        assert any(problem.word is word for word in words)
        assert 0 <= problem.start <= len(problem.word.text)
        assert problem.end == -1 or problem.start < problem.end <= len(problem.word.text)


PERL = Interface(
    script="notify.pl",
    dialect="getopt_long",
    options=(
        Option(("--field", "-field"), takes_value=True),
        Option(("--flush", "-flush")),
        Option(("--verbose", "-verbose")),
    ),
    positionals=(Positional("mode", 1, None),),
    single_dash_long=True,
    abbreviations=True,
    bundling=False,
    attached_values=False,
)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param(["enqueue", "-v"], [], id="one-letter-abbreviation"),
        pytest.param(["enqueue", "-fi", "x=1"], [], id="two-letter-abbreviation"),
        pytest.param(["enqueue", "-q"], [one("unknown-option", "-q", 1)], id="no-such-prefix"),
    ],
)
def test_getopt_long_without_bundling_reads_single_dash_abbreviations(
    texts: list[str], expected: list[tuple[str, str, int, int, int]]
) -> None:
    assert problems(PERL, texts) == expected
