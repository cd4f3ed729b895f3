"""The project's own CI: .gitlab-ci.yml against GitLab's schema, doing what .ci/run does."""

from __future__ import annotations

import json
import re
import shlex
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
