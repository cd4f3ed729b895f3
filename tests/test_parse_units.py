"""Tests for driftlint.parse.units: systemd units, environment files and crontabs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span
from driftlint.parse.units import parse_crontab, parse_env_file, parse_unit, unit_commands

UNIT = """\
[Unit]
Description=demo
[Service]
Environment="OPTS=-a  -b" B=2
EnvironmentFile=-/etc/default/demo
ExecStartPre=-/bin/mkdir -p /run/demo
ExecStart=@/usr/bin/demo demo $OPTS ${OPTS} \\
  --flag "two words" %i $UNKNOWN $$HOME 100%%
ExecStop=+/usr/bin/stop ${B}x 'it\\'s'
"""


def unit_text(text: str) -> LText:
    return LText.literal(text, "demo.service", 1, 1)


def argvs(text: str) -> list[list[str]]:
    return [[w.text for w in c.words] for c in unit_commands(parse_unit(unit_text(text), "u"))]


def test_parse_unit_reads_keys() -> None:
    unit = parse_unit(unit_text(UNIT), "demo.service")
    assert [k for k, _ in unit.exec_lines] == ["ExecStartPre", "ExecStart", "ExecStop"]
    assert unit.exec_lines[0][1].text == "/bin/mkdir -p /run/demo"
    assert {k: v.text for k, v in unit.environment.items()} == {"OPTS": "-a  -b", "B": "2"}
    assert unit.environment["B"].span() == Span("demo.service", 4, 29, 4, 30)
    assert unit.environment_files == ("/etc/default/demo",)
    assert unit.errors == ()


def test_unit_commands_split_like_systemd() -> None:
    assert argvs(UNIT) == [
        ["/bin/mkdir", "-p", "/run/demo"],
        ["/usr/bin/demo", "-a", "-b", "-a  -b", "--flag", "two words", SYMBOL, SYMBOL,
         "$HOME", "100%"],
        ["/usr/bin/stop", "2x", "it's"],
    ]  # fmt: skip


def test_unit_commands_locate_words_across_continuations() -> None:
    commands = unit_commands(parse_unit(unit_text(UNIT), "demo.service"))
    words = {w.text: w for w in commands[1].words}
    assert words["--flag"].span == Span("demo.service", 8, 3, 8, 9)
    assert words["two words"].span == Span("demo.service", 8, 11, 8, 20)
    assert words["-b"].span == Span("demo.service", 4, 23, 4, 25)
    assert words["two words"].quoted and not words["--flag"].quoted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n", [["/bin/b"]], id="reset"),
        pytest.param("ExecStart=-!!/bin/a -x\n", [["/bin/a", "-x"]], id="prefixes"),
        pytest.param("ExecStart=@/bin/a name -x\n", [["/bin/a", "-x"]], id="argv0-override"),
        pytest.param("# ExecStart=/bin/x\n;x\nExecStart=/bin/a\n", [["/bin/a"]], id="comments"),
        pytest.param(
            "ExecStart=/bin/a \\\n# note\n  -x\n", [["/bin/a", "-x"]], id="comment-in-continuation"
        ),
        pytest.param(
            "ExecStart=/bin/a a$X\n", [["/bin/a", "a$X"]], id="dollar-inside-word-literal"
        ),
        pytest.param('ExecStart=/bin/a "$X"\n', [["/bin/a", "$X"]], id="dollar-quoted"),
        pytest.param(
            "ExecStart=/bin/sleep 10 ; /bin/bash /b.sh\n",
            [["/bin/sleep", "10"], ["/bin/bash", "/b.sh"]],
            id="lone-semicolon-separates",
        ),
        pytest.param(
            "ExecStart=/bin/find /x -exec rm {} \\;\n",
            [["/bin/find", "/x", "-exec", "rm", "{}", ";"]],
            id="escaped-semicolon-is-a-word",
        ),
        pytest.param(
            'ExecStart=/bin/echo ";" b\n', [["/bin/echo", ";", "b"]], id="quoted-semicolon"
        ),
    ],
)
def test_unit_commands_shapes(text: str, expected: list[list[str]]) -> None:
    assert argvs(text) == expected


def test_parse_unit_reports_bad_lines() -> None:
    unit = parse_unit(unit_text("[Service]\nthis is not a key\n"), "demo.service")
    assert [(e.code, e.span.line) for e in unit.errors] == [("parse-error", 2)]


def test_parse_env_file() -> None:
    text = LText.literal(
        "# defaults\nBASE=/srv\nexport DAEMON_OPTS=\"-d $BASE --x\"\nZ='a b' # c\n",
        "default/demo",
        1,
        1,
    )
    env = parse_env_file(text, "default/demo")
    assert {k: v.text for k, v in env.items()} == {
        "BASE": "/srv",
        "DAEMON_OPTS": "-d /srv --x",
        "Z": "a b",
    }
    assert env["DAEMON_OPTS"].span() == Span("default/demo", 3, 21, 3, 33)
    assert env["DAEMON_OPTS"][3:7].span() == Span("default/demo", 2, 6, 2, 10)


@pytest.mark.parametrize(
    ("text", "system", "expected"),
    [
        pytest.param("*/5 * * * * /usr/bin/x -a\n", False, ["/usr/bin/x -a"], id="user"),
        pytest.param("0 1 * * * root /usr/bin/x -a\n", True, ["/usr/bin/x -a"], id="system"),
        pytest.param("@reboot root /usr/bin/x\n", True, ["/usr/bin/x"], id="nickname"),
        pytest.param("@daily /usr/bin/x\n", False, ["/usr/bin/x"], id="nickname-user"),
        pytest.param("MAILTO=root\nPATH = /bin\n", True, [], id="environment"),
        pytest.param("# 0 1 * * * x\n\n", False, [], id="comment"),
        pytest.param("0 1 * * * x -d 50\\% % input\n", False, ["x -d 50%"], id="percent"),
        pytest.param("0 1 * * * x\t-a  \n", False, ["x\t-a"], id="tabs"),
    ],
)
def test_parse_crontab(text: str, system: bool, expected: list[str]) -> None:
    found = parse_crontab(LText.literal(text, "cron.d/x", 1, 1), "cron.d/x", system)
    assert [c.text for c in found] == expected


def test_parse_crontab_locates_command() -> None:
    text = LText.literal("MAILTO=x\n0 1 * * * root /usr/bin/x -d 5\\%\n", "cron.d/x", 1, 1)
    (command,) = parse_crontab(text, "cron.d/x", True)
    assert command.span() == Span("cron.d/x", 2, 16, 2, 33)
    assert command.loc(len(command.text) - 1) == ("cron.d/x", 2, 32)


TEXT = st.lists(
    st.sampled_from([*list("ab =$%@-!'\"\\{}#;[]\n\t*"), SYMBOL, "ExecStart=", "Environment="]),
    max_size=60,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_unit_parsers_never_raise(text: str) -> None:
    located = LText.literal(text, "u", 1, 1)
    for command in unit_commands(parse_unit(located, "u")):
        for word in command.words:
            assert word.span.path == "u" and 1 <= word.span.line <= text.count("\n") + 1
    parse_env_file(located, "u")
    for line in parse_crontab(located, "u", True) + parse_crontab(located, "u", False):
        assert line.text
