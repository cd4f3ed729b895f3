"""Recognise conditional sourcing in a shell script: `test -f F && . F`, `[ -r F ] && source F`,
`if [ -f F ]; then . F; fi`; issue 13, shape 1.

A script that sets defaults and then sources a file only when it exists runs with the values
of that file when it exists, and with its own otherwise. `driftlint.parse.shell` walks such a
script once per choice (see `Forks`) instead of forgetting every variable the file sets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from tree_sitter import Node

# Tests that a file is there (and readable): when it is the file sourced and it is known to be
# installed, the branch is taken.
EXISTS = frozenset({"-f", "-r", "-e", "-s", "-a"})
MAX_FORKS = 3  # conditional sources explored both ways; later ones are taken as sourced


@dataclass(slots=True)
class Forks:
    """The choices of one walk: whether the n-th conditional source was taken."""

    choices: tuple[bool, ...] = ()
    seen: int = 0  # conditional sources met so far in this walk
    _next: int = field(default=0)

    def take(self) -> bool:
        """Whether this walk takes the next conditional source (the first walk takes all)."""
        n = self._next
        self._next += 1
        self.seen = max(self.seen, self._next)
        return self.choices[n] if n < len(self.choices) else True


@dataclass(frozen=True, slots=True)
class Conditional:
    guard: Node  # the test before `&&`, or the `if` condition
    sources: tuple[Node, ...]  # the `.`/`source` commands it guards


def conditional_source(node: Node) -> Conditional | None:
    """`guard && . F` or an `if` without `else` whose body only sources files; else None."""
    if node.type == "list":
        children = node.named_children
        ops = [c.type for c in node.children if not c.is_named]
        if len(children) == 2 and ops == ["&&"] and is_source(children[1]):
            return Conditional(children[0], (children[1],))
        return None
    if node.type != "if_statement":
        return None
    condition = node.child_by_field_name("condition")
    body = [c for c in node.named_children if c != condition and c.type != "comment"]
    if condition is None or not body:
        return None
    if any(c.type in ("else_clause", "elif_clause") for c in body):
        return None
    if not all(is_source(c) for c in body):
        return None
    return Conditional(condition, tuple(body))


def is_source(node: Node) -> bool:
    if node.type != "command":
        return False
    name = node.child_by_field_name("name")
    return (
        name is not None
        and _text(name) in (".", "source")
        and len(node.children_by_field_name("argument")) >= 1
    )


def tested_files(guard: Node) -> list[tuple[str, Node]]:
    """(operator, operand node) of each existence test in the guard: `[ -f F ]`, `test -r F`,
    `[[ -e F ]]`. Operands are nodes: the caller expands them as words."""
    out: list[tuple[str, Node]] = []
    if guard.type == "test_command":
        for expr in guard.named_children:
            if expr.type == "unary_expression":
                op = expr.child_by_field_name("operator")
                operands = [c for c in expr.named_children if c != op]
                if op is not None and operands:
                    out.append((_text(op), operands[0]))
    elif guard.type == "command":
        name = guard.child_by_field_name("name")
        args = guard.children_by_field_name("argument")
        if name is not None and name.text in (b"test", b"["):
            for op, operand in itertools.pairwise(args):
                out.append((_text(op), operand))
    return [(op, n) for op, n in out if op in EXISTS]


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""
