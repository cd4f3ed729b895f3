"""Read a script's declared interface: explicit spec > parser code > usage text (DESIGN §5)."""

from __future__ import annotations

import ast
import posixpath
import re
import warnings
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any

from driftlint.interfaces.caseloop import MAX_ARMS, CaseParse, read_case
from driftlint.interfaces.codeusage import code_usage, refine
from driftlint.interfaces.common import (
    LineIndex,
    TextLine,
    make_interface,
    parse_error,
    undocumented,
)
from driftlint.interfaces.docopt import Usage
from driftlint.interfaces.explicit import looks_explicit, read_explicit
from driftlint.interfaces.getopts import ShellParse, code_lines, read_getopt, read_getopts
from driftlint.interfaces.perl import looks_perl, read_perl
from driftlint.interfaces.positional import blank_shell, shell_positional
from driftlint.interfaces.py2 import parse_either, python2_error
from driftlint.interfaces.pyargparse import read_python
from driftlint.interfaces.pyclick import read_click
from driftlint.interfaces.pyfire import read_fire
from driftlint.interfaces.pygetopt import read_pygetopt
from driftlint.interfaces.ruby import looks_ruby, read_ruby
from driftlint.interfaces.scriptargs import perl_positional, python_positional, ruby_positional
from driftlint.interfaces.shellcode import operands_from_code
from driftlint.interfaces.usage import (
    best_usage,
    python_blocks,
    shell_blocks,
    string_lines,
    whole_text,
)
from driftlint.ltext import SYMBOL
from driftlint.model import Finding, Interface, Option, Positional, Span

__all__ = ["read_interface"]

_MAX_TEXT = 2_000_000  # bound the work (DESIGN §10)
_ERB_TAG = re.compile(r"<%.*?%>", re.S)
_LONE_CR = re.compile(r"\r(?!\n)")
_SHELLS = re.compile(r"^#!.*\b(?:ba|da|k|z|)sh\b")
_HELP = frozenset({"-h", "--help"})


def read_interface(
    path: str,
    text: str,
    script: str,
    read: Callable[[str], str | None] | None = None,
    language: str = "",
) -> Interface | None:
    """The interface `text` (the file at tree-relative `path`) declares; None if none.
    `language` (`python`, `shell`, `perl`, `ruby`) is what a call site runs it with, for a
    file with neither shebang nor suffix (`python /usr/local/lib/x`)."""
    try:
        found = _read(path, text, script, read, language)
        return _unsure_options(_unsure_subcommands(found, text))
    except (RecursionError, MemoryError):  # pathological input: too deep to read
        span = Span(path, 1, 1, 1, 1)
        return make_interface(
            script,
            "docopt",
            accepts_unknown=True,
            source=span,
            positionals=(Positional("args", 0, None),),
            errors=(parse_error(span, "file too deeply nested to read"),),
        )


def _read(
    path: str,
    text: str,
    script: str,
    read: Callable[[str], str | None] | None,
    language: str = "",
) -> Interface | None:
    if len(text) > _MAX_TEXT:
        return None
    if looks_explicit(path, text):
        return read_explicit(path, text, script)
    name = path[:-4] if path.endswith(".erb") else path
    first = text.split("\n", 1)[0]
    python = (
        name.endswith(".py")
        or (first.startswith("#!") and "python" in first)
        or (language == "python" and not first.startswith("#!"))
    )
    templated = path.endswith(".erb")
    progs = frozenset(
        {script, posixpath.basename(name), posixpath.splitext(posixpath.basename(name))[0]}
    )
    if python:
        code = _blank(text, "_") if templated else text
        # Python also ends a line at a lone `\r`; spans count `\n` only. The swap keeps offsets.
        flat = _LONE_CR.sub("\n", code)
        found = _python(path, flat, script, read, progs)
        if found is None or flat == code:
            return found
        moved: Interface = _respan(found, path, LineIndex(flat), LineIndex(code))
        return moved
    body = _blank(text, SYMBOL) if templated else text
    # Perl and Ruby: only their option parser's code is read; usage text alone would mislead.
    if looks_perl(body) or (language == "perl" and not first.startswith("#!")):
        return read_perl(path, body, script) or refine(
            perl_positional(path, body, script), code_usage("perl", body, path, progs)
        )
    if looks_ruby(body) or (language == "ruby" and not first.startswith("#!")):
        return read_ruby(path, body, script) or refine(
            ruby_positional(path, body, script), code_usage("ruby", body, path, progs)
        )
    shell = (
        name.endswith((".sh", ".bash"))
        or bool(_SHELLS.match(first))
        or (language == "shell" and not first.startswith("#!"))
    )
    if shell:
        found = _runs_the_rest(_shell(path, body, script, progs), body)
        if found is None:
            return shell_positional(path, body, script)
        if found.dialect == "docopt" and not any(
            n not in _HELP for o in found.options for n in o.names
        ):
            # usage text with operands only: the code's own reading decides (DESIGN §5)
            return refine(shell_positional(path, body, script), found) or found
        return found
    usage = best_usage([whole_text(body)], path, progs) or best_usage(
        shell_blocks(body), path, progs
    )
    return _combine(script, None, usage, ())


# What reads an operand in shell code (after getopts, which reads options through $OPTARG).
_OPERANDS = re.compile(
    r"\$[1-9@*]|\$\{[1-9@*!]|\bshift\b\s*(?:;|$)|\bfor\s+\w+\s*(?:;|$|do\b)", re.M
)
# `exec ... "$@"` (continued lines included): the script runs its remaining arguments.
_EXEC_REST = re.compile(r'(?m)^\s*exec\b(?:[^\n]|\\\n)*?"\$@"')


def _runs_the_rest(found: Interface | None, body: str) -> Interface | None:
    """A wrapper script (`govuk_setenv APP child`: `shift` its own positionals off, then
    `exec envdir ... "$@"`): its last positional is a command with its own arguments, so it
    takes any number of words. A script that hands all its arguments on (`exec php x.php
    "$@"`) has its own usage: that stays as it is."""
    if found is None or len(found.positionals) < 2 or found.positionals[-1].max is None:
        return found
    rest = _EXEC_REST.search(body)
    if rest is None or not re.search(r"(?m)^\s*shift\b", body[: rest.start()]):
        return found
    last = replace(found.positionals[-1], max=None)
    return replace(found, positionals=(*found.positionals[:-1], last))


def _respan(value: Any, path: str, old: LineIndex, new: LineIndex) -> Any:
    """Value with every Span in path moved from old's lines to new's (same offsets)."""
    if isinstance(value, Span):
        if value.path != path:
            return value
        last = len(old.starts)
        start = old.starts[min(value.line, last) - 1] + value.column - 1
        end = old.starts[min(value.end_line, last) - 1] + value.end_column - 1
        return new.span(path, start, end)
    if isinstance(value, tuple):
        return tuple(_respan(v, path, old, new) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _respan(getattr(value, f.name), path, old, new) for f in fields(value)}
        return replace(value, **changes)
    return value


def _blank(text: str, mark: str) -> str:
    """ERB tags become opaque: output tags start with `mark`, the rest is spaces (lines kept)."""

    def sub(m: re.Match[str]) -> str:
        blank = re.sub(r"[^\n]", " ", m.group(0))
        return mark + blank[1:] if m.group(0).startswith("<%=") else blank

    return _ERB_TAG.sub(sub, text)


# shell -----------------------------------------------------------------------------------------
def _shell(path: str, text: str, script: str, progs: frozenset[str]) -> Interface | None:
    found = _shell_parsers(path, text, script, progs)
    return None if found is None else operands_from_code(found, code_lines(text))


def _shell_parsers(path: str, text: str, script: str, progs: frozenset[str]) -> Interface | None:
    index = LineIndex(text)
    code = code_lines(text)
    usage = best_usage(shell_blocks(text), path, progs)
    getopt = read_getopt(text, path, index)
    case = read_case(text, code, path, index)
    if getopt is not None:
        options = _pair(getopt.options, case)
        posix = "POSIXLY_CORRECT" in code
        found = make_interface(
            script,
            "getopt_long",
            options=options,
            source=getopt.source,
            interleaved=getopt.interleaved and not posix,
            single_dash_long=getopt.single_dash_long,
            positionals=(Positional("args", 0, None),),
        )
        return _combine(script, found, usage, getopt.errors)
    getopts = read_getopts(text, path, index)
    if getopts is not None:
        found = _from_shell(script, getopts)
        combined = _combine(script, found, usage, getopts.errors)
        if combined is not None and not _OPERANDS.search(blank_shell(text)):
            # the code never reads an operand: text cannot make one required
            loose = tuple(replace(p, min=0) for p in combined.positionals)
            return replace(combined, positionals=loose)
        return combined
    if case is not None:
        found = make_interface(
            script,
            "manual",
            options=case.options,
            source=case.source,
            interleaved=case.interleaved,
            accepts_unknown=case.accepts_unknown,
            long_equals=case.long_equals,
            positionals=(Positional("args", 0, None),),
        )
        cut = case.cut
        if cut is None:
            return _combine(script, found, usage, ())
        problem = (
            f"`case` has more than {MAX_ARMS} arms; the rest are not read, any option is accepted"
        )
        return _combine(script, found, usage, (parse_error(cut, problem),))
    return _combine(script, None, usage, ())


def _from_shell(script: str, parsed: ShellParse) -> Interface:
    return make_interface(
        script,
        parsed.dialect,
        options=parsed.options,
        source=parsed.source,
        interleaved=parsed.interleaved,
        positionals=(Positional("args", 0, None),),
    )


def _pair(options: tuple[Option, ...], case: CaseParse | None) -> tuple[Option, ...]:
    """Join getopt's short and long spellings that one `case` arm handles (`-t|--timeout)`)."""
    if case is None:
        return options
    by_name = {n: o for o in options for n in o.names}
    out: list[Option] = []
    used: set[int] = set()
    for arm in case.arms:
        group = [by_name[n] for n, _ in arm.names if n in by_name]
        group = [o for o in dict.fromkeys(group) if id(o) not in used]
        if len(group) > 1:
            names = tuple(n for o in group for n in o.names)
            out.append(
                replace(
                    group[0],
                    names=names,
                    takes_value=any(o.takes_value for o in group),
                    optional_value=all(o.optional_value for o in group),
                )
            )
            used.update(id(o) for o in group)
    rest = [o for o in options if id(o) not in used]
    merged = out + rest
    # Each in the place of the first option sharing a name with it: by a table of each
    # name's first place (a scan of every option per option took minutes for 10,000).
    first: dict[str, int] = {}
    for i, o in enumerate(options):
        for n in o.names:
            first.setdefault(n, i)
    return tuple(
        sorted(merged, key=lambda o: min((first[n] for n in o.names if n in first), default=0))
    )


# python ----------------------------------------------------------------------------------------
def _python(
    path: str,
    text: str,
    script: str,
    read: Callable[[str], str | None] | None,
    progs: frozenset[str],
) -> Interface | None:
    try:
        with warnings.catch_warnings():  # `1if x`, `"\d"`: the script's problem, not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError) as error:
        if isinstance(error, TabError) and "\t" in text:
            # Python 2 reads a tab as up to the next multiple of 8 columns: so do we, then
            # move every span back to the columns as written.
            expanded, shifts = _expand_tabs(text)
            found = _python(path, expanded, script, read, progs)
            return None if found is None else _shift_back(found, path, shifts)
        either = parse_either(text)  # Python 2, rewritten in place (same lines and columns)
        if either is not None:
            return _python_tree(path, either[1], script, read, progs, either[0], text)
        error = python2_error(text) or error  # broken in both: say where, not Python 3's view
        # Python may point past the end of a line (a continuation at its end): stay inside.
        lines = text.split("\n")
        line = min(max(1, getattr(error, "lineno", None) or 1), len(lines))
        column = min(max(1, getattr(error, "offset", None) or 1), len(lines[line - 1]) + 1)
        span = Span(path, line, column, line, column + 1)
        finding = parse_error(span, f"cannot parse Python: {getattr(error, 'msg', error)}")
        if re.search(r"ArgumentParser|OptionParser|docopt", text):
            # A parser we cannot read: accept anything rather than report false errors.
            return make_interface(
                script,
                "argparse",
                accepts_unknown=True,
                source=span,
                positionals=(Positional("args", 0, None),),
                errors=(finding,),
            )
        return None
    return _python_tree(path, text, script, read, progs, tree)


def _expand_tabs(text: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """Leading tabs expanded as Python 2 reads them; per line changed, (the expanded
    indentation's width, how many columns it grew)."""
    lines = text.split("\n")
    shifts: dict[int, tuple[int, int]] = {}
    for number, line in enumerate(lines, start=1):
        lead = len(line) - len(line.lstrip(" \t"))
        if "\t" not in line[:lead]:
            continue
        wide = line[:lead].expandtabs(8)
        shifts[number] = (len(wide), len(wide) - lead)
        lines[number - 1] = wide + line[lead:]
    return "\n".join(lines), shifts


def _shift_back(value: Any, path: str, shifts: dict[int, tuple[int, int]]) -> Any:
    if isinstance(value, Span):
        if value.path != path:
            return value

        def back(line: int, column: int) -> int:
            width, grew = shifts.get(line, (0, 0))
            return column - grew if column > width else min(column, width - grew + 1)

        return replace(
            value,
            column=back(value.line, value.column),
            end_column=back(value.end_line, value.end_column),
        )
    if isinstance(value, tuple):
        return tuple(_shift_back(v, path, shifts) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _shift_back(getattr(value, f.name), path, shifts) for f in fields(value)}
        return replace(value, **changes)
    return value


def _python_tree(
    path: str,
    text: str,
    script: str,
    read: Callable[[str], str | None] | None,
    progs: frozenset[str],
    tree: ast.Module,
    original: str | None = None,
) -> Interface | None:
    """`original`: the Python 2 text `text` was rewritten from (statements may be blanked)."""
    parsed = read_python(tree, text, path, script, read)
    lines = text.split("\n")
    if parsed.docopt is not None:
        block = _docopt_text(tree, parsed.docopt, lines)
        usage = best_usage([block], path, progs) if block else None
        if usage is None:
            usage = best_usage(python_blocks(tree, text), path, progs)
        if usage is not None:
            found = _text_interface(script, usage)
            return replace(found, interleaved=not parsed.options_first)
    code = (
        parsed.interface
        or read_pygetopt(tree, text, path, script)
        or read_click(tree, text, path, script)
        or read_fire(tree, text, path, script)
    )
    combined = _combine(script, code, best_usage(python_blocks(tree, text), path, progs), ())
    if combined is None and parsed.docopt is None:
        return refine(
            python_positional(tree, text, path, script, original or text),
            code_usage("python", original or text, path, progs),
        )
    return combined


def _docopt_text(tree: ast.Module, arg: ast.expr, lines: list[str]) -> list[TextLine]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return string_lines(arg, lines)
    if isinstance(arg, ast.Name):
        if arg.id == "__doc__":
            doc = tree.body[0] if tree.body else None
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant):
                return string_lines(doc.value, lines)
            return []
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
            ):
                return string_lines(node.value, lines)
    return []


# merging ---------------------------------------------------------------------------------------
def _text_interface(script: str, usage: Usage) -> Interface:
    return make_interface(
        script,
        "docopt",
        options=usage.options,
        positionals=usage.positionals,
        source=usage.source,
        # `with-lock [-t N] COMMAND [ARGS...]`: the command's own options follow it
        interleaved=not usage.command_tail,
    )


def _combine(
    script: str, code: Interface | None, usage: Usage | None, errors: tuple[Finding, ...]
) -> Interface | None:
    """Code decides; usage text fills positionals the code does not declare; drift warns."""
    if code is None:
        if usage is None:
            return None
        return replace(_text_interface(script, usage), errors=errors)
    if usage is None:
        return replace(code, errors=code.errors + errors)
    code_names = {n for o in code.options for n in o.names}
    warnings: list[Finding] = []
    options = []
    for option in code.options:
        documented = [o for o in usage.options if set(o.names) & set(option.names)]
        if documented:
            extra = documented[0]
            option = replace(
                option, sources=option.sources | {"text"}, help=option.help or extra.help
            )
        elif (
            usage.has_option_list
            and not usage.shortcut_only
            and not set(option.names) <= _HELP
            and option.span is not None
        ):
            warnings.append(
                undocumented(
                    option.span,
                    f"option `{option.name}` is accepted by {script} but its usage text does not"
                    " document it",
                    option.name,
                    script,
                )
            )
        options.append(option)
    if not code.accepts_unknown:
        for option in usage.options:
            if set(option.names) & code_names or set(option.names) <= _HELP or option.span is None:
                continue
            warnings.append(
                undocumented(
                    option.span,
                    f"option `{option.name}` is documented in the usage text of {script} but its"
                    " code does not accept it",
                    option.name,
                    script,
                )
            )
    positionals = code.positionals
    if code.dialect in ("getopts", "getopt_long", "manual") and usage.has_pattern:
        positionals = usage.positionals
    return replace(
        code,
        options=tuple(options),
        positionals=positionals,
        errors=code.errors + errors + tuple(warnings),
    )


def _unsure_subcommands(found: Interface | None, text: str) -> Interface | None:
    """Subparsers this reader could not follow (nested, built in a loop) make the positionals
    unknown: the parser takes words we cannot list, so none of them may be called wrong."""
    if (
        found is not None
        and found.dialect == "argparse"
        and "add_subparsers" in text
        and not found.subcommands
    ):
        return replace(found, positionals=(Positional("args", 0, None),), accepts_unknown=True)
    return found


def _unsure_options(found: Interface | None) -> Interface | None:
    """Usage text that names no option at all says nothing about options: it may just leave
    them out (`USAGE: [-c FILE]` echoed without a program name is not read as a pattern)."""
    if (
        found is not None
        and found.dialect == "docopt"
        and not any(n not in ("-h", "--help") for n in found.option_names())
    ):
        return replace(found, accepts_unknown=True)
    return found
