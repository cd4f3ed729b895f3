"""EPP templates: parsed as Puppet code in which text runs and `<%= %>` tags are statements."""

from __future__ import annotations

from dataclasses import dataclass

from driftlint.ltext import LText
from driftlint.model import Finding
from driftlint.parse.puppet.ast import Lit, Node, Param
from driftlint.parse.puppet.exprs import SyntaxProblem, describe
from driftlint.parse.puppet.lexer import Lexer, LexTooDeep, Tok
from driftlint.parse.puppet.parser import Parser
from driftlint.parse.puppet.strings import Source


@dataclass(frozen=True, slots=True)
class EppText(Node):
    """A run of template text, after `<%-`/`-%>` trimming and `<%%` unescaping."""

    value: LText


@dataclass(frozen=True, slots=True)
class EppOutput(Node):
    """`<%= expr %>`: the span covers the whole tag."""

    expr: Node


@dataclass(frozen=True, slots=True)
class EppTemplate:
    path: str
    params: tuple[Param, ...]
    body: tuple[Node, ...]
    errors: tuple[Finding, ...] = ()


class _EppParser(Parser):
    def special(self, tok: Tok) -> Node | None:
        if tok.kind == "TEXT":
            lit: Lit = tok.value
            return EppText(lit.span, lit.value)
        if tok.kind == "RENDER":
            expr = self.expr(0)
            self.expect("RENDEREND", "`%>`")
            return EppOutput(self.span(tok.start), expr)
        return super().special(tok)

    def template_params(self) -> tuple[Param, ...]:
        toks = self.toks
        i = self.i
        while toks[i].kind == "TEXT" and not toks[i].value.value.text.strip():
            i += 1
        if toks[i].kind != "EPPPARAMS":
            return ()
        self.i = i + 1
        try:
            self.expect("|")
            return self.params("|")
        except SyntaxProblem as problem:
            tok = problem.tok
            message = f"syntax error: unexpected {describe(tok)}; expected {problem.expected}"
            self.errors.append(self.src.error(tok.start, tok.end, message))
            while toks[self.i].kind not in ("TEXT", "EOF"):
                self.i += 1
            return ()


def parse_epp(text: str, path: str) -> EppTemplate:
    """Parse an EPP template; syntax errors become parse-error findings, never raised."""
    errors: list[Finding] = []
    src = Source(text, path)
    try:
        toks = Lexer(src, errors).epp()
    except LexTooDeep as deep:
        errors.append(src.error(deep.pos, deep.pos, deep.message()))
        return EppTemplate(path, (), (), tuple(sorted(errors)))
    parser = _EppParser(src, toks, errors)
    params = parser.template_params()
    body = parser.top()
    return EppTemplate(path, params, body, tuple(sorted(errors)))
