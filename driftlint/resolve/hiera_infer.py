"""A Hiera hierarchy for a tree whose `hiera.yaml` lives on the puppet server (issue 25).

Read from the data folder's layout: a folder of node files (`nodes/`, `hosts/`) is a level
keyed by the node (`%{trusted.certname}` when the files are named by full names, else
`%{hostname}`); another folder (`roles/`, `type/`) is a level keyed by the variable node data
sets for it (`role: db`), else by a fact of the folder's name; `common.yaml` comes last.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence

from driftlint.resolve.hiera import top_level_keys
from driftlint.resolve.hiera_config import Level

DATA_FOLDERS = ("hieradata", "data", "hiera", "puppet/hieradata", "puppet/data")
NODE_FOLDERS = ("nodes", "node", "hosts", "host", "fqdn", "certname", "clients")
COMMON_FILES = ("common.yaml", "default.yaml", "defaults.yaml", "global.yaml")
# Usual places of an environment's hiera.yaml other than the top.
USUAL_CONFIGS = (
    "puppet/hiera.yaml",
    "environments/production/hiera.yaml",
    "hieradata/hiera.yaml",
    "config/hiera.yaml",
    "etc/hiera.yaml",
    "etc/puppet/hiera.yaml",
    "puppet/etc/hiera.yaml",
)


def data_folder(files: Sequence[str]) -> str | None:
    """The tree's Hiera data folder: the usual name that holds the most YAML files."""
    counts = {
        folder: sum(1 for p in files if p.startswith(folder + "/") and p.endswith(".yaml"))
        for folder in DATA_FOLDERS
    }
    best = max(DATA_FOLDERS, key=lambda f: counts[f])
    return best if counts[best] else None


def infer_levels(
    files: Sequence[str], read: Callable[[str], str | None], datadir: str
) -> tuple[Level, ...]:
    """The hierarchy the layout of `datadir` suggests, highest priority first."""
    prefix = datadir + "/"
    inside = [p[len(prefix) :] for p in files if p.startswith(prefix) and p.endswith(".yaml")]
    folders: dict[str, list[str]] = {}
    for rel in inside:
        head, _, rest = rel.partition("/")
        if rest and "/" not in rest:
            folders.setdefault(head, []).append(rest[: -len(".yaml")])
    levels: list[Level] = []
    node_keys: set[str] = set()
    for name in NODE_FOLDERS:
        stems = folders.pop(name, None)
        if not stems:
            continue
        dotted = sum("." in s for s in stems) * 2 >= len(stems)
        fact = "trusted.certname" if dotted else "hostname"
        levels.append(Level(f"{name} (inferred)", datadir, (f"{name}/%{{{fact}}}.yaml",)))
        for stem in stems:
            text = read(f"{prefix}{name}/{stem}.yaml")
            node_keys |= (top_level_keys(text) or set()) if text else set()
    # Role-like folders first: what node data names is closer to the node than a platform.
    for name in sorted(folders, key=lambda n: (not n.startswith("role"), n)):
        singular = name[:-1] if name.endswith("s") and len(name) > 3 else name
        variable = next((v for v in (singular, name) if v in node_keys), singular)
        levels.append(Level(f"{name} (inferred)", datadir, (f"{name}/%{{{variable}}}.yaml",)))
    for name in COMMON_FILES:
        if name in inside:
            levels.append(Level(f"{posixpath.splitext(name)[0]} (inferred)", datadir, (name,)))
    return tuple(levels)


def describe(levels: Sequence[Level]) -> str:
    return ", ".join(p for level in levels for p in level.paths)
