"""bench/recall.py (issue 27, judge 2): the pieces that decide what agrees and what Puppet 7
is given. The compiling itself is judged on fixtures by tests/test_oracle_puppet.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
try:
    import recall  # type: ignore[import-not-found]
finally:
    sys.path.pop(0)

from driftlint.parse.puppet import parse_manifest

U = recall.UNKNOWN


def test_an_unknown_character_stands_for_any_text_and_an_unknown_word_for_any_words() -> None:
    theirs = ("/usr/local/bin/x", "-t", "5", "--name=web", "a", "b")
    assert recall.fits(["/usr/local/bin/x", "-t", "5", "--name=web", "a", "b"], theirs)
    assert recall.fits(["/usr/local/bin/x", "-t", U, f"--name={U}", U], theirs)
    assert not recall.fits(["/usr/local/bin/x", "-t", "6", U], theirs)
    assert not recall.fits(["/usr/local/bin/x", "-t", "5"], theirs)  # words left over
    assert not recall.fits(["/usr/local/bin/x", "-v", U], theirs)


def test_puppet3_forms_are_rewritten_as_puppet3_read_them() -> None:
    source = (
        "case $::operatingsystem {\n  Ubuntu, Debian: { $a = 1 }\n  6: { }\n}\n"
        "$b = $::osfamily ? { RedHat => x, default => y }\n"
        "if $::os == Ubuntu { apache_site { 000_default: ensure => absent } }\n"
        "define site($name, $port = 80) { }\n"
        "class dns::auth-server::ldap inherits varnish::1layer { $INTERNAL = 1 }\n"
        "node 'a.example.org' inherits 'base' { }\n"
        "foo { 'x': require => Class [ 'y' ] }\n"
        "# Windows: { in a comment\n$c = 'Ubuntu => 1'\n"
    )
    out = recall.puppet3(source)
    assert "'Ubuntu', 'Debian': {" in out and "'6': {" in out
    assert "'RedHat' => x" in out and "default => y" in out
    assert "== 'Ubuntu'" in out and "'000_default':" in out
    assert "define site( $port = 80)" in out
    assert "class dns::auth_server::ldap inherits varnish::x1layer" in out
    assert "$uc_INTERNAL = 1" in out
    assert "node 'a.example.org' /* driftlint recall: inherits dropped */ {" in out
    assert "Class[ 'y' ]" in out
    assert "# Windows: {" in out and "'Ubuntu => 1'" in out  # comments and strings kept
    assert parse_manifest(out, "site.pp", puppet3=False).errors == ()


def test_a_regex_node_gets_a_name_it_matches_and_no_earlier_node_takes() -> None:
    text = (
        "node 'web1.example.org' { }\n"
        "node /^web\\d+\\.example\\.org$/ { }\n"
        "node /^(db|es)10[0-9]{2}\\.eqiad\\.wmnet$/ { }\n"
        "node default { }\n"
    )
    roots = recall.roots_of(parse_manifest(text, "manifests/site.pp").body)  # type: ignore[arg-type]
    names = [r.certname for r in roots]
    assert names[0] == "web1.example.org"
    assert names[1] is not None and re.fullmatch(r"web\d+\.example\.org", names[1])
    assert names[1] != "web1.example.org"
    assert names[2] is not None and re.fullmatch(r"(db|es)10[0-9]{2}\.eqiad\.wmnet", names[2])
    assert names[3] == "driftlint-default-node.invalid"
