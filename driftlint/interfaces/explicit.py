"""Read an explicit interface spec (`*.interface.yaml`), checked key by key with positions.

Schema (every key optional except `options`/`positionals` content as shown)::

    script: jobloop                 # informative; the caller's name wins
    dialect: getopts                # docopt|getopts|getopt_long|argparse|optparse|manual
    bundling: true                  # any dialect flag overrides the dialect's default:
                                    # bundling, attached_values, long_equals, abbreviations,
                                    # interleaved, single_dash_long, accepts_unknown
    options:
      - names: [-t, --timeout]      # required: one spelling or a list
        value: true                 # takes a value (default false)
        optional_value: false       # value only when attached (`-t5`, `--timeout=5`)
        nargs: 1                    # value words; -1 is one or more
        choices: [a, b]
        repeatable: true
        required: false
        deprecated: "use -T"        # non-empty: deprecated, with this message
        replacement: -T             # the option to use instead (`check --fix` renames to it)
        help: "..."
    positionals:
      - {name: job_type, min: 0, max: 1, choices: [...]}   # max: null is unbounded
    subcommands:
      - {name: purge, aliases: [p], options: [...], positionals: [...]}
    removed:
      - {names: [-v], in: "2014-06-13", on: "2014-06-13", message: "...", replacement: ""}
    renamed:
      - {from: --whisper-path, to: --whisper-dir, in: "v2", message: "..."}

Errors (unknown keys with a suggestion, wrong types) are `parse-error` findings at the node.
"""

from __future__ import annotations

from typing import Any

import yaml

from driftlint.interfaces.common import (
    DIALECT_FLAGS,
    LineIndex,
    make_interface,
    parse_error,
    suggest,
)
from driftlint.model import DIALECTS, Finding, Interface, Option, Positional, Span

_FLAGS = tuple(DIALECT_FLAGS["docopt"])
_TOP = ("script", "dialect", "options", "positionals", "subcommands", "removed", "renamed", *_FLAGS)
_OPTION = (
    "names",
    "value",
    "optional_value",
    "nargs",
    "choices",
    "repeatable",
    "required",
    "deprecated",
    "replacement",
    "help",
)
_POSITIONAL = ("name", "min", "max", "choices")
_SUB = ("name", "aliases", "options", "positionals", "subcommands")
_REMOVED = ("names", "in", "on", "message", "replacement")
_RENAMED = ("from", "to", "in", "on", "message")

Node = yaml.Node


def looks_explicit(path: str, text: str) -> bool:
    return path.endswith((".interface.yaml", ".interface.yml"))


def read_explicit(path: str, text: str, script: str) -> Interface:
    index = LineIndex(text)
    reader = _Reader(path, index)
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = index.pos(mark.index) if mark is not None else (1, 1)
        span = Span(path, line, column, line, column + 1)
        return make_interface(
            script,
            "docopt",
            accepts_unknown=True,
            source=span,
            errors=(parse_error(span, f"interface spec is not YAML: {error}"),),
        )
    except (RecursionError, ValueError) as error:
        span = Span(path, 1, 1, 1, 2)
        return make_interface(
            script,
            "docopt",
            accepts_unknown=True,
            source=span,
            errors=(parse_error(span, f"interface spec is not YAML: {error}"),),
        )
    if root is None:
        span = Span(path, 1, 1, 1, 1)
        return make_interface(
            script, "docopt", source=span, errors=(parse_error(span, "interface spec is empty"),)
        )
    interface = reader.interface(root, script, _TOP, depth=0)
    return Interface(**{**_fields(interface), "errors": tuple(reader.errors)})


def _fields(interface: Interface) -> dict[str, Any]:
    return {name: getattr(interface, name) for name in Interface.__dataclass_fields__}


class _Reader:
    def __init__(self, path: str, index: LineIndex) -> None:
        self.path = path
        self.index = index  # marks count YAML's line breaks (a lone `\r`); spans count `\n`
        self.errors: list[Finding] = []

    def span(self, node: Node) -> Span:
        return self.index.span(self.path, node.start_mark.index, node.end_mark.index)

    def error(self, node: Node, message: str) -> None:
        self.errors.append(parse_error(self.span(node), message))

    def mapping(self, node: Node, keys: tuple[str, ...], what: str) -> dict[str, Node]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return {}
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name not in keys:
                hint = suggest(str(name), list(keys))
                self.error(key, f"unknown key `{name}` in {what}{hint}")
                continue
            out[name] = value
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.error(node, f"{what} must be a list")
        return []

    def scalar(self, node: Node | None, what: str, default: str = "") -> str:
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":null"):
                return default
            return str(node.value)
        self.error(node, f"{what} must be a string")
        return default

    def strings(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            return (str(node.value),)
        return tuple(self.scalar(item, what) for item in self.sequence(node, what))

    def boolean(self, node: Node | None, what: str, default: bool) -> bool:
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on", "y")
        self.error(node, f"{what} must be true or false")
        return default

    def integer(self, node: Node | None, what: str, default: int | None) -> int | None:
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
            try:
                return int(node.value, 0)
            except ValueError:
                pass
        self.error(node, f"{what} must be an integer")
        return default

    # records -------------------------------------------------------------------------------
    def interface(self, node: Node, script: str, keys: tuple[str, ...], depth: int) -> Interface:
        fields = self.mapping(node, keys, "the interface spec" if depth == 0 else "a subcommand")
        dialect = self.scalar(fields.get("dialect"), "dialect", "docopt")
        if dialect not in DIALECTS:
            hint = suggest(dialect, list(DIALECTS)) or f"; expected one of {', '.join(DIALECTS)}"
            self.error(fields["dialect"], f"unknown dialect `{dialect}`{hint}")
            dialect = "docopt"
        flags = {
            flag: self.boolean(fields.get(flag), flag, DIALECT_FLAGS[dialect][flag])
            for flag in _FLAGS
            if flag in fields
        }
        options = tuple(self.option(n) for n in self.sequence_of(fields, "options"))
        positionals = tuple(self.positional(n) for n in self.sequence_of(fields, "positionals"))
        subs: list[tuple[str, Interface]] = []
        for sub_node in self.sequence_of(fields, "subcommands"):
            if depth > 8:
                self.error(sub_node, "subcommands nest too deep")
                break
            sub_fields = self.mapping(sub_node, _SUB, "a subcommand")
            name = self.scalar(sub_fields.get("name"), "name")
            if not name:
                self.error(sub_node, "a subcommand needs a `name`")
                continue
            sub = self.interface(sub_node, f"{script} {name}", _SUB, depth + 1)
            sub = Interface(**{**_fields(sub), "dialect": dialect, **flags, "errors": ()})
            for alias in (name, *self.strings(sub_fields.get("aliases"), "aliases")):
                subs.append((alias, sub))
        removed = [self.removed(n) for n in self.sequence_of(fields, "removed")]
        removed += [self.renamed(n) for n in self.sequence_of(fields, "renamed")]
        return make_interface(
            script,
            dialect,
            options=tuple(o for o in options if o is not None),
            positionals=tuple(p for p in positionals if p is not None),
            subcommands=tuple(subs),
            removed=tuple(o for o in removed if o is not None),
            source=self.span(node),
            **flags,
        )

    def sequence_of(self, fields: dict[str, Node], key: str) -> list[Node]:
        node = fields.get(key)
        return [] if node is None else self.sequence(node, f"`{key}`")

    def option(self, node: Node) -> Option | None:
        fields = self.mapping(node, _OPTION, "an option")
        names = self.names(node, fields.get("names"))
        if not names:
            return None
        takes = self.boolean(fields.get("value"), "value", False)
        choices = self.strings(fields.get("choices"), "choices") if "choices" in fields else None
        return Option(
            names=names,
            takes_value=takes or choices is not None,
            optional_value=self.boolean(fields.get("optional_value"), "optional_value", False),
            nargs=self.integer(fields.get("nargs"), "nargs", 1) or 1,
            choices=choices,
            repeatable=self.boolean(fields.get("repeatable"), "repeatable", True),
            required=self.boolean(fields.get("required"), "required", False),
            deprecated=self.scalar(fields.get("deprecated"), "deprecated"),
            replacement=self.scalar(fields.get("replacement"), "replacement"),
            help=self.scalar(fields.get("help"), "help"),
            span=self.span(fields.get("names", node)),
            sources=frozenset({"spec"}),
        )

    def names(self, node: Node, names_node: Node | None) -> tuple[str, ...]:
        if names_node is None:
            self.error(node, "an option needs `names`")
            return ()
        names = self.strings(names_node, "names")
        bad = [n for n in names if not n.startswith("-") or n in ("-", "--")]
        if bad:
            self.error(names_node, f"option names start with `-`: {', '.join(map(repr, bad))}")
        return tuple(n for n in names if n not in bad)

    def positional(self, node: Node) -> Positional | None:
        fields = self.mapping(node, _POSITIONAL, "a positional")
        name = self.scalar(fields.get("name"), "name")
        if not name:
            self.error(node, "a positional needs a `name`")
            return None
        low = self.integer(fields.get("min"), "min", 1)
        high = self.integer(fields.get("max"), "max", 1) if "max" in fields else 1
        low = 0 if low is None else low
        if high is not None and high < low:
            self.error(fields.get("max", node), f"max ({high}) is below min ({low})")
            high = low
        choices = self.strings(fields.get("choices"), "choices") if "choices" in fields else None
        return Positional(name, low, high, choices, self.span(node))

    def removed(self, node: Node) -> Option | None:
        fields = self.mapping(node, _REMOVED, "a removed option")
        names = self.names(node, fields.get("names"))
        if not names:
            return None
        return Option(
            names=names,
            removed_in=self.scalar(fields.get("in"), "in"),
            removed_on=self.scalar(fields.get("on"), "on"),
            message=self.scalar(fields.get("message"), "message"),
            replacement=self.scalar(fields.get("replacement"), "replacement"),
            span=self.span(node),
            sources=frozenset({"spec"}),
        )

    def renamed(self, node: Node) -> Option | None:
        fields = self.mapping(node, _RENAMED, "a renamed option")
        old = self.names(node, fields.get("from"))
        new = self.scalar(fields.get("to"), "to")
        if not old:
            return None
        if not new:
            self.error(node, "a renamed option needs `to`")
        return Option(
            names=old,
            removed_in=self.scalar(fields.get("in"), "in"),
            removed_on=self.scalar(fields.get("on"), "on"),
            message=self.scalar(fields.get("message"), "message") or f"renamed to `{new}`",
            replacement=new,
            span=self.span(node),
            sources=frozenset({"spec"}),
        )
