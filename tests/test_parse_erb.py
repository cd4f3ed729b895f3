"""ERB rendering: output is located where it is written, values where they came from."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.parse.erb import render_erb, template_text
from driftlint.values import MapScope, Value
from tests.conftest import as_value

ROLE_VALUE = LText.literal("-v 0", "manifests/role.pp", 4, 20)


VARS = {
    "s": "serve",
    "args": ["-a", "-b"],
    "nested": [["x", "y"], "z"],
    "dup": ["b", "a", "b"],
    "h": {"k": "v", "w": "x"},
    "yes": True,
    "no": False,
    "none": None,
    "empty": "",
    "pad": "  p  ",
}
SCOPE = MapScope({k: as_value(v) for k, v in VARS.items()})

# (template, expected output); each also runs through Ruby's ERB in the differential test.
KNOWN = [
    pytest.param("a <%= @s %> b\n", "a serve b\n", id="output"),
    pytest.param("<%# note %>x\n", "x\n", id="comment"),
    pytest.param("<%%= literal %>\n", "<%= literal %>\n", id="escaped-tag"),
    pytest.param("<% if @yes %>\nY\n<% end %>\n", "\nY\n\n", id="plain-close-keeps-newline"),
    pytest.param("<% if @yes -%>\nY\n<% end -%>\nZ\n", "Y\nZ\n", id="dash-close-trims-newline"),
    pytest.param("a\n  <%- if @yes -%>\n  Y\n  <%- end -%>\nb\n", "a\n  Y\nb\n", id="dash-open"),
    pytest.param("x <%- if @yes %>Y<% end %>\n", "x Y\n", id="dash-open-mid-line-keeps"),
    pytest.param("<%= @s -%>\nnext\n", "servenext\n", id="output-dash-close"),
    pytest.param("<% if @no %>A<% elsif @none %>B<% else %>C<% end %>", "C", id="elsif-else"),
    pytest.param("<% unless @no %>U<% end %>", "U", id="unless"),
    pytest.param("<%= 'M' if @yes %><%= 'N' unless @yes %>", "M", id="modifiers"),
    pytest.param("<%= @yes ? 'T' : 'F' %>", "T", id="ternary"),
    pytest.param("<%= (@yes && !@no) || @none %>", "true", id="and-or-not"),
    pytest.param("<%= @s == 'serve' %> <%= @s != 'serve' %>", "true false", id="equality"),
    pytest.param("<% @args.each do |a| -%>\n[<%= a %>]\n<% end -%>\n", "[-a]\n[-b]\n", id="each"),
    pytest.param("<% @args.each { |a| %><%= a %>,<% } %>", "-a,-b,", id="each-braces"),
    pytest.param(
        "<% @args.each_with_index do |a, i| %><%= i %>=<%= a %> <% end %>",
        "0=-a 1=-b ",
        id="each-with-index",
    ),
    pytest.param(
        "<% @h.each_pair do |k, v| %><%= k %>:<%= v %>;<% end %>", "k:v;w:x;", id="each-pair"
    ),
    pytest.param("<% @h.sort.each do |k, v| %><%= k %><% end %>", "kw", id="hash-sort"),
    pytest.param("<%= @args.join(' ') %>", "-a -b", id="join"),
    pytest.param("<%= @args.map { |a| \"#{a}x\" }.join(',') %>", "-ax,-bx", id="map"),
    pytest.param("<%= @nested.flatten.join('/') %>", "x/y/z", id="flatten"),
    pytest.param("<%= @dup.uniq.sort.join %>", "ab", id="uniq-sort"),
    pytest.param("<%= @args.include?('-a') %><%= @args.empty? %>", "truefalse", id="include"),
    pytest.param("<%= @none.nil? %><%= @empty.empty? %><%= @none.to_s %>", "truetrue", id="nil"),
    pytest.param("[<%= @pad.strip %>]", "[p]", id="strip"),
    pytest.param('<%= "run #{@s} --x=#{@args[1]}\\tq" %>', "run serve --x=-b\tq", id="interp"),
    pytest.param("<%= 'it\\'s' %>", "it's", id="single-quote-escape"),
    pytest.param("<% x = @s + '-d' %><%= x %>", "serve-d", id="local-and-plus"),
    pytest.param("<%= @h['w'] %><%= :sym %><%= 42 %><%= nil %>", "xsym42", id="literals"),
    pytest.param("<%= [1, 2].first %><%= {'a' => 'b'}['a'] %>", "1b", id="array-hash-literals"),
    pytest.param("<% case @s when 'x' %>X<% when 'serve' %>S<% else %>E<% end %>", "S", id="case"),
    pytest.param("<% for a in @args %><%= a %><% end %>", "-a-b", id="for"),
]


@pytest.mark.parametrize(("template", "expected"), KNOWN)
def test_known_scope_renders_one_text(template: str, expected: str) -> None:
    renderings, errors = render_erb(template, "t.erb", SCOPE)
    assert errors == ()
    assert [r.text.text for r in renderings] == [expected]
    assert renderings[0].assumptions == ()


@pytest.mark.skipif(shutil.which("ruby") is None, reason="Ruby's ERB is the oracle")
def test_ruby_erb_agrees() -> None:
    # The oracle runs only on our own small templates, as a test; driftlint never runs Ruby.
    script = (
        "require 'erb'; require 'json'; vars, cases = JSON.parse(STDIN.read);"
        "o = Object.new; vars.each { |k, v| o.instance_variable_set('@' + k, v) };"
        "print JSON.generate(cases.map { |t| ERB.new(t, trim_mode: '-').result(o.instance_eval"
        " { binding }) })"
    )
    templates = [p.values[0] for p in KNOWN]
    done = subprocess.run(
        ["ruby", "-e", script],
        input=json.dumps([VARS, templates]),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == [p.values[1] for p in KNOWN]


def test_output_tag_keeps_the_value_location() -> None:
    text = 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="<%= @extra_args %>"\n'
    (rendering,), errors = render_erb(text, "t.erb", MapScope({"extra_args": ROLE_VALUE}))
    assert errors == ()
    out = rendering.text
    assert out.text == 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="-v 0"\n'
    assert out.loc(0) == ("t.erb", 1, 1)
    assert out.loc(15) == ("t.erb", 2, 1)  # the J of JR_EXTRA_ARGS
    assert [out.loc(i) for i in range(30, 34)] == [
        ("manifests/role.pp", 4, c) for c in range(20, 24)
    ]
    assert out.loc(34) == ("t.erb", 2, 34)  # the closing quote, after the tag


@pytest.mark.parametrize(
    ("template", "char", "where"),
    [
        pytest.param("<% if true -%>\n  x\n<% end -%>\n", "x", ("t.erb", 2, 3), id="in-branch"),
        pytest.param("a\n  <%- if true -%>\n  y\n", "y", ("t.erb", 3, 3), id="after-trim"),
        pytest.param("<%= ' q' %>", "q", ("t.erb", 1, 7), id="string-literal"),
        pytest.param("<%= [\"a\", 'z'].join %>", "z", ("t.erb", 1, 12), id="array-element"),
        pytest.param("<%% <%= 'w' %>", "w", ("t.erb", 1, 10), id="after-escape"),
        pytest.param("é <%= 'k' %>", "k", ("t.erb", 1, 8), id="non-ascii-columns"),
    ],
)
def test_template_characters_keep_their_place(
    template: str, char: str, where: tuple[str, int, int]
) -> None:
    (rendering,), _ = render_erb(template, "t.erb", MapScope({}))
    assert rendering.text.loc(rendering.text.text.index(char)) == where


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param(
            "run <% if @extra %>--bogus<% end %>\n",
            {("run --bogus\n", ("`@extra` is set",)), ("run \n", ("`@extra` is not set",))},
            id="if",
        ),
        pytest.param(
            "<% unless @x == 'a' %>N<% end %>",
            {("N", ("`@x == 'a'` is false",)), ("", ("`@x == 'a'` is true",))},
            id="unless-expression",
        ),
        pytest.param(
            "<% if scope['::a'] %>A<% end %>",
            {("A", ("`scope['::a']` is set",)), ("", ("`scope['::a']` is not set",))},
            id="scope-lookup",
        ),
        pytest.param(
            "<% if @x %>a<% end %>-<% unless @x %>b<% end %>",
            {("a-", ("`@x` is set",)), ("-b", ("`@x` is not set",))},
            id="same-condition-answers-once",
        ),
        pytest.param(
            "<% [@p, @q].each do |v| %><% if v %>1<% end %><% end %>",
            {
                ("11", ("`v` is set", "`v` is set")),
                ("1", ("`v` is not set", "`v` is set")),
                ("", ("`v` is not set", "`v` is not set")),
            },
            id="loop-variable-is-asked-again",
        ),
    ],
)
def test_unknown_condition_forks(template: str, expected: set[tuple[str, tuple[str, ...]]]) -> None:
    renderings, _ = render_erb(template, "t.erb", MapScope({}))
    assert {(r.text.text, r.assumptions) for r in renderings} == expected


def test_forks_stop_at_the_limit() -> None:
    template = "".join(f"<% if @v{i} %>{i} <% end %>" for i in range(10))
    renderings, _ = render_erb(template, "t.erb", MapScope({}), limit=4)
    assert len(renderings) == 4
    assert any("not forked: limit reached" in a for r in renderings for a in r.assumptions)


@pytest.mark.parametrize(
    ("template", "scope"),
    [
        pytest.param("a <%= @x.frobnicate %> b", {}, id="unknown-method"),
        pytest.param("a <%= scope.function_hiera(['k']) %> b", {}, id="function"),
        pytest.param("a <%= scope.call_function('lookup', ['k']) %> b", {}, id="call-function"),
        pytest.param("a <%= @missing %> b", {}, id="unset-variable"),
        pytest.param("a <%= @list %> b", {"list": (LText.plain("x"),)}, id="array-to-s"),
        pytest.param("a <%= `uname` %> b", {}, id="backticks-never-run"),
    ],
)
def test_unknown_is_one_symbol_located_at_the_tag(template: str, scope: dict[str, Value]) -> None:
    (rendering,), errors = render_erb(template, "t.erb", MapScope(scope))
    assert errors == ()
    assert rendering.text.text == f"a {SYMBOL} b"
    (run,) = rendering.text.symbols()
    assert (run.line, run.column, run.end_line, run.end_column) == (1, 3, 1, len(template) - 1)


def test_loop_over_unknown_renders_once_and_says_so() -> None:
    template = "<% @hosts.each do |h| %>--host=<%= h %> <% end %>"
    (rendering,), _ = render_erb(template, "t.erb", MapScope({}))
    assert rendering.text.text == f"--host={SYMBOL} "
    assert rendering.assumptions == ("`@hosts` has one element of unknown value",)


def test_expansion_is_bounded() -> None:
    many = tuple(LText.plain(str(i)) for i in range(5000))
    template = "<% @a.each do |x| %><% @a.each do |y| %>.<% end %><% end %>"
    (rendering,), _ = render_erb(template, "t.erb", MapScope({"a": many}))
    assert len(rendering.text.text) <= 5000
    assert any("expansion bound" in a for a in rendering.assumptions)


@pytest.mark.parametrize(
    ("template", "line"),
    [
        pytest.param("ok\n<% if @x", 2, id="unclosed-tag"),
        pytest.param("ok\n<% if @x %>y", 2, id="missing-end"),
        pytest.param("ok\n<%= @x + %>\n", 2, id="bad-ruby"),
    ],
)
def test_syntax_errors_become_findings(template: str, line: int) -> None:
    renderings, errors = render_erb(template, "t.erb", MapScope({}))
    assert [(e.code, e.severity, e.span.line) for e in errors] == [("parse-error", "warning", line)]
    assert [r.text.text[:3] for r in renderings] == ["ok\n"]


def test_template_text_makes_tags_opaque() -> None:
    out = template_text("#!/bin/sh\n# on <%= @fqdn %>\n<%# c -%>\nrun <% x %>-v\n", "s.erb")
    assert out.text == f"#!/bin/sh\n# on {SYMBOL}\nrun {SYMBOL}-v\n"
    assert out.loc(out.text.index("run")) == ("s.erb", 4, 1)
    assert [(r.line, r.column, r.end_column) for r in out.symbols()] == [(2, 6, 18), (4, 5, 12)]


FRAGMENTS = st.sampled_from(
    ["<%", "<%=", "<%-", "<%#", "<%%", "%>", "-%>", " if @x ", " end ", " else ", "\n", "é",
     " @a.each do |v| ", " v ", "'", '"', "#{", "}", " x = ", "text", " case ", " when 1 "]
)  # fmt: skip


def _inside(rendering_text: LText, template: str) -> None:
    lines = template.split("\n")
    for i in range(len(rendering_text.text)):
        where = rendering_text.loc(i)
        if where is None or where[0] != "t.erb":
            assert where is None or where[0] == "manifests/role.pp"
            continue
        _, line, column = where
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1]) + 1
        if rendering_text.text[i] != SYMBOL:
            assert lines[line - 1][column - 1] == rendering_text.text[i] or (
                rendering_text.text[i] in "\t\n\x1b\0\r\\' "  # an escape sequence
            )


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(FRAGMENTS, max_size=30).map("".join)))
def test_never_raises_and_locations_stay_inside(template: str) -> None:
    scope = MapScope({"x": ROLE_VALUE, "a": (ROLE_VALUE, LText.plain("b"))})
    renderings, _ = render_erb(template, "t.erb", scope)
    assert 1 <= len(renderings) <= 16
    for rendering in renderings:
        _inside(rendering.text, template)
    _inside(template_text(template, "t.erb"), template)


@pytest.mark.parametrize(
    ("template", "scope", "expected"),
    [
        pytest.param('<%= @x ? "--a" : "-b" %>', {}, [
            ("--a", ("`@x` is set",)), ("-b", ("`@x` is not set",))], id="ternary-unknown"),
        pytest.param('<%= (@x ? "--a" : "-b") %>', {"x": False}, [("-b", ())], id="ternary-known"),
        pytest.param('<% if @os =~ /^deb/i %>apt<% else %>yum<% end %>', {"os": "Debian"},
                     [("apt", ())], id="match-operator-flags"),
        pytest.param('<% if @os !~ /^deb/ %>yum<% end %>', {"os": "debian"}, [("", ())],
                     id="no-match-operator"),
        pytest.param('<%= @os.match(/\\Abuster\\z/) ? "old" : "new" %>', {"os": "bookworm"},
                     [("new", ())], id="match-method-anchors"),
        pytest.param('<% if @os.match?(/^deb/) %>apt<% end %>', {}, [
            ("apt", ("`@os.match?(/^deb/)` is true",)),
            ("", ("`@os.match?(/^deb/)` is false",))], id="match-unknown-forks"),
        pytest.param('<% if @os =~ /#{@x}/ %>apt<% end %>', {"os": "debian"}, [
            ("apt", ("`@os =~ /#{@x}/` is true",)),
            ("", ("`@os =~ /#{@x}/` is false",))], id="interpolated-regex-forks"),
    ],
)  # fmt: skip
def test_ternaries_and_regex_matches(
    template: str, scope: dict[str, object], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    renderings, errors = render_erb(
        template, "t.erb", MapScope({k: as_value(v) for k, v in scope.items()})
    )
    assert errors == ()
    assert [(r.text.text, r.assumptions) for r in renderings] == expected
