"""Tests for driftlint.parse.wrappers: looking through wrapper commands to the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span
from driftlint.parse.shell import Command, parse_shell
from driftlint.parse.wrappers import (
    Wrapper,
    WrapperTable,
    default_wrappers,
    load_wrappers,
    unwrap,
)

TABLE = default_wrappers()


def inner(text: str, table: WrapperTable = TABLE) -> list[list[str]]:
    command = parse_shell(LText.literal(text, "f.pp", 3, 20), "f.pp").commands[-1]
    return [[w.text for w in c.words] for c in unwrap(command, table, "f.pp")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("/usr/local/bin/x -v", [["/usr/local/bin/x", "-v"]], id="not-a-wrapper"),
        pytest.param(
            "sudo -u www-data nice -n 19 timeout 1h /usr/local/bin/x -v",
            [["/usr/local/bin/x", "-v"]],
            id="chain",
        ),
        pytest.param("nice -n19 x -a", [["x", "-a"]], id="nice-attached"),
        pytest.param("/usr/bin/nice -19 x -a", [["x", "-a"]], id="nice-absolute-legacy"),
        pytest.param("ionice -c3 x -a", [["x", "-a"]], id="ionice"),
        pytest.param("ionice -c 2 -n 7 x -a", [["x", "-a"]], id="ionice-separate"),
        pytest.param("sudo -u u -E A=1 x -a", [["x", "-a"]], id="sudo-assignment"),
        pytest.param("sudo -- x -a", [["x", "-a"]], id="sudo-separator"),
        pytest.param("su u -c 'x -a; y -b'", [["x", "-a"], ["y", "-b"]], id="su-user-first"),
        pytest.param("su -c 'x -a' u", [["x", "-a"]], id="su-command-first"),
        pytest.param("su -s /bin/sh u -c 'x -a'", [["x", "-a"]], id="su-shell"),
        pytest.param("su - u", [], id="su-no-command"),
        pytest.param("runuser -u u -- x -a", [["x", "-a"]], id="runuser-u"),
        pytest.param("runuser -l u -c 'x -a'", [["x", "-a"]], id="runuser-login"),
        pytest.param("flock -n -w 5 /l x -a", [["x", "-a"]], id="flock"),
        pytest.param("flock /l -c 'x -a'", [["x", "-a"]], id="flock-c"),
        pytest.param("timeout -k 5 -s KILL 10m x -a", [["x", "-a"]], id="timeout"),
        pytest.param("timeout --signal=KILL 10m x -a", [["x", "-a"]], id="timeout-long"),
        pytest.param("env -u X A=1 x -a", [["x", "-a"]], id="env"),
        pytest.param("env -i x -a", [["x", "-a"]], id="env-flag"),
        pytest.param("sh -c 'x -a'", [["x", "-a"]], id="sh-c"),
        pytest.param("bash -lc 'x -a | y -b'", [["x", "-a"], ["y", "-b"]], id="bash-lc"),
        pytest.param("bash -o pipefail -c 'x -a'", [["x", "-a"]], id="bash-o"),
        pytest.param("bash /usr/local/bin/x -a", [["/usr/local/bin/x", "-a"]], id="bash-script"),
        pytest.param(
            "start-stop-daemon --start --quiet --pidfile /p --exec /usr/bin/d -- -a x",
            [["/usr/bin/d", "-a", "x"]],
            id="start-stop-daemon-exec",
        ),
        pytest.param(
            "start-stop-daemon -S -x /usr/bin/d -a /usr/bin/e -- -b",
            [["/usr/bin/e", "-b"]],
            id="start-stop-daemon-startas-wins",
        ),
        pytest.param("start-stop-daemon --stop --pidfile /p", [], id="start-stop-daemon-stop"),
        pytest.param("chpst -u user x -a", [["x", "-a"]], id="chpst"),
        pytest.param("systemd-run --unit=x -p K=V --wait x -a", [["x", "-a"]], id="systemd-run"),
        pytest.param("exec x -a", [["x", "-a"]], id="exec"),
        pytest.param("nohup x -a", [["x", "-a"]], id="nohup"),
        pytest.param("php -q /srv/r.php -a", [["/srv/r.php", "-a"]], id="php-script"),
        pytest.param("php -d x=1 -f /srv/r.php -- -a", [["/srv/r.php", "-a"]], id="php-f"),
        pytest.param("php -r 'echo 1;'", [], id="php-code-runs-no-file"),
        pytest.param(
            "gnome-terminal --title w -x /usr/local/bin/w.sh run -c f",
            [["/usr/local/bin/w.sh", "run", "-c", "f"]],
            id="gnome-terminal-x",
        ),
        pytest.param(
            "sudo -u u sh -c 'timeout 5 x -a && nice y -b'",
            [["x", "-a"], ["y", "-b"]],
            id="shell-string-unwrapped-again",
        ),
        pytest.param(
            "xautolock -time 5 -locker '/usr/local/bin/lock -g 10' -noclose",
            [["/usr/local/bin/lock", "-g", "10"]],
            id="xautolock-locker-single-dash-long-option",
        ),
        pytest.param("xautolock -time 5 -noclose", [], id="xautolock-without-locker"),
    ],
)
def test_unwrap_finds_wrapped_command(text: str, expected: list[list[str]]) -> None:
    assert inner(text) == expected


def test_unwrap_locates_words_inside_command_strings() -> None:
    command = parse_shell(LText.literal("su u -c 'x -a'", "f.pp", 3, 20), "f.pp").commands[0]
    (found,) = unwrap(command, TABLE, "f.pp")
    assert [w.span for w in found.words] == [
        Span("f.pp", 3, 29, 3, 30),
        Span("f.pp", 3, 31, 3, 33),
    ]


def test_unwrap_carries_assignments_and_passthrough() -> None:
    command = parse_shell(LText.plain('env A=1 x -a "$@"'), "f.pp").commands[0]
    (found,) = unwrap(command, TABLE, "f.pp")
    assert [(k, v.text) for k, v in found.assignments] == [("A", "1")]
    assert found.passthrough


def test_unwrap_keeps_program_from_variable() -> None:
    text = "D=/usr/bin/d; start-stop-daemon --start --exec $D -- -a"
    assert inner(text) == [["/usr/bin/d", "-a"]]
    assert inner("start-stop-daemon --start --exec $X -- -a") == [[SYMBOL, "-a"]]


def test_unwrap_dynamic_argv0_is_not_a_wrapper() -> None:
    assert inner("$W x -a") == [[SYMBOL, "x", "-a"]]


def test_load_wrappers_later_pack_wins(tmp_path: Path) -> None:
    pack = tmp_path / "extra.yaml"
    pack.write_text(
        "wrappers:\n  - names: [kerberos-run-command]\n    skip: 1\n    argv: true\n"
        "  - names: [nice]\n    argv: false\n",
        encoding="utf-8",
    )
    table = load_wrappers([Path("rules/wrappers.yaml"), pack])
    assert inner("kerberos-run-command user x -a", table) == [["x", "-a"]]
    assert inner("nice x -a", table) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("wrappers: 3\n", id="not-a-list"),
        pytest.param("wrappers:\n  - names: [x]\n    skip: many\n", id="bad-skip"),
        pytest.param(": : :\n", id="bad-yaml"),
    ],
)
def test_load_wrappers_rejects_bad_packs(tmp_path: Path, content: str) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        load_wrappers([pack])


def test_default_wrappers_cover_the_families() -> None:
    for name in (
        "nice",
        "ionice",
        "sudo",
        "su",
        "runuser",
        "flock",
        "timeout",
        "env",
        "sh",
        "bash",
        "start-stop-daemon",
        "chpst",
        "systemd-run",
        "exec",
    ):
        assert TABLE.find(name) is not None, name
    assert TABLE.find("/usr/bin/timeout") is TABLE.find("timeout")


WORDS = st.sampled_from(
    [
        "sudo",
        "-u",
        "su",
        "-c",
        "'x -a'",
        "--",
        "nice",
        "-n",
        "timeout",
        "env",
        "A=1",
        "bash",
        "-lc",
        "flock",
        "--exec",
        "start-stop-daemon",
        "$X",
        "x",
        "-a",
        SYMBOL,
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=12).map(" ".join))
def test_unwrap_never_raises(text: str) -> None:
    for command in parse_shell(LText.literal(text, "f.pp", 1, 1), "f.pp").commands:
        for found in unwrap(command, TABLE, "f.pp"):
            assert isinstance(found, Command)
            assert all(w.span.path == "f.pp" for w in found.words)


def test_unwrap_keeps_a_wrapper_that_is_watched_itself() -> None:
    command = parse_shell(LText.literal("nice -n 5 w -s x y -a", "f.pp", 1, 1), "f.pp").commands[0]
    table = WrapperTable({**TABLE.by_name, "w": Wrapper(("w",), values=frozenset({"-s"}))})
    found = unwrap(command, table, "f.pp", lambda argv0: argv0 == "w")
    assert [[w.text for w in c.words] for c in found] == [["w", "-s", "x", "y", "-a"], ["y", "-a"]]
