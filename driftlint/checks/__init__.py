"""The check registry: one module per code; its docstring is the `explain` page."""

from __future__ import annotations

from types import ModuleType

from driftlint.checks import (
    deprecated_option,
    internal_error,
    invalid_choice,
    invalid_suppression,
    missing_argument,
    missing_required,
    missing_script,
    parse_error,
    repeated_option,
    stale_option,
    too_many_arguments,
    undocumented_option,
    unexpected_value,
    unknown_option,
    unknown_subcommand,
    unreadable_file,
    unused_suppression,
)

CHECKS: dict[str, ModuleType] = {
    m.CODE: m
    for m in (
        unknown_option,
        stale_option,
        missing_argument,
        unexpected_value,
        too_many_arguments,
        missing_required,
        invalid_choice,
        unknown_subcommand,
        deprecated_option,
        repeated_option,
        undocumented_option,
        missing_script,
        parse_error,
        unreadable_file,
        invalid_suppression,
        unused_suppression,
        internal_error,
    )
}

# Checks that read an argv binding; the others report what the stages found.
BINDING_CHECKS: tuple[ModuleType, ...] = tuple(m for m in CHECKS.values() if hasattr(m, "check"))

# Renamed codes stay valid, as in ruff.
REDIRECTS: dict[str, str] = {}

SEVERITY: dict[str, str] = {
    code: "warning"
    for code in (
        "deprecated-option",
        "repeated-option",
        "undocumented-option",
        "missing-script",
        "parse-error",
        "unreadable-file",
        "unused-suppression",
    )
}


def severity(code: str) -> str:
    return SEVERITY.get(code, "error")


def explain(code: str) -> str | None:
    module = CHECKS.get(REDIRECTS.get(code, code))
    return None if module is None or module.__doc__ is None else module.__doc__.strip()
