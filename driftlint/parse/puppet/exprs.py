"""Puppet 7 expressions: a Pratt parser over the lexer's tokens, with Puppet's precedence."""

from __future__ import annotations

from driftlint.model import Finding, Span
from driftlint.parse.puppet.ast import (
    Access,
    Array,
    Assign,
    BinOp,
    Block,
    Bool,
    Call,
    Default,
    Hash,
    Interp,
    Lambda,
    Lit,
    MethodCall,
    Name,
    Node,
    Num,
    Param,
    Regex,
    Selector,
    Str,
    UnaryOp,
    Undef,
    Var,
)
from driftlint.parse.puppet.lexer import KEYWORDS, MAX_NESTING, Tok
from driftlint.parse.puppet.strings import RawInterp, Source

# A chain like `1 + 1 + ... + 1` nests one node per operator, and every reader of the tree
# recurses on it: past this many (500 overflowed the evaluator and lost the whole class, issue
# 30) the chain is a parse error at the operator and its value unknown.
MAX_CHAIN = 100

# Left binding powers, loosest first; Puppet's egrammar.ra puts `==` below `<<` and the
# comparisons below `==`, and relationship edges above assignment.
LBP = {
    "=": 1,
    "+=": 1,
    "-=": 1,
    "->": 3,
    "~>": 3,
    "<-": 3,
    "<~": 3,
    "or": 10,
    "and": 20,
    "?": 25,
    "<": 30,
    ">": 30,
    "<=": 30,
    ">=": 30,
    "==": 40,
    "!=": 40,
    "<<": 50,
    ">>": 50,
    "+": 60,
    "-": 60,
    "*": 70,
    "/": 70,
    "%": 70,
    "=~": 80,
    "!~": 80,
    "in": 90,
    "[": 110,
    ".": 120,
}
PREFIX_BP = 100
_EXPRESSION_KEYWORDS = frozenset(("if", "unless", "case", "true", "false", "undef", "default"))
TYPE_BP = 105  # a type in a parameter list: a primary and its `[...]` accesses

_DESCRIBE = {"EOF": "end of file", "TEXT": "template text", "RENDEREND": "`%>`"}


class SyntaxProblem(Exception):
    def __init__(self, tok: Tok, expected: str) -> None:
        super().__init__(expected)
        self.tok = tok
        self.expected = expected


class TooDeep(SyntaxProblem):
    """Nesting past MAX_NESTING at `tok`."""

    def __init__(self, tok: Tok) -> None:
        super().__init__(tok, f"at most {MAX_NESTING} levels of nesting")

    def message(self) -> str:
        return f"syntax error: nested more than {MAX_NESTING} levels deep"


def describe(tok: Tok) -> str:
    if tok.kind in _DESCRIBE:
        return _DESCRIBE[tok.kind]
    if tok.kind == "STR":
        return "a string"
    if tok.kind in ("NAME", "CREF", "NUM"):
        return f"`{tok.value}`"
    if tok.kind == "VAR":
        return f"`${tok.value}`"
    return f"`{tok.kind}`" if tok.kind != "REGEX" else "a regex"


class ExprParser:
    def __init__(self, src: Source, toks: list[Tok], errors: list[Finding]) -> None:
        self.src = src
        self.toks = toks
        self.i = 0
        self.errors = errors
        self.nobrace = False  # in an `if`/`case` head a `{` ends the expression
        self.depth = 0  # expressions and blocks open around the current token (MAX_NESTING)

    # --- token helpers ------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def next(self) -> Tok:
        tok = self.toks[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def expect(self, kind: str, expected: str = "") -> Tok:
        tok = self.toks[self.i]
        if tok.kind != kind:
            raise SyntaxProblem(tok, expected or f"`{kind}`")
        self.i += 1
        return tok

    def end(self) -> int:
        """The offset after the last token taken."""
        return self.toks[self.i - 1].end if self.i else 0

    def span(self, start: int) -> Span:
        return self.src.span(start, self.end())

    def span_from(self, first: Span) -> Span:
        line, column = self.src.loc(self.end())
        return Span(first.path, first.line, first.column, line, column)

    # --- expressions --------------------------------------------------------------------
    def expr(self, rbp: int = 0) -> Node:
        if self.depth >= MAX_NESTING:
            raise TooDeep(self.toks[self.i])
        self.depth += 1
        try:
            return self._expr(rbp)
        finally:
            self.depth -= 1

    def _expr(self, rbp: int) -> Node:
        left = self.nud()
        toks = self.toks
        chain = 0  # operators applied in a row to `left`: each one level deeper
        while True:
            tok = toks[self.i]
            kind = tok.kind
            bp = LBP.get(kind)
            if bp is None or bp <= rbp:
                if chain > MAX_CHAIN:  # as deep as it is long: its value is not computed
                    return Call(left.span, "(expression too long)", ())
                return left
            chain += 1
            if chain == MAX_CHAIN + 1:
                self.errors.append(
                    self.src.error(
                        tok.start,
                        tok.end,
                        f"syntax error: more than {MAX_CHAIN} operators in a row;"
                        " the expression's value is unknown",
                    )
                )
            if kind == "[":
                if tok.ws:
                    return left  # `$x [1]` is a new array, not an access (LISTSTART)
                left = self.access(left)
            elif kind == ".":
                left = self.method(left)
            elif kind == "?":
                left = self.selector(left)
            elif bp == 1:
                self.i += 1
                value = self.expr(0)  # assignment is right-associative
                if kind == "=":
                    left = Assign(self.span_from(left.span), left, value)
                else:
                    left = BinOp(self.span_from(left.span), kind, left, value)
            else:
                self.i += 1
                right = self.expr(bp)
                left = BinOp(self.span_from(left.span), kind, left, right)

    def nud(self) -> Node:
        tok = self.next()
        kind = tok.kind
        start = tok.start
        if kind == "VAR":
            name = tok.value
            top = name.startswith("::")
            return Var(self.span(start), name[2:] if top else name, top)
        if kind == "STR":
            return self.string(tok)
        if kind == "NAME":
            nxt = self.toks[self.i]
            if nxt.kind == "(" and not nxt.ws:
                return self.call(tok, tok.value)
            if nxt.kind == "{" and not self.nobrace:
                return self.resource(tok.start, tok.value)
            return Name(self.span(start), tok.value)
        if kind == "CREF":
            return self.cref(tok)
        if kind == "NUM":
            return Num(self.span(start), tok.value)
        if kind in ("true", "false"):
            return Bool(self.span(start), kind == "true")
        if kind == "undef":
            return Undef(self.span(start))
        if kind == "default":
            return Default(self.span(start))
        if kind == "[":
            items = self.items("]")
            return Array(self.span(start), items)
        if kind == "{":
            return self.hash(start)
        if kind == "(":
            saved, self.nobrace = self.nobrace, False
            inner = self.expr(0)
            self.expect(")")
            self.nobrace = saved
            return Block(self.span(start), (inner,))
        if kind in ("-", "!", "*"):
            operand = self.expr(PREFIX_BP)
            return UnaryOp(self.span(start), kind, operand)
        if kind == "REGEX":
            return Regex(self.span(start), tok.value)
        if kind in ("@", "@@"):
            return self.virtual(tok)
        if kind == "class" and self.peek().kind == "{" and not self.nobrace:
            return self.resource(start, "class")
        if kind in KEYWORDS and self.peek().kind in ("=>", "+>"):
            return Name(self.span(start), tok.value)  # a keyword as a hash key
        node = self.special(tok)
        if node is not None:
            return node
        if kind != "EOF":
            self.i -= 1
        raise SyntaxProblem(tok, "an expression")

    # --- hooks the statement parser fills in ----------------------------------------------
    def special(self, tok: Tok) -> Node | None:
        return None  # keyword expressions and template parts

    def resource(self, start: int, type_name: str, virtual: str = "") -> Node:
        raise NotImplementedError

    def cref(self, tok: Tok) -> Node:
        raise NotImplementedError

    def virtual(self, tok: Tok) -> Node:
        raise NotImplementedError

    def block(self) -> tuple[Node, ...]:
        raise NotImplementedError

    # --- pieces -------------------------------------------------------------------------
    def items(self, close: str) -> tuple[Node, ...]:
        """Comma-separated expressions up to `close`, a trailing comma allowed."""
        saved, self.nobrace = self.nobrace, False
        out: list[Node] = []
        toks = self.toks
        while toks[self.i].kind != close:
            item = self.expr(0)
            if toks[self.i].kind == "=>":
                item = self.bare_hash(item)
            out.append(item)
            if toks[self.i].kind != ",":
                break
            self.i += 1
        self.expect(close, f"`,` or `{close}`")
        self.nobrace = saved
        return tuple(out)

    def bare_hash(self, key: Node) -> Hash:
        """`f(a, k => v, k2 => v2)`, `[k => v]`: pairs without braces make one hash."""
        toks = self.toks
        pairs: list[tuple[Node, Node]] = []
        while True:
            self.expect("=>")
            pairs.append((key, self.expr(0)))
            if toks[self.i].kind != ",":
                break
            mark = self.i
            self.i += 1
            if toks[self.i].kind in (")", "]"):
                self.i = mark
                break
            key = self.expr(0)
            if toks[self.i].kind != "=>":
                self.i = mark  # a positional item follows the pairs
                break
        return Hash(self.span_from(pairs[0][0].span), tuple(pairs))

    def pairs(self, close: str) -> tuple[tuple[Node, Node], ...]:
        saved, self.nobrace = self.nobrace, False
        out: list[tuple[Node, Node]] = []
        while self.toks[self.i].kind != close:
            key = self.expr(0)
            self.expect("=>")
            out.append((key, self.expr(0)))
            if self.toks[self.i].kind != ",":
                break
            self.i += 1
        self.expect(close, f"`,` or `{close}`")
        self.nobrace = saved
        return tuple(out)

    def hash(self, start: int) -> Hash:
        return Hash(self.span(start), self.pairs("}"))

    def access(self, target: Node) -> Node:
        self.i += 1
        keys = self.items("]")
        return Access(self.span_from(target.span), target, keys)

    def selector(self, subject: Node) -> Selector:
        self.i += 1
        if self.toks[self.i].kind != "{":
            # `$x ? y => z`: one option without braces (Puppet's `selector_entries`).
            match = self.expr(LBP["?"])
            self.expect("=>")
            result = self.expr(LBP["?"])
            return Selector(self.span_from(subject.span), subject, ((match, result),))
        self.expect("{")
        cases = self.pairs("}")
        return Selector(self.span_from(subject.span), subject, cases)

    def call(self, tok: Tok, name: str) -> Call:
        self.i += 1  # the `(`
        args = self.items(")")
        lambda_ = self.lambda_()
        return Call(self.span(tok.start), name, args, lambda_, True)

    def method(self, receiver: Node) -> MethodCall:
        self.i += 1
        tok = self.next()
        if tok.kind not in ("NAME", "CREF") and tok.kind not in KEYWORDS:
            self.i -= 1
            raise SyntaxProblem(tok, "a method name")
        args: tuple[Node, ...] = ()
        nxt = self.toks[self.i]
        if nxt.kind == "(" and not nxt.ws:
            self.i += 1
            args = self.items(")")
        lambda_ = self.lambda_()
        return MethodCall(self.span_from(receiver.span), receiver, tok.value, args, lambda_)

    def lambda_(self) -> Lambda | None:
        tok = self.toks[self.i]
        if tok.kind != "|":
            return None
        self.i += 1
        params = self.params("|")
        body = self.block()
        return Lambda(self.span(tok.start), params, body)

    def params(self, close: str) -> tuple[Param, ...]:
        saved, self.nobrace = self.nobrace, False
        out: list[Param] = []
        while self.toks[self.i].kind != close:
            out.append(self.param())
            if self.toks[self.i].kind != ",":
                break
            self.i += 1
        self.expect(close, f"`,` or `{close}`")
        self.nobrace = saved
        return tuple(out)

    def param(self) -> Param:
        start = self.toks[self.i].start
        type_: Node | None = None
        if self.toks[self.i].kind not in ("VAR", "*"):
            type_ = self.expr(TYPE_BP)
        rest = False
        if self.toks[self.i].kind == "*":
            self.i += 1
            rest = True
        var = self.expect("VAR", "a parameter `$name`")
        default: Node | None = None
        if self.toks[self.i].kind == "=":
            self.i += 1
            default = self.expr(1)
        return Param(self.span(start), var.value.lstrip(":"), type_, default, rest)

    # --- strings ------------------------------------------------------------------------
    def string(self, tok: Tok) -> Str:
        quote, syntax, raw = tok.value
        parts: list[Lit | Interp] = []
        for part in raw:
            parts.append(self.interpolation(part) if isinstance(part, RawInterp) else part)
        return Str(self.src.span(tok.start, tok.end), tuple(parts), quote, syntax)

    def interpolation(self, raw: RawInterp) -> Interp:
        end = raw.end - 1 if raw.end > raw.start + 2 else raw.end
        toks = [*raw.toks, Tok("EOF", None, end, end, True)]
        first = toks[0]
        if first.kind in KEYWORDS and (
            first.kind not in _EXPRESSION_KEYWORDS or toks[1].kind in ("EOF", "[", ".")
        ):
            toks[0] = Tok("NAME", first.value, first.start, first.end, first.ws)  # `${class}`
        sub = type(self)(self.src, toks, self.errors)
        sub.depth = self.depth
        expr = sub.expr(0)
        if sub.peek().kind != "EOF":
            raise SyntaxProblem(sub.peek(), "`}`")
        return Interp(self.src.span(raw.start, raw.end), as_variable(expr))


def as_variable(expr: Node) -> Node:
    """Inside `${}` a leading bare name is a variable: `${x[0]}` is `$x[0]`."""
    if isinstance(expr, Name):
        top = expr.text.startswith("::")
        return Var(expr.span, expr.text[2:] if top else expr.text, top)
    if isinstance(expr, Num) and expr.text.isdigit():
        return Var(expr.span, expr.text)  # `${1}`: a regex capture
    if isinstance(expr, Access):
        return Access(expr.span, as_variable(expr.target), expr.keys)
    if isinstance(expr, MethodCall):
        return MethodCall(expr.span, as_variable(expr.receiver), expr.name, expr.args, expr.lambda_)
    return expr
