"""Property tests for every parser and the binder: any text, never an exception, spans inside.

Inputs are arbitrary text and the files of fixtures/ mutated (tokens of the parser's language
inserted, ranges cut, duplicated, spliced with another seed, odd characters sprinkled). Each
test runs a few dozen examples in CI. The long run is a command, not a CI job:

    DRIFTLINT_FUZZ_EXAMPLES=10000 pytest -q tests/test_fuzz.py

(see tests/README.md). A failure prints the input, which hypothesis also keeps in
`.hypothesis/` and replays first on the next run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftlint.argv.binder import bind_argv
from driftlint.interfaces import read_interface
from driftlint.ltext import SYMBOL, LText
from driftlint.model import Interface, Span, Word
from driftlint.parse.epp import parse_epp
from driftlint.parse.erb import render_erb, template_text
from driftlint.parse.jinja import jinja_template_text, render_jinja
from driftlint.parse.puppet import parse_manifest
from driftlint.parse.shell import parse_shell
from driftlint.parse.units import parse_crontab, parse_env_file, parse_unit, unit_commands
from driftlint.parse.yaml import load_yaml
from driftlint.values import MapScope, Unknown
from tests.conftest import FIXTURES, ROOT

LONG_RUN = int(os.environ.get("DRIFTLINT_FUZZ_EXAMPLES", "0") or 0)
settings.register_profile(
    "driftlint-fuzz",
    max_examples=LONG_RUN or 100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("driftlint-fuzz")

# Characters that break naive line and column arithmetic, or that driftlint gives a meaning.
ODD = ["\r", "\r\n", "\t", "\0", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\ufeff", "é", "😀",
       SYMBOL, "\\", "\n"]  # fmt: skip

TOKENS = {
    "puppet": ["{", "}", "[", "]", "(", ")", "'", '"', "${", "$x", "@(END)\n", "\nEND\n", "|",
               "<|", "|>", "<<|", "|>>", "->", "~>", "=>", "+>", "::", "#", "/*", "*/", "/re/",
               "if $a ", "else ", "elsif ", "unless ", "case $x ", "default: ", "class a ",
               "define d ", "node 'n' ", "inherits b ", "include c\n", "@@", "<% ", " %>", ","],
    "erb": ["<%", "<%=", "<%-", "-%>", "%>", "<%#", "<%%", "%%>", "@x", "@a", "if ", " end ",
            "else", "elsif", "unless ", ".each do |v| ", ".join(' ')", "`", "'", '"', "#{",
            "}", "scope['x']", "scope.lookupvar('x')", " ? ", " : ", "%x(", "=begin\n", "__END__"],
    "epp": ["<%", "<%=", "<%-", "-%>", "%>", "<%#", "<%%", "<%- |", "| -%>", "$x", "String $a",
            "{", "}", "if $a ", "each |$v| ", "'", '"', "${", "=>", ","],
    "jinja": ["{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", " if x ", " endif ", " else ",
              " for a in b ", " endfor ", " raw ", " endraw ", " set y = x ", " | join(',') ",
              " macro m() ", " endmacro ", ".__class__", "'", '"', "(", ")", "[", "]"],
    "yaml": [":", ": ", "- ", "&a ", "*a", "!!str ", "!!python/object/apply:os.system ",
             "!ruby/object:X ", "%{hiera('a')}", "%{alias('a')}", "%{::fqdn}", "{", "}", "[",
             "]", "'", '"', "|", ">-", "  ", "---\n", "...\n", "? ", "#", "<<: *a", ","],
    "shell": ["$(", ")", "`", "'", '"', "${", "}", "<<EOF\n", "\nEOF\n", "<<-'X'\n", "|", ";",
              "&&", "||", "&", "case $1 in\n", "\nesac\n", ";;", "getopts 'a:b' o", "while ",
              " do ", " done", "$@", '"$@"', "--", "-x", "=", "$((", "))", "[[", "]]",
              "#!/bin/sh\n", ". /etc/default/x\n", "source ", "*", "?", "~"],
    "units": ["ExecStart=", "ExecStartPre=-", "Environment=", "EnvironmentFile=-", "\\\n", "%",
              "%%", "$X", "${X}", "=", '"', "'", "[Service]\n", "* * * * * ", "root ", "@reboot ",
              "X=1\n", "MAILTO=", "#", ";"],
    "spec": ["add_argument(", "'--x'", "'-y'", "choices=['a']", "nargs='?'", "nargs=2",
             "action='store_true'", "required=True", "add_subparsers(", "add_parser('s')",
             "add_option(", "ArgumentParser(", "import argparse\n", "docopt(__doc__)",
             '"""', "Usage:\n", "Options:\n", "  prog [options] <x>...\n", "[", "]", "(", ")",
             "|", "<a>", "...", "-t, --timeout=<s>  ", "getopts 'ab:' opt", "case $1 in\n",
             "--long)", ";;", "esac", "getopt -o ab: --long x,y: ", "usage() {\n", "cat <<EOF\n",
             "\nEOF\n", "options:\n", "  - names: [--x]\n", "removed:\n", "dialect: getopts\n"],
}  # fmt: skip
SUFFIXES = {
    "puppet": (".pp",),
    "erb": (".erb",),
    "epp": (".epp",),
    "jinja": (".j2", ".jinja", ".jinja2"),
    "yaml": (".yaml", ".yml", ".json"),
}
BUILT_IN = {
    "puppet": "class a::b ($x = 'y') { exec { 't': command => \"/bin/x ${x} -v\" } }\n",
    "erb": "run <% if @x %>--x <%= @x %><% end %> <%= scope['y'] %>\n",
    "epp": "<%- | String $x = 'a' | -%>\nrun <%= $x %> <% if $x { %>-v<% } %>\n",
    "jinja": "run {% if x %}--x {{ x }}{% endif %} {{ y | join(' ') }}\n",
    "yaml": "a: &a [1, '%{hiera(\"b\")}']\nb: *a\nc: !!python/object/apply:os.system [x]\n",
    "shell": '#!/bin/sh\n. /etc/default/x\nexec /usr/bin/x -t "$T" ${A:-b} "$@"\n',
    "units": "[Service]\nEnvironment=A=1 'B=2 3'\nExecStart=/usr/bin/x -v $A ${B} %i\n",
    "spec": "#!/bin/bash\n# Usage: x [-v] [-t secs] <type>\nwhile getopts 'vt:' o; do :; done\n",
}


def _fixture_texts() -> Iterator[tuple[Path, str]]:
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file() and not p.is_symlink()):
        yield path, path.read_bytes().decode("utf-8", errors="replace")
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        yield path, path.read_text(encoding="utf-8")


def _is_script(path: Path, text: str) -> bool:
    return (
        path.parent.name in ("files", "templates")
        and path.suffix != ".pp"
        and (text.startswith("#!") or path.suffix in (".sh", ".py", ".init") or "sage" in text)
    )


def _seeds() -> dict[str, list[str]]:
    seeds: dict[str, list[str]] = {kind: [text] for kind, text in BUILT_IN.items()}
    for path, text in _fixture_texts():
        for kind, suffixes in SUFFIXES.items():
            if path.name.endswith(suffixes):
                seeds[kind].append(text)
        if _is_script(path, text) or path.name.endswith(".interface.yaml"):
            seeds["spec"].append(text)
        if text.startswith("#!") and "sh" in text.split("\n", 1)[0]:
            seeds["shell"].append(text)
        if path.suffix in (".service", ".timer", ".init") or "cron" in path.name:
            seeds["units"].append(text)
    seeds["shell"] += seeds["units"]
    return seeds


SEEDS = _seeds()


@st.composite
def _mutated(draw: st.DrawFn, kind: str) -> str:
    """A seed of this kind with a few edits: insert, cut, duplicate, splice, truncate."""
    text = draw(st.sampled_from(SEEDS[kind]))
    pieces = st.one_of(st.sampled_from(TOKENS[kind]), st.sampled_from(ODD), st.text(max_size=4))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["insert", "insert", "cut", "duplicate", "splice", "truncate"]))
        at = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:at] + draw(pieces) + text[at:]
        elif op == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "duplicate":
            text = text[:at] + text[at : at + draw(st.integers(1, 80)) :] + text[at:]
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS[kind]))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start : start + draw(st.integers(1, 200))] + text[at:]
        else:
            text = text[:at]
    return text


def inputs(kind: str) -> st.SearchStrategy[str]:
    alphabet = st.sampled_from([*TOKENS[kind], *ODD, "a", "-", " "])
    return st.one_of(
        _mutated(kind),
        st.text(max_size=200),
        st.lists(alphabet, max_size=60).map("".join),
    )


# Spans ---------------------------------------------------------------------------------------
def _objects(value: object, seen: set[int] | None = None) -> Iterator[object]:
    """Every Span and LText reachable from value (dataclass fields, containers)."""
    seen = set() if seen is None else seen
    if isinstance(value, str | int | float | bool | bytes) or value is None or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Span | LText):
        yield value
        if isinstance(value, Span):
            return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _objects(key, seen)
            yield from _objects(item, seen)
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _objects(item, seen)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _objects(getattr(value, f.name), seen)


def _inside(lines: list[str], line: int, column: int, what: str, past: int = 1) -> None:
    assert 1 <= line <= len(lines), f"{what}: line {line} of {len(lines)}"
    last = len(lines[line - 1]) + past
    assert 1 <= column <= last, f"{what}: column {column} on line {line}"


def assert_spans_inside(result: object, text: str, path: str) -> int:
    """Every span and located character in result lies inside text (the file at path).

    A span may end one column past its line's end: it then covers the line break, or points at
    the end of the file (a parse error there).
    """
    lines = text.split("\n")
    count = 0
    for found in _objects(result):
        if isinstance(found, Span):
            assert found.path == path, found
            _inside(lines, found.line, found.column, f"start of {found}")
            _inside(lines, found.end_line, found.end_column, f"end of {found}", past=2)
            assert (found.line, found.column) <= (found.end_line, found.end_column), found
            count += 1
            continue
        assert isinstance(found, LText)
        for run in found.runs:
            assert run.path == path, run
            _inside(lines, run.line, run.column, f"run {run}")
            if run.symbolic:
                _inside(lines, run.end_line, run.end_column, f"end of run {run}", past=2)
            else:
                _inside(lines, run.line, run.column + run.end - run.start, f"end of run {run}")
            count += 1
    return count


def _errors_inside(errors: tuple[object, ...], text: str, path: str) -> None:
    for error in errors:
        assert getattr(error, "code", "") in ("parse-error", "undocumented-option"), error
    assert_spans_inside(errors, text, path)


# One property per parser ---------------------------------------------------------------------
SCOPE = MapScope({"x": LText.plain("-v 0"), "a": (LText.plain("b"), LText.plain("c"))})


@FUZZ
@given(inputs("puppet"))
def test_puppet_parser_never_raises(text: str) -> None:
    manifest = parse_manifest(text, "m.pp")
    assert_spans_inside(manifest, text, "m.pp")
    _errors_inside(manifest.errors, text, "m.pp")


@FUZZ
@given(inputs("erb"))
def test_erb_never_raises(text: str) -> None:
    renderings, errors = render_erb(text, "t.erb", SCOPE, limit=8)
    assert 1 <= len(renderings) <= 8
    assert_spans_inside((renderings, template_text(text, "t.erb")), text, "t.erb")
    _errors_inside(errors, text, "t.erb")


@FUZZ
@given(inputs("epp"))
def test_epp_never_raises(text: str) -> None:
    template = parse_epp(text, "t.epp")
    assert_spans_inside(template, text, "t.epp")
    _errors_inside(template.errors, text, "t.epp")


@FUZZ
@given(inputs("jinja"))
def test_jinja_never_raises(text: str) -> None:
    renderings, errors = render_jinja(text, "t.j2", SCOPE, limit=8)
    assert 1 <= len(renderings) <= 8
    assert_spans_inside((renderings, jinja_template_text(text, "t.j2")), text, "t.j2")
    _errors_inside(errors, text, "t.j2")


@FUZZ
@given(inputs("yaml"))
def test_yaml_never_raises(text: str) -> None:
    value, errors = load_yaml(text, "h.yaml")
    assert_spans_inside(value, text, "h.yaml")
    _errors_inside(errors, text, "h.yaml")


@FUZZ
@given(inputs("shell"))
def test_shell_never_raises(text: str) -> None:
    script = parse_shell(LText.literal(text, "s.sh", 1, 1), "s.sh")
    assert_spans_inside(script, text, "s.sh")
    _errors_inside(script.errors, text, "s.sh")


@FUZZ
@given(inputs("units"), st.booleans())
def test_unit_env_and_cron_parsers_never_raise(text: str, system: bool) -> None:
    located = LText.literal(text, "u.service", 1, 1)
    unit = parse_unit(located, "u.service")
    found = (unit, unit_commands(unit), parse_env_file(located, "u.service"))
    assert_spans_inside(found, text, "u.service")
    assert_spans_inside(parse_crontab(located, "u.service", system), text, "u.service")


SPEC_PATHS = ["x.sh", "x.py", "x.interface.yaml", "x", "x.sh.erb", "x.py.erb", "usage.txt"]


@FUZZ
@given(inputs("spec"), st.sampled_from(SPEC_PATHS))
def test_usage_spec_readers_never_raise(text: str, path: str) -> None:
    """read_interface picks docopt, getopts, getopt, a case loop, argparse/optparse (read with
    `ast`) or an explicit spec by the path and the text, as on a real tree."""
    found = read_interface(path, text, "x")
    assert found is None or isinstance(found, Interface)
    if found is not None:
        assert_spans_inside(found, text, path)
        _errors_inside(found.errors, text, path)


def _fixture_interfaces() -> list[Interface]:
    out = []
    for path, text in _fixture_texts():
        if _is_script(path, text) or path.name.endswith(".interface.yaml"):
            found = read_interface(path.name, text, path.name)
            if found is not None:
                out.append(found)
    return out


INTERFACES = _fixture_interfaces()


def _names(interface: Interface) -> list[str]:
    names = [n for o in (*interface.options, *interface.removed) for n in o.names]
    return names + [name for name, _ in interface.subcommands] or ["-x"]


@st.composite
def _argv(draw: st.DrawFn) -> tuple[Interface, list[tuple[str, bool, bool]]]:
    """An interface read from a fixture script and words made of its option names."""
    interface = draw(st.sampled_from(INTERFACES))
    piece = st.one_of(
        st.sampled_from(_names(interface)),
        st.sampled_from(["-", "--", "=", "5", "x", SYMBOL, " ", "é", "-5", ""]),
        st.text(max_size=4),
    )
    word = st.lists(piece, min_size=1, max_size=3).map("".join)
    return interface, draw(st.lists(st.tuples(word, st.booleans(), st.booleans()), max_size=10))


@FUZZ
@given(_argv(), st.booleans())
def test_binder_never_raises(
    argv: tuple[Interface, list[tuple[str, bool, bool]]], passthrough: bool
) -> None:
    interface, items = argv
    words = tuple(
        Word(text, Span("t.pp", 1, 1, 1, 1 + len(text)), dynamic=dynamic or SYMBOL in text,
             quoted=quoted)
        for text, dynamic, quoted in items
    )  # fmt: skip
    binding = bind_argv(words, interface, passthrough)
    assert {id(b.word) for b in binding.bound} == {id(word) for word in words}
    for problem in binding.problems:
        assert any(problem.word is word for word in words)
        assert 0 <= problem.start <= len(problem.word.text)
        assert problem.end == -1 or problem.start < problem.end <= len(problem.word.text)


def test_every_parser_has_fixture_seeds() -> None:
    """The mutations start from real inputs: each kind has fixture files besides its built-in."""
    assert {kind: len(seeds) > 1 for kind, seeds in SEEDS.items()} == dict.fromkeys(SEEDS, True)
    assert len(INTERFACES) >= 5


def test_span_check_catches_a_span_outside() -> None:
    """The checker itself: a span past the end of its line is caught."""
    text = "ab\ncd\n"
    assert assert_spans_inside(Span("f", 2, 1, 2, 3), text, "f") == 1
    for bad in (Span("f", 2, 1, 2, 5), Span("f", 4, 1, 4, 1), Span("g", 1, 1, 1, 1)):
        try:
            assert_spans_inside(bad, text, "f")
        except AssertionError:
            continue
        raise AssertionError(f"{bad} passed")
    assert assert_spans_inside(Unknown(Span("f", 1, 1, 1, 3)), text, "f") == 1
