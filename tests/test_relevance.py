"""The byte-level pre-scan that decides which classes can reach a watched script."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from driftlint.resolve.relevance import Mentions


def test_whole_words_only() -> None:
    mentioned = Mentions(["sql", "jobs-loop.sh", "/usr/local/bin/jobs-loop.sh"])
    assert mentioned("command => 'sql -x'")
    assert not mentioned("command => 'mysql -x'")
    assert not mentioned("sql-backup")
    assert mentioned("ExecStart=/usr/local/bin/jobs-loop.sh -t 5")
    assert not mentioned("/usr/local/bin/jobs-loop.shx")
    assert not mentioned("")
    assert not mentioned(None)


def test_a_name_that_is_a_prefix_of_another() -> None:
    mentioned = Mentions(["foo", "foo-bar", "/bin/foo", "/bin/foobar"])
    assert mentioned("run foo-bar now")
    assert mentioned("run foo now")
    assert mentioned("/bin/foobar")
    assert not mentioned("foo-baz")  # `foo` followed by `-` is part of a longer word
    assert not mentioned("/bin/fooba")


def test_no_names_mentions_nothing() -> None:
    assert not Mentions([])("anything at all")


_WORD = st.text(alphabet="ab-/.", min_size=1, max_size=6)


@given(st.lists(_WORD, min_size=1, max_size=6), st.text(alphabet="ab-/. x", max_size=40))
def test_same_answer_as_a_flat_alternation(names: list[str], text: str) -> None:
    flat = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    expected = re.search(rf"(?<![\w.-])(?:{flat})(?![\w-])", text) is not None
    assert Mentions(names)(text) == expected
