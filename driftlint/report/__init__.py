"""Output formats: each module renders a Result to a string; the CLI picks one by name."""

from __future__ import annotations

from driftlint.report import codequality, gerrit, json_, junit, sarif, text
from driftlint.report.common import Renderer

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "codeclimate": codequality.render,
    "junit": junit.render,
    "gerrit": gerrit.render,
}

__all__ = ["FORMATS", "Renderer"]
