"""Located text: slicing and joining keep every character's source position."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span


def test_literal_locates_each_character_across_lines() -> None:
    text = LText.literal("ab\ncd", "x.pp", 3, 7)
    assert text.loc(0) == ("x.pp", 3, 7)
    assert text.loc(1) == ("x.pp", 3, 8)
    assert text.loc(2) is None  # the newline itself
    assert text.loc(3) == ("x.pp", 4, 1)


def test_concatenation_keeps_both_origins() -> None:
    left = LText.literal("--type=", "role.pp", 2, 10)
    right = LText.literal("video", "common.yaml", 5, 3)
    joined = left + right
    assert joined.text == "--type=video"
    assert joined.loc(7) == ("common.yaml", 5, 3)
    assert joined.span(7, 12) == Span("common.yaml", 5, 3, 5, 8)
    assert joined.paths() == ["role.pp", "common.yaml"]
    assert joined.span_in("common.yaml") == Span("common.yaml", 5, 3, 5, 8)


def test_symbol_covers_the_whole_expression() -> None:
    sym = LText.symbol(Span("a.pp", 1, 5, 1, 17), "$extra_args")
    word = LText.plain("x") + sym
    assert word.dynamic
    assert word.text == "x" + SYMBOL
    assert word.span() == Span("a.pp", 1, 5, 1, 17)
    assert word.symbols()[0].name == "$extra_args"


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [
        pytest.param(0, 2, Span("f", 1, 1, 1, 3), id="head"),
        pytest.param(3, 5, Span("f", 1, 4, 1, 6), id="tail"),
        pytest.param(2, 3, None, id="unlocated-middle"),
    ],
)
def test_slices_map_back(start: int, stop: int, expected: Span | None) -> None:
    text = LText.literal("ab", "f", 1, 1) + LText.plain("-") + LText.literal("de", "f", 1, 4)
    assert text[start:stop].span() == expected


def test_split_and_strip_keep_locations() -> None:
    text = LText.literal("  -v 0 ", "r.pp", 6, 20)
    parts = text.strip().split(" ")
    assert [p.text for p in parts] == ["-v", "0"]
    assert parts[0].span() == Span("r.pp", 6, 22, 6, 24)
    assert parts[1].span() == Span("r.pp", 6, 25, 6, 26)


@given(st.text(max_size=40), st.integers(0, 45), st.integers(0, 45))
def test_any_slice_is_located_inside_the_source(text: str, a: int, b: int) -> None:
    located = LText.literal(text, "p", 1, 1)
    piece = located[min(a, b) : max(a, b)]
    assert piece.text == text[min(a, b) : max(a, b)]
    span = piece.span()
    if span is not None:
        lines = text.split("\n")
        assert 1 <= span.line <= len(lines)
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1
