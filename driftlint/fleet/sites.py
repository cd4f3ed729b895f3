"""The seam between catalogs and the call-site readers of the static path.

Catalog resources go through the same readers as evaluated ones: `exec`/`cron` commands as
shell (or argv arrays), files by what they are (systemd units, init and shell scripts, cron
files) with the `/etc/default` files they source from the same host. The kinds of files are
driftlint/sites/'s registry and the readers are driven by driftlint/extract.py; only this
module knows that, so that moving them changes this module alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint import sites as registry
from driftlint.extract import Extractor
from driftlint.ltext import LText
from driftlint.model import Invocation, Span
from driftlint.resolve import evaluate
from driftlint.sites import nrpe
from driftlint.values import Value

Declared = evaluate.Resource  # a resource as evaluating a manifest declares it
_NO_SCOPE = evaluate.Frame({})


def declared(kind: str, title: LText, attrs: dict[str, Value], span: Span) -> Declared:
    """A resource as the static path's readers take it: `kind` in lower case (`exec`,
    `cron`, `file`), each attribute with its one known value."""
    return Declared(kind, title, {k: [v] for k, v in attrs.items()}, {}, span, (), _NO_SCOPE)


def invocations(extractor: Extractor, resources: list[Declared]) -> Iterator[Invocation]:
    """The calls of watched scripts that one host's resources make."""
    return extractor.invocations(resources)


def bind_remote(roles: dict[Invocation, set[str]]) -> None:
    """`check_nrpe -c NAME` in one host's resources runs the definitions of NAME that other
    hosts install: bound to them here, once every host's calls are in (sites.nrpe)."""
    nrpe.bind_all(roles)


def may_run(dest: str, text: str) -> bool:
    """Can an installed file run commands? A kind of call site claims its path or its text,
    or it is a program (`#!`): the static path's test for a file whose text is known."""
    return (
        registry.by_path(dest) is not None
        or text.lstrip("\ufeff").startswith("#!")
        or registry.by_text(text) is not None
    )


def path_patterns() -> list[str]:
    """The installed paths the kinds of call sites claim, as fnmatch patterns."""
    return [p for site in registry.SITES.values() for p in site.paths]
