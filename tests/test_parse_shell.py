"""Tests for driftlint.parse.shell: commands, de-quoting, expansions and located words."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span
from driftlint.parse.shell import Command, parse_shell

S = SYMBOL


def located(text: str) -> LText:
    """A command written in a Puppet string that starts at line 3, column 20 of f.pp."""
    return LText.literal(text, "f.pp", 3, 20)


def argv(command: Command) -> list[str]:
    return [w.text for w in command.words]


def first(text: str, **env: str) -> Command:
    values = {k: LText.literal(v, "h.yaml", 7, 5) for k, v in env.items()}
    return parse_shell(located(text), "f.pp", values).commands[-1]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("x -a b", ["x", "-a", "b"], id="plain"),
        pytest.param("x 'a b' c", ["x", "a b", "c"], id="single-quotes"),
        pytest.param('x "a \\" \\\\ \\$ \\` \\n"', ["x", 'a " \\ $ ` \\n'], id="double-escapes"),
        pytest.param("x a\\ b \\-c", ["x", "a b", "-c"], id="backslash"),
        pytest.param("x $'a\\tb\\x41\\101\\''", ["x", "a\tbAA'"], id="ansi-c"),
        pytest.param("x a\"b\"'c'd", ["x", "abcd"], id="concatenation"),
        pytest.param("x '' \"\"", ["x", "", ""], id="empty-quoted-words"),
        pytest.param("x --a=$'1'", ["x", "--a=1"], id="ansi-in-word"),
        pytest.param("x a\\\nb", ["x", "ab"], id="continuation-in-word"),
        pytest.param("x \\\n  -v", ["x", "-v"], id="continuation-between-words"),
        pytest.param("x $Y", ["x", S], id="unknown-variable"),
        pytest.param("x ${Y:-d}", ["x", S], id="unknown-default"),
        pytest.param('x "a$(date)b"', ["x", f"a{S}b"], id="command-substitution"),
        pytest.param("x `pwd`", ["x", S], id="backticks"),
        pytest.param("x $((1+2))", ["x", S], id="arithmetic"),
        pytest.param("x *.log a?b '*'", ["x", f"{S}.log", f"a{S}b", "*"], id="globs"),
        pytest.param("x ~/y", ["x", f"{S}/y"], id="tilde"),
        pytest.param("x $1 $#", ["x", S, S], id="positional-parameters"),
        pytest.param("x a$ b", ["x", "a$", "b"], id="lone-dollar"),
        pytest.param("x 2>/dev/null y", ["x", "y"], id="argument-after-redirect"),
    ],
)
def test_parse_shell_words(text: str, words: list[str]) -> None:
    assert argv(first(text)) == words


@pytest.mark.parametrize(
    ("text", "index", "span", "quoted", "dynamic"),
    [
        pytest.param("x -v", 1, Span("f.pp", 3, 22, 3, 24), False, False, id="bare"),
        pytest.param("x 'ab'", 1, Span("f.pp", 3, 23, 3, 25), True, False, id="quoted-chars"),
        pytest.param("x a'b'", 1, Span("f.pp", 3, 22, 3, 25), False, False, id="half-quoted"),
        pytest.param("x $Y", 1, Span("f.pp", 3, 22, 3, 24), False, True, id="symbol"),
        pytest.param('x "$Y"', 1, Span("f.pp", 3, 23, 3, 25), True, True, id="quoted-symbol"),
        pytest.param("x \\\n -q", 1, Span("f.pp", 4, 2, 4, 4), False, False, id="next-line"),
    ],
)
def test_parse_shell_locates_words(
    text: str, index: int, span: Span, quoted: bool, dynamic: bool
) -> None:
    word = first(text).words[index]
    assert (word.span, word.quoted, word.dynamic) == (span, quoted, dynamic)
    assert word.source is not None and word.source.text == word.text


def test_parse_shell_symbol_names_the_expansion() -> None:
    source = first("x ${Y:-z}").words[1].source
    assert source is not None
    assert [r.name for r in source.symbols()] == ["${Y:-z}"]


@pytest.mark.parametrize(
    ("text", "words", "paths"),
    [
        pytest.param("x $H", ["x", "-a", "-b"], ["f.pp", "h.yaml", "h.yaml"], id="unquoted-splits"),
        pytest.param('x "$H"', ["x", "-a  -b"], ["f.pp", "h.yaml"], id="quoted-one-word"),
        pytest.param(
            "x --o=${H}z", ["x", "--o=-a", "-bz"], ["f.pp", "f.pp", "h.yaml"], id="braces"
        ),
        pytest.param(
            "x ${H:-d}", ["x", "-a", "-b"], ["f.pp", "h.yaml", "h.yaml"], id="default-set"
        ),
        pytest.param("x ${E:-d}", ["x", "d"], ["f.pp", "f.pp"], id="default-empty"),
        pytest.param("x $E", ["x"], ["f.pp"], id="empty-unquoted-vanishes"),
        pytest.param('x "$E"', ["x", ""], ["f.pp", "f.pp"], id="empty-quoted-stays"),
    ],
)
def test_parse_shell_expands_known_variables(text: str, words: list[str], paths: list[str]) -> None:
    command = first(text, H="-a  -b", E="")
    assert argv(command) == words
    assert [w.span.path for w in command.words] == paths


def test_parse_shell_value_keeps_its_location() -> None:
    command = first("x $H", H="-a  -b")
    assert [w.span for w in command.words[1:]] == [
        Span("h.yaml", 7, 5, 7, 7),
        Span("h.yaml", 7, 9, 7, 11),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("O='-v -w'; x $O", ["x", "-v", "-w"], id="assignment"),
        pytest.param("export O=-v; x $O", ["x", "-v"], id="export"),
        pytest.param("O=-v; O=$O-w; x $O", ["x", "-v-w"], id="reassign"),
        pytest.param("O=-v; if c; then O=-w; fi; x $O", ["x", S], id="branch-unknown"),
        pytest.param("O=-v; for O in a; do :; done; x $O", ["x", S], id="loop-variable"),
        pytest.param("O=-v; f() { O=1; }; x $O", ["x", S], id="function-body"),
        pytest.param("O=-v; c && O=-w; x $O", ["x", S], id="and-list"),
        pytest.param("O=-v; read O; x $O", ["x", S], id="read"),
        pytest.param("O=-v; unset O; x $O", ["x", S], id="unset"),
        pytest.param("O=-v x $O", ["x", S], id="prefix-is-not-global"),
    ],
)
def test_parse_shell_tracks_assignments(text: str, words: list[str]) -> None:
    assert argv(first(text)) == words


def test_parse_shell_collects_nested_commands() -> None:
    text = (
        "a | b && c; (d); { e; }; f $(g `h`); if i; then j; elif k; then l; else m; fi\n"
        "while n; do o; done; for p in q; do r; done; case s in t) u;; esac; v() { w; }\n"
        "x <(y) >z"
    )
    heads = [argv(c)[0] for c in parse_shell(located(text), "f.pp").commands]
    assert sorted(heads) == sorted("abcdefghijklmnoruwxy")


def test_parse_shell_records_prefix_assignments_and_passthrough() -> None:
    command = first('A=1 B="x y" run -v "$@"')
    assert argv(command) == ["run", "-v"]
    assert [(k, v.text) for k, v in command.assignments] == [("A", "1"), ("B", "x y")]
    assert command.passthrough


@pytest.mark.parametrize("form", ['"$@"', "$@", '"$*"', "${@}"])
def test_parse_shell_drops_passthrough(form: str) -> None:
    command = first(f"run {form}")
    assert (argv(command), command.passthrough) == (["run"], True)


def test_parse_shell_sources_files_with_recursion_guard() -> None:
    files = {
        "/etc/default/x": LText.literal("OPTS='-q'\n. /etc/default/x\n", "defaults/x", 1, 1),
    }
    script = parse_shell(located(". /etc/default/x; run $OPTS"), "f.pp", source=files.get)
    run = script.commands[-1]
    assert argv(run) == ["run", "-q"]
    assert run.words[1].span == Span("defaults/x", 1, 7, 1, 9)
    assert script.env["OPTS"].text == "-q"


def test_parse_shell_ignores_dynamic_source() -> None:
    calls: list[str] = []
    parse_shell(located(". $X; run"), "f.pp", source=lambda p: calls.append(p) or None)
    assert calls == []


def test_parse_shell_reports_parse_errors() -> None:
    script = parse_shell(located("run 'unterminated"), "f.pp")
    assert [(e.code, e.severity, e.span.path) for e in script.errors] == [
        ("parse-error", "warning", "f.pp")
    ]


def test_parse_shell_unlocated_text_uses_path() -> None:
    script = parse_shell(LText.plain("a\n  b $X"), "plain.sh")
    word = script.commands[1].words[1]
    assert word.span == Span("plain.sh", 2, 5, 2, 7)


def test_parse_shell_symbol_in_input_makes_word_dynamic() -> None:
    text = located("run --x=") + LText.symbol(Span("g.pp", 1, 1, 1, 9), "$v")
    word = parse_shell(text, "f.pp").commands[0].words[1]
    assert (word.text, word.dynamic) == (f"--x={S}", True)


ORACLE_CASES = [
    "x 'a b' c",
    'x "a \\" \\\\ \\$ \\` \\n"',
    "x a\\ b \\-c",
    "x $'a\\tb\\x41\\101\\''",
    "x a\"b\"'c'd '' \"\"",
    "E=; O='-v  -w'; x $O \"$O\" ${O}z ${E:-d}",
    "x a\\\nb \\\n -q",
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash oracle not installed")
@pytest.mark.parametrize("text", ORACLE_CASES)
def test_parse_shell_matches_bash(text: str) -> None:
    # Oracle on our own fixtures only: bash prints the argv of `x`.
    prelude = "x() { printf '%s\\0' \"$@\"; }; set -f; "
    done = subprocess.run(
        ["bash", "-c", prelude + text], capture_output=True, check=True, timeout=10
    )
    expected = done.stdout.decode().split("\0")[:-1]
    assert argv(parse_shell(located(text), "f.pp").commands[-1])[1:] == expected


ALPHABET = st.sampled_from([*list("ab -=$'\"\\`(){}[]*?;&|<>#~\n\t"), SYMBOL, "é", "${", "$("])


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_parse_shell_never_raises_and_stays_in_range(text: str) -> None:
    env = {"a": LText.literal("x y", "h.yaml", 1, 1)}
    script = parse_shell(located(text), "f.pp", env)
    last_line = 3 + text.count("\n")
    for command in script.commands:
        for word in command.words:
            span = word.span
            if span.path == "h.yaml":
                assert span.line == 1
                continue
            assert span.path == "f.pp"
            assert 3 <= span.line <= span.end_line <= last_line
            assert word.dynamic == (SYMBOL in word.text)
    assert all(e.code == "parse-error" for e in script.errors)


DEFAULTS = {"/etc/default/x": LText.literal("OPTS='-q'\n", "defaults/x", 1, 1)}


@pytest.mark.parametrize(
    "guard",
    [
        pytest.param("test -f /etc/default/x && source /etc/default/x", id="test-and"),
        pytest.param("[ -r /etc/default/x ] && . /etc/default/x", id="bracket-and"),
        pytest.param('[[ -e "/etc/default/x" ]] && . /etc/default/x', id="double-bracket"),
        pytest.param("if [ -f /etc/default/x ]; then\n  . /etc/default/x\nfi", id="if-then"),
    ],
)
def test_parse_shell_sources_a_file_guarded_by_its_own_existence(guard: str) -> None:
    # The file is known (installed): only the values as sourced.
    script = parse_shell(located(f"OPTS=-v\n{guard}\nrun $OPTS"), "f.pp", source=DEFAULTS.get)
    runs = [argv(c) for c in script.commands if c.words[0].text == "run"]
    assert runs == [["run", "-q"]]
    run = next(c for c in script.commands if c.words[0].text == "run")
    assert run.words[1].through == (Span("defaults/x", 1, 1, 1, 10),)


@pytest.mark.parametrize(
    "guard",
    [
        pytest.param("[ -x /usr/bin/php ] && . /etc/default/x", id="other-test"),
        pytest.param('if [ "$ENABLED" = yes ]; then . /etc/default/x; fi', id="if-other"),
        pytest.param("test -f /etc/default/y && . /etc/default/x", id="other-file"),
    ],
)
def test_parse_shell_other_guards_give_both_values(guard: str) -> None:
    script = parse_shell(located(f"OPTS=-v\n{guard}\nrun $OPTS"), "f.pp", source=DEFAULTS.get)
    runs = sorted(argv(c) for c in script.commands if c.words[0].text == "run")
    assert runs == [["run", "-q"], ["run", "-v"]]


def test_parse_shell_guarded_source_of_an_unknown_file_keeps_values() -> None:
    script = parse_shell(
        located("OPTS=-v\ntest -f /etc/default/z && . /etc/default/z\nrun $OPTS"),
        "f.pp",
        source=DEFAULTS.get,
    )
    assert [argv(c) for c in script.commands if c.words[0].text == "run"] == [["run", "-v"]]


def test_parse_shell_guarded_source_reaches_commands_in_a_case() -> None:
    text = (
        "OPTS=-v\ntest -f /etc/default/x && source /etc/default/x\n"
        'case "$1" in\n  start)\n    run -- $OPTS\n    ;;\nesac\n'
    )
    script = parse_shell(located(text), "f.pp", source=DEFAULTS.get)
    assert [argv(c) for c in script.commands if c.words[0].text == "run"] == [["run", "--", "-q"]]
