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


def _files(body: Sequence[ast.Node], env: Mapping[str, str]) -> Iterator[Found]:
    for node in walk(body):
        if not isinstance(node, ast.Resource) or node.type.lower() != "file":
            continue
        for resource in node.bodies:
            attrs = {a.name: a.value for a in resource.attrs}
            written = substitute(attrs.get("path", resource.title), env)
            if written is None:
                continue
            for dest in expand(written):
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
    manifests = list(manifests)
    defines: dict[str, ast.DefineDef] = {}
    classes: dict[str, ast.ClassDef] = {}
    memo: dict[str, _Env] = {}
    out: list[Found] = []
    for manifest in manifests:
        for node in walk(manifest.body):
            if isinstance(node, ast.ClassDef):
                classes[node.name.lstrip(":")] = node
    for manifest in manifests:
        for node in walk(manifest.body):
            if isinstance(node, ast.DefineDef):
                defines[node.name] = node
            elif isinstance(node, ast.ClassDef):
                own: Sequence[ast.Node] = node.body  # a tuple: its walk is kept (scope.walk)
                if any(isinstance(n, ast.ClassDef | ast.DefineDef) for n in own):
                    own = [n for n in own if not isinstance(n, ast.ClassDef | ast.DefineDef)]
                out.extend(_files(own, _env(node, {}, classes, memo=memo, lookup=lookup)))
    if not defines:
        return out
    for own_define in defines.values():
        # what a define installs at a path none of its parameters names (`${plugins_dir}/x`
        # with `$plugins_dir` from a class): the same for every declaration, titled or not
        out.extend(_files(own_define.body, _env(own_define, {}, classes, memo=memo, lookup=lookup)))
    for manifest in manifests:
        for node in walk(manifest.body):
            if not isinstance(node, ast.Resource):
                continue
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
                    out.extend(_files(definition.body, env))
    return out


def _titles(node: ast.Node) -> list[str]:
    items = node.items if isinstance(node, ast.Array) else (node,)
    return [t for item in items if (t := string_literal(item)) is not None]
