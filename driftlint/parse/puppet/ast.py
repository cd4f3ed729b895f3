"""Puppet 7 syntax tree: what `parse_manifest` returns. Every node carries its span.

Node shapes follow the Puppet language reference; names are the reference's where it has one.
Statements and expressions share one `Node` base since Puppet makes most statements
expressions (`if`, `case`, resource declarations all have values).
"""

from __future__ import annotations

from dataclasses import dataclass

from driftlint.ltext import LText
from driftlint.model import Finding, Span, fast_pickling


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


# --- literals and names ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Lit(Node):
    """A literal run of a string's value, with escapes already processed.

    `value` locates every character of the value where it is written: `\\"` in source is one
    character of the value whose location is the backslash.
    """

    value: LText


@dataclass(frozen=True, slots=True)
class Interp(Node):
    """`${expr}` or `$var` inside a double-quoted string or an interpolating heredoc."""

    expr: Node


@dataclass(frozen=True, slots=True)
class Str(Node):
    """A single- or double-quoted string or a heredoc; parts are Lit and Interp in order."""

    parts: tuple[Lit | Interp, ...]
    quote: str = '"'  # "'" , '"' or "@" for a heredoc
    syntax: str = ""  # a heredoc's syntax tag (`@("END":sh)` → "sh")


@dataclass(frozen=True, slots=True)
class Num(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Undef(Node):
    pass


@dataclass(frozen=True, slots=True)
class Default(Node):
    pass


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare word: `present`, `foo::bar`, a function name, a keyword-like value."""

    text: str


@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    """A capitalised name: `File`, `Class`, `Stdlib::Absolutepath`."""

    text: str


@dataclass(frozen=True, slots=True)
class Var(Node):
    """`$x`, `$::x`, `$a::b`; `name` has no `$` and no leading `::`."""

    name: str
    top: bool = False  # written with a leading `::`


@dataclass(frozen=True, slots=True)
class Regex(Node):
    pattern: str


# --- collections and operators ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Array(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Hash(Node):
    pairs: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True, slots=True)
class Access(Node):
    """`$x[0]`, `$h['k']`, `Type[String]`."""

    target: Node
    keys: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    """`+ - * / % << >> == != =~ !~ < > <= >= and or in -> ~> <- <~`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class UnaryOp(Node):
    """`!x`, `-x`, `*x` (splat)."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Selector(Node):
    """`$x ? { 'a' => 1, default => 2 }`."""

    subject: Node
    cases: tuple[tuple[Node, Node], ...]


# --- calls ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Param(Node):
    """A class, define, lambda or function parameter: `Type $name = default`."""

    name: str
    type: Node | None = None
    default: Node | None = None
    captures_rest: bool = False  # `*$rest`


@dataclass(frozen=True, slots=True)
class Lambda(Node):
    params: tuple[Param, ...]
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A prefix function call: `join($a, ' ')`, and statement calls without parentheses:
    `include foo, bar`, `require x`, `contain x`, `notice 'x'`."""

    name: str
    args: tuple[Node, ...]
    lambda_: Lambda | None = None
    parens: bool = True


@dataclass(frozen=True, slots=True)
class MethodCall(Node):
    """`$x.each |$y| { }`, `$a.join(' ')`, `[1,2].map |$x| { }`."""

    receiver: Node
    name: str
    args: tuple[Node, ...]
    lambda_: Lambda | None = None


# --- control flow -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class If(Node):
    """`if`/`elsif`/`else`; `unless` has negate=True (and no elsif)."""

    condition: Node
    then: tuple[Node, ...]
    else_: tuple[Node, ...] = ()  # an `elsif` is an If alone in else_
    negate: bool = False


@dataclass(frozen=True, slots=True)
class CaseBranch(Node):
    matches: tuple[Node, ...]  # `default` is a Default node
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Case(Node):
    subject: Node
    branches: tuple[CaseBranch, ...]


@dataclass(frozen=True, slots=True)
class Assign(Node):
    """`$x = value`, also `[$a, $b] = [1, 2]` (target is then an Array of Var)."""

    target: Node
    value: Node


# --- resources --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attr(Node):
    """`name => value`, `name +> value`, or `* => $hash` (name is "*")."""

    name: str
    value: Node
    op: str = "=>"
    name_span: Span | None = None


@dataclass(frozen=True, slots=True)
class ResourceBody(Node):
    title: Node  # a string, an array of titles, or `default`
    attrs: tuple[Attr, ...]


@dataclass(frozen=True, slots=True)
class Resource(Node):
    """`exec { 'x': command => ... }`; also `class { 'foo': p => 1 }` (type "class")
    and define instances (`mediawiki::jobrunner { 'x': }`). `type` is lower-cased."""

    type: str
    bodies: tuple[ResourceBody, ...]
    virtual: str = ""  # "@" virtual, "@@" exported


@dataclass(frozen=True, slots=True)
class ResourceDefaults(Node):
    """`Exec { path => '/bin' }`."""

    type: str
    attrs: tuple[Attr, ...]


@dataclass(frozen=True, slots=True)
class ResourceOverride(Node):
    """`File['/x'] { mode => '0644' }`, `Service <| |> { }` overrides."""

    target: Node
    attrs: tuple[Attr, ...]


@dataclass(frozen=True, slots=True)
class Collector(Node):
    """`User <| title == 'x' |>`, `@@` exported form `<<| |>>`."""

    type: str
    query: Node | None
    exported: bool = False


# --- definitions ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClassDef(Node):
    name: str  # fully qualified, no leading `::`
    params: tuple[Param, ...]
    body: tuple[Node, ...]
    parent: str = ""  # `inherits x`


@dataclass(frozen=True, slots=True)
class DefineDef(Node):
    name: str
    params: tuple[Param, ...]
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NodeDef(Node):
    """`node 'a', /re/, default { }`."""

    matches: tuple[Node, ...]  # Str, Regex, Default or Name nodes
    body: tuple[Node, ...]
    parent: str = ""


@dataclass(frozen=True, slots=True)
class FunctionDef(Node):
    name: str
    params: tuple[Param, ...]
    body: tuple[Node, ...]
    return_type: Node | None = None


@dataclass(frozen=True, slots=True)
class TypeAlias(Node):
    name: str
    value: Node


@dataclass(frozen=True, slots=True)
class Block(Node):
    """A parenthesised expression or any other grouping that keeps a span."""

    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    path: str
    body: tuple[Node, ...]
    errors: tuple[Finding, ...] = ()  # parse-error findings; body holds what parsed


fast_pickling(globals())
