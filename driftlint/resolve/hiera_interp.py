"""Hiera `%{...}` interpolation in hierarchy paths and in data values, keeping locations."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from driftlint.ltext import LText
from driftlint.model import Span
from driftlint.values import Unknown, Value, to_text

_INTERPOLATION = re.compile(r"%\{([^{}]*)\}")
_CALL = re.compile(r"\s*(\w+)\(\s*(['\"])(.*?)\2\s*\)\s*")
_GLOB_SPECIALS = re.compile(r"[*?\[\]]")

# Lookup of a key from inside an interpolation: its value, or Unknown; `where` is the `%{...}`.
Inner = Callable[[str, Span | None], Value]


def fact_names(expression: str) -> tuple[str, ...]:
    """The fact names `%{expression}` may mean, most specific first.

    `::site`, `facts.site`, `scope('site')` and `site` all mean fact `site`; `trusted.certname`
    is looked up as written, then as `certname`.
    """
    name = expression.strip()
    call = _CALL.fullmatch(name)
    if call is not None and call.group(1) == "scope":
        name = call.group(3)
    name = name.removeprefix("::")
    for prefix in ("facts.", "server_facts."):
        if name.startswith(prefix):
            return (name[len(prefix) :],)
    if name.startswith("trusted."):
        return (name, name[len("trusted.") :])
    return (name,)


def fact(expression: str, facts: Mapping[str, str]) -> str | None:
    for name in fact_names(expression):
        if name in facts:
            return facts[name]
    return None


def path_pattern(
    template: str, facts: Mapping[str, str], unknown: str = "", is_glob: bool = False
) -> tuple[str, bool]:
    """The path with facts filled in, and whether it is concrete.

    An interpolation of an unknown fact (or of `unknown`, a mapped_paths variable) becomes `*`,
    so the caller globs for the files it may stand for. A glob level's own wildcards stay.
    """
    values = []
    for match in _INTERPOLATION.finditer(template):
        names = fact_names(match.group(1))
        values.append(None if unknown in names else fact(match.group(1), facts))
    if all(v is not None for v in values):
        filled = iter(values)
        return _INTERPOLATION.sub(lambda _: next(filled) or "", template), True
    # A glob pattern: the literal parts (and known values) must not act as wildcards.
    out, pos = [], 0
    for match, known in zip(_INTERPOLATION.finditer(template), values, strict=True):
        literal = template[pos : match.start()]
        out.append(literal if is_glob else _escape(literal))
        out.append("*" if known is None else _escape(known))
        pos = match.end()
    out.append(template[pos:] if is_glob else _escape(template[pos:]))
    return "".join(out), False


def _escape(text: str) -> str:
    return _GLOB_SPECIALS.sub(lambda m: f"[{m.group(0)}]", text)


def interpolate(value: Value, facts: Mapping[str, str], inner: Inner) -> Value:
    """Interpolate every string inside value; hash keys are left as written."""
    if isinstance(value, LText):
        return interpolate_text(value, facts, inner) if "%{" in value.text else value
    if isinstance(value, tuple):
        return tuple(interpolate(v, facts, inner) for v in value)
    if isinstance(value, dict):
        return {k: interpolate(v, facts, inner) for k, v in value.items()}
    return value


def interpolate_text(text: LText, facts: Mapping[str, str], inner: Inner) -> Value:
    """Interpolate one string; `%{alias('k')}` alone gives k's value itself, not a string."""
    matches = list(_INTERPOLATION.finditer(text.text))
    if not matches:
        return text
    whole = len(matches) == 1 and matches[0].span() == (0, len(text.text))
    parts: list[LText] = []
    pos = 0
    for match in matches:
        parts.append(text[pos : match.start()])
        where = text[match.start() : match.end()].span()
        expression = match.group(1)
        call = _CALL.fullmatch(expression)
        function = call.group(1) if call is not None else ""
        if call is not None and function == "alias":
            found = inner(call.group(3), where)
            if whole:
                return found
            # Puppet refuses alias() inside a longer string; nothing sure can be said.
            parts.append(_symbol(where, f"alias('{call.group(3)}')"))
        elif call is not None and function == "literal":
            offset = match.start(1)
            parts.append(text[offset + call.start(3) : offset + call.end(3)])
        elif call is not None and function in ("lookup", "hiera"):
            parts.append(to_text(inner(call.group(3), where), where))
        elif call is not None and function != "scope":
            parts.append(_symbol(where, f"{function}()"))
        elif not expression.strip() or expression.strip() == "::":
            pass  # `%{}` and `%{::}` interpolate nothing: an escape for a literal `%{`
        else:
            known = fact(expression, facts)
            if known is None:
                parts.append(_symbol(where, fact_names(expression)[0]))
            else:
                parts.append(LText.plain(known))
        pos = match.end()
    parts.append(text[pos:])
    return LText.join(parts)


def _symbol(where: Span | None, name: str) -> LText:
    if where is None:
        return to_text(Unknown(None, name))
    return LText.symbol(where, name)
