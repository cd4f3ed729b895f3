"""Interfaces read from bash: getopts, GNU getopt, hand-written case loops, usage text, ERB."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.interfaces import read_interface
from driftlint.model import Interface, Option, Positional, Span

P = "modules/m/files/s.sh"


def read(text: str, path: str = P) -> Interface:
    found = read_interface(path, text, "s")
    assert found is not None
    return found


def shape(i: Interface) -> list[tuple[tuple[str, ...], bool, bool]]:
    return [(o.names, o.takes_value, o.optional_value) for o in i.options]


def flags(i: Interface) -> tuple[bool, ...]:
    return (
        i.bundling,
        i.attached_values,
        i.long_equals,
        i.abbreviations,
        i.interleaved,
        i.single_dash_long,
        i.accepts_unknown,
    )


GETOPTS = """#!/bin/bash
# Usage: s [-t timeout] [-v] <dir>
while getopts ":t:vh" opt; do
  case $opt in
    t) T=$OPTARG ;;
    v) V=1 ;;
  esac
done
shift $((OPTIND - 1))
ls "$1"
"""

GETOPT = """#!/bin/bash
OPTS=$(getopt -o t:v::n -l timeout:,verbose::,dry-run -n s -- "$@")
eval set -- "$OPTS"
while true; do
  case "$1" in
    -t|--timeout) T=$2; shift 2 ;;
    -n | --dry-run) N=1; shift ;;
    --) shift; break ;;
  esac
done
"""

CASE_REJECT = """#!/bin/bash
while [ $# -gt 0 ]; do
  case "$1" in
    -t|--timeout) T="$2"; shift 2 ;;
    --wiki=*) W="${1#*=}"; shift ;;
    -q) shift; Q=$1; shift ;;
    -v|--verbose) V=1; shift ;;
    --) shift; break ;;
    -*) echo "unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done
"""

CASE_PASS = """#!/bin/bash
ARGS=()
while [[ -n "$1" ]]; do
  case $1 in
    -n) N=1 ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done
"""

SYNOPSIS_ERB = """#!/bin/bash
# This file is managed by Puppet on <%= @fqdn %>.
#
# SYNOPSIS
#   jobs-loop.sh [-t timeout] [job_type]
#
timeout=<%= @timeout %>
while getopts "t:" optname; do
    case "$optname" in
        t) timeout=$OPTARG ;;
        *) exit 1 ;;
    esac
done
"""


@pytest.mark.parametrize(
    ("text", "dialect", "options", "flag_values"),
    [
        pytest.param(
            GETOPTS,
            "getopts",
            [(("-t",), True, False), (("-v",), False, False), (("-h",), False, False)],
            (True, True, False, False, False, False, False),
            id="getopts-silent-colon",
        ),
        pytest.param(
            GETOPT,
            "getopt_long",
            [
                (("-t", "--timeout"), True, False),
                (("-v",), True, True),
                (("-n", "--dry-run"), False, False),
                (("--verbose",), True, True),
            ],
            (True, True, True, True, True, False, False),
            id="getopt-long-paired",
        ),
        pytest.param(
            GETOPT.replace("-o t:", "-o +t:"),
            "getopt_long",
            [
                (("-t", "--timeout"), True, False),
                (("-v",), True, True),
                (("-n", "--dry-run"), False, False),
                (("--verbose",), True, True),
            ],
            (True, True, True, True, False, False, False),
            id="getopt-plus-stops",
        ),
        pytest.param(
            CASE_REJECT,
            "manual",
            [
                (("-t", "--timeout"), True, False),
                (("--wiki",), True, False),
                (("-q",), True, False),
                (("-v", "--verbose"), False, False),
            ],
            (False, False, True, False, False, False, False),
            id="case-rejects-breaks",
        ),
        pytest.param(
            CASE_PASS,
            "manual",
            [(("-n",), False, False)],
            (False, False, False, False, True, False, True),
            id="case-collects-unknown",
        ),
        pytest.param(
            SYNOPSIS_ERB,
            "getopts",
            [(("-t",), True, False)],
            (True, True, False, False, False, False, False),
            id="erb-synopsis-getopts",
        ),
    ],
)
def test_shell_dialects(
    text: str,
    dialect: str,
    options: list[tuple[tuple[str, ...], bool, bool]],
    flag_values: tuple[bool, ...],
) -> None:
    path = "modules/m/templates/jobs-loop.sh.erb" if "<%" in text else P
    found = read(text, path)
    assert found.dialect == dialect
    assert shape(found) == options
    assert flags(found) == flag_values


def test_getopts_spans_point_at_optstring_letters() -> None:
    found = read(GETOPTS)
    assert [o.span for o in found.options] == [
        Span(P, 3, 17, 3, 18),
        Span(P, 3, 19, 3, 20),
        None,  # `h` has no `case` arm: accepted, but nothing to document (issue 26 §3)
    ]
    assert found.source is not None and found.source.line == 3


def test_getopts_positionals_come_from_usage_and_drift_warns() -> None:
    found = read(GETOPTS)
    assert found.positionals == (Positional("dir", 1, 1, None, Span(P, 2, 30, 2, 35)),)
    assert [(e.code, e.span, e.argument) for e in found.errors] == []
    drift = read(GETOPTS.replace("[-v] ", "[-v] [-x] "))
    assert [(e.code, e.span.column, e.argument) for e in drift.errors] == [
        ("undocumented-option", 31, "-x")
    ]
    assert [o.sources for o in found.options[:2]] == [frozenset({"code", "text"})] * 2


def test_a_getopts_letter_without_an_arm_is_refused_by_a_rejecting_catch_all() -> None:
    text = (
        "#!/bin/bash\n# Usage: s [-a] [-b]\n"
        "while getopts 'abc' o; do case $o in a) A=1;; b) B=1;; *) exit 1;; esac; done\n"
    )
    found = read_interface(P, text, "s")
    assert found is not None and found.option_names() == ["-a", "-b"] and found.errors == ()
    silent = read_interface(P, text.replace(" *) exit 1;;", ""), "s")
    assert silent is not None and silent.option_names() == ["-a", "-b", "-c"]
    assert silent.errors == ()  # no undocumented-option for the arm-less `-c`


def test_text_cannot_require_an_operand_the_code_never_reads() -> None:
    # issue 26 §3: getopts, then nothing reads what is left: `<dir>` is at most optional
    found = read(GETOPTS.replace('shift $((OPTIND - 1))\nls "$1"\n', ""))
    assert found.positionals == (Positional("dir", 0, 1, None, Span(P, 2, 30, 2, 35)),)


@pytest.mark.parametrize(
    "usage",
    [
        pytest.param('echo "usage: $0 options"', id="bare-options"),
        pytest.param(
            "# Usage: s [OPTION]...\n#   -h   Get help\n#   -v   Verbose", id="help-lines"
        ),
        pytest.param('echo "Usage: $0 OPTIONS"\necho " -v  verbose"', id="echoed-help"),
    ],
)
def test_options_words_and_help_lines_are_no_operands(usage: str) -> None:
    text = (
        f"#!/bin/bash\n{usage}\nwhile getopts 'hv' o; do case $o in h) exit;; v) V=1;; esac; done\n"
    )
    found = read_interface(P, text, "s")
    assert found is not None and found.positionals == ()
    assert found.option_names() == ["-h", "-v"]


def test_code_option_missing_from_text_warns_at_the_code() -> None:
    found = read(GETOPTS.replace("[-v] ", ""))
    assert [(e.code, e.span, e.argument) for e in found.errors] == [
        ("undocumented-option", Span(P, 3, 19, 3, 20), "-v")
    ]


def test_erb_synopsis_keeps_columns() -> None:
    found = read(SYNOPSIS_ERB, "modules/m/templates/jobs-loop.sh.erb")
    assert found.positionals[0].name == "job_type"
    assert found.positionals[0].span == Span("modules/m/templates/jobs-loop.sh.erb", 5, 32, 5, 40)
    assert found.options[0].span == Span("modules/m/templates/jobs-loop.sh.erb", 8, 16, 8, 17)


def test_a_plain_script_reads_no_arguments() -> None:
    found = read_interface(P, "#!/bin/bash\n# backup things\nrsync -a /a /b\n", "s")
    assert found is not None
    assert (found.dialect, found.positionals, found.options) == ("positional", (), ())


USAGE_HEREDOC = """#!/bin/bash
usage() {
    cat <<EOF
Usage: $0 [options] (start | stop) <name>...

Options:
  -t, --timeout=<seconds>   Stop after this long [default: 300].
  -n, --dry-run             Print only.
EOF
}
exec foo "$@"
"""

USAGE_ECHO = """#!/bin/sh
usage() {
  echo "Usage: $(basename $0) [-f FILE] [-q] [--] [target]"
  exit 1
}
"""


@pytest.mark.parametrize(
    ("text", "options", "positionals"),
    [
        pytest.param(
            USAGE_HEREDOC,
            [(("-t", "--timeout"), True, False), (("-n", "--dry-run"), False, False)],
            [("start|stop", 1, 1, ("start", "stop")), ("name", 1, None, None)],
            id="heredoc-docopt",
        ),
        pytest.param(
            USAGE_ECHO,
            [(("-f",), True, False), (("-q",), False, False)],
            [("target", 0, 1, None)],
            id="echo-usage",
        ),
        pytest.param(
            "#!/bin/bash\n# Usage: s [-a] ARG [REST...]\nexec x\n",
            [(("-a",), False, False)],
            [("ARG", 1, 1, None), ("REST", 0, None, None)],
            id="comment-repeat",
        ),
    ],
)
def test_usage_text_only(
    text: str,
    options: list[tuple[tuple[str, ...], bool, bool]],
    positionals: list[tuple[str, int, int | None, tuple[str, ...] | None]],
) -> None:
    found = read(text)
    assert found.dialect == "docopt"
    assert shape(found) == options
    assert [(p.name, p.min, p.max, p.choices) for p in found.positionals] == positionals
    assert all(o.sources == frozenset({"text"}) for o in found.options)


def test_docopt_option_line_spans_and_help() -> None:
    found = read(USAGE_HEREDOC)
    assert found.options[0].span == Span(P, 7, 3, 7, 5)
    assert found.options[0].help == "Stop after this long ."
    assert found.source is not None and found.source.line == 4


def test_prose_usage_is_not_a_pattern() -> None:
    # no pattern is read from the prose; the code, which reads nothing, decides
    found = read_interface(P, "#!/bin/bash\n# usage: run this from cron daily\nx\n", "s")
    assert found is not None and (found.dialect, found.positionals) == ("positional", ())


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is the oracle")
@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["-t", "5", "-v", "x"], id="sep"),
        pytest.param(["-vt5"], id="bundle"),
        pytest.param(["x", "-v"], id="stops"),
        pytest.param(["-z"], id="unknown"),
    ],
)
def test_getopts_flags_agree_with_bash(argv: list[str]) -> None:
    """Bash's own getopts (run on our fixture only) sees the options our flags promise."""
    script = 'while getopts ":t:vh" o; do echo "$o${OPTARG:+=$OPTARG}"; done'
    done = subprocess.run(
        ["bash", "-c", script, "s", *argv], capture_output=True, text=True, check=True
    )
    seen = done.stdout.split()
    found = read(GETOPTS)
    names = set(found.option_names())
    if argv == ["x", "-v"]:
        assert seen == [] and not found.interleaved
    elif argv == ["-z"]:
        assert seen == ["?=z"] and "-z" not in names
    else:
        assert {"-" + s[0] for s in seen} <= names and found.bundling and found.attached_values


BASH_LINES = st.sampled_from(
    GETOPTS.splitlines()
    + GETOPT.splitlines()
    + CASE_REJECT.splitlines()
    + USAGE_HEREDOC.splitlines()
    + ["<%= x %>", "esac", ";;", "case $1 in", "getopts", 'getopt -o "']
)


@settings(max_examples=200, deadline=None)
@given(st.lists(BASH_LINES, max_size=30), st.sampled_from([P, P + ".erb", "s.txt"]))
def test_mutated_bash_never_raises(lines: list[str], path: str) -> None:
    read_interface(path, "#!/bin/bash\n" + "\n".join(lines), "s")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from([P, "x.py", "x.erb", "u.txt", "x.interface.yaml"]))
def test_arbitrary_text_never_raises(text: str, path: str) -> None:
    found = read_interface(path, text, "s")
    assert found is None or isinstance(found, Interface)


def test_option_record_defaults_are_what_binder_expects() -> None:
    assert Option(("-x",)).nargs == 1


def test_a_value_written_as_a_glued_list_is_the_options_value() -> None:
    """`--mirrors <host>,<host>,<host>...` (a usage line of a real dumps script): the list is
    the option's one value word, not a required operand `,<host>,<host>`."""
    from driftlint.interfaces import read_interface

    script = "fixtures/usage-option-value-written-as-a-list/modules/mirror/files/push-mirrors.sh"
    path = Path(__file__).parent.parent / script
    found = read_interface(script, path.read_text(), "push-mirrors", None)
    assert found is not None
    assert all(p.min == 0 for p in found.positionals), found.positionals
    takes = {n: o.takes_value for o in found.options for n in o.names}
    assert takes["--archive"] and takes["--mirrors"] and not takes["--dry-run"]


@pytest.mark.parametrize(
    ("text", "most"),
    [
        pytest.param("f() {\n  echo $1\n}\nf x\n", 0, id="function-arguments-are-its-own"),
        pytest.param('f() {\n  echo $1\n}\nf "$2"\n', 2, id="passed-from-the-top-level"),
        pytest.param('main() {\n  echo "$@"\n}\nmain "$@"\n', None, id="all-handed-on"),
        pytest.param('warn() { echo "$1" >&2; }\nwarn hi\n', 0, id="one-line-function"),
        pytest.param("f() {\n  echo $1; }\nf\n", 1, id="no-plain-end-keeps-all"),
        pytest.param("echo hi\nawk '{print $1}' /etc/x\n", 0, id="single-quoted-awk"),
        pytest.param(". /etc/default/x\necho $X\n", None, id="sourcing-hands-them-on"),
        pytest.param("for host; do ssh $host; done\n", None, id="for-without-in"),
        pytest.param("cat <<'EOF'\n$1\nEOF\n", 0, id="quoted-heredoc"),
        pytest.param("cat <<EOF\nit's $1\nEOF\n", 1, id="heredoc-expands"),
    ],
)
def test_operands_a_script_without_a_parser_reads(text: str, most: int | None) -> None:
    found = read_interface(P, "#!/bin/bash\n" + text, "s")
    assert found is not None and found.dialect == "positional"
    assert (found.positionals[0].max if found.positionals else 0) == most


@pytest.mark.parametrize(
    ("text", "low", "most"),
    [
        pytest.param(
            "if [ $# -ne 2 ]; then\n  echo bad >&2\n  exit 1\nfi\necho $1 $2\n",
            2,
            2,
            id="exactly-two",
        ),
        pytest.param(
            '[ $# -lt 1 ] && { echo usage; exit 1; }\nfor f in "$@"; do :; done\n',
            1,
            None,
            id="at-least-one",
        ),
        pytest.param("[ $# -gt 1 ] && exit 2\necho $1\n", 0, 1, id="at-most-one"),
        pytest.param("[ $# -eq 0 ] && exit 0\necho $1\n", 0, 1, id="exit-0-is-no-refusal"),
        pytest.param(
            "if [ $# -eq 0 ]; then\n  HOST=localhost\nfi\necho $1\n",
            0,
            1,
            id="a-default-is-no-refusal",
        ),
        pytest.param("x=${1:?need x}\ny=${2:?need y}\n", 2, 2, id="required-expansions"),
        pytest.param("f() {\n  [ $# -eq 2 ] || exit 1\n}\nf a b\n", 0, 0, id="tests-in-functions"),
    ],
)
def test_count_tests_that_refuse_the_call(text: str, low: int, most: int | None) -> None:
    found = read_interface(P, "#!/bin/bash\n" + text, "s")
    assert found is not None and found.dialect == "positional"
    slot = found.positionals[0] if found.positionals else None
    assert ((slot.min, slot.max) if slot else (0, 0)) == (low, most)


def test_an_erb_tag_alone_on_a_line_leaves_the_interface_unknown() -> None:
    text = "#!/bin/bash\n# generated\n<%= @body %>\n"
    assert read_interface("modules/m/templates/x.sh.erb", text, "x") is None
