"""Look through wrapper commands (`sudo -u x nice timeout 1h cmd`) to the commands they run."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from driftlint.ltext import LText
from driftlint.model import Word
from driftlint.parse.shell import Command, parse_shell
from driftlint.parse.shell_words import NAME

__all__ = ["Wrapper", "WrapperTable", "default_wrappers", "load_wrappers", "unwrap"]

MAX_DEPTH = 8  # wrappers inside wrappers inside `sh -c` strings


@dataclass(frozen=True, slots=True)
class Wrapper:
    """One family of wrappers; see the comment at the top of rules/wrappers.yaml."""

    names: tuple[str, ...]
    values: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    commands: frozenset[str] = frozenset()
    shell_flag: str = ""
    programs: tuple[str, ...] = ()
    skip: int = 0
    argv: bool = True
    argv_if: frozenset[str] = frozenset()
    interleaved: bool = False
    assignments: bool = False
    remote: bool = False  # the operands after `skip`, joined by spaces, run in another host's shell


@dataclass(frozen=True, slots=True)
class WrapperTable:
    by_name: Mapping[str, Wrapper] = field(default_factory=dict)

    def find(self, argv0: str) -> Wrapper | None:
        return self.by_name.get(argv0) or self.by_name.get(PurePosixPath(argv0).name)


def _wrapper(entry: Mapping[str, Any]) -> Wrapper:
    def names(key: str) -> tuple[str, ...]:
        value = entry.get(key) or ()
        return tuple(str(v) for v in (value if isinstance(value, list) else [value]))

    return Wrapper(
        names=names("names"),
        values=frozenset(names("values")),
        flags=frozenset(names("flags")),
        commands=frozenset(names("commands")),
        shell_flag=str(entry.get("shell_flag") or ""),
        programs=names("programs"),
        skip=int(entry.get("skip") or 0),
        argv=bool(entry.get("argv", True)) and not entry.get("argv_if"),
        argv_if=frozenset(names("argv_if")),
        interleaved=bool(entry.get("interleaved", False)),
        assignments=bool(entry.get("assignments", False)),
        remote=bool(entry.get("remote", False)),
    )


def load_wrappers(paths: Sequence[Path]) -> WrapperTable:
    """Merge rule packs in order; a later pack's entry replaces an earlier one of the same name.

    A missing or malformed file raises `ValueError` naming it: rule packs are setup, not input.
    """
    table: dict[str, Wrapper] = {}
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            entries = data.get("wrappers") or []
            for entry in entries:
                wrapper = _wrapper(entry)
                for name in wrapper.names:
                    table[name] = wrapper
        except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: cannot read wrapper rules: {error}") from error
    return WrapperTable(table)


def default_wrappers() -> WrapperTable:
    """The shipped rules/wrappers.yaml."""
    try:
        packaged = importlib.resources.files("driftlint") / "rules" / "wrappers.yaml"
        if packaged.is_file():
            return load_wrappers([Path(str(packaged))])
    except (ModuleNotFoundError, OSError):
        pass
    return load_wrappers([Path(__file__).resolve().parents[2] / "rules" / "wrappers.yaml"])


def unwrap(
    command: Command, table: WrapperTable, path: str, keep: Callable[[str], bool] | None = None
) -> tuple[Command, ...]:
    """The command(s) a wrapper runs, recursively; a non-wrapper is returned as is.

    A wrapper whose wrapped command cannot be told (no operand left, `su` without `-c`) gives
    nothing: it runs no command that could be a watched script. A wrapper whose argv[0]
    `keep` accepts (a watched script that runs its trailing arguments) comes first, as is.
    """
    return tuple(_unwrap(command, table, path, 0, keep))


def _unwrap(
    command: Command,
    table: WrapperTable,
    path: str,
    depth: int,
    keep: Callable[[str], bool] | None = None,
) -> list[Command]:
    if not command.words or depth >= MAX_DEPTH:
        return [command]
    head = command.words[0]
    wrapper = None if head.dynamic else table.find(head.text)
    if wrapper is None:
        return [command]
    inner = _Scan(wrapper, command).run()
    if inner is None:
        return [command]
    out: list[Command] = [command] if keep is not None and keep(head.text) else []
    for found in inner:
        if command.remote and not found.remote:
            found = replace(found, remote=command.remote)  # a wrapper on the remote host
        out.extend(_unwrap(found, table, path, depth + 1, keep))
    return out


@dataclass(slots=True)
class _Scan:
    wrapper: Wrapper
    command: Command
    strings: list[Word] = field(default_factory=list)  # shell command strings (`-c`)
    program: dict[str, Word] = field(default_factory=dict)  # program option -> its value
    given: set[str] = field(default_factory=set)
    shell: bool = False  # shell_flag was given

    def option(self, words: tuple[Word, ...], i: int) -> int:
        """Read the option at words[i]; return the index of the next word."""
        w = self.wrapper
        text = words[i].text
        if text.startswith("--") and len(text) > 2:
            name, eq, _value = text.partition("=")
            self.given.add(name)
            takes = name in w.values or name in w.commands or name in w.programs
            if not takes or eq:
                if eq:
                    self.take(name, _tail(words[i], len(name) + 1))
                return i + 1
            if i + 1 < len(words):
                self.take(name, words[i + 1])
            return i + 2
        if text in w.flags:
            self.given.add(text)
            return i + 1
        if len(text) > 2 and (text in w.values or text in w.commands or text in w.programs):
            self.given.add(text)  # a whole word, not a cluster (xautolock's `-locker cmd`)
            if i + 1 < len(words):
                self.take(text, words[i + 1])
            return i + 2
        for k in range(1, len(text)):  # a cluster: `-lc`, `-n19`, `-u www-data`
            name = text[0] + text[k]
            self.given.add(name)
            if w.shell_flag and text[k] == w.shell_flag:
                self.shell = True
            if name in w.values or name in w.commands or name in w.programs:
                if k + 1 < len(text):
                    self.take(name, _tail(words[i], k + 1))
                    return i + 1
                if i + 1 < len(words):
                    self.take(name, words[i + 1])
                return i + 2
        return i + 1

    def take(self, name: str, value: Word) -> None:
        if name in self.wrapper.commands:
            self.strings.append(value)
        elif name in self.wrapper.programs:
            self.program.setdefault(name, value)

    def run(self) -> list[Command] | None:
        w, words = self.wrapper, self.command.words
        assignments = list(self.command.assignments)
        operands: list[Word] = []
        rest: tuple[Word, ...] = ()
        i = 1
        while i < len(words):
            word = words[i]
            text = word.text
            if text == "--":
                rest = words[i + 1 :]
                break
            is_option = len(text) > 1 and (text[0] == "-" or text[:2] in w.values)
            if is_option and (w.interleaved or not operands):
                i = self.option(words, i)
                continue
            name = text.split("=")[0]
            if w.assignments and not operands and "=" in text and NAME.fullmatch(name):
                if word.source is not None:
                    assignments.append((name, word.source[len(name) + 1 :]))
                i += 1
                continue
            if not w.interleaved:
                rest = words[i:]
                break
            operands.append(word)
            i += 1
        operands.extend(rest)
        found: list[Command] = []
        env = dict(assignments)
        if self.shell and operands:  # `bash -c 'cmd' name args`
            self.strings.insert(0, operands[0])
            operands = []
        if self.program:
            for name in w.programs:
                if name in self.program:
                    program = self.program[name]
                    return [Command((program, *rest), tuple(assignments), self.command.passthrough)]
            return None
        skipped = operands[w.skip :]
        if w.remote and self.strings:  # `check_by_ssh -H host -C 'cmd'`
            name = PurePosixPath(words[0].text).name
            return [
                replace(c, remote=name)
                for s in self.strings
                if s.source is not None
                for c in parse_shell(s.source, s.span.path).commands
            ]
        if w.remote:
            # ssh joins its operands with spaces and the remote login shell reads them; what
            # that shell knows (its PATH, its variables) is not known here.
            sources = [s.source for s in skipped if s.source is not None]
            if not sources or len(sources) != len(skipped):
                return None
            joined = LText.join(sources, " ")
            name = PurePosixPath(words[0].text).name
            where = joined.paths()[0] if joined.paths() else ""
            return [replace(c, remote=name) for c in parse_shell(joined, where).commands]
        if skipped and skipped[0].text in w.commands:  # `flock LOCK -c cmd`
            self.strings.extend(skipped[1:2])
            skipped = []
        for string in self.strings:
            if string.source is not None:
                script = parse_shell(string.source, string.span.path, env)
                found.extend(
                    Command(c.words, tuple(assignments) + c.assignments, c.passthrough)
                    for c in script.commands
                )
        argv = w.argv or bool(w.argv_if & self.given)
        if argv and skipped and not self.strings:
            found.append(Command(tuple(skipped), tuple(assignments), self.command.passthrough))
        return found


def _tail(word: Word, start: int) -> Word:
    """The part of a word after `start` (an attached option value), still located."""
    source = word.source if word.source is not None else LText.plain(word.text)
    piece = source[start:]
    span = piece.span() or word.span
    return Word(piece.text, span, piece.dynamic, word.quoted, piece)
