"""Read a Python `fire` or `typer` command line from source with `ast`, where it is simple.

- `fire.Fire(main)` on a module-level function: each parameter is an option `--name` (also
  `--na-me` for `na_me`, and `-n` when its first letter is unique), which fire also takes by
  position; a `bool` default is a flag (`--name`, `--noname`). No positional is required (any
  may come as an option instead); more words than parameters are too many unless the function
  returns a value (fire goes on with the result) or takes `*args`/`**kwargs`.
- `typer.run(main)`, or a `typer.Typer()` app with one `@app.command()`: a parameter without a
  default, or with `typer.Argument(...)`, is a positional (required unless it has a default);
  any other is an option `--na-me` (names written in `typer.Option(..., "--x", "-x")` win); a
  `bool` is a flag `--name/--no-name`.
Anything else (`fire.Fire()` of a class or of everything, several typer commands,
`Annotated[...]` parameters) is not read: the interface stays unknown.
"""

from __future__ import annotations

import ast

from driftlint.interfaces.common import make_interface
from driftlint.interfaces.pyoptions import span_of
from driftlint.model import Interface, Option, Positional

__all__ = ["read_fire"]

_CODE = frozenset({"code"})


def read_fire(tree: ast.Module, text: str, path: str, script: str) -> Interface | None:
    """The fire or typer interface of a script; None without a simple one."""
    if "fire" not in text and "typer" not in text:
        return None
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    lines = text.split("\n")
    fire_target: ast.FunctionDef | None = None
    typer_target: ast.FunctionDef | None = None
    typer_commands: list[ast.FunctionDef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr == "command":
                    typer_commands.append(node)
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        target = node.args[0] if node.args else None
        function = functions.get(target.id) if isinstance(target, ast.Name) else None
        if name in ("fire.Fire", "Fire"):
            if function is None or len(node.args) != 1:
                return None
            fire_target = function
        elif name == "typer.run":
            if function is None:
                return None
            typer_target = function
    if fire_target is not None:
        return _fire(fire_target, lines, path, script)
    if typer_target is None and "typer.Typer" in text and len(typer_commands) == 1:
        typer_target = typer_commands[0]
    if typer_target is not None:
        return _typer(typer_target, lines, path, script)
    return None


def _fire(function: ast.FunctionDef, lines: list[str], path: str, script: str) -> Interface:
    arguments = function.args
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    defaults: dict[str, ast.expr] = {}
    positional = [*arguments.posonlyargs, *arguments.args]
    for param, value in zip(positional[::-1], arguments.defaults[::-1], strict=False):
        defaults[param.arg] = value
    for param, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[param.arg] = kw_default
    firsts = [p.arg[:1] for p in params]
    options = []
    for param in params:
        names = [f"--{param.arg}"]
        if "_" in param.arg:
            names.append(f"--{param.arg.replace('_', '-')}")
        if firsts.count(param.arg[:1]) == 1 and param.arg[:1] != "h":
            names.append(f"-{param.arg[:1]}")
        default = defaults.get(param.arg)
        flag = isinstance(default, ast.Constant) and isinstance(default.value, bool)
        if flag:
            names.append(f"--no{param.arg}")
        options.append(
            Option(tuple(names), takes_value=not flag, optional_value=flag, sources=_CODE)
        )
    options.append(Option(("--help", "-h"), sources=_CODE))
    returns = any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in ast.walk(function)
    )
    open_ended = returns or arguments.vararg is not None or arguments.kwarg is not None
    count = len(positional) if not open_ended else None
    return make_interface(
        script,
        "optparse",
        options=tuple(options),
        positionals=(Positional("args", 0, count),) if count != 0 else (),
        source=span_of(function, lines, path),
        abbreviations=False,
        accepts_unknown=open_ended,
    )


def _typer(function: ast.FunctionDef, lines: list[str], path: str, script: str) -> Interface | None:
    arguments = function.args
    if arguments.vararg is not None or arguments.kwarg is not None:
        return None
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    if any(
        isinstance(p.annotation, ast.Subscript)
        and _dotted(p.annotation.value).endswith("Annotated")
        for p in params
    ):
        return None
    defaults: dict[str, ast.expr] = {}
    positional = [*arguments.posonlyargs, *arguments.args]
    for param, value in zip(positional[::-1], arguments.defaults[::-1], strict=False):
        defaults[param.arg] = value
    for param, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[param.arg] = kw_default
    options: list[Option] = []
    positionals: list[Positional] = []
    for param in params:
        default = defaults.get(param.arg)
        kind = _dotted(default.func) if isinstance(default, ast.Call) else ""
        if default is None or kind.endswith("Argument"):
            required = default is None or _argument_required(default)
            positionals.append(Positional(param.arg.upper(), 1 if required else 0, 1))
            continue
        flag = _dotted(param.annotation) == "bool" if param.annotation is not None else False
        if isinstance(default, ast.Constant) and isinstance(default.value, bool):
            flag = True
        written: list[str] = []
        if kind.endswith("Option") and isinstance(default, ast.Call):
            written = [
                a.value
                for a in default.args[1:]  # the first is the default value
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value[:1] == "-"
            ]
        dashed = param.arg.replace("_", "-")
        names = tuple(written) or (f"--{dashed}",)
        if flag and not written:
            names = (*names, f"--no-{dashed}")
        options.append(Option(names, takes_value=not flag, sources=_CODE))
    options.append(Option(("--help",), sources=_CODE))
    return make_interface(
        script,
        "optparse",
        options=tuple(options),
        positionals=tuple(positionals),
        source=span_of(function, lines, path),
        abbreviations=False,
    )


def _argument_required(call: ast.expr) -> bool:
    """`typer.Argument(...)` or no default is required; a default value is not."""
    if not isinstance(call, ast.Call):
        return True
    first = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "default":
            first = keyword.value
    return first is None or (isinstance(first, ast.Constant) and first.value is Ellipsis)


def _dotted(node: ast.expr | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""
