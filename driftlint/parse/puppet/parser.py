"""Puppet 7 statements, resources and definitions; `parse_manifest` never raises."""

from __future__ import annotations

from driftlint.model import Finding
from driftlint.parse.puppet.ast import (
    Attr,
    Call,
    Case,
    CaseBranch,
    ClassDef,
    Collector,
    Default,
    DefineDef,
    FunctionDef,
    If,
    Lit,
    Manifest,
    Name,
    Node,
    NodeDef,
    Param,
    Regex,
    Resource,
    ResourceBody,
    ResourceDefaults,
    ResourceOverride,
    TypeAlias,
    TypeRef,
)
from driftlint.parse.puppet.exprs import (
    TYPE_BP,
    ExprParser,
    SyntaxProblem,
    TooDeep,
    describe,
)
from driftlint.parse.puppet.lexer import KEYWORDS, MAX_NESTING, Lexer, LexTooDeep, Tok
from driftlint.parse.puppet.strings import Source

# Names Puppet calls without parentheses at statement level (Factory::STATEMENT_CALLS).
STATEMENT_CALLS = frozenset(
    ("require", "realize", "include", "contain", "tag", "debug", "info", "notice", "warning")
) | {"err", "fail", "import", "break", "next", "return"}
# Tokens that can start the first argument of such a call.
_ARG_START = frozenset(
    ("NAME", "CREF", "VAR", "NUM", "STR", "REGEX", "[", "true", "false", "undef", "default")
) | {"-", "!", "*", "class"}
_ATTR_OPS = ("=>", "+>")


class Parser(ExprParser):
    # --- statements ---------------------------------------------------------------------
    def statements(self, close: str) -> tuple[Node, ...]:
        out: list[Node] = []
        toks = self.toks
        while toks[self.i].kind not in (close, "EOF"):
            out.append(self.statement())
            while toks[self.i].kind == ";":
                self.i += 1
        return tuple(out)

    def top(self) -> tuple[Node, ...]:
        """Top-level statements; a syntax error skips to the next line-leading statement."""
        out: list[Node] = []
        toks = self.toks
        while toks[self.i].kind != "EOF":
            begin = self.i
            try:
                out.append(self.statement())
                while toks[self.i].kind == ";":
                    self.i += 1
            except SyntaxProblem as problem:
                tok = problem.tok
                message = (
                    problem.message()
                    if isinstance(problem, TooDeep)
                    else f"syntax error: unexpected {describe(tok)}; expected {problem.expected}"
                )
                self.errors.append(self.src.error(tok.start, tok.end, message))
                self.depth, self.nobrace = 0, False
                self.recover(begin, tok)
        return tuple(out)

    def recover(self, begin: int, bad: Tok) -> None:
        toks = self.toks
        i = max(begin + 1, self.i)
        while toks[i].start < bad.start:
            i += 1
        if i == begin:
            i += 1
        while toks[i].kind != "EOF" and self.src.column(toks[i].start) != 1:
            i += 1
        self.i = i

    def statement(self) -> Node:
        tok = self.toks[self.i]
        kind = tok.kind
        nxt = self.peek(1)
        if kind == "class" and nxt.kind == "NAME":
            return self.class_def()
        if kind == "define":
            return self.define_def()
        if kind == "node":
            return self.node_def()
        if kind == "function" and nxt.kind == "NAME":
            return self.function_def()
        if kind == "NAME":
            if tok.value == "type" and nxt.kind == "CREF":
                return self.type_alias()
            if tok.value in STATEMENT_CALLS and (
                nxt.kind in _ARG_START or (nxt.kind == "(" and nxt.ws)
            ):
                self.i += 1
                args = [self.expr(0)]
                while self.toks[self.i].kind == ",":
                    self.i += 1
                    args.append(self.expr(0))
                return Call(self.span(tok.start), tok.value, tuple(args), None, False)
        return self.expr(0)

    def block(self) -> tuple[Node, ...]:
        if self.depth >= MAX_NESTING:
            raise TooDeep(self.toks[self.i])
        saved, self.nobrace = self.nobrace, False
        self.depth += 1
        try:
            self.expect("{")
            body = self.statements("}")
            self.expect("}", "`}`")
        finally:
            self.depth -= 1
        self.nobrace = saved
        return body

    def condition(self) -> Node:
        saved, self.nobrace = self.nobrace, True
        node = self.expr(1)  # Puppet's `if` takes an expression, not an assignment
        self.nobrace = saved
        return node

    # --- keyword expressions ------------------------------------------------------------
    def special(self, tok: Tok) -> Node | None:
        kind = tok.kind
        if kind == "if":
            return self.if_(tok)
        if kind == "unless":
            condition = self.condition()
            then = self.block()
            else_: tuple[Node, ...] = ()
            if self.toks[self.i].kind == "else":
                self.i += 1
                else_ = self.block()
            return If(self.span(tok.start), condition, then, else_, True)
        if kind == "case":
            return self.case(tok)
        return None

    def if_(self, tok: Tok) -> If:
        condition = self.condition()
        then = self.block()
        else_: tuple[Node, ...] = ()
        nxt = self.toks[self.i]
        if nxt.kind == "elsif":  # an `If` in the else branch: one level deeper
            if self.depth >= MAX_NESTING:
                raise TooDeep(nxt)
            self.i += 1
            self.depth += 1
            try:
                else_ = (self.if_(nxt),)
            finally:
                self.depth -= 1
        elif nxt.kind == "else":
            self.i += 1
            else_ = self.block()
        return If(self.span(tok.start), condition, then, else_)

    def case(self, tok: Tok) -> Case:
        subject = self.condition()
        self.expect("{")
        branches: list[CaseBranch] = []
        while self.toks[self.i].kind != "}":
            start = self.toks[self.i].start
            matches = [self.expr(0)]
            while self.toks[self.i].kind == ",":
                self.i += 1
                if self.toks[self.i].kind == ":":
                    break
                matches.append(self.expr(0))
            self.expect(":", "`:` or `,`")
            body = self.block()
            branches.append(CaseBranch(self.span(start), tuple(matches), body))
        self.expect("}")
        return Case(self.span(tok.start), subject, tuple(branches))

    # --- resources ----------------------------------------------------------------------
    def cref(self, tok: Tok) -> Node:
        nxt = self.toks[self.i]
        if nxt.kind == "(" and not nxt.ws:
            return self.call(tok, tok.value)
        if nxt.kind in ("<|", "<<|"):
            return self.collector(tok)
        if nxt.kind == "{" and not self.nobrace:
            return self.resource(tok.start, tok.value)
        return TypeRef(self.span(tok.start), tok.value)

    def access(self, target: Node) -> Node:
        node = super().access(target)
        if isinstance(target, TypeRef) and self.toks[self.i].kind == "{" and not self.nobrace:
            attrs = self.attr_block()
            return ResourceOverride(self.span_from(node.span), node, attrs)
        return node

    def collector(self, tok: Tok) -> Node:
        exported = self.next().kind == "<<|"
        close = "|>>" if exported else "|>"
        query: Node | None = None
        if self.toks[self.i].kind != close:
            saved, self.nobrace = self.nobrace, False
            query = self.expr(0)
            self.nobrace = saved
        self.expect(close)
        node = Collector(self.span(tok.start), tok.value.lower(), query, exported)
        if self.toks[self.i].kind == "{" and not self.nobrace:
            return ResourceOverride(self.span(tok.start), node, self.attr_block())
        return node

    def virtual(self, tok: Tok) -> Node:
        nxt = self.next()
        if nxt.kind in ("NAME", "CREF", "class") and self.toks[self.i].kind == "{":
            return self.resource(tok.start, nxt.value, tok.kind)
        self.i -= 1
        raise SyntaxProblem(nxt, "a resource type")

    def at_attr(self) -> bool:
        tok = self.toks[self.i]
        return (tok.kind in ("NAME", "*") or tok.kind in KEYWORDS) and self.peek(
            1
        ).kind in _ATTR_OPS

    def attrs(self) -> tuple[Attr, ...]:
        out: list[Attr] = []
        while self.at_attr():
            name = self.next()
            op = self.next().kind
            value = self.expr(0)
            name_span = self.src.span(name.start, name.end)
            out.append(Attr(self.span(name.start), name.value, value, op, name_span))
            if self.toks[self.i].kind != ",":
                break
            self.i += 1
        return tuple(out)

    def attr_block(self) -> tuple[Attr, ...]:
        saved, self.nobrace = self.nobrace, False
        self.expect("{")
        attrs = self.attrs()
        self.expect("}", "an attribute or `}`")
        self.nobrace = saved
        return attrs

    def resource(self, start: int, type_name: str, virtual: str = "") -> Node:
        saved, self.nobrace = self.nobrace, False
        self.expect("{")
        if self.at_attr():
            attrs = self.attrs()
            self.expect("}", "an attribute or `}`")
            self.nobrace = saved
            return ResourceDefaults(self.span(start), type_name.lower(), attrs)
        bodies: list[ResourceBody] = []
        while self.toks[self.i].kind != "}":
            body_start = self.toks[self.i].start
            title = self.expr(0)
            self.expect(":", "`:` after a resource title")
            if self.toks[self.i].kind == ",":
                self.i += 1  # Puppet accepts `'title':, attr => 1`
            attrs = self.attrs()
            bodies.append(ResourceBody(self.span(body_start), title, attrs))
            if self.toks[self.i].kind != ";":
                break
            self.i += 1
        self.expect("}", "`,`, `;` or `}`")
        self.nobrace = saved
        return Resource(self.span(start), type_name.lower(), tuple(bodies), virtual)

    # --- definitions --------------------------------------------------------------------
    def head_params(self) -> tuple[Param, ...]:
        if self.toks[self.i].kind != "(":
            return ()
        self.i += 1
        return self.params(")")

    def class_def(self) -> ClassDef:
        start = self.next().start
        name = self.next().value
        params = self.head_params()
        parent = ""
        if self.toks[self.i].kind == "inherits":
            self.i += 1
            tok = self.next()
            if tok.kind not in ("NAME", "CREF", "default"):
                self.i -= 1
                raise SyntaxProblem(tok, "a class name")
            parent = tok.value.lstrip(":")
        body = self.block()
        return ClassDef(self.span(start), name.lstrip(":"), params, body, parent)

    def define_def(self) -> DefineDef:
        start = self.next().start
        tok = self.expect("NAME", "a define name")
        params = self.head_params()
        body = self.block()
        return DefineDef(self.span(start), tok.value.lstrip(":"), params, body)

    def node_def(self) -> NodeDef:
        start = self.next().start
        matches: list[Node] = []
        while True:
            tok = self.next()
            if tok.kind == "STR":
                matches.append(self.string(tok))
            elif tok.kind == "REGEX":
                matches.append(Regex(self.span(tok.start), tok.value))
            elif tok.kind == "default":
                matches.append(Default(self.span(tok.start)))
            elif tok.kind in ("NAME", "NUM"):
                # an unquoted host name: `node web1.example.com`
                while self.toks[self.i].start == self.end() and self.toks[self.i].kind in (
                    "NAME",
                    "NUM",
                    ".",
                ):
                    self.i += 1
                matches.append(Name(self.span(tok.start), self.src.text[tok.start : self.end()]))
            else:
                self.i -= 1
                raise SyntaxProblem(tok, "a node name")
            if self.toks[self.i].kind != ",":
                break
            self.i += 1
            if self.toks[self.i].kind in ("{", "inherits"):
                break
        parent = ""
        if self.toks[self.i].kind == "inherits":
            self.i += 1
            tok = self.next()
            if tok.kind == "STR":
                parent = "".join(p.value.text for p in tok.value[2] if isinstance(p, Lit))
            else:
                parent = str(tok.value)
        body = self.block()
        return NodeDef(self.span(start), tuple(matches), body, parent)

    def function_def(self) -> FunctionDef:
        start = self.next().start
        name = self.next().value
        params = self.head_params()
        return_type: Node | None = None
        if self.toks[self.i].kind == ">>":
            self.i += 1
            saved, self.nobrace = self.nobrace, True
            return_type = self.expr(TYPE_BP)
            self.nobrace = saved
        body = self.block()
        return FunctionDef(self.span(start), name.lstrip(":"), params, body, return_type)

    def type_alias(self) -> TypeAlias:
        start = self.next().start
        name = self.next().value
        self.expect("=")
        value = self.expr(1)
        return TypeAlias(self.span(start), name, value)


def parse_manifest(text: str, path: str, puppet3: bool = True) -> Manifest:
    """Parse a Puppet 7 manifest; syntax errors become parse-error findings, never raised.

    A manifest Puppet 7 refuses is read again as Puppet 3 (bare words such as `7d`, names
    with segments that start with a digit, `File ['/x']`): trees of that era still hold them,
    and a manifest that does not parse hides its calls (issue #14). Puppet 7's errors stand
    when Puppet 3 refuses it too. `puppet3` False reads Puppet 7 only."""
    found = _parse(text, path, puppet3=False)
    if not found.errors or not puppet3:
        return found
    old = _parse(text, path, puppet3=True)
    return found if old.errors else old


def _parse(text: str, path: str, puppet3: bool) -> Manifest:
    errors: list[Finding] = []
    src = Source(text, path)
    try:
        toks = Lexer(src, errors, puppet3).tokens()
    except LexTooDeep as deep:
        errors.append(src.error(deep.pos, deep.pos, deep.message()))
        return Manifest(path, (), tuple(sorted(errors)))
    body = Parser(src, toks, errors).top()
    return Manifest(path, body, tuple(sorted(errors)))
