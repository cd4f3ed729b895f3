"""A script called by a path nothing installs, while the tree installs it elsewhere (#19).

Said only where no package could provide the path: under `/usr/local`, which Debian packages
never fill (Debian Policy 9.1.2) and no resource of the tree manages, and only when the tree
has no other way to put files there (a `package` with a pip, gem or npm provider, an `exec`
that installs or builds).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

from driftlint.model import Call, Finding, Invocation, Mention, Span
from driftlint.resolve.command_path import TreeFiles

# Only here can we be sure that no package provides a file (Debian Policy 9.1.2, FHS 4.9).
LOCAL = "/usr/local/"


def misplaced_calls(
    seen: Mapping[Invocation, Iterable[str]],
    installed_anywhere: set[str],
    files: TreeFiles,
    installed: Mapping[str, Iterable[str]],
) -> list[Finding]:
    """`missing-script` warnings for mentions that run no watched script; `installed` gives
    each watched script's installed paths by its name."""
    if files.local_installers:
        return []
    by_place: dict[Span, tuple[Invocation, set[str]]] = {}
    for invocation, roles in seen.items():
        path = invocation.command.text
        if invocation.is_call or invocation.command.dynamic or not path.startswith(LOCAL):
            continue
        path = posixpath.normpath(path)
        if path in installed_anywhere or files.may_exist(path):
            continue
        if not _elsewhere(installed, invocation.script, path):
            continue
        place = by_place.setdefault(invocation.command.span, (invocation, set()))
        place[1].update(roles)
    out = []
    for span, (invocation, roles) in sorted(by_place.items()):
        path = invocation.command.text
        where = ", ".join(f"`{p}`" for p in _elsewhere(installed, invocation.script, path))
        out.append(
            Finding(
                span,
                "missing-script",
                f"`{path}` is installed by no resource and no package installs under "
                f"/usr/local; the tree installs {invocation.script} at {where}",
                argument=path,
                script=invocation.script,
                roles=tuple(sorted(roles)),
                via=invocation.via,
                severity="warning",
            )
        )
    return out


def _elsewhere(installed: Mapping[str, Iterable[str]], script: str, path: str) -> list[str]:
    """Where the tree installs the script under the same name as `path`."""
    base = posixpath.basename(path)
    return sorted(p for p in installed.get(script, ()) if posixpath.basename(p) == base)


def not_calls(unresolved: Iterable[Call]) -> list[Mention]:
    """The commands named like a watched script that cannot run it, each with why not. A
    script whose own code runs another path of its name (`exec /usr/bin/reprepro --basedir
    ... "$@"` in the site's `reprepro` wrapper) runs the tool it wraps: no mention."""
    return [
        Mention(c.invocation.command.span, c.invocation.script, c.invocation.command.text,
                c.invocation.matched)
        for c in unresolved
        if not _wraps_its_namesake(c.invocation)
    ]  # fmt: skip


def _wraps_its_namesake(invocation: Invocation) -> bool:
    command = invocation.command
    return (
        command.span.path == invocation.spec_path
        and command.text.startswith("/")
        and not command.dynamic
    )
