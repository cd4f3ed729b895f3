"""ERB templates rendered for one role's values, safely: a small Ruby subset, never Ruby itself.

Text outside tags keeps its place in the template; values keep the place they were written
(a role's manifest, a Hiera file). Evaluated: `@x`, `scope['x']`, `scope.lookupvar('x')`,
string and number literals, `.join(sep)`, `.to_s`, `.strip`, `if/elsif/else/unless/end` with
`!`, `.nil?`, `.empty?`, `==`, `!=`, and `.each do |v|` over a known array. Anything else is
unknown: an output tag becomes a symbolic piece located at the tag, and a condition that cannot
be told forks the rendering (bounded by `limit`), each fork recording what it assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.values import Scope, Unknown, Value, to_text

TAG = re.compile(r"<%(?P<kind>%|#|=|-)?(?P<code>.*?)(?P<trim>-?)%>", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Rendering:
    text: LText
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Tag:
    kind: str  # "=", "code", "#"
    code: str
    span: Span


_Item = LText | _Tag


def _lines(text: str) -> list[int]:
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n":
            starts.append(i + 1)
    return starts


def _pos(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def _split(text: str, path: str) -> list[_Item]:
    starts = _lines(text)
    items: list[_Item] = []
    pos = 0
    trim_next = False
    for match in TAG.finditer(text):
        chunk_start, chunk = pos, text[pos : match.start()]
        if trim_next and chunk.startswith("\n"):
            chunk, chunk_start = chunk[1:], chunk_start + 1
        kind = match.group("kind") or ""
        if kind == "-":  # `<%-` removes the indentation before the tag
            stripped = chunk.rstrip(" \t")
            if stripped.endswith("\n") or stripped == "":
                chunk = stripped
        if chunk:
            line, column = _pos(starts, chunk_start)
            items.append(LText.literal(chunk, path, line, column))
        line, column = _pos(starts, match.start())
        end_line, end_column = _pos(starts, match.end())
        span = Span(path, line, column, end_line, end_column)
        if kind == "%":
            items.append(LText.literal("<%" + match.group("code") + "%>", path, line, column))
        elif kind == "#":
            pass
        else:
            items.append(_Tag("=" if kind == "=" else "code", match.group("code").strip(), span))
        trim_next = bool(match.group("trim")) or (kind not in ("=", "%") and _alone(text, match))
        pos = match.end()
    rest = text[pos:]
    if trim_next and rest.startswith("\n"):
        rest, pos = rest[1:], pos + 1
    if rest:
        line, column = _pos(starts, pos)
        items.append(LText.literal(rest, path, line, column))
    return items


def _alone(text: str, match: re.Match[str]) -> bool:
    # Puppet renders with trim_mode "-": only `-%>` trims, so a plain `%>` never does.
    return False


def template_text(text: str, path: str) -> LText:
    """The template with every tag made one unknown piece located at the tag."""
    out = LText.plain("")
    for item in _split(text, path):
        out = out + (item if isinstance(item, LText) else LText.symbol(item.span, "<%= %>"))
    return out


# --- expressions ------------------------------------------------------------------------
_VAR = re.compile(r"^@([A-Za-z_]\w*)$")
_SCOPE = re.compile(r"""^scope(?:\[|\.lookupvar\()\s*['"](?:::)?([\w:]+)['"]\s*[\])]$""")
_STRING = re.compile(r"""^(['"])((?:[^'"\\#]|\\.)*)\1$""")
_METHOD = re.compile(
    r"^(?P<recv>.+?)\.(?P<name>join|to_s|strip|nil\?|empty\?)(?:\((?P<arg>.*)\))?$"
)


def _expr(code: str, scope: Scope, local: dict[str, Value], span: Span) -> Value:
    code = code.strip()
    if code.startswith("(") and code.endswith(")"):
        return _expr(code[1:-1], scope, local, span)
    if code in local:
        return local[code]
    if m := _VAR.match(code):
        return scope.lookup(m.group(1))
    if m := _SCOPE.match(code):
        return scope.lookup(m.group(1))
    if m := _STRING.match(code):
        return LText.plain(m.group(2))
    if re.fullmatch(r"-?\d+", code):
        return LText.plain(code)
    if code in ("nil", "true", "false"):
        return {"nil": None, "true": True, "false": False}[code]
    if code.startswith("!"):
        inner = _expr(code[1:], scope, local, span)
        return Unknown(span, code) if isinstance(inner, Unknown) else not _truthy(inner)
    for op in ("==", "!="):
        if op in code:
            left, _, right = code.partition(op)
            a, b = _expr(left, scope, local, span), _expr(right, scope, local, span)
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return Unknown(span, code)
            if isinstance(a, LText) and isinstance(b, LText):
                if a.dynamic or b.dynamic:
                    return Unknown(span, code)
                return (a.text == b.text) == (op == "==")
            return (a == b) == (op == "==")
    if m := _METHOD.match(code):
        receiver = _expr(m.group("recv"), scope, local, span)
        name = m.group("name")
        if isinstance(receiver, Unknown):
            return Unknown(span, code)
        if name == "nil?":
            return receiver is None
        if name == "empty?":
            if isinstance(receiver, LText):
                return receiver.text == "" if not receiver.dynamic else Unknown(span, code)
            return len(receiver) == 0 if isinstance(receiver, tuple | dict) else Unknown(span, code)
        if name == "join" and isinstance(receiver, tuple):
            arg = _expr(m.group("arg") or "''", scope, local, span)
            if not isinstance(arg, LText):
                return Unknown(span, code)
            return LText.join([to_text(v, span) for v in receiver], arg)
        if name in ("to_s", "strip") and isinstance(receiver, LText):
            return receiver.strip() if name == "strip" else receiver
        if name == "to_s" and receiver is None:
            return LText.plain("")
    return Unknown(span, code)


def _truthy(value: Value) -> bool:
    return value is not None and value is not False  # Ruby: only nil and false


# --- statements -------------------------------------------------------------------------
_IF = re.compile(r"^(if|unless|elsif)\s+(.+?)(?:\s+then)?$", re.DOTALL)
_EACH = re.compile(r"^(.+?)\.each\s*(?:do\s*\|\s*(\w+)\s*\||\{\s*\|\s*(\w+)\s*\|)$", re.DOTALL)


@dataclass(slots=True)
class _State:
    parts: LText
    assumptions: tuple[str, ...]


class _Renderer:
    def __init__(self, items: list[_Item], scope: Scope, limit: int, path: str) -> None:
        self.items, self.scope, self.limit, self.path = items, scope, limit, path
        self.errors: list[Finding] = []

    def block(
        self, i: int, states: list[_State], local: dict[str, Value]
    ) -> tuple[int, list[_State], str]:
        """Render items from i until a closing keyword; return (index, states, keyword)."""
        while i < len(self.items):
            item = self.items[i]
            if isinstance(item, LText):
                states = [_State(s.parts + item, s.assumptions) for s in states]
                i += 1
                continue
            code = item.code
            if item.kind == "=":
                value = _expr(code, self.scope, local, item.span)
                piece = (
                    to_text(value, item.span)
                    if not isinstance(value, tuple)
                    else LText.symbol(item.span, code)
                )
                states = [_State(s.parts + piece, s.assumptions) for s in states]
                i += 1
                continue
            word = code.split(None, 1)[0] if code else ""
            if word in ("end", "else", "elsif") or code == "}":
                return i, states, word if code != "}" else "end"
            if m := _IF.match(code):
                i, states = self.conditional(
                    i, m.group(1) == "unless", m.group(2), states, local, item.span
                )
                continue
            if m := _EACH.match(code):
                i, states = self.loop(
                    i, m.group(1), m.group(2) or m.group(3), states, local, item.span
                )
                continue
            i += 1  # other Ruby: assignments, requires; names it sets stay unknown
        return i, states, ""

    def conditional(
        self,
        i: int,
        negate: bool,
        condition: str,
        states: list[_State],
        local: dict[str, Value],
        span: Span,
    ) -> tuple[int, list[_State]]:
        value = _expr(condition, self.scope, local, span)
        known = None if isinstance(value, Unknown) else (_truthy(value) != negate)
        then_start = i + 1
        i, then_states, keyword = self.block(then_start, [_State(LText.plain(""), ())], local)
        else_states: list[_State] = [_State(LText.plain(""), ())]
        if keyword == "elsif":
            item = self.items[i]
            assert isinstance(item, _Tag)
            m = _IF.match(item.code)
            if m is not None:
                i, else_states = self.conditional(
                    i, False, m.group(2), else_states, local, item.span
                )
                keyword = "end-done"
        elif keyword == "else":
            i, else_states, keyword = self.block(i + 1, else_states, local)
        if keyword != "end-done":
            if keyword != "end":
                self.errors.append(
                    Finding(
                        span, "parse-error", "`if` without `end` in template", severity="warning"
                    )
                )
            i += 1
        shown = condition.strip()
        chosen: list[tuple[_State, tuple[str, ...]]]
        if known is True:
            chosen = [(b, ()) for b in then_states]
        elif known is False:
            chosen = [(b, ()) for b in else_states]
        else:
            yes: tuple[str, ...] = (f"`{shown}` is true",)
            no: tuple[str, ...] = (f"`{shown}` is false",)
            chosen = [(b, yes) for b in then_states] + [(b, no) for b in else_states]
        out = [
            _State(s.parts + b.parts, s.assumptions + extra + b.assumptions)
            for s in states
            for b, extra in chosen
        ]
        return i, out[: self.limit]

    def loop(
        self,
        i: int,
        receiver: str,
        name: str,
        states: list[_State],
        local: dict[str, Value],
        span: Span,
    ) -> tuple[int, list[_State]]:
        value = _expr(receiver, self.scope, local, span)
        items: list[Value] = (
            list(value[: self.limit]) if isinstance(value, tuple) else [Unknown(span, name)]
        )
        start = i + 1
        end = start
        for item in items:
            end, states, _ = self.block(start, states, {**local, name: item})
        if not items:
            end, _, _ = self.block(start, [_State(LText.plain(""), ())], local)
        return end + 1, states


def render_erb(
    text: str, path: str, scope: Scope, *, limit: int = 16
) -> tuple[tuple[Rendering, ...], tuple[Finding, ...]]:
    try:
        renderer = _Renderer(_split(text, path), scope, limit, path)
        _, states, _ = renderer.block(0, [_State(LText.plain(""), ())], {})
        return tuple(Rendering(s.parts, s.assumptions) for s in states), tuple(renderer.errors)
    except (RecursionError, IndexError, AssertionError, ValueError) as error:
        span = Span(path, 1, 1, 1, 1)
        finding = Finding(
            span, "parse-error", f"template not understood: {error}", severity="warning"
        )
        return (Rendering(template_text(text, path)),), (finding,)
