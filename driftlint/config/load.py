"""Load and strictly validate `.driftlint.yaml` and the rule files its `rules:` folders hold."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from driftlint.config.roots import HieraRule, RootRule, read_hiera, read_roots
from driftlint.config.yaml_nodes import (
    MAX_CONFIG_SIZE,
    YamlDoc,
    at,
    item_at,
    key_at,
    load_yaml,
    mapping,
    quote,
    strings,
    tagged,
    type_name,
    value_at,
)
from driftlint.discover import is_inside
from driftlint.errors import SetupError
from driftlint.model import Span

CONFIG_NAME = ".driftlint.yaml"


@dataclass(frozen=True, slots=True)
class ScriptRule:
    name: str
    interface: str  # tree-relative path of the file holding the usage spec / parser code
    commands: tuple[str, ...]  # argv[0] forms that count as a call (basename and/or installed path)
    span: Span | None = None  # where the entry is written


@dataclass(frozen=True, slots=True)
class Config:
    scripts: tuple[ScriptRule, ...] = ()
    rule_dirs: tuple[str, ...] = ()  # `rules:` folders of YAML files with `scripts:` entries
    role_prefix: str = "role::"  # `roles: {class_prefix: ...}`
    exclude: tuple[str, ...] = ()  # gitignore-style globs
    per_path: tuple[tuple[str, frozenset[str]], ...] = ()  # `per-path: {glob: {ignore: [..]}}`
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: tuple[tuple[str, str], ...] = ()  # `severity: {code: warning}` overrides
    max_file_size: int = 5_000_000  # `limits: {max-file-size, max-depth, max-expansions}`
    max_depth: int = 50
    max_expansions: int = 64
    wrappers: tuple[str, ...] = ()  # extra wrapper rule packs (tree-relative paths)
    hiera: HieraRule = field(
        default_factory=HieraRule
    )  # `hiera: {config, datadir, hierarchy}` (config/roots.py)
    roots: tuple[RootRule, ...] = ()  # `roots: {nodes, enc}`: what an ENC classifies
    types: tuple[str, ...] = ()  # rule files with `types:` (resource types), tree-relative
    # `modulepath:` and `--modulepath`: module folders of the tree (tree-relative) and outside
    # it (absolute), the only folders outside the tree that are read (driftlint/modulepath.py)
    modulepath: tuple[str, ...] = ()


TOP_KEYS = (
    "scripts", "rules", "roles", "exclude", "per-path", "select", "ignore", "severity",
    "limits", "wrappers", "hiera", "roots", "modulepath",
)  # fmt: skip
SCRIPT_KEYS = ("name", "interface", "commands")
LIMIT_KEYS = {"max-file-size": "max_file_size", "max-depth": "max_depth",
              "max-expansions": "max_expansions"}  # fmt: skip
RULE_FILE_KEYS = ("scripts", "wrappers", "types")
# The largest each limit may be: a file is read whole into memory, depth is Python's stack,
# expansions multiply (issue 30: `max-expansions: 9223372036854775807` and `max-file-size:
# 30g` crashed a run, with MemoryError and OverflowError, instead of being config errors).
LIMIT_CEILINGS = {"max-file-size": (1 << 30, "1g"), "max-depth": (1000, "1000"),
                  "max-expansions": (100_000, "100000")}  # fmt: skip
SEVERITIES = ("error", "warning")
_SIZE = re.compile(r"^\s*(\d+)\s*(?:([kKmMgG])(i?)[bB]?)?\s*$")


def _script(doc: YamlDoc, seq: CommentedSeq, index: int, root: Path) -> ScriptRule | None:
    entry = seq[index]
    where = item_at(seq, index)
    if not isinstance(entry, CommentedMap) or tagged(entry):
        doc.error(f"a `scripts` entry must be a mapping, not {type_name(entry)}", where)
        return None
    doc.unknown_keys(entry, SCRIPT_KEYS, " in a `scripts` entry")
    fields: dict[str, str] = {}
    for key in ("name", "interface"):
        if key not in entry:
            doc.error(f"a `scripts` entry has no `{key}`", where)
            continue
        value = entry[key]
        if not isinstance(value, str) or tagged(value) or not value.strip():
            doc.error(
                f"`{key}` must be a non-empty string, not {type_name(value)}",
                value_at(entry, key),
            )
            continue
        fields[key] = value
    interface = fields.get("interface")
    if interface is not None and not is_inside(root, interface):
        doc.error(
            f"`interface` {quote(interface)} must be a path inside the tree",
            value_at(entry, "interface"),
            len(interface),
        )
        return None
    if len(fields) < 2:
        return None
    commands = tuple(c for c, _ in strings(doc, entry, "commands")) if "commands" in entry else ()
    line, col = where if where is not None else (0, 0)
    normal = posixpath.normpath(fields["interface"])
    return ScriptRule(fields["name"], normal, commands or (fields["name"],), doc.span(line, col))


def _scripts(doc: YamlDoc, parent: CommentedMap, root: Path) -> list[ScriptRule]:
    value = parent["scripts"]
    if not isinstance(value, CommentedSeq) or tagged(value):
        doc.error(
            f"`scripts` must be a list of mappings, not {type_name(value)}",
            value_at(parent, "scripts"),
        )
        return []
    return [r for i in range(len(value)) if (r := _script(doc, value, i, root)) is not None]


def _tree_paths(doc: YamlDoc, parent: CommentedMap, key: str, root: Path) -> list[str]:
    out = []
    for text, where in strings(doc, parent, key):
        if is_inside(root, text):
            out.append(text)
        else:
            doc.error(f"`{key}` path {quote(text)} must be inside the tree", where, len(text))
    return out


def _modulepath(doc: YamlDoc, parent: CommentedMap, root: Path, *, outside: bool) -> list[str]:
    """`modulepath: [DIR, ...]` (or Puppet's `a:b`), from the tree's root: a folder inside the
    tree is one more of the tree's module folders (kept tree-relative); one outside it (kept
    absolute) is read as driftlint/modulepath.py says, because the user named it here. Only a
    config from outside the tree (`--config`) may name such a folder: the tree's own config is
    part of the change under review, and a change must not make driftlint read the machine."""
    out: list[str] = []
    real_root = root.resolve()
    for text, where in strings(doc, parent, "modulepath"):
        for part in text.split(os.pathsep):
            if not part:
                continue
            folder = Path(os.path.abspath(os.path.join(root, os.path.expanduser(part))))
            if not folder.is_dir():
                doc.error(f"`modulepath` folder {quote(part)} does not exist", where, len(text))
                continue
            real = folder.resolve()
            if not outside and not real.is_relative_to(real_root):
                doc.error(
                    f"`modulepath` folder {quote(part)} is outside the tree: the tree's own "
                    "config names only its own folders (a change under review may edit it); "
                    "give folders of this machine with --modulepath or a --config file "
                    "outside the tree",
                    where,
                    len(text),
                )
                continue
            entry = (
                real.relative_to(real_root).as_posix() or "."
                if real.is_relative_to(real_root)
                else str(folder)
            )
            if entry not in out:
                out.append(entry)
    return out


def _size(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str) and (m := _SIZE.match(value)):
        unit = (m.group(2) or "").lower()
        base = 1024 if m.group(3) or unit == "" else 1000
        return int(m.group(1)) * int(base ** " kmg".index(unit or " "))
    return None


def _apply(
    doc: YamlDoc, data: CommentedMap, root: Path, setters: dict[str, Any], *, own: bool = True
) -> None:
    """`own`: the config is the tree's own file (a change under review may edit it)."""
    """Validate the top-level keys of a config and record what is valid in setters."""
    handlers: dict[str, Callable[[], None]] = {}

    def scripts() -> None:
        setters["scripts"] = _scripts(doc, data, root)

    def rules() -> None:
        setters["rule_dirs"] = _tree_paths(doc, data, "rules", root)

    def roles() -> None:
        node = mapping(doc, data, "roles")
        if node is None:
            return
        doc.unknown_keys(node, ("class_prefix",), " in `roles`")
        if "class_prefix" in node:
            prefix = node["class_prefix"]
            if isinstance(prefix, str) and not tagged(prefix):
                setters["role_prefix"] = prefix
            else:
                doc.error(
                    f"`class_prefix` must be a string, not {type_name(prefix)}",
                    value_at(node, "class_prefix"),
                )

    def exclude() -> None:
        setters["exclude"] = [t for t, _ in strings(doc, data, "exclude")]

    def per_path() -> None:
        node = mapping(doc, data, "per-path")
        if node is None:
            return
        out = []
        for glob in node:
            inner = node[glob]
            if not isinstance(inner, CommentedMap) or tagged(inner):
                doc.error(
                    f"`per-path` entry {quote(str(glob))} must be a mapping like "
                    "{ignore: [codes]}",
                    value_at(node, glob),
                )
                continue
            doc.unknown_keys(inner, ("ignore",), f" in `per-path` entry {quote(str(glob))}")
            if "ignore" in inner:
                out.append((str(glob), doc.codes(strings(doc, inner, "ignore"))))
        setters["per_path"] = out

    def select() -> None:
        before = len(doc.errors)
        codes = doc.codes(strings(doc, data, "select"))
        # A `select` that cannot be read must not select nothing: every code stays on, and the
        # setup error (exit 2) says why.
        if codes or len(doc.errors) == before:
            setters["select"] = codes

    def ignore() -> None:
        setters["ignore"] = doc.codes(strings(doc, data, "ignore"))

    def severity() -> None:
        node = mapping(doc, data, "severity")
        if node is None:
            return
        out = []
        for code in node:
            level = node[code]
            if not doc.codes([(str(code), key_at(node, code))]):
                continue
            if level in SEVERITIES and isinstance(level, str):
                out.append((str(code), level))
            else:
                doc.error(
                    f"severity of {quote(str(code))} must be error or warning, not {level!r}",
                    value_at(node, code),
                )
        setters["severity"] = out

    def limits() -> None:
        node = mapping(doc, data, "limits")
        if node is None:
            return
        doc.unknown_keys(node, tuple(LIMIT_KEYS), " in `limits`")
        for key in node:
            if key in LIMIT_KEYS:
                attr = LIMIT_KEYS[key]
                number = (
                    _size(node[key])
                    if key == "max-file-size"
                    else (node[key] if type(node[key]) is int else None)
                )
                ceiling, written = LIMIT_CEILINGS[key]
                if number is None or number <= 0:
                    doc.error(
                        f"`{key}` must be a positive whole number, not {node[key]!r}",
                        value_at(node, key),
                    )
                elif number > ceiling:
                    doc.error(
                        f"`{key}` must be at most {written}, not {node[key]!r}", value_at(node, key)
                    )
                else:
                    setters[attr] = number

    def wrappers() -> None:
        setters["wrappers"] = _tree_paths(doc, data, "wrappers", root)

    def hiera() -> None:
        found = read_hiera(doc, data, root)
        if found is not None:
            setters["hiera"] = found

    def roots() -> None:
        setters["roots"] = read_roots(doc, data, root)

    def modulepath() -> None:
        setters["modulepath"] = _modulepath(doc, data, root, outside=not own)

    handlers.update(
        {
            "hiera": hiera,
            "roots": roots,
            "scripts": scripts,
            "rules": rules,
            "roles": roles,
            "exclude": exclude,
            "per-path": per_path,
            "select": select,
            "ignore": ignore,
            "severity": severity,
            "limits": limits,
            "wrappers": wrappers,
            "modulepath": modulepath,
        }
    )
    doc.unknown_keys(data, TOP_KEYS, "")
    for key in data:
        if key in handlers:
            handlers[key]()


def _label(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (3.11)
        return str(path)


def _rule_files(
    root: Path, rule_dirs: list[str], doc: YamlDoc, where: dict[str, tuple[int, int] | None]
) -> list[Path]:
    files: list[Path] = []
    real_root = root.resolve()
    for folder in rule_dirs:
        path = root / folder
        try:
            inside = path.resolve().is_relative_to(real_root)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (3.11)
            inside = False
        if not inside or not path.is_dir():
            doc.error(
                f"rules folder {quote(folder)} does not exist in the tree",
                where.get(folder),
                len(folder),
            )
            continue
        found = [p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
        files.extend(p for p in sorted(found) if p.resolve().is_relative_to(real_root))
    return files


def load_config(
    root: Path, path: Path | None = None, *, known_codes: frozenset[str] = frozenset()
) -> tuple[Config, tuple[SetupError, ...]]:
    """The config of the tree at root, and every setup error found in it and its rule files.

    A bad config still yields a Config of whatever was valid. `known_codes` empty means codes
    are not checked.
    """
    table: Any = None
    if path is None:
        path = root / CONFIG_NAME
        if not path.is_file():
            table = _pyproject_table(root)
            if table is None:
                return Config(), ()
        elif not is_inside(root, CONFIG_NAME):  # never read outside the tree (DESIGN §10)
            message = f"{CONFIG_NAME} is a symbolic link leading outside the tree; not read"
            return Config(), (SetupError(message, Span(CONFIG_NAME, 1, 1, 1, 1)),)
    elif not path.is_file():
        return Config(), (SetupError(f"--config {path}: no such file"),)
    if table is not None:
        # The same keys as .driftlint.yaml, under [tool.driftlint] (as ruff reads pyproject).
        path = root / PYPROJECT
        doc = YamlDoc(f"{PYPROJECT} [tool.driftlint]", known_codes)
        data = table
    else:
        doc = YamlDoc(_label(root, path), known_codes)
        data = load_yaml(doc, path)
    setters: dict[str, Any] = {}
    if data is not None and (not isinstance(data, CommentedMap) or tagged(data)):
        doc.error(f"the config must be a mapping, not {type_name(data)}", at(data))
    elif data is not None:
        own = path.resolve().is_relative_to(root.resolve())
        _apply(doc, data, root, setters, own=own)
    scripts: list[ScriptRule] = list(setters.pop("scripts", []))
    wrappers: list[str] = list(setters.pop("wrappers", []))
    types: list[str] = []
    rule_dirs: list[str] = list(setters.get("rule_dirs", []))
    subs: list[YamlDoc] = []
    if rule_dirs and isinstance(data, CommentedMap):
        where = dict(strings(YamlDoc("", known_codes), data, "rules"))
        for rule_file in _rule_files(root, rule_dirs, doc, where):
            sub = YamlDoc(_label(root, rule_file), known_codes)
            subs.append(sub)
            rule_data = load_yaml(sub, rule_file)
            if isinstance(rule_data, CommentedMap) and not tagged(rule_data):
                sub.unknown_keys(rule_data, RULE_FILE_KEYS, " in a rule file")
                if "scripts" in rule_data:
                    scripts.extend(_scripts(sub, rule_data, root))
                if "wrappers" in rule_data:
                    # A wrapper rule pack: its table is read by the wrappers stage.
                    wrappers.append(sub.label)
                if "types" in rule_data:
                    # Resource types of the site's own Forge modules, as in
                    # rules/resource-types.yaml; read by the extraction stage.
                    types.append(sub.label)
            elif rule_data is not None:
                sub.error(
                    f"a rule file must be a mapping, not {type_name(rule_data)}", at(rule_data)
                )
    if table is not None:  # TOML positions are not kept: name the table, not a line
        doc.errors = [SetupError(f"{doc.label}: {e.message}") for e in doc.errors]
    errors = [e for d in (doc, *subs) for e in d.errors]
    scripts = _unique(scripts, errors)
    config = Config(
        scripts=tuple(scripts),
        rule_dirs=tuple(rule_dirs),
        role_prefix=setters.get("role_prefix", "role::"),
        exclude=tuple(setters.get("exclude", ())),
        per_path=tuple(setters.get("per_path", ())),
        select=setters.get("select"),
        ignore=frozenset(setters.get("ignore", frozenset())),
        severity=tuple(setters.get("severity", ())),
        max_file_size=setters.get("max_file_size", 5_000_000),
        max_depth=setters.get("max_depth", 50),
        max_expansions=setters.get("max_expansions", 64),
        wrappers=tuple(dict.fromkeys(wrappers)),
        hiera=setters.get("hiera", HieraRule()),
        roots=tuple(setters.get("roots", ())),
        types=tuple(dict.fromkeys(types)),
        modulepath=tuple(setters.get("modulepath", ())),
    )
    return config, tuple(errors)


PYPROJECT = "pyproject.toml"


def _pyproject_table(root: Path) -> Any:
    """`[tool.driftlint]` of the tree's pyproject.toml as round-trip YAML nodes, or None."""
    import json
    import tomllib

    from ruamel.yaml import YAML

    file = root / PYPROJECT
    if not file.is_file() or not is_inside(root, PYPROJECT):
        return None
    try:
        if file.stat().st_size > MAX_CONFIG_SIZE:
            return None
        table = tomllib.loads(file.read_text(encoding="utf-8")).get("tool", {}).get("driftlint")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # another tool's file: its own tools report it
    if table is None:
        return None
    # JSON is YAML: the table becomes the nodes a .driftlint.yaml gives (dates as text).
    return YAML(typ="rt").load(json.dumps(table, default=str))


def _unique(scripts: list[ScriptRule], errors: list[SetupError]) -> list[ScriptRule]:
    """The first entry of each name wins; a second one is an error where it is written."""
    seen: dict[str, ScriptRule] = {}
    for rule in scripts:
        first = seen.get(rule.name)
        if first is None:
            seen[rule.name] = rule
        else:
            errors.append(
                SetupError(
                    f"script {quote(rule.name)} is declared twice (first at {first.span})",
                    rule.span,
                )
            )
    return list(seen.values())
