"""Jinja2 rendering without rendering: text located in the template, values where they came from."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from driftlint.ltext import SYMBOL, LText
from driftlint.parse.jinja import jinja_template_text, render_jinja
from driftlint.values import MapScope
from tests.conftest import as_value

ROLE_VALUE = LText.literal("-v 0", "manifests/role.pp", 4, 20)


VARS = {
    "s": "serve",
    "args": ["-a", "-b"],
    "dup": ["b", "a", "b"],
    "h": {"k": "v", "w": "x"},
    "yes": True,
    "no": False,
    "none": None,
    "empty": "",
    "pad": "  p  ",
    "Mixed": "MiX",
}
SCOPE = MapScope({k: as_value(v) for k, v in VARS.items()})

KNOWN = [
    pytest.param("a {{ s }} b\n", "a serve b", id="output-and-trailing-newline"),
    pytest.param("x{# note #}y", "xy", id="comment"),
    pytest.param("{% if yes %}\nY\n{% endif %}\n", "\nY\n", id="plain-tags-keep-newlines"),
    pytest.param("a  {%- if yes -%}  \n Y {%- endif %}", "aY", id="whitespace-control"),
    pytest.param("{% if no %}A{% elif none %}B{% else %}C{% endif %}", "C", id="elif-else"),
    pytest.param("{% if not no and (yes or none) %}T{% endif %}", "T", id="logic"),
    pytest.param("{{ 'T' if s == 'serve' else 'F' }}{{ s != 'serve' }}", "TFalse", id="compare"),
    pytest.param("{% for a in args %}[{{ a }}]{% endfor %}", "[-a][-b]", id="for"),
    pytest.param("{% for a in [] %}x{% else %}none{% endfor %}", "none", id="for-else"),
    pytest.param("{% for k, v in h.items() %}{{ k }}={{ v }};{% endfor %}", "k=v;w=x;", id="items"),
    pytest.param("{{ args | join(' ') }}", "-a -b", id="join"),
    pytest.param(
        "{{ Mixed | lower }}{{ Mixed | upper }}[{{ pad | trim }}]", "mixMIX[p]", id="case"
    ),
    pytest.param("{{ dup | unique | sort | join }}", "ab", id="unique-sort"),
    pytest.param(
        "{{ none | default('d') }}{{ empty | default('e', true) }}", "Nonee", id="default"
    ),
    pytest.param("{% set q = s ~ '-d' %}{{ q }}", "serve-d", id="set-and-concat"),
    pytest.param("{{ h.w }}{{ h['k'] }}{{ args[1] }}", "xv-b", id="getattr-getitem"),
    pytest.param("{{ 'a' in args }}{{ '-a' in args }}", "FalseTrue", id="in"),
    pytest.param("{% if s is defined and none is none %}D{% endif %}", "D", id="tests"),
    pytest.param("{% raw %}{{ x }}{% endraw %}", "{{ x }}", id="raw"),
    pytest.param("{% for a in args %}{% set z = a %}{% endfor %}{{ s }}", "serve", id="loop-scope"),
]


@pytest.mark.parametrize(("template", "expected"), KNOWN)
def test_known_scope_renders_one_text(template: str, expected: str) -> None:
    renderings, errors = render_jinja(template, "t.j2", SCOPE)
    assert errors == ()
    assert [r.text.text for r in renderings] == [expected]
    assert renderings[0].assumptions == ()


@pytest.mark.parametrize(("template", "expected"), KNOWN)
def test_sandboxed_jinja2_agrees(template: str, expected: str) -> None:
    # The oracle renders our own small templates in Jinja2's sandbox, only in tests.
    assert SandboxedEnvironment().from_string(template).render(**VARS) == expected


def test_output_keeps_the_value_location() -> None:
    text = 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="{{ extra_args }}"\n'
    (rendering,), errors = render_jinja(text, "t.j2", MapScope({"extra_args": ROLE_VALUE}))
    assert errors == ()
    out = rendering.text
    assert out.text == 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="-v 0"'
    assert out.loc(15) == ("t.j2", 2, 1)
    assert [out.loc(i) for i in range(30, 34)] == [
        ("manifests/role.pp", 4, c) for c in range(20, 24)
    ]
    assert out.loc(34) == ("t.j2", 2, 32)


@pytest.mark.parametrize(
    ("template", "char", "where"),
    [
        pytest.param("{% if true -%}\n  x\n{% endif %}", "x", ("t.j2", 2, 3), id="after-trim"),
        pytest.param("{# c #}\n\tq", "q", ("t.j2", 2, 2), id="after-comment"),
        pytest.param("é {{ 1 }} k", "k", ("t.j2", 1, 11), id="non-ascii"),
        pytest.param("a\r\nb", "b", ("t.j2", 2, 1), id="crlf"),
        pytest.param("{% for i in [1] %}\n w{% endfor %}", "w", ("t.j2", 2, 2), id="loop-body"),
    ],
)
def test_template_characters_keep_their_place(
    template: str, char: str, where: tuple[str, int, int]
) -> None:
    (rendering,), _ = render_jinja(template, "t.j2", MapScope({}))
    assert rendering.text.loc(rendering.text.text.index(char)) == where


def test_unknown_condition_forks() -> None:
    renderings, _ = render_jinja("run {% if extra %}--bogus{% endif %}", "t.j2", MapScope({}))
    assert {(r.text.text, r.assumptions) for r in renderings} == {
        ("run --bogus", ("`extra` is set",)),
        ("run ", ("`extra` is not set",)),
    }


def test_same_condition_answers_once() -> None:
    template = "{% if x %}a{% endif %}-{% if not x %}b{% endif %}{% if x %}c{% endif %}"
    renderings, _ = render_jinja(template, "t.j2", MapScope({}))
    assert {(r.text.text, r.assumptions) for r in renderings} == {
        ("a-c", ("`x` is set",)),
        ("-b", ("`x` is not set",)),
    }


def test_unknown_elif_chain_forks_once_per_test() -> None:
    template = "{% if a == 1 %}A{% elif b %}B{% else %}C{% endif %}"
    renderings, _ = render_jinja(template, "t.j2", MapScope({}))
    assert [(r.text.text, r.assumptions) for r in renderings] == [
        ("A", ("`a == 1` is true",)),
        ("B", ("`a == 1` is false", "`b` is set")),
        ("C", ("`a == 1` is false", "`b` is not set")),
    ]


def test_forks_stop_at_the_limit() -> None:
    template = "".join(f"{{% if v{i} %}}{i}{{% endif %}}" for i in range(10))
    renderings, _ = render_jinja(template, "t.j2", MapScope({}), limit=3)
    assert len(renderings) == 3
    assert any("not forked" in a for r in renderings for a in r.assumptions)


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("a {{ missing }} b", id="unset"),
        pytest.param("a {{ lookup('x') }} b", id="call"),
        pytest.param("a {{ args | frob }} b", id="unknown-filter"),
        pytest.param("a {{ args }} b", id="list"),
    ],
)
def test_unknown_is_one_symbol_located_at_the_tag(template: str) -> None:
    (rendering,), errors = render_jinja(template, "t.j2", SCOPE)
    assert errors == ()
    assert rendering.text.text == f"a {SYMBOL} b"
    (run,) = rendering.text.symbols()
    assert (run.line, run.column, run.end_line, run.end_column) == (1, 3, 1, len(template) - 1)


def test_loop_over_unknown_runs_once() -> None:
    (rendering,), _ = render_jinja("{% for h in hosts %}-H {{ h }} {% endfor %}", "t.j2", SCOPE)
    assert rendering.text.text == f"-H {SYMBOL} "
    assert rendering.assumptions == ("`{% for h in hosts %}` runs once",)


@pytest.mark.parametrize(
    ("template", "line"),
    [
        pytest.param("ok\n{% if %}", 2, id="empty-test"),
        pytest.param("ok\n{% if x %}\n", 2, id="missing-endif"),
        pytest.param("ok\n{{ x ", 2, id="unclosed"),
    ],
)
def test_syntax_errors_become_findings(template: str, line: int) -> None:
    renderings, errors = render_jinja(template, "t.j2", MapScope({}))
    assert [(e.code, e.severity, e.span.line) for e in errors] == [("parse-error", "warning", line)]
    assert [r.text.text[:3] for r in renderings] == ["ok\n"]


def test_template_text_makes_tags_opaque() -> None:
    out = jinja_template_text("run {{ x }}{# c #} {% if y %}-v{% endif %}\n", "t.j2")
    assert out.text == f"run {SYMBOL} {SYMBOL}-v{SYMBOL}\n"
    assert [(r.column, r.end_column) for r in out.symbols()] == [(5, 12), (20, 30), (32, 43)]


FRAGMENTS = st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", "-", " if x ", " endif ", " else ", " for a in b ",
     " endfor ", "\n", "é", "'", "x", " | join(',') ", " set y = x ", "\r\n", " raw "]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(FRAGMENTS, max_size=30).map("".join)))
def test_never_raises_and_locations_stay_inside(template: str) -> None:
    scope = MapScope({"x": ROLE_VALUE, "b": (ROLE_VALUE, LText.plain("c"))})
    renderings, _ = render_jinja(template, "t.j2", scope)
    assert 1 <= len(renderings) <= 16
    lines = template.split("\n")
    for rendering in renderings:
        out = rendering.text
        for i, char in enumerate(out.text):
            where = out.loc(i)
            if where is None or where[0] != "t.j2":
                assert where is None or where[0] == "manifests/role.pp"
                continue
            line, column = where[1], where[2]
            assert 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1
            assert char == SYMBOL or lines[line - 1][column - 1] == char
