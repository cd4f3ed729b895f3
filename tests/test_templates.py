"""Templates rendered per role: EPP with its parameters, inline ERB and EPP, Jinja2, and the
conditions under which a rendering prints each character."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span
from driftlint.parse.erb import Rendering
from driftlint.parse.puppet import parse_manifest
from driftlint.resolve.conditions import mark_conditional
from driftlint.resolve.evaluate import Evaluator
from driftlint.resolve.scope import Index
from driftlint.resolve.templates import TemplateRenderer, static_jinja
from driftlint.values import Value


def render(manifest: str, files: dict[str, str], start: str = "r") -> list[LText]:
    """Every content of every file resource the class `start` declares, rendered."""
    parsed = parse_manifest(manifest, "m.pp")
    assert parsed.errors == ()
    index = Index()
    index.add(parsed)
    findings: list[object] = []
    hook = TemplateRenderer(files.get, ("modules",), 16, findings)  # type: ignore[arg-type]
    evaluator = Evaluator(index, {}, hook)
    evaluator.declare_class(start, None, ())
    out: list[LText] = []
    for resource in evaluator.resources:
        for value in resource.attrs.get("content", []):
            values: list[Value] = value.force() if hasattr(value, "force") else [value]
            out.extend(v for v in values if isinstance(v, LText))
    assert findings == []
    return out


def where(text: LText, needle: str) -> tuple[str, int, int] | None:
    return text.loc(text.text.index(needle))


EPP = "<%- | String $opts, String $queue = 'jobs' | -%>\nrun <%= $opts %> <%= $queue %>\n"


def test_epp_binds_parameters_from_the_hash_and_defaults() -> None:
    manifest = (
        "class r {\n"
        "  $o = '--fast'\n"
        "  file { '/x': content => epp('m/x.epp', { 'opts' => $o }) }\n"
        "}\n"
    )
    (text,) = render(manifest, {"modules/m/templates/x.epp": EPP})
    assert text.text == "run --fast jobs\n"
    assert where(text, "--fast") == ("m.pp", 2, 9)  # where the role wrote it
    assert where(text, "jobs") == ("modules/m/templates/x.epp", 1, 38)  # the default
    assert text.assumed() == ()


def test_epp_missing_parameter_and_caller_locals_are_unknown() -> None:
    template = "<%- | $opts | -%>\nrun <%= $opts %> <%= $local %>\n"
    manifest = "class r { $local = '-v'\n file { '/x': content => epp('m/x.epp') } }\n"
    (text,) = render(manifest, {"modules/m/templates/x.epp": template})
    # An epp() template does not see the calling class's variables by their short names.
    assert text.text == f"run {SYMBOL} {SYMBOL}\n"


def test_epp_forks_on_an_unknown_condition_and_marks_what_it_printed() -> None:
    template = "<%- | $debug | -%>\nrun<% if $debug { %> --verbose<% } %> now\n"
    manifest = "class r($d) { file { '/x': content => epp('m/x.epp', { 'debug' => $d }) } }\n"
    texts = render(manifest, {"modules/m/templates/x.epp": template})
    assert sorted(t.text for t in texts) == ["run --verbose now\n", "run now\n"]
    forked = next(t for t in texts if "--verbose" in t.text)
    start = forked.text.index("--verbose")
    assert forked.assumed(start, start + 9) == ("`$debug` is set",)
    assert forked.assumed(0, 3) == ()  # `run` is printed either way


def test_epp_known_condition_does_not_fork() -> None:
    template = "<%- | $debug | -%>\nrun<% if $debug { %> --verbose<% } %>\n"
    manifest = "class r { file { '/x': content => epp('m/x.epp', { 'debug' => true }) } }\n"
    (text,) = render(manifest, {"modules/m/templates/x.epp": template})
    assert text.text == "run --verbose\n" and text.assumed() == ()


def test_epp_each_and_case() -> None:
    template = (
        "<%- | Array $qs, String $mode | -%>\n"
        "<% $qs.each |$q| { %>run <%= $q %>\n<% } -%>\n"
        "<% case $mode { 'fast': { %>-f<% } default: { %>-s<% } } %>\n"
    )
    manifest = (
        "class r { file { '/x':\n"
        "  content => epp('m/x.epp', { 'qs' => ['a', 'b'], 'mode' => 'fast' }) } }\n"
    )
    (text,) = render(manifest, {"modules/m/templates/x.epp": template})
    assert text.text == "run a\nrun b\n-f\n"


def test_inline_epp_without_parameters_sees_the_caller() -> None:
    manifest = "class r { $x = '-q'\n file { '/x': content => inline_epp('run <%= $x %>') } }\n"
    (text,) = render(manifest, {})
    assert text.text == "run -q"
    assert where(text, "run") == ("m.pp", 2, 38)
    assert where(text, "-q") == ("m.pp", 1, 17)


def test_inline_template_characters_are_located_in_the_manifest() -> None:
    manifest = (
        "class r { $x = '-q'\n"
        "  file { '/x': content => inline_template(\"a\\n<%= @x %> --b\") }\n"
        "}\n"
    )
    (text,) = render(manifest, {})
    assert text.text == "a\n-q --b"
    assert where(text, "--b") == ("m.pp", 2, 57)
    assert where(text, "-q") == ("m.pp", 1, 17)


def test_jinja_template_takes_its_variables_from_the_hash() -> None:
    template = "run {{ opts }}{% if extra %} {{ extra }}{% endif %}\n"
    manifest = (
        "class r { file { '/x': content => jinja_template('m/x.j2', { 'opts' => '-v' }) } }\n"
    )
    texts = render(manifest, {"modules/m/templates/x.j2": template})
    assert sorted(t.text for t in texts) == ["run -v", f"run -v {SYMBOL}"]
    assert where(texts[0], "-v") == ("m.pp", 1, 73)


def test_static_jinja_makes_tags_unknowns() -> None:
    (text,) = static_jinja("run -q {{ name }}\n", "f.j2", 16)
    assert text.text == f"run -q {SYMBOL}"  # Jinja2 drops the last newline
    assert text.symbols()[0].column == 8


def located(text: str, column: int) -> LText:
    return LText.literal(text, "t", 1, column)


def test_mark_conditional_keeps_what_every_rendering_prints() -> None:
    common = located("run", 1)
    flag = located(" -v", 4)
    one = Rendering(LText.join([common, flag]), ("`@a` is set",))
    two = Rendering(common, ("`@a` is not set",))
    marked, plain = mark_conditional([one, two])
    assert marked.assumed(0, 3) == () and plain.assumed() == ()
    assert marked.assumed(4, 6) == ("`@a` is set",)
    assert marked.assumed() == ("`@a` is set",)  # the whole text needs the flag's condition


@pytest.mark.parametrize(
    ("assumptions", "expected"),
    [
        pytest.param(
            [
                ("`@a` is set", "`@b` is set"),
                ("`@a` is set", "`@b` is not set"),
                ("`@a` is not set",),
            ],
            ("`@a` is set",),
            id="common-part",
        ),
        pytest.param(
            [("x",), ("y",), ("z",)],
            ("x or y",),
            id="nothing-in-common",
        ),
    ],
)
def test_mark_conditional_condition_of_a_shared_piece(
    assumptions: list[tuple[str, ...]], expected: tuple[str, ...]
) -> None:
    flag = located("-v", 1)
    other = located("-q", 9)
    renderings = [
        Rendering(flag, assumptions[0]),
        Rendering(flag, assumptions[1]),
        Rendering(other, assumptions[2]),
    ]
    assert mark_conditional(renderings)[0].assumed() == expected


def test_alternatives_without_assumptions_are_not_marked() -> None:
    texts = mark_conditional([Rendering(located("a", 1)), Rendering(located("b", 2))])
    assert [t.assumed() for t in texts] == [(), ()]


def test_symbol_runs_carry_conditions_too() -> None:
    unknown = LText.symbol(Span("t", 1, 5, 1, 9), "@x")
    one = Rendering(LText.join([located("a ", 1), unknown]), ("`@y` is set",))
    two = Rendering(located("a ", 1), ("`@y` is not set",))
    marked = mark_conditional([one, two])[0]
    assert marked.symbols()[0].assumed == ("`@y` is set",)


EPP_ALPHABET = st.sampled_from(
    [*"ab$x{}|()'=-#%<> \n", "<%", "%>", "<%=", "-%>", "<%-", "if $x {", "} else {", "}"]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(EPP_ALPHABET, max_size=40).map("".join))
def test_rendering_any_epp_never_raises(template: str) -> None:
    hook = TemplateRenderer({"modules/m/templates/t.epp": template}.get, ("modules",), 4, [])
    index = Index()
    index.add(parse_manifest("class r($x) { file { '/t': content => epp('m/t.epp') } }", "m.pp"))
    evaluator = Evaluator(index, {}, hook)
    evaluator.declare_class("r", None, ())
    lines = template.split("\n")
    for resource in evaluator.resources:
        for value in resource.attrs["content"]:
            for text in value.force() if hasattr(value, "force") else [value]:
                assert isinstance(text, LText)
                for run in text.runs:
                    assert run.path == "modules/m/templates/t.epp"
                    assert 1 <= run.line <= len(lines)


def test_an_erb_rendering_is_reused_only_for_the_same_values() -> None:
    manifest = (
        "class a($x = '-v') { file { '/a': content => template('m/t.erb') } }\n"
        "class b($x = '-v') { file { '/b': content => template('m/t.erb') } }\n"
        "class c($x = '-t') { file { '/c': content => template('m/t.erb') } }\n"
        "class r { include a, b, c }\n"
    )
    files = {"modules/m/templates/t.erb": "run <%= @x %>\n"}
    texts = render(manifest, files)
    assert [t.text for t in texts] == ["run -v\n", "run -v\n", "run -t\n"]
    # `b` gets a rendering of its own value: the same text, located in b's default.
    assert where(texts[0], "-v")[:2] == ("m.pp", 1)
    assert where(texts[1], "-v")[:2] == ("m.pp", 2)
    assert where(texts[2], "-t")[:2] == ("m.pp", 3)
