"""Interfaces of the scripts real trees install (issue #14): Python 2, Python getopt, Perl,
Ruby, init scripts whose code decides, and usage text in the shapes real scripts write it."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.argv.binder import bind_argv
from driftlint.interfaces import read_interface
from driftlint.interfaces.perl import read_perl
from driftlint.interfaces.py2 import as_python3, parse_either
from driftlint.interfaces.ruby import read_ruby
from driftlint.interfaces.shellcode import first_word_case, required_count, runs_all_words
from driftlint.model import Interface, Span, Word
from driftlint.parse.puppet import parse_manifest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def read(text: str, path: str) -> Interface:
    found = read_interface(path, text, path.rsplit("/", 1)[-1])
    assert found is not None
    return found


def options(found: Interface) -> dict[str, tuple[bool, int]]:
    return {n: (o.takes_value, o.nargs) for o in found.options for n in o.names}


def positionals(found: Interface) -> list[tuple[str, int, int | None]]:
    return [(p.name, p.min, p.max) for p in found.positionals]


def problems(found: Interface, argv: str) -> list[str]:
    span = Span("x", 1, 1, 1, 2)
    words = [Word(w, span) for w in argv.split()]
    return sorted(p.code for p in bind_argv(words, found).problems)


# --- Python 2 ---------------------------------------------------------------------------------
PY2 = """#!/usr/bin/python
import optparse, sys
try:
    import json
except ImportError, e:
    print >>sys.stderr, "no json: %s" % e
    raise SystemExit, 2
p = optparse.OptionParser()
p.add_option("-k", "--keep", type="int")
print "x", `p`, 0700, 10L, ur"é"
exec "y = 1" in {}
if 1 <> 2: pass
"""


def test_python2_rewrite_keeps_every_line_length() -> None:
    out = as_python3(PY2)
    assert out is not None
    ast.parse(out)
    assert [len(line) for line in out.split("\n")] == [len(line) for line in PY2.split("\n")]


def test_python2_optparse_is_read_with_positions() -> None:
    found = read(PY2, "modules/m/files/keep.py")
    assert found.dialect == "optparse"
    keep = found.find_option("--keep")
    assert keep is not None and keep.takes_value
    assert keep.span is not None and (keep.span.line, keep.span.column) == (9, 15)
    assert not [e for e in found.errors if e.code == "parse-error"]


def test_python3_text_is_left_as_it_is() -> None:
    text = "import sys\nprint(sys.argv)\n"
    either = parse_either(text)
    assert either is not None and either[1] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("exec 'x' in y\n", True, id="exec"),
        pytest.param("def f(:\n", False, id="broken-in-both"),
    ],
)
def test_parse_either(text: str, expected: bool) -> None:
    assert (parse_either(text) is not None) is expected


PY_GETOPT = """import getopt, sys
opts, args = getopt.gnu_getopt(sys.argv[1:], "vo:", ["verbose", "output="])
"""


def test_python_getopt_is_read() -> None:
    found = read(PY_GETOPT, "modules/m/files/g.py")
    assert found.dialect == "getopt_long" and found.interleaved
    assert options(found) == {
        "-v": (False, 1),
        "-o": (True, 1),
        "--verbose": (False, 1),
        "--output": (True, 1),
    }
    assert problems(found, "-o f --verb x") == []
    assert problems(found, "--outpt f") == ["unknown-option"]


def test_parser_handed_to_another_module_accepts_any_option() -> None:
    text = (
        "from optparse import OptionParser\nimport lib\np = OptionParser()\n"
        'p.add_option("-v", action="store_true")\nlib.add_options(p)\np.parse_args()\n'
    )
    found = read(text, "modules/m/files/s.py")
    assert found.accepts_unknown
    assert problems(found, "-v --from-lib") == []


# --- Perl and Ruby ----------------------------------------------------------------------------
PERL = """#!/usr/bin/perl
use Getopt::Long;
GetOptions('name|n=s' => \\$n, 'verbose!' => \\$v, 'level:i' => \\$l, 'sub' => sub { 'x,' })
  or die;
"""


def test_perl_getopt_long_specs() -> None:
    found = read_perl("p", PERL, "p")
    assert found is not None
    got = options(found)
    assert got["--name"] == (True, 1) and got["-n"] == (True, 1)
    assert got["--noverbose"] == (False, 1) and got["--no-verbose"] == (False, 1)
    assert got["--level"] == (True, -3)
    assert "--sub" in got and "--x" not in got
    assert problems(found, "--name a --level --verbose") == []
    assert problems(found, "--nam a -q") == ["unknown-option"]


def test_perl_getopt_std() -> None:
    found = read_perl("p", "#!/usr/bin/perl\nuse Getopt::Std;\ngetopts('ab:');\n", "p")
    assert found is not None and found.dialect == "getopts"
    assert options(found)["-b"] == (True, 1) and options(found)["-a"] == (False, 1)


def test_perl_usage_text_without_a_parser_is_not_read() -> None:
    # Perl's usage text alone would mislead: the code never reads @ARGV, so it takes nothing
    found = read_interface("p", "#!/usr/bin/perl\n# Usage: p [-x]\nprint 1;\n", "p")
    assert found is not None and (found.dialect, found.options, found.positionals) == (
        "positional",
        (),
        (),
    )


def test_perl_that_loads_an_unknown_module_is_unknown() -> None:
    assert read_interface("p", "#!/usr/bin/perl\nuse Local::Tool;\nrun();\n", "p") is None


RUBY = """#!/usr/bin/env ruby
require 'optparse'
OptionParser.new do |o|
  o.on('-n', '--name NAME', String) { |v| v }
  o.on('--[no-]color') { |v| v }
  o.on('-l', '--level [LEVEL]') { |v| v }
  o.on("--tag=#{x}") { |v| v }
end.parse!
"""


def test_ruby_optionparser_switches() -> None:
    found = read_ruby("r", RUBY, "r")
    assert found is not None
    got = options(found)
    assert got["--name"] == (True, 1) and got["-n"] == (True, 1)
    assert "--color" in got and "--no-color" in got
    assert got["--level"] == (True, -3)
    assert not any(n.startswith("--tag") for n in got)  # interpolated: not knowable
    name = found.find_option("--name")
    assert name is not None and name.span is not None
    assert (name.span.line, name.span.column, name.span.end_column) == (4, 9, 11)


# --- shell: the code decides ------------------------------------------------------------------
INIT = """#!/bin/sh
case "$1" in
  start|stop) run ;;
  reload|force-reload) hup ;;
  *) echo "Usage: $0 {start|stop}" >&2; exit 1 ;;
esac
"""


def test_init_case_words_decide_the_choices() -> None:
    found = read(INIT, "modules/m/files/svc.init")
    assert found.positionals[0].choices == ("start", "stop", "reload", "force-reload")
    assert problems(found, "reload") == []
    assert problems(found, "bounce") == ["invalid-choice"]


def test_case_on_a_variable_set_from_the_first_word() -> None:
    code = 'action="$1"\ncase "$action" in\n  go|halt) : ;;\n  *) echo usage; exit 1 ;;\nesac\n'
    case = first_word_case(code)
    assert case is not None and case.words == ("go", "halt") and not case.open_ended


def test_case_with_an_accepting_catch_all_is_open() -> None:
    case = first_word_case('case "$1" in\n a) x ;;\n *) y ;;\nesac\n')
    assert case is not None and case.open_ended


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param('exec "$@"\n', 1, id="exec"),
        pytest.param('sudo -u x "$@"\n', 1, id="sudo"),
        pytest.param('exec "${@:2}"\n', 2, id="from-two"),
        pytest.param('exec sudo -u "$u" -- "$@"\n', 1, id="runner-options"),
        pytest.param('exec php /srv/run.php "$@"\n', None, id="handed-to-a-program"),
        pytest.param('main "$@"\nmain() {\n :\n}\n', None, id="own-function"),
        pytest.param('for a in "$@"; do :; done\n', None, id="loop"),
        pytest.param('set -- "$@" x\n', None, id="set"),
        pytest.param('echo "$@"\n', None, id="echo"),
    ],
)
def test_runs_all_words(code: str, expected: int | None) -> None:
    assert runs_all_words(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("[ $# -eq 0 ] && usage\n", 1, id="eq-zero"),
        pytest.param("[ $# -lt 2 ] && usage\n", 2, id="lt"),
        pytest.param("if [ $# -ne 3 ]; then usage; fi\n", 3, id="ne"),
        pytest.param('[ -z "$2" ] && usage\n', 2, id="empty"),
        pytest.param("(( $# < 1 )) && exit 1\n", 1, id="arithmetic"),
        pytest.param("[ $# -eq 0 ] && a\n[ $# -eq 1 ] && b\n", 1, id="lowest-wins"),
        pytest.param('if [ ! "$#" -gt "1" ]; then usage; fi\n', 2, id="quoted"),
        pytest.param("echo hi\n", None, id="no-test"),
    ],
)
def test_required_count(code: str, expected: int | None) -> None:
    assert required_count(code) == expected


def test_getopts_optstring_from_its_one_assignment() -> None:
    text = "#!/bin/bash\noptions=':hl:'\nwhile getopts $options opt; do :; done\n"
    found = read(text, "modules/m/files/d")
    assert options(found) == {"-h": (False, 1), "-l": (True, 1)}
    span = found.options[1].span
    assert span is not None and (span.line, span.column) == (2, 12)
    assert not found.errors


def test_code_count_lowers_what_the_text_requires() -> None:
    text = (
        '#!/bin/bash\nusage() {\n  echo "Usage: backup <list> <start> <stop>"\n  exit 1\n}\n'
        "[[ $# -eq 0 ]] && usage\nlist=$1\n"
    )
    assert positionals(read(text, "modules/m/files/backup")) == [
        ("list", 1, 1),
        ("start", 0, 1),
        ("stop", 0, 1),
    ]


# --- shell: usage text shapes -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param('echo >&2 "Usage: t [-v] NAME"', [("NAME", 1, 1)], id="redirect-first"),
        pytest.param('echo $"Usage: t [-v] NAME"', [("NAME", 1, 1)], id="locale-string"),
        pytest.param(
            '[ -n "$1" ] || { echo "Usage: t [-v] NAME"; exit 1; }', [("NAME", 1, 1)], id="one-line"
        ),
        pytest.param('log_failure_msg "Usage: t [-v] NAME"', [("NAME", 1, 1)], id="lsb"),
        pytest.param(
            'printf "Usage: %s [-v] NAME\\n" "$(basename "$0")"', [("NAME", 1, 1)], id="printf"
        ),
        pytest.param(
            "printf '%s\\n' \"Usage: t [-v] NAME\" >&2", [("NAME", 1, 1)], id="printf-argument"
        ),
        pytest.param('echo "Usage: sudo t [-v] <A> <B>"', [("A", 1, 1), ("B", 1, 1)], id="sudo"),
        pytest.param(
            'echo "Usage: $(basename "$0") [-v] (<app>|default) child"',
            [("app|default", 1, 1), ("child", 1, None)],
            id="quotes-inside-command-substitution",
        ),
        pytest.param(
            'echo "Usage: t [-v] <WAL|BASE> DIR"',
            [("WAL|BASE", 1, 1), ("DIR", 1, 1)],
            id="alternatives-inside",
        ),
        pytest.param(
            'echo "Usage: t [-v] COMMAND [ARGS...]"', [("COMMAND", 1, None)], id="command-tail"
        ),
        pytest.param('echo "Usage: t [-v] -- cmd"', [("cmd", 1, None)], id="after-separator"),
        pytest.param(
            'echo "Usage: t [-v] <COMMAND> <SERVICE>"',
            [("COMMAND", 1, 1), ("SERVICE", 1, 1)],
            id="command-word-not-last",
        ),
    ],
)
def test_usage_line_shapes(line: str, expected: list[tuple[str, int, int | None]]) -> None:
    found = read(f"#!/bin/bash\n{line}\n", "modules/m/files/t.sh")
    assert positionals(found) == expected
    option = found.find_option("-v")
    assert option is not None and option.span is not None
    assert (option.span.line, option.span.column) == (2, line.index("[-v]") + 2)


def test_command_tail_leaves_the_command_options_alone() -> None:
    found = read('#!/bin/bash\necho "Usage: t [-v] COMMAND [ARGS...]"\n', "modules/m/files/t")
    assert problems(found, "-v rsync -a --delete x y") == []
    assert problems(found, "-x rsync") == ["unknown-option"]


def test_optional_value_in_text_and_in_a_guarded_shift() -> None:
    text = (
        '#!/bin/bash\nusage() { echo "Usage: t [-l [LEVEL]] FILE"; }\n'
        'while [ $# -gt 0 ]; do\n  case "$1" in\n'
        '    -l) if [ -n "$2" ] && [ "${2#-}" = "$2" ]; then L=$2; shift; fi ;;\n'
        "    -*) usage; exit 1 ;;\n    *) F=$1 ;;\n  esac\n  shift\ndone\n"
    )
    found = read(text, "modules/m/files/t")
    assert options(found)["-l"] == (True, -3)
    assert problems(found, "f -l") == []
    assert problems(found, "-l 3 f") == []


# --- cross-check with the real interpreters (our own fixture scripts only) ----------------------
def _fixture(name: str) -> tuple[str, str]:
    path = next(FIXTURES.glob(f"*/modules/*/files/{name}"))
    return str(path), path.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("script", "argv"),
    [
        ("set-level.sh", "/dev/null -l"),
        ("set-level.sh", "-l 3 -q /dev/null"),
        ("set-level.sh", "-v /dev/null"),
        ("rotate-dump.sh", "-f x main"),
        ("rotate-dump.sh", "main extra"),
        ("rotate-dump.sh", "-z main"),
    ],
)
def test_reader_agrees_with_bash(script: str, argv: str) -> None:
    path, text = _fixture(script)
    found = read(text, "modules/m/files/" + script)
    done = subprocess.run(["bash", path, *argv.split()], capture_output=True, check=False)
    assert (problems(found, argv) == []) is (done.returncode == 0)


@pytest.mark.parametrize(
    ("script", "interpreter", "argv"),
    [
        ("queue-report.pl", "perl", "--queue bulk --noverbose --limit"),
        ("queue-report.pl", "perl", "--queu bulk"),
        ("queue-report.pl", "perl", "--max 5"),
        ("flush-spool.pl", "perl", "-n -d /nonexistent"),
        ("flush-spool.pl", "perl", "-x"),
        ("bounce-digest.rb", "ruby", "-d 7 --no-color"),
        ("bounce-digest.rb", "ruby", "--days"),
        ("bounce-digest.rb", "ruby", "--colour"),
    ],
)
def test_reader_agrees_with_perl_and_ruby(script: str, interpreter: str, argv: str) -> None:
    if shutil.which(interpreter) is None:
        pytest.skip(f"needs {interpreter}")
    path, text = _fixture(script)
    found = read(text, "modules/m/files/" + script)
    done = subprocess.run([interpreter, path, *argv.split()], capture_output=True, check=False)
    assert (problems(found, argv) == []) is (done.returncode == 0)


# --- Puppet 3 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("class packages::7z920 { }\n", id="digit-segment"),
        pytest.param("include packages::7z920\n", id="digit-segment-include"),
        pytest.param("tidy { '/t': age => 7d }\n", id="bare-7d"),
        pytest.param("exec { 'a': require => Class [ 'x' ] }\n", id="blank-before-bracket"),
        pytest.param("exec { 'a': require => [File ['/x'], Package <| |>] }\n", id="in-array"),
        pytest.param("User <| title == 'a' |> -> File ['/x']\n", id="chained"),
        pytest.param("Mw-extension <| |> -> Exec['x']\n", id="hyphen-in-type"),
        pytest.param("apache_site { 000_default: ensure => absent }\n", id="digit-led-title"),
    ],
)
def test_puppet3_syntax_is_read(text: str) -> None:
    assert parse_manifest(text, "m.pp").errors == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("$x = 7d(\n", id="broken-in-both"),
        pytest.param("class a { $b = }\n", id="still-an-error"),
    ],
)
def test_manifests_broken_in_puppet3_too_keep_their_errors(text: str) -> None:
    assert parse_manifest(text, "m.pp").errors


def test_puppet7_reading_wins_when_it_parses() -> None:
    # `$a [1]` is a new array in Puppet 4+; the Puppet 3 reading is never tried.
    manifest = parse_manifest("$a = [1]\n$b = $a [0]\n", "m.pp")
    assert manifest.errors == ()


# --- never raise ------------------------------------------------------------------------------
_WORDS = st.sampled_from(
    [
        "print ",
        "exec ",
        " in ",
        "except A, e:",
        "0700",
        "10L",
        "`x`",
        "<>",
        "ur'x'",
        "\n",
        "    ",
        "\t",
        "(",
        ")",
        ":",
        "GetOptions(",
        "'a|b=s' =>",
        "getopts('ab:')",
        "qw(",
        "OptionParser",
        ".on('-x', '--[no-]y [Z]')",
        'case "$1" in',
        "esac",
        ";;",
        "*)",
        '"$@"',
        '"${@:2}"',
        "$# -lt 2",
        '-z "$1"',
        "é",
        "\\",
        "'",
        '"',
        "#",
        "=cut",
        "=pod",
    ]
)
_TEXT = st.lists(st.one_of(_WORDS, st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_new_readers_never_raise(text: str) -> None:
    rewritten = as_python3(text)
    assert rewritten is None or len(rewritten) == len(text)
    read_perl("p", "#!/usr/bin/perl\n" + text, "p")
    read_ruby("r", "#!/usr/bin/ruby\nOptionParser\n" + text, "r")
    first_word_case(text)
    runs_all_words(text)
    required_count(text)
    for path in ("modules/m/files/x.py", "modules/m/files/x.sh", "modules/m/files/x.pl"):
        read_interface(path, "#!/usr/bin/python\n" + text, "x")


# --- usage strings that code prints (issue 26 §2) ---------------------------------------------
@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param(
            "x.py",
            'import sys\ndef main(a):\n    if not a:\n        print("Usage: x.py OUT [ROOT [K]]")\n'
            "main(sys.argv[1:])\n",
            [("OUT", 1, 1), ("ROOT", 0, 1), ("K", 0, None)],
            id="python-print-open-code",
        ),
        pytest.param(
            "x.py",
            "import sys\nif len(sys.argv) != 3:\n"
            '    sys.exit("usage: %s HOST PORT" % sys.argv[0])\nh, p = sys.argv[1], sys.argv[2]\n',
            [("HOST", 1, 1), ("PORT", 1, 1)],
            id="python-sys-exit-percent-s",
        ),
        pytest.param(
            "x.py",
            "import sys\nif len(sys.argv) != 3:\n"
            '    print >>sys.stderr, "usage: %s HOST PORT" % sys.argv[0]\n    sys.exit(1)\n'
            "h = sys.argv[1]\np = sys.argv[2]\n",
            [("HOST", 1, 1), ("PORT", 1, 1)],
            id="python2-print-to-stderr",
        ),
        pytest.param(
            "x.py",
            'import sys\nif len(sys.argv) < 2:\n    sys.exit(f"usage: {sys.argv[0]} DIR")\n'
            "d = sys.argv[1]\n",
            [("DIR", 1, 1)],
            id="python-f-string-program",
        ),
        pytest.param(
            "x.pl",
            '#!/usr/bin/perl\ndie "Usage: $0 HOST [PORT]\\n" unless @ARGV;\nmy $h = $ARGV[0];\n',
            [("HOST", 1, 1), ("PORT", 0, None)],
            id="perl-die-dollar-zero",
        ),
        pytest.param(
            "x.pl",
            '#!/usr/bin/perl\nif (@ARGV != 1) { printf STDERR "usage: %s FILE\\n", $0; exit 1 }\n',
            [("FILE", 1, None)],
            id="perl-printf-stderr",
        ),
        pytest.param(
            "x.rb",
            '#!/usr/bin/ruby\nabort "usage: #{File.basename($0)} QUEUE" if ARGV.empty?\n'
            "q = ARGV[0]\n",
            [("QUEUE", 1, None)],
            id="ruby-abort-interpolated-program",
        ),
        pytest.param(
            "x.rb",
            '#!/usr/bin/ruby\nif ARGV.size != 2\n  warn "usage: x.rb A B"\n  exit 1\nend\n',
            [("A", 1, 1), ("B", 1, None)],
            id="ruby-warn",
        ),
        pytest.param(
            "x.pl",
            '#!/usr/bin/perl\ndie "Usage: $0 LOCK command args\\n" unless @ARGV >= 2;\n'
            "my ($l, $c, @a) = @ARGV;\n",
            [("LOCK", 1, 1), ("command", 1, 1), ("args", 0, None)],
            id="perl-args-word-is-any-number",
        ),
    ],
)
def test_usage_string_in_code_names_and_bounds_operands(
    path: str, text: str, expected: list[tuple[str, int, int | None]]
) -> None:
    found = read(text, path)
    assert found.dialect == "positional"
    assert positionals(found) == expected


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param(
            "x.py",
            'import sys\nif len(sys.argv) < 2:\n    print("Usage: x.py OUT")\n    sys.exit(1)\n'
            "o = sys.argv[1]\nr = sys.argv[2] if len(sys.argv) > 2 else '.'\n",
            [("args", 1, 2)],
            id="bounded-code-decides-over-fewer-in-text",
        ),
        pytest.param(
            "x.py",
            'import sys\nif len(sys.argv) < 2:\n    print("Usage: x.py OUT [ROOT [K]]")\n'
            "    sys.exit(1)\no = sys.argv[1]\n",
            [("OUT", 1, 1), ("ROOT", 0, 1), ("K", 0, 1)],
            id="text-allowing-more-than-the-code-reads-is-no-error",
        ),
        pytest.param(
            "x.py",
            'import sys\nif len(sys.argv) != 2:\n    print("usage: x.py FILE")\n'
            '    print("  -h   Get help")\n    sys.exit(1)\nf = sys.argv[1]\n',
            [("FILE", 1, 1)],
            id="help-lines-are-not-usage",
        ),
        pytest.param(
            "x.py",
            'import sys\nprint("usage: x.py [options]")\nf = sys.argv[1]\n',
            [("args", 0, 1)],
            id="options-only-usage-adds-nothing",
        ),
        pytest.param(
            "x.pl",
            '#!/usr/bin/perl\nsub usage { print STDERR "usage: $0 HOST\\n"; exit 1 }\nprint 1;\n',
            [("args", 0, None)],
            id="code-reads-none-but-usage-names-one-is-open",
        ),
        pytest.param(
            "x.py",
            'import sys\n# print("usage: x.py A B C")\nif len(sys.argv) != 2:\n    sys.exit(1)\n'
            "a = sys.argv[1]\n",
            [("args", 1, 1)],
            id="a-commented-usage-is-not-read",
        ),
        pytest.param(
            "x.py",
            'import sys\nif len(sys.argv) != 2:\n    print("Usage: x.py [-v] FILE")\n'
            "    sys.exit(1)\na = sys.argv[1]\n",
            [("args", 1, 1)],
            id="usage-with-options-leaves-the-code-reading",
        ),
    ],
)
def test_usage_string_in_code_never_makes_an_error_the_code_does_not(
    path: str, text: str, expected: list[tuple[str, int, int | None]]
) -> None:
    found = read(text, path)
    assert found.dialect == "positional"
    assert positionals(found) == expected


def test_python2_print_using_argv0_keeps_the_count() -> None:
    # the print statement the Python 2 rewrite blanks names sys.argv[0]: still a known count
    text = (
        "import sys\nif len(sys.argv) != 2:\n"
        '    print >>sys.stderr, "usage: %s FILE" % sys.argv[0]\n    sys.exit(1)\nf = sys.argv[1]\n'
    )
    found = read(text, "x.py")
    assert problems(found, "a b") == ["too-many-arguments"]
    assert problems(found, "a") == []


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_usage_string_reader_never_raises(text: str) -> None:
    from driftlint.interfaces.codeusage import code_usage

    for language in ("python", "perl", "ruby"):
        code_usage(language, 'print("usage: ' + text + '")\n' + text, "p", frozenset())
