"""Ruby functions of the tree that render a template, recognised by their shape, never run.

`lib/puppet/parser/functions/*.rb` (the 3.x API, `newfunction(:x) do |args| ... end`) and
`lib/puppet/functions/**/*.rb` (`create_function`, `call_function('template', ...)`) often
wrap `template()` to find a file by convention:

    newfunction(:init_template, :type => :rvalue) do |args|
      tpl_name, initsystem = args
      module_name = lookupvar('module_name')
      function_template(["#{module_name}/initscripts/#{tpl_name}.#{initsystem}.erb"])
    end

Read line by line: arguments bound to local names (`a, b = args`, `a = args[0]`,
`def impl(a, b)`), `args << 'x'`, `lookupvar('module_name')`, strings with `#{}`, and the final
`function_template(...)`/`call_function('template', ...)` or a call of another such function
(`function_init_template(args)`). Anything else makes the function unknown (not recognised).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PATH = re.compile(r"(?:^|/)lib/puppet/(?:parser/)?functions/(?:.*/)?[^/]+\.rb$")
# `newfunction(:name ...) do |args|`, the `do` on the line of the name: NEW3_HEAD, then the
# first NEW3_DO after it on that line (found with two linear scans, not `.*?`: 20,000
# `newfunction(` on one line took minutes).
NEW3_HEAD = re.compile(r"newfunction\(\s*:['\"]?([\w:]+)['\"]?")
NEW3_DO = re.compile(r"\bdo\s*\|\s*(\w+)\s*\|")
NEW4 = re.compile(r"create_function\(\s*:?['\"]?([\w:]+)['\"]?")
DEF = re.compile(r"^\s*def\s+\w+\s*\(?([\w\s,=*]*)\)?\s*$")
UNPACK = re.compile(r"^\s*(\w+(?:\s*,\s*\w+)*)\s*=\s*(\w+)\s*$")
INDEX = re.compile(r"^\s*(\w+)\s*=\s*(\w+)\[(\d+)\]\s*$")
MODULE = re.compile(r"^\s*(\w+)\s*=\s*lookupvar\(\s*['\"]:{0,2}module_name['\"]\s*\)\s*$")
STRING = re.compile(r"^\s*(\w+)\s*=\s*(\"[^\"\n]*\"|'[^'\n]*')\s*$")
PUSH = re.compile(r"^\s*(\w+)\s*(?:<<\s*|\.push\(\s*)(['\"])([^'\"]*)\2\s*\)?\s*$")
TEMPLATE = re.compile(
    r"(?:function_template\(\s*\[?|call_function\(\s*['\"]template['\"]\s*,\s*\[?)\s*"
    r"(\w+|\"[^\"\n]*\"|'[^'\n]*')\s*\]?\s*\)"
)
DELEGATE = re.compile(r"\bfunction_(\w+)\(\s*(\w+)\s*\)")
# `function_init_template([name, 'systemd'])`, `call_function('init_template', name, 'x')`
DELEGATE_LIST = re.compile(
    r"\b(?:function_(\w+)\(\s*\[([^\]\n]*)\]\s*\)"
    r"|call_function\(\s*['\"]([\w:]+)['\"]\s*,\s*\[?([^\]\n)]*)\]?\s*\))"
)

# A piece of a template name: ("lit", text), ("arg", index) or ("module", "").
Piece = tuple[str, str | int]


@dataclass(frozen=True, slots=True)
class TemplateFunction:
    name: str
    pieces: tuple[Piece, ...] = ()  # the template name, when the function renders it itself
    delegate: str = ""  # else: the function it calls with its arguments
    extra: tuple[str, ...] = ()  # arguments it appends before delegating (`args << 'x'`)
    # Or the arguments it passes, each built from its own (`function_x([name, 'systemd'])`).
    passes: tuple[tuple[Piece, ...], ...] | None = None


def read_functions(files: Iterable[tuple[str, str]]) -> dict[str, TemplateFunction]:
    """The template-rendering functions among the tree's Ruby function files."""
    out: dict[str, TemplateFunction] = {}
    for path, text in files:
        if PATH.search(path):
            found = _read(text)
            if found is not None:
                out[found.name] = found
    return out


def _new3(text: str) -> tuple[str, str] | None:
    """(name, args) of the first `newfunction(:name ...) do |args|`, in linear time."""
    dos = [(m.start(), m.group(1)) for m in NEW3_DO.finditer(text)]
    if not dos:
        return None
    starts = [d[0] for d in dos]
    newlines = [m.start() for m in re.finditer("\n", text)]
    for head in NEW3_HEAD.finditer(text):
        i = bisect.bisect_left(starts, head.end())
        if i == len(dos):
            return None
        line_end = bisect.bisect_left(newlines, head.end())
        if line_end == len(newlines) or newlines[line_end] > starts[i]:
            return head.group(1), dos[i][1]
    return None


def _read(text: str) -> TemplateFunction | None:
    head = _new3(text)
    names: dict[str, tuple[Piece, ...]] = {}  # local name -> the pieces of its value
    args = ""
    if head is not None:
        name, args = head
    else:
        created = NEW4.search(text)
        if created is None:
            return None
        name = created.group(1)
    extra: list[str] = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0]
        if (found := DEF.match(line)) and head is None:
            params = [p.strip().split("=")[0].strip(" *") for p in found.group(1).split(",")]
            names.update({p: (("arg", i),) for i, p in enumerate(params) if p})
        elif (found := MODULE.match(line)) is not None:
            names[found.group(1)] = (("module", ""),)
        elif (found := INDEX.match(line)) and found.group(2) == args:
            names[found.group(1)] = (("arg", int(found.group(3))),)
        elif (found := UNPACK.match(line)) and found.group(2) == args:
            for i, local in enumerate(n.strip() for n in found.group(1).split(",")):
                names[local] = (("arg", i),)
        elif (found := STRING.match(line)) is not None:
            pieces = _string(found.group(2), names)
            if pieces is not None:
                names[found.group(1)] = pieces
        elif (found := PUSH.match(line)) and found.group(1) == args:
            extra.append(found.group(3))
        elif template := TEMPLATE.search(line):
            pieces = _value(template.group(1), names)
            return TemplateFunction(name, pieces) if pieces is not None else None
        elif (delegate := DELEGATE.search(line)) and delegate.group(2) == args:
            return TemplateFunction(name, delegate=delegate.group(1), extra=tuple(extra))
        elif (listed := DELEGATE_LIST.search(line)) is not None:
            target = listed.group(1) or listed.group(3)
            items = [i.strip() for i in (listed.group(2) or listed.group(4) or "").split(",")]
            passes = [_value(i, names) for i in items if i]
            if target == "template" or any(p is None for p in passes):
                return None
            return TemplateFunction(
                name, delegate=target, passes=tuple(p for p in passes if p is not None)
            )
    return None


def _value(expr: str, names: Mapping[str, tuple[Piece, ...]]) -> tuple[Piece, ...] | None:
    if expr[:1] in "'\"":
        return _string(expr, names)
    return names.get(expr)


def _string(literal: str, names: Mapping[str, tuple[Piece, ...]]) -> tuple[Piece, ...] | None:
    body = literal[1:-1]
    if literal[0] == "'":
        return (("lit", body),)
    out: list[Piece] = []
    for i, part in enumerate(re.split(r"#\{\s*([^}]*?)\s*\}", body)):
        if i % 2 == 0:
            if part:
                out.append(("lit", part))
            continue
        inner = _value(part, names)
        if inner is None:
            return None
        out.extend(inner)
    return tuple(out)


def template_name(
    functions: Mapping[str, TemplateFunction], name: str, args: list[str], module: str
) -> str | None:
    """The template a call renders, given its literal arguments and the caller's module."""
    for _ in range(8):  # delegation chains are short; a loop is not followed
        function = functions.get(name)
        if function is None:
            return None
        if function.delegate and function.passes is not None:
            passed = [_render(p, args, module) for p in function.passes]
            if any(p is None for p in passed):
                return None
            name, args = function.delegate, [p for p in passed if p is not None]
            continue
        if function.delegate:
            name, args = function.delegate, [*args, *function.extra]
            continue
        return _render(function.pieces, args, module)
    return None


def _render(pieces: tuple[Piece, ...], args: list[str], module: str) -> str | None:
    out = []
    for kind, value in pieces:
        if kind == "lit":
            out.append(str(value))
        elif kind == "module":
            if not module:
                return None
            out.append(module)
        elif isinstance(value, int) and value < len(args):
            out.append(args[value])
        else:
            return None
    return "".join(out)
