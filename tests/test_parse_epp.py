"""Tests for the EPP template parser: text runs, tags, trimming, parameters, spans."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.model import Span
from driftlint.parse.epp import EppOutput, EppTemplate, EppText, parse_epp
from driftlint.parse.puppet import ast


def sp(line: int, column: int, end_line: int, end_column: int) -> Span:
    return Span("t.epp", line, column, end_line, end_column)


def parse(text: str) -> EppTemplate:
    template = parse_epp(text, "t.epp")
    assert template.errors == (), [f"{e.span}: {e.message}" for e in template.errors]
    return template


def texts(nodes: tuple[ast.Node, ...]) -> list[str]:
    return [n.value.text for n in nodes if isinstance(n, EppText)]


def walk(node: object) -> Iterator[ast.Node]:
    if isinstance(node, ast.Node):
        yield node
        for field in dataclasses.fields(node):
            yield from walk(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from walk(item)


def test_parameter_tag_and_output() -> None:
    template = parse("<%- | String $x = 'a', Array[String] $ys | -%>\nrun <%= $x %> now\n")
    assert [p.name for p in template.params] == ["x", "ys"]
    assert template.params[0].span == sp(1, 7, 1, 22)
    first, output, last = template.body
    assert isinstance(first, EppText) and first.value.text == "run "
    assert first.span == sp(2, 1, 2, 5)
    assert output == EppOutput(sp(2, 5, 2, 14), ast.Var(sp(2, 9, 2, 11), "x"))
    assert isinstance(last, EppText) and last.value.text == " now\n"
    assert last.value.loc(1) == ("t.epp", 2, 15)


TRIMMING = [
    pytest.param("a\n  <%- $x = 1 %>b", ["a\n", "b"], id="left-trim-indentation"),
    pytest.param("a <% $x = 1 -%>  \nb", ["a ", "b"], id="right-trim-line-break"),
    pytest.param("a <% $x = 1 %>\nb", ["a ", "\nb"], id="no-trim"),
    pytest.param("a <%# note -%>\nb", ["a ", "b"], id="comment-right-trim"),
    pytest.param("<%% x %%>", ["<% x %>"], id="literal-tags"),
]


@pytest.mark.parametrize(("text", "expected"), TRIMMING)
def test_text_runs_after_trimming(text: str, expected: list[str]) -> None:
    assert texts(parse(text).body) == expected


def test_literal_tag_characters_keep_their_locations() -> None:
    (node,) = parse("ab<%%cd").body
    assert isinstance(node, EppText) and node.value.text == "ab<%cd"
    assert [node.value.loc(i) for i in (2, 3, 4)] == [
        ("t.epp", 1, 3),
        ("t.epp", 1, 4),
        ("t.epp", 1, 6),
    ]


def test_if_spanning_tags_wraps_its_text() -> None:
    body = parse("<% if $on { -%>\nyes <%= $a %>\n<% } else { -%>\nno\n<% } -%>\n").body
    (node,) = body
    assert isinstance(node, ast.If) and node.span == sp(1, 4, 5, 5)
    assert texts(node.then) == ["yes ", "\n"]
    assert isinstance(node.then[1], EppOutput)
    assert texts(node.else_) == ["no\n"]


def test_each_lambda_spanning_tags_wraps_its_text() -> None:
    (node,) = parse("<% $hosts.each |$h| { %>server <%= $h %>;\n<% } %>").body
    assert isinstance(node, ast.MethodCall) and node.lambda_ is not None
    inner = node.lambda_.body
    assert texts(inner) == ["server ", ";\n"]
    output = inner[1]
    assert isinstance(output, EppOutput) and output.expr == ast.Var(sp(1, 36, 1, 38), "h")


def test_interpolated_string_in_output() -> None:
    (node,) = parse('<%= "${a}-x" %>').body
    assert isinstance(node, EppOutput) and isinstance(node.expr, ast.Str)


ERRORS = [
    pytest.param("a <%= $x", (1, 3), "unterminated EPP tag", id="unterminated-tag"),
    pytest.param("<% if $x { %>a", (1, 15), "unexpected end of file", id="unclosed-if"),
    pytest.param("<%= $x $y %>", (1, 8), "unexpected `$y`", id="two-expressions"),
    pytest.param("<%# never closed", (1, 1), "unterminated EPP comment", id="comment"),
]


@pytest.mark.parametrize(("text", "where", "message"), ERRORS)
def test_errors_are_located(text: str, where: tuple[int, int], message: str) -> None:
    template = parse_epp(text, "t.epp")
    assert template.errors
    first = template.errors[0]
    assert (first.span.line, first.span.column) == where and message in first.message


ORACLE = [
    ("good-params", "<%- | String $x = 'a' | -%>\n<%= $x %>\n"),
    ("good-each", "<% [1, 2].each |$v| { -%>\nv=<%= $v %>\n<% } -%>\n"),
    ("good-literal", "a <%% b %%> c\n"),
    ("bad-unclosed-if", "<% if true { %>x\n"),
    ("bad-tag", "<%= $x \n"),
]


@pytest.mark.skipif(
    shutil.which("puppet") is None, reason="Debian puppet not installed: apt-get install puppet"
)
def test_agrees_with_puppet_epp_validate(tmp_path: Path) -> None:
    files = []
    for name, text in ORACLE:
        path = tmp_path / f"{name}.epp"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    done = subprocess.run(
        ["puppet", "epp", "validate", "--continue_on_error", "--color=false",
         "--vardir", str(tmp_path / "v"),
         "--confdir", str(tmp_path / "c"), *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    for (name, text), path in zip(ORACLE, files, strict=True):
        puppet_rejects = str(path) in output
        we_reject = bool(parse_epp(text, path.name).errors)
        assert we_reject == puppet_rejects == name.startswith("bad-"), (name, output)


ALPHABET = st.sampled_from([*list("ab$x{}|()'\"=-#%<> \n"), "<%", "%>", "<%=", "-%>", "<%-"])


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_parse_epp_never_raises(text: str) -> None:
    template = parse_epp(text, "t.epp")
    lines = text.split("\n")
    for node in walk((template.params, template.body)):
        span = node.span
        assert 1 <= span.line <= len(lines) and 1 <= span.end_line <= len(lines) + 1
        assert (span.line, span.column) <= (span.end_line, span.end_column)
