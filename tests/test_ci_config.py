"""The project's own CI: .gitlab-ci.yml against GitLab's schema, doing what .ci/run does."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from tests.conftest import FIXTURES, ROOT

check_jsonschema = pytest.importorskip("check_jsonschema")
VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"


def gitlab() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text("utf-8"))
    return config


def test_gitlab_ci_validates_against_gitlabs_schema() -> None:
    schema = json.loads((VENDOR / "gitlab-ci.json").read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(gitlab())]
    assert not errors


def test_gitlab_ci_uses_no_deprecated_top_level_keyword() -> None:
    schema = json.loads((VENDOR / "gitlab-ci.json").read_text(encoding="utf-8"))
    deprecated = {
        key
        for key, spec in schema["properties"].items()
        if "deprecated" in str(spec.get("markdownDescription", "")).lower()
    }
    assert deprecated >= {"image", "services", "before_script", "after_script", "cache"}
    assert not deprecated & set(gitlab())


def test_gitlab_ci_runs_what_ci_run_runs() -> None:
    command = re.search(r"^(pip install .* && pytest)$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert command is not None
    (test,) = [job for job in gitlab().values() if isinstance(job, dict) and "junit" in str(job)]
    assert f"{command[1]} --junitxml=report.xml" in test["script"]


def test_gitlab_code_quality_job_reports_a_fixture_with_findings() -> None:
    jobs = [j for j in gitlab().values() if isinstance(j, dict) and "codequality" in str(j)]
    (job,) = jobs
    report = job["artifacts"]["reports"]["codequality"]
    (line,) = [s for s in job["script"] if s.startswith("driftlint check")]
    words = shlex.split(line)
    assert f"codeclimate={report}" in words
    fixture = next(Path(w) for w in words if w.startswith("fixtures/"))
    expected = json.loads((ROOT / fixture / "EXPECTED.json").read_text(encoding="utf-8"))
    assert (FIXTURES / fixture.name).is_dir() and expected["findings"]
    # Exit 1 (findings) is allowed; a usage error or a crash still fails the pipeline.
    assert job["allow_failure"] == {"exit_codes": [1]}


def readme_yaml(after: str) -> Any:
    """The first YAML block after a bold heading of README's "In CI" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text[text.index(after) :], re.S)
    assert block is not None
    return yaml.safe_load(block[1])


@pytest.mark.parametrize(
    ("heading", "schema"),
    [
        pytest.param("**GitLab**", "gitlab-ci.json", id="gitlab"),
        pytest.param("**GitHub**", "github-workflows.json", id="github"),
    ],
)
def test_readme_ci_examples_validate(heading: str, schema: str) -> None:
    document = json.loads((VENDOR / schema).read_text(encoding="utf-8"))
    example = readme_yaml(heading)
    if True in example:  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
        example["on"] = example.pop(True)
    errors = [e.message for e in jsonschema.Draft7Validator(document).iter_errors(example)]
    assert not errors
    assert "driftlint check" in json.dumps(example)


def test_fleet_tests_skip_where_puppet_lacks_the_cron_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Puppet 7 without the cron_core module cannot compile a `cron`: skip, saying why."""
    from tests import fleet_servers

    bin_dir, vendor = tmp_path / "bin", tmp_path / "vendor_modules"
    bin_dir.mkdir()
    (vendor / "stdlib" / "lib" / "puppet" / "type").mkdir(parents=True)
    fake = bin_dir / "puppet"
    fake.write_text(
        '#!/bin/sh\ncase "$*" in\n  --version) echo 7.23.0 ;;\n'
        f'  "config print vendormoduledir") echo {vendor} ;;\nesac\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(fleet_servers, "SYSTEM_MODULES", str(tmp_path / "none"))
    reason = fleet_servers.missing_puppet()
    assert reason is not None and "cron" in reason
    (vendor / "cron_core" / "lib" / "puppet" / "type").mkdir(parents=True)
    (vendor / "cron_core" / "lib" / "puppet" / "type" / "cron.rb").write_text("", "utf-8")
    assert fleet_servers.missing_puppet() is None


README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


class StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (GitLab keeps only the last)."""


def _no_duplicates(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    duplicated = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not duplicated, f"duplicate keys {duplicated} at line {node.start_mark.line + 1}"
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def test_readme_yaml_blocks_have_no_duplicate_keys() -> None:
    assert len(blocks("yaml")) >= 4
    for block in blocks("yaml"):
        yaml.load(block, Loader=StrictLoader)


def test_readme_installs_from_the_repository_not_pypi() -> None:
    assert not re.search(r"pip install driftlint(\s|$)", README)
    installs = re.findall(r"pip install \"driftlint @ git\+\S+@([0-9a-f]{40})\"", README)
    assert len(installs) >= 3
    for rev in [*installs, *re.findall(r"^\s*rev: (\S+)", README, re.M)]:
        done = subprocess.run(
            ["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True
        )
        assert done.returncode == 0, f"{rev} is no commit of this repository"


def test_readme_gitlab_job_uploads_code_quality_and_junit() -> None:
    job = readme_yaml("**GitLab**")["driftlint"]
    reports = job["artifacts"]["reports"]
    (line,) = [s for s in job["script"] if s.startswith("driftlint check")]
    words = shlex.split(line)
    assert f"codequality={reports['codequality']}" in words
    assert f"junit={reports['junit']}" in words


def test_readme_zuul_playbook_reads_the_report_on_the_node_that_wrote_it() -> None:
    (play,) = readme_yaml("**Zuul**")
    tasks = play["tasks"]
    assert "lookup('file'" not in json.dumps(tasks)  # a lookup reads the executor's disk
    (slurp,) = [t for t in tasks if "slurp" in t]
    (ret,) = [t for t in tasks if "zuul_return" in t]
    assert slurp["register"] in ret["zuul_return"]["data"]
    assert slurp["slurp"]["src"].endswith("/driftlint.json")


def test_every_driftlint_command_in_the_readme_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `driftlint ...` line of a shell or YAML block parses with the real command line
    (options, choices, formats), without running it."""
    import click

    (tmp_path / "catalogs").mkdir()  # `--catalogs DIR` must exist
    monkeypatch.chdir(tmp_path)

    from driftlint.cli import cli

    lines = [
        line
        for block in blocks("sh") + blocks("yaml") + blocks("console")
        for line in block.splitlines()
    ]
    commands = []
    for line in lines:
        found = re.search(r"(driftlint (?:check|calls|interface|baseline|merge)\b.*)", line)
        if found:
            text = re.split(r" > | \|\| | \| |\\n", found[1])[0]
            commands.append(text)
    assert any("--format gerrit" in c for c in commands), commands
    for command in commands:
        # What each CI system puts in place of its templates: GitLab's `parallel:` variables,
        # a GitHub matrix expression, a Zuul (Ansible) variable.
        command = command.replace("$(git rev-parse HEAD)", "HEAD")
        command = command.replace("$CI_NODE_INDEX", "1").replace("$CI_NODE_TOTAL", "2")
        command = re.sub(r"\$\{\{\s*matrix\.\w+\s*\}\}", "1", command)
        command = re.sub(r"\{\{\s*shard\s*\}\}", "1/2", command)
        words = shlex.split(command)
        with click.Context(cli) as ctx:
            sub = cli.get_command(ctx, words[1])
            assert sub is not None, command
            sub.make_context(words[1], words[2:], parent=ctx)  # raises on a bad option
