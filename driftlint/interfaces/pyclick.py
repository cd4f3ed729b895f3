"""Read a `click` command line from Python source with `ast` (never imported or run).

`@click.command()` (or `@click.group()`) on a function, with `@click.option('--name', '-n')`
and `@click.argument('path', nargs=-1)` under it; `@cli.command()` on another function is a
subcommand of the group `cli`, named after the function (underscores become dashes). From
click's documentation: an option takes a value unless `is_flag`, `count` or a `--x/--no-x`
pair makes it a flag; `multiple=True` repeats; `type=click.Choice([...])` lists choices;
arguments are required unless `required=False`, `default=` or `nargs=-1`; options may follow
arguments; long names are never abbreviated; `--help` is always there.
"""

from __future__ import annotations

import ast

from driftlint.interfaces.common import make_interface
from driftlint.interfaces.pyoptions import span_of
from driftlint.model import Interface, Option, Positional, Span

__all__ = ["read_click"]


def read_click(tree: ast.Module, text: str, path: str, script: str) -> Interface | None:
    """The click interface of a script, its top command and subcommands; None without one."""
    if "click" not in text:
        return None
    lines = text.split("\n")
    # function name -> (its definition, "command" or "group", the decorator call)
    commands: dict[str, tuple[ast.FunctionDef, str, ast.Call]] = {}
    children: dict[str, list[tuple[tuple[str, ...], ast.FunctionDef]]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call is not None else decorator
            if not isinstance(func, ast.Attribute):
                continue
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if func.attr not in ("command", "group"):
                continue
            if owner == "click":
                commands[node.name] = (node, func.attr, call or ast.Call(func, [], []))
            elif owner:
                name = _first_string(call) if call is not None else None
                names = (name,) if name else _names(node.name)
                children.setdefault(owner, []).append((names, node))
                commands[node.name] = (node, func.attr, call or ast.Call(func, [], []))
    nested = {c.name for kids in children.values() for _, c in kids}
    tops = [n for n in commands if n not in nested]
    if len(tops) != 1:
        return None  # none, or several top commands: which one runs is not for us to guess
    return _interface(tops[0], commands, children, lines, path, script, set())


def _interface(
    name: str,
    commands: dict[str, tuple[ast.FunctionDef, str, ast.Call]],
    children: dict[str, list[tuple[tuple[str, ...], ast.FunctionDef]]],
    lines: list[str],
    path: str,
    script: str,
    seen: set[str],
) -> Interface:
    function, kind, call = commands[name]
    seen.add(name)
    options: list[Option] = []
    positionals: list[Positional] = []
    unknown_ok = _ignores_unknown(call)
    for decorator in reversed(function.decorator_list):
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        attr = decorator.func.attr
        if attr in ("option", "password_option", "confirmation_option", "version_option"):
            option = _option(decorator, lines, path)
            if option is not None:
                options.append(option)
        elif attr == "argument":
            positionals.append(_argument(decorator, lines, path))
    options.append(Option(("--help",), sources=frozenset({"code"})))
    subcommands: list[tuple[str, Interface]] = []
    if kind == "group":
        for names, child in children.get(name, []):
            if child.name not in seen and child.name in commands:
                found = _interface(child.name, commands, children, lines, path, script, seen)
                subcommands.extend((sub, found) for sub in names)
        if not subcommands:
            unknown_ok = True  # commands added elsewhere (`add_command`, another file)
            positionals = [Positional("args", 0, None)]
    return make_interface(
        script,
        "optparse",  # click's parser descends from optparse: the next word is the value
        options=tuple(options),
        positionals=tuple(positionals),
        subcommands=tuple(subcommands),
        source=span_of(function, lines, path),
        abbreviations=False,
        accepts_unknown=unknown_ok,
    )


def _names(function: str) -> tuple[str, ...]:
    """What click names a command after its function, across versions: the name as written
    (before 7.0), with dashes for underscores (7.0), and without a `_command`/`_cmd`/`_group`/
    `_grp` suffix (8.2)."""
    names = [function, function.replace("_", "-")]
    for suffix in ("_command", "_cmd", "_group", "_grp"):
        if function.endswith(suffix) and function != suffix:
            names.append(function.removesuffix(suffix).replace("_", "-"))
    return tuple(dict.fromkeys(n.strip("-_") or n for n in names))


def _option(call: ast.Call, lines: list[str], path: str) -> Option | None:
    names: list[str] = []
    flag = False
    first: ast.expr | None = None
    for argument in call.args:
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            continue
        for part in argument.value.split("/"):
            part = part.strip()
            if part.startswith("-"):
                names.append(part)
                first = first or argument
        flag = flag or "/" in argument.value
    if not names or first is None:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    flag = flag or _true(keywords.get("is_flag")) or _true(keywords.get("count"))
    flag = flag or attr in ("version_option", "confirmation_option")
    choices = _choices(keywords.get("type"))
    nargs = keywords.get("nargs")
    count = nargs.value if isinstance(nargs, ast.Constant) and isinstance(nargs.value, int) else 1
    span = span_of(first, lines, path)
    name_span = Span(path, span.line, span.column + 1, span.line, span.column + 1 + len(names[0]))
    return Option(
        tuple(names),
        takes_value=not flag,
        nargs=count if count > 1 else 1,
        choices=choices if not flag else None,
        repeatable=flag or _true(keywords.get("multiple")),
        required=_true(keywords.get("required")),
        span=name_span,
        sources=frozenset({"code"}),
    )


def _argument(call: ast.Call, lines: list[str], path: str) -> Positional:
    name = _first_string(call) or "arg"
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    nargs = keywords.get("nargs")
    count = nargs.value if isinstance(nargs, ast.Constant) and isinstance(nargs.value, int) else 1
    required = keywords.get("required")
    if count < 0:
        low, high = (1 if _true(required) else 0), None
    else:
        optional = (required is not None and not _true(required)) or "default" in keywords
        low, high = (0 if optional else count), count
    return Positional(
        name.upper(), low, high, _choices(keywords.get("type")), span_of(call, lines, path)
    )


def _ignores_unknown(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "context_settings":
            text = ast.unparse(keyword.value)
            return "ignore_unknown_options" in text or "allow_extra_args" in text
    return False


def _first_string(call: ast.Call | None) -> str | None:
    if call is None:
        return None
    for argument in call.args:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return argument.value
    for keyword in call.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _choices(node: ast.expr | None) -> tuple[str, ...] | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    items = node.args[0]
    if name != "Choice" or not isinstance(items, ast.List | ast.Tuple):
        return None
    out = [e.value for e in items.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return tuple(out) if len(out) == len(items.elts) else None
