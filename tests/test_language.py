"""The Puppet language as Puppet evaluates it (issue 27 §1): iteration, functions, matching,
resources amended after their declaration. Each expected value is what Debian's Puppet 7
prints for the same expression (`puppet apply -e 'notice(...)'`, stdlib 8.5)."""

from __future__ import annotations

import pytest

from driftlint.ltext import LText
from driftlint.parse.puppet import parse_manifest
from driftlint.resolve.evaluate import Evaluator
from driftlint.resolve.regexes import compile_ruby
from driftlint.resolve.scope import Index
from driftlint.values import Unknown
from tests.test_evaluate import commands, evaluate


def run(expression: str) -> list[str]:
    """The commands of an exec whose command is `expression` (a string), in a class."""
    return commands(evaluate(f"class a {{ exec {{ 'e': command => {expression} }} }}", "a"))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("join(split('a:b::c', ':'), ',')", "a,b,,c", id="split-keeps-empty-fields"),
        pytest.param("join(split('a b  c', ' +'), ',')", "a,b,c", id="split-pattern-is-a-regex"),
        pytest.param("join(prefix(['a', 'b'], 'p-'), ' ')", "p-a p-b", id="prefix"),
        pytest.param("join(suffix(['a', 'b'], '.sh'), ' ')", "a.sh b.sh", id="suffix"),
        pytest.param("join(concat(['a'], ['b', 'c'], 'd'), '')", "abcd", id="concat"),
        pytest.param("join(delete(['a', 'b', 'a'], 'a'), '')", "b", id="delete-from-array"),
        pytest.param("delete('abcab', 'ab')", "c", id="delete-from-string"),
        pytest.param("pick(undef, '', 'x')", "x", id="pick-skips-undef-and-empty"),
        pytest.param("\"[${pick_default(undef, '')}]\"", "[]", id="pick-default"),
        pytest.param("merge({'a' => '1'}, {'b' => '2', 'a' => '3'})['a']", "3", id="merge"),
        pytest.param("sprintf('%s-%d-%05.1f%%', 'x', '7', '2.25')", "x-7-002.2%", id="sprintf"),
        pytest.param("regsubst('foo.erb', '^(.+)\\.erb$', '\\1')", "foo", id="regsubst-backref"),
        pytest.param("regsubst('a-b-c', '-', '_', 'G')", "a_b_c", id="regsubst-global"),
        pytest.param("regsubst('a-b-c', '-', '_')", "a_b-c", id="regsubst-first"),
        pytest.param("shell_join(['a b', \"it's\", '-x'])", "a\\ b it\\'s -x", id="shell-join"),
        pytest.param("to_json({'a' => ['b', true]})", '{"a":["b",true]}', id="to-json"),
        pytest.param("basename('/a/b/c.sh')", "c.sh", id="basename"),
        pytest.param("basename('/a/b/c.sh', '.sh')", "c", id="basename-suffix"),
        pytest.param("dirname('/a/b/c.sh')", "/a/b", id="dirname"),
        pytest.param("join(sort(['b', 'a']), '')", "ab", id="sort"),
        pytest.param("join(unique(['b', 'a', 'b']), '')", "ba", id="unique"),
        pytest.param("join(flatten(['a', ['b', ['c']]]), '')", "abc", id="flatten"),
        pytest.param('"${[1, 2, 3].reduce |$m, $x| { $m + $x }}"', "6", id="reduce"),
        pytest.param(
            "\"${{'a' => 1, 'b' => 2}.reduce(0) |$m, $p| { $m + $p[1] }}\"", "3", id="reduce-hash"
        ),
        pytest.param(
            "join([1, 2, 3].map |$i, $x| { \"${i}:${x}\" }, ',')", "0:1,1:2,2:3", id="map-index"
        ),
        pytest.param("join({'a' => 1}.map |$k, $v| { \"${k}=${v}\" }, '')", "a=1", id="map-hash"),
        pytest.param("join({'a' => 1}.map |$p| { $p[0] }, '')", "a", id="map-hash-pair"),
        pytest.param("join(map([1, 2]) |$x| { \"-${x}\" }, ' ')", "-1 -2", id="map-function-form"),
        pytest.param(
            "join([1, 2, 3].filter |$x| { $x != 2 }, '')", "13", id="filter-with-comparison"
        ),
        pytest.param("join(3.map |$x| { $x }, ',')", "0,1,2", id="integer-iterates"),
        pytest.param("\"${with('a', 'b') |$x, $y| { \"${y}${x}\" }}\"", "ba", id="with"),
        pytest.param("pick_default(undef.then |$x| { 'y' }, 'none')", "none", id="then-of-undef"),
        pytest.param("'v'.then |$x| { \"${x}!\" }", "v!", id="then"),
        pytest.param("undef.lest || { 'd' }", "d", id="lest"),
        pytest.param('"${7 / 2}"', "3", id="integer-division"),
        pytest.param("\"${'x' in ['X', 'y']}\"", "true", id="in-is-case-insensitive"),
        pytest.param("join(['a', 'b'] - ['a'], '')", "b", id="array-minus"),
        pytest.param('"${-7 / 2}"', "-4", id="integer-division-floors"),
        pytest.param('"${5 / 0}"', "\ue000", id="division-by-zero-is-unknown"),
        pytest.param('"${9000 + 0}"', "9000", id="plus-zero"),
        pytest.param('"${99999999999 * 99999999999}"', "\ue000", id="a-huge-number-is-unknown"),
        pytest.param(
            "join([1, 2, 3, 4, 5].slice(2).map |$c| { join($c, '') }, ',')", "12,34,5", id="slice"
        ),
    ],
)
def test_expression_as_puppet_prints_it(expression: str, expected: str) -> None:
    assert run(expression) == [expected]


def test_regex_captures_in_an_if_are_the_branch_s_own() -> None:
    source = (
        "class a { $f = 'report.pdf'\n"
        " if $f =~ /^(\\w+)\\.(\\w+)$/ { exec { 'e': command => \"${0} ${1} ${2}\" } }\n"
        " exec { 'f': command => \"after ${1}\" } }"
    )
    assert commands(evaluate(source, "a")) == ["report.pdf report pdf", "after \ue000"]


def test_case_and_selector_regex_branches_see_their_captures() -> None:
    source = (
        "class a { $s = 'check_spool'\n"
        " case $s { /^check_(\\w+)$/: { exec { 'e': command => \"case ${1}\" } } default: {} }\n"
        " $v = $s ? { /^(\\w+)_/ => \"sel ${1}\", default => 'none' }\n"
        " exec { 'f': command => $v } }"
    )
    assert commands(evaluate(source, "a")) == ["case spool", "sel check"]


def test_an_unknown_subject_leaves_its_captures_unknown() -> None:
    source = "class a($s) { if $s =~ /^(x)/ { exec { 'e': command => \"run ${1}\" } } }"
    resources = evaluate(source, "a")
    assert [r.attrs["command"][0].text for r in resources] == ["run \ue000"]  # type: ignore[union-attr]


def test_each_declares_a_resource_per_element_both_call_forms() -> None:
    source = (
        "class a($p = ['x', 'y']) {\n"
        ' $p.each |$n| { exec { "m-${n}": command => "/bin/${n}" } }\n'
        ' each($p) |$i, $n| { exec { "f-${n}": command => "/bin/${n} ${i}" } } }'
    )
    assert commands(evaluate(source, "a")) == ["/bin/x", "/bin/y", "/bin/x 0", "/bin/y 1"]


def test_a_lambda_over_an_unknown_collection_still_declares_its_resources() -> None:
    source = "class a($p) { $p.each |$n| { exec { 'e': command => \"/bin/run ${n}\" } } }"
    assert commands(evaluate(source, "a")) == ["/bin/run \ue000"]


def test_overrides_defaults_and_collectors_amend_declared_resources() -> None:
    source = (
        "class a {\n"
        " Exec { path => '/usr/bin' }\n"
        " exec { 'one': command => 'run 1', tag => ['t'] }\n"
        " exec { 'two': command => 'run 2' }\n"
        " Exec['two'] { command => 'run 2b' }\n"
        " Exec <| tag == 't' |> { command => 'run 1b' }\n"
        " Exec <| title == $unknown |> { command => 'never' } }"
    )
    resources = evaluate(source, "a")
    assert commands(resources) == ["run 1b", "run 2b"]
    assert [r.attrs["path"][0].text for r in resources] == ["/usr/bin", "/usr/bin"]  # type: ignore[union-attr]


def test_a_define_sees_the_defaults_of_the_scope_declaring_it() -> None:
    source = (
        "define d() { exec { $title: command => 'x' } }\n"
        "class a { Exec { cwd => '/tmp' }\n d { 'e': } }"
    )
    (resource,) = evaluate(source, "a")
    assert [v.text for v in resource.attrs["cwd"]] == ["/tmp"]  # type: ignore[union-attr]


def test_create_resources_with_defaults_and_from_hiera() -> None:
    source = (
        "define d($cmd, $user = 'nobody') { exec { $title: command => \"${cmd} ${user}\" } }\n"
        "class a { create_resources('d', {'x' => {'cmd' => 'run'}}, {'user' => 'ops'})\n"
        " ensure_resource('d', ['y', 'z'], {'cmd' => 'go'})\n"
        " create_resources('d', lookup('jobs')) }"
    )
    assert commands(evaluate(source, "a")) == ["run ops", "go nobody", "go nobody", "\ue000 \ue000"]


def test_ruby_regex_spellings_are_read() -> None:
    pattern = compile_ruby(r"\A(?<name>\h+)\z")
    assert pattern is not None and pattern.fullmatch("beef") is not None
    assert compile_ruby("(unclosed") is None


def test_unknown_arguments_give_an_unknown_result() -> None:
    source = "class a($u) { exec { 'e': command => basename($u) } }"
    (resource,) = evaluate(source, "a")
    assert isinstance(resource.attrs["command"][0], Unknown)


def test_an_element_of_a_define_s_array_parameter_in_a_path() -> None:
    source = (
        'define p(Array $plugins) { exec { $title: command => "/usr/lib/${plugins[0]} -x" } }\n'
        "class a { $l = $::site ? { 'x' => ['one'], default => ['two', 'three'] }\n"
        " p { 'e': plugins => $l } }"
    )
    assert commands(evaluate(source, "a")) == ["/usr/lib/one -x", "/usr/lib/two -x"]


def test_virtual_resources_are_in_the_catalog_only_when_realised() -> None:
    source = (
        "define d($c) { exec { $title: command => $c } }\n"
        "class a { @exec { 'v1': command => 'one' }\n @exec { 'v2': command => 'two' }\n"
        " @d { 'v3': c => 'three' }\n @d { 'v4': c => 'four' }\n"
        " @@exec { 'x': command => 'exported' }\n exec { 'r': command => 'real' }\n"
        " realize(Exec['v1'])\n D <| title == 'v3' |> }"
    )
    manifest = parse_manifest(source, "m.pp")
    index = Index()
    index.add(manifest)
    evaluator = Evaluator(index)
    evaluator.declare_class("a", None, ())
    assert commands(evaluator.catalog()) == ["one", "three", "exported", "real"]
    assert len(evaluator.catalog(keep_virtual=True)) == 6  # a class checked on its own


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param("lookup('k', String, 'first', 'd')", "d", id="fourth-argument"),
        pytest.param("lookup('k', {'default_value' => 'd'})", "d", id="options-hash"),
        pytest.param("lookup('k') |$key| { \"no ${key}\" }", "no k", id="lambda"),
        pytest.param("lookup('k', String, 'first')", "\ue000", id="no-default-is-unknown"),
        pytest.param("hiera('k', 'd')", "d", id="hiera-second-argument"),
    ],
)
def test_lookup_defaults_when_no_data_has_the_key(call: str, expected: str) -> None:
    (resource,) = evaluate(f"class a {{ exec {{ 'e': command => \"${{{call}}}\" }} }}", "a", {})
    (value,) = resource.attrs["command"]
    assert isinstance(value, LText) and value.text == expected
