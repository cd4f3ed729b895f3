"""The seam between catalogs and the call-site readers of the static path.

Catalog resources go through the same readers as evaluated ones: `exec`/`cron` commands as
shell (or argv arrays), files by what they are (systemd units, init and shell scripts, cron
files) with the `/etc/default` files they source from the same host. Those readers live in
driftlint/extract.py today; only this module knows that, so that moving them (to a registry
of call-site kinds) changes this module alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftlint.extract import Extractor
from driftlint.ltext import LText
from driftlint.model import Invocation, Span
from driftlint.resolve import evaluate
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
