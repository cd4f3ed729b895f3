"""Core records shared by every stage: spans, words, interfaces, calls, bindings and findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from driftlint.ltext import LText

Severity = Literal["error", "warning"]

# How a script parses its argv; see DESIGN §2 and driftlint/argv.py.
# `positional`: the script has no option parser; every word is an operand (`-q` included).
DIALECTS = ("docopt", "getopts", "getopt_long", "argparse", "optparse", "manual", "positional")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    path: str  # POSIX, relative to the tree root
    line: int  # 1-based
    column: int  # 1-based, in characters of the file as written
    end_line: int
    end_column: int  # exclusive

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def where(self) -> str:
        """`path:line`, the form `via` uses."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Word:
    """One argv word as written, e.g. `--type=webVideoTranscode`.

    `dynamic` words hold an unresolved `${var}`, `<%= %>`, `{{ }}` or `$VAR`; the text then
    carries the placeholder `driftlint.ltext.SYMBOL` where the unknown part stands. A dynamic
    word may expand to zero or more words of any text (DESIGN §6).
    """

    text: str
    span: Span
    dynamic: bool = False
    quoted: bool = False  # the whole word was inside shell quotes, so it cannot split
    # The de-quoted text with the source location of every character; `text == source.text`.
    source: LText | None = field(default=None, compare=False, repr=False)
    # Where the shell variables this word expanded were assigned, when that is in a file the
    # script sources (`JR_ARGS="..."` in an /etc/default file): links of the call's chain.
    through: tuple[Span, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Option:
    names: tuple[str, ...]  # every spelling, e.g. ("-t", "--timeout")
    takes_value: bool = False
    optional_value: bool = False  # getopt `t::`: a value only when attached
    # Value words when takes_value (argparse nargs=N); -1 one or more, -2 zero or more,
    # -3 zero or one (argparse nargs="?" on an option).
    nargs: int = 1
    choices: tuple[str, ...] | None = None
    repeatable: bool = True
    required: bool = False
    deprecated: str = ""  # non-empty: the deprecation message
    removed_in: str = ""  # for removed options: commit or version it disappeared in
    removed_on: str = ""  # date of that commit, ISO
    message: str = ""  # free text from a spec, e.g. what to use instead
    replacement: str = ""  # the option that replaces a removed one (a rename)
    help: str = ""
    span: Span | None = None  # where the option is declared
    sources: frozenset[str] = frozenset()  # {"code", "text", "spec"}

    @property
    def name(self) -> str:
        """The longest spelling, used in messages."""
        return max(self.names, key=lambda n: (n.startswith("--"), len(n)))


@dataclass(frozen=True, slots=True)
class Positional:
    name: str
    min: int = 1  # words it takes at least
    max: int | None = 1  # at most; None is unbounded (`FILE...`)
    choices: tuple[str, ...] | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Interface:
    script: str  # the name used in findings and suppressions
    dialect: str  # one of DIALECTS
    options: tuple[Option, ...] = ()
    positionals: tuple[Positional, ...] = ()
    subcommands: tuple[tuple[str, Interface], ...] = ()
    removed: tuple[Option, ...] = ()  # options the script used to accept
    source: Span | None = None  # the usage spec this came from
    # Dialect behaviour; spec readers set these from the dialect and what the code says.
    bundling: bool = True  # `-vt 5` is `-v -t 5`
    attached_values: bool = True  # `-t5` is `-t 5`
    long_equals: bool = True  # `--timeout=5` is `--timeout 5`
    abbreviations: bool = False  # `--time` is `--timeout` when unambiguous
    interleaved: bool = True  # options may follow positionals
    single_dash_long: bool = False  # optparse/argparse names like `-foo`
    accepts_unknown: bool = False  # unknown options are passed through, never an error
    errors: tuple[Finding, ...] = ()  # problems reading the spec (parse-error, undocumented-option)

    def option_names(self) -> list[str]:
        return [n for o in self.options for n in o.names]

    def find_option(self, name: str) -> Option | None:
        for option in self.options:
            if name in option.names:
                return option
        return None

    def removed_option(self, name: str) -> Option | None:
        for option in self.removed:
            if name in option.names:
                return option
        return None

    def subcommand(self, name: str) -> Interface | None:
        return dict(self.subcommands).get(name)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One run of a watched script found in the tree.

    `words` is argv after argv[0]; `command` is argv[0] as written. `via` is the chain of
    places the call came through, outermost (where a role declares it) first.
    """

    script: str
    command: Word
    words: tuple[Word, ...]
    via: tuple[Span, ...] = ()
    passthrough: bool = False  # argv ends with "$@": more words may follow
    # Conditions a template assumed of unknown values to print some of these words
    # (driftlint/resolve/conditions.py); the same argv printed unconditionally is another call.
    assumptions: tuple[str, ...] = ()
    # Conditions the whole call needs: it is declared only on a side of a Puppet branch that
    # the parameters' defaults do not take (driftlint/resolve/undecided.py).
    requires: tuple[str, ...] = ()
    # How argv[0] was matched to the script (driftlint/resolve/command_path.py): "installed
    # path", "link ...", "name on PATH ..."; for a mention that is no call, why not.
    matched: str = ""
    is_call: bool = True
    # The command runs on another host than the one that installs its call site (ssh, an
    # Icinga 2 agent): its script is found on the hosts that install it, not this role's.
    remote: str = ""
    # The tree file of the watched script argv[0] was matched to: with several scripts of one
    # name, a call by installed path is judged against its own script only.
    spec_path: str = ""
    # Written in a program's code (Python, Perl, Ruby calling a script): the program's own
    # branches decide when, and on which of its hosts, it runs, which the tree cannot tell.
    in_code: bool = False
    # NRPE (driftlint.sites.nrpe): on a call, the name of the `command[NAME]=` line it is
    # written in; with no `script`, a `check_nrpe -c NAME -a ...` that runs that definition on
    # another host (its `words` the `-a` words), bound to it across roots by the pipeline.
    nrpe: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    invocation: Invocation
    roles: tuple[str, ...] = ()  # sorted; () when no role reaches it


# What argv.bind_argv() says each word is.
BoundKind = Literal[
    "option", "value", "positional", "subcommand", "separator", "operand", "unknown", "dynamic"
]


@dataclass(frozen=True, slots=True)
class Bound:
    kind: BoundKind
    word: Word
    name: str = ""  # canonical option name, positional name or subcommand
    start: int = 0  # character offset in word.text where this item starts (clusters, `=`)
    end: int = -1  # exclusive offset; -1 is the end of the word


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem the binder is sure of: it holds for every expansion of the dynamic words."""

    code: str  # a checks code, e.g. "unknown-option"
    word: Word
    name: str  # the option, value, positional or subcommand concerned
    detail: str = ""  # what the check needs to phrase the message (a choice list, a count)
    start: int = 0  # offsets inside word.text of the offending part
    end: int = -1


@dataclass(frozen=True, slots=True)
class Binding:
    bound: tuple[Bound, ...] = ()
    problems: tuple[Problem, ...] = ()
    interface: Interface | None = None  # the (sub)interface the last words were bound to

    def of(self, code: str) -> Iterator[Problem]:
        return (p for p in self.problems if p.code == code)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """The one output record; ordered by span first, so sorted(findings) is reading order."""

    span: Span
    code: str
    message: str
    argument: str = ""  # the offending word as written
    script: str = ""
    roles: tuple[str, ...] = ()  # sorted
    via: tuple[Span, ...] = ()
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class CheckContext:
    call: Call
    interface: Interface
    binding: Binding
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def finding(
        self, code: str, problem: Problem, message: str, severity: Severity = "error"
    ) -> Finding:
        """Build a finding at the problem's word, narrowed to its offending part.

        When a template prints that part only under an assumption about an unknown value
        (`<% if @debug %>`, which no role sets), it may never happen: a warning that says when.
        """
        source = problem.word.source
        stop = None if problem.end < 0 else problem.end
        assumed = source.assumed(problem.start, stop) if source is not None else ()
        requires = self.call.invocation.requires
        assumed = (*requires, *(a for a in assumed if a not in requires))
        if assumed:
            severity = "warning"
            message += f" (only when {' and '.join(assumed)})"
        if remote := self.call.invocation.remote:
            # Where it runs: the roles that install its script (driftlint.pipeline).
            where = self.call.invocation.matched.partition("it runs on the hosts of ")[2]
            hosts = f"the hosts of {where}" if where else "the hosts that install it"
            message += f" (run through {remote} on {hosts})"
        return Finding(
            span=origin(problem.word, problem.start, problem.end, self.call.invocation.command),
            code=code,
            message=message,
            argument=problem.word.text[problem.start : None if problem.end < 0 else problem.end]
            if problem.start or problem.end >= 0
            else problem.word.text,
            script=self.interface.script,
            roles=self.call.roles,
            via=self.call.invocation.via,
            severity=severity,
        )


def origin(word: Word, start: int, end: int, command: Word) -> Span:
    """Where the offending part of a word is written.

    A word built in several files (`--${title}`: `--` in a define, the title in the class that
    declares it) points at the part written outside the file of the command itself: that is
    where a value came from, and where it has to be fixed.
    """
    source = word.source
    if source is not None:
        stop = None if end < 0 else end
        paths = source.paths(start, stop)
        if len(paths) > 1:
            for path in paths:
                if path != command.span.path:
                    found = source.span_in(path, start, stop)
                    if found is not None:
                        return found
        found = source.span(start, stop)
        if found is not None:
            return found
    return narrow(word, start, end)


def narrow(word: Word, start: int, end: int) -> Span:
    """The span of word.text[start:end]; the whole word's span when that cannot be told."""
    span = word.span
    if start == 0 and end < 0:
        return span
    if word.source is not None:
        return word.source.span(start, None if end < 0 else end) or span
    if span.line != span.end_line:
        return span
    if span.end_column - span.column != len(word.text):
        return span  # written with quotes or escapes: keep the whole word
    stop = len(word.text) if end < 0 else end
    return Span(span.path, span.line, span.column + start, span.line, span.column + stop)


@dataclass(frozen=True, slots=True, order=True)
class Mention:
    """A place naming a watched script that became neither a call nor its install."""

    span: Span
    script: str
    text: str  # the path or name as written
    reason: str


@dataclass(frozen=True, slots=True, order=True)
class UnknownInterface:
    """A watched script whose interface driftlint cannot read: its calls are listed, not judged."""

    script: str
    spec_path: str  # the tree file installed
    reason: str


@dataclass(frozen=True, slots=True)
class Result:
    """What engine.run() returns: everything a report needs, nothing printed."""

    root: str  # the tree root as given
    findings: tuple[Finding, ...]  # sorted
    setup_errors: tuple[str, ...] = ()  # "file:line:col: message" for config, rule or spec errors
    internal_errors: tuple[str, ...] = ()  # checks that raised (exit 3)
    files_checked: int = 0
    calls_checked: int = 0
    interfaces: tuple[Interface, ...] = ()
    calls: tuple[Call, ...] = ()
    mentions: tuple[Mention, ...] = ()  # mentions not understood (driftlint.mentions)
    # How the run read the tree where it guessed (a Hiera hierarchy inferred): one line each.
    notes: tuple[str, ...] = ()
    # Called scripts whose interface is unknown (kept by the run cache, unlike `calls`).
    unknown: tuple[UnknownInterface, ...] = ()


def fast_pickling(namespace: dict[str, object]) -> None:
    """Give every frozen slotted dataclass defined in `namespace` a state that is a plain
    tuple. The state dataclasses generate calls `fields()` for every object it restores,
    which was most of the time to load a cached parse or the incremental store."""
    import dataclasses
    import operator

    for cls in list(namespace.values()):
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        if cls.__module__ != namespace.get("__name__") or "__slots__" not in cls.__dict__:
            continue
        names = tuple(f.name for f in dataclasses.fields(cls))
        if not names:
            continue
        get = operator.attrgetter(*names)
        single = len(names) == 1

        def getstate(
            self: object, get: operator.attrgetter[object] = get, single: bool = single
        ) -> tuple[object, ...]:
            found = get(self)
            return (found,) if single else cast(tuple[object, ...], found)

        setattr(cls, "__getstate__", getstate)  # noqa: B010 - a method of every such class
        setattr(cls, "__setstate__", _setstate(cls, names))  # noqa: B010


def _setstate(cls: type, names: tuple[str, ...]) -> object:
    """`__setstate__` for one class, written out field by field: each slot's descriptor is
    called directly (a frozen dataclass's own `__setattr__` refuses), with no loop."""
    slots: dict[str, object] = {}
    for klass in cls.__mro__:
        for name in klass.__dict__.get("__slots__", ()):
            slots.setdefault(name, klass.__dict__[name].__set__)
    setters = {f"_set{i}": slots[name] for i, name in enumerate(names)}
    values = ", ".join(f"v{i}" for i in range(len(names)))
    lines = ["def setstate(self, state):", f"    {values}, = state"]
    lines += [f"    _set{i}(self, v{i})" for i in range(len(names))]
    space: dict[str, object] = dict(setters)
    exec("\n".join(lines), space)  # our own text, made of field numbers only
    return space["setstate"]


fast_pickling(globals())
