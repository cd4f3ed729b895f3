"""Tests for driftlint.discover: walking, excludes, links, read limits, module references."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftlint.discover import (
    Inside,
    SourceFile,
    compile_excludes,
    detect_module_roots,
    discover_sources,
    excluded,
    is_inside,
    is_loaded,
    read_source,
    unreadable,
)
from driftlint.model import Span
from driftlint.module_refs import module_file

TREE = {
    "manifests/site.pp": "node default {}\n",
    "modules/a/manifests/init.pp": "class a {}\n",
    "modules/a/templates/x.erb": "<%= @x %>\n",
    "modules/a/templates/y.epp": "",
    "modules/a/templates/z.j2": "",
    "modules/a/templates/w.jinja2": "",
    "modules/a/files/run.sh": "#!/bin/sh\n",
    "hieradata/common.yaml": "a: 1\n",
    "hieradata/other.yml": "a: 1\n",
    "vendor/lib/x.pp": "",
    "notes.bak": "",
    "spec/x_spec.rb": "",
    "modules/a/spec/y.pp": "",
    ".git/config": "",
    "modules/b/.svn/entries": "",
}


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def paths(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    files, _ = discover_sources(root, exclude)
    return [f.path for f in files]


def test_kinds_sizes_and_vcs_folders(tmp_path: Path) -> None:
    files, findings = discover_sources(make(tmp_path, dict(TREE)))
    assert findings == ()
    kinds = {f.path: f.kind for f in files}
    assert kinds["manifests/site.pp"] == "manifest"
    assert kinds["modules/a/templates/x.erb"] == "erb"
    assert kinds["modules/a/templates/y.epp"] == "epp"
    assert kinds["modules/a/templates/z.j2"] == kinds["modules/a/templates/w.jinja2"] == "jinja"
    assert kinds["hieradata/common.yaml"] == kinds["hieradata/other.yml"] == "yaml"
    assert kinds["modules/a/files/run.sh"] == "other"
    assert SourceFile("manifests/site.pp", "manifest", 16) in files
    assert not any(".git/" in p or ".svn/" in p for p in kinds)
    assert [f.path for f in files] == sorted(f.path for f in files)


@pytest.mark.parametrize(
    ("exclude", "gone", "kept"),
    [
        pytest.param(("vendor/**",), {"vendor/lib/x.pp"}, set(), id="dir-double-star"),
        pytest.param(("*.bak",), {"notes.bak"}, set(), id="basename-anywhere"),
        pytest.param(("/spec",), {"spec/x_spec.rb"}, {"modules/a/spec/y.pp"}, id="anchored"),
        pytest.param(("spec/",), {"spec/x_spec.rb", "modules/a/spec/y.pp"}, set(),
                     id="dir-anywhere"),
        pytest.param(("**/templates/*.erb",), {"modules/a/templates/x.erb"},
                     {"modules/a/templates/y.epp"}, id="leading-double-star"),
        pytest.param(("modules/*/templates/",), {f"modules/a/templates/{n}" for n in
                     ("x.erb", "y.epp", "z.j2", "w.jinja2")}, {"modules/a/files/run.sh"},
                     id="star-in-middle"),
        pytest.param(("*.pp", "!site.pp"), {"modules/a/manifests/init.pp", "vendor/lib/x.pp",
                     "modules/a/spec/y.pp"}, {"manifests/site.pp"}, id="negation"),
        pytest.param(("hieradata/*.?ml", "[n]otes.*"),
                     {"hieradata/other.yml", "notes.bak"}, {"hieradata/common.yaml"},
                     id="question-and-class"),
    ],
)  # fmt: skip
def test_excludes(tmp_path: Path, exclude: tuple[str, ...], gone: set[str], kept: set[str]) -> None:
    found = set(paths(make(tmp_path, dict(TREE)), exclude))
    assert not gone & found
    assert kept <= found
    assert len(found) == len(set(TREE) - {".git/config", "modules/b/.svn/entries"} - gone)


def test_excluded_dir_only_rule_does_not_match_files() -> None:
    rules = compile_excludes(["build/"])
    assert excluded(rules, "a/build", is_dir=True)
    assert not excluded(rules, "a/build", is_dir=False)


def test_links(tmp_path: Path) -> None:
    root = make(tmp_path / "tree", {"modules/a/files/real.sh": "x\n", "sub/f.pp": ""})
    outside = make(tmp_path / "outside", {"secret.pp": "class s {}\n"})
    files = root / "modules/a/files"
    os.symlink("real.sh", files / "inside.sh")
    os.symlink(outside / "secret.pp", files / "out.pp")
    os.symlink("../../../../outside", files / "outdir")
    os.symlink("loop1", files / "loop2")
    os.symlink("loop2", files / "loop1")
    os.symlink("missing", files / "dangling")
    os.symlink("..", root / "sub/up")
    os.symlink("../sub", root / "modules/again")
    found, findings = discover_sources(root)
    assert [f.path for f in found] == [
        "modules/a/files/inside.sh", "modules/a/files/real.sh", "modules/again/f.pp", "sub/f.pp"
    ]  # fmt: skip
    assert {(f.span.path, f.message) for f in findings} == {
        ("modules/a/files/dangling", "symbolic link leads nowhere: modules/a/files/dangling -> "
         "missing"),
        ("modules/a/files/loop1", "symbolic link loops: modules/a/files/loop1 -> loop2"),
        ("modules/a/files/loop2", "symbolic link loops: modules/a/files/loop2 -> loop1"),
        ("modules/a/files/out.pp", "symbolic link leads outside the tree: modules/a/files/out.pp"
         f" -> {outside / 'secret.pp'}"),
        ("modules/a/files/outdir", "symbolic link leads outside the tree: "
         "modules/a/files/outdir -> ../../../../outside"),
        ("sub/up", "symbolic link loops: sub/up -> .."),
        ("modules/again/up", "symbolic link loops: modules/again/up -> .."),
    }  # fmt: skip
    assert all(f.code == "unreadable-file" and f.severity == "warning" for f in findings)
    text, problem = read_source(root, "modules/a/files/out.pp")
    assert text is None and problem is not None
    assert problem.message == (
        f"symbolic link leads outside the tree: modules/a/files/out.pp -> {outside / 'secret.pp'}"
    )
    assert read_source(root, "modules/a/files/inside.sh") == ("x\n", None)
    text, problem = read_source(root, "modules/a/files/outdir/secret.pp")
    assert text is None and problem is not None
    assert problem.message == (
        "symbolic link leads outside the tree: modules/a/files/outdir -> ../../../../outside"
    )
    assert read_source(root, "../outside/secret.pp")[1] == unreadable(
        "../outside/secret.pp", "path leads outside the tree: ../outside/secret.pp"
    )


def test_determinism(tmp_path: Path) -> None:
    root = make(tmp_path / "a", {f"d{i % 7}/f{i}.pp": "" for i in range(60)})
    copy = tmp_path / "b"
    shutil.copytree(root, copy)
    assert discover_sources(root) == discover_sources(root)
    assert paths(root) == paths(copy)


LENIENT = "; read with U+FFFD in its place"


@pytest.mark.parametrize(
    ("data", "text", "span", "message"),
    [
        pytest.param(b"a\nb\xe9c\n", "a\nb\ufffdc\n", (2, 2), "byte 3 (line 2)", id="latin1"),
        pytest.param(b"\xef\xbb\xbf\xff", "\ufffd", (1, 1), "byte 3 (line 1)", id="bad-after-bom"),
        pytest.param(
            b"\xc3\xa9\xff=1", "\u00e9\ufffd=1", (1, 2), "byte 2 (line 1)", id="after-wide"
        ),
    ],
)
def test_a_bad_byte_is_replaced_and_reported_where_it_is(
    tmp_path: Path, data: bytes, text: str, span: tuple[int, int], message: str
) -> None:
    """One byte that is not UTF-8 no longer hides the whole file (issue 30)."""
    make(tmp_path, {"m/f.pp": data})
    got, problem = read_source(tmp_path, "m/f.pp", max_file_size=100)
    assert got == text
    assert problem is not None
    line, column = span
    assert (problem.span, problem.code, problem.message, problem.severity) == (
        Span("m/f.pp", line, column, line, column + 1),
        "unreadable-file",
        f"not valid UTF-8 at {message}; read with U+FFFD in its place",
        "warning",
    )


@pytest.mark.parametrize(
    ("data", "text", "message"),
    [
        pytest.param(b"class a {}\r\n", "class a {}\r\n", None, id="crlf-kept"),
        pytest.param(b"\xef\xbb\xbfclass a {}\n", "class a {}\n", None, id="bom-stripped"),
        pytest.param(b"ok\n\x00\x01", None, "binary file (a NUL byte at byte 3)", id="binary"),
        pytest.param(b"x" * 101, None, "file is larger than the 100 bytes limit", id="oversize"),
        pytest.param(b"x" * 100, "x" * 100, None, id="at-the-limit"),
        pytest.param(b"", "", None, id="empty"),
    ],
)
def test_read_source(tmp_path: Path, data: bytes, text: str | None, message: str | None) -> None:
    make(tmp_path, {"m/f.pp": data})
    got, problem = read_source(tmp_path, "m/f.pp", max_file_size=100)
    assert got == text
    if message is None:
        assert problem is None
    else:
        assert problem is not None
        assert (problem.span, problem.code, problem.message, problem.severity) == (
            Span("m/f.pp", 1, 1, 1, 1),
            "unreadable-file",
            message,
            "warning",
        )


def test_default_size_limit_message(tmp_path: Path) -> None:
    make(tmp_path, {"big.pp": b"x" * 5_000_001})
    _, problem = read_source(tmp_path, "big.pp")
    assert problem is not None and problem.message == "file is larger than the 5 MB limit"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_permission_denied(tmp_path: Path) -> None:
    make(tmp_path, {"x.pp": "x"})
    (tmp_path / "x.pp").chmod(0)
    _, problem = read_source(tmp_path, "x.pp")
    assert problem is not None and problem.message == "cannot be read: Permission denied"


def test_fifo_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.pp")
    assert read_source(tmp_path, "pipe.pp")[1] is not None
    assert paths(tmp_path) == []


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        pytest.param("modules/a/files/x", True, id="plain"),
        pytest.param("a/../b", True, id="dotdot-inside"),
        pytest.param("../x", False, id="dotdot-out"),
        pytest.param("a/../../x", False, id="dotdot-deep"),
        pytest.param("/etc/passwd", False, id="absolute"),
        pytest.param("", False, id="empty"),
        pytest.param("a\0b", False, id="nul"),
        pytest.param("C:/x", False, id="drive"),
    ],
)
def test_is_inside(tmp_path: Path, path: str, inside: bool) -> None:
    assert is_inside(tmp_path, path) is inside
    assert Inside(tmp_path)(path) is inside


def test_inside_through_links(tmp_path: Path) -> None:
    """Links in and out of the tree, to folders and files, looping and dangling: a path is
    outside when resolving it (links included) leaves the tree. `Inside` resolves each
    folder once, so every answer is asked twice, the second time from its folder cache."""
    outside = tmp_path / "outside"
    (outside / "d").mkdir(parents=True)
    (outside / "secret").write_text("x", encoding="utf-8")
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "f").write_text("x", encoding="utf-8")
    links = {
        "a/to_out": outside,
        "a/to_secret": outside / "secret",
        "a/to_b": tree / "a" / "b",
        "a/to_f": tree / "a" / "b" / "f",
        "a/loop1": tree / "a" / "loop2",
        "a/loop2": tree / "a" / "loop1",
        "a/nowhere": tree / "a" / "gone",
        "a/b/up": Path(".."),
    }
    for name, target in links.items():
        os.symlink(target, tree / name)
    expected = {
        "a/b/f": True,
        "a/to_out/d": False,  # through a folder link out
        "a/to_out/secret": False,
        "a/to_secret": False,  # a file link out
        "a/to_b/f": True,  # a folder link that stays in
        "a/to_f": True,
        "a/loop1": True,  # a loop never leaves; reading it says it loops
        "a/loop1/x": True,
        "a/nowhere": True,  # dangling inside; reading it says so
        "a/nowhere/x": True,
        "a/b/up/b/f": True,  # `up` is a/, so this is a/b/f
        "a/b/up/to_out/x": False,
        "a/to_out/../b/f": True,  # `..` is taken as written, before links: a/b/f
        "a/missing/x": True,
        "x": True,
        "a/b/../../../outside/secret": False,
    }
    inside = Inside(tree)
    for _ in range(2):
        assert {path: inside(path) for path in expected} == expected
    assert {path: is_inside(tree, path) for path in expected} == expected


@pytest.mark.parametrize(
    ("kind", "ref", "root", "expected"),
    [
        pytest.param("source", "puppet:///modules/mw/jobloop.sh", "modules",
                     "modules/mw/files/jobloop.sh", id="source"),
        pytest.param("source", "puppet://puppet/modules/mw/a/b", "core_modules",
                     "core_modules/mw/files/a/b", id="source-server-root"),
        pytest.param("source", "puppet:///modules/mw/project/apache/", "modules",
                     "modules/mw/files/project/apache", id="source-folder-slash"),
        pytest.param("source", "puppet:///modules/mw/a//", "modules", None,
                     id="source-two-slashes"),
        pytest.param("template", "mw/jobs.sh.erb", "modules", "modules/mw/templates/jobs.sh.erb",
                     id="template"),
        pytest.param("epp", "mw/x.epp", "site", "site/mw/templates/x.epp", id="epp"),
        pytest.param("file", "mw/x", "modules", "modules/mw/files/x", id="file"),
        pytest.param("template", "mw/../../x", "modules", None, id="template-climbs"),
        pytest.param("source", "puppet:///modules/mw/../../../etc/passwd", "modules", None,
                     id="source-climbs"),
        pytest.param("source", "puppet:///files/x", "modules", None, id="other-mount"),
        pytest.param("source", "/etc/x", "modules", None, id="absolute-source"),
        pytest.param("file", "/etc/x", "modules", None, id="absolute-file"),
        pytest.param("template", "mw", "modules", None, id="no-path"),
        pytest.param("template", "Bad-Name/x", "modules", None, id="bad-module"),
        pytest.param("template", "mw//x", "modules", None, id="empty-part"),
        pytest.param("exec", "mw/x", "modules", None, id="unknown-kind"),
    ],
)  # fmt: skip
def test_module_file(kind: str, ref: str, root: str, expected: str | None) -> None:
    assert module_file(kind, ref, root) == expected


@pytest.mark.parametrize(
    ("conf", "dirs", "expected"),
    [
        pytest.param("modulepath = site:modules:$basemodulepath:/etc/x\n",
                     ("modules", "site"), ("site", "modules"), id="environment-conf"),
        pytest.param("modulepath = ../other:modules\n", ("modules",), ("modules",),
                     id="conf-escape-dropped"),
        pytest.param(None, ("vendor_modules", "modules", "core_modules"),
                     ("modules", "core_modules", "vendor_modules"), id="usual-folders"),
        pytest.param(None, (), ("modules",), id="nothing"),
    ],
)  # fmt: skip
def test_detect_module_roots(
    tmp_path: Path, conf: str | None, dirs: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    for d in dirs:
        (tmp_path / d).mkdir()
    if conf is not None:
        (tmp_path / "environment.conf").write_text(conf)
    assert detect_module_roots(tmp_path) == expected


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=64))
def test_read_source_never_raises(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "f").write_bytes(data)
    text, problem = read_source(tmp_path, "f", max_file_size=48)
    assert text is not None or problem is not None
    assert text is None or problem is None or problem.message.startswith("not valid UTF-8")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["source", "template", "epp", "file"]), st.text(max_size=40))
def test_module_file_never_escapes(kind: str, ref: str) -> None:
    path = module_file(kind, ref)
    assert path is None or (path.startswith("modules/") and ".." not in path.split("/"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=4), st.text(max_size=20))
def test_excludes_never_raise(patterns: list[str], path: str) -> None:
    excluded(compile_excludes(patterns), path, False)


@pytest.mark.parametrize(
    ("path", "loaded"),
    [
        pytest.param("modules/m/manifests/init.pp", True, id="module-code"),
        pytest.param("manifests/site.pp", True, id="environment"),
        pytest.param("modules/m/tests/init.pp", False, id="smoke-test"),
        pytest.param("modules/m/examples/labs.pp", False, id="example"),
        pytest.param("modules/ntp/plans/acceptance/pe_agent.pp", False, id="bolt-plan"),
        pytest.param("modules/m/spec/fixtures/modules/n/manifests/init.pp", False, id="rspec"),
        pytest.param("site/profile/tests/x.pp", False, id="other-module-root"),
        pytest.param("modules/tests/manifests/init.pp", True, id="module-named-tests"),
    ],
)
def test_is_loaded_leaves_out_tests_and_examples(path: str, loaded: bool) -> None:
    assert is_loaded(path, ("modules", "site")) is loaded


def test_a_worktrees_git_file_is_not_a_source(tmp_path: Path) -> None:
    """`--base` checks the base in a git worktree, whose `.git` is a file: listing it made the
    base's run key differ from the same commit checked in place, so the run cache missed."""
    (tmp_path / "site.pp").write_text("node default {}\n")
    (tmp_path / ".git").write_text("gitdir: /elsewhere/.git/worktrees/tree\n")
    files, _ = discover_sources(tmp_path, (), 1_000_000)
    assert [f.path for f in files] == ["site.pp"]


@pytest.mark.parametrize(
    ("puppetfile", "dirs", "expected"),
    [
        pytest.param("moduledir 'vendor'\nmod 'puppetlabs-stdlib'\n", ("modules", "vendor"),
                     ("modules", "vendor"), id="r10k-moduledir"),
        pytest.param('moduledir "/etc/puppet/modules"\n', ("modules",), ("modules",),
                     id="moduledir-outside-dropped"),
        pytest.param("moduledir 'vendor'\n", ("modules",), ("modules",), id="moduledir-not-there"),
        pytest.param("# moduledir 'vendor'\n", ("vendor",), ("modules",), id="commented-out"),
    ],
)  # fmt: skip
def test_detect_module_roots_reads_a_puppetfiles_moduledir(
    tmp_path: Path, puppetfile: str, dirs: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    for d in dirs:
        (tmp_path / d).mkdir()
    (tmp_path / "Puppetfile").write_text(puppetfile)
    assert detect_module_roots(tmp_path) == expected
