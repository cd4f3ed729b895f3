"""Hiera levels nobody decides, for roots the tree's Hiera data defines (issue 25).

A node's data file names the host, but not its platform: a level keyed by a fact nobody sets
(`os/%{::osfamily}.yaml`) may give any of its files' values. Each one is an alternative: a bad
value from one of them is a warning that says which file it needs ("only when `k` comes from
os/RedHat.yaml, not os/Debian.yaml or common.yaml"); when the value from every alternative is
bad, the findings are errors, since the host runs one of them whatever it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from driftlint.model import Finding
from driftlint.resolve.hiera import HieraValue
from driftlint.resolve.undecided import mark
from driftlint.values import Value

# Set in the facts of the roots whose undecided levels are alternatives (node and role data).
MARK = "driftlint.alternatives"
_SAID = re.compile(
    r"`(?P<key>[^`]+)` comes from (?P<path>[^ ,)]+), not (?P<others>.+?)(?= and `|\)$)"
)


def alternatives(key: str, found: Sequence[HieraValue]) -> list[Value]:
    """The values of a lookup, each from a level that may not apply marked with what it needs."""
    if not any(not h.certain for h in found) or len({h.path for h in found}) < 2:
        return [h.value for h in found]
    paths = list(dict.fromkeys(h.path for h in found))
    out = []
    for h in found:
        if h.certain:
            out.append(h.value)
            continue
        others = " or ".join(p for p in paths if p != h.path)
        out.append(_mark(h.value, f"`{key}` comes from {h.path}, not {others}"))
    return out


def _mark(value: Value, assumption: str) -> Value:
    if isinstance(value, tuple):
        return tuple(_mark(v, assumption) for v in value)
    if isinstance(value, dict):
        return {k: _mark(v, assumption) for k, v in value.items()}
    return mark(value, assumption)


def settle(findings: Sequence[Finding]) -> list[Finding]:
    """Warnings that hold for the value from every alternative of a lookup become errors."""
    groups: dict[tuple[object, ...], dict[str, list[int]]] = {}
    wanted: dict[tuple[object, ...], frozenset[str]] = {}
    for i, finding in enumerate(findings):
        if finding.severity != "warning" or not _only_hiera(finding.message):
            continue  # it needs something else too (a template's condition): still a warning
        for said in _SAID.finditer(finding.message):
            every = frozenset({said["path"], *said["others"].split(" or ")})
            group: tuple[object, ...] = (
                finding.code,
                finding.script,
                finding.roles,
                finding.via,
                said["key"],
                every,
            )
            groups.setdefault(group, {}).setdefault(said["path"], []).append(i)
            wanted[group] = every
    upgrade: dict[int, frozenset[str]] = {}
    for group, by_path in groups.items():
        if frozenset(by_path) == wanted[group]:
            upgrade.update((i, wanted[group]) for found in by_path.values() for i in found)
    out = list(findings)
    for i, every in upgrade.items():
        finding = findings[i]
        head = finding.message.rpartition(" (only when ")[0]
        message = f"{head} (whichever of {', '.join(sorted(every))} applies)"
        out[i] = replace(finding, severity="error", message=message)
    return out


def _only_hiera(message: str) -> bool:
    """Whether every condition a message says it needs is a Hiera alternative."""
    condition = message.rpartition(" (only when ")[2]
    parts = condition.removesuffix(")").split(" and `")
    return len(parts) == len(_SAID.findall(message))
