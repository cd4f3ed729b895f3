"""Positional interfaces of Python, Perl and Ruby scripts with no option parser (issue 26).

Read from how the code uses its arguments, never run:
- Python: `sys.argv[N]` reads operand N; `len(sys.argv)` tests whose branch exits say how many
  are required or allowed; any other use (`sys.argv[1:]`, `for a in sys.argv`, handing it to a
  function) leaves the count open. A module that reads `sys.argv` itself (argparse's kin,
  `fileinput`, `unittest`, click, docopt, fire), a call of a library's entry point
  (`main()`, `cli()`, `app.run()` of a module outside the standard library), `exec` or
  `runpy` make the interface unknown.
- Perl: `$ARGV[N]` and `shift` outside any `sub`; `@ARGV`, `<>`, `pop` open the count; `use` of
  a module not known to leave `@ARGV` alone, `require`/`do` of a file, or `-s`/`-n`/`-p` on the
  shebang make it unknown.
- Ruby: `ARGV[N]`; other `ARGV` uses, `ARGF`, `$*` open it; a bare `gets` (which reads the
  files named in ARGV), `OptionParser` or a `require` not known to leave ARGV alone, unknown.
A script that reads none of them takes no arguments.
"""

from __future__ import annotations

import ast
import re
import sys

from driftlint.interfaces.common import LineIndex, make_interface
from driftlint.interfaces.pyoptions import span_of
from driftlint.model import Interface, Positional, Span

__all__ = ["perl_positional", "python_positional", "ruby_positional"]

# Libraries seen in real trees that never read sys.argv themselves.
_PY_QUIET = frozenset(
    {
        "requests", "yaml", "six", "simplejson", "psutil", "boto", "boto3", "botocore",
        "jinja2", "ldap", "MySQLdb", "pymysql", "psycopg2", "redis", "dns", "netaddr",
        "prometheus_client", "kazoo", "paramiko", "lxml", "dateutil", "pytz", "urllib3",
        "kafka", "elasticsearch", "pycurl", "httplib2", "memcache", "pymongo", "ipaddr",
        "netifaces", "zmq", "xmltodict", "certifi", "chardet", "idna", "pexpect", "docker",
        "statsd", "bs4", "feedparser", "ujson", "toml", "cryptography", "OpenSSL", "nagiosplugin",
        "sh", "git", "github", "jenkins", "consul", "etcd", "hvac", "ruamel", "ldap3",
    }
)  # fmt: skip
_PY_READERS = frozenset(
    {
        "argparse", "optparse", "getopt", "fileinput", "unittest", "doctest", "runpy", "code",
        "click", "docopt", "fire", "typer", "plac", "absl", "gflags", "cliff", "cement",
    }
)  # fmt: skip
# A library's function called so may be a command-line entry point that reads sys.argv.
_ENTRY = re.compile(
    r"^(?:main|cli|run|app|entry(?:_?point)?|command|execute|start|parse_args|parse_argv"
    r"|handle|dispatch|go)$",
    re.I,
)


def _py_reader(name: str) -> bool:
    """A module that reads sys.argv itself."""
    return name.lstrip(".").split(".", 1)[0] in _PY_READERS


def _py_library(name: str) -> bool:
    """A module outside the standard library not known to leave sys.argv alone."""
    top = name.split(".", 1)[0]
    return name.startswith(".") or (top not in sys.stdlib_module_names and top not in _PY_QUIET)


def _calls_an_entry_point(tree: ast.Module, libraries: set[str]) -> bool:
    """Some call runs `main()`, `cli()`, `app.run()`... of a library: it may read sys.argv."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        if not dotted:
            continue
        parts = dotted.split(".")
        if parts[0] in libraries and _ENTRY.match(parts[-1]):
            return True
    return False


_PY_IMPORT = re.compile(r"(?m)^\s*(?:from\s+(\.*[\w.]*)\s+import\b|import\s+([\w., ]+))")
_PY_INDEX = re.compile(r"\bargv\s*\[\s*(\d+)\s*\]")


def python_positional(
    tree: ast.Module, text: str, path: str, script: str, original: str
) -> Interface | None:
    """How many operands a Python script with no parser reads; None when that is unsure.

    `original` is the text as written: a Python 2 rewrite may have blanked statements, so what
    it imports and how often it names `argv` are counted there too."""
    for m in _PY_IMPORT.finditer(original):
        names = [m.group(1)] if m.group(1) is not None else m.group(2).split(",")
        for name in names:
            module = name.strip().split(" ", 1)[0]
            if module and _py_reader(module):
                return None
    argv_names = {"sys.argv"}
    sys_names = {"sys"}
    libraries: set[str] = set()  # names bound to what a library outside the stdlib holds
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _py_reader(alias.name):
                    return None
                if _py_library(alias.name):
                    libraries.add(alias.asname or alias.name.split(".", 1)[0])
                if alias.name == "sys" and alias.asname:
                    sys_names.add(alias.asname)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _py_reader(module):
                return None
            if _py_library(module):
                if any(alias.name == "*" for alias in node.names):
                    return None
                libraries.update(alias.asname or alias.name for alias in node.names)
            if node.module == "sys":
                for alias in node.names:
                    if alias.name == "argv":
                        argv_names.add(alias.asname or "argv")
                    elif alias.name == "*":
                        return None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("exec", "execfile", "eval", "__import__")
        ):
            return None
    if _calls_an_entry_point(tree, libraries):
        return None
    argv_names |= {f"{s}.argv" for s in sys_names}
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    reads: list[int] = []
    open_count = False
    low, high = 0, None
    first: ast.AST | None = None
    for node in ast.walk(tree):
        if not (
            (isinstance(node, ast.Name) and node.id == "argv")
            or (isinstance(node, ast.Attribute) and node.attr == "argv")
        ):
            continue
        parent = parents.get(id(node))
        if _dotted(node) not in argv_names:
            open_count = True  # `os.sys.argv`, `self.argv`: an argv we do not follow
            continue
        first = first or node
        if isinstance(parent, ast.Subscript) and parent.value is node:
            index = parent.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, int):
                if index.value < 0:
                    open_count = True
                else:
                    reads.append(index.value)
                continue
            open_count = True
            continue
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id == "len"
        ):
            bound = _len_test(parent, parents)
            if bound is not None:
                low = max(low, bound[0])
                if bound[1] is not None:
                    high = bound[1] if high is None else min(high, bound[1])
            continue
        if isinstance(node, ast.Name) and isinstance(parent, ast.ImportFrom | ast.alias):
            continue
        open_count = True
    seen = sum(
        1
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "argv")
        or (isinstance(node, ast.Attribute) and node.attr == "argv")
    )
    written = len(re.findall(r"\bargv\b", original))
    if written > seen + len(re.findall(r"import[^\n]*\bargv", original)):
        # named where the syntax tree does not show it (a statement the Python 2 rewrite
        # blanked: `print >>sys.stderr, "usage: %s X" % sys.argv[0]`): only plain
        # `sys.argv[N]` reads may hide there; the tree's own reads and `len()` tests still count
        indexed = [int(m.group(1)) for m in _PY_INDEX.finditer(original)]
        imports = len(re.findall(r"import[^\n]*\bargv", original))
        hidden = written - seen - imports
        if len(indexed) - len(reads) != hidden:
            return None
        reads = indexed
    most: int | None = None if open_count else max(reads, default=0)
    if high is not None:
        most = high
    if most is not None and low > most:
        return None
    lines = text.split("\n")
    source = _py_span(first, lines, path) if first is not None else Span(path, 1, 1, 1, 1)
    positionals = () if most == 0 else (Positional("args", low, most),)
    return make_interface(script, "positional", positionals=positionals, source=source)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


_FLIP = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}


def _len_test(call: ast.Call, parents: dict[int, ast.AST]) -> tuple[int, int | None] | None:
    """(fewest, most) operands an `if len(sys.argv) OP N:` whose body exits allows."""
    compare = parents.get(id(call))
    if not isinstance(compare, ast.Compare) or len(compare.ops) != 1:
        return None
    other = compare.comparators[0] if compare.left is call else compare.left
    if not (isinstance(other, ast.Constant) and isinstance(other.value, int)):
        return None
    op: type[ast.cmpop] = type(compare.ops[0])
    if compare.left is not call:
        op = _FLIP.get(op, op)
    statement = parents.get(id(compare))
    negated = False
    if isinstance(statement, ast.UnaryOp) and isinstance(statement.op, ast.Not):
        negated, statement = True, parents.get(id(statement))
    if not isinstance(statement, ast.If) or not _exits(statement.body):
        return None
    n = other.value - 1  # argv[0] is the program
    if negated:
        op = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
              ast.Gt: ast.LtE, ast.LtE: ast.Gt}.get(op, op)  # fmt: skip
    # the call is rejected when `len(argv) - 1 op n`
    if op is ast.NotEq:
        return (n, n)
    if op is ast.Eq and n == 0:
        return (1, None)
    if op is ast.Lt:
        return (n, None)
    if op is ast.LtE:
        return (n + 1, None)
    if op is ast.Gt:
        return (0, n)
    if op is ast.GtE:
        return (0, max(0, n - 1))
    return None


def _exits(body: list[ast.stmt]) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in ("sys.exit", "exit", "quit", "os._exit") or "usage" in name.lower():
                return True
    return False


def _py_span(node: ast.AST, lines: list[str], path: str) -> Span:
    return span_of(node, lines, path)


# Perl -----------------------------------------------------------------------------------------
PERL_QUIET = re.compile(
    r"^(?:strict|warnings|utf8|vars|constant|lib|POSIX|Data::Dumper|File::\w+|IO::\w+|Sys::\w+"
    r"|Socket|Time::\w+|List::Util|Scalar::Util|Carp|Cwd|Fcntl|Storable|Encode|Digest::\w+"
    r"|MIME::\w+|Net::\w+|JSON(?:::\w+)?|LWP(?:::\w+)?|HTTP::\w+|English|integer|bytes"
    r"|Text::\w+|Term::ANSIColor|Math::\w+|Errno|Exporter|Symbol|DBI|Mail::\w+|feature|open"
    r"|locale|FindBin|Benchmark|Config|IPC::\w+|Tie::\w+|overload|parent|base|Hash::Util"
    r"|Socket6|URI(?:::\w+)?|XML::\w+|YAML(?:::\w+)?|Date::\w+|DateTime|Redis|threads"
    r"|threads::shared|Thread::\w+|Unix::Syslog|Sys::Syslog|Authen::\w+|Crypt::\w+)$"
)
_PERL_COMMENT = re.compile(r"(?m)^\s*#.*$|(?<![$\\])#[^\n]*|^=\w+[\s\S]*?^=cut\b.*$")
_PERL_USE = re.compile(r"(?m)^\s*(?:use|require|no)\s+([\w:]+)")
_PERL_FILE_LOAD = re.compile(r"\b(?:require|do)\s*[('\"$]|\beval\s*[\"'$]")
_PERL_OPEN = re.compile(
    r"@ARGV|\$#ARGV|<\s*>|<<\s*>>|<\s*ARGV\s*>|\bARGV\b(?!\s*\[)|\$ARGV\b(?!\[)"
)
_PERL_INDEX = re.compile(r"\$ARGV\s*\[\s*(\d+)\s*\]")
_PERL_SHIFT = re.compile(r"\b(?:shift|pop)\b(?!\s*\(?\s*@_)")
_PERL_SUB = re.compile(r"\bsub\b\s*[\w:]*\s*(?:\([^)]*\)\s*)?\{")


def perl_positional(path: str, text: str, script: str) -> Interface | None:
    """How many operands a Perl script with no option parser reads; None when unsure."""
    first = text.split("\n", 1)[0]
    if re.search(r"\s-\w*[snpa]", first.split("perl", 1)[-1]):
        return None  # `perl -s` parses switches; `-n`/`-p` read the files ARGV names
    code = _PERL_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for m in _PERL_USE.finditer(code):
        if not PERL_QUIET.match(m.group(1)) and not m.group(1)[:1].isdigit():
            return None
    if _PERL_FILE_LOAD.search(code):
        return None
    inside = _sub_ranges(code)
    open_count = _PERL_OPEN.search(code) is not None
    reads = [int(m.group(1)) + 1 for m in _PERL_INDEX.finditer(code)]
    shifts = [
        m for m in _PERL_SHIFT.finditer(code) if not any(a <= m.start() < b for a, b in inside)
    ]
    if shifts and reads:
        open_count = True
    reads.append(len(shifts))
    most = None if open_count else max(reads)
    index = LineIndex(text)
    where = re.search(r"ARGV|\bshift\b", code)
    at = where.start() if where else 0
    source = index.span(path, at, min(len(text), at + (len(where.group(0)) if where else 1)))
    positionals = () if most == 0 else (Positional("args", 0, most),)
    return make_interface(script, "positional", positionals=positionals, source=source)


def _sub_ranges(code: str) -> list[tuple[int, int]]:
    out = []
    for m in _PERL_SUB.finditer(code):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        out.append((m.start(), i))
    return out


# Ruby -----------------------------------------------------------------------------------------
RUBY_QUIET = re.compile(
    r"^(?:json|yaml|net/https?|socket|fileutils|time|date|open3|uri|erb|logger|etc|digest"
    r"|digest/\w+|openssl|timeout|pp|set|english|base64|securerandom|tempfile|tmpdir|pathname"
    r"|resolv|ipaddr|shellwords|open-uri|csv|zlib|stringio|benchmark|rubygems|syslog|find"
    r"|socket|rexml/document|net/smtp|net/ssh|aws-sdk\S*|mysql2?|pg|redis|statsd|httparty"
    r"|rest-client|nokogiri|net/ldap|sequel|bunny|aws-sdk-\w+|open4|optparse/time)$"
)
_RUBY_REQUIRE = re.compile(r"(?m)^\s*(?:require|require_relative|load)\b\s*\(?\s*['\"]([^'\"]+)")
_RUBY_LOAD = re.compile(r"(?m)^\s*(?:require_relative|load)\b|\beval\b|\binstance_eval\b")
_RUBY_UNSURE = re.compile(r"\bOptionParser\b|\bGetoptLong\b|\bThor\b|\bSlop\b|(?<![.\w])gets\b")
_RUBY_OPEN = re.compile(r"\bARGV\b(?!\s*\[\s*\d+\s*\])|\bARGF\b|\$\*|\$<")
_RUBY_COMMENT = re.compile(r"(?m)^\s*#.*$|^=begin[\s\S]*?^=end")
_RUBY_INDEX = re.compile(r"\bARGV\s*\[\s*(\d+)\s*\]")


def ruby_positional(path: str, text: str, script: str) -> Interface | None:
    """How many operands a Ruby script with no option parser reads; None when unsure."""
    code = _RUBY_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for m in _RUBY_REQUIRE.finditer(code):
        if not RUBY_QUIET.match(m.group(1)):
            return None
    if _RUBY_LOAD.search(code) or _RUBY_UNSURE.search(code):
        return None
    open_count = _RUBY_OPEN.search(code) is not None
    reads = [int(m.group(1)) + 1 for m in _RUBY_INDEX.finditer(code)]
    most = None if open_count else max(reads, default=0)
    index = LineIndex(text)
    where = re.search(r"\bARGV\b", code)
    at = where.start() if where else 0
    source = index.span(path, at, min(len(text), at + (4 if where else 1)))
    positionals = () if most == 0 else (Positional("args", 0, most),)
    return make_interface(script, "positional", positionals=positionals, source=source)
