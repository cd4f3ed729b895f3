"""Bind each call to its script's interface and run the checks on the binding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from driftlint import checks
from driftlint import interfaces as spec
from driftlint.argv.binder import bind_argv
from driftlint.interfaces import history
from driftlint.model import Binding, Call, CheckContext, Finding, Interface, Invocation, Span
from driftlint.parse.puppet import ast


def check_calls(
    calls: list[Call],
    specs: dict[str, list[tuple[str, Interface]]],
    root: Path,
    open_names: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Bind each call to its script's interface and run the checks; merge roles per finding.

    Two specs may install under one name (a template per OpenStack release): a call is then
    judged against each, and only what every one of them rejects is reported. A script whose
    interface is unknown rejects nothing: calls of a name in `open_names` are not judged.
    """
    merged: dict[tuple[Span, str, str], Finding] = {}
    local: set[tuple[Span, str, str]] = set()
    remote: set[tuple[Span, str, str]] = set()
    history_cache: dict[str, Interface] = {}
    for call in calls:
        invocation = call.invocation
        candidates = list(specs.get(invocation.script, ()))
        if _by_path(invocation):
            # matched by its installed path: that one script, not its namesakes
            candidates = [(p, i) for p, i in candidates if p == invocation.spec_path]
        elif invocation.script in open_names:
            continue
        verdicts = [
            _check_one(call, spec_path, interface, root, history_cache)
            for spec_path, interface in candidates
        ]
        if not verdicts:
            continue
        common = set.intersection(*({(f.span, f.code, f.argument) for f in v} for v in verdicts))
        for finding in verdicts[0]:
            if (finding.span, finding.code, finding.argument) not in common:
                continue
            key = (finding.span, finding.code, finding.message)
            old = merged.get(key)
            if old is not None:
                finding = replace(old, roles=tuple(sorted(set(old.roles) | set(finding.roles))))
            merged[key] = finding
            if not invocation.remote:
                local.add((finding.span, finding.code, finding.argument))
            else:
                remote.add(key)
    # A definition run from another host (NRPE's `check_nrpe -c NAME`) repeats, at the words
    # written in the definition, what the definition's own call already says there: once.
    return [
        f
        for key, f in merged.items()
        if key not in remote or (f.span, f.code, f.argument) not in local
    ]


def _by_path(invocation: Invocation) -> bool:
    """argv[0] named one installed file (its path, a link to it, a PATH lookup that found it)."""
    return bool(invocation.spec_path) and invocation.matched.startswith(
        ("installed path", "link ", "name on PATH")
    )


def _check_one(
    call: Call,
    spec_path: str,
    interface: Interface,
    root: Path,
    history_cache: dict[str, Interface],
) -> list[Finding]:
    invocation = call.invocation
    interface, binding = bind_call(call, spec_path, interface, root, history_cache)
    ctx = CheckContext(call, interface, binding)
    found: list[Finding] = []
    for module in checks.BINDING_CHECKS:
        try:
            # A word holding U+FFFD holds bytes read from a file that is not UTF-8
            # (discover.read_source): what they were is unknown, so nothing is sure of it.
            found.extend(f for f in module.check(ctx) if "\ufffd" not in f.argument)
        except Exception as error:  # a bug in a check: report it, go on (exit 3)
            span = invocation.command.span
            found.append(Finding(span, "internal-error", f"check {module.CODE} raised {error!r}"))
    return found


def bind_call(
    call: Call,
    spec_path: str,
    interface: Interface,
    root: Path,
    history_cache: dict[str, Interface],
) -> tuple[Interface, Binding]:
    """Bind a call's argv; with an unknown option, again against the spec's git history.

    Returns the interface the binding used (with removed options when history was read).
    """
    invocation = call.invocation
    binding = bind_argv(invocation.words, interface, invocation.passthrough)
    if any(p.code == "unknown-option" for p in binding.problems):
        # Only now is it worth reading history: was the option ever accepted?
        if spec_path not in history_cache:
            history_cache[spec_path] = _with_history(interface, root, spec_path)
        interface = history_cache[spec_path]
        binding = bind_argv(invocation.words, interface, invocation.passthrough)
    return interface, binding


def _with_history(interface: Interface, root: Path, spec_path: str) -> Interface:
    def read_at(commit: str, text: str) -> Interface | None:
        return spec.read_interface(spec_path, text, interface.script, None)

    removed = history.removed_options(root, spec_path, interface, read_at)
    known = {n for o in interface.removed for n in o.names}
    extra = tuple(o for o in removed if not set(o.names) & known)
    return replace(interface, removed=interface.removed + extra) if extra else interface


# Codes of a count or a value that an empty default (`$families = []`) can make wrong.
_ABSENCE = frozenset({"missing-required", "missing-argument"})


def from_own_defaults(
    findings: list[Finding], definitions: Iterable[ast.ClassDef | ast.DefineDef]
) -> list[Finding]:
    """A class or define no root declares is checked alone, with its own defaults; no host runs
    it as written. A problem that comes only from those defaults is a warning (issue 26 §3): a
    word written in a parameter's default, or a missing word where a parameter defaults to
    nothing (`[]`, `''`, `{}`), in a call made inside that class or define."""
    defaults: list[tuple[Span, str]] = []  # where a default is written, and its owner
    empty: list[tuple[Span, str, str]] = []  # an owner's span, its name, an empty parameter
    for definition in definitions:
        for param in definition.params:
            if param.default is None:
                continue
            defaults.append((param.default.span, definition.name))
            if _nothing(param.default):
                empty.append((definition.span, definition.name, param.name))
    if not defaults:
        return findings
    out = []
    for finding in findings:
        owner = None
        if not finding.roles and finding.severity == "error":
            owner = next((o for s, o in defaults if _within(finding.span, s)), None)
            if owner is None and finding.code in _ABSENCE:
                places = (finding.span, *finding.via)
                owner = next(
                    (
                        f"{o}` and its `${p}"
                        for s, o, p in empty
                        if any(_within(x, s) for x in places)
                    ),
                    None,
                )
        if owner is not None:
            finding = replace(
                finding,
                severity="warning",
                message=f"{finding.message} (from the defaults of `{owner}`, which no role"
                " declares)",
            )
        out.append(finding)
    return out


def _nothing(node: ast.Node) -> bool:
    if isinstance(node, ast.Array):
        return not node.items
    if isinstance(node, ast.Hash):
        return not node.pairs
    return isinstance(node, ast.Str) and not node.parts


def _within(inner: Span, outer: Span) -> bool:
    return (
        inner.path == outer.path
        and (outer.line, outer.column) <= (inner.line, inner.column)
        and (
            inner.end_line,
            inner.end_column,
        )
        <= (outer.end_line, outer.end_column)
    )
