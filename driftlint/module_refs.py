"""Module references: the tree path that `puppet:///modules/M/P`, `template('M/P')`, `epp()` and
`file()` name under one module root."""

from __future__ import annotations

import posixpath
import re

_MODULE = re.compile(r"^[a-z][a-z0-9_]*$")
_PUPPET_URL = re.compile(r"^puppet://[^/]*/modules/([^/]+)/(.+)$")


def _clean(module: str, rest: str) -> str | None:
    if not _MODULE.match(module) or not rest:
        return None
    parts = rest.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\0" in rest or "\\" in rest:
        return None
    return rest


def module_file(kind: str, ref: str, module_root: str = "modules") -> str | None:
    """The tree path a module reference names under one module root; None when malformed or
    climbing out.

    `source => 'puppet:///modules/M/P'` and `file('M/P')` name `M/files/P`; `template('M/P')` and
    `epp('M/P')` name `M/templates/P`. Callers try each root of detect_module_roots() in turn.
    """
    if kind == "source":
        match = _PUPPET_URL.match(ref)
        if match is None:
            return None
        # A folder copied with `recurse => true` is often written with a trailing slash
        # (`puppet:///modules/m/project/apache/`): the same folder.
        module, rest, folder = match.group(1), match.group(2).removesuffix("/"), "files"
    elif kind in ("template", "epp", "file"):
        if ref.startswith("/") or "/" not in ref:
            return None
        module, rest = ref.split("/", 1)
        folder = "files" if kind == "file" else "templates"
    else:
        return None
    clean = _clean(module, rest)
    if clean is None:
        return None
    return posixpath.join(module_root, module, folder, clean)
