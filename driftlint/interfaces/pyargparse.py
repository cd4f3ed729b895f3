"""Read argparse and optparse parsers from Python source with `ast` (never imported or run)."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from driftlint.interfaces.common import make_interface, merge_names
from driftlint.interfaces.py2 import parse_either
from driftlint.interfaces.pyoptions import argparse_item, optparse_item, span_of
from driftlint.model import Interface, Option, Positional, Span

_MAX_DEPTH = 3  # base classes imported from other files, followed this deep


@dataclass(eq=False)
class _Parser:
    kind: str  # "argparse" or "optparse"
    call: ast.Call | None
    options: list[Option] = field(default_factory=list)
    positionals: list[Positional] = field(default_factory=list)
    subs: list[tuple[tuple[str, ...], _Parser]] = field(default_factory=list)
    parents: list[ast.expr] = field(default_factory=list)
    child: bool = False
    used_as_parent: bool = False
    interleaved: bool = True
    accepts_unknown: bool = False


@dataclass(eq=False)
class _Subs:
    parent: _Parser


@dataclass(frozen=True, slots=True)
class PyParse:
    """What a Python file's code declares."""

    interface: Interface | None  # argparse/optparse
    docopt: ast.expr | None = None  # the text argument of a `docopt(...)` call
    options_first: bool = False


def read_python(
    tree: ast.Module,
    text: str,
    path: str,
    script: str,
    read: Callable[[str], str | None] | None,
    depth: int = 0,
) -> PyParse:
    reader = _Reader(text, path)
    reader.run(tree)
    if read is not None and depth < _MAX_DEPTH:
        for base_path in _imported(tree, path, read):
            base_text = read(base_path)
            if base_text is None:
                continue
            either = parse_either(base_text)
            if either is None:
                continue
            base_tree, base_text = either
            base = read_python(base_tree, base_text, base_path, script, read, depth + 1)
            if base.interface is not None:
                reader.inherit(base.interface)
    return PyParse(reader.interface(script, tree), reader.docopt, reader.options_first)


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.lines = text.split("\n")
        self.path = path
        self.names: dict[str, object] = {}  # receiver text -> _Parser or _Subs
        self.done: dict[int, object] = {}
        self.parsers: list[_Parser] = []
        self.inherited: _Parser | None = None
        self.targets: dict[int, str] = {}
        self.docopt: ast.expr | None = None
        self.options_first = False
        self.unknown_calls = False
        self.defined: set[str] = set()  # functions this file defines
        self.parent: dict[int, ast.AST] = {}  # each node's parent
        self.constants: dict[str, list[str]] = {}  # module-level `NAMES = ["a", "b"]`
        self.made_by: dict[str, str] = {}  # `x = Foo(...)`: x -> "Foo"
        self.classes: set[str] = set()  # classes this file defines

    def run(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[id(child)] = node
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                if isinstance(target, ast.Name) and (items := _literal_strings(value)) is not None:
                    self.constants[target.id] = items
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name | ast.Attribute):
                        self.targets[id(node.value)] = ast.unparse(target)
            if (
                isinstance(node, ast.withitem)
                and isinstance(node.context_expr, ast.Call)
                and isinstance(node.optional_vars, ast.Name)
            ):
                self.targets[id(node.context_expr)] = node.optional_vars.id
        self.defined = {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                callee = node.value.func
                made = (
                    callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                )
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.made_by[target.id] = made
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        calls.sort(key=lambda c: (c.lineno, c.col_offset, -(c.end_col_offset or 0)))
        for call in calls:
            self.call(call)

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.lines, self.path)

    def resolve(self, expr: ast.expr) -> object:
        if isinstance(expr, ast.Call):
            return self.call(expr)
        try:
            return self.names.get(ast.unparse(expr))
        except (ValueError, RecursionError):
            return None

    def default(self) -> _Parser:
        if self.inherited is None:
            self.inherited = _Parser("argparse", None)
        return self.inherited

    def bind(self, call: ast.Call, value: object) -> object:
        target = self.targets.get(id(call))
        if target is not None:
            self.names[target] = value
        self.done[id(call)] = value
        return value

    def call(self, call: ast.Call) -> object:
        if id(call) in self.done:
            return self.done[id(call)]
        self.done[id(call)] = None
        func = call.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        if name in ("ArgumentParser", "OptionParser"):
            parser = _Parser("argparse" if name == "ArgumentParser" else "optparse", call)
            parents = _kw(call, "parents")
            if isinstance(parents, ast.List | ast.Tuple):
                parser.parents = list(parents.elts)
            self.parsers.append(parser)
            return self.bind(call, parser)
        if name == "OptionGroup" and call.args:
            return self.bind(call, self.resolve(call.args[0]))
        if name == "docopt":
            if call.args:
                self.docopt = call.args[0]
            self.options_first = _true(_kw(call, "options_first"))
            return None
        if name not in self.defined:
            self.handed_over(call)
        if not isinstance(func, ast.Attribute):
            return None
        receiver = self.resolve(func.value)
        if name in ("add_argument", "add_option"):
            if receiver is None and self.other_object(func.value):
                return None  # `opts = webdriver.ChromeOptions(); opts.add_argument(...)`
            parser = receiver if isinstance(receiver, _Parser) else self.default()
            self.argument(parser, call, name)
        elif name in ("add_argument_group", "add_mutually_exclusive_group"):
            return self.bind(call, receiver if isinstance(receiver, _Parser) else self.default())
        elif name == "add_subparsers":
            parent = receiver if isinstance(receiver, _Parser) else self.default()
            return self.bind(call, _Subs(parent))
        elif name == "add_parser" and isinstance(receiver, _Subs):
            return self.bind(call, self.subparser(receiver, call))
        elif name in ("parse_known_args", "parse_known_intermixed_args"):
            (receiver if isinstance(receiver, _Parser) else self.default()).accepts_unknown = True
        elif name == "disable_interspersed_args":
            (receiver if isinstance(receiver, _Parser) else self.default()).interleaved = False
        return None

    def other_object(self, receiver: ast.expr) -> bool:
        """The receiver was made by a class that is no parser (a Selenium `Options()`): a
        CamelCase call, not named like a parser, and not a class this file defines."""
        made = self.made_by.get(ast.unparse(receiver)) if isinstance(receiver, ast.Name) else None
        if made is None:
            return False
        return made[:1].isupper() and "Parser" not in made and made not in self.classes

    def handed_over(self, call: ast.Call) -> None:
        """A parser given to a function of another file (`lib.add_options(parser)`) may get
        options this file does not show: its unknown options are no longer errors."""
        for arg in (*call.args, *(k.value for k in call.keywords)):
            if isinstance(arg, ast.Name | ast.Attribute):
                found = self.resolve(arg)
                if isinstance(found, _Parser):
                    found.accepts_unknown = True

    def subparser(self, subs: _Subs, call: ast.Call) -> _Parser:
        child = _Parser("argparse", call, child=True)
        names: list[str] = []
        if call.args and isinstance(call.args[0], ast.Constant):
            names.append(str(call.args[0].value))
        aliases = _kw(call, "aliases")
        if isinstance(aliases, ast.List | ast.Tuple):
            names += [str(e.value) for e in aliases.elts if isinstance(e, ast.Constant)]
        if names:
            subs.parent.subs.append((tuple(names), child))
        self.parsers.append(child)
        return child

    def argument(self, parser: _Parser, call: ast.Call, method: str) -> None:
        if parser.kind == "optparse" or method == "add_option":
            parser.kind = (
                "optparse" if parser.call is None or method == "add_option" else parser.kind
            )
            item: Option | Positional | None = optparse_item(call, self.lines, self.path)
        else:
            prefix = _const(_kw(parser.call, "prefix_chars")) if parser.call else None
            item = argparse_item(call, self.lines, self.path, prefix or "-")
        if item is None and call.args and not isinstance(call.args[0], ast.Constant | ast.Starred):
            self.computed(parser, call, method)
            return
        if isinstance(item, Option):
            parser.options.append(item)
        elif isinstance(item, Positional):
            if item.name.endswith("..."):
                # argparse.REMAINDER: the first positional word ends option parsing.
                parser.interleaved = False
            parser.positionals.append(item)

    def computed(self, parser: _Parser, call: ast.Call, method: str) -> None:
        """An argument whose name is computed. In a loop over a literal list, with the name
        an f-string of the loop variable (`for q in QUEUES: add_argument(f"{q}_limit")`), each
        name is known; otherwise the argument may be any option or positional, so unknown
        options and extra words are no longer sure problems."""
        names = self.loop_names(call)
        if names is None:
            parser.accepts_unknown = True
            parser.positionals.append(Positional("...", 0, None, None, self.span(call.args[0])))
            return
        for name in names:
            first = ast.copy_location(ast.Constant(name), call.args[0])
            named = ast.Call(call.func, [first, *call.args[1:]], call.keywords)
            self.argument(parser, named, method)

    def loop_names(self, call: ast.Call) -> list[str] | None:
        node: ast.AST = call
        while id(node) in self.parent:
            node = self.parent[id(node)]
            if isinstance(node, ast.While | ast.If | ast.Try):
                return None  # how many times it runs is not known
            if isinstance(node, ast.For):
                break
        else:
            return None
        if not isinstance(node.target, ast.Name) or self.enclosing_loop(node):
            return None
        items = _literal_strings(node.iter)
        if items is None and isinstance(node.iter, ast.Name):
            items = self.constants.get(node.iter.id)
        template = call.args[0]
        if items is None or not isinstance(template, ast.JoinedStr):
            return None
        out = []
        for item in items:
            text = ""
            for part in template.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    text += part.value
                elif (
                    isinstance(part, ast.FormattedValue)
                    and isinstance(part.value, ast.Name)
                    and part.value.id == node.target.id
                    and part.conversion == -1
                    and part.format_spec is None
                ):
                    text += item
                else:
                    return None
            out.append(text)
        return out

    def enclosing_loop(self, node: ast.AST) -> bool:
        while id(node) in self.parent:
            node = self.parent[id(node)]
            if isinstance(node, ast.For | ast.While):
                return True
        return False

    def inherit(self, base: Interface) -> None:
        parser = self.default()
        parser.options.extend(o for o in base.options if o.names not in (("-h", "--help"),))
        parser.positionals.extend(base.positionals)
        parser.accepts_unknown = parser.accepts_unknown or base.accepts_unknown

    # building --------------------------------------------------------------------------------
    def interface(self, script: str, tree: ast.Module) -> Interface | None:
        for parser in self.parsers:
            for parent in parser.parents:
                found = self.resolve(parent)
                if isinstance(found, _Parser) and found is not parser:
                    found.used_as_parent = True
        tops = [p for p in self.parsers if not p.child and not p.used_as_parent]
        main = tops[0] if tops else self.inherited
        if main is None:
            return None
        if self.inherited is not None and main is not self.inherited:
            main.options = self.inherited.options + main.options
            main.positionals = self.inherited.positionals + main.positionals
            main.accepts_unknown = main.accepts_unknown or self.inherited.accepts_unknown
            main.interleaved = main.interleaved and self.inherited.interleaved
            if main.kind == "argparse" and self.inherited.kind == "optparse":
                main.kind = "optparse"
        return self.build(main, script, 0)

    def build(self, parser: _Parser, script: str, depth: int) -> Interface:
        options = list(parser.options)
        for parent in parser.parents:
            found = self.resolve(parent)
            if isinstance(found, _Parser) and found is not parser and depth < 5:
                options = list(self.build(found, script, depth + 1).options) + options
        call = parser.call
        source = self.span(call) if call is not None else None
        help_kw = "add_help" if parser.kind == "argparse" else "add_help_option"
        prefix = (_const(_kw(call, "prefix_chars")) if call else None) or "-"
        if (call is None or _kw(call, help_kw) is None or _true(_kw(call, help_kw))) and (
            "-" in prefix and not any("-h" in o.names or "--help" in o.names for o in options)
        ):
            options.insert(0, Option(("-h", "--help"), span=source, sources=frozenset({"code"})))
        if parser.kind == "optparse" and call is not None and _kw(call, "version") is not None:
            options.append(Option(("--version",), span=source, sources=frozenset({"code"})))
        positionals = tuple(parser.positionals)
        if parser.kind == "optparse":
            positionals = (Positional("args", 0, None),)
        subs: list[tuple[str, Interface]] = []
        for names, child in parser.subs:
            sub = self.build(child, f"{script} {names[0]}", depth + 1) if depth < 5 else None
            if sub is not None:
                subs.extend((n, sub) for n in names)
        singles = [n for o in options for n in o.names if n[:1] in prefix and n[1:2] not in prefix]
        abbrev = (
            call is None or _kw(call, "allow_abbrev") is None or _true(_kw(call, "allow_abbrev"))
        )
        return make_interface(
            script,
            parser.kind,
            options=tuple(merge_names(options)),
            positionals=positionals,
            subcommands=tuple(subs),
            source=source,
            abbreviations=abbrev,
            single_dash_long=any(len(n) > 2 for n in singles),
            interleaved=parser.interleaved,
            accepts_unknown=parser.accepts_unknown,
        )


def _literal_strings(node: ast.expr) -> list[str] | None:
    """`["a", "b"]` or `("a", "b")`: its strings; anything else None."""
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if len(items) != len(node.elts) or not all(isinstance(i, str) for i in items):
        return None
    return items  # type: ignore[return-value]


def _kw(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _const(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


def _imported(tree: ast.Module, path: str, read: Callable[[str], str | None]) -> list[str]:
    """Tree paths of modules this file imports a base class (or parser builder) from."""
    bases = {
        ast.unparse(b).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef)
        for b in n.bases
    }
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    out: list[str] = []
    here = posixpath.dirname(path)
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        used = [a for a in node.names if (a.asname or a.name) in bases | called]
        if not used:
            continue
        module = (node.module or "").replace(".", "/")
        for candidate in _candidates(here, module, node.level, path):
            if candidate not in out and read(candidate) is not None:
                out.append(candidate)
                break
        if len(out) >= 5:
            break
    return out


def _candidates(here: str, module: str, level: int, path: str) -> list[str]:
    out = []
    if level:
        base = here
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        dirs = [base]
    else:
        dirs = []
        d = here
        while True:
            dirs.append(d)
            if not d:
                break
            d = posixpath.dirname(d)
    for d in dirs:
        for suffix in (".py", "/__init__.py"):
            if module:
                out.append(posixpath.join(d, module + suffix) if d else module + suffix)
    parts = path.split("/")
    if module and len(parts) > 2 and parts[0] == "modules":
        top, _, rest = module.partition("/")
        out.append(f"modules/{parts[1]}/files/{module}.py")
        if rest:
            out.append(f"modules/{top}/files/{rest}.py")
        out.append(f"modules/{top}/files/{module}.py")
    return [posixpath.normpath(p) for p in out if not posixpath.normpath(p).startswith("..")]
