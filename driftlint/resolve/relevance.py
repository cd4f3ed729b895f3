"""Work on demand: which classes and defines can lead to a call of a watched script.

Most of a real tree never mentions a watched script. A class is relevant when its manifest, a
template or file it installs by a literal reference, or Hiera data for its parameters mentions a
watched name or path, or when it declares a relevant class or define. Evaluation skips the rest
(DESIGN §9). The test is on bytes, before any template is rendered, and errs on the side of
relevance: a false "relevant" costs time, a false "irrelevant" would miss a call.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from driftlint.parse.puppet import ast
from driftlint.resolve.ruby_functions import TemplateFunction, template_name
from driftlint.resolve.scope import Index, class_name, string_literal, walk

# `class::param: value` keys at the start of a Hiera line.
_HIERA_KEY = re.compile(r"^['\"]?((?:[a-z0-9_]+::)+)[a-z0-9_]+['\"]?\s*:", re.MULTILINE)
# Any key at the start of a line (`jobs:`), as `lookup('jobs')` names it.
_TOP_KEY = re.compile(r"^['\"]?([A-Za-z0-9_][\w:.-]*)['\"]?\s*:", re.MULTILINE)
LOOKUPS = ("lookup", "hiera", "hiera_hash", "hiera_array")


@dataclass(slots=True)
class Relevance:
    relevant: set[str] = field(default_factory=set)  # class and define names

    def __call__(self, name: str) -> bool:
        return class_name(name) in self.relevant


class Mentions:
    """Does a text mention any watched name or path? One compiled alternation."""

    def __init__(self, tokens: Iterable[str]) -> None:
        names = {t for t in tokens if t}
        # Whole words only: a script named `sql` is not mentioned by `mysql` or `sql-dump`.
        # The names share prefixes (`/usr/local/bin/`): a trie-shaped pattern is about six
        # times faster than a flat alternation on a large tree.
        self.pattern = re.compile(rf"(?<![\w.-]){_trie(names)}(?![\w-])") if names else None

    def __call__(self, text: str | None) -> bool:
        return bool(text) and self.pattern is not None and self.pattern.search(text) is not None  # type: ignore[arg-type]

    def top_keys(self, text: str) -> set[str]:
        """Top-level Hiera keys whose value holds a mention (`jobs:` above a command)."""
        out: set[str] = set()
        if self.pattern is None:
            return out
        keys = [(m.start(), m.group(1)) for m in _TOP_KEY.finditer(text)]
        starts = [k[0] for k in keys]
        for found in self.pattern.finditer(text):
            i = bisect.bisect_right(starts, found.start()) - 1
            if i >= 0:
                out.add(keys[i][1])
        return out

    def keys(self, text: str) -> set[str]:
        """Classes whose Hiera keys hold a mention: the top-level key above each one."""
        out: set[str] = set()
        if self.pattern is None:
            return out
        keys = [(m.start(), m.group(1)[:-2]) for m in _HIERA_KEY.finditer(text)]
        starts = [k[0] for k in keys]
        for found in self.pattern.finditer(text):
            i = bisect.bisect_right(starts, found.start()) - 1
            if i >= 0:
                out.add(keys[i][1])
        return out


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, with common prefixes factored out."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    # Written out in one pass with a stack, not by recursion or by joining each child's
    # pattern into its parent's: a name is as deep as it is long, and a 10,000-character
    # name of the tree overflowed Python's stack, a 188,000-character one took 2 GB (issue 30).
    out: list[str] = []
    todo: list[dict[str, dict] | str] = [root]  # type: ignore[type-arg]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        branches = sorted(c for c in item if c)
        if not branches:
            continue
        many, terminal = len(branches) > 1, "" in item
        seq: list[dict[str, dict] | str] = ["(?:"] if terminal else []  # type: ignore[type-arg]
        seq += ["(?:"] if many else []
        for k, char in enumerate(branches):
            seq += ["|", re.escape(char), item[char]] if k else [re.escape(char), item[char]]
        seq += [")"] if many else []
        seq += [")?"] if terminal else []
        todo.extend(reversed(seq))
    return f"(?:{''.join(out)})"


def mentions(tokens: Iterable[str]) -> Mentions:
    return Mentions(tokens)


def compute(
    index: Index,
    mentioned: Mentions,
    read: Callable[[str], str | None],
    module_file: Callable[[str, str], str | None],
    hiera_texts: Iterable[str],
    functions: Mapping[str, TemplateFunction] | None = None,
) -> Relevance:
    """Relevant classes and defines: those that mention a token, and what declares them."""
    deps: dict[str, set[str]] = {}
    passes: dict[str, set[str]] = {}  # defines and classes a body declares with values
    seeds: set[str] = set()
    file_hits: dict[str, bool] = {}

    def hit(path: str | None) -> bool:
        if path is None:
            return False
        if path not in file_hits:
            file_hits[path] = mentioned(read(path))
        return file_hits[path]

    data_keys: set[str] = set()  # keys a lookup may read a watched name from
    for text in hiera_texts:
        seeds.update(mentioned.keys(text))
        data_keys.update(mentioned.top_keys(text))

    definitions: list[tuple[str, ast.ClassDef | ast.DefineDef]] = [
        *index.classes.items(),
        *index.defines.items(),
    ]
    for name, definition in definitions:
        if hit(definition.span.path):
            seeds.add(name)
        uses: set[str] = set()
        for node in walk(definition.body):
            if isinstance(node, ast.Call):
                _declared(node, uses)
                called = node.name.lstrip(":")
                if called in LOOKUPS and node.args and _literal(node.args[0]) in data_keys:
                    seeds.add(name)
                created = _created(node, index)
                if created:
                    uses.add(created)
                    passes.setdefault(name, set()).add(created)
                if node.name in ("template", "epp", "file", "jinja_template") and node.args:
                    ref = _literal(node.args[0]) or _in_module(node.args[0], name)
                    kind = "template" if node.name == "jinja_template" else node.name
                    if ref and hit(module_file(kind, ref)):
                        seeds.add(name)
                elif functions and node.name.lstrip(":") in functions:
                    args = [_literal(a) for a in node.args]
                    ref = template_name(
                        functions,
                        node.name.lstrip(":"),
                        [a or "" for a in args],
                        name.split("::")[0],
                    )
                    if ref and all(args) and hit(module_file("template", ref)):
                        seeds.add(name)
            elif isinstance(node, ast.Resource):
                kind = node.type.lower().lstrip(":")
                if kind == "class":
                    for body in node.bodies:
                        title = _literal(body.title)
                        if title:
                            uses.add(class_name(title))
                            if body.attrs:
                                passes.setdefault(name, set()).add(class_name(title))
                        elif (built := _built_name(body.title)) is not None:
                            # `class { "base::install::${::osname}_${::release}": }`: any
                            # class the facts can name (issue 25).
                            uses.update(c for c in index.classes if built.fullmatch(c))
                elif kind in index.defines:
                    uses.add(kind)
                    passes.setdefault(name, set()).add(kind)
                for body in node.bodies:
                    for attr in body.attrs:
                        if attr.name == "source":
                            ref = _literal(attr.value)
                            if ref and hit(module_file("source", ref)):
                                seeds.add(name)
        if isinstance(definition, ast.ClassDef) and definition.parent:
            uses.add(class_name(definition.parent))
        deps[name] = uses

    relevant = {s for s in seeds if s in deps}
    changed = True
    while changed:
        changed = False
        for name, uses in deps.items():
            if name not in relevant and uses & relevant:
                relevant.add(name)
                changed = True
    return Relevance(relevant | _passed_to(relevant, passes))


def _passed_to(relevant: set[str], passes: dict[str, set[str]]) -> set[str]:
    """Defines and classes a relevant body declares with values, and what they declare in
    turn: a wrapper define that never names the script still runs the command it is given
    (`svc::timer { 'x': command => '/usr/local/bin/x --y' }`). They do not make their other
    callers relevant: values flow down, not up."""
    out: set[str] = set()
    todo = [n for n in relevant if n in passes]
    while todo:
        for target in passes.get(todo.pop(), ()):
            if target not in relevant and target not in out:
                out.add(target)
                todo.append(target)
    return out


def _declared(node: ast.Call, out: set[str]) -> None:
    if node.name not in ("include", "contain", "require", "role"):
        return
    for arg in node.args:
        items = arg.items if isinstance(arg, ast.Array) else (arg,)
        for item in items:
            name = _literal(item)
            if name:
                name = class_name(name)
                out.add("role::" + name if node.name == "role" else name)


def _built_name(title: ast.Node) -> re.Pattern[str] | None:
    """A class name built from top-scope variables (`"a::${::x}_${::y}"`) as a regex over
    class names; None for any other title."""
    if not isinstance(title, ast.Str) or not title.parts:
        return None
    pieces = []
    for part in title.parts:
        if isinstance(part, ast.Lit):
            pieces.append(re.escape(part.value.text.lower()))
        elif isinstance(part.expr, ast.Var) and (part.expr.top or "::" in part.expr.name):
            pieces.append(r"[a-z0-9_]+")
        else:
            return None
    first = title.parts[0]
    if not isinstance(first, ast.Lit) or "::" not in first.value.text:
        return None  # a name with no fixed namespace could be any class
    return re.compile("".join(pieces).removeprefix("::"))


CREATORS = ("create_resources", "ensure_resource", "ensure_resources")


def _created(node: ast.Call, index: Index) -> str | None:
    """The defined type or class `create_resources('m::job', ...)` and friends declare."""
    if node.name.lstrip(":") not in CREATORS or not node.args:
        return None
    name = _literal(node.args[0])
    if name is None:
        return None
    name = class_name(name)
    return name if name in index.defines or name in index.classes else None


def _literal(node: ast.Node) -> str | None:
    """A string literal, or a bare name (`include foo::bar`)."""
    if isinstance(node, ast.Name | ast.TypeRef):
        return node.text
    return string_literal(node)


def _in_module(node: ast.Node, owner: str) -> str | None:
    """`"${module_name}/x.erb"` written in `owner`'s module: its reference, else None."""
    if not isinstance(node, ast.Str):
        return None
    out: list[str] = []
    for part in node.parts:
        if isinstance(part, ast.Lit):
            out.append(part.value.text)
        elif isinstance(part.expr, ast.Var) and part.expr.name == "module_name":
            out.append(owner.partition("::")[0])
        else:
            return None
    return "".join(out)


def data_for(relevance: Relevance, files: Iterable[tuple[str, str | None]]) -> list[str]:
    """Hiera files that set a parameter of a relevant class."""
    out = []
    for path, text in files:
        if text and any(relevance(m.group(1)[:-2]) for m in _HIERA_KEY.finditer(text)):
            out.append(path)
    return out


def node_declares(node: ast.NodeDef) -> set[str]:
    """The classes a node definition declares by literal name (`include`, `role()`, `class {}`)."""
    uses: set[str] = set()
    for inner in walk(node.body):
        if isinstance(inner, ast.Call):
            _declared(inner, uses)
        elif isinstance(inner, ast.Resource) and inner.type.lower() == "class":
            for body in inner.bodies:
                title = _literal(body.title)
                if title:
                    uses.add(class_name(title))
    return uses


def node_relevant(
    node: ast.NodeDef, relevance: Relevance, role_prefix: str, data_hits: Sequence[str]
) -> bool:
    """A node needs its own evaluation when it declares a relevant class that is not a role
    (each role is evaluated on its own), or a relevant role and some Hiera file that mentions
    a watched script may be its host's data."""
    wanted = [u for u in node_declares(node) if relevance(u)]
    if any(not u.startswith(role_prefix) for u in wanted):
        return True
    if not wanted:
        return False
    hosts = [_host_name(m) for m in node.matches]
    return any(h and h in path for h in hosts for path in data_hits)


def _host_name(match: ast.Node) -> str:
    """The short host name a node matches, for finding its Hiera host file."""
    if isinstance(match, ast.Str):
        text = "".join(p.value.text for p in match.parts if isinstance(p, ast.Lit))
        return text.split(".")[0]
    if isinstance(match, ast.Regex):
        found = re.match(r"\^?([A-Za-z0-9-]+)", match.pattern)
        return found.group(1) if found else ""
    return ""
