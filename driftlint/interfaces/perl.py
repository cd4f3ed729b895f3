"""Read Perl `Getopt::Long` and `Getopt::Std` option specs from the source (never run).

`GetOptions('name|n=s' => \\$name, 'verbose!' => ..., 'level:i' => ...)`: names joined by `|`,
then `=T` (a value), `:T` or `:N` (an optional value), `!` (also `--noname`/`--no-name`), `+`.
Getopt::Long's defaults (its documentation): `-name` and `--name` both work, names may be
abbreviated, options may follow operands, no bundling unless `Configure("bundling")`.
`getopts('ab:')` of Getopt::Std reads like bash getopts; `getopt('ab')` makes every letter take
a value.
"""

from __future__ import annotations

import re

from driftlint.interfaces.common import LineIndex, make_interface
from driftlint.model import Interface, Option, Positional

_COMMENT = re.compile(r"(?m)^\s*#.*$|^=\w+[\s\S]*?^=cut\b.*$")
_LONG_CALL = re.compile(r"\bGetOptions(?:FromArray|FromString)?\s*\(")
_STD_CALL = re.compile(r"""\bgetopts?\s*\(?\s*(['"])([A-Za-z0-9:?]*)\1""")
_STRING = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1|\bqw\s*([(\[{/])([^)\]}/]*)[)\]}/]""")
_SPEC = re.compile(r"^([\w?-]+(?:\|[\w?-]+)*)([=:][sifo][@%]?(?:\{\d*,?\d*\})?|:\d+|:\+|!|\+)?$")
_CONFIG = re.compile(r"\bConfigure\s*\([^)]*\)|\buse\s+Getopt::Long\b[^;]*")
_MAX_SPECS = 500


def looks_perl(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.startswith("#!") and "perl" in first


def read_perl(path: str, text: str, script: str) -> Interface | None:
    """The Getopt::Long or Getopt::Std interface of a Perl script; None without either."""
    code = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    index = LineIndex(text)
    call = _LONG_CALL.search(code)
    if call is not None:
        return _long(path, code, call.start(), call.end(), index, script)
    std = _STD_CALL.search(code)
    if std is not None and "Getopt::Std" in code:
        return _std(path, std, index, script)
    return None


def _long(
    path: str, code: str, begin: int, start: int, index: LineIndex, script: str
) -> Interface | None:
    end = _closing(code, start)
    options: list[Option] = []
    for m in _STRING.finditer(code, start, end):
        if m.group(3) is not None:  # qw(a=s b c)
            base = m.start(4)
            for w in re.finditer(r"\S+", m.group(4)):
                option = _spec(w.group(0), base + w.start(), path, index)
                if option is not None:
                    options.append(option)
            continue
        after = code[m.end() : m.end() + 40].lstrip()
        if not after.startswith(("=>", ",", ")")) and after:
            continue  # a string inside a value (a sub's body), not a spec
        option = _spec(m.group(2), m.start(2), path, index)
        if option is not None:
            options.append(option)
        if len(options) > _MAX_SPECS:
            break
    if not options:
        return None
    config = " ".join(m.group(0) for m in _CONFIG.finditer(code))
    bundling = re.search(r"\bbundling\b", config) is not None
    return make_interface(
        script,
        "getopt_long",
        options=tuple(options),
        source=index.span(path, begin, end),
        bundling=bundling,
        attached_values=bundling,
        single_dash_long=not bundling,
        interleaved=re.search(r"\brequire_order\b", config) is None,
        abbreviations=re.search(r"\bno_auto_abbrev\b", config) is None,
        accepts_unknown=re.search(r"\bpass_through\b", config) is not None,
        positionals=(Positional("args", 0, None),),
    )


def _spec(text: str, at: int, path: str, index: LineIndex) -> Option | None:
    m = _SPEC.match(text)
    if m is None or text.startswith("<>"):
        return None
    names_text, kind = m.group(1), m.group(2) or ""
    names: list[str] = []
    for name in names_text.split("|"):
        if name:
            names.append(("-" if len(name) == 1 else "--") + name)
    if kind == "!":
        names += [f"--no{n.lstrip('-')}" for n in names] + [f"--no-{n.lstrip('-')}" for n in names]
    # Getopt::Long takes `--n` for a one-letter name and `-name` for a long one.
    names += [("--" if len(n) == 2 else "-") + n.lstrip("-") for n in names]
    takes = kind.startswith(("=", ":")) and kind != ":+"
    optional = kind.startswith(":")
    return Option(
        tuple(dict.fromkeys(names)),
        takes,
        nargs=-3 if optional and takes else 1,
        span=index.span(path, at, at + len(names_text.split("|")[0])),
        sources=frozenset({"code"}),
    )


def _std(path: str, m: re.Match[str], index: LineIndex, script: str) -> Interface:
    letters = m.group(2)
    every = not m.group(0).lstrip().startswith("getopts")
    options: list[Option] = []
    position = 0
    while position < len(letters):
        char = letters[position]
        value = every or letters[position + 1 : position + 2] == ":"
        if char != ":":
            at = m.start(2) + position
            options.append(
                Option(
                    ("-" + char,),
                    value,
                    span=index.span(path, at, at + 1),
                    sources=frozenset({"code"}),
                )
            )
        position += 2 if letters[position + 1 : position + 2] == ":" else 1
    # Getopt::Std answers `--help` and `--version` itself.
    options.append(Option(("--help",), sources=frozenset({"code"})))
    options.append(Option(("--version",), sources=frozenset({"code"})))
    return make_interface(
        script,
        "getopts",
        options=tuple(options),
        source=index.span(path, m.start(), m.end()),
        positionals=(Positional("args", 0, None),),
    )


def _closing(code: str, at: int) -> int:
    """The offset of the `)` that closes the parenthesis opened just before `at`."""
    depth = 1
    quote = ""
    i = at
    while i < len(code):
        c = code[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(code)
