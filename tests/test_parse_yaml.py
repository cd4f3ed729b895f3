"""Tests for driftlint.parse.yaml: located values, safety bounds, never raising."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlint.ltext import LText
from driftlint.parse.yaml import MAX_NODES, load_yaml
from driftlint.values import Unknown, Value

DOC = (
    'dq: "a\\tb \\u00e9z"\n'  # 1
    "sq: 'it''s'\n"  # 2
    "lit: |\n"  # 3
    "  one\n"  # 4
    "    two\n"  # 5
    "fold: >\n"  # 6
    "  aa\n"  # 7
    "  bb\n"  # 8
    "list:\n"  # 9
    "  - first\n"  # 10
    "  - --verbose=1\n"  # 11
    "plain: multi\n"  # 12
    "  line\n"  # 13
    "num: 0x1F\n"  # 14
    'uni: "ü x"\n'  # 15
    'dqfold: "one\n'  # 16
    '  two"\n'  # 17
)


def _get(value: Value, *path: str | int) -> Value:
    for part in path:
        if isinstance(part, int):
            assert isinstance(value, tuple)
            value = value[part]
        else:
            assert isinstance(value, dict)
            value = value[part]
    return value


@pytest.mark.parametrize(
    ("path", "text", "index", "where"),
    [
        pytest.param(("dq",), "a\tb éz", 0, (1, 6), id="double-quoted-first"),
        pytest.param(("dq",), "a\tb éz", 1, (1, 7), id="double-quoted-escape-at-backslash"),
        pytest.param(("dq",), "a\tb éz", 2, (1, 9), id="double-quoted-after-escape"),
        pytest.param(("dq",), "a\tb éz", 4, (1, 11), id="double-quoted-unicode-escape"),
        pytest.param(("dq",), "a\tb éz", 5, (1, 17), id="double-quoted-after-unicode"),
        pytest.param(("sq",), "it's", 3, (2, 10), id="single-quoted-after-doubled-quote"),
        pytest.param(("lit",), "one\n  two\n", 0, (4, 3), id="literal-block-first-line"),
        pytest.param(("lit",), "one\n  two\n", 6, (5, 5), id="literal-block-indented-line"),
        pytest.param(("fold",), "aa bb\n", 3, (8, 3), id="folded-block-second-line"),
        pytest.param(("list", 1), "--verbose=1", 2, (11, 7), id="list-item"),
        pytest.param(("plain",), "multi line", 6, (13, 3), id="plain-multi-line"),
        pytest.param(("num",), "0x1F", 3, (14, 9), id="int-keeps-source-text"),
        pytest.param(("uni",), "ü x", 2, (15, 9), id="columns-in-characters"),
        pytest.param(("dqfold",), "one two", 4, (17, 3), id="double-quoted-folded"),
    ],
)
def test_load_yaml_locates_each_character(
    path: tuple[str | int, ...], text: str, index: int, where: tuple[int, int]
) -> None:
    value, errors = load_yaml(DOC, "h.yaml")
    assert errors == ()
    found = _get(value, *path)
    assert isinstance(found, LText)
    assert found.text == text
    assert found.loc(index) == ("h.yaml", *where)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a: yes\nb: false\n", {"a": True, "b": False}, id="bools-yaml-1.1"),
        pytest.param("a: ~\nb: null\nc:\n", {"a": None, "b": None, "c": None}, id="nulls"),
        pytest.param("", None, id="empty-document"),
        pytest.param("1: x\n", {"1": "x"}, id="int-key-as-text"),
        pytest.param("d: &d {a: 1}\ne:\n  <<: *d\n  b: 2\n",
                     {"d": {"a": "1"}, "e": {"a": "1", "b": "2"}}, id="merge-key"),
        pytest.param("a: [x, [y]]\n", {"a": ("x", ("y",))}, id="nested-sequences"),
    ],
)  # fmt: skip
def test_load_yaml_converts_shapes(text: str, expected: Any) -> None:
    value, errors = load_yaml(text, "x.yaml")
    assert errors == ()
    assert _plain(value) == expected


def _plain(value: Value) -> Any:
    if isinstance(value, LText):
        return value.text
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    "tagged",
    [
        pytest.param("!ruby/object:Puppet::Node {name: x}", id="ruby-object"),
        pytest.param("!!python/object/apply:os.system ['true']", id="python-apply"),
        pytest.param("!!binary aGVsbG8=", id="binary"),
        pytest.param("!!set {a, b}", id="set"),
        pytest.param("!custom scalar", id="local-tag"),
    ],
)
def test_load_yaml_turns_unknown_tags_into_unknown(tagged: str) -> None:
    value, _ = load_yaml(f"k: {tagged}\n", "t.yaml")
    found = _get(value, "k")
    assert isinstance(found, Unknown)
    assert found.span is not None and (found.span.line, found.span.column) == (1, 4)


def test_load_yaml_never_runs_python_tags(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    text = f'a: !!python/object/apply:os.system ["touch {canary}"]\n'
    value, _ = load_yaml(text, "evil.yaml")
    assert isinstance(_get(value, "a"), Unknown)
    assert not canary.exists()
    # Same document under PyYAML's unsafe loader would create it: the test can fail.
    yaml.load(text, Loader=yaml.UnsafeLoader)
    assert canary.exists()


def _bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijkl"[:levels]:
        lines.append(f"{name}: &{name} [" + ", ".join(["*" + prev] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def test_load_yaml_bounds_alias_expansion() -> None:
    value, errors = load_yaml(_bomb(9), "bomb.yaml")
    assert [e.code for e in errors] == ["parse-error"]
    assert "aliases expand" in errors[0].message
    assert isinstance(value, dict)


def test_load_yaml_bounds_recursive_alias() -> None:
    value, errors = load_yaml("a: &a [x, *a]\n", "loop.yaml")
    assert [e.code for e in errors] == ["parse-error"]
    assert isinstance(value, dict)


def test_load_yaml_small_alias_use_is_fine() -> None:
    value, errors = load_yaml(_bomb(2), "ok.yaml")  # 9 * 9 * 9 scalars, far under the bound
    assert errors == ()
    assert MAX_NODES > 9**3
    assert _plain(_get(value, "c", 0, 0, 0)) == "lol"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        pytest.param("a: [1, 2\n", 2, 1, id="unclosed-flow"),
        pytest.param("a: b\n c: d\n", 2, 3, id="bad-indent"),
        pytest.param('a: "x\n', 2, 1, id="unclosed-quote"),
        pytest.param("a: 1\n---\nb: 2\n", 2, 1, id="two-documents"),
        pytest.param("a: *nope\n", 1, 4, id="undefined-alias"),
        pytest.param("a: \x07\n", 1, 4, id="control-character"),
    ],
)
def test_load_yaml_reports_bad_yaml_at_the_problem(text: str, line: int, column: int) -> None:
    value, errors = load_yaml(text, "bad.yaml")
    assert value is None
    assert [(e.code, e.severity, e.span.line, e.span.column) for e in errors] == [
        ("parse-error", "warning", line, column)
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"\\ \n\t#%?,.0\x00é"))))
def test_load_yaml_never_raises_on_yaml_like_text(text: str) -> None:
    load_yaml(text, "fuzz.yaml")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_load_yaml_never_raises_on_any_text(text: str) -> None:
    load_yaml(text, "fuzz.yaml")


_STYLES = [None, "'", '"', "|", ">"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co")), max_size=30),
    st.sampled_from(_STYLES),
)
def test_load_yaml_agrees_with_safe_load_and_places_chars_on_themselves(
    text: str, style: str | None
) -> None:
    """Oracle: PyYAML's safe_load gives the same text; each located character is written there
    (or is the backslash of its escape)."""
    source = yaml.safe_dump({"k": text}, default_style=style, allow_unicode=True, width=20)
    value, errors = load_yaml(source, "p.yaml")
    assert errors == ()
    found = _get(value, "k")
    expected = yaml.safe_load(source)["k"]
    assert isinstance(found, LText) and found.text == expected
    lines = source.split("\n")  # spans count `\n` lines only, as editors and reports do
    for index, char in enumerate(found.text):
        where = found.loc(index)
        if where is None:
            continue
        written = lines[where[1] - 1][where[2] - 1]
        assert written == char or written == "\\", (index, char, where, source)
