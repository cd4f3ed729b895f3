"""How deep a tree-sitter syntax tree nests, found without recursion.

The readers that walk a tree-sitter tree (shell commands, Ruby in ERB tags) recurse on it;
input nested past their bound is a parse error at the node that passes it (issue 30), found
here with a cursor before any recursive walk starts.
"""

from __future__ import annotations

from tree_sitter import Node


def past(node: Node, room: int) -> tuple[Node | None, int]:
    """The first node of `node`'s subtree (`node` at depth 1) more than `room` levels deep,
    if any, and the depth of the subtree (as far as it was walked)."""
    if room < 1:
        return node, 1
    cursor = node.walk()
    depth = deepest = 1
    while True:
        if cursor.goto_first_child():
            depth += 1
            if depth > room:
                return cursor.node, depth
            deepest = max(deepest, depth)
            continue
        while not cursor.goto_next_sibling():
            if depth == 1 or not cursor.goto_parent():
                return None, deepest
            depth -= 1
