"""ERB rendering: output is located where it is written, values where they came from."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftlint.ltext import LText
from driftlint.parse.erb import render_erb, template_text
from driftlint.values import MapScope

ROLE_VALUE = LText.literal("-v 0", "manifests/role.pp", 4, 20)


def test_output_tag_keeps_the_value_location() -> None:
    text = 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="<%= @extra_args %>"\n'
    (rendering,), errors = render_erb(text, "t.erb", MapScope({"extra_args": ROLE_VALUE}))
    assert errors == ()
    assert rendering.text.text == 'JR_TIMEOUT=300\nJR_EXTRA_ARGS="-v 0"\n'
    dash = rendering.text.text.index("-v")
    assert rendering.text.loc(dash) == ("manifests/role.pp", 4, 20)
    assert rendering.text.loc(15) == ("t.erb", 2, 1)  # the J of JR_EXTRA_ARGS


def test_known_condition_picks_one_branch_and_trims() -> None:
    text = "<% if @flag -%>\n--yes\n<% else -%>\n--no\n<% end -%>\nend\n"
    renderings, _ = render_erb(text, "t.erb", MapScope({"flag": False}))
    assert [r.text.text for r in renderings] == ["--no\nend\n"]
    assert renderings[0].assumptions == ()


def test_unknown_condition_forks_with_assumptions() -> None:
    text = "run <% if @extra %>--bogus<% end %>\n"
    renderings, _ = render_erb(text, "t.erb", MapScope({}))
    assert sorted(r.text.text for r in renderings) == ["run \n", "run --bogus\n"]
    assert {r.assumptions for r in renderings} == {("`@extra` is true",), ("`@extra` is false",)}


def test_each_unrolls_a_known_array() -> None:
    text = "<% @args.each do |a| -%>\nx <%= a %>\n<% end -%>\n"
    scope = MapScope({"args": (LText.plain("1"), LText.plain("2"))})
    (rendering,), _ = render_erb(text, "t.erb", scope)
    assert rendering.text.text == "x 1\nx 2\n"


def test_unknown_method_is_symbolic_at_the_tag() -> None:
    (rendering,), _ = render_erb("a <%= @x.frobnicate %> b", "t.erb", MapScope({}))
    assert rendering.text.dynamic
    assert rendering.text.span(2, 3) is not None


def test_template_text_makes_tags_opaque() -> None:
    out = template_text("#!/bin/sh\n# on <%= @fqdn %>\n", "s.erb")
    assert out.dynamic and out.text.startswith("#!/bin/sh\n# on ")


@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    renderings, _ = render_erb(text, "t.erb", MapScope({}))
    assert renderings
