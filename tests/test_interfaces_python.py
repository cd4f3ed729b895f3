"""Interfaces read from Python with `ast`: argparse, optparse, docopt docstrings, base classes."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.interfaces import read_interface
from driftlint.model import Interface, Positional, Span

P = "modules/m/files/tool.py"

ARGPARSE = '''#!/usr/bin/env python3
"""Purge caches."""
import argparse

def parse_args():
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument("--site", required=True, choices=["eqiad", "codfw"])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="count")
    parser.add_argument("--color", action=argparse.BooleanOptionalAction)
    parser.add_argument("-n", nargs=2)
    parser.add_argument("--tag", nargs="?", const="x")
    parser.add_argument("--old", deprecated=True)
    parser.add_argument("files", nargs="*")
    return parser.parse_known_args()
'''

SUBPARSERS = """import argparse
p = argparse.ArgumentParser(add_help=False, prefix_chars="-+")
p.add_argument("-foo")
subs = p.add_subparsers(dest="cmd")
a = subs.add_parser("purge", aliases=["p"])
a.add_argument("--all", action="store_true")
a.add_argument("urls", nargs="+")
"""

OPTPARSE = """from optparse import OptionParser
parser = OptionParser(version="1")
parser.add_option("-f", "--file", dest="file")
parser.add_option("-q", action="store_false")
parser.add_option("-m", type="choice", choices=["a", "b"])
parser.add_option("-p", nargs=2, type="int")
parser.disable_interspersed_args()
opts, args = parser.parse_args()
"""

DOCOPT = '''"""Run jobs.

Usage:
  tool.py [options] <type>
  tool.py --list

Options:
  -t <s>, --timeout=<s>  Stop after [default: 300].
"""
from docopt import docopt
args = docopt(__doc__, options_first=True)
'''


def read(text: str, path: str = P, files: dict[str, str] | None = None) -> Interface:
    found = read_interface(path, text, "tool", (files or {}).get)
    assert found is not None
    return found


def test_argparse_records() -> None:
    found = read(ARGPARSE)
    assert found.dialect == "argparse"
    got = [
        (o.names, o.takes_value, o.optional_value, o.nargs, o.choices, o.required, o.deprecated)
        for o in found.options
    ]
    assert got == [
        (("-h", "--help"), False, False, 1, None, False, ""),
        (("--site",), True, False, 1, ("eqiad", "codfw"), True, ""),
        (("-v", "--verbose"), False, False, 1, None, False, ""),
        (("--color", "--no-color"), False, False, 1, None, False, ""),
        (("-n",), True, False, 2, None, False, ""),
        (("--tag",), True, False, -3, None, False, ""),  # zero or one next word, as argparse
        (("--old",), True, False, 1, None, False, "deprecated"),
    ]
    assert found.positionals == (Positional("files", 0, None, None, Span(P, 14, 26, 14, 31)),)
    assert found.options[1].span == Span(P, 7, 26, 7, 32)
    assert (found.abbreviations, found.accepts_unknown, found.bundling, found.interleaved) == (
        False,
        True,
        True,
        True,
    )
    assert found.source == Span(P, 6, 14, 6, 57)


def test_subparsers_aliases_prefix_chars() -> None:
    found = read(SUBPARSERS)
    assert [o.names for o in found.options] == [("-foo",)]
    assert found.single_dash_long
    assert [name for name, _ in found.subcommands] == ["purge", "p"]
    purge = found.subcommand("p")
    assert purge is not None
    assert [o.names for o in purge.options] == [("-h", "--help"), ("--all",)]
    assert [(p.name, p.min, p.max) for p in purge.positionals] == [("urls", 1, None)]


def test_optparse_records_and_flags() -> None:
    found = read(OPTPARSE)
    assert found.dialect == "optparse"
    assert [(o.names, o.takes_value, o.nargs, o.choices) for o in found.options] == [
        (("-h", "--help"), False, 1, None),
        (("-f", "--file"), True, 1, None),
        (("-q",), False, 1, None),
        (("-m",), True, 1, ("a", "b")),
        (("-p",), True, 2, None),
        (("--version",), False, 1, None),
    ]
    assert found.positionals == (Positional("args", 0, None),)
    assert (found.interleaved, found.abbreviations) == (False, True)


def test_docopt_docstring() -> None:
    found = read(DOCOPT)
    assert found.dialect == "docopt"
    assert [(o.names, o.takes_value) for o in found.options] == [
        (("-t", "--timeout"), True),
        (("--list",), False),
    ]
    assert [(p.name, p.min, p.max) for p in found.positionals] == [("type", 0, 1)]
    assert not found.interleaved
    assert found.options[0].span == Span(P, 8, 3, 8, 5)


BASE = """import argparse
class BaseScript:
    def get_parser(self):
        parser = argparse.ArgumentParser()
        parser.add_argument("--dry-run", action="store_true")
        return parser
"""

CHILD = """from mylib.base import BaseScript
class Tool(BaseScript):
    def run(self):
        parser = self.get_parser()
        parser.add_argument("--wiki")
        return parser.parse_args()
"""


@pytest.mark.parametrize(
    "base_path",
    [
        pytest.param("modules/m/files/mylib/base.py", id="next-to-script"),
        pytest.param("modules/mylib/files/base.py", id="module-files"),
    ],
)
def test_base_class_from_another_file(base_path: str) -> None:
    found = read(CHILD, files={base_path: BASE})
    assert [o.names for o in found.options] == [("--wiki",), ("-h", "--help"), ("--dry-run",)] or [
        o.names for o in found.options
    ] == [("-h", "--help"), ("--wiki",), ("--dry-run",)]
    assert found.find_option("--dry-run") is not None


def test_base_class_outside_tree_is_not_read() -> None:
    assert read_interface(P, CHILD, "tool", lambda _: None) is not None


def test_code_and_docstring_disagree() -> None:
    text = '"""Usage: tool.py [--wiki=<w>] [--gone]"""\n' + CHILD.replace(
        "from mylib.base import BaseScript\n", "import argparse\n"
    ).replace("self.get_parser()", "argparse.ArgumentParser()")
    found = read(text)
    assert [(e.code, e.argument, e.span.line) for e in found.errors] == [
        ("undocumented-option", "--gone", 1)
    ]


def test_python_syntax_error_is_a_finding_and_permissive() -> None:
    found = read("import argparse\nparser = argparse.ArgumentParser(\nexcept X, e:\n")
    assert [e.code for e in found.errors] == ["parse-error"]
    assert found.accepts_unknown


def test_python2_script_broken_in_python2_too_is_reported_where_it_breaks() -> None:
    # The shape of a 2014 Wikimedia daemon: Python 2 `print` statements early on, and later
    # an `if` that lacks its colon. Python 3 complains about the first print; the real fault
    # is the colon, and that is where the finding must point.
    text = (
        "#!/usr/bin/python\n"
        "import argparse\n"
        "def run(dry):\n"
        "    if dry:\n"
        '        print "would sync"\n'
        "    for host in hosts():\n"
        '        if "aRecord" in host\n'
        "            sync(host)\n"
        "parser = argparse.ArgumentParser()\n"
    )
    found = read(text)
    assert [(e.code, e.span.line) for e in found.errors] == [("parse-error", 7)]


def test_erb_python_template() -> None:
    text = 'import argparse\nX = <%= @x %>\np = argparse.ArgumentParser()\np.add_argument("-a")\n'
    found = read(text, "modules/m/templates/t.py.erb")
    assert [o.names for o in found.options] == [("-h", "--help"), ("-a",)]


@pytest.mark.parametrize(
    ("argv", "bad"),
    [
        pytest.param(["--site", "eqiad", "-vv", "a", "b"], False, id="count"),
        pytest.param(["--site=codfw", "--no-color", "-n", "1", "2"], False, id="nargs"),
        pytest.param(["--site", "x"], True, id="choice"),
    ],
)
def test_argparse_oracle_agrees(
    argv: list[str], bad: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's argparse runs our own fixture: what it accepts uses only names we read."""
    namespace: dict[str, Any] = {"__name__": "fixture"}
    fixture = ARGPARSE.replace(", deprecated=True", "")  # Python 3.13+ only
    exec(compile(fixture, "fixture", "exec"), namespace)  # our own fixture, in tests only
    monkeypatch.setattr(sys, "argv", ["tool", *argv])
    found = read(ARGPARSE)
    site = found.find_option("--site")
    assert site is not None and site.choices is not None
    if bad:
        with pytest.raises(SystemExit):
            namespace["parse_args"]()
        assert argv[1] not in site.choices
        return
    namespace["parse_args"]()
    for word in argv:
        if word.startswith("--"):
            assert found.find_option(word.split("=")[0]) is not None
        elif word.startswith("-"):
            assert found.find_option(word[:2]) is not None


PY_LINES = st.sampled_from(
    ARGPARSE.splitlines()
    + SUBPARSERS.splitlines()
    + OPTPARSE.splitlines()
    + DOCOPT.splitlines()
    + CHILD.splitlines()
    + ["    ", "):", '"""']
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PY_LINES, max_size=25))
def test_mutated_python_never_raises(lines: list[str]) -> None:
    read_interface(P, "\n".join(lines), "tool", {"modules/m/files/mylib/base.py": BASE}.get)


@pytest.mark.parametrize(
    ("helper", "open_"),
    [
        pytest.param("lib = ldaplib.Lib()\n    lib.add_options(parser)\n", True, id="other-file"),
        pytest.param("add_common(parser=parser)\n", True, id="keyword"),
        pytest.param("mine(parser)\n", False, id="defined-here"),
    ],
)
def test_parser_handed_to_another_files_function_accepts_unknown(helper: str, open_: bool) -> None:
    text = (
        "import ldaplib\nfrom optparse import OptionParser\n\n"
        "def mine(p):\n    p.add_option('-q')\n\n"
        f"def main():\n    parser = OptionParser()\n    {helper}"
        "    parser.add_option('-n')\n    parser.parse_args()\n"
    )
    found = read(text)
    assert found.accepts_unknown is open_


LOOPED = """import argparse
QUEUES = ["bounces", "in", "virgin"]
parser = argparse.ArgumentParser()
for queue in QUEUES:
    parser.add_argument(f"{queue}_limit", type=int)
parser.add_argument("--debug", action="store_true")
parser.parse_args()
"""


def test_positionals_added_in_a_loop_over_a_literal_list_are_each_known() -> None:
    found = read(LOOPED)
    assert [p.name for p in found.positionals] == ["bounces_limit", "in_limit", "virgin_limit"]
    assert not found.accepts_unknown
    assert found.positionals[0].span is not None and found.positionals[0].span.line == 5


@pytest.mark.parametrize(
    "loop",
    [
        "for queue in load_queues():",  # an iterable not written in the file
        "for queue in QUEUES[1:]:",
        "while QUEUES:\n    queue = QUEUES.pop()\n   ",
    ],
)
def test_an_argument_with_a_computed_name_leaves_the_interface_open(loop: str) -> None:
    text = LOOPED.replace("for queue in QUEUES:", loop)
    found = read(text)
    assert found.accepts_unknown, "a computed name may be any option"
    assert any(p.min == 0 and p.max is None for p in found.positionals)


def test_a_computed_option_name_outside_a_loop_leaves_options_open() -> None:
    text = 'import argparse\np = argparse.ArgumentParser()\np.add_argument("--" + NAME)\n'
    assert read(text).accepts_unknown


def test_python2_tabs_advance_to_the_next_multiple_of_eight() -> None:
    # issue 26 §3: valid Python 2 (a tab and eight spaces are one indentation) is no parse error
    text = (
        "#!/usr/bin/python\nimport optparse\ndef main():\n"
        "        parser = optparse.OptionParser()\n"
        "\tparser.add_option('-v', action='store_true')\n"
        "        opts, args = parser.parse_args()\nmain()\n"
    )
    found = read_interface("x.py", text, "x")
    assert found is not None and found.errors == ()
    assert found.option_names() == ["-h", "--help", "-v"]
    assert found.options[-1].span == Span("x.py", 5, 21, 5, 23)  # the columns as written


def test_add_argument_on_an_object_that_is_no_parser_is_no_interface() -> None:
    text = (
        "#!/usr/bin/python\nfrom selenium import webdriver\n"
        "opts = webdriver.ChromeOptions()\nopts.add_argument('--headless')\n"
        "driver = webdriver.Chrome(options=opts)\n"
    )
    found = read_interface("shot.py", text, "shot")
    assert found is not None and "--headless" not in found.option_names()


@pytest.mark.parametrize(
    ("code", "bounds"),
    [
        pytest.param("import os\nprint(os.getcwd())\n", (), id="reads-none"),
        pytest.param("import sys\nprint(sys.argv[2])\n", ((0, 2),), id="index"),
        pytest.param("from sys import argv\nprint(argv[1])\n", ((0, 1),), id="imported-argv"),
        pytest.param("import sys as s\nprint(s.argv[1])\n", ((0, 1),), id="sys-renamed"),
        pytest.param(
            "import sys\nif len(sys.argv) != 3:\n    sys.exit('two please')\nprint(sys.argv[1])\n",
            ((2, 2),),
            id="len-test-that-exits",
        ),
        pytest.param(
            "import sys\nif len(sys.argv) < 2:\n    print('default')\nprint(sys.argv[1])\n",
            ((0, 1),),
            id="len-test-that-goes-on",
        ),
        pytest.param("import sys\nrun(sys.argv[1:])\n", ((0, None),), id="slice-handed-on"),
        pytest.param("import os\nprint(os.sys.argv[1])\n", ((0, None),), id="argv-not-followed"),
        pytest.param("import sys\nprint sys.argv[1]\n", ((0, 1),), id="python2-statement"),
        pytest.param(
            "import sys\nfrom ocflib.lab import stats\nstats.get(1)\n", (), id="quiet-library"
        ),
    ],
)
def test_scripts_without_a_parser_read_operands_from_sys_argv(
    code: str, bounds: tuple[tuple[int, int | None], ...]
) -> None:
    found = read_interface("x.py", "#!/usr/bin/python\n" + code, "x")
    assert found is not None and found.dialect == "positional"
    assert tuple((p.min, p.max) for p in found.positionals) == bounds


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("from tool.cli import main\nmain()\n", id="library-entry-point"),
        pytest.param("import fileinput\nfor l in fileinput.input():\n    pass\n", id="fileinput"),
        pytest.param("import sys\nexec(open('x').read())\n", id="exec"),
    ],
)
def test_scripts_that_may_read_arguments_elsewhere_are_unknown(code: str) -> None:
    assert read_interface("x.py", "#!/usr/bin/python\n" + code, "x") is None


# --- fire and typer (issue 26 §2) ---------------------------------------------------------------
_FIRE = """import fire

def export(day, dest="/srv", compress=False, *, log_level="info"):
    print(day)

if __name__ == "__main__":
    fire.Fire(export)
"""


def _bind(found: Interface, argv: str) -> list[str]:
    from driftlint.argv.binder import bind_argv
    from driftlint.model import Word

    span = Span("x", 1, 1, 1, 2)
    return sorted(p.code for p in bind_argv([Word(w, span) for w in argv.split()], found).problems)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param("monday", [], id="positional"),
        pytest.param("monday /out --compress", [], id="by-position-and-flag"),
        pytest.param("--day monday --dest=/out --nocompress", [], id="all-by-name"),
        pytest.param("monday --log-level debug", [], id="underscore-as-dash"),
        pytest.param("monday --destination /out", ["unknown-option"], id="unknown"),
        pytest.param("a b c d", ["too-many-arguments"], id="more-words-than-parameters"),
    ],
)
def test_fire_function_parameters_are_options_and_positionals(
    argv: str, expected: list[str]
) -> None:
    assert _bind(read(_FIRE), argv) == expected


def test_fire_of_a_function_that_returns_a_value_takes_any_words() -> None:
    text = _FIRE.replace("    print(day)", "    return Report(day)")
    assert _bind(read(text), "a b c d --more") == []


def test_fire_of_a_class_is_not_read() -> None:
    text = "import fire\nclass A:\n    def x(self):\n        pass\nfire.Fire(A)\n"
    assert read_interface(P, text, "x") is None


_TYPER = """import typer

def main(folder: str, days: int = typer.Option(30, "--days", "-d"), dry_run: bool = False,
         label: str = typer.Argument("all")):
    print(folder)

if __name__ == "__main__":
    typer.run(main)
"""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param("/srv -d 3 --dry-run", [], id="short-name-and-flag"),
        pytest.param("/srv tmp --days=3 --no-dry-run", [], id="optional-argument"),
        pytest.param("/srv --keep 3", ["unknown-option"], id="unknown"),
        pytest.param("/srv tmp extra", ["too-many-arguments"], id="too-many"),
        pytest.param("--days 3", ["missing-required"], id="required-argument"),
        pytest.param("/srv --dry-run=yes", ["unexpected-value"], id="flag-takes-no-value"),
    ],
)
def test_typer_arguments_and_options(argv: str, expected: list[str]) -> None:
    assert _bind(read(_TYPER), argv) == expected


def test_typer_with_annotated_parameters_is_not_read() -> None:
    text = (
        "import typer\nfrom typing import Annotated\n"
        "def main(name: Annotated[str, typer.Argument()]):\n    pass\ntyper.run(main)\n"
    )
    assert read_interface(P, text, "x") is None
