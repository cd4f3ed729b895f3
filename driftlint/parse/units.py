"""Read systemd units, environment files and crontabs down to located command lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from driftlint.ltext import LText
from driftlint.model import Finding, Word
from driftlint.parse.shell import Command, parse_shell
from driftlint.parse.shell_words import ANSI, Builder, fallback_span, relabel

__all__ = ["Unit", "parse_crontab", "parse_env_file", "parse_unit", "unit_commands"]

EXEC_KEYS = frozenset({
    "ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost",
    "ExecCondition",
})  # fmt: skip
EXEC_PREFIXES = "-@:+!|"  # systemd.service(5), "Table 1. Special executable prefixes"
KEY = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CRON_ENV = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*=")
CRON_NICKNAMES = frozenset({
    "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Unit:
    exec_lines: tuple[tuple[str, LText], ...]  # (key, command line with prefixes stripped)
    environment: dict[str, LText] = field(default_factory=dict)
    environment_files: tuple[str, ...] = ()  # paths, without the optional `-`
    errors: tuple[Finding, ...] = ()
    # (key, True) when the line had the `@` prefix: its second word is argv[0], not an argument
    argv0_override: tuple[bool, ...] = ()


def _logical_lines(text: LText) -> list[LText]:
    """Lines with backslash continuations joined by a space, as systemd reads them."""
    out: list[LText] = []
    pending: list[LText] = []
    for line in text.split("\n"):
        stripped = line.text.rstrip("\r")
        line = line[0 : len(stripped)]
        if pending and stripped.lstrip()[:1] in ("#", ";"):
            continue  # comments inside a continuation are skipped (systemd.syntax(7))
        if stripped.endswith("\\"):
            pending.append(line[0 : len(stripped) - 1])
            continue
        pending.append(line)
        out.append(LText.join(pending, " "))
        pending = []
    if pending:
        out.append(LText.join(pending, " "))
    return out


def parse_unit(text: LText, path: str) -> Unit:
    """Exec lines, Environment= and EnvironmentFile= of a unit; an empty value resets a list."""
    lines: list[tuple[str, LText]] = []
    overrides: list[bool] = []
    environment: dict[str, LText] = {}
    files: list[str] = []
    errors: list[Finding] = []
    for line in _logical_lines(text):
        body = line.text.strip()
        if not body or body[0] in "#;[":
            continue
        match = KEY.match(line.text)
        if match is None:
            start = len(line.text) - len(line.text.lstrip())
            errors.append(
                Finding(
                    fallback_span(line, path, start, len(line.text)),
                    "parse-error",
                    "cannot parse unit line: expected `Key=value`",
                    argument=body[:80],
                    severity="warning",
                )
            )
            continue
        key, value = match.group(1), line[match.end() :].strip()
        if key in EXEC_KEYS:
            if not value.text:
                # `ExecStart=` resets the list
                kept = [n for n, (k, _v) in enumerate(lines) if k != key]
                lines = [lines[n] for n in kept]
                overrides = [overrides[n] for n in kept]
                continue
            prefix = len(value.text) - len(value.text.lstrip(EXEC_PREFIXES))
            overrides.append("@" in value.text[:prefix])
            lines.append((key, value[prefix:].strip()))
        elif key == "Environment":
            for word in _split(value, path, {}, expand=False):
                if word.source is not None and "=" in word.text:
                    name, _, _ = word.text.partition("=")
                    environment[name] = word.source[len(name) + 1 :]
        elif key == "EnvironmentFile" and value.text:
            files.append(value.text.lstrip("-"))
    return Unit(tuple(lines), environment, tuple(files), tuple(errors), tuple(overrides))


def unit_commands(unit: Unit) -> tuple[Command, ...]:
    """Split each exec line into argv words the way systemd does (systemd.service(5))."""
    out: list[Command] = []
    for number, (_key, line) in enumerate(unit.exec_lines):
        path = line.paths()[0] if line.paths() else ""
        words = _split(line, path, unit.environment, expand=True)
        override = number < len(unit.argv0_override) and unit.argv0_override[number]
        if override and len(words) > 1:
            del words[1]  # `@/bin/prog name args`: argv[0] is `name`, the program is /bin/prog
        # A lone `;` word ends one command line and starts another (systemd.service(5),
        # "Command lines"); a line that escapes or quotes one (`\;`, `";"`) is read whole.
        pieces = [words]
        lone = len(re.findall(r"(?<!\S);(?!\S)", line.text))
        if lone and lone == sum(w.text == ";" for w in words):
            pieces = [[]]
            for word in words:
                if word.text == ";":
                    pieces.append([])
                else:
                    pieces[-1].append(word)
        out.extend(Command(tuple(piece)) for piece in pieces if piece)
    return tuple(out)


def _split(text: LText, path: str, env: dict[str, LText], expand: bool) -> list[Word]:
    """systemd's word splitting: quotes, C escapes, `$X` split, `${X}` one word, `%x` unknown."""
    s = text.text
    words: list[Word] = []
    i = 0
    while i < len(s):
        while i < len(s) and s[i] in " \t\n":
            i += 1
        if i >= len(s):
            break
        start = i
        b = Builder(text, path, start, start)
        quote = ""
        while i < len(s) and (quote or s[i] not in " \t\n"):
            c = s[i]
            if quote and c == quote:
                quote = ""
                i += 1
            elif not quote and c in "'\"":
                quote = c
                b.add(LText.plain(""), True)
                i += 1
            elif c == "\\" and i + 1 < len(s):
                e = s[i + 1]
                b.add(
                    relabel(text[i:], ANSI.get(e, e)) if e in ANSI else text[i + 1 : i + 2],
                    bool(quote),
                )
                i += 2
            elif expand and c == "%" and i + 1 < len(s):
                piece = text[i + 1 : i + 2] if s[i + 1] == "%" else None
                b.add(
                    piece or LText.symbol(fallback_span(text, path, i, i + 2), s[i : i + 2]),
                    bool(quote),
                )
                i += 2
            elif expand and c == "$" and s.startswith("$$", i):
                b.add(text[i + 1 : i + 2], bool(quote))
                i += 2
            elif expand and c == "$" and s.startswith("${", i) and "}" in s[i:]:
                end = s.index("}", i) + 1
                value = env.get(s[i + 2 : end - 1])
                b.add(value if value is not None else _symbol(text, path, i, end), bool(quote))
                i = end
            elif expand and c == "$" and i == start and (m := ENV_NAME.match(s, i + 1)):
                after = m.end()
                if after < len(s) and s[after] not in " \t\n":
                    b.add(text[i : i + 1], False)  # `$FOO` is only expanded as a whole word
                    i += 1
                    continue
                value = env.get(m.group())
                if value is None:
                    b.add(_symbol(text, path, i, after), False)
                else:
                    b.add_split(value)
                i = after
            else:
                b.add(text[i : i + 1], bool(quote) or False)
                i += 1
        b.end = i
        b.split()
        words.extend(b.words)
    return words


def _symbol(text: LText, path: str, start: int, end: int) -> LText:
    return LText.symbol(fallback_span(text, path, start, end), text.text[start:end])


def parse_env_file(text: LText, path: str) -> dict[str, LText]:
    """Variables of an /etc/default file or EnvironmentFile; each value located where written.

    These files are shell: `$X` references to earlier variables resolve, anything else that
    cannot be known (command substitutions, conditionals) is a SYMBOL.
    """
    return parse_shell(text, path).env


def parse_crontab(text: LText, path: str, system: bool) -> tuple[LText, ...]:
    """The command of each crontab line; `system` crontabs (/etc/crontab, cron.d) name a user.

    Per crontab(5), an unescaped `%` ends the command (the rest is standard input) and `\\%`
    stands for `%`.
    """
    out: list[LText] = []
    for line in text.split("\n"):
        s = line.text.rstrip("\r")
        body = s.lstrip()
        if not body or body.startswith("#") or CRON_ENV.match(s):
            continue
        fields = 1 if body.split(None, 1)[0] in CRON_NICKNAMES else 5
        fields += 1 if system else 0
        i = len(s) - len(body)
        for _ in range(fields):
            while i < len(s) and s[i] not in " \t":
                i += 1
            while i < len(s) and s[i] in " \t":
                i += 1
        pieces: list[LText] = []
        j = i
        while j < len(s) and s[j] != "%":
            if s.startswith("\\%", j):
                pieces.append(line[i:j])
                i = j + 1  # drop the backslash, keep the `%`
                j += 2
                continue
            j += 1
        pieces.append(line[i:j])
        command = LText.join(pieces).strip()
        if command.text:
            out.append(command)
    return tuple(out)
