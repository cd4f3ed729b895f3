"""The evaluator: values follow variables, parameters, branches and defines per role."""

from __future__ import annotations

import pytest

from driftlint.ltext import LText
from driftlint.parse.puppet import ast, parse_manifest
from driftlint.resolve import functions
from driftlint.resolve.evaluate import Evaluator, Resource
from driftlint.resolve.scope import Index
from driftlint.values import Unknown


def evaluate(source: str, start: str, hiera: dict[str, str] | None = None) -> list[Resource]:
    manifest = parse_manifest(source, "m.pp")
    assert manifest.errors == ()
    index = Index()
    index.add(manifest)
    data = hiera or {}

    def lookup(key: str, facts: dict[str, str]) -> list[object] | None:
        return [LText.literal(data[key], "h.yaml", 1, 1)] if key in data else None

    evaluator = Evaluator(index, {}, None, lookup)  # type: ignore[arg-type]
    evaluator.declare_class(start, None, ())
    return evaluator.resources


def commands(resources: list[Resource]) -> list[str]:
    out = []
    for resource in resources:
        for value in resource.attrs.get("command", []):
            out.append(value.text if isinstance(value, LText) else repr(value))
    return out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "class a { $x = '-v'\n exec { 'e': command => \"run ${x} 1\" } }",
            ["run -v 1"],
            id="local-variable",
        ),
        pytest.param(
            "class a($p = '--d') { exec { 'e': command => \"run $p\" } }",
            ["run --d"],
            id="parameter-default",
        ),
        pytest.param(
            "class a($p = '--d') { exec { 'e': command => \"run $p\" } }\n"
            "class r { class { 'a': p => '--given' } }",
            ["run --given"],
            id="resource-like-declaration-wins",
        ),
        pytest.param(
            "class a { $f = $::site ? { 'x' => '--one', default => '--two' }\n"
            " exec { 'e': command => \"run ${f}\" } }",
            ["run --one", "run --two"],
            id="selector-alternatives",
        ),
        pytest.param(
            "class a { if $facts['x'] { $f = '--yes' } else { $f = '--no' }\n"
            " exec { 'e': command => \"run ${f}\" } }",
            ["run --yes", "run --no"],
            id="if-alternatives",
        ),
        pytest.param(
            "class a { $f = 'b' case $f { 'a': { $g = '--a' } 'B': { $g = '--b' } }\n"
            " exec { 'e': command => \"run ${g}\" } }",
            ["run --b"],
            id="case-is-case-insensitive",
        ),
        pytest.param(
            "class a { ['--x', '--y'].each |$f| {\n"
            ' exec { "e${f}": command => "run ${f}" } } }',
            ["run --x", "run --y"],
            id="each-over-known-array",
        ),
        pytest.param(
            "class a { $args = join(['-a', '-b'], ' ')\n"
            " exec { 'e': command => \"run ${args}\" } }",
            ["run -a -b"],
            id="join",
        ),
        pytest.param(
            'define d() { exec { "e-${title}": command => "run --${title}" } }\n'
            "class a { d { 'one': } d { 'two': } }",
            ["run --one", "run --two"],
            id="define-titles",
        ),
    ],
)
def test_commands_follow_values(source: str, expected: list[str]) -> None:
    start = "r" if "class r" in source else "a"
    assert sorted(commands(evaluate(source, start))) == sorted(expected)


def test_hiera_fills_a_parameter_no_declaration_sets() -> None:
    source = "class a($p = '--d') { exec { 'e': command => \"run $p\" } }"
    resources = evaluate(source, "a", {"a::p": "--from-hiera"})
    assert commands(resources) == ["run --from-hiera"]
    value = resources[0].attrs["command"][0]
    assert isinstance(value, LText)
    assert value.loc(4) == ("h.yaml", 1, 1)  # the word keeps its Hiera location


def test_unknown_fact_stays_symbolic() -> None:
    resources = evaluate("class a { exec { 'e': command => \"run ${::fqdn}\" } }", "a")
    value = resources[0].attrs["command"][0]
    assert isinstance(value, LText) and value.dynamic


def test_parameter_without_default_is_unknown() -> None:
    manifest = parse_manifest("class a($p) { $q = $p }", "m.pp")
    index = Index()
    index.add(manifest)
    evaluator = Evaluator(index)
    evaluator.declare_class("a", None, ())
    assert isinstance(evaluator.classes["a"].vars["q"][0], Unknown)


def test_map_over_an_unknown_is_unknown_not_empty() -> None:
    # `$pools` comes from nowhere we know: the joined names must stay unknown, never "".
    source = (
        "class a($pools = lookup('p')) {\n"
        "  $names = $pools.filter |$k, $v| { $v }.map |$el| { $el[0] }.join(' ')\n"
        "  exec { 'e': command => \"restart --pools ${names}\" } }"
    )
    [command] = commands(evaluate(source, "a"))
    assert command.startswith("restart --pools ") and "\ue000" in command


def test_map_keeps_alternatives_apart() -> None:
    source = (
        "class a { $list = $::site ? { 'x' => ['a', 'b'], default => ['c'] }\n"
        "  $j = $list.map |$i| { \"-${i}\" }.join(',')\n"
        "  exec { 'e': command => \"run ${j}\" } }"
    )
    assert sorted(commands(evaluate(source, "a"))) == ["run -a,-b", "run -c"]


UNDECIDED = """
class c ($on = false, $mode = 'a', $given = false) {
  if $on { exec { 'on': command => 'run --on' } }
  unless $on { exec { 'off': command => 'run --off' } }
  if $mode == 'b' { exec { 'b': command => 'run --b' } }
  case $mode {
    'a': { exec { 'case-a': command => 'run --case-a' } }
    'b', 'c': { exec { 'case-bc': command => 'run --case-bc' } }
    default: { exec { 'case-other': command => 'run --case-other' } }
  }
  if $given { exec { 'given': command => 'run --given' } }
  $word = $mode ? { 'a' => '--sa', default => '--sd' }
  exec { 'sel': command => "run ${word}" }
}
"""


def test_branches_on_defaulted_parameters_are_explored_with_their_condition() -> None:
    found = evaluate(UNDECIDED, "c", {"c::given": "true"})
    got = {
        str(r.title): (r.assumed, [v.text for v in r.attrs["command"] if isinstance(v, LText)])
        for r in found
    }
    assert got == {
        "on": (("`$on` is true",), ["run --on"]),
        "off": ((), ["run --off"]),
        "b": (("`$mode` is 'b'",), ["run --b"]),
        "case-a": ((), ["run --case-a"]),
        "case-bc": (("`$mode` is 'b' or 'c'",), ["run --case-bc"]),
        "case-other": (("`$mode` matches no other case",), ["run --case-other"]),
        "given": ((), ["run --given"]),  # Hiera set it: decided, nothing else explored
        # The selector's other value, printed only under its condition.
        "sel": ((), ["run --sa", "run --sd"]),
    }
    sel = next(r for r in found if str(r.title) == "sel").attrs["command"]
    assumed = [v.assumed() for v in sel if isinstance(v, LText)]
    assert assumed == [(), ("`$mode` matches no other case",)]


def test_an_explored_side_does_not_see_the_default_it_contradicts() -> None:
    source = """
class c ($nodes = undef) {
  if $nodes { exec { 'list': command => "list -c ${nodes}" } }
}
"""
    (found,) = evaluate(source, "c")
    (command,) = found.attrs["command"]
    assert found.assumed == ("`$nodes` is true",)
    assert isinstance(command, LText) and command.dynamic  # not `list -c ` with no value


def top_value(source: str, hiera: dict[str, object] | None = None) -> list[object]:
    """The value of the last statement of `source`, run at top scope."""
    manifest = parse_manifest(source, "m.pp", puppet3=False)
    assert manifest.errors == ()
    index = Index()
    index.add(manifest)
    data = hiera or {}

    def lookup(key: str, facts: dict[str, str]) -> list[object] | None:
        return [data[key]] if key in data else None

    evaluator = Evaluator(index, {}, None, lookup)  # type: ignore[arg-type]
    result: list[object] = [None]
    for node in manifest.body:
        if not isinstance(node, ast.ClassDef | ast.NodeDef):
            result = evaluator.eval(node, evaluator.top, ())  # type: ignore[assignment]
    return result


def is_unknown(values: list[object]) -> bool:
    """Some alternative has an unknown part: driftlint does not claim one known value."""
    return any(functions.unsure(v) for v in values)  # type: ignore[arg-type]


# Where Puppet cannot be asked (tests/test_oracle_spec.py asks it elsewhere): values driftlint
# holds only part of must not give an answer that the whole would change.
@pytest.mark.parametrize(
    ("source", "hiera"),
    [
        # Hiera's hash is the first level's part of a merge: another level may hold the key.
        pytest.param(
            "$h = lookup('h')\n$h[port]", {"h": {"user": LText.plain("x")}}, id="hiera-key"
        ),
        pytest.param(
            "$h = lookup('h')\nport in $h", {"h": {"user": LText.plain("x")}}, id="hiera-in"
        ),
        pytest.param(
            "$h = lookup('h')\n$b = /^p/ in $h", {"h": {"user": LText.plain("x")}}, id="re-in"
        ),
        pytest.param(
            "$h = lookup('h')\n$b = /(s)/ in $h\n$1",
            {"h": {"user": LText.plain("x")}},
            id="re-in-captures",
        ),
        pytest.param(
            "$h = lookup('h')\n[*$h]", {"h": {"user": LText.plain("x")}}, id="hiera-splat"
        ),
        pytest.param(
            "$h = lookup('h')\n[[user, x], [port, 1]] - $h",
            {"h": {"user": LText.plain("x")}},
            id="hiera-pairs-removed",
        ),
        # A hash with a key driftlint cannot read (a fact) may hold the one asked for.
        pytest.param("$h = {$::k => 1, a => 2}\n$h[b]", None, id="unread-key"),
        # An unknown run of items: no place and no length is known.
        pytest.param("$x = lookup('x')\n[a, *$x, b][2]", {}, id="unknown-run-index"),
        pytest.param("$x = lookup('x')\n[a, *$x] == [a, b, c]", {}, id="unknown-run-equal"),
        pytest.param("$x = lookup('x')\n[a, *$x][5]", {}, id="unknown-run-past-end"),
        # A number of Hiera's YAML written in a way the evaluator does not read.
        pytest.param("$n = lookup('n')\n$n < 10", {"n": LText.plain("+50")}, id="yaml-number"),
        pytest.param("$n = lookup('n')\n$n + 1", {"n": LText.plain("1_000")}, id="yaml-sum"),
        # A node's regex name sets $1 for its body, which runs at top scope here.
        pytest.param("node /^web(\\d+)$/ { }\n$1", None, id="node-regex"),
        # An unknown subject may match: the match variables are unknown after it.
        pytest.param("$r = $::fqdn =~ /^(\\w+)/\n$1", None, id="unknown-match"),
    ],
)
def test_a_partly_known_value_stays_unknown(source: str, hiera: dict[str, object] | None) -> None:
    assert is_unknown(top_value(source, hiera))


def test_match_variables_belong_to_their_scope() -> None:
    """A class body does not see the top scope's match; its own match ends with its `if`."""
    source = (
        "$r = 'web7' =~ /(\\d)/\n"
        "class a { $seen = $1\n if 'db3' =~ /(\\d)/ { $inner = $1 }\n $after = $1 }\n"
        "include a\n$1"
    )
    manifest = parse_manifest(source, "m.pp", puppet3=False)
    index = Index()
    index.add(manifest)
    evaluator = Evaluator(index, {}, None, None)
    for node in manifest.body:
        if not isinstance(node, ast.ClassDef):
            top = evaluator.eval(node, evaluator.top, ())
    assert [v.text for v in top if isinstance(v, LText)] == ["7"]
    frame = evaluator.classes["a"]
    assert isinstance(frame.vars["seen"][0], Unknown)
    assert [v.text for v in frame.vars["inner"] if isinstance(v, LText)] == ["3"]
    assert isinstance(frame.vars["after"][0], Unknown)


def test_an_operator_past_the_limit_of_alternatives_is_unknown() -> None:
    """5 x 5 alternatives of `+` and of `[]` are more than the evaluator keeps (16): the
    result is unknown, not the first 16 of them."""
    five = "$x = $::f ? { a => 1, b => 2, c => 3, d => 4, default => 5 }\n"
    five += "$y = $::g ? { a => 10, b => 20, c => 30, d => 40, default => 50 }\n"
    assert is_unknown(top_value(five + "$x + $y"))
    assert is_unknown(top_value(five + "[0, 1, 2, 3, 4, 5, 6][$x, $x]"))
    assert not is_unknown(top_value(five + "$x + 1"))


def test_an_unknown_item_may_stand_for_several_after_flatten() -> None:
    """`flatten([a, $x])` keeps `$x` as one unknown item, which may be an array: places
    before it are known, places after it, the length and a destructuring are not."""
    flat = "$x = lookup('x')\n$f = flatten([a, $x, b])\n"
    assert [v.text for v in top_value(flat + "$f[0]") if isinstance(v, LText)] == ["a"]
    assert is_unknown(top_value(flat + "$f[2]"))
    assert is_unknown(top_value(flat + "$f[-1]"))
    assert is_unknown(top_value(flat + "$f[5]"))
    assert is_unknown(top_value(flat + "$f == [a, c, d, b]"))
    assert is_unknown(top_value(flat + "[$p, $q, $r] = $f\n$r"))
    assert is_unknown(top_value(flat + "sprintf('%s %s %s', *$f)"))
