"""Render what a manifest's template functions return, for one role: ERB, EPP and Jinja2.

- `template('m/x.erb')` and `inline_template('<%= @x %>')`: ERB, seeing the calling class.
- `epp('m/x.epp', {...})` and `inline_epp('...', {...})`: EPP, parameters from the hash.
- `jinja_template('m/x.j2', {...})`: Jinja2. Puppet has no such function; trees that render
  Jinja2 from Puppet do it with a site function, and this is the name driftlint understands
  (variables from the hash, else the calling class's, as a Ruby function would see them). A
  `.j2` file installed as is (`source => 'puppet:///modules/m/x.j2'`) is rendered with every
  variable unknown (`static_jinja`): its tags are then unknowns, never text to misread.

Inline templates are rendered from their text, then every character is moved back to where
the manifest writes it. Renderings that fork on unknown values get their conditional
characters marked (driftlint/resolve/conditions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from driftlint import reads
from driftlint.ltext import SYMBOL, LText
from driftlint.model import Finding, Span
from driftlint.module_refs import module_file
from driftlint.parse.epp import EppTemplate, parse_epp
from driftlint.parse.erb import Rendering, render_erb, template_text
from driftlint.parse.jinja import render_jinja
from driftlint.resolve.conditions import mark_conditional
from driftlint.resolve.epp_render import render_epp
from driftlint.resolve.evaluate import Alts, FrameScope
from driftlint.values import MapScope, Scope, Value

JINJA_CALLS = ("jinja_template",)
INLINE = "<inline>"  # the path inline template text is rendered under; no tree path has it

Renderings = tuple[tuple[Rendering, ...], tuple[Finding, ...]]


MAX_RENDERINGS = 8  # ERB renderings kept per template, for the scopes seen first


@dataclass(slots=True)
class _Recorder:
    """A scope that remembers what a template asked of it."""

    scope: Scope
    reads: dict[str, Value] = field(default_factory=dict)

    def lookup(self, name: str) -> Value:
        if name not in self.reads:
            self.reads[name] = self.scope.lookup(name)
        return self.reads[name]


@dataclass(slots=True)
class TemplateRenderer:
    """The evaluator's template hook: (function, template name or text, scope, call span)."""

    read: Callable[[str], str | None]
    module_roots: tuple[str, ...]
    limit: int
    findings: list[Finding]  # problems reading templates (parse-error)
    _epp: dict[tuple[str, str], EppTemplate] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)  # template files rendered at least once
    # ERB renderings by template path: (variables read and their values, rendered texts).
    _erb: dict[str, list[tuple[tuple[tuple[str, Value], ...], tuple[LText, ...]]]] = field(
        default_factory=dict
    )

    def __call__(self, kind: str, ref: LText, scope: FrameScope, span: Span) -> Alts:
        if kind.startswith("inline_"):
            return self.inline(kind, ref, scope, span)
        folder = "template" if kind in JINJA_CALLS else kind
        for root in self.module_roots:
            path = module_file(folder, ref.text, root)
            text = self.read(path) if path else None
            if path is None or text is None:
                continue
            self._seen.add(path)
            reads.note_rendered(path)
            if kind == "template":
                return self.erb(text, path, scope)
            renderings, errors = self.render(kind, text, path, scope)
            self.findings.extend(errors)
            return list(mark_conditional(renderings))
        return [LText.symbol(span, f"{kind}()")]

    def rendered(self) -> set[str]:
        """The template files this renderer rendered, for some scope."""
        return set(self._seen)

    def erb(self, text: str, path: str, scope: FrameScope) -> Alts:
        """An ERB file rendered for a scope, or the rendering of an earlier scope whose
        variables the template read are the same: ERB sees nothing else of its scope."""
        variants = self._erb.setdefault(path, [])
        for asked, rendered in variants:
            if all(scope.lookup(name) == value for name, value in asked):
                return list(rendered)
        recorder = _Recorder(scope)
        renderings, errors = render_erb(text, path, recorder, limit=self.limit)
        self.findings.extend(errors)
        rendered = tuple(mark_conditional(renderings))
        if len(variants) < MAX_RENDERINGS:
            variants.append((tuple(recorder.reads.items()), rendered))
        return list(rendered)

    def inline(self, kind: str, source: LText, scope: FrameScope, span: Span) -> Alts:
        """Render inline text, then locate each character where the manifest writes it."""
        renderings, errors = self.render(kind, source.text, INLINE, scope)
        moved = tuple(Rendering(relocate(r.text, source), r.assumptions) for r in renderings)
        for error in errors:
            where = _source_span(error.span, source) or span
            self.findings.append(replace(error, span=where))
        return list(mark_conditional(moved))

    def render(self, kind: str, text: str, path: str, scope: FrameScope) -> Renderings:
        if kind in ("template", "inline_template"):
            return render_erb(text, path, scope, limit=self.limit)
        if kind in ("epp", "inline_epp"):
            template = self.parse_epp(text, path)
            if template.errors:
                return (Rendering(template_text(text, path)),), template.errors[:1]
            inline = kind == "inline_epp"
            return render_epp(template, text, scope, inline=inline, limit=self.limit), ()
        return render_jinja(text, path, jinja_scope(scope), limit=self.limit)

    def parse_epp(self, text: str, path: str) -> EppTemplate:
        key = (path, text)
        if key not in self._epp:
            self._epp[key] = parse_epp(text, path)
        return self._epp[key]


def jinja_scope(scope: FrameScope) -> Scope:
    """What a Jinja2 template sees: the hash it is given, else the calling class's variables."""
    if isinstance(scope.params, dict):
        return MapScope(scope.params)
    if scope.params is not None:
        return MapScope({})  # a hash that cannot be known: every variable is unknown
    return scope


def static_jinja(text: str, path: str, limit: int) -> list[LText]:
    """A `.j2` file installed as is: rendered with every variable unknown."""
    renderings, _ = render_jinja(text, path, MapScope({}), limit=limit)
    return mark_conditional(renderings)


def relocate(rendered: LText, source: LText) -> LText:
    """Characters of `rendered` located in INLINE text, moved to where `source` has them."""
    starts = _line_starts(source.text)
    pieces: list[LText] = []
    at = 0
    for run in rendered.runs:
        if run.start > at:
            pieces.append(rendered[at : run.start])
        if run.path != INLINE:
            pieces.append(rendered[run.start : run.end])
        elif run.symbolic:
            first = _offset(starts, run.line, run.column)
            last = _offset(starts, run.end_line, run.end_column)
            where = source.span(first, max(last, first + 1))
            pieces.append(LText.symbol(where, run.name) if where else LText.plain(SYMBOL))
        else:
            first = _offset(starts, run.line, run.column)
            pieces.append(source[first : first + run.end - run.start])
        at = run.end
    pieces.append(rendered[at:])
    return LText.join(pieces)


def _source_span(span: Span, source: LText) -> Span | None:
    if span.path != INLINE:
        return span
    starts = _line_starts(source.text)
    first = _offset(starts, span.line, span.column)
    last = _offset(starts, span.end_line, span.end_column)
    return source.span(first, max(last, first + 1))


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def _offset(starts: list[int], line: int, column: int) -> int:
    line = min(max(line, 1), len(starts))
    return starts[line - 1] + column - 1
