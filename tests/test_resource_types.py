"""The shipped pack of Forge resource types, and how a type's parameters are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftlint.ltext import LText
from driftlint.sites.resource_types import (
    COMMAND,
    MACRO_COMMAND,
    default_types,
    load_types,
    texts,
)


def _lit(text: str) -> LText:
    return LText.literal(text, "m.pp", 1, 1)


def test_the_shipped_pack_loads_and_names_known_kinds() -> None:
    types = default_types()
    assert types["cron::job"]["command"].kind == COMMAND
    assert types["systemd::unit_file"]["content"].kind == "systemd-unit"


def test_an_unknown_kind_is_a_setup_error(tmp_path: Path) -> None:
    pack = tmp_path / "t.yaml"
    pack.write_text("types:\n  x::y: {content: no-such-kind}\n")
    with pytest.raises(ValueError, match="unknown kind `no-such-kind`"):
        load_types([pack])


def test_appended_parameters_follow_on_the_same_line() -> None:
    attrs = {"command": [_lit("/a")], "arguments": [_lit("-w 5")]}
    [(kind, text)] = texts("nrpe::command", attrs, default_types())
    assert (kind, text.text) == (MACRO_COMMAND, "/a -w 5")  # NRPE replaces `$ARGn$` first


def test_each_element_of_an_array_is_one_command() -> None:
    attrs = {"postrotate": [(_lit("/a -x"), _lit("/b"))]}
    found = texts("logrotate::rule", attrs, default_types())
    assert [t.text for _, t in found] == ["/a -x", "/b"]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        pytest.param("[Service]\nExecStart=/a\n", "systemd-unit", id="unit"),
        pytest.param("0 1 * * * root /a\n", "cron", id="cron-line"),
        pytest.param("listen 80;\n", None, id="config-is-nothing"),
    ],
)
def test_an_unknown_type_content_is_read_by_what_it_reads_as(
    content: str, kind: str | None
) -> None:
    found = texts("acme::thing", {"content": [_lit(content)]}, default_types())
    assert [k for k, _ in found] == ([kind] if kind else [])


def test_a_core_type_outside_the_pack_is_not_guessed() -> None:
    assert texts("package", {"command": [_lit("/a")]}, default_types()) == []
