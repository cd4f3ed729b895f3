"""Class bodies replayed from another root's trace give exactly what running them gives."""

from __future__ import annotations

from typing import Any

import pytest

from driftlint.ltext import LText
from driftlint.parse.puppet import parse_manifest
from driftlint.resolve.evaluate import Evaluator, FrameScope, Resource
from driftlint.resolve.memo import Memo, MemoEvaluator
from driftlint.resolve.scope import Index
from driftlint.values import Value

# Hiera data per role: `role::b` sets a parameter of the shared class, `role::a` does not.
DATA = {
    "role::a": {},
    "role::b": {"shared::flag": "--from-b"},
    "role::c": {},
}

MANIFESTS = """\
$site_opt = '--site'
class shared($flag = '--default') {
  exec { 'shared': command => "run ${flag} ${::site_opt}" }
  include shared::inner
}
class shared::inner { exec { 'inner': command => "inner ${shared::flag}" } }
class reader { exec { 'reader': command => "read ${other::value}" } }
class other($value = '--o') { }
class base::params { $opt = '--param' }
class base inherits base::params { exec { 'base': command => "base ${opt}" } }
class templated($word = '--t') {
  file { '/usr/local/bin/t': content => template('m/t.erb') }
}
define thing($arg) { exec { "thing-${title}": command => "thing ${arg}" } }
class uses_define($a = '--d') { thing { 'one': arg => $a } }
class role::a { include shared, reader, base, templated, uses_define }
class role::b { include other, reader, shared, base, templated, uses_define }
class role::c { class { 'uses_define': a => '--given' } include shared }
"""


def _index() -> Index:
    manifest = parse_manifest(MANIFESTS, "site.pp")
    assert manifest.errors == ()
    index = Index()
    index.add(manifest)
    return index


def _template(kind: str, ref: Any, scope: FrameScope, span: Any) -> list[Value]:
    word = scope.lookup("word")
    text = word.text if isinstance(word, LText) else "?"
    return [LText.plain(f"#!/bin/sh\nt {text}\n")]


def _run(evaluator: Evaluator, role: str) -> list[tuple[Any, ...]]:
    evaluator.run(_index_cache.toplevel, evaluator.top, ())
    evaluator.declare_class(role, None, ())
    return sorted(_shape(r) for r in evaluator.resources)


def _shape(resource: Resource) -> tuple[Any, ...]:
    def text(alts: list[Any]) -> list[str]:
        out = []
        for value in alts:
            if hasattr(value, "force"):
                value = value.force()[0]
            out.append(value.text if isinstance(value, LText) else repr(value))
        return out

    attrs = tuple(sorted((k, tuple(text(v))) for k, v in resource.attrs.items()))
    return (resource.type, resource.title.text, attrs, resource.via)


_index_cache = _index()


def _lookup(role: str) -> Any:
    def lookup(key: str, facts: dict[str, str]) -> list[Value] | None:
        found = DATA[role].get(key)
        return [LText.literal(found, f"hiera/{role}.yaml", 1, 1)] if found else None

    return lookup


@pytest.mark.parametrize(
    "order", [["role::a", "role::b", "role::c"], ["role::b", "role::c", "role::a"]]
)
def test_replays_equal_fresh_runs(order: list[str]) -> None:
    memo = Memo()
    for role in order:
        fresh = _run(Evaluator(_index_cache, {}, _template, _lookup(role)), role)
        replayed = _run(MemoEvaluator(_index_cache, {}, _template, _lookup(role), memo=memo), role)
        assert replayed == fresh, role
    assert memo.hits > 0  # the test exercises replays, not only fresh runs


def test_a_changed_read_runs_the_body_again() -> None:
    memo = Memo()
    _run(MemoEvaluator(_index_cache, {}, _template, _lookup("role::a"), memo=memo), "role::a")
    evaluator = MemoEvaluator(_index_cache, {}, _template, _lookup("role::b"), memo=memo)
    resources = _run(evaluator, "role::b")
    commands = [attrs for _, title, attrs, _ in resources if title in ("shared", "inner")]
    assert [dict(a)["command"] for a in commands] == [("inner --from-b",), ("run --from-b --site",)]
    # `reader` reads `$other::value`: set in role::b, missing in role::a, so no replay there.
    reader = next(a for _, title, a, _ in resources if title == "reader")
    assert dict(reader)["command"] == ("read --o",)


def test_a_class_declared_before_is_still_declared_by_a_replay() -> None:
    # role::first declares `dep` before `user`, so while `user` is recorded `dep` is declared
    # already; role::second declares only `user`, whose replay must still bring `dep` in.
    source = (
        "class dep { exec { 'dep': command => 'dep-run' } }\n"
        "class user { include dep\n exec { 'user': command => 'user-run' } }\n"
        "class role::first { include dep, user }\n"
        "class role::second { include user }\n"
    )
    manifest = parse_manifest(source, "site.pp")
    index = Index()
    index.add(manifest)
    memo = Memo()
    for role in ("role::first", "role::second"):
        evaluator = MemoEvaluator(index, {}, None, lambda key, facts: None, memo=memo)
        evaluator.declare_class(role, None, ())
        titles = sorted(r.title.text for r in evaluator.resources)
        assert titles == ["dep", "user"], role
    assert memo.hits == 2  # role::second replayed `user`, and `dep` from within it


DEFINES = """\
$site = '--site'
define svc($opt) {
  exec { "svc-${title}": command => "svc ${opt} ${::site} ${outer::flag}" }
  inner { $title: }
}
define inner() { exec { "inner-${title}": command => "inner ${::site}" } }
class outer($flag = '--o') { }
class one($opt, $other = 1) { svc { 'a': opt => $opt } }
class two { include outer
 svc { 'a': opt => '--x' } }
class role::p { class { 'one': opt => '--x' } }
class role::q { include two }
class role::r { $extra = 1
 class { 'one': opt => '--y' } }
class role::s { include outer
 class { 'one': opt => '--x', other => 2 } }
"""


@pytest.mark.parametrize(
    "order",
    [["role::p", "role::q", "role::r"], ["role::q", "role::p"], ["role::s", "role::p"]],
)
def test_define_instances_replay_only_what_they_read_alike(order: list[str]) -> None:
    """role::s and role::p declare `one` with other parameters, so `one` runs again, but its
    `svc { 'a': }` gets the same inputs: replayed, unless what it reads differs (`$outer::flag`,
    declared by role::s and role::q only)."""
    manifest = parse_manifest(DEFINES, "site.pp")
    assert manifest.errors == ()
    index = Index()
    index.add(manifest)
    memo = Memo()

    def run(evaluator: Evaluator, role: str) -> list[tuple[Any, ...]]:
        evaluator.run(index.toplevel, evaluator.top, ())
        evaluator.declare_class(role, None, ())
        return sorted(_shape(r) for r in evaluator.resources)

    for role in order:
        fresh = run(Evaluator(index, {}, None, lambda key, facts: None), role)
        replayed = run(MemoEvaluator(index, {}, None, lambda key, facts: None, memo=memo), role)
        assert replayed == fresh, role
    commands = {title: dict(attrs)["command"] for _, title, attrs, _ in fresh}
    # The last role declares no `outer`: its `svc` must not be another's replayed (`--o`).
    (command,) = commands["svc-a"]
    assert command.startswith(f"svc {'--y' if order[-1] == 'role::r' else '--x'} --site ")
    assert "--o" not in command
    if order[0] == "role::s":
        assert memo.hits == 1  # `inner 'a'`: one's body and svc's ran again, inner replayed
