"""Icinga 2 `CheckCommand`s: the `command` array and the `arguments` dictionary, in installed
`.conf` files (`object CheckCommand "x" { ... }`) and in `icinga2::object::checkcommand`
resources (driftlint.extract).

Each key of `arguments` is an argv word Icinga 2 passes when the argument is set (Icinga 2
docs, "Command Arguments"): with no `value` and no `set_if` always; with a `value` holding a
`$macro$` only when the macro resolves; with `set_if` when it is true (a macro or a lambda:
unknown). `required = true` makes Icinga 2 refuse to run without the value, so the key is
passed whenever the check runs. `skip_key` passes the value alone, `repeat_key` (default true)
repeats the key before each element of an array value, `order` sorts (default 0, then by key).
A key passed only on a macro's value carries that condition, so what is wrong with it is a
warning that says so, and an error when the key is always passed. Macros are unknown words
(driftlint.sites.macros).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span, Word
from driftlint.parse import shell
from driftlint.sites.base import Site
from driftlint.sites.macros import has_macro, macros_to_symbols

# Constants of Icinga 2's constants.conf, as Debian's package installs it.
CONSTANTS = {
    "PluginDir": "/usr/lib/nagios/plugins",
    "PluginContribDir": "/usr/lib/nagios/plugins",
    "ManubulonPluginDir": "/usr/lib/nagios/plugins",
}
TRUE, FALSE = "true", "false"
REMOTE = "an Icinga 2 endpoint"


@dataclass(frozen=True, slots=True)
class Argument:
    key: LText  # as written, without quotes
    value: LText | None = None  # None: no value (a flag)
    set_if: LText | None = None  # the text "true"/"false", a macro, or SYMBOL (a lambda)
    skip_key: bool = False
    repeat_key: bool = True
    required: bool = False
    order: int = 0


def argv(command: list[LText], arguments: list[Argument]) -> shell.Command | None:
    """The argv a CheckCommand runs: its command array, then each argument that may be set."""
    words: list[Word] = []
    for part in command:
        word = _word(macros_to_symbols(part), quoted=not _only_macro(part))
        if word is not None:
            words.append(word)
    if not words:
        return None
    for argument in sorted(arguments, key=lambda a: (a.order, a.key.text)):
        words.extend(_argument_words(argument))
    # The master schedules the check; an agent zone or a `command_endpoint` may run it.
    return shell.Command(words=tuple(words), remote=REMOTE)


def _argument_words(argument: Argument) -> list[Word]:
    conditions: list[str] = []
    if argument.set_if is not None:
        text = argument.set_if.text.strip()
        if text == FALSE or text == "0":
            return []  # never set
        if text != TRUE and text != "1":
            shown = f"`{text}`" if SYMBOL not in text else "its `set_if` function"
            conditions.append(f"{shown} is true")
    value = argument.value
    if value is not None and has_macro(value.text) and not argument.required:
        conditions.append(f"`{value.text}` resolves")
    out: list[Word] = []
    if not argument.skip_key:
        word = _word(_assume(argument.key, conditions), quoted=True)
        if word is not None:
            out.append(word)
    if value is not None:
        # A macro that resolves to nothing skips the whole argument, so after its key the
        # value is one word; an array repeats the key before each element (`-H a -H b`), the
        # same option again. Without the key, or with `repeat_key = false`, an array macro
        # is any number of words.
        single = not _only_macro(value) or (argument.repeat_key and not argument.skip_key)
        word = _word(_assume(macros_to_symbols(value), conditions), quoted=single)
        if word is not None:
            out.append(word)
    return out


def _only_macro(text: LText) -> bool:
    """A value that is one macro and nothing else: an array macro makes several words."""
    return re.fullmatch(r"\s*\$[A-Za-z_][A-Za-z0-9_.]*\$\s*", text.text) is not None


def _assume(text: LText, conditions: list[str]) -> LText:
    if not conditions:
        return text
    runs = tuple(replace(r, assumed=(*r.assumed, *conditions)) for r in text.runs)
    return LText(text.text, runs)


def _word(text: LText, quoted: bool) -> Word | None:
    span = text.span()
    if span is None or not text.text:
        return None
    return Word(text.text, span, text.dynamic, quoted or not text.dynamic, text)


# --- the Icinga 2 configuration language, as much as a CheckCommand needs ------------------
TOKEN = re.compile(
    r"(?P<space>\s+|//[^\n]*|#[^\n]*|/\*.*?\*/)"
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<lambda>\{\{.*?\}\})"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op>\+=|[{}\[\]=+,;()])"
    r"|(?P<other>.)",
    re.DOTALL,
)
OBJECT = re.compile(r'\b(?:object|template)\s+CheckCommand\s+"[^"]*"')


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: LText  # a string's contents without quotes


def _tokens(text: LText) -> list[Token]:
    out: list[Token] = []
    for match in TOKEN.finditer(text.text):
        kind = match.lastgroup or "other"
        if kind == "space":
            continue
        start, end = match.span()
        if kind == "string":
            start, end = start + 1, end - 1
        out.append(Token(kind, text[start:end]))
    return out


class _Reader:
    """A CheckCommand body: `command = ...` and `arguments (+)= { ... }`; the rest skipped."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self, offset: int = 0) -> Token | None:
        i = self.at + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def next(self) -> Token | None:
        token = self.peek()
        self.at += 1
        return token

    def is_op(self, text: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "op" and token.text.text == text

    def body(self) -> tuple[list[LText] | LText | None, list[Argument]]:
        """From after an object's `{` to its `}`."""
        command: list[LText] | LText | None = None
        arguments: list[Argument] = []
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.text.text == "}":
                self.at += 1
                break
            if token.kind == "name" and (self.is_op("=", 1) or self.is_op("+=", 1)):
                name = token.text.text
                self.at += 2
                value = self.expression()
                if name == "command":
                    command = value if isinstance(value, list | LText) else None
                elif name == "arguments" and isinstance(value, dict):
                    arguments.extend(_arguments(value))
                continue
            self.skip()
        return command, arguments

    def skip(self) -> None:
        """One token, or a whole bracketed group."""
        token = self.next()
        if token is None or token.kind != "op" or token.text.text not in "{[(":
            return
        depth = 1
        while depth and (token := self.next()) is not None:
            if token.kind == "op" and token.text.text in "{[(":
                depth += 1
            elif token.kind == "op" and token.text.text in "}])":
                depth -= 1

    def expression(self) -> object:
        """A string concatenation, an array, a dictionary, a lambda (SYMBOL) or a name."""
        value = self.operand()
        while self.is_op("+"):
            self.at += 1
            right = self.operand()
            both = isinstance(value, LText) and isinstance(right, LText)
            value = value + right if both else None  # type: ignore[operator]
        return value

    def operand(self) -> object:
        token = self.next()
        if token is None:
            return None
        if token.kind == "string":
            return token.text
        if token.kind == "number":
            return token.text
        if token.kind == "name":
            name = token.text.text
            if name in CONSTANTS:
                span = token.text.span()
                return LText.literal(CONSTANTS[name], *_at(span)) if span else None
            if name in (TRUE, FALSE):
                return token.text
            return _unknown(token.text, name)
        if token.kind == "lambda":
            return _unknown(token.text, "a lambda")
        if token.kind == "op" and token.text.text == "[":
            items: list[LText] = []
            while not self.is_op("]") and self.peek() is not None:
                item = self.expression()
                if isinstance(item, LText):
                    items.append(item)
                else:
                    return None
                if self.is_op(","):
                    self.at += 1
            self.at += 1
            return items
        if token.kind == "op" and token.text.text == "{":
            out: dict[str, tuple[LText, object]] = {}
            while not self.is_op("}") and self.peek() is not None:
                key = self.next()
                if key is None or key.kind not in ("string", "name") or not self.is_op("="):
                    self.at -= 1
                    self.skip()
                    continue
                self.at += 1
                out[key.text.text] = (key.text, self.expression())
                if self.is_op(",") or self.is_op(";"):
                    self.at += 1
            self.at += 1
            return out
        return None


def _at(span: Span) -> tuple[str, int, int]:
    return span.path, span.line, span.column


def _unknown(text: LText, name: str) -> LText | None:
    span = text.span()
    return LText.symbol(span, name) if span else None


def _arguments(found: dict[str, tuple[LText, object]]) -> list[Argument]:
    out: list[Argument] = []
    for key, value in found.values():
        if isinstance(value, LText):
            out.append(Argument(key, value))
        elif isinstance(value, dict):
            out.append(_argument(key, {k: v for k, (_, v) in value.items()}))
        else:
            out.append(Argument(key, _unknown(key, "an argument value") or key))
    return out


def _argument(key: LText, attrs: Mapping[str, object]) -> Argument:
    def text(name: str) -> LText | None:
        found = attrs.get(name)
        if isinstance(found, bool):
            return LText.plain(TRUE if found else FALSE)
        if isinstance(found, int):
            return LText.plain(str(found))
        return found if isinstance(found, LText) else None

    def flag(name: str, default: bool) -> bool:
        found = text(name)
        return default if found is None else found.text.strip() == TRUE

    order = text("order")
    value = text("value")
    if "value" in attrs and value is None:
        value = _unknown(key, "an argument value")
    set_if = text("set_if")
    if "set_if" in attrs and set_if is None:
        set_if = LText.plain(SYMBOL)
    return Argument(
        key,
        value,
        set_if,
        skip_key=flag("skip_key", False),
        repeat_key=flag("repeat_key", True),
        required=flag("required", False),
        order=int(order.text) if order and re.fullmatch(r"-?\d+", order.text) else 0,
    )


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for match in OBJECT.finditer(text.text):
        brace = text.text.find("{", match.end())
        if brace < 0:
            continue
        reader = _Reader(_tokens(text[brace + 1 :]))
        command, arguments = reader.body()
        out.extend(_commands(command, arguments, path))
    return out


def _commands(
    command: list[LText] | LText | None, arguments: list[Argument], path: str
) -> list[shell.Command]:
    if isinstance(command, LText):
        # A string is run by a shell (Icinga 2 docs, CheckCommand `command`).
        return list(shell.parse_shell(macros_to_symbols(command), path).commands)
    if not command:
        return []
    found = argv(command, arguments)
    return [found] if found is not None else []


def command_part(text: LText) -> LText:
    """An element of a Puppet `command` array: `PluginDir + "/check_x"` (or unquoted, as the
    icinga/puppet-icinga2 module writes it) is the plugin folder and the rest; anything else
    is the text itself."""
    match = re.match(r'\s*([A-Za-z]\w*)\s*\+\s*"?([^"]*)"?\s*$', text.text)
    if match and match.group(1) in CONSTANTS:
        span = text.span(match.start(1), match.end(1))
        head = LText.literal(CONSTANTS[match.group(1)], *_at(span)) if span else LText.plain("")
        return head + text[match.start(2) : match.end(2)]
    return _unquoted(text)


def _unquoted(text: LText) -> LText:
    """`'"$address$"'`: the older module wanted the Icinga 2 quotes inside the Puppet string."""
    stripped = text.text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        start = text.text.index('"')
        return text[start + 1 : start + len(stripped) - 1]
    return text


def resource_commands(
    command: list[LText] | LText | None,
    arguments: Mapping[str, object],
    path: str,
    key_text: Mapping[str, LText] | None = None,
) -> list[shell.Command]:
    """The commands of an `icinga2::object::checkcommand`: its `command` (an array, or a
    string the shell runs) and its `arguments` hash, whose keys are located by `key_text`
    (key → its text as written) when the caller could find them."""
    parts = [command_part(c) for c in command] if isinstance(command, list) else command
    found: list[Argument] = []
    for key, value in arguments.items():
        located = (key_text or {}).get(key)
        if located is None:
            at = value if isinstance(value, LText) else None
            span = at.span() if at is not None else None
            if span is None:
                continue  # nowhere to put a finding about it
            located = LText.literal(key, *_at(span))
        if isinstance(value, LText):
            found.append(Argument(located, _unquoted(value)))
        elif isinstance(value, dict):
            attrs = {k: (_unquoted(v) if isinstance(v, LText) else v) for k, v in value.items()}
            found.append(_argument(located, attrs))
        elif value is None or isinstance(value, bool):
            found.append(Argument(located))
        else:
            found.append(Argument(located, _unknown(located, "an argument value") or located))
    return _commands(parts, found, path)


SITE = Site(
    "icinga2-checkcommand",
    read,
    paths=("/etc/icinga2/*.conf",),
    content=re.compile(r"\b(?:object|template)\s+CheckCommand\s+\""),
)
