"""Puppet's and stdlib's string and array functions, on evaluator values, spans kept.

Each function takes one alternative of each argument; `call` runs it on every combination
(bounded) and returns the alternatives of the result. A function that cannot know its result
(an unknown argument where it matters, a regex Python cannot read) returns `Unknown`, never a
guess. The names and behaviours are those of Puppet 7's built-in functions and of
puppetlabs-stdlib (function reference of each).
"""

from __future__ import annotations

import itertools
import json
import posixpath
import re
from collections.abc import Callable, Iterable

from driftlint.ltext import SYMBOL, LText
from driftlint.model import Span
from driftlint.resolve import regexes
from driftlint.resolve.shellquote import SAFE, shellquote
from driftlint.values import Unknown, Value, WrittenHash, sorted_texts, to_text

Alts = list[Value]
Function = Callable[[list[Value], Span], Value]


def call(name: str, args: list[Alts], span: Span, limit: int) -> Alts | None:
    """The alternatives of `name(args)`, or None when `name` is not a function of this module."""
    function = FUNCTIONS.get(name)
    if function is None:
        return None
    out: Alts = []
    combos = itertools.islice(itertools.product(*args), limit + 1)
    for combo in combos:
        result = function(list(combo), span)
        if not any(result is o or result == o for o in out):
            out.append(result)
    if len(out) > limit:
        return [Unknown(span, f"{name}()")]
    return out or [Unknown(span, f"{name}()")]


_SMALL = re.compile(r"-?[0-9]{1,9}")


def small_int(value: Value) -> int | None:
    """An integer written in decimal with at most nine digits, else None."""
    text = known_text(value)
    return int(text.text) if text is not None and _SMALL.fullmatch(text.text) else None


def known_text(value: Value) -> LText | None:
    """A string (or number) whose every character is known, else None."""
    if isinstance(value, LText) and SYMBOL not in value.text:
        return value
    return None


def flatten(value: Value) -> list[Value]:
    out: list[Value] = []
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, tuple):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out


def _unknown(span: Span, name: str) -> Unknown:
    return Unknown(span, f"{name}()")


def _arithmetic(op: str, x: int | float, y: int | float) -> Value | None:
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    if op == ">=":
        return x >= y
    if op in ("/", "%") and y == 0:
        return None  # Puppet fails the catalog: nothing runs
    if op in ("<<", ">>"):
        if not isinstance(x, int) or not isinstance(y, int) or abs(y) > 64:
            return None
        left = (op == "<<") == (y >= 0)
        shifted = x << abs(y) if left else x >> abs(y)
        return LText.plain(str(shifted)) if abs(shifted) <= _MAX else None
    result: int | float
    if op == "+":
        result = x + y
    elif op == "-":
        result = x - y
    elif op == "*":
        result = x * y
    elif op == "/" and isinstance(x, int) and isinstance(y, int):
        result = x // y  # Ruby's integer division floors, as Python's does
    elif op == "/":
        result = x / y
    else:
        result = x % y
    if abs(result) > _MAX:
        return None
    return LText.plain(show_number(result))


def _join(args: list[Value], span: Span) -> Value:
    if not args or not isinstance(args[0], tuple):
        return _unknown(span, "join")
    sep = args[1] if len(args) > 1 else LText.plain("")
    if not isinstance(sep, LText):
        return _unknown(span, "join")
    return LText.join([to_text(v, span) for v in flatten(args[0])], sep)


def _split(args: list[Value], span: Span) -> Value:
    """`split(s, pattern)`: the pattern string is a regex (Puppet's split)."""
    if len(args) != 2:
        return _unknown(span, "split")
    text, pattern = known_text(args[0]), known_text(args[1])
    if text is None or pattern is None:
        return _unknown(span, "split")
    if pattern.text == "":
        return tuple(text[i : i + 1] for i in range(len(text)))
    regex = regexes.compile_ruby(pattern.text)
    if regex is None:
        return _unknown(span, "split")
    out: list[LText] = []
    start = 0
    try:
        matches = list(regexes.finditer(regex, text.text))
    except regexes.Unbounded:
        return _unknown(span, "split")
    for match in matches:
        if match.end() == match.start():
            continue
        out.append(text[start : match.start()])
        start = match.end()
    out.append(text[start:])
    while out and out[-1].text == "":  # Ruby's String#split drops trailing empty fields
        out.pop()
    return tuple(out)


def _concat(args: list[Value], span: Span) -> Value:
    out: list[Value] = []
    for arg in args:
        if isinstance(arg, Unknown):
            return _unknown(span, "concat")
        out.extend(arg if isinstance(arg, tuple) else (arg,))
    return tuple(out)


def _affix(name: str) -> Function:
    def affix(args: list[Value], span: Span) -> Value:
        if not args or not isinstance(args[0], tuple):
            return _unknown(span, name)
        if len(args) < 2 or args[1] is None:
            return args[0]
        extra = args[1]
        if not isinstance(extra, LText):
            return _unknown(span, name)
        items = [to_text(v, span) for v in args[0]]
        return tuple(extra + v if name == "prefix" else v + extra for v in items)

    return affix


def _delete(args: list[Value], span: Span) -> Value:
    if len(args) != 2:
        return _unknown(span, "delete")
    target, what = args
    gone = what if isinstance(what, tuple) else (what,)
    if any(unsure(g) for g in gone):
        return _unknown(span, "delete")
    if isinstance(target, tuple):
        if any(unsure(v) for v in target):
            return _unknown(span, "delete")
        return tuple(v for v in target if not any(_same(v, g) for g in gone))
    if isinstance(target, dict):
        keys = {g.text for g in gone if isinstance(g, LText)}
        return {k: v for k, v in target.items() if k not in keys}
    text = known_text(target)
    if text is None:
        return _unknown(span, "delete")
    for g in gone:
        if isinstance(g, LText) and g.text:
            text = LText.join(text.split(g.text))
    return text


def equal(a: Value, b: Value) -> bool | None:
    """Puppet's `==`: strings without regard to case, arrays and hashes item by item (not
    where they are written); None when it cannot be told."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if isinstance(a, LText) and isinstance(b, LText):
        if a.dynamic or b.dynamic:
            return None
        if a.text.lower() == b.text.lower():
            return True
        x, y = _number(a), _number(b)
        # `1 == 1.0` holds for numbers, not for the strings '1' and '1.0': a string and a
        # number look the same here.
        return None if x is not None and x == y else False
    if isinstance(a, LText) or isinstance(b, LText):
        other = b if isinstance(a, LText) else a
        if other is None or isinstance(other, bool | tuple | dict):
            return False  # a string is never undef, a boolean, an array nor a hash
        return None
    if isinstance(a, tuple) and isinstance(b, tuple):
        if _runs_unknown(a) or _runs_unknown(b):
            return None  # `[1, *$x]`: its length is not known
        if len(a) != len(b):
            return False
        return _all_equal(zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        return _all_equal((a[k], b[k]) for k in a)
    if isinstance(a, tuple | dict) or isinstance(b, tuple | dict):
        return False
    return a == b


def _runs_unknown(items: tuple[Value, ...]) -> bool:
    """Does the array hold an unknown item, which may stand for several (`*$x`, or `$x`
    after `flatten`), so its length is not known?"""
    return any(isinstance(v, Unknown) for v in items)


def _all_equal(pairs: Iterable[tuple[Value, Value]]) -> bool | None:
    out: bool | None = True
    for x, y in pairs:
        same = equal(x, y)
        if same is False:
            return False
        if same is None:
            out = None
    return out


def unsure(value: Value) -> bool:
    """Has the value an unknown part, at any depth?"""
    if isinstance(value, tuple):
        return any(unsure(v) for v in value)
    if isinstance(value, dict):
        return any(unsure(v) for v in value.values())
    return isinstance(value, Unknown) or (isinstance(value, LText) and value.dynamic)


def _same(a: Value, b: Value) -> bool:
    """The same value, wherever each is written (Ruby's `eql?`: case counts)."""
    if isinstance(a, LText) and isinstance(b, LText):
        return a.text == b.text
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _pairs(value: dict[str, Value]) -> tuple[Value, ...]:
    """A hash as the array of its `[key, value]` pairs (Puppet's `[1] + {a => 2}`)."""
    return tuple((LText.plain(k), v) for k, v in value.items())


def _pick(default: bool) -> Function:
    def pick(args: list[Value], span: Span) -> Value:
        name = "pick_default" if default else "pick"
        for arg in args:
            if isinstance(arg, Unknown):
                return _unknown(span, name)  # it may be undef or empty: the next may be next
            if arg is None or (isinstance(arg, LText) and arg.text == ""):
                continue
            if isinstance(arg, tuple | dict) and not arg and not default:
                continue
            return arg
        if default:
            return args[-1] if args else LText.plain("")
        return _unknown(span, name)  # pick fails the catalog: nothing runs

    return pick


def _merge(args: list[Value], span: Span) -> Value:
    out: dict[str, Value] = {}
    for arg in args:
        if arg is None or (isinstance(arg, LText) and arg.text == ""):
            continue
        if not isinstance(arg, dict):
            return _unknown(span, "merge")
        out.update(arg)
    return out


_FORMAT = re.compile(r"%(?:(%)|([-+ 0#]*)(\d*)(?:\.(\d+))?([A-Za-z]?))")


def _sprintf(args: list[Value], span: Span) -> Value:
    """`sprintf(format, ...)` for %s, %d, %i, %f with flags and width; else unknown."""
    fmt = known_text(args[0]) if args else None
    if fmt is None:
        return _unknown(span, "sprintf")
    out: list[LText] = []
    used, at = 1, 0
    for match in _FORMAT.finditer(fmt.text):
        out.append(fmt[at : match.start()])
        at = match.end()
        if match.group(1):
            out.append(fmt[match.start() : match.start() + 1])
            continue
        if used >= len(args):
            return _unknown(span, "sprintf")
        value = args[used]
        used += 1
        flags, width, precision, kind = match.group(2, 3, 4, 5)
        if len(width) > 3 or len(precision or "") > 2:
            return _unknown(span, "sprintf")  # a width past 999: not worth building
        if kind not in ("s", "d", "i", "f"):
            return _unknown(span, "sprintf")  # %c, %x, %<name>s ...: not read
        text = to_text(value, span)
        if kind == "s" and not flags and not width and not precision:
            out.append(text)
            continue
        if text.dynamic:
            return _unknown(span, "sprintf")
        try:
            number: object = text.text
            if kind in "di":
                number = int(text.text, 10)
            elif kind == "f":
                number = float(text.text)
            spec = f"%{flags}{width}{'.' + precision if precision else ''}{kind}"
            out.append(LText.plain(spec % number))
        except (ValueError, TypeError):
            return _unknown(span, "sprintf")
    out.append(fmt[at:])
    return LText.join(out)


def regsubst(args: list[Value], span: Span) -> Value:
    """`regsubst(target, pattern, replacement, flags)`: Ruby's sub/gsub, `\\0`-`\\9` and
    `\\k<name>` in the replacement; an array target is replaced element by element."""
    if len(args) < 3:
        return _unknown(span, "regsubst")
    target, pattern, replacement = args[:3]
    flags = known_text(args[3]) if len(args) > 3 else LText.plain("")
    if isinstance(target, tuple):
        items = [regsubst([item, *args[1:]], span) for item in target]
        return tuple(items)
    text, pat, repl = known_text(target), known_text(pattern), known_text(replacement)
    if text is None or pat is None or repl is None or flags is None:
        return _unknown(span, "regsubst")
    regex = regexes.compile_ruby(pat.text, "I" in flags.text, "E" in flags.text)
    if regex is None:
        return _unknown(span, "regsubst")
    out: list[LText] = []
    at = 0
    try:
        matches = regexes.finditer(regex, text.text)
    except regexes.Unbounded:
        return _unknown(span, "regsubst")
    for match in matches:
        out.append(text[at : match.start()])
        out.extend(_replacement(repl, match, text))
        at = match.end()
        if "G" not in flags.text:
            break
    out.append(text[at:])
    return LText.join(out)


_BACKREF = re.compile(r"\\(\d|k<(\w+)>|\\)")


def _replacement(repl: LText, match: re.Match[str], text: LText) -> list[LText]:
    out: list[LText] = []
    at = 0
    for ref in _BACKREF.finditer(repl.text):
        out.append(repl[at : ref.start()])
        at = ref.end()
        if ref.group(1) == "\\":
            out.append(repl[ref.start() + 1 : ref.end()])
            continue
        group: int | str = ref.group(2) or int(ref.group(1))
        try:
            start, end = match.span(group)
        except IndexError:
            continue
        if start >= 0:
            out.append(text[start:end])
    out.append(repl[at:])
    return out


def _shell_join(args: list[Value], span: Span) -> Value:
    """stdlib's `shell_join`: each element escaped as Ruby's Shellwords does, then spaces."""
    if len(args) != 1 or not isinstance(args[0], tuple):
        return _unknown(span, "shell_join")
    words: list[LText] = []
    for value in flatten(args[0]):
        text = to_text(value, span)
        if text.dynamic:
            words.append(text)  # unknown either way: one symbolic word
        elif text.text == "":
            words.append(LText.plain("''"))
        elif SAFE.fullmatch(text.text):
            words.append(text)
        else:
            pieces = [
                text[i : i + 1] if SAFE.fullmatch(c) else LText.plain("\\") + text[i : i + 1]
                for i, c in enumerate(text.text)
            ]
            words.append(LText.join(pieces))
    return LText.join(words, " ")


def _shellquote(args: list[Value], span: Span) -> Value:
    return shellquote(args, span)


def _to_json(args: list[Value], span: Span) -> Value:
    if len(args) != 1:
        return _unknown(span, "to_json")
    out = _json(args[0], span)
    return out if out is not None else _unknown(span, "to_json")


def _json(value: Value, span: Span) -> LText | None:
    if isinstance(value, LText):
        if value.dynamic:
            return None
        encoded = json.dumps(value.text)
        if encoded[1:-1] == value.text:  # nothing escaped: keep where it is written
            return LText.plain('"') + value + '"'
        return LText.plain(encoded)
    if value is True or value is False:
        return LText.plain("true" if value else "false")
    if value is None:
        return LText.plain("null")
    if isinstance(value, tuple):
        items = [_json(v, span) for v in value]
        if any(i is None for i in items):
            return None
        return LText.plain("[") + LText.join([i for i in items if i is not None], ",") + "]"
    if isinstance(value, dict):
        pairs: list[LText] = []
        for key, item in value.items():
            inner = _json(item, span)
            if inner is None:
                return None
            pairs.append(LText.plain(json.dumps(key) + ":") + inner)
        return LText.plain("{") + LText.join(pairs, ",") + "}"
    return None


def _path_part(name: str) -> Function:
    def part(args: list[Value], span: Span) -> Value:
        text = known_text(args[0]) if args else None
        if text is None:
            return _unknown(span, name)
        stripped = text.text.rstrip("/") or text.text[:1]
        if name == "dirname":
            head = posixpath.dirname(stripped)
            return text[: len(head)] if head else LText.plain(".")
        base = posixpath.basename(stripped)
        start = len(stripped) - len(base)
        out = text[start : start + len(base)]
        if len(args) > 1 and (suffix := known_text(args[1])) and out.text.endswith(suffix.text):
            out = out[: len(out) - len(suffix.text)]
        return out

    return part


def _sorted(unique: bool) -> Function:
    def order(args: list[Value], span: Span) -> Value:
        name = "unique" if unique else "sort"
        if not args or not isinstance(args[0], tuple):
            return _unknown(span, name)
        if unique and any(isinstance(v, Unknown) for v in args[0]):
            return _unknown(span, name)
        if unique:
            out: list[Value] = []
            for value in args[0]:
                if not any(_same(value, o) for o in out):
                    out.append(value)
            return tuple(out)
        found = sorted_texts(args[0])
        return found if found is not None else _unknown(span, name)

    return order


def _flatten(args: list[Value], span: Span) -> Value:
    if len(args) != 1:
        return tuple(flatten(tuple(args)))
    return tuple(flatten(args[0])) if isinstance(args[0], tuple) else (args[0],)


def _slice(args: list[Value], span: Span) -> Value:
    """`slice(array, n)` without a lambda: the array of its chunks of n."""
    n = small_int(args[1]) if len(args) == 2 else None
    if not args or not isinstance(args[0], tuple) or n is None or n < 1:
        return _unknown(span, "slice")
    items = args[0]
    return tuple(tuple(items[i : i + n]) for i in range(0, len(items), n))


def _case(upper: bool) -> Function:
    def change(args: list[Value], span: Span) -> Value:
        text = known_text(args[0]) if args else None
        if text is None:
            return _unknown(span, "upcase" if upper else "downcase")
        changed = text.text.upper() if upper else text.text.lower()
        return LText(changed, text.runs) if len(changed) == len(text.text) else LText.plain(changed)

    return change


def _strip(args: list[Value], span: Span) -> Value:
    text = known_text(args[0]) if args else None
    return text.strip() if text is not None else _unknown(span, "strip")


FUNCTIONS: dict[str, Function] = {
    "join": _join,
    "split": _split,
    "concat": _concat,
    "prefix": _affix("prefix"),
    "suffix": _affix("suffix"),
    "delete": _delete,
    "pick": _pick(False),
    "pick_default": _pick(True),
    "merge": _merge,
    "sprintf": _sprintf,
    "regsubst": regsubst,
    "shell_join": _shell_join,
    "shellquote": _shellquote,
    "to_json": _to_json,
    "basename": _path_part("basename"),
    "dirname": _path_part("dirname"),
    "sort": _sorted(False),
    "unique": _sorted(True),
    "flatten": _flatten,
    "slice": _slice,
    "downcase": _case(False),
    "upcase": _case(True),
    "strip": _strip,
}


_NUMBER = re.compile(r"-?\d{1,18}(?:\.\d{1,18})?")
_MAX = 10**18  # past this a result is not worth knowing (and Python's int printing has limits)
_LITERAL = re.compile(
    r"(?P<hex>0[xX][0-9a-fA-F]{1,15})|(?P<oct>0[0-7]{1,18})|(?P<int>[1-9][0-9]{0,17}|0)"
    r"|(?P<float>[0-9]{1,18}(?:\.[0-9]{1,18})?(?:[eE][-+]?[0-9]{1,3})?)"
)


def _number(value: Value) -> int | float | None:
    """A number written as Puppet reads one from a string (decimal, octal `0367`, hex `0x1f`;
    bounded), else None."""
    text = known_text(value)
    if text is None:
        return None
    sign, body = (-1, text.text[1:]) if text.text.startswith("-") else (1, text.text)
    found = _LITERAL.fullmatch(body)
    if found is None:
        return None
    if found["hex"]:
        return sign * int(body, 16)
    if found["oct"]:
        return sign * int(body, 8)
    if found["int"]:
        return sign * int(body)
    if not any(c in body for c in ".eE"):
        return None  # `08`: neither octal nor decimal, Puppet refuses it
    number = float(body)
    if abs(number) > _MAX:
        return None
    return sign * number


def number_text(text: str) -> str | None:
    """Puppet's string of a number literal (what `"${x}"` and an argv word show): `010` is
    8, `0x10` 16, `0.314e1` 3.14; None when it is not a number Puppet 4+ reads."""
    number = _number(LText.plain(text))
    return None if number is None else show_number(number)


def show_number(number: int | float) -> str:
    """A number as Ruby's `to_s` writes it: `150.0`, `1.0e+16`, `1.0e-05`."""
    if isinstance(number, int):
        return str(number)
    shown = repr(number)
    if "e" not in shown:
        return shown
    mantissa, _, exponent = shown.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    sign = exponent[0] if exponent[0] in "+-" else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').rjust(2, '0')}"


def operator(op: str, a: Value, b: Value) -> Value | None:
    """Arithmetic and comparison of numbers and strings, shifts, `in`, and `+`/`-`/`<<` of
    hashes and arrays (Puppet language reference, "Expressions and operators"; Puppet's
    evaluator_impl.rb `calculate`, `concatenate`, `delete` and compare_operator.rb); None when
    not known here."""
    if op in ("<", ">", "<=", ">="):
        return _compare(op, a, b)
    if isinstance(a, tuple | dict) and op in ("+", "-", "<<"):
        return _collection(op, a, b)
    if op in ("+", "-", "*", "/", "%", "<<", ">>"):
        x, y = coerced(a), coerced(b)
        if x is not None and y is not None:
            return _arithmetic(op, x, y)
        return None
    if op == "in":
        return _in(a, b)
    return None


# Puppet's Patterns::NUMERIC: what arithmetic reads as a number from a string (blanks around
# and after the sign allowed: `'- 2' + 2` is 0).
_COERCE = re.compile(r"[ \t]*([-+]?)[ \t]*(\S+?)[ \t]*")


def coerced(value: Value) -> int | float | None:
    """A number as arithmetic reads it from a value (`' -2 '` is -2), else None."""
    text = known_text(value)
    found = _COERCE.fullmatch(text.text) if text is not None else None
    if found is None or found[2].startswith(("-", "+")):
        return None
    number = _number(LText.plain(found[2]))
    return None if number is None else (-number if found[1] == "-" else number)


def _casecmp(a: str, b: str) -> int:
    """Ruby's `String#casecmp`: ASCII letters folded, then byte order."""
    x = a.translate(_ASCII_LOWER).encode()
    y = b.translate(_ASCII_LOWER).encode()
    return (x > y) - (x < y)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _compare(op: str, a: Value, b: Value) -> Value | None:
    """`<` and friends: numbers by value, strings by `casecmp`; a number against a string
    fails the catalog. A string and a number look alike here, so when both look like numbers
    the answer is known only if both readings agree."""
    x, y = known_text(a), known_text(b)
    if x is None or y is None:
        return None
    order = _casecmp(x.text, y.text)
    as_text = {"<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0}[op]
    if not may_be_number(x.text) or not may_be_number(y.text):
        return as_text  # one is surely a string: so is the other, or Puppet fails
    n, m = _number(x), _number(y)
    if n is None or m is None:
        return None  # a number written in a way not read here (Hiera's `1_000`, `+5`)
    return as_text if _arithmetic(op, n, m) == as_text else None


def may_be_number(text: str) -> bool:
    """Could a number (a literal, a result, a number of Hiera's YAML) have this text?"""
    body = text.strip(" \t").lstrip("+-").strip(" \t")
    return body[:1].isdigit() or body[:1] == "." or body.lower() in ("inf", "nan")


def _collection(op: str, a: tuple[Value, ...] | dict[str, Value], b: Value) -> Value | None:
    if isinstance(a, tuple):
        if op == "<<":
            return (*a, b)
        items = b if isinstance(b, tuple) else _pairs(b) if isinstance(b, dict) else (b,)
        if op == "+":
            return a + items
        partial = isinstance(b, dict) and not isinstance(b, WrittenHash)
        if partial or any(unsure(v) for v in (*a, *items)):
            return None  # an unknown item, or pairs of a hash that may have more
        return tuple(v for v in a if not any(_same(v, g) for g in items))
    if op == "<<":
        return None  # Puppet fails: `<<` appends to an array only
    if op == "+":
        added = b if isinstance(b, dict) else _hash_of(b)
        if added is None:
            return None
        merged = {**a, **added}
        both = isinstance(a, WrittenHash) and isinstance(b, WrittenHash | tuple)
        return WrittenHash(merged) if both else merged
    gone = tuple(b) if isinstance(b, dict) else b if isinstance(b, tuple) else (b,)
    keys: set[str] = set()
    for key in gone:
        if isinstance(key, str):
            keys.add(key)
        elif isinstance(key, LText) and not key.dynamic:
            keys.add(key.text)
        else:
            return None
    kept = {k: v for k, v in a.items() if k not in keys}
    return WrittenHash(kept) if isinstance(a, WrittenHash) else kept


def _hash_of(value: Value) -> dict[str, Value] | None:
    """An array added to a hash: its `[key, value]` pairs, or a flat key, value list."""
    if not isinstance(value, tuple):
        return None
    if value and all(isinstance(v, tuple) for v in value):
        pairs = [v for v in value if isinstance(v, tuple)]
        if any(len(p) != 2 for p in pairs):
            return None
    elif len(value) % 2 == 0 and not any(isinstance(v, tuple) for v in value):
        pairs = [value[i : i + 2] for i in range(0, len(value), 2)]
    else:
        return None
    out: dict[str, Value] = {}
    if any(_runs_unknown(p) for p in (value, *pairs)):
        return None
    for key, item in pairs:
        if not isinstance(key, LText) or key.dynamic:
            return None
        out[key.text] = item
    return out


def _in(a: Value, b: Value) -> Value | None:
    if isinstance(a, tuple | dict):
        if not isinstance(b, tuple):
            return False if isinstance(b, LText) and not b.dynamic else None
        found = [equal(v, a) for v in b]
        return True if True in found else None if None in found else False
    needle = known_text(a)
    if needle is None:
        return None
    if isinstance(b, tuple):
        if any(unsure(v) for v in b):
            return None
        low = needle.text.lower()
        number = _number(needle)
        if number is not None and any(_number(v) == number for v in b):
            return None  # `15 in [0xf]` holds, `'15' in [0xf]` does not: they look alike
        return any(isinstance(v, LText) and v.text.lower() == low for v in b)
    # Puppet's `in` compares strings without regard to case, in a string and among a
    # hash's keys too.
    if isinstance(b, dict):
        if any(needle.text.lower() == k.lower() for k in b):
            return True
        return False if isinstance(b, WrittenHash) else None  # others may have more keys
    hay = known_text(b)
    if hay is None:
        return None
    inside = needle.text.lower() in hay.text.lower()
    # Nothing is `in` a number: a haystack that may be one says only false for sure.
    return None if inside and may_be_number(hay.text) else inside
