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
from dataclasses import replace

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
    if _PLUGIN.search(code) and _ADD_ARG.search(code):
        return _plugin(path, code, index, script)
    return None


# Nagios::Plugin / Monitoring::Plugin: `$np->add_arg(spec => 'hostname|H=s', required => 1)`
# (or `add_arg('hostname|H=s', 'help', ...)`); their Getopt module configures `no_ignore_case`
# and `bundling`, and adds the standard options below itself.
_PLUGIN = re.compile(r"\b(?:Nagios|Monitoring)::Plugin\b")
_ADD_ARG = re.compile(r"\badd_arg\s*\(")
_SPEC_KEY = re.compile(r"""\bspec\s*=>\s*(['"])([^'"]*)\1""")
_FIRST_STRING = re.compile(r"""\s*(['"])([^'"]*)\1""")
_REQUIRED_KEY = re.compile(r"""\brequired\s*=>\s*['"]?1\b""")
_PLUGIN_STANDARD = ("usage|?", "help|h", "version|V", "verbose|v+", "timeout|t=i", "extra-opts:s@")


def _plugin(path: str, code: str, index: LineIndex, script: str) -> Interface | None:
    options: list[Option] = []
    first: int | None = None
    for call in _ADD_ARG.finditer(code):
        end = _closing(code, call.end())
        inside = code[call.end() : end]
        m = _SPEC_KEY.search(inside) or _FIRST_STRING.match(inside)
        if m is None:
            continue
        at = call.end() + m.start(2)
        option = _spec(m.group(2), at, path, index)
        if option is None:
            continue
        required = _REQUIRED_KEY.search(inside) is not None
        # the plugin keeps one value per name unless the spec says `@` or `%`
        single = option.takes_value and not re.search(r"[@%]", m.group(2))
        options.append(_bundled(replace(option, required=required, repeatable=not single)))
        first = call.start() if first is None else first
    if not options:
        return None
    declared = {n for o in options for n in o.names}
    for text in _PLUGIN_STANDARD:
        option = _spec(text, 0, path, index)
        if option is not None and not set(option.names) & declared:
            options.append(_bundled(replace(option, span=None)))
    start = first or 0
    return make_interface(
        script,
        "getopt_long",
        options=tuple(options),
        source=index.span(path, start, start + len("add_arg")),
        positionals=(Positional("args", 0, None),),
    )


def _bundled(option: Option) -> Option:
    """Under `bundling`, Getopt::Long takes one dash for a letter and two for a name."""
    names = tuple(n for n in option.names if (len(n) == 2) == (not n.startswith("--")))
    return replace(option, names=names or option.names)


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
            # `'name=s' => \$name`: a scalar keeps the last value (repeated-option)
            scalar = re.match(r"=>\s*\\\$", after) is not None
            many = re.search(r"[@%{]", m.group(2)) is not None
            single = scalar and option.takes_value and not many
            options.append(replace(option, repeatable=not single))
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
