"""Evaluating a root that Hiera data or an ENC classifies (issue 25): its top-scope variables,
then what the default node runs, then the classes its class lists and the ENC name."""

from __future__ import annotations

from collections.abc import Sequence

from driftlint.config.roots import RootRule
from driftlint.ltext import LText
from driftlint.parse.puppet import ast
from driftlint.resolve.classify import ClassList, every_host
from driftlint.resolve.evaluate import Alts, Evaluator
from driftlint.resolve.facts import role_facts
from driftlint.resolve.hiera import Hiera
from driftlint.resolve.hiera_roots import HieraRoot, class_list, host_facts


def enc_facts(rule: RootRule) -> dict[str, str]:
    """The facts of an ENC's node: its host's when it names one, and its parameters."""
    glob = any(c in rule.pattern for c in "*?[")
    facts = role_facts(None) if glob else host_facts(rule.pattern, "." not in rule.pattern)
    for key, value in rule.parameters:
        facts[key] = facts[f"facts.{key}"] = value
    return facts


def top_scope(root: HieraRoot | RootRule) -> list[tuple[str, Alts]]:
    """Top-scope variables of a root: an ENC's parameters, the facts a data file's name gives."""
    if isinstance(root, RootRule):
        return [(k, [enc_value(root, k, v)]) for k, v in root.parameters]
    return [(k, [LText.plain(v)]) for k, v in root.variables()]


def enc_value(rule: RootRule, key: str, text: str) -> LText:
    """An ENC's value, located where the config or ENC file writes it."""
    span = dict(rule.where).get(key)
    if span is None:
        return LText.plain(text)
    return LText.literal(text, span.path, span.line, span.column)


def declare_roots(
    evaluator: Evaluator,
    nodes: Sequence[ast.NodeDef],
    lists: Sequence[ClassList],
    layer: Hiera | None,
    facts: dict[str, str],
    root: HieraRoot | RootRule,
) -> None:
    """What the default node runs, then each class the class lists name (declared from where
    the data file writes it), then an ENC's classes with their parameters."""
    for node in every_host(nodes):
        evaluator.run(node.body, evaluator.top, ())
    for found in lists if layer is not None else ():
        assert layer is not None
        for name, span in class_list(layer, found, facts):
            evaluator.declare_class(name, None, (found.span, span) if span else (found.span,))
    if isinstance(root, RootRule):
        for name, params in root.classes:
            given: dict[str, Alts] = {k: [enc_value(root, f"{name}::{k}", v)] for k, v in params}
            evaluator.declare_class(name, given, (root.span,) if root.span else ())
