"""Hiera v5 lookups (first-found) whose values keep the place each character is written."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from driftlint import reads
from driftlint.ltext import LText
from driftlint.model import Finding, Span
from driftlint.parse.yaml import load_yaml
from driftlint.reads import FrozenReads
from driftlint.resolve.hiera_config import Level, SkippedLevel, read_config
from driftlint.resolve.hiera_interp import interpolate, path_pattern
from driftlint.values import Unknown, Value


@dataclass(frozen=True, slots=True)
class HieraValue:
    value: Value  # located
    path: str  # the data file it came from
    level: str  # the hierarchy level's name
    certain: bool  # the level surely applies for the facts given; False: it may apply


class Hiera:
    """One Hiera layer: the environment's (`hiera.yaml` at the root) or one module's.

    Only first-found lookups are modelled: `lookup_options` and merge strategies (`unique`,
    `hash`, `deep`) are not, so a merged value is the highest-priority part of it.
    """

    __slots__ = (
        "_by_key",
        "_cache",
        "_data",
        "_file_errors",
        "_found_errors",
        "_globs",
        "_interpolated",
        "_keys",
        "_list",
        "_load_errors",
        "_read",
        "_texts",
        "levels",
        "module",
        "skipped_levels",
    )  # fmt: skip

    def __init__(
        self,
        read: Callable[[str], str | None],
        list_files: Callable[[str], Sequence[str]],
        levels: tuple[Level, ...] = (),
        skipped_levels: tuple[SkippedLevel, ...] = (),
        module: str | None = None,
        errors: tuple[Finding, ...] = (),
    ) -> None:
        self.levels = levels
        self.skipped_levels = skipped_levels  # other backends (eyaml, custom functions)
        self.module = module
        self._read = read
        self._list = list_files
        self._load_errors = errors
        self._found_errors: dict[Finding, None] = {}  # from data files, as lookups read them
        self._texts: dict[str, str | None] = {}
        self._data: dict[str, dict[str, Value] | None] = {}
        self._file_errors: dict[str, tuple[Finding, ...]] = {}
        self._globs: dict[str, tuple[str, ...]] = {}
        self._keys: dict[str, frozenset[str] | None] = {}
        self._interpolated: dict[frozenset[tuple[str, str]], list[list[tuple[str, bool]]]] = {}
        self._by_key: dict[str, tuple[tuple[str, ...], dict[str, list[int]], list[int]]] = {}
        self._cache: dict[
            tuple[str, frozenset[tuple[str, str]]], tuple[tuple[HieraValue, ...], FrozenReads]
        ] = {}

    @staticmethod
    def load(
        read: Callable[[str], str | None],
        list_files: Callable[[str], Sequence[str]],
        module: str | None = None,
        config: str | None = None,
        folders: frozenset[str] = frozenset(),
    ) -> Hiera:
        """Read the layer's config: `config` if given, else `modules/M/hiera.yaml` or `hiera.yaml`.

        A missing config gives a layer with no levels (Puppet would use its default hierarchy
        only for a module with a `data/` directory and a `hiera.yaml`).
        """
        path = config or (f"modules/{module}/hiera.yaml" if module else "hiera.yaml")
        text = read(path)
        if text is None:
            return Hiera(read, list_files, module=module)
        levels, skipped, errors = read_config(text, path, folders)
        return Hiera(read, list_files, levels, skipped, module, errors)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Problems in the config, then in the data files the lookups so far have read."""
        return self._load_errors + tuple(self._found_errors)

    @property
    def config_errors(self) -> tuple[Finding, ...]:
        return self._load_errors

    def file_errors(self, path: str) -> tuple[Finding, ...] | None:
        """A data file's problems if a lookup parsed it; None if none did."""
        return self._file_errors.get(path)

    def lookup(self, key: str, facts: Mapping[str, str]) -> tuple[HieraValue, ...]:
        """Every value that may answer `key`, highest priority first.

        Values from levels that may apply (facts unknown) come first; the first value from a
        level that surely applies ends the list, since it hides all below it.
        """
        return self._lookup(key.removeprefix("::"), facts, ())

    def lookup_merged(self, key: str, facts: Mapping[str, str]) -> tuple[HieraValue, ...]:
        """Every value of `key` in the files of every level, highest priority first: what a
        merge (`hiera_include`, `hiera_array`, `lookup(..., 'unique')`) combines."""
        key = key.removeprefix("::")
        if self.module is not None and not key.startswith(self.module + "::"):
            return ()
        return self._lookup_uncached(key, facts, frozenset(facts.items()), (), merge=True)

    def data_files(self) -> tuple[str, ...]:
        """Every data file some set of facts could make the hierarchy read."""
        out: dict[str, None] = {}
        for level in self.levels:
            for template in level.paths:
                pattern, concrete = path_pattern(
                    template, {}, level.mapped_var, level.kind == "glob"
                )
                base = _join(level.datadir, pattern)
                if level.backend == "expand_path":
                    globs = [base + ".yaml", base.rstrip("/") + "/**/*.yaml"]
                else:
                    globs = [base]
                for glob in globs:
                    if concrete and level.kind == "path" and glob == base:
                        if self._text(glob) is not None:
                            out[glob] = None
                    else:
                        out.update(dict.fromkeys(self._glob(glob)))
        return tuple(out)

    # lookups ------------------------------------------------------------------------------
    def _lookup(
        self, key: str, facts: Mapping[str, str], stack: tuple[str, ...]
    ) -> tuple[HieraValue, ...]:
        if self.module is not None and not key.startswith(self.module + "::"):
            return ()  # a module layer only answers keys in the module's namespace
        frozen = frozenset(facts.items())
        cache_key = (key, frozen)
        if not stack:
            cached = self._cache.get(cache_key)
            if cached is not None:
                cached[1].replay()  # the data files and keys the first lookup read
                return cached[0]
            with reads.collect() as read:
                found = self._lookup_uncached(key, facts, frozen, stack)
            self._cache[cache_key] = (found, read.frozen())
            return found
        return self._lookup_uncached(key, facts, frozen, stack)

    def _lookup_uncached(
        self,
        key: str,
        facts: Mapping[str, str],
        frozen: frozenset[tuple[str, str]],
        stack: tuple[str, ...],
        merge: bool = False,
    ) -> tuple[HieraValue, ...]:
        out: list[HieraValue] = []
        files = list(self._files(key, facts, frozen))
        sure = {path for _, path, certain in files if certain}
        seen: set[str] = set()
        for level, path, certain in files:
            # A glob over an unknown fact also matches files a lower level reads for sure
            # (`%{::site}/x.yaml` matches `common/x.yaml`): they belong to that level only.
            if path in seen or (not certain and path in sure):
                continue
            seen.add(path)
            for raw in self._find(path, key):
                value = interpolate(raw, facts, self._inner(key, facts, stack))
                out.append(HieraValue(value, path, level.name, certain))
            if out and out[-1].certain and not merge:
                break
        return tuple(out)

    def _inner(
        self, key: str, facts: Mapping[str, str], stack: tuple[str, ...]
    ) -> Callable[[str, Span | None], Value]:
        def inner(name: str, where: Span | None) -> Value:
            name = name.removeprefix("::")
            reads.note_key(name)  # an interpolated key is read as much as the key itself
            if name == key or name in stack:
                span = where or Span("hiera.yaml", 1, 1, 1, 2)
                message = f"hiera recursion: `{key}` interpolates `{name}`, which needs itself"
                self._found_errors[Finding(span, "parse-error", message, severity="warning")] = None
                return Unknown(where, f"lookup('{name}')")
            found = self._lookup(name, facts, (*stack, key))
            values = {_fingerprint(h.value) for h in found}
            # One possible answer is the answer; several (or none) leave the text unknown.
            if found and len(values) == 1:
                return found[0].value
            return Unknown(where, f"lookup('{name}')")

        return inner

    def _files(
        self, key: str, facts: Mapping[str, str], frozen: frozenset[tuple[str, str]]
    ) -> Iterator[tuple[Level, str, bool]]:
        """Data files in priority order, each with whether it surely applies."""
        namespace = key.split(".", 1)[0].split("::")[:-1]
        for level, paths in zip(self.levels, self._paths(facts, frozen), strict=True):
            for path, concrete in paths:
                if level.backend == "expand_path":
                    # wmflib::expand_path: `a::b::c` lives in `<path>/a/b.yaml`.
                    path = (_join(path, "/".join(namespace)) if namespace else path) + ".yaml"
                if concrete and level.kind == "path":
                    reads.note_tried(path)  # a file added here later would answer first
                    if self._text(path) is not None:
                        yield level, path, True
                    continue
                reads.note_tried(reads.GLOB + path)
                for match in self._glob_holding(path, key.split(".", 1)[0]):
                    yield level, match, concrete and level.kind == "glob"

    def _glob(self, pattern: str) -> tuple[str, ...]:
        if pattern not in self._globs:
            self._globs[pattern] = tuple(sorted(self._list(pattern)))
        return self._globs[pattern]

    def _paths(
        self, facts: Mapping[str, str], frozen: frozenset[tuple[str, str]]
    ) -> list[list[tuple[str, bool]]]:
        """Each level's paths with the facts filled in, under its datadir, and whether each
        is concrete: the same for every key looked up with these facts (`frozen`), so they
        are worked out once per set of facts."""
        found = self._interpolated.get(frozen)
        if found is None:
            found = []
            for level in self.levels:
                paths = []
                for template in level.paths:
                    pattern, concrete = path_pattern(
                        template, facts, level.mapped_var, level.kind == "glob"
                    )
                    paths.append((_join(level.datadir, pattern), concrete))
                found.append(paths)
            self._interpolated[frozen] = found
        return found

    def _glob_holding(self, pattern: str, root: str) -> tuple[str, ...]:
        """The files a glob matches that may hold the top-level key `root`, in glob order.

        A glob over a big folder (`common/*.yaml`, hosts) matches hundreds of files, most of
        which never mention the key: an index by key spares looking at each one per lookup.
        """
        if pattern not in self._by_key:
            by_key: dict[str, list[int]] = {}
            unsure: list[int] = []
            matches = self._glob(pattern)
            for i, path in enumerate(matches):
                keys = self._key_set(path)
                if keys is None:
                    unsure.append(i)
                for key in keys or ():
                    by_key.setdefault(key, []).append(i)
            self._by_key[pattern] = (matches, by_key, unsure)
        matches, by_key, unsure = self._by_key[pattern]
        found = by_key.get(root, [])
        if unsure:
            found = sorted({*found, *unsure})
        return tuple(matches[i] for i in found)

    def _key_set(self, path: str) -> frozenset[str] | None:
        """The top-level keys of a data file by a line scan; None: parse it to know."""
        if path not in self._keys:
            text = self._text(path)
            self._keys[path] = frozenset() if text is None else top_level_keys(text)
        return self._keys[path]

    def _text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def _find(self, path: str, key: str) -> tuple[Value, ...]:
        """key's raw value in one data file, or (); a dotted key digs into hashes."""
        root, *dig = key.split(".")
        keys = self._key_set(path)
        text = self._text(path)
        if text is None or (root not in keys if keys is not None else root not in text):
            return ()  # most files of a big hierarchy never mention the key: not parsed
        reads.note_data(path)  # its problems are reported when some lookup reads it
        if path not in self._data:
            data, errors = data_file(text, path)
            self._file_errors[path] = errors
            self._found_errors.update(dict.fromkeys(errors))
            self._data[path] = data
        data = self._data[path]
        if data is None or root not in data:
            return ()
        value: Value = data[root]
        for part in dig:
            if not isinstance(value, dict) or part not in value:
                return ()
            value = value[part]
        return (value,)


_TOP_KEY = re.compile(
    r"""^(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\n]|'')*)'|([^\s#'"][^\n]*?))[ \t]*:(?:[ \t]|$)"""
)
# A line at column 0 that may start something the line scan cannot read: flow collections,
# complex keys, anchors, tags, aliases, directives.
_UNSURE = frozenset("{[?&!*%|>")


def data_file(text: str, path: str) -> tuple[dict[str, Value] | None, tuple[Finding, ...]]:
    """A data file's top-level hash (None if it has none) and its problems."""
    data, errors = load_yaml(text, path)
    if data is not None and not isinstance(data, dict):
        errors = (*errors, _not_hash(path))
    return (data if isinstance(data, dict) else None), errors


def top_level_keys(text: str) -> frozenset[str] | None:
    """The keys of a YAML file's top-level mapping, read line by line without parsing, or None
    when the file has a shape the scan cannot vouch for (then the caller parses it).

    The answer may hold extra keys (a continuation line that looks like one), never too few:
    in block style every top-level key starts at column 0 and ends with `: ` or `:` at the
    end of the line.
    """
    if "<<" in text:
        return None  # merge keys copy keys from anchors
    keys: set[str] = set()
    for line in text.splitlines():
        if line.startswith(("---", "...")):
            if line[3:].strip()[:1] not in ("", "#"):
                return None  # a document that starts on the marker line
            continue
        if not line or line[0] in " \t#" or line[:2] in ("- ", "-\t") or line == "-":
            continue  # indented, a comment, or an item of a top-level sequence
        if line[0] in _UNSURE:
            return None
        found = _TOP_KEY.match(line)
        if found is None:
            continue  # a plain scalar document, or a continuation line
        double, single, plain = found.groups()
        if double is not None:
            if "\\" in double:
                return None
            keys.add(double)
        elif single is not None:
            keys.add(single.replace("''", "'"))
        else:
            keys.add(plain)
    return frozenset(keys)


def _join(datadir: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(datadir, path)) if datadir else path
    return posixpath.normpath(joined)


def _not_hash(path: str) -> Finding:
    message = "hiera data file does not hold a hash"
    return Finding(Span(path, 1, 1, 1, 2), "parse-error", message, severity="warning")


def _fingerprint(value: Value) -> object:
    """A comparable form of a value: its text and shape, not its locations."""
    if isinstance(value, LText):
        return ("text", value.text)
    if isinstance(value, tuple):
        return tuple(_fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, Unknown):
        return ("unknown", id(value))
    return value
