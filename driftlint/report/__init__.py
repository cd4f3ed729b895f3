"""Output formats: each module renders a Result to a string; the CLI picks one by name."""

from __future__ import annotations

from driftlint.report import (
    checkstyle,
    codequality,
    concise,
    gerrit,
    github,
    json_,
    junit,
    sarif,
    text,
    zuul,
)
from driftlint.report.common import NO_CONTEXT, Renderer, ReportContext, rebase

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "codeclimate": codequality.render,
    "codequality": codequality.render,  # GitLab's name for the same report
    "concise": concise.render,
    "checkstyle": checkstyle.render,
    "junit": junit.render,
    "gerrit": gerrit.render,
    "zuul": zuul.render,
    "github": github.render,
}

__all__ = ["FORMATS", "NO_CONTEXT", "Renderer", "ReportContext", "rebase"]
