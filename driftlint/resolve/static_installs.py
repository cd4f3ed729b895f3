"""Installs whose path or source is built from variables, found without evaluating (shape 12).

`file { $dest: source => "puppet:///modules/m/${name}" }` names no literal path, so the script
it installs would never be watched. Here variables are replaced by what the code writes
literally: a class's or define's parameter defaults and its `$x = '...'` assignments, and for
a define, each declaration of it with a literal title and literal parameters
(`nrpe::plugin { 'check_x': }` installing `"${plugins_dir}/${title}"`). A directory copied
with `recurse => true` installs every file under its source folder. Anything else (facts,
lookups, function calls) is left unknown: that install is skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from driftlint.parse.puppet import ast
from driftlint.resolve import regexes
from driftlint.resolve.scope import string_literal, walk

TEMPLATE_CALLS = ("template", "epp", "file", "jinja_template")


@dataclass(frozen=True, slots=True)
class Found:
    dest: str
    kind: str  # "source" or a template function's kind, as module_refs.module_file takes
    ref: str
    recurse: bool = False
    mode: str = ""  # the `mode` attribute as written, when it is a literal


def substitute(node: ast.Node, env: Mapping[str, str]) -> str | None:
    """A string whose interpolated variables all have literal values in `env`."""
    if isinstance(node, ast.Var):
        return env.get(node.name.lstrip(":"))
    if not isinstance(node, ast.Str):
        return None
    out: list[str] = []
    for part in node.parts:
        if isinstance(part, ast.Lit):
            out.append(part.value.text)
        elif (
            isinstance(part.expr, ast.Var | ast.Name)
            and (value := env.get(getattr(part.expr, "name", getattr(part.expr, "text", ""))))
            is not None
        ):
            out.append(value)
        else:
            return None
    return "".join(out)


class _Env(dict[str, str]):
    """Variables with literal values; a qualified `$mod::cls::x` is read from that class's own
    top-level assignments and defaults (`classes`), once, cycles cut."""

    def __init__(
        self,
        classes: Mapping[str, ast.ClassDef],
        seen: frozenset[str],
        memo: dict[str, _Env] | None = None,
        lookup: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.classes = classes
        self.seen = seen
        self.memo: dict[str, _Env] = {} if memo is None else memo
        self.lookup = lookup

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        key = key.lstrip(":")
        if key in self or "::" not in key:
            return super().get(key, default)
        owner, _, name = key.rpartition("::")
        definition = self.classes.get(owner)
        if definition is None or owner in self.seen:
            return default
        if owner not in self.memo:
            self.memo[owner] = _env(
                definition, {}, self.classes, self.seen | {owner}, self.memo, self.lookup
            )
        return self.memo[owner].get(name, default)


def _env(
    definition: ast.ClassDef | ast.DefineDef,
    given: Mapping[str, str],
    classes: Mapping[str, ast.ClassDef] | None = None,
    seen: frozenset[str] = frozenset(),
    memo: dict[str, _Env] | None = None,
    lookup: Callable[[str], str | None] | None = None,
) -> _Env:
    """`lookup`: a class parameter's one value in Hiera data (`jenkins_asf::jenkins_home`)."""
    # `puppet:///modules/${module_name}/x`: the module the class or define belongs to
    owner = definition.name.lstrip(":")
    env = _Env(classes or {}, seen | {owner}, memo, lookup)
    env["module_name"] = owner.split("::", 1)[0]
    for param in definition.params:
        value = None
        if lookup is not None and isinstance(definition, ast.ClassDef):
            value = lookup(f"{owner}::{param.name}")  # Hiera comes before the default
        if value is None and param.default is not None:
            value = substitute(param.default, env)
        if value is not None:
            env[param.name] = value
    env.update(given)
    for node in definition.body:  # top-level assignments only: branches may not run
        if isinstance(node, ast.Assign) and isinstance(node.target, ast.Var):
            value = string_literal(node.value) or substitute(node.value, env)
            if value is None and isinstance(node.value, ast.Selector):
                value = _posix_choice(node.value, env)
            if value is not None:
                env[node.target.name] = value
        elif isinstance(node, ast.Case):  # one of its branches runs: each a possible path
            names = {
                n.target.name
                for b in node.branches
                for n in b.body
                if isinstance(n, ast.Assign) and isinstance(n.target, ast.Var)
            }
            for name in sorted(names - set(env)):
                if (value := _case_choice(node, name, env)) is not None:
                    env[name] = value
    return env


def _posix_choice(selector: ast.Selector, env: Mapping[str, str]) -> str | None:
    """`$::osfamily ? { windows => 'C:/x', default => '/usr/local/bin/x' }`: the POSIX paths
    among the choices, which every host that can run a shell script takes one of."""
    return _alternatives(substitute(node, env) for _, node in selector.cases)


def _case_choice(case: ast.Case, name: str, env: Mapping[str, str]) -> str | None:
    """`case $::operatingsystem { Darwin: { $dir = '/usr/local/libexec' } ... }`: the POSIX
    paths the branches assign to `name` at their top level."""
    values = []
    for branch in case.branches:
        for node in branch.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.target, ast.Var)
                and node.target.name == name
            ):
                values.append(string_literal(node.value) or substitute(node.value, env))
    return _alternatives(values)


# Several possible values of one variable (a path per OS) travel inside a string as
# `\x1e` a `\x1f` b `\x1e`; `expand` spells out every path they make.
_GROUP, _SEP = "\x1e", "\x1f"
_MAX_CHOICES = 4
_MAX_PATHS = 8


def _alternatives(values: Iterable[str | None]) -> str | None:
    paths = sorted({v for v in values if v and v.startswith("/") and _GROUP not in v})
    if not paths or len(paths) > _MAX_CHOICES:
        return None
    return paths[0] if len(paths) == 1 else _GROUP + _SEP.join(paths) + _GROUP


def expand(text: str) -> list[str]:
    """Every string `text` stands for, one per combination of its alternatives (bounded)."""
    parts = text.split(_GROUP)
    out = [""]
    for index, part in enumerate(parts):
        choices = part.split(_SEP) if index % 2 else [part]
        out = [o + c for o in out for c in choices][:_MAX_PATHS]
    return out


def _arrays(definition: ast.ClassDef | ast.DefineDef) -> dict[str, list[str]]:
    """Parameters and top-level variables whose value is written as an array of strings."""
    out: dict[str, list[str]] = {}
    for param in definition.params:
        if param.default is not None and (items := _strings(param.default)) is not None:
            out[param.name] = items
    for node in definition.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.target, ast.Var):
            continue
        if (items := _strings(node.value)) is not None:
            out[node.target.name] = items
    return out


def _strings(node: ast.Node) -> list[str] | None:
    if not isinstance(node, ast.Array):
        return None
    items = [string_literal(i) for i in node.items]
    return [i for i in items if i is not None] if all(i is not None for i in items) else None


ITERATORS = ("each", "map", "filter")


def _loop(node: ast.Node, arrays: Mapping[str, list[str]]) -> tuple[str, list[str]] | None:
    """`$xs.each |$x| { }` or `each($xs) |$x| { }` over a written array: (x, the items)."""
    if isinstance(node, ast.MethodCall) and node.name in ITERATORS:
        receiver: ast.Node | None = node.receiver
    elif isinstance(node, ast.Call) and node.name in ITERATORS and node.args:
        receiver = node.args[0]
    else:
        return None
    if node.lambda_ is None or len(node.lambda_.params) != 1 or receiver is None:
        return None
    items = _strings(receiver)
    if items is None and isinstance(receiver, ast.Var):
        items = arrays.get(receiver.name)
    return (node.lambda_.params[0].name, items) if items else None


def _captured(node: ast.If, env: Mapping[str, str]) -> dict[str, str] | None:
    r"""`if $title =~ /^(.+)\.erb$/ { $name = $1 ... }` where the subject is known: the then
    branch's variables, its match variables and its own assignments; None otherwise."""
    condition = node.condition
    if node.negate or not isinstance(condition, ast.BinOp) or condition.op != "=~":
        return None
    subject = substitute(condition.left, env)
    if subject is None or not isinstance(condition.right, ast.Regex):
        return None
    pattern = regexes.compile_ruby(condition.right.pattern)
    try:
        found = regexes.search(pattern, subject) if pattern is not None else None
    except regexes.Unbounded:
        return None
    if found is None:
        return None
    inner = dict(env)
    for group in range(min(found.re.groups, 9) + 1):
        inner[str(group)] = found.group(group) or ""
    return _assigned(node.then, inner)


def _assigned(body: Sequence[ast.Node], env: Mapping[str, str]) -> dict[str, str]:
    """The variables with a body's own top-level assignments of known strings added."""
    inner = dict(env)
    for statement in body:
        if isinstance(statement, ast.Assign) and isinstance(statement.target, ast.Var):
            value = substitute(statement.value, inner)
            if value is not None:
                inner[statement.target.name] = value
    return inner


def _overrides(body: Sequence[ast.Node], env: Mapping[str, str]) -> dict[str, dict[str, ast.Node]]:
    """`File[$path] { source => ... }` in the same body: attributes by the path they amend."""
    out: dict[str, dict[str, ast.Node]] = {}
    for node in walk(body):
        if not isinstance(node, ast.ResourceOverride):
            continue
        target = node.target
        if not isinstance(target, ast.Access) or not isinstance(target.target, ast.TypeRef):
            continue
        if target.target.text.lower() != "file" or len(target.keys) != 1:
            continue
        path = substitute(target.keys[0], env)
        if path is not None:
            out.setdefault(path, {}).update((a.name, a.value) for a in node.attrs)
    return out


def _files(
    body: Sequence[ast.Node],
    env: Mapping[str, str],
    arrays: Mapping[str, list[str]] | None = None,
) -> Iterator[Found]:
    overrides: dict[str, dict[str, ast.Node]] | None = None
    for node in body:
        if isinstance(node, ast.If):
            # Each branch with what it assigns itself (and `then` with its match variables);
            # the branches' own `if`s are taken there, so each is walked once per level.
            inner = _captured(node, env) or _assigned(node.then, env)
            yield from _files(node.then, inner, arrays)
            yield from _files(node.else_, _assigned(node.else_, env), arrays)
    for node in walk(body):
        loop = _loop(node, arrays or {})
        if loop is not None:  # each item of a written array, bound to the lambda's parameter
            assert isinstance(node, ast.Call | ast.MethodCall) and node.lambda_ is not None
            for value in loop[1][:64]:
                yield from _files(node.lambda_.body, {**env, loop[0]: value})
        for title, attrs in _file_bodies(node):
            path = substitute(attrs.get("path", title), env)
            if path is not None and "source" not in attrs and "content" not in attrs:
                if overrides is None:
                    overrides = _overrides(body, env)
                attrs.update(overrides.get(path, {}))
            if path is None:
                continue
            for dest in expand(path):  # a path per OS: each a possible install
                if dest.startswith("/"):
                    yield from _found(dest, attrs, env)


def _found(dest: str, attrs: Mapping[str, ast.Node], env: Mapping[str, str]) -> Iterator[Found]:
    recurse = isinstance(attrs.get("recurse"), ast.Bool | ast.Str | ast.Name)
    recurse = recurse and _truthy(attrs["recurse"])
    mode = literal_mode(attrs.get("mode"))
    source = attrs.get("source")
    if source is not None:
        for item in source.items if isinstance(source, ast.Array) else (source,):
            if (ref := substitute(item, env)) is not None and _GROUP not in ref:
                yield Found(dest, "source", ref, recurse, mode)
                break
    content = attrs.get("content")
    if isinstance(content, ast.Call) and content.name in TEMPLATE_CALLS and content.args:
        ref = substitute(content.args[0], env)
        if ref is not None and _GROUP not in ref:
            kind = "template" if content.name == "jinja_template" else content.name
            yield Found(dest, kind, ref, mode=mode)


def literal_mode(node: ast.Node | None) -> str:
    """A `mode` attribute's text when written literally (`'0755'`, `0755`, `'a+x'`), else ``."""
    if isinstance(node, ast.Num):
        return node.text
    if node is not None:
        return string_literal(node) or ""
    return ""


def _file_bodies(node: ast.Node) -> list[tuple[ast.Node, dict[str, ast.Node]]]:
    """(title, attributes) of each file a node declares: `file { }` bodies, and
    `ensure_resource('file', title, { ... })` (stdlib) with a written hash."""
    if isinstance(node, ast.Resource) and node.type.lower() == "file":
        # A `default:` body gives its attributes to the other bodies of the same resource
        # expression (`recurse => true` there copies every folder listed after it).
        defaults: dict[str, ast.Node] = {}
        for body in node.bodies:
            if isinstance(body.title, ast.Default):
                defaults.update({a.name: a.value for a in body.attrs})
        # An array title declares one file per item (`file { ['/usr/local/bin/pool',
        # '/usr/local/bin/depool']: source => ... }`: one script under several names).
        return [
            (title, {**defaults, **{a.name: a.value for a in body.attrs}})
            for body in node.bodies
            if not isinstance(body.title, ast.Default)
            for title in _title_nodes(body.title)
        ]
    if (
        isinstance(node, ast.Call)
        and node.name.lstrip(":") == "ensure_resource"
        and len(node.args) == 3
        and string_literal(node.args[0]) == "file"
        and isinstance(node.args[2], ast.Hash)
    ):
        attrs: dict[str, ast.Node] = {}
        for key, value in node.args[2].pairs:
            name = string_literal(key) or (key.text if isinstance(key, ast.Name) else None)
            if name is not None:
                attrs[name] = value
        return [(node.args[1], attrs)]
    return []


def _truthy(node: ast.Node) -> bool:
    if isinstance(node, ast.Bool):
        return node.value
    text = string_literal(node) if isinstance(node, ast.Str) else getattr(node, "text", "")
    return text in ("true", "remote")


def found_installs(
    manifests: Iterable[ast.Manifest], lookup: Callable[[str], str | None] | None = None
) -> list[Found]:
    """Installs of classes and defines whose path or source needs variables replaced;
    `lookup` gives a class parameter's value from Hiera when it has a single one."""
    return list(dict.fromkeys(_found_installs(manifests, lookup)))  # a branch is also walked whole


def _found_installs(
    manifests: Iterable[ast.Manifest], lookup: Callable[[str], str | None] | None
) -> list[Found]:
    manifests = list(manifests)
    defines: dict[str, ast.DefineDef] = {}
    classes: dict[str, ast.ClassDef] = {}
    memo: dict[str, _Env] = {}
    out: list[Found] = []
    # One walk of the tree: its classes, defines and resources, each in the walk's order.
    class_defs: list[ast.ClassDef] = []
    resources: list[ast.Resource] = []
    for manifest in manifests:
        for node in walk(manifest.body):
            if isinstance(node, ast.ClassDef):
                classes[node.name.lstrip(":")] = node
                class_defs.append(node)
            elif isinstance(node, ast.DefineDef):
                defines[node.name] = node
            elif isinstance(node, ast.Resource):
                resources.append(node)
    for node in class_defs:
        own: Sequence[ast.Node] = node.body  # a tuple: its walk is kept (scope.walk)
        if any(isinstance(n, ast.ClassDef | ast.DefineDef) for n in own):
            own = [n for n in own if not isinstance(n, ast.ClassDef | ast.DefineDef)]
        env = _env(node, {}, classes, memo=memo, lookup=lookup)
        out.extend(_files(own, env, _arrays(node)))
    if not defines:
        return out
    for own_define in defines.values():
        # what a define installs at a path none of its parameters names (`${plugins_dir}/x`
        # with `$plugins_dir` from a class): the same for every declaration, titled or not
        env = _env(own_define, {}, classes, memo=memo, lookup=lookup)
        out.extend(_files(own_define.body, env, _arrays(own_define)))
    for node in resources:
        definition = defines.get(node.type.lower().lstrip(":"))
        if definition is None:
            continue
        for body in node.bodies:
            for title in _titles(body.title):
                given = {"title": title, "name": title}
                for attr in body.attrs:
                    if (value := string_literal(attr.value)) is not None:
                        given[attr.name] = value
                env = _env(definition, given, classes, memo=memo, lookup=lookup)
                out.extend(_files(definition.body, env, _arrays(definition)))
    return out


def _titles(node: ast.Node) -> list[str]:
    return [t for item in _title_nodes(node) if (t := string_literal(item)) is not None]


def _title_nodes(node: ast.Node) -> tuple[ast.Node, ...]:
    """The titles a resource body declares: each item of an array title."""
    return tuple(node.items) if isinstance(node, ast.Array) else (node,)
