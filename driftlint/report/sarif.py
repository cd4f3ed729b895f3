"""`--format sarif`: one SARIF 2.1.0 log with one run (OASIS sarif-v2.1.0, §3.13-3.30)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import driftlint
from driftlint.model import Finding, Result, Span
from driftlint.report.common import (
    INFORMATION_URI,
    NO_CONTEXT,
    TOOL_NAME,
    ReportContext,
    doc_summary,
    help_uri,
    severity_of,
)
from driftlint.report.fingerprint import fingerprints

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
# v2: fingerprints no longer hash the code (a shallow clone's unknown-option is a full clone's
# stale-option) and name files from the repository top.
FINGERPRINT_KEY = f"{TOOL_NAME}/v2"
# The key GitHub code scanning reads to match alerts across runs instead of computing its own.
LINE_HASH_KEY = "primaryLocationLineHash"


def render(
    result: Result,
    *,
    color: bool = False,
    docs: Mapping[str, str] = {},
    context: ReportContext = NO_CONTEXT,
) -> str:
    fps = fingerprints(result.findings, result.root)
    codes = sorted({f.code for f in result.findings} | set(docs))
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for finding in result.findings:
        record: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _level(finding.severity),
            "message": {"text": _message(finding)},
            "locations": [_location(finding.span)],
            "partialFingerprints": {
                FINGERPRINT_KEY: fps[finding],
                LINE_HASH_KEY: fps[finding] if ":" in fps[finding] else f"{fps[finding]}:1",
            },
            "properties": {
                "roles": list(finding.roles),
                "script": finding.script,
                "argument": finding.argument,
            },
        }
        if finding.via:
            record["relatedLocations"] = [
                {"id": i, **_location(span), "message": {"text": f"via {span.where}"}}
                for i, span in enumerate(finding.via)
            ]
        results.append(record)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "version": driftlint.__version__,
                "rules": [_rule(code, docs, result) for code in codes],
            }
        },
    }
    if context.source_root:
        # Where %SRCROOT% is, so a viewer can open the files (GitHub maps it to its checkout).
        run["originalUriBaseIds"] = {SRCROOT: {"uri": context.source_root}}
    # Our columns count characters; SARIF's default is UTF-16 code units (§3.14.24).
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    log = {
        "$schema": SCHEMA,
        "version": SARIF_VERSION,
        "runs": [run],
    }
    return json.dumps(log, indent=2) + "\n"


def _escape(text: str) -> str:
    """Brackets are link syntax in SARIF messages (§3.11.6): escape them in plain text."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _message(finding: Finding) -> str:
    """The message, then the chain of places with each one linked to its relatedLocation, the
    `[text](id)` form GitHub turns into a link to that line."""
    text = _escape(finding.message)
    if finding.via:
        links = " → ".join(f"[{_escape(span.where)}]({i})" for i, span in enumerate(finding.via))
        text += f" (via {links})"
    return text


def _level(severity: str) -> str:
    return "warning" if severity == "warning" else "error"


def _uri(path: str) -> str:
    """A relative URI reference: percent-encode spaces, `%`, `#`, `?` and non-ASCII. A file
    name that is not UTF-8 (its bytes kept as surrogates) is encoded byte for byte."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _location(span: Span) -> dict[str, Any]:
    region = {
        "startLine": max(span.line, 1),
        "startColumn": max(span.column, 1),
        "endLine": max(span.end_line, span.line, 1),
        "endColumn": max(span.end_column, 1),
    }
    if region["endLine"] == region["startLine"]:
        region["endColumn"] = max(region["endColumn"], region["startColumn"])
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(span.path), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _rule(code: str, docs: Mapping[str, str], result: Result) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": code,
        # GitHub shows the name: `stale-option` -> `StaleOption`, SARIF's suggested casing.
        "name": "".join(part.capitalize() for part in code.split("-")),
        "shortDescription": {"text": doc_summary(docs, code)},
        "helpUri": help_uri(code),
    }
    text = docs.get(code, "").strip()
    if text:
        rule["fullDescription"] = {"text": text}
        rule["help"] = {"text": text, "markdown": text}
    rule["defaultConfiguration"] = {"level": _level(severity_of(code, result.findings))}
    return rule
