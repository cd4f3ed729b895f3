"""Tests for the Puppet 7 lexer and parser: node shapes, exact spans, located strings."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.parse.puppet import ast, parse_manifest


def sp(line: int, column: int, end_line: int, end_column: int) -> Span:
    return Span("m.pp", line, column, end_line, end_column)


def parse(text: str) -> tuple[ast.Node, ...]:
    manifest = parse_manifest(text, "m.pp")
    assert manifest.errors == (), [f"{e.span}: {e.message}" for e in manifest.errors]
    return manifest.body


def one(text: str) -> ast.Node:
    body = parse(text)
    assert len(body) == 1, body
    return body[0]


def value(text: str) -> ast.Node:
    """The right-hand side of `$v = ...`."""
    node = one("$v = " + text)
    assert isinstance(node, ast.Assign)
    return node.value


def walk(node: object) -> Iterator[ast.Node]:
    if isinstance(node, ast.Node):
        yield node
        for field in dataclasses.fields(node):
            yield from walk(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from walk(item)


def locs(text: LText) -> list[tuple[int, int] | None]:
    out: list[tuple[int, int] | None] = []
    for i in range(len(text)):
        where = text.loc(i)
        out.append(None if where is None else (where[1], where[2]))
    return out


# --- node shapes ----------------------------------------------------------------------------
SHAPES = [
    pytest.param(
        "include foo, ::bar",
        ast.Call(
            sp(1, 1, 1, 19),
            "include",
            (ast.Name(sp(1, 9, 1, 12), "foo"), ast.Name(sp(1, 14, 1, 19), "::bar")),
            None,
            False,
        ),
        id="include-without-parens",
    ),
    pytest.param(
        "$x = $::fqdn",
        ast.Assign(
            sp(1, 1, 1, 13), ast.Var(sp(1, 1, 1, 3), "x"), ast.Var(sp(1, 6, 1, 13), "fqdn", True)
        ),
        id="top-scope-variable",
    ),
    pytest.param(
        "$a = 1 + 2 * 3",
        ast.Assign(
            sp(1, 1, 1, 15),
            ast.Var(sp(1, 1, 1, 3), "a"),
            ast.BinOp(
                sp(1, 6, 1, 15),
                "+",
                ast.Num(sp(1, 6, 1, 7), "1"),
                ast.BinOp(
                    sp(1, 10, 1, 15),
                    "*",
                    ast.Num(sp(1, 10, 1, 11), "2"),
                    ast.Num(sp(1, 14, 1, 15), "3"),
                ),
            ),
        ),
        id="precedence-times-over-plus",
    ),
    pytest.param(
        "[$a, $b] = [1, 2,]",
        ast.Assign(
            sp(1, 1, 1, 19),
            ast.Array(sp(1, 1, 1, 9), (ast.Var(sp(1, 2, 1, 4), "a"), ast.Var(sp(1, 6, 1, 8), "b"))),
            ast.Array(
                sp(1, 12, 1, 19), (ast.Num(sp(1, 13, 1, 14), "1"), ast.Num(sp(1, 16, 1, 17), "2"))
            ),
        ),
        id="array-destructuring-trailing-comma",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_parse_manifest_builds_exact_nodes(text: str, expected: ast.Node) -> None:
    assert one(text) == expected


def test_resource_with_bodies_default_and_attribute_operators() -> None:
    node = one(
        "file {\n  default: mode => '0644';\n  '/a': ensure => file, * => $h;\n"
        "  ['/b', '/c']: tag +> 'x', unless => 'y',\n}"
    )
    assert isinstance(node, ast.Resource)
    assert node.type == "file" and node.span == sp(1, 1, 5, 2)
    titles = [body.title for body in node.bodies]
    assert isinstance(titles[0], ast.Default) and titles[0].span == sp(2, 3, 2, 10)
    assert isinstance(titles[1], ast.Str) and isinstance(titles[2], ast.Array)
    assert [(a.name, a.op) for b in node.bodies for a in b.attrs] == [
        ("mode", "=>"),
        ("ensure", "=>"),
        ("*", "=>"),
        ("tag", "+>"),
        ("unless", "=>"),
    ]
    mode = node.bodies[0].attrs[0]
    assert mode.span == sp(2, 12, 2, 26) and mode.name_span == sp(2, 12, 2, 16)
    assert node.bodies[0].span == sp(2, 3, 2, 26)


RESOURCES = [
    pytest.param("class { 'role::x': p => 1 }", ast.Resource, "class", id="resource-like-class"),
    pytest.param("File { '/x': mode => '0644' }", ast.Resource, "file", id="capitalised-type"),
    pytest.param("@user { 'u': }", ast.Resource, "user", id="virtual"),
    pytest.param("@@nagios_host { 'h': }", ast.Resource, "nagios_host", id="exported"),
    pytest.param("Exec { path => '/bin' }", ast.ResourceDefaults, "exec", id="defaults"),
    pytest.param("mediawiki::job { 'x': }", ast.Resource, "mediawiki::job", id="define-instance"),
    pytest.param("User <| title == 'x' and tag != 'y' |>", ast.Collector, "user", id="collector"),
    pytest.param("Sshkey <<| |>>", ast.Collector, "sshkey", id="exported-collector"),
]


@pytest.mark.parametrize(("text", "kind", "type_name"), RESOURCES)
def test_resource_forms(text: str, kind: type[ast.Node], type_name: str) -> None:
    node = one(text)
    assert isinstance(node, kind)
    assert node.type == type_name  # type: ignore[attr-defined]


def test_virtual_and_exported_markers() -> None:
    virtual, exported = parse("@user { 'u': }\n@@host { 'h': }")
    assert isinstance(virtual, ast.Resource) and virtual.virtual == "@"
    assert isinstance(exported, ast.Resource) and exported.virtual == "@@"
    assert exported.span == sp(2, 1, 2, 16)


def test_override_and_collector_override() -> None:
    first, second = parse("File['/x'] { mode => '0600' }\nService <| |> { enable => true }")
    assert isinstance(first, ast.ResourceOverride) and isinstance(first.target, ast.Access)
    assert first.attrs[0].name == "mode"
    assert isinstance(second, ast.ResourceOverride) and isinstance(second.target, ast.Collector)
    assert second.target.query is None


def test_relationship_arrows_chain_left_to_right() -> None:
    node = one("Package['a'] -> file { '/b': } ~> Service <| tag == 'c' |>")
    assert isinstance(node, ast.BinOp) and node.op == "~>"
    assert isinstance(node.left, ast.BinOp) and node.left.op == "->"
    assert isinstance(node.left.right, ast.Resource)
    assert isinstance(node.right, ast.Collector)


def test_class_definition_with_typed_params_and_inherits() -> None:
    node = one(
        "class a::b (\n  Optional[String[1]] $x = undef,\n  Stdlib::Unixpath $p = '/x',\n"
        "  $plain,\n) inherits a::params {\n  notice $x\n}"
    )
    assert isinstance(node, ast.ClassDef)
    assert (node.name, node.parent) == ("a::b", "a::params")
    assert [p.name for p in node.params] == ["x", "p", "plain"]
    x = node.params[0]
    assert x.span == sp(2, 3, 2, 33)
    assert isinstance(x.type, ast.Access) and isinstance(x.type.target, ast.TypeRef)
    assert isinstance(x.type.keys[0], ast.Access) and isinstance(x.default, ast.Undef)
    assert isinstance(node.params[1].type, ast.TypeRef)
    assert node.params[1].type.text == "Stdlib::Unixpath"
    assert node.params[2].type is None
    assert node.body == (
        ast.Call(sp(6, 3, 6, 12), "notice", (ast.Var(sp(6, 10, 6, 12), "x"),), None, False),
    )


DEFINITIONS = [
    pytest.param("define a::d ($x) { }", ast.DefineDef, id="define"),
    pytest.param("node 'a.example', /^b\\d+$/, default inherits base { }", ast.NodeDef, id="node"),
    pytest.param("node web1.example.com { }", ast.NodeDef, id="node-bare-hostname"),
    pytest.param(
        'function m::f(String $s, *$rest) >> String { "${s}" }', ast.FunctionDef, id="function"
    ),
    pytest.param("type M::T = Variant[String, Array[String]]", ast.TypeAlias, id="type-alias"),
]


@pytest.mark.parametrize(("text", "kind"), DEFINITIONS)
def test_definitions(text: str, kind: type[ast.Node]) -> None:
    assert isinstance(one(text), kind)


def test_node_matches_and_function_return_type() -> None:
    node = one("node 'a.example', /^b\\d+$/, default inherits base { }")
    assert isinstance(node, ast.NodeDef)
    assert [type(m).__name__ for m in node.matches] == ["Str", "Regex", "Default"]
    assert node.matches[1] == ast.Regex(sp(1, 19, 1, 27), "^b\\d+$")
    assert node.parent == "base"
    func = one("function m::f(String $s, *$rest) >> String { $s }")
    assert isinstance(func, ast.FunctionDef) and isinstance(func.return_type, ast.TypeRef)
    assert func.params[1].captures_rest and func.params[1].name == "rest"


def test_control_flow() -> None:
    node = one("if $a { 1 } elsif $b =~ /x/ { 2 } else { 3 }")
    assert isinstance(node, ast.If) and len(node.else_) == 1
    inner = node.else_[0]
    assert isinstance(inner, ast.If) and inner.span == sp(1, 13, 1, 45)
    assert isinstance(inner.condition, ast.BinOp) and inner.condition.op == "=~"
    unless = one("unless $a in ['x', 'y'] { } else { }")
    assert isinstance(unless, ast.If) and unless.negate
    case = one("case $os { 'a', 'b': { } /^c/: { } default: { } }")
    assert isinstance(case, ast.Case) and len(case.branches) == 3
    assert len(case.branches[0].matches) == 2 and isinstance(
        case.branches[2].matches[0], ast.Default
    )
    selector = value("$os ? { 'a' => 1, default => 2, }")
    assert isinstance(selector, ast.Selector) and len(selector.cases) == 2
    assert isinstance(value("if $a { 1 } else { 2 }"), ast.If)


def test_calls_methods_and_lambdas() -> None:
    node = value("$xs.map |String $k, $v = 1| { $k }.join(',')")
    assert isinstance(node, ast.MethodCall) and node.name == "join"
    inner = node.receiver
    assert isinstance(inner, ast.MethodCall) and inner.lambda_ is not None
    assert [p.name for p in inner.lambda_.params] == ["k", "v"]
    assert isinstance(inner.lambda_.params[0].type, ast.TypeRef)
    call = one("each($h) |$k, $v| { notice($k) }")
    assert isinstance(call, ast.Call) and call.parens and call.lambda_ is not None
    chained = value("Deferred('f', [1]).then |$r| { $r }")
    assert isinstance(chained, ast.MethodCall) and chained.name == "then"
    assert isinstance(chained.receiver, ast.Call) and chained.receiver.name == "Deferred"
    assert isinstance(value("Sensitive('x')"), ast.Call)
    bare = value("lookup('k', default_value => 'd')")
    assert isinstance(bare, ast.Call) and isinstance(bare.args[1], ast.Hash)


EXPRESSIONS = [
    pytest.param("$facts['os']['family']", ast.Access, id="facts-access"),
    pytest.param("{ 'a' => 1, unless => 2, class => 3, }", ast.Hash, id="keyword-hash-keys"),
    pytest.param("0x1F", ast.Num, id="hex"),
    pytest.param("0755", ast.Num, id="octal"),
    pytest.param("1.5e-3", ast.Num, id="float-exponent"),
    pytest.param("!$a and $b or $c", ast.BinOp, id="logic"),
    pytest.param("$a << 1 == 2", ast.BinOp, id="shift-over-equality"),
    pytest.param("-$x", ast.UnaryOp, id="negation"),
    pytest.param("[*$a, 1]", ast.Array, id="splat"),
    pytest.param("(1 + 2)", ast.Block, id="parentheses"),
    pytest.param("Optional[Hash[String, Integer]]", ast.Access, id="type-access"),
    pytest.param("$x !~ /a\\/b/", ast.BinOp, id="regex-escaped-slash"),
    pytest.param("true", ast.Bool, id="bool"),
]


@pytest.mark.parametrize(("text", "kind"), EXPRESSIONS)
def test_expressions(text: str, kind: type[ast.Node]) -> None:
    assert isinstance(value(text), kind)


def test_equality_binds_looser_than_shift_and_comparison_looser_than_equality() -> None:
    node = value("$a << 1 == 2")
    assert isinstance(node, ast.BinOp) and node.op == "==" and node.left.span == sp(1, 6, 1, 13)
    node = value("$a == 1 < 2")
    assert isinstance(node, ast.BinOp) and node.op == "<"


def test_regex_after_division_operand_is_division() -> None:
    node = value("$a / $b / 2")
    assert isinstance(node, ast.BinOp) and node.op == "/"


def test_brackets_after_blank_start_an_array() -> None:
    body = parse("notice $x\n[$a, $b] = [1, 2]")
    assert isinstance(body[1], ast.Assign) and isinstance(body[1].target, ast.Array)


# --- strings --------------------------------------------------------------------------------
def test_double_quoted_escapes_are_located_at_their_backslash() -> None:
    node = value('"a\\tb\\"c\\d\\u{263A}\\$"')
    assert isinstance(node, ast.Str) and len(node.parts) == 1
    lit = node.parts[0]
    assert isinstance(lit, ast.Lit)
    assert lit.value.text == 'a\tb"c\\d\u263a$'
    # columns: a=7 \t=8 b=10 \"=11 c=13 \=14 d=15 \u{263A}=16 \$=24
    assert locs(lit.value) == [
        (1, 7), (1, 8), (1, 10), (1, 11), (1, 13), (1, 14), (1, 15), (1, 16), (1, 24)
    ]  # fmt: skip
    assert lit.span == sp(1, 7, 1, 26) and node.span == sp(1, 6, 1, 27)


def test_single_quoted_keeps_unknown_escapes() -> None:
    node = value("'a\\'b\\\\c\\n'")
    assert isinstance(node, ast.Str) and node.quote == "'"
    lit = node.parts[0]
    assert isinstance(lit, ast.Lit) and lit.value.text == "a'b\\c\\n"
    assert locs(lit.value)[:4] == [(1, 7), (1, 8), (1, 10), (1, 11)]


INTERPOLATIONS = [
    pytest.param('"$x"', ast.Var(sp(1, 7, 1, 9), "x"), id="short"),
    pytest.param('"$::x"', ast.Var(sp(1, 7, 1, 11), "x", True), id="short-top"),
    pytest.param('"$a::b"', ast.Var(sp(1, 7, 1, 12), "a::b"), id="short-qualified"),
    pytest.param('"${x}"', ast.Var(sp(1, 9, 1, 10), "x"), id="braced-name"),
    pytest.param('"${::x}"', ast.Var(sp(1, 9, 1, 12), "x", True), id="braced-top"),
    pytest.param('"${class}"', ast.Var(sp(1, 9, 1, 14), "class"), id="braced-keyword"),
]


@pytest.mark.parametrize(("text", "expected"), INTERPOLATIONS)
def test_interpolated_variables(text: str, expected: ast.Node) -> None:
    node = value(text)
    assert isinstance(node, ast.Str)
    (part,) = node.parts
    assert isinstance(part, ast.Interp) and part.expr == expected


def test_braced_interpolation_expressions() -> None:
    node = value("\"${x[0]}-${x['k']}-${x.join(',')}-${f($a)}-$\"")
    assert isinstance(node, ast.Str)
    exprs = [p.expr for p in node.parts if isinstance(p, ast.Interp)]
    first, second, third, fourth = exprs
    assert isinstance(first, ast.Access) and first.target == ast.Var(sp(1, 9, 1, 10), "x")
    assert isinstance(second, ast.Access) and isinstance(second.target, ast.Var)
    assert isinstance(third, ast.MethodCall) and isinstance(third.receiver, ast.Var)
    assert isinstance(fourth, ast.Call) and fourth.name == "f"
    assert node.parts[0].span == sp(1, 7, 1, 14)
    last = node.parts[-1]
    assert isinstance(last, ast.Lit) and last.value.text == "-$"


def test_at_sign_in_a_string_is_text() -> None:
    node = value('"user@host"')
    assert isinstance(node, ast.Str) and node.parts[0].value.text == "user@host"  # type: ignore[union-attr]


# --- heredocs -------------------------------------------------------------------------------
def heredoc_lits(node: ast.Node) -> list[ast.Lit]:
    assert isinstance(node, ast.Str) and node.quote == "@"
    return [p for p in node.parts if isinstance(p, ast.Lit)]


def test_heredoc_margin_keeps_real_columns_and_trims_last_newline() -> None:
    body = parse("$v = @(END)\n    a $x\n      b\n    |- END\n$w = 1\n")
    (lit,) = heredoc_lits(body[0].value)  # type: ignore[attr-defined]
    assert lit.value.text == "a $x\n  b"
    assert locs(lit.value)[0] == (2, 5)
    assert locs(lit.value)[5] == (3, 5)  # the first kept space of `      b`
    assert body[0].value.span == sp(1, 6, 1, 12)  # type: ignore[attr-defined]
    assert body[1] == ast.Assign(
        sp(5, 1, 5, 7), ast.Var(sp(5, 1, 5, 3), "w"), ast.Num(sp(5, 6, 5, 7), "1")
    )


def test_heredoc_interpolation_escapes_and_syntax() -> None:
    node = value('@("END":sh/tL)\n  run\\t$x \\\n  more \\n\n  | END\n')
    assert isinstance(node, ast.Str) and node.syntax == "sh"
    first, interp, rest = node.parts
    assert isinstance(first, ast.Lit) and first.value.text == "run\t"
    assert locs(first.value) == [(2, 3), (2, 4), (2, 5), (2, 6)]
    assert isinstance(interp, ast.Interp) and interp.expr == ast.Var(sp(2, 8, 2, 10), "x")
    # `\` + newline continues the line (L); `\n` stays as written (no n flag)
    assert isinstance(rest, ast.Lit) and rest.value.text == " more \\n\n"
    assert locs(rest.value)[1] == (3, 3)


def test_two_heredocs_on_one_line() -> None:
    body = parse("f(@(A), @(B))\nfirst\nA\nsecond\nB\nnotice 1\n")
    call = body[0]
    assert isinstance(call, ast.Call)
    texts = [heredoc_lits(arg)[0].value.text for arg in call.args]
    assert texts == ["first\n", "second\n"]
    assert locs(heredoc_lits(call.args[1])[0].value)[0] == (4, 1)
    assert isinstance(body[1], ast.Call) and body[1].span == sp(6, 1, 6, 9)


def test_non_interpolating_heredoc_keeps_dollars_and_backslashes() -> None:
    (lit,) = heredoc_lits(value("@(END)\n$x \\n\nEND\n"))
    assert lit.value.text == "$x \\n\n"


# --- errors ---------------------------------------------------------------------------------
ERRORS = [
    pytest.param("class a {\n  $x = \n}\n", (3, 1), "unexpected `}`", id="missing-value"),
    pytest.param("file { 'x' ensure => 1 }", (1, 12), "expected `:`", id="missing-colon"),
    pytest.param("$x = 'abc", (1, 6), "unterminated single-quoted", id="unterminated-sq"),
    pytest.param('$x = "abc', (1, 6), "unterminated double-quoted", id="unterminated-dq"),
    pytest.param("$x = @(END)\nabc\n", (1, 6), "heredoc end tag `END` not found", id="heredoc"),
    pytest.param("if $x {\n", (2, 1), "unexpected end of file", id="eof"),
    pytest.param("$x = 1 ^ 2", (1, 8), "unexpected character `^`", id="bad-char"),
]


@pytest.mark.parametrize(("text", "where", "message"), ERRORS)
def test_parse_errors_are_located_findings(text: str, where: tuple[int, int], message: str) -> None:
    manifest = parse_manifest(text, "m.pp")
    assert manifest.errors, "expected a parse-error"
    first = manifest.errors[0]
    assert (first.span.line, first.span.column) == where
    assert message in first.message
    assert first.code == "parse-error" and first.severity == "warning"


def test_recovery_keeps_statements_before_and_after_an_error() -> None:
    manifest = parse_manifest("class a { }\nclass b { $x = }\nclass c { }\n", "m.pp")
    assert [n.name for n in manifest.body] == ["a", "c"]  # type: ignore[attr-defined]
    assert len(manifest.errors) == 1 and manifest.errors[0].span.line == 2


# --- oracle ---------------------------------------------------------------------------------
ORACLE = [
    ("good-resource", "file { '/x': ensure => file, content => \"a${b}\" }\n"),
    ("good-class", "class a ($x = 1) inherits b { include c, d }\n"),
    ("good-heredoc", '$a = @("END"/L)\n  x \\\n  | END\nnotice($a)\n'),
    ("good-collector", "User <| title == 'a' |> -> Package['b']\n"),
    ("good-keyword-attr", "exec { 'x': command => '/bin/true', unless => '/bin/false' }\n"),
    ("good-selector", "$a = $b ? { /x/ => 1, default => 2 }\nnotice($a)\n"),
    ("good-bare-hash-arg", "$a = lookup('k', default_value => 1)\nnotice($a)\n"),
    ("good-title-colon-comma", "file { '/x':, ensure => file }\n"),
    ("bad-missing-colon", "file { '/x' ensure => file }\n"),
    ("bad-unclosed", "class a {\n"),
    ("bad-assign", "$a = \n"),
    ("bad-heredoc", "$a = @(END)\nno end\n"),
]


@pytest.mark.skipif(
    shutil.which("puppet") is None, reason="Debian puppet not installed: apt-get install puppet"
)
def test_agrees_with_puppet_parser_validate(tmp_path: Path) -> None:
    files = []
    for name, text in ORACLE:
        path = tmp_path / f"{name}.pp"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    done = subprocess.run(
        ["puppet", "parser", "validate", "--color=false", "--vardir", str(tmp_path / "v"),
         "--confdir", str(tmp_path / "c"), *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    for (name, text), path in zip(ORACLE, files, strict=True):
        puppet_rejects = f"(file: {path}," in output or f"(file: {path})" in output
        we_reject = bool(parse_manifest(text, path.name).errors)
        assert we_reject == puppet_rejects == name.startswith("bad-"), (name, output)


# --- properties -----------------------------------------------------------------------------
SNIPPETS = [
    "class a::b ($x = 'y') inherits c { file { \"/x/${x}\": ensure => file, } }\n",
    "$a = @(END)\n  text $x\n  | END\nnotice $a\n",
    "if $a =~ /b/ { User <| tag == 'c' |> } else { $d = [1, {'e' => f($g)}] }\n",
    "node 'a' { include b } Exec { path => '/x' } $h.each |$k, $v| { }\n",
]
ALPHABET = st.sampled_from([*list("abcXY$:{}[]()'\"\\@|<>=-~!/*.,;#\n "), "${", "%>", "<%", "|>"])


def assert_spans_inside(text: str, nodes: object) -> None:
    lines = text.split("\n")
    for node in walk(nodes):
        span = node.span
        assert span.path == "m.pp"
        assert 1 <= span.line <= len(lines) and 1 <= span.end_line <= len(lines) + 1
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1
        assert (span.line, span.column) <= (span.end_line, span.end_column)


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_parser_never_raises_on_arbitrary_text(text: str) -> None:
    manifest = parse_manifest(text, "m.pp")
    assert_spans_inside(text, manifest.body)
    for error in manifest.errors:
        assert error.code == "parse-error"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SNIPPETS), st.integers(0, 200), st.integers(0, 6), ALPHABET)
def test_parser_never_raises_on_mutated_snippets(
    snippet: str, at: int, cut: int, insert: str
) -> None:
    at %= len(snippet) + 1
    text = snippet[:at] + insert + snippet[at + cut :]
    manifest = parse_manifest(text, "m.pp")
    assert_spans_inside(text, manifest.body)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    manifest = parse_manifest("$a = " + "[" * 5000, "m.pp")
    assert manifest.errors


def test_walk_kept_per_body_is_the_plain_walk() -> None:
    """scope.walk keeps each body's walk for the run; it must be the depth-first walk, in
    its order, for a manifest and for every definition inside it, nested ones included."""
    from driftlint.resolve import scope

    text = """
class outer($x = "a${b}") {
  class inner { file { '/etc/i': content => template('m/i.erb') } }
  define outer::d($y = [1, 2]) {
    if $y { exec { "run ${title}": command => "/bin/x ${y}" } }
  }
  outer::d { ['one', 'two']: y => { 'k' => 'v' } }
}
node /^web\\d+/ { include outer; class { 'outer::inner': } }
$top = case $facts['os'] { 'x': { 1 } default: { 2 } }
"""
    manifest = parse_manifest(text, "m.pp")
    assert not manifest.errors
    bodies = [manifest.body] + [
        n.body
        for n in scope._walk(manifest.body)
        if isinstance(n, ast.ClassDef | ast.DefineDef | ast.NodeDef)
    ]
    assert len(bodies) == 5
    for body in bodies:
        plain = list(scope._walk(body))
        kept = list(scope.walk(body))
        assert len(kept) == len(plain) and all(a is b for a, b in zip(kept, plain, strict=True))
        assert scope.flat(body) is scope.flat(body)  # walked once, then kept
