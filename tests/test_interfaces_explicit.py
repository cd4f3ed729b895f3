"""Explicit `*.interface.yaml` specs: records, dialect flags, and located validation errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.interfaces import read_interface
from driftlint.model import Interface, Option, Positional, Span

P = "rules/jobloop.interface.yaml"

SPEC = """script: jobloop
dialect: getopts
options:
  - names: [-t, --timeout]
    value: true
    choices: [a, b]
    deprecated: "use -T"
positionals:
  - {name: job_type, min: 0, max: 1}
removed:
  - {names: [-v], in: "2014-06-13", message: "no verbosity", replacement: ""}
renamed:
  - {from: --whisper-path, to: --whisper-dir, in: "v2"}
subcommands:
  - {name: purge, aliases: [p], options: [{names: --all}]}
"""


def read(text: str) -> Interface:
    found = read_interface(P, text, "jobloop")
    assert found is not None
    return found


def test_full_spec() -> None:
    found = read(SPEC)
    assert found.dialect == "getopts"
    assert (found.bundling, found.long_equals, found.interleaved) == (True, False, False)
    assert found.options == (
        Option(
            ("-t", "--timeout"),
            True,
            choices=("a", "b"),
            deprecated="use -T",
            span=Span(P, 4, 12, 4, 27),
            sources=frozenset({"spec"}),
        ),
    )
    assert found.positionals == (Positional("job_type", 0, 1, None, Span(P, 9, 5, 9, 37)),)
    assert [(o.names, o.removed_in, o.message, o.replacement) for o in found.removed] == [
        (("-v",), "2014-06-13", "no verbosity", ""),
        (("--whisper-path",), "v2", "renamed to `--whisper-dir`", "--whisper-dir"),
    ]
    assert [n for n, _ in found.subcommands] == ["purge", "p"]
    sub = found.subcommand("p")
    assert sub is not None and sub.option_names() == ["--all"] and sub.dialect == "getopts"
    assert found.errors == ()


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        pytest.param(
            "dialect: getopt\n",
            [(1, 10, "unknown dialect `getopt`; did you mean `getopts`?")],
            id="dialect-suggest",
        ),
        pytest.param(
            "optoins: []\n",
            [(1, 1, "unknown key `optoins` in the interface spec; did you mean `options`?")],
            id="top-key-suggest",
        ),
        pytest.param(
            "options:\n  - {names: [-t], vaule: true}\n",
            [(2, 19, "unknown key `vaule` in an option; did you mean `value`?")],
            id="option-key-suggest",
        ),
        pytest.param(
            "options:\n  - {names: [t]}\n",
            [(2, 13, "option names start with `-`: 't'")],
            id="bad-name",
        ),
        pytest.param(
            "options:\n  - {names: [-t], value: maybe}\n",
            [(2, 26, "value must be true or false")],
            id="bad-bool",
        ),
        pytest.param(
            "positionals:\n  - {name: x, min: 2, max: 1}\n",
            [(2, 28, "max (1) is below min (2)")],
            id="max-below-min",
        ),
        pytest.param("options: {}\n", [(1, 10, "`options` must be a list")], id="not-a-list"),
        pytest.param("options: [\n", [(2, 1, None)], id="not-yaml"),
        pytest.param("interleaved: true\ndialect: getopts\n", [], id="flag-override"),
    ],
)
def test_validation_errors_are_located(
    text: str, errors: list[tuple[int, int, str | None]]
) -> None:
    found = read(text)
    got = [
        (e.span.line, e.span.column, e.message if errors and errors[0][2] else None)
        for e in found.errors
    ]
    assert got == [(line, column, message if message else None) for line, column, message in errors]
    assert all(e.code == "parse-error" and e.severity == "warning" for e in found.errors)


def test_flag_override_wins_over_dialect() -> None:
    assert read("interleaved: true\ndialect: getopts\n").interleaved


def test_explicit_beats_code_in_the_same_name() -> None:
    found = read_interface("x.interface.yaml", "options: [{names: [-a]}]\n", "x")
    assert found is not None and found.option_names() == ["-a"]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "options",
                        "names",
                        "value",
                        "min",
                        "max",
                        "positionals",
                        "removed",
                        "renamed",
                        "from",
                        "to",
                        "dialect",
                        "subcommands",
                        "name",
                        "choices",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_yaml_never_raises(data: object) -> None:
    import yaml

    read_interface(P, yaml.safe_dump(data), "jobloop")
