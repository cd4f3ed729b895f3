"""Mentions not understood: places that name a watched script but became no call (issue 13).

A place mentions a script when its bytes hold the script's installed path, or its name right
after a command separator (`;`, `&&`, `|`, `(`, a backquote, the start of a line). Most such
places are the install itself, a call driftlint resolved, or something that plainly runs
nothing (a comment, `File['...']`, `test -x`, a sudoers rule, a `service` pattern). What is
left is where driftlint may be missing calls; each gets the likeliest reason, so the gaps of
the call-site readers show themselves (`driftlint calls --unresolved`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence

from driftlint.discover import SourceFile
from driftlint.extract import Watched
from driftlint.ltext import LText
from driftlint.model import Call, Mention, Span
from driftlint.parse import shell
from driftlint.parse.puppet import ast
from driftlint.resolve.relevance import _trie
from driftlint.resolve.scope import string_literal, walk

# Where a command starts: after a shell separator, and in data files after a key that holds
# a command (`cmd:`, `command =`, `"exec":`) or a list item; a `sudo` before the name too.
SEPARATOR = (
    r"(?:^|[;&|(`]|(?<!\$)\{|\$\(|^[ \t]*-[ \t]+['\"]?"
    r"|\b(?:cmd|command|exec|run|script|check_command)['\"]?[ \t]*[:=][ \t]*['\"\[]?)"
    r"[ \t]*(?:sudo[ \t]+(?:-u[ \t]+\S+[ \t]+)?)?"
)
# Before the mention on its line: a comment, a resource reference, a file test, a process
# lookup, a file operation. None of them runs the script.
NOT_A_RUN = (
    ("comment", re.compile(r"(?:^|\s)(?:#|//|<%#)|^\s*;")),
    # `File['/a', '/b']`: every title of the reference, not only the first.
    (
        "resource reference",
        re.compile(r"\b[A-Z]\w*(?:::\w+)*\[(?:\s*['\"][^'\"\]]*['\"]\s*,)*\s*['\"]?$"),
    ),
    ("file test", re.compile(r"(?:\btest|\[\[?)\s+!?\s*-[a-zA-Z]\s+['\"]?$")),
    ("file test", re.compile(r"\bFile\.(?:exists?|executable|file|readable)\?\(\s*['\"]?$")),
    # A pattern looked for (`ps aux | grep '/usr/lib/x.sh'`, `grep -q x /etc/y`) runs nothing.
    ("process lookup", re.compile(r"\b(?:pgrep|pkill|pidof|killall|grep)\b[^;|&]*$")),
    # A file handled as a file: fetched, copied, made executable, removed. None runs it.
    (
        "file operation",
        re.compile(
            r"(?:^|[\s;&|(`])(?:chmod|chown|chgrp|rm|cp|mv|ln|install|touch|stat|wget|curl|cat"
            r"|ls|md5sum|sha\d*sum|diff|sed|grep)\s[^;|&]*$"
        ),
    ),
)
FILE_PROGRAMS = frozenset({
    "chmod", "chown", "chgrp", "rm", "cp", "mv", "ln", "install", "touch", "stat", "wget",
    "curl", "cat", "ls", "md5sum", "sha1sum", "sha256sum", "diff", "sed", "grep",
})  # fmt: skip
# After the mention on its line: a shell function's definition (`name() {`), a Puppet class
# or Hiera key (`name::param:`), a file sourced with no arguments (`. /usr/local/bin/env.sh`),
# read into the shell that sources it, which passes it no words to check.
NOT_A_RUN_AFTER = re.compile(r"\s*\(\s*\)|::")
SOURCED = re.compile(r"(?:^|[;&|(\s])(?:\.|source)\s+['\"]?$")
# Files that name programs without running them: rspec tests and their fixtures (`spec/`,
# never installed: they describe a catalog), a module's CI and acceptance files (Puppet serves
# a module's manifests, files and templates), and the lists of a tree's own dependencies.
NOT_RUN_FILES = re.compile(
    r"(?:^|/)spec/|(?:^|/)modules/[^/]+/(?:\.github|acceptance)/"
    r"|(?:^|/)(?:Gemfile(?:\.lock)?|Puppetfile|\.fixtures\.yml|metadata\.json)$"
    r"|\.gemspec$"
)
DOCUMENTS = (".md", ".rst", ".txt", ".html", ".adoc", ".markdown")
MAN_PAGE = re.compile(r"\.[1-8][a-z]*(?:\.gz)?$")
# In a program's code a bare name is a command only inside a string (`"cd /x; x -q"`,
# `` `x ...` ``); outside one it is the program's own identifier (`execute(sql)`).
PROGRAM = re.compile(r"\.(?:py|rb|pl|pm|rake)$")
PROGRAM_SHEBANG = re.compile(r"\A\ufeff?#!\s*\S*\b(?:env\s+)?(?:python|perl|ruby)")

# What follows a name that is no command word: a Puppet attribute or hash key (`=>`), a YAML
# mapping key (`:`). (A qualified name, `kafka::user_shell`, is NOT_A_RUN_AFTER's.)
KEY_AFTER = re.compile(r"""['"]?[ \t]*(?:=>|:(?:[ \t]|$))""")
SUDOERS = re.compile(r"NOPASSWD|Cmnd_Alias|\bALL\s*=\s*\(")
# Attributes whose value names a script without running it, metaparameters included (their
# references can span lines: `require => [File['a'],\n '/usr/local/bin/x']`).
NOT_COMMANDS = frozenset({
    "pattern", "creates", "binary", "alias", "path", "target", "ensure",
    "require", "before", "notify", "subscribe", "tag", "audit", "loglevel",
})  # fmt: skip


def unresolved_mentions(
    files: Iterable[SourceFile],
    read: Callable[[str], str | None],
    watched: Sequence[Watched],
    calls: Iterable[Call],
    manifests: Iterable[ast.Manifest],
    installed_sources: Iterable[str],
) -> list[Mention]:
    """Every mention of a watched script that is neither a call nor an install, with why."""
    if not watched:
        return []
    by_text: dict[str, Watched] = {}
    for w in watched:
        for name in w.names:
            by_text.setdefault(name, w)
        for path in w.paths:
            by_text[path] = w
    paths = sorted((p for p in by_text if p.startswith("/")), key=len, reverse=True)
    names = sorted((n for n in by_text if not n.startswith("/")), key=len, reverse=True)
    finder = _finder(paths, names)
    if finder is None:
        return []
    own = {w.spec_path for w in watched}
    understood = _call_lines(calls)
    by_manifest = {m.path: m for m in manifests}
    installs = _install_lines(by_manifest.values(), set(paths))
    used = set(installed_sources)
    out: list[Mention] = []
    for source in files:
        if source.path in own:
            continue  # the script's own usage text names it
        text = read(source.path)
        if not text:
            continue
        program = bool(PROGRAM.search(source.path) or PROGRAM_SHEBANG.match(text))
        for match in finder.finditer(text):
            found = match.group(0)
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            line = text[start : len(text) if end < 0 else end]
            column = match.start() - start
            number = text.count("\n", 0, start) + 1
            where = (source.path, number)
            if where in understood or where in installs:
                continue
            if found not in by_text or (
                not found.startswith("/") and not _after_separator(line[:column])
            ):
                continue  # part of a longer word, or a bare name where no command starts
            if program and not found.startswith("/") and not _in_string(line[:column]):
                continue  # an identifier of the program's own code
            if program and _quoted_in_text(text, source.path, match.start(), line[:column]):
                continue  # `name` in a docstring or heredoc: a name set in code type, no run
            reason = _reason(source, line, column, by_manifest, number, used, found)
            if reason is None:
                continue
            script = by_text[found]
            span = Span(source.path, number, column + 1, number, column + len(found) + 1)
            out.append(Mention(span, script.name, found, reason))
    return sorted(out)


def _finder(paths: Sequence[str], names: Sequence[str]) -> re.Pattern[str] | None:
    """Whole paths and names, one trie-shaped pattern (a flat alternation of hundreds of
    scripts took minutes on a real tree). A name must not be the end of a path; the separator
    before a bare name is checked afterwards (lookbehinds take fixed widths only)."""
    words = [*paths, *(n for n in names if n)]
    if not words:
        return None
    return re.compile(rf"(?<![\w./-]){_trie(words)}(?![\w.-])")


def _call_lines(calls: Iterable[Call]) -> set[tuple[str, int]]:
    """Lines some call came through: its command, its words and its chain."""
    out: set[tuple[str, int]] = set()
    for call in calls:
        invocation = call.invocation
        spans = [invocation.command.span, *invocation.via, *(w.span for w in invocation.words)]
        for span in spans:
            out.update((span.path, line) for line in range(span.line, span.end_line + 1))
    return out


def _install_lines(manifests: Iterable[ast.Manifest], paths: set[str]) -> set[tuple[str, int]]:
    """Lines of `file` resources whose title or `path` is a watched path: the installs. A
    title written as a variable (`file { $script_path: }`) makes the watched paths of that
    variable's values in the same manifest installs too: its parameter default, or what it is
    assigned (`$x = $::os ? { windows => 'C:/x.py', default => '/usr/local/bin/x.py' }`)."""
    out: set[tuple[str, int]] = set()
    for manifest in manifests:
        variables: set[str] = set()
        for node in walk(manifest.body):
            if not isinstance(node, ast.Resource) or node.type != "file":
                continue
            for body in node.bodies:
                titles = body.title.items if isinstance(body.title, ast.Array) else (body.title,)
                values = [*titles, *(a.value for a in body.attrs if a.name == "path")]
                for value in values:
                    if string_literal(value) in paths:
                        out.add((manifest.path, value.span.line))
                    elif isinstance(value, ast.Var):
                        variables.add(value.name)
        if variables:
            out.update((manifest.path, line) for line in _values_of(manifest, variables, paths))
    return out


def _values_of(manifest: ast.Manifest, names: set[str], paths: set[str]) -> set[int]:
    """Lines of the watched paths written as values of these variables in a manifest."""
    values: list[ast.Node] = []
    for node in walk(manifest.body):
        if isinstance(node, ast.Assign) and isinstance(node.target, ast.Var):
            if node.target.name in names:
                values.append(node.value)
        elif isinstance(node, ast.ClassDef | ast.DefineDef):
            values.extend(p.default for p in node.params if p.name in names and p.default)
    return {n.span.line for n in walk(values) if string_literal(n) in paths}


def _reason(
    source: SourceFile,
    line: str,
    column: int,
    manifests: dict[str, ast.Manifest],
    number: int,
    installed: set[str],
    found: str = "",
) -> str | None:
    """Why a mention became no call; None when it plainly runs nothing."""
    before = line[:column]
    if any(pattern.search(before) for _, pattern in NOT_A_RUN) or SUDOERS.search(line):
        return None
    after = line[column + len(found) :]
    if NOT_A_RUN_AFTER.match(after) or NOT_RUN_FILES.search(source.path):
        return None
    if SOURCED.search(before) and re.match(r"['\"]?\s*(?:$|[;&|)#]|\bthen\b)", after):
        return None
    if KEY_AFTER.match(line, column + len(found)):
        return None  # a key (`shell => '/bin/false'`, `shell: bash`, `kafka::x:`): runs nothing
    if posixpath.basename(source.path) == found:
        return None  # a script naming itself: its usage text or documentation
    if source.kind == "manifest":
        manifest = manifests.get(source.path)
        # A manifest not parsed is one Puppet does not load (tests/, examples/).
        return _manifest_reason(manifest, number, column + 1) if manifest else None
    if source.kind == "yaml" and ("/files/" in source.path or "/templates/" in source.path):
        return (
            "a command in an installed data file (a `cmd:`/`command:` key), run by a program "
            "driftlint does not read"
        )
    if source.kind == "yaml":
        return "a Hiera or data value that no evaluated class turned into a command"
    lower = source.path.lower()
    if lower.endswith(DOCUMENTS) or "readme" in lower or MAN_PAGE.search(lower):
        return None  # documentation shows commands; it runs none
    if source.path not in installed:
        return "in a file no `file` resource driftlint recognises installs"
    if re.match(r"\s*(?:export\s+)?[A-Za-z_]\w*=", line):
        return "a shell variable whose value no resolved call used"
    return "in an installed file whose commands did not resolve to this script"


# A Ruby or Perl heredoc's opening (`<<EOS`, `<<-'EOS'`, `<<~EOS`), not a backtick one.
HEREDOC = re.compile(r"<<[-~]?(['\"]?)([A-Za-z_]\w*)\1")


def _quoted_in_text(text: str, path: str, at: int, before: str) -> bool:
    """Is a name right after a backtick a word of prose set in code type? In Python a
    backtick runs nothing; in Ruby and Perl it does, except inside a heredoc (a string)."""
    if not before.endswith("`"):
        return False
    if path.endswith(".py") or re.match(r"\A\ufeff?#!\S*\b(?:env\s+)?python", text):
        return True
    for opening in HEREDOC.finditer(text, 0, at):
        body = text.find("\n", opening.end()) + 1
        end = re.compile(rf"^[ \t]*{opening.group(2)}[ \t]*$", re.MULTILINE).search(text, body)
        if 0 < body <= at and (end is None or at < end.start()):
            return True
    return False


def _in_string(before: str) -> bool:
    """Is the end of a line's start inside a quoted string (an odd number of one quote)?"""
    return any(before.count(quote) % 2 for quote in "\"'`")


def _after_separator(before: str) -> bool:
    return re.search(SEPARATOR + r"$", before) is not None


def _manifest_reason(manifest: ast.Manifest, line: int, column: int) -> str | None:
    best: tuple[str, str, bool, ast.Node | None] | None = None
    for node in walk(manifest.body):
        if not isinstance(node, ast.Resource):
            continue
        for body in node.bodies:
            if not _inside(body.span, line, column):
                continue
            absent = any(a.name == "ensure" and _word(a.value) == "absent" for a in body.attrs)
            if _inside(body.title.span, line, column):
                best = (node.type, "title", absent, None)
            for one in body.attrs:
                if _inside(one.span, line, column):
                    best = (node.type, one.name, absent, one.value)
    if best is None:
        return "a Puppet value (a parameter, a variable) that became no command"
    kind, name, absent, value = best
    if absent:
        return None  # `ensure => absent`: the resource removes what would run it
    if name in NOT_COMMANDS or (kind == "file" and name == "title"):
        return None
    if kind in ("exec", "cron") and _file_operand(value, line, column):
        return None
    if kind in ("exec", "cron") and name in ("command", "unless", "onlyif"):
        return f"an `{kind}` `{name}` no evaluated role reached with a known command word"
    return f"the `{name}` of a `{kind}` resource, which driftlint does not read as a command"


def _file_operand(value: ast.Node | None, line: int, column: int) -> bool:
    """Is the mention at (line, column) of a command string written as one literal (over as
    many lines as it takes) an operand of a program that handles files and runs none
    (`sed -i '...' /root/.bashrc`)?"""
    if not isinstance(value, ast.Str) or not all(isinstance(p, ast.Lit) for p in value.parts):
        return False
    text = LText.join(p.value for p in value.parts if isinstance(p, ast.Lit))
    for command in shell.parse_shell(text, value.span.path).commands:
        if not command.words or posixpath.basename(command.words[0].text) not in FILE_PROGRAMS:
            continue
        for word in command.words[1:]:
            if (
                (word.span.line, word.span.column)
                <= (line, column)
                < (
                    word.span.end_line,
                    word.span.end_column,
                )
            ):
                return True
    return False


def _word(node: ast.Node) -> str | None:
    """A value written as a string or a bare word (`absent`, `'absent'`)."""
    return node.text if isinstance(node, ast.Name) else string_literal(node)


def _inside(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) < (span.end_line, span.end_column)
