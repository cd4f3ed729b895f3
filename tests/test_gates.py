"""CI gates on real git repositories: the change edits the script and the stale caller is
elsewhere (June 2014), a shallow clone, a Puppet tree in a subfolder, a missing base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from driftlint.cli import _exit_code, cli
from driftlint.model import Finding, Span
from driftlint.model import Result as Checked
from tests.conftest import FIXTURES, git, make_repo
from tests.test_report_formats import validate

INCIDENT = FIXTURES / "jobloop-2014-incident"
CALLER = "modules/role/manifests/mediawiki/videoscaler.pp"
SCRIPT = "modules/mediawiki/templates/jobs-loop.sh.erb"


def check(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", "--no-cache", *args], catch_exceptions=False)


def findings(*args: str) -> list[dict[str, Any]]:
    done = check("--format", "json", *args)
    assert done.exit_code in (0, 1), done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return found


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    """Two commits: the script with `-v`, then the change that drops `-v` from it only."""
    return make_repo(INCIDENT, tmp_path)


def test_base_head_reports_nothing_the_working_tree_did_not_change(incident: Path) -> None:
    # The base is checked with its history: stale-option there too, so nothing is new.
    done = check("--base", "HEAD", str(incident))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert findings("--base", "HEAD", str(incident)) == []


def test_base_finds_the_caller_a_script_only_change_broke(incident: Path) -> None:
    changed = set(git(incident, "diff", "--name-only", "HEAD~1").split())
    assert changed == {SCRIPT}  # the change edits only the script
    (found,) = findings("--base", "HEAD~1", str(incident))
    assert (found["path"], found["code"], found["argument"]) == (CALLER, "stale-option", "-v")
    # The worktree of the base is gone afterwards.
    assert git(incident, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_base_finds_an_undocumented_option_the_change_removed(tmp_path: Path) -> None:
    """Wikimedia's jobs-loop.sh of June 2014 took `-v` without documenting it: at the base,
    the caller's `-v` was an undocumented-option warning with the same fingerprint as the
    stale-option error the change made of it. The error is what the change introduced."""
    fixture = tmp_path / "fixture" / INCIDENT.name
    shutil.copytree(INCIDENT, fixture)
    old = fixture / "BASE" / SCRIPT
    old.write_text(old.read_text(encoding="utf-8").replace(" [-v verbosity]", ""), encoding="utf-8")
    repo = make_repo(fixture, tmp_path / "repo")
    git(repo, "checkout", "-q", "HEAD~1")
    (before,) = [f for f in findings(str(repo)) if f["path"] == CALLER]
    assert (before["code"], before["severity"]) == ("undocumented-option", "warning")
    git(repo, "checkout", "-q", "main")
    (found,) = findings("--base", "HEAD~1", str(repo))
    assert (found["path"], found["code"], found["argument"]) == (CALLER, "stale-option", "-v")


def test_gerrit_review_names_only_files_of_the_change(incident: Path) -> None:
    done = check("--base", "HEAD~1", "--format", "gerrit", str(incident))
    assert done.exit_code == 1, done.stderr
    review = json.loads(done.stdout)
    validate("gerrit-review-input.schema.json", review)
    changed = set(git(incident, "diff", "--name-only", "HEAD~1").split())
    assert set(review["comments"]) - {"/PATCHSET_LEVEL"} <= changed  # else Gerrit answers 400
    # The script's line that dropped `-v`: the SYNOPSIS line, in the new version of the file.
    lines = (incident / SCRIPT).read_text(encoding="utf-8").splitlines()
    synopsis = lines.index("#   jobs-loop.sh [-t timeout] [job_type]") + 1
    (comment,) = review["comments"][SCRIPT]
    assert comment["line"] == synopsis
    assert f"still passed by role::mediawiki::videoscaler at {CALLER}:6" in comment["message"]
    assert f"{CALLER}:6:24: error[stale-option]" in review["message"]
    assert review["labels"] == {"Verified": -1}


def test_zuul_file_comments_only_on_files_of_the_change(incident: Path) -> None:
    done = check("--base", "HEAD~1", "--format", "zuul", str(incident))
    data = json.loads(done.stdout)["zuul"]
    assert set(data["file_comments"]) == {SCRIPT}
    assert any(CALLER in w for w in data["warnings"])


@pytest.mark.parametrize("fmt", ["text", "json", "gerrit", "codeclimate"])
def test_missing_base_prints_nothing(incident: Path, fmt: str) -> None:
    # An empty $CI_MERGE_REQUEST_TARGET_BRANCH_NAME gives `--base origin/`.
    done = check("--base", "origin/", "--format", fmt, str(incident))
    assert done.exit_code == 2
    assert done.stdout == ""
    assert "--base origin/: no such revision" in done.stderr


def test_fingerprints_match_across_clone_depth(incident: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", incident.as_uri(), str(shallow))
    (full,) = findings(str(incident))
    (cut,) = findings(str(shallow))
    # Without history the removed option is only unknown: the same finding all the same.
    assert (full["code"], cut["code"]) == ("stale-option", "unknown-option")
    assert full["fingerprint"] == cut["fingerprint"]
    quality = [
        json.loads(check("--format", "codeclimate", str(repo)).stdout)[0]["fingerprint"]
        for repo in (incident, shallow)
    ]
    assert quality[0] == quality[1]
    baseline = tmp_path / "baseline.json"
    done = CliRunner().invoke(cli, ["baseline", str(incident), "-o", str(baseline)])
    assert done.exit_code == 0, done.stderr
    assert findings("--baseline", str(baseline), str(shallow)) == []


def test_shallow_clone_base_head_and_missing_parent(incident: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", incident.as_uri(), str(shallow))
    assert check("--base", "HEAD", str(shallow)).exit_code == 0
    done = check("--base", "HEAD~1", "--format", "json", str(shallow))
    assert done.exit_code == 2 and done.stdout == ""
    assert "shallow" in done.stderr


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """The 2014 tree in `ops/puppet/` of a repository with other things at the top."""
    repo = tmp_path / "repo"
    made = make_repo(INCIDENT, tmp_path / "made")
    shutil.copytree(made, repo / "ops" / "puppet", ignore=shutil.ignore_patterns(".git"))
    (repo / "README").write_text("not Puppet\n", encoding="utf-8")
    base = INCIDENT / "BASE" / SCRIPT
    new = (repo / "ops" / "puppet" / SCRIPT).read_bytes()
    (repo / "ops" / "puppet" / SCRIPT).write_bytes(base.read_bytes())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base", date="2014-06-01T10:00:00")
    (repo / "ops" / "puppet" / SCRIPT).write_bytes(new)
    git(repo, "commit", "-q", "-am", "drop -v")
    return repo


def test_machine_paths_are_from_the_repository_top(nested: Path) -> None:
    tree = str(nested / "ops" / "puppet")
    where = f"ops/puppet/{CALLER}"
    (found,) = findings("--base", "HEAD~1", tree)
    assert found["path"] == where and found["code"] == "stale-option"
    assert found["via"][0].startswith("ops/puppet/")
    sarif = json.loads(check("--format", "sarif", tree).stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == where
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == nested.as_uri() + "/"
    quality = json.loads(check("--format", "codeclimate", tree).stdout)
    assert quality[0]["location"]["path"] == where
    assert check("--format", "github", tree).stdout.startswith(f"::error file={where},line=6,")
    review = json.loads(check("--base", "HEAD~1", "--format", "gerrit", tree).stdout)
    assert set(review["comments"]) == {f"ops/puppet/{SCRIPT}", "/PATCHSET_LEVEL"}
    # Text keeps the paths as the user gave the tree.
    assert check(tree).stdout.startswith(f"{CALLER}:6:24: error[stale-option]")


def test_output_files_and_fail_on(incident: Path, tmp_path: Path) -> None:
    sarif, quality = tmp_path / "out.sarif", tmp_path / "gl.json"
    done = check("--output", f"sarif={sarif}", "--output", f"codeclimate={quality}", str(incident))
    assert done.exit_code == 1
    assert done.stdout.startswith(f"{CALLER}:6:24: error[stale-option]")  # the terminal: text
    validate("sarif-2.1.0-subset.schema.json", json.loads(sarif.read_text(encoding="utf-8")))
    validate("gitlab-codequality.schema.json", json.loads(quality.read_text(encoding="utf-8")))
    assert check("--fail-on", "never", str(incident)).exit_code == 0
    bad = check("--output", "nope=x", str(incident))
    assert bad.exit_code == 2 and "FORMAT=FILE" in bad.stderr


@pytest.mark.parametrize(
    ("fail_on", "severities", "code"),
    [
        pytest.param("error", ("warning",), 0, id="error-warnings-pass"),
        pytest.param("warning", ("warning",), 1, id="warning-warnings-fail"),
        pytest.param("never", ("error",), 0, id="never"),
        pytest.param("error", ("error", "warning"), 1, id="error-errors-fail"),
    ],
)
def test_fail_on(fail_on: str, severities: tuple[str, ...], code: int) -> None:
    span = Span("a.pp", 1, 1, 1, 2)
    found = tuple(Finding(span, "unknown-option", "m", severity=s) for s in severities)  # type: ignore[arg-type]
    assert _exit_code(Checked(".", found), fail_on) == code


def test_base_worktree_leaves_the_commit_index_alone(incident: Path) -> None:
    # `git commit` runs hooks with GIT_INDEX_FILE set; the base's worktree must not fill it.
    site = incident / "manifests" / "site.pp"
    site.write_text(site.read_text(encoding="utf-8") + "# staged\n", encoding="utf-8")
    git(incident, "add", "manifests/site.pp")
    before = git(incident, "status", "--porcelain")
    index = str(incident / ".git" / "index")
    done = CliRunner(env={"GIT_INDEX_FILE": index}).invoke(
        cli, ["check", "--no-cache", "--base", "HEAD~1", str(incident)]
    )
    assert done.exit_code == 1, done.stderr
    assert git(incident, "status", "--porcelain") == before == "M  manifests/site.pp\n"


def apply(repo: Path, replacements: list[dict[str, Any]]) -> dict[str, str]:
    """The files as Gerrit's "apply fix" would leave them (ranges: 1-based lines, 0-based
    characters, end exclusive)."""
    texts: dict[str, list[str]] = {}
    ordered = sorted(
        replacements,
        key=lambda r: (r["path"], r["range"]["start_line"], r["range"]["start_character"]),
        reverse=True,
    )
    for edit in ordered:
        lines = texts.setdefault(
            edit["path"], (repo / edit["path"]).read_text(encoding="utf-8").split("\n")
        )
        where = edit["range"]
        first, last = where["start_line"] - 1, where["end_line"] - 1
        head = lines[first][: where["start_character"]]
        tail = lines[last][where["end_character"] :] if last < len(lines) else ""
        lines[first : last + 1] = (head + edit["replacement"] + tail).split("\n")
    return {path: "\n".join(lines) for path, lines in texts.items()}


@pytest.mark.parametrize(
    "name",
    ["fix-stale-option-in-puppet-strings", "fix-renamed-options", "fix-stale-option-in-hiera"],
)
def test_gerrit_fix_suggestions_make_what_fix_writes(tmp_path: Path, name: str) -> None:
    repo = make_repo(FIXTURES / name, tmp_path)
    review = json.loads(check("--format", "gerrit", str(repo)).stdout)
    validate("gerrit-review-input.schema.json", review)
    replacements = [
        r
        for comments in review["comments"].values()
        for comment in comments
        for fix in comment.get("fix_suggestions", [])
        for r in fix["replacements"]
    ]
    assert replacements
    # Each finding's suggestion holds its file's edits; several findings share them.
    unique = [json.loads(r) for r in {json.dumps(r, sort_keys=True) for r in replacements}]
    suggested = apply(repo, unique)
    done = check("--fix", str(repo))
    assert done.exit_code in (0, 1), done.stderr
    fixed = set(git(repo, "diff", "--name-only").split())
    # --fix checks again and may put a file back ("undone"); every file it keeps is suggested.
    assert fixed and fixed <= set(suggested)
    for path in fixed:
        assert (repo / path).read_text(encoding="utf-8") == suggested[path], path


def test_base_findings_are_kept_per_commit(
    incident: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "cache")
    args = ("--format", "json", "--base", "HEAD~1", "--cache-dir", cache, str(incident))
    first = CliRunner().invoke(cli, ["check", *args])
    from driftlint import change

    def no_worktree(*_: object) -> None:
        raise AssertionError("the base of a known commit is checked again")

    monkeypatch.setattr(change, "tree_at_base", no_worktree)
    second = CliRunner().invoke(cli, ["check", *args])
    assert first.exit_code == second.exit_code == 1
    assert first.stdout == second.stdout


def test_base_head_before_the_first_commit_reports_everything(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    shutil.copytree(INCIDENT, repo, ignore=shutil.ignore_patterns("EXPECTED.json", "BASE"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    (found,) = findings("--base", "HEAD", str(repo))
    assert (found["path"], found["argument"]) == (CALLER, "-v")


def test_without_base_the_change_is_the_head_commit_even_a_merge(incident: Path) -> None:
    # Zuul checks a speculative merge of the change onto its branch: HEAD is a merge commit
    # whose first parent is the branch. Here the branch moved on (NOTES) after the change.
    git(incident, "branch", "-q", "change")
    git(incident, "reset", "-q", "--hard", "HEAD~1")
    (incident / "NOTES").write_text("unrelated\n", encoding="utf-8")
    git(incident, "add", "NOTES")
    git(incident, "commit", "-q", "-m", "the branch moves on")
    git(incident, "merge", "-q", "--no-ff", "-m", "speculative merge", "change")
    review = json.loads(check("--format", "gerrit", str(incident)).stdout)
    assert set(review["comments"]) == {SCRIPT, "/PATCHSET_LEVEL"}


def test_a_clean_heads_findings_are_the_next_changes_base(
    incident: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate of one commit leaves its findings for the gate of the next, whose base it is:
    that base is never checked out again (#17: a CI gate answers from what main's left)."""
    cache = str(tmp_path / "cache")
    args = ("--format", "json", "--base", "HEAD~1", "--cache-dir", cache, str(incident))
    first = CliRunner().invoke(cli, ["check", *args])
    assert first.exit_code == 1
    (incident / "NOTES").write_text("an unrelated change\n", encoding="utf-8")
    git(incident, "add", "NOTES")
    git(incident, "commit", "-q", "-m", "the next change")
    from driftlint import change

    def no_worktree(*_: object) -> None:
        raise AssertionError("the base was checked again though its gate left its findings")

    monkeypatch.setattr(change, "tree_at_base", no_worktree)
    second = CliRunner().invoke(cli, ["check", *args])
    assert second.exit_code == 0, second.stdout
    assert json.loads(second.stdout)["findings"] == []  # the stale call was already there
    # A dirty tree leaves nothing: what it found is not any commit's.
    (incident / "NOTES").write_text("not committed\n", encoding="utf-8")
    monkeypatch.undo()
    third = CliRunner().invoke(cli, ["check", *args])
    assert third.exit_code == 0


def test_a_dirty_tree_is_no_commits_base(incident: Path, tmp_path: Path) -> None:
    from driftlint.interfaces.changes import clean_head

    assert clean_head(incident) == git(incident, "rev-parse", "HEAD").strip()
    (incident / "NOTES").write_text("untracked\n", encoding="utf-8")
    assert clean_head(incident) is None


@pytest.fixture
def branched(incident: Path) -> Path:
    """A merge request: `feature` branched off main while main's caller still passed `-v`;
    main then fixed the caller. The change itself is unrelated."""
    git(incident, "checkout", "-q", "-b", "feature")
    (incident / "NOTES").write_text("an unrelated change\n", encoding="utf-8")
    git(incident, "add", "NOTES")
    git(incident, "commit", "-q", "-m", "the change under review")
    git(incident, "checkout", "-q", "main")
    caller = incident / CALLER
    caller.write_text(caller.read_text(encoding="utf-8").replace("'-v 0'", "''"), "utf-8")
    git(incident, "commit", "-q", "-am", "main fixes the caller after the branch point")
    git(incident, "checkout", "-q", "feature")
    return incident


@pytest.mark.parametrize("base", ["main", "main...HEAD", "main...feature"])
def test_base_is_where_the_change_left_its_target_branch(branched: Path, base: str) -> None:
    # The stale `-v` is on the branch since before it left main: not the change's doing.
    assert [f["argument"] for f in findings(str(branched))] == ["-v"]
    done = check("--format", "json", "--base", base, str(branched))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_base_of_a_shallow_clone_without_the_merge_base_says_how_to_deepen(
    branched: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "-b", "feature", branched.as_uri(), str(shallow))
    git(shallow, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    done = check("--format", "json", "--base", "origin/main", str(shallow))
    assert done.exit_code == 2 and done.stdout == ""
    assert "shallow" in done.stderr and "git fetch --deepen" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_a_suppression_of_stale_option_also_hides_it_in_a_shallow_clone(
    incident: Path, tmp_path: Path
) -> None:
    caller = incident / CALLER
    lines = caller.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(5, "        # driftlint: ignore[stale-option] -- until T1234 is deployed\n")
    caller.write_text("".join(lines), encoding="utf-8")
    git(incident, "commit", "-q", "-am", "suppress the stale option")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", incident.as_uri(), str(shallow))
    for repo in (incident, shallow):  # stale-option here, unknown-option there: one family
        done = check("--format", "json", str(repo))
        assert done.exit_code == 0, done.stdout
        assert json.loads(done.stdout)["findings"] == []


def test_a_tree_in_a_subfolder_is_found_from_the_repository_top(nested: Path) -> None:
    done = check("--format", "json", str(nested))
    assert done.exit_code == 1, done.stderr
    (found,) = json.loads(done.stdout)["findings"]
    assert found["path"] == f"ops/puppet/{CALLER}"
    assert "checking the Puppet tree in" in done.stderr and "ops/puppet" in done.stderr
    text = check(str(nested))
    assert text.exit_code == 1 and f"{CALLER}:6:24: error[" in text.stdout


def test_no_puppet_tree_under_path_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README").write_text("not Puppet\n", encoding="utf-8")
    done = check("--format", "json", str(tmp_path))
    assert done.exit_code == 2 and done.stdout == ""
    assert f"no Puppet tree found under {tmp_path}" in done.stderr


def test_a_check_that_saw_no_call_says_so(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "manifests").mkdir(parents=True)
    (tree / "manifests" / "site.pp").write_text("node default {}\n", encoding="utf-8")
    done = check(str(tree))
    assert done.exit_code == 0
    assert "no call of a watched script was found" in done.stderr
    assert "no call" not in check(str(INCIDENT)).stderr
