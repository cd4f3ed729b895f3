"""Find every simple command in a shell text, with located, de-quoted and expanded argv words."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from driftlint.ltext import LText
from driftlint.model import Finding, Span, Word
from driftlint.parse import nesting
from driftlint.parse.shell_source import (
    MAX_FORKS,
    Conditional,
    Forks,
    conditional_source,
    tested_files,
)
from driftlint.parse.shell_words import NAME, PASSTHROUGH, Expander, fallback_span

__all__ = ["Command", "ShellScript", "parse_shell"]

LANGUAGE = Language(tree_sitter_bash.language())
MAX_DEPTH = 8  # nested `source` files
# Levels of the syntax tree one text may nest (about 3 per `$(`, 1 per `(`, `{` or `if`),
# sourced files included: the walk below recurses on them, and 150 nested `$(` overflowed
# Python's stack (issue 30). A statement deeper than this is a parse error where it passes
# the bound, and is not read; the statements around it are.
MAX_NESTING = 120
# Statements whose bodies may run zero, one or many times: assignments in them are unknown after.
CONDITIONAL = frozenset({
    "if_statement", "while_statement", "for_statement", "c_style_for_statement",
    "case_statement", "function_definition", "subshell", "pipeline", "compound_statement",
    "command_substitution", "process_substitution", "ERROR",
})  # fmt: skip
DECLARATIONS = frozenset({"export", "local", "declare", "typeset", "readonly"})
# tree-sitter-bash 0.25.1 crashes the process (SIGSEGV) on `{` followed by a character outside
# the BMP (tree-sitter/tree-sitter-bash#337, open). The parser gets a BMP stand-in for each; the
# words are still cut from the real text, and the offsets in characters are the same.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_STAND_IN = "\uf8ff"


@dataclass(frozen=True, slots=True)
class Command:
    words: tuple[Word, ...]  # argv, argv[0] first, after leading assignments
    assignments: tuple[tuple[str, LText], ...] = ()  # `VAR=value cmd` prefixes
    passthrough: bool = False  # argv contained "$@" / "$*" / $@ (dropped from words)
    # The PATH the script itself set before this command; None when it set none (inherited).
    search_path: LText | None = None
    # The working directory its call site gives it (systemd WorkingDirectory=, supervisord
    # directory=, a `cd DIR` before it on its line); None when not known.
    cwd: str | None = None
    # Where it runs when that is another host than the call site's: "ssh", "an Icinga 2
    # agent"; "" on the host that installs the call site.
    remote: str = ""
    # The NRPE command name the line defines (`command[NAME]=`, driftlint.sites.nrpe).
    nrpe: str = ""


@dataclass(frozen=True, slots=True)
class ShellScript:
    commands: tuple[Command, ...]
    env: dict[str, LText]  # top-level variables at the end of the script
    errors: tuple[Finding, ...]
    origins: dict[str, Span] = field(default_factory=dict)  # where env's values were assigned


def parse_shell(
    text: LText,
    path: str,
    env: Mapping[str, LText] | None = None,
    source: Callable[[str], LText | None] | None = None,
) -> ShellScript:
    """Parse a shell text; problems become `parse-error` warnings, never exceptions.

    Variables assigned inside branches, loops, functions or subshells are unknown afterwards:
    the parser never guesses which branch runs. A file sourced on a condition (`test -f F &&
    . F`) is the exception: with its text known, the commands after it are those of both
    walks, as sourced and as before; when the condition is that very file's existence, only
    as sourced (`source` gives the files known to be installed).
    """
    forks = Forks()
    first = _parse(text, path, dict(env or {}), source, 0, forks)
    if not forks.seen:
        return first
    commands = dict.fromkeys(first.commands)
    for choices in itertools.product((True, False), repeat=min(forks.seen, MAX_FORKS)):
        if not all(choices):
            other = _parse(text, path, dict(env or {}), source, 0, Forks(choices))
            commands.update(dict.fromkeys(other.commands))
    return replace(first, commands=tuple(commands))


def _parse(
    text: LText,
    path: str,
    env: dict[str, LText],
    source: Callable[[str], LText | None] | None,
    depth: int,
    forks: Forks,
    room: int = MAX_NESTING,
) -> ShellScript:
    """`room`: the levels of syntax tree left to this text (less in a sourced file)."""
    parsed = _ASTRAL.sub(_STAND_IN, text.text)
    tree = Parser(LANGUAGE).parse(parsed.encode("utf-8", "surrogatepass"))
    walker = _Walker(text, path, _char_index(parsed), source, depth, dict(env), forks)
    body: list[Node] = []
    too_deep: list[Finding] = []
    deepest = 0
    for child in tree.root_node.children:
        past, levels = nesting.past(child, room)
        if past is None:
            body.append(child)
            deepest = max(deepest, levels)
            continue
        start, end = walker.range(past)
        too_deep.append(
            Finding(
                fallback_span(text, path, start, max(end, start + 1)),
                "parse-error",
                f"shell commands nested more than {room} levels deep: this statement is not read",
                argument=text.text[start:end][:80],
                severity="warning",
            )
        )
    walker.room = room - deepest
    walker.block(body, top=True)
    errors = [*walker.errors, *too_deep]
    bad = _first_error(tree.root_node)
    if bad is not None:
        start = walker.char(bad.start_byte)
        end = max(walker.char(bad.end_byte), start + 1)
        what = "missing " + bad.type if bad.is_missing else "unexpected text"
        errors.insert(
            0,
            Finding(
                fallback_span(text, path, start, end),
                "parse-error",
                f"cannot parse shell command: {what}",
                argument=text.text[start:end][:80],
                severity="warning",
            ),
        )
    final = dict(walker.env)
    for name, span_text in walker.unknown.items():
        final[name] = span_text
    origins = {**walker.origins, **walker.assigned}
    return ShellScript(tuple(walker.commands), final, tuple(errors), origins)


def _char_index(s: str) -> list[int]:
    """Character index of every UTF-8 byte offset (tree-sitter reports bytes)."""
    out: list[int] = []
    for i, c in enumerate(s):
        out.extend([i] * len(c.encode("utf-8", "surrogatepass")))
    out.append(len(s))
    return out


def _first_error(node: Node) -> Node | None:
    if not node.has_error:
        return None
    while not (node.is_error or node.is_missing):  # a loop: the tree may be deep
        child = next((c for c in node.children if c.has_error or c.is_missing), None)
        if child is None:
            return node
        node = child
    return node


@dataclass(slots=True)
class _Walker:
    text: LText
    path: str
    index: list[int]
    source: Callable[[str], LText | None] | None
    depth: int
    env: dict[str, LText]
    forks: Forks
    # Variables assigned where we cannot tell whether (or with what) they ran, with a symbol.
    unknown: dict[str, LText] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    origins: dict[str, Span] = field(default_factory=dict)  # known values a sourced file set
    assigned: dict[str, Span] = field(default_factory=dict)  # assignments of this text
    room: int = MAX_NESTING  # syntax-tree levels left to a file this one sources

    def char(self, byte: int) -> int:
        return self.index[min(byte, len(self.index) - 1)]

    def range(self, node: Node) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def expander(self) -> Expander:
        return Expander(self.text, self.path, self.env, frozenset(self.unknown), self.origins)

    def block(self, nodes: list[Node], top: bool) -> None:
        for node in nodes:
            self.statement(node) if top else self.nested(node)

    def nested(self, node: Node) -> None:
        """Walk a body that may or may not run: its assignments become unknown afterwards."""
        inner = _Walker(
            self.text,
            self.path,
            self.index,
            self.source,
            self.depth,
            dict(self.env),
            self.forks,
            dict(self.unknown),
            self.commands,
            self.errors,
            dict(self.origins),
            room=self.room,
        )
        inner.statement(node)
        start, end = self.range(node)
        for name in set(inner.env) | set(inner.unknown):
            changed = inner.env.get(name) is not self.env.get(name)
            if changed or (name in inner.unknown and name not in self.unknown):
                self.forget(name, start, end)

    def forget(self, name: str, start: int, end: int) -> None:
        self.env.pop(name, None)
        self.unknown[name] = self.expander().symbol(start, end, "$" + name)

    def statement(self, node: Node) -> None:
        kind = node.type
        found = conditional_source(node) if kind in ("list", "if_statement") else None
        if found is not None and self.conditional(found):
            return
        if kind == "command":
            self.command(node, ())
        elif kind in ("variable_assignment", "variable_assignments"):
            for one in [node] if kind == "variable_assignment" else node.named_children:
                if one.type == "variable_assignment":
                    self.assign(one)
        elif kind == "declaration_command":
            self.declaration(node)
        elif kind == "unset_command":
            for child in node.named_children[0:]:
                start, end = self.range(child)
                self.forget(self.text.text[start:end], start, end)
        elif kind == "redirected_statement":
            self.redirected(node)
        elif kind == "list":
            children = node.named_children
            if children:  # `a && b`: only the first part surely runs
                self.statement(children[0])
                for child in children[1:]:
                    self.nested(child)
        elif kind == "for_statement":
            variable = node.child_by_field_name("variable")
            if variable is not None:
                start, end = self.range(variable)
                self.forget(self.text.text[start:end], start, end)
            for child in node.named_children:
                if child is not variable:
                    self.nested(child)
        elif kind in CONDITIONAL or node.named_children:
            for child in node.named_children:
                if kind in CONDITIONAL:
                    self.nested(child)
                else:
                    self.statement(child)

    def redirected(self, node: Node) -> None:
        body = node.child_by_field_name("body")
        # tree-sitter-bash reads `cmd 2>/dev/null arg` as two redirect targets; bash
        # passes `arg` to cmd, so targets after the first are arguments.
        extra: list[Node] = []
        for redirect in node.children_by_field_name("redirect"):
            targets = redirect.children_by_field_name("destination")
            extra.extend(targets[1:])
            for target in targets[:1]:
                self.substitutions(target)
            for child in redirect.named_children:
                if child.type == "heredoc_body":
                    self.substitutions(child)
        if body is not None and body.type == "command":
            self.command(body, tuple(extra))
        elif body is not None:
            self.statement(body)

    def substitutions(self, node: Node) -> None:
        """Commands inside `$(...)`, backticks and `<(...)` anywhere below node."""
        for child in node.named_children:
            if child.type in ("command_substitution", "process_substitution"):
                self.nested(child)
            else:
                self.substitutions(child)

    def assign(self, node: Node) -> None:
        pair = self.assignment(node)
        if pair is None:
            return
        name, value = pair
        self.env[name] = value
        self.unknown.pop(name, None)
        self.origins.pop(name, None)
        self.assigned[name] = fallback_span(self.text, self.path, *self.range(node))

    def assignment(self, node: Node) -> tuple[str, LText] | None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return None
        start, end = self.range(name_node)
        name = self.text.text[start:end]
        self.substitutions(node)
        value_node = node.child_by_field_name("value")
        if name_node.type != "variable_name" or NAME.fullmatch(name) is None:
            return None  # `a[1]=x`: arrays are not tracked
        if self.text.text[end : end + 2] == "+=":
            return name, self.expander().symbol(start, self.range(node)[1], "$" + name)
        if value_node is None:
            return name, LText.plain("")
        if value_node.type == "array":
            return name, self.expander().symbol(*self.range(value_node), "$" + name)
        v_start, v_end = self.char(value_node.start_byte), self.range(node)[1]
        words = self.expander().words(v_start, v_end, split=False)
        if not words or words[0].source is None:
            return name, LText.plain("")
        return name, words[0].source

    def declaration(self, node: Node) -> None:
        keyword = node.children[0].type if node.children else ""
        for child in node.named_children:
            if child.type == "variable_assignment":
                if keyword in DECLARATIONS and keyword != "local":
                    self.assign(child)
                else:
                    pair = self.assignment(child)
                    if pair is not None:
                        start, end = self.range(child)
                        self.forget(pair[0], start, end)

    def conditional(self, found: Conditional) -> bool:
        """Walk `guard && . F` (or its `if` form) as sourced or as before; see parse_shell.
        False when the files are not known: the caller walks it as any other branch."""
        words = [self.expander().words(*self.range(n.named_children[-1])) for n in found.sources]
        if self.source is None or any(len(w) != 1 or w[0].dynamic for w in words):
            return False
        self.statement(found.guard)  # it runs either way
        names = [w[0].text for w in words]
        if all(self.source(name) is None for name in names):
            for node in found.sources:  # nothing to source: as before
                self.command(node, (), include=False)
            return True
        tested = {
            w.text
            for _, operand in tested_files(found.guard)
            for w in self.expander().words(*self.range(operand))
        }
        sourced = all(name in tested for name in names) or self.forks.take()
        for node in found.sources:
            self.command(node, (), include=sourced)
        return True

    def command(self, node: Node, extra: tuple[Node, ...], include: bool = True) -> None:
        assignments: list[tuple[str, LText]] = []
        argv: list[Node] = []
        for number, child in enumerate(node.children):
            if child.type == "variable_assignment":
                pair = self.assignment(child)
                if pair is not None:
                    assignments.append(pair)
            elif child.type == "command_name" or node.field_name_for_child(number) == "argument":
                argv.append(child)
            elif child.type in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                self.substitutions(child)
        argv.extend(extra)
        self.substitutions(node)
        words: list[Word] = []
        passthrough = False
        expander = self.expander()
        ranges: list[tuple[int, int]] = []
        for arg in argv:
            start, end = self.range(arg)
            if ranges and self.text.text[ranges[-1][1] : start] == "\\\n":
                start = ranges.pop()[0]  # tree-sitter splits `a\<newline>b`; bash does not
            ranges.append((start, end))
        for start, end in ranges:
            if self.text.text[start:end] in PASSTHROUGH:
                passthrough = True
                continue
            words.extend(expander.words(start, end))
        if words:
            search = self.env.get("PATH") or self.unknown.get("PATH")
            self.commands.append(Command(tuple(words), tuple(assignments), passthrough, search))
            if include:
                self.builtin(words)

    def builtin(self, words: list[Word]) -> None:
        """Builtins that change the environment: `source FILE`, `read X`."""
        head = words[0].text
        if head in (".", "source") and len(words) > 1:
            self.include(words[1])
        elif head in ("read", "mapfile", "readarray", "getopts", "printf"):
            for word in words[1:]:
                if NAME.fullmatch(word.text) and word.source is not None:
                    self.unknown[word.text] = LText.symbol(word.span, "$" + word.text)
                    self.env.pop(word.text, None)

    def include(self, word: Word) -> None:
        if word.dynamic or self.source is None or self.depth >= MAX_DEPTH:
            return
        text = self.source(word.text)
        if text is None:
            return
        sourced = _parse(
            text, self.path, dict(self.env), self.source, self.depth + 1, Forks(), self.room
        )
        for name, value in sourced.env.items():
            if self.env.get(name) is not value:
                self.env[name] = value
                self.unknown.pop(name, None)
                self.assigned.pop(name, None)
                if name in sourced.origins:
                    self.origins[name] = sourced.origins[name]
        self.errors.extend(sourced.errors)
