"""Branches nobody decides (issue 13, shape 2): `if $x`, `unless`, `case` and selectors on a
class or define parameter that took its default, because no role or Hiera set it.

The default takes one side; a role may well set the parameter and take the other. The other
side is explored too, and what it declares carries the condition it needs ("`$x` is true"),
so that a bad call found only there is a warning saying when, as for ERB forks
(driftlint/resolve/conditions.py). Roles that set the parameter decide the branch: errors.
"""

from __future__ import annotations

from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse.puppet import ast
from driftlint.resolve.scope import string_literal
from driftlint.values import Value


def parameter_of(condition: ast.Node) -> str | None:
    """The variable a condition tests: `$x`, `!$x`, `$x == 'a'`, `$x != 'a'`; else None."""
    if isinstance(condition, ast.Var) and not condition.top:
        return condition.name
    if isinstance(condition, ast.UnaryOp) and condition.op == "!":
        return parameter_of(condition.operand)
    if (
        isinstance(condition, ast.BinOp)
        and condition.op in ("==", "!=")
        and string_literal(condition.right) is not None
    ):
        return parameter_of(condition.left)
    return None


def describe(condition: ast.Node, holds: bool) -> str:
    """What a parameter must be for the condition to be `holds`: "`$x` is true"."""
    if isinstance(condition, ast.UnaryOp):
        return describe(condition.operand, not holds)
    if isinstance(condition, ast.BinOp) and isinstance(condition.left, ast.Var):
        literal = string_literal(condition.right)
        same = holds == (condition.op == "==")
        return f"`${condition.left.name}` is {'' if same else 'not '}'{literal}'"
    name = condition.name if isinstance(condition, ast.Var) else "?"
    return f"`${name}` is {'true' if holds else 'false'}"


def case_label(subject: str, branch: ast.CaseBranch) -> str:
    """The condition a `case` branch needs: "`$x` is 'a'" (or "... matches none of ...")."""
    if any(isinstance(m, ast.Default) for m in branch.matches):
        return f"`${subject}` matches no other case"
    words = [_shown(m) for m in branch.matches]
    shown = " or ".join(w for w in words if w is not None) or "another value"
    return f"`${subject}` is {shown}"


def _shown(match: ast.Node) -> str | None:
    if isinstance(match, ast.Bool):
        return "true" if match.value else "false"
    literal = string_literal(match)
    return None if literal is None else f"'{literal}'"


def mark(value: Value, assumption: str) -> Value:
    """A value printed only under an assumption: each of its characters says so."""
    if not isinstance(value, LText):
        return value
    runs = tuple(
        r if assumption in r.assumed else replace(r, assumed=(*r.assumed, assumption))
        for r in value.runs
    )
    return LText(value.text, runs)
