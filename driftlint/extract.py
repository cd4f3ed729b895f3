"""Turn the resources one role declares into invocations of watched scripts.

Commands come from `exec` (`command`, `unless`, `onlyif`), `cron` (`command`) and from the
files the role installs: shell and init scripts, systemd units and cron files, read with the
role's rendering of each template. A script that sources `/etc/default/x`, or a unit with
`EnvironmentFile=`, gets the variables of the file the same role installs there.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from driftlint import reads, sites
from driftlint.ltext import SYMBOL, LText
from driftlint.model import Invocation, Span, Word
from driftlint.parse import shell, wrappers
from driftlint.parse.puppet import ast
from driftlint.resolve import command_path as paths
from driftlint.resolve.conditions import conditions_of
from driftlint.resolve.evaluate import Deferred, Resource
from driftlint.resolve.relevance import Mentions
from driftlint.resolve.scope import walk
from driftlint.sites import icinga2, nagios, nrpe, programs, resource_types
from driftlint.values import Unknown, Value, to_text

EXEC_ATTRS = {
    "exec": ("command", "unless", "onlyif"),
    "cron": ("command",),
    # A service's own commands replace its init script's (Puppet's `service` type).
    "service": ("start", "stop", "restart", "status"),
}
T = TypeVar("T")
MAX_FOLDER_FILES = 500  # files of one copied directory read as call sites
_WORDS = re.compile(r"[^\s/'\"`;|&<>(){}=$:,]+")  # the last part of a path is one of these


@dataclass(frozen=True, slots=True)
class Watched:
    name: str
    spec_path: str
    paths: frozenset[str] = frozenset()  # absolute installed paths
    names: frozenset[str] = frozenset()  # argv[0] basenames
    # Bare names a rule's `commands:` declares: calls wherever they are written.
    declared: frozenset[str] = frozenset()


@dataclass(slots=True)
class Installed:
    """One file a role installs. Templated content is rendered on first read."""

    dest: str
    values: list[LText | Deferred]
    via: tuple[Span, ...]
    assumed: tuple[str, ...] = ()  # see Resource.assumed
    _texts: list[LText] | None = None

    @property
    def contents(self) -> list[LText]:
        if self._texts is None:
            texts: list[LText] = []
            for value in self.values:
                if isinstance(value, Deferred):
                    texts.extend(v for v in value.force() if isinstance(v, LText))
                else:
                    texts.append(value)
            self._texts = texts
        return self._texts


@dataclass(slots=True)
class Extractor:
    watched: list[Watched]
    table: wrappers.WrapperTable
    # `puppet:///modules/M/P` → located content; a `.j2` file gives one text per rendering
    read_static: Callable[[str], list[LText]]
    # (kind, name) of a template → its source, to tell a script from a config file unrendered
    read_template: Callable[[str, str], str | None] = lambda kind, ref: None
    # Resource types not in the tree: which parameter is a command or a file's text
    types: resource_types.Types = field(default_factory=resource_types.default_types)
    # A tree file's text by its path (to find where a hash key is written), if readable.
    read_text: Callable[[str], str | None] = lambda path: None
    # Directories copied with `recurse => true`: installed folder -> (installed path, tree
    # path) of each file under it (driftlint.watch.static_installs).
    folders: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # Links, managed paths and `Exec` defaults of the tree (resolve/command_path.py).
    files: paths.TreeFiles = field(default_factory=paths.TreeFiles)
    _memo: dict[tuple[object, ...], tuple[tuple[object, ...], Any, reads.FrozenReads]] = field(
        default_factory=dict
    )
    _folder_texts: dict[str, tuple[list[LText], reads.FrozenReads]] = field(default_factory=dict)
    _by_path: dict[str, Watched] = field(init=False)
    _by_name: dict[str, Watched] = field(init=False)
    _mentions: Mentions = field(init=False)
    _resolver: paths.Resolver[Watched] = field(init=False)

    def __post_init__(self) -> None:
        self._by_path = {p: w for w in self.watched for p in w.paths}
        self._by_name = {n: w for w in self.watched for n in w.names}
        # A script's basename too, wherever it is installed: a call site may run it by a
        # path relative to its working directory (`cd /srv/app && python3 manage.py`).
        self._mentions = Mentions(
            n
            for w in self.watched
            for n in (*w.names, *w.paths, *(posixpath.basename(p) for p in w.paths))
        )
        self._resolver = paths.Resolver(
            [(w, w.paths, w.names, w.declared) for w in self.watched], self.files.links
        )

    def match(self, argv0: str) -> Watched | None:
        if argv0 in self._by_path:
            return self._by_path[argv0]
        return self._by_name.get(posixpath.basename(argv0))

    def invocations(self, resources: list[Resource]) -> Iterator[Invocation]:
        installed = self.installed_files(resources)
        crons_set_path = any(paths.sets_cron_path(r) for r in resources if r.type == "cron")
        for resource in resources:
            search = paths.resource_search_path(resource, crons_set_path, self.files)
            cwd = _single_text(resource.attrs.get("cwd")) if resource.type == "exec" else None
            for attr in EXEC_ATTRS.get(resource.type, ()):
                values = resource.attrs.get(attr, ())
                if (
                    attr == "command"
                    and resource.type == "exec"
                    and "command" not in resource.attrs
                ):
                    values = [resource.title]  # `command` is the namevar: the title runs
                for value in values:
                    yield from self._from_value(
                        value, resource.span, (*resource.via,), resource.assumed, search, cwd
                    )
            if resource.type not in EXEC_ATTRS:
                yield from self._from_type(resource)
        by_base = _by_base(installed)
        for files in installed.values():
            yield from self._from_file(files, installed, by_base)

    def _from_type(self, resource: Resource) -> Iterator[Invocation]:
        """Commands of a resource type the tree does not define (driftlint.sites.resource_types)."""
        via = (*resource.via,)
        rules = self.types.get(resource.type.lower().lstrip(":"), {})
        if any(rule.kind == icinga2.SITE.name for rule in rules.values()):
            for command in self._checkcommand(resource):
                yield from self._from_command(command, via, resource.assumed)
            return
        for kind, text in resource_types.texts(resource.type, resource.attrs, self.types):
            if kind == resource_types.COMMAND:
                yield from self._from_value(text, resource.span, via, resource.assumed)
                continue
            if kind == resource_types.MACRO_COMMAND:
                # `check_nrpe -c NAME` runs a plugin by its NRPE name (driftlint.sites.nrpe).
                if self._mentions(sites.as_run(text.text)) or nrpe.CHECK_NRPE in text.text:
                    for command in nagios.command_line(text, resource.span.path):
                        yield from self._from_command(command, via, resource.assumed)
                continue
            contents = self.read_static(text.text) if text.text.startswith("puppet:///") else [text]
            for content in contents[:4]:
                if not self._mentions(content.text):
                    continue
                read = self._cached(
                    f"type:{kind}",
                    (content,),
                    functools.partial(sites.SITES[kind].read, content, resource.span.path, {}),
                )
                places = _after_cd(read, None, same_line=True)
                for command, cwd in zip(read, places, strict=True):
                    yield from self._from_command(
                        command, (*via, resource.span), resource.assumed, cwd=cwd
                    )

    def _checkcommand(self, resource: Resource) -> list[shell.Command]:
        """An Icinga 2 CheckCommand resource: its `command` and `arguments` hash, each key
        placed where the manifest writes it (driftlint.sites.icinga2)."""
        out: list[shell.Command] = []
        path = resource.span.path
        for command in resource.attrs.get("command", ()):
            items = command if isinstance(command, tuple) else (command,)
            texts = [p for p in items if isinstance(p, LText)]
            if not texts or len(texts) != len(items):
                continue
            parts: list[LText] | LText = texts if isinstance(command, tuple) else texts[0]
            shown = [icinga2.command_part(p) for p in texts]
            if not any(self._mentions(sites.as_run(p.text)) for p in shown):
                continue
            for arguments in resource.attrs.get("arguments", [{}]) or [{}]:
                if not isinstance(arguments, dict):
                    continue
                keys = _hash_keys(self.read_text(path), resource.span, arguments)
                out.extend(icinga2.resource_commands(parts, arguments, path, keys))
        return out

    def server_invocations(self, bodies: Iterable[ast.Node]) -> Iterator[Invocation]:
        """Commands the Puppet server runs while it compiles a catalog: `generate('/path',
        'arg', ...)`, argv with no shell (Puppet's function reference). They run on the
        server, not on the nodes whose catalogs call them, so they belong to no role; the
        script is found by its installed path on whichever host installs it.

        A file whose text does not say `generate` holds no such call: its bodies are not
        walked (a walk of every body was a tenth of an incremental run)."""
        says: dict[str, bool] = {}
        for body in bodies:
            path = body.span.path
            if path not in says:
                text = self.read_text(path)
                says[path] = text is None or "generate" in text
            if not says[path]:
                continue
            for node in walk([body]):
                if not isinstance(node, ast.Call) or node.name.lstrip(":") != "generate":
                    continue
                words = [_literal_word(arg) for arg in node.args]
                if not words or words[0] is None or words[0].dynamic:
                    continue
                if not self._mentions(words[0].text):
                    continue
                argv = tuple(
                    w if w is not None else _unknown_word(node.args[i].span)
                    for i, w in enumerate(words)
                )
                yield from self._from_command(shell.Command(words=argv), ())

    def mentions(self, text: str) -> bool:
        """Does a text name a watched script?"""
        return self._mentions(text)

    def file_invocations(self, dest: str, texts: list[LText]) -> Iterator[Invocation]:
        """The calls of one file read as if installed at `dest`, alone (driftlint.unrendered)."""
        files = Installed(dest, list(texts), ())
        yield from self._from_file(files, {dest: files}, _by_base({dest: files}))

    # --- installed files -----------------------------------------------------------------
    def installed_files(self, resources: list[Resource], read: bool = True) -> dict[str, Installed]:
        """Files the resources install, by path; `read=False` lists paths without contents."""
        out: dict[str, Installed] = {}
        for resource in resources:
            if resource.type != "file":
                continue
            # A path partly unknown (`"/etc/nagios/nrpe.d/${safe}.cfg"`) still says the kind
            # of file by its folder; its unknown part stays a SYMBOL in the key. One that
            # starts with an unknown (`"${config_dir}/nrpe.d/x.cfg"`) is still a path: its
            # content says its kind.
            dest = _single_text(resource.attrs.get("path")) or (
                resource.title.text
                if isinstance(resource.title, LText)
                and (not resource.title.dynamic or resource.title.text.startswith(("/", SYMBOL)))
                else None
            )
            if not dest:
                continue
            if SYMBOL in dest:  # two such files of one role must not share a key
                dest = dest.replace(SYMBOL, f"{SYMBOL}{len(out)}", 1)
            if not read:
                out[dest] = Installed(dest, [], ())
                continue
            contents: list[LText | Deferred] = []
            for value in resource.attrs.get("content", ()):
                if isinstance(value, LText | Deferred):
                    contents.append(value)
            for value in resource.attrs.get("source", ()):
                for item in value if isinstance(value, tuple) else (value,):
                    if isinstance(item, LText) and not item.dynamic:
                        found = self.read_static(item.text)
                        if found:
                            contents.extend(found)
                            break
            if contents:
                via = (*resource.via, resource.span)
                key = dest
                if dest in out and out[dest].values:
                    # One path declared twice in a root: Puppet would refuse both together, so
                    # they are the two sides of a branch driftlint cannot decide (`if $facts
                    # ... { x { 'a': } } else { x { 'a': } }`). Each side's file is read.
                    key = f"{dest}\0{len(out)}"
                out[key] = Installed(dest, contents, via, resource.assumed)
            elif dest.rstrip("/") in self.folders and _recursive(resource):
                self._folder_files(resource, dest.rstrip("/"), out)
        return out

    def _folder_files(self, resource: Resource, folder: str, out: dict[str, Installed]) -> None:
        """The files of a directory a `file` resource copies with `recurse`: each is
        installed under the folder as it is in the tree, and may run commands."""
        via = (*resource.via, resource.span)
        for dest, tree_path in self.folders[folder][:MAX_FOLDER_FILES]:
            if dest in out:
                continue  # a resource of its own manages it
            texts = reads.remember(
                self._folder_texts, tree_path, functools.partial(self._literal, tree_path)
            )
            if texts:
                out[dest] = Installed(dest, list(texts), via, resource.assumed)

    def _literal(self, tree_path: str) -> list[LText]:
        text = self.read_text(tree_path)
        return [LText.literal(text, tree_path, 1, 1)] if text else []

    def _may_run(self, files: Installed) -> bool:
        """Can the file run commands? Decided without rendering a template where possible."""
        if sites.by_path(files.dest) is not None:
            return True
        for value in files.values:
            if not isinstance(value, Deferred):
                if value.text.startswith("#!") or sites.by_text(value.text) is not None:
                    return True
                continue
            refs = value.refs()
            kind = value.call.name.lstrip(":")
            if kind.startswith("inline_") or not refs:
                return True  # the template is the code itself: render it to know
            for ref in refs[:1]:
                source = self.read_template(kind, ref)
                # A tag may come before the shebang (`<%# comment -%>`): look a little further.
                if source is None or "#!" in source[:400] or sites.by_text(source) is not None:
                    return True
        return False

    def _named(
        self, files: Installed, installed: Mapping[str, Installed], by_base: dict[str, list[str]]
    ) -> list[LText]:
        """The contents of the installed files this file names (sourced files,
        `EnvironmentFile=`): where a command of the file can take its words from."""
        texts: list[LText] = []
        for content in files.contents[:4]:
            for _, other in self._named_in(content, installed, by_base):
                if other is not files:
                    texts.extend(other.contents[:1])
        return texts

    def _named_in(
        self, content: LText, installed: Mapping[str, Installed], by_base: dict[str, list[str]]
    ) -> list[tuple[str, Installed]]:
        """The installed files whose path a text names, by path. A path is named where its
        last part is a word of the text: a word index of the text spares a search for every
        installed path."""
        named = [
            (path, installed[path])
            for word in self._words(content) & by_base.keys()
            for path in by_base[word]
            if path in content.text
        ]
        return sorted(named, key=lambda item: item[0])

    def _mentioned(self, content: LText) -> bool:
        return self._cached(
            "mentions", (content,), lambda: self._mentions(sites.as_run(content.text))
        )

    def _words(self, content: LText) -> set[str]:
        return self._cached("words", (content,), lambda: set(_WORDS.findall(content.text)))

    def _cached(self, kind: str, parts: tuple[object, ...], make: Callable[[], T]) -> T:
        """`make()` once per identity of parts. Values shared by roles (the same template
        rendering, a replayed class's resources) are the same objects, so one parse serves
        every role; the parts are kept so that an identity is never reused."""
        key = (kind, *map(id, parts))
        found = self._memo.get(key)
        if found is None:
            with reads.collect() as read:  # what make() reads, noted again on every hit
                value = make()
            found = (parts, value, read.frozen())
            self._memo[key] = found
        else:
            found[2].replay()
        return found[1]  # what this kind's make() stored

    def _from_file(
        self, files: Installed, installed: Mapping[str, Installed], by_base: dict[str, list[str]]
    ) -> Iterator[Invocation]:
        dest = files.dest
        if not self._may_run(files):
            return
        if not any(self._mentioned(t) for t in files.contents[:4]) and not any(
            self._mentioned(t) for t in self._named(files, installed, by_base)
        ):
            return  # no watched name in the file nor in what it reads: no call to find
        for content in files.contents[:4]:
            site = sites.by_path(dest) or sites.by_text(content.text)
            found = self._file_commands(dest, content, site, installed, by_base)
            places = _after_cd([c for c, _ in found], None, same_line=True)
            in_code = site is not None and site.name == programs.SITE.name
            for (command, search), cwd in zip(found, places, strict=True):
                for invocation in self._from_command(
                    command, files.via, files.assumed, search, cwd
                ):
                    yield replace(invocation, in_code=True) if in_code else invocation

    def _file_commands(
        self,
        dest: str,
        content: LText,
        site: sites.Site | None,
        installed: Mapping[str, Installed],
        by_base: dict[str, list[str]],
    ) -> list[tuple[shell.Command, paths.SearchPath]]:
        """The commands a file runs, read as the kind of call site it is (driftlint.sites),
        with the files of the same role that it names (sourced files, `EnvironmentFile=`) and
        where each looks up a bare name; parsed once per content and set of such files."""
        if site is None or any(p in installed for p in site.shadowed_by(dest)):
            return []
        named = {
            path: other.contents[0]
            for path, other in self._named_in(content, installed, by_base)
            if other.contents and path != dest
        }
        parts = (content, *named.values())
        key = f"site:{site.name}:{dest}\0" + "\0".join(named)
        return self._cached(
            key,
            parts,
            lambda: paths.site_commands(site.name, content, lambda t: site.read(t, dest, named)),
        )

    # --- commands ------------------------------------------------------------------------
    def _value_commands(self, value: Value, span: Span | None) -> list[shell.Command]:
        """The commands of an `exec`/`cron` command or a cron line: a shell string, or an
        argv array (each element one word, no shell involved)."""
        if isinstance(value, tuple):
            words = tuple(_word(to_text(v, span)) for v in value if v is not None)
            words = tuple(w for w in words if w is not None)
            return [shell.Command(words=words)] if words else []  # type: ignore[arg-type]
        if isinstance(value, Unknown) or not isinstance(value, LText):
            return []
        if not self._mentions(value.text):
            return []  # names no watched script: nothing to parse
        path = span.path if span else ""
        return self._cached(
            "value:" + path, (value,), lambda: list(shell.parse_shell(value, path).commands)
        )

    def _from_value(
        self,
        value: Value,
        span: Span | None,
        via: tuple[Span, ...],
        assumed: tuple[str, ...],
        search: paths.SearchPath = paths.UNKNOWN,
        cwd: str | None = None,
    ) -> Iterator[Invocation]:
        commands = self._value_commands(value, span)
        places = _after_cd(commands, cwd, same_line=False)
        for number, (command, where) in enumerate(zip(commands, places, strict=True)):
            here = paths.first_word_search(search, commands[0], number)
            yield from self._from_command(command, via, assumed, here, where)

    def _from_command(
        self,
        command: shell.Command,
        via: tuple[Span, ...],
        assumed: tuple[str, ...] = (),
        search: paths.SearchPath = paths.UNKNOWN,
        cwd: str | None = None,
    ) -> Iterator[Invocation]:
        """The runs of watched scripts in one command. `search` is where the call site looks
        up a bare name; a mention that runs another file comes out with `is_call=False`."""
        for watched, spec_path, inner, outer, how, is_call in self._matched(command, search, cwd):
            argv0 = inner.words[0]
            chain = (*via, outer) if outer != argv0.span else via
            # Assignments in sourced files that gave the words (an /etc/default file).
            through = tuple(dict.fromkeys(s for w in inner.words for s in w.through))
            yield Invocation(
                script=watched,
                command=argv0,
                words=inner.words[1:],
                via=(*chain, *(s for s in through if s not in chain), argv0.span),
                passthrough=inner.passthrough,
                assumptions=tuple(dict.fromkeys((*assumed, *conditions_of(inner.words)))),
                requires=assumed,
                matched=how,
                is_call=is_call,
                remote=inner.remote or command.remote,
                spec_path=spec_path,
                nrpe=inner.nrpe or command.nrpe,
            )
        if any(nrpe.CHECK_NRPE in w.text for w in command.words):
            yield from self._nrpe_uses(command, via, assumed)

    def _nrpe_uses(
        self, command: shell.Command, via: tuple[Span, ...], assumed: tuple[str, ...]
    ) -> Iterator[Invocation]:
        """`check_nrpe -c NAME -a ...` (driftlint.sites.nrpe): no call here, but the words
        the pipeline gives to the definitions of NAME that other roots install."""
        path = command.words[0].span.path if command.words else ""
        for inner in wrappers.unwrap(command, self.table, path):
            found = nrpe.uses(inner)
            if found is None:
                continue
            name, args = found
            yield Invocation(
                script="",
                command=name,
                words=args,
                via=(*via, name.span),
                assumptions=tuple(dict.fromkeys((*assumed, *conditions_of(inner.words)))),
                requires=assumed,
                is_call=False,
                remote=nrpe.REMOTE,
                nrpe=name.text,
            )

    def _matched(
        self, command: shell.Command, search: paths.SearchPath, cwd: str | None
    ) -> list[tuple[str, str, shell.Command, Span, str, bool]]:
        """The watched scripts a command runs, looking through wrappers: (name, its spec path,
        the inner command, the outer command's first word, how it matched, whether it is a
        call)."""

        def match() -> list[tuple[str, str, shell.Command, Span, str, bool]]:
            path = command.words[0].span.path if command.words else ""
            # A wrapper that is itself a watched script (declared in a rule pack) is checked.
            found = wrappers.unwrap(command, self.table, path, lambda a: self.match(a) is not None)
            outer_search = search
            if command.search_path is not None:
                outer_search = paths.parse_search_path(command.search_path, "the script's PATH")
            out = []
            for inner in found:
                if not inner.words or inner.words[0].dynamic:
                    continue
                word = inner.words[0].text
                if cwd and "/" not in word and _run_by_interpreter(command, inner):
                    word = "./" + word  # `python x.py` runs the file where it runs
                named = self._resolver.named(word)
                if named is None:
                    continue
                here = paths.inner_search_path(command, inner, outer_search)
                matched = self._resolver.resolve(word, here, cwd)
                outer = command.words[0].span if command.words else inner.words[0].span
                if matched is not None:
                    script = matched.script
                    out.append((script.name, script.spec_path, inner, outer, matched.how, True))
                elif _init_script(named):
                    # `/usr/sbin/x` or `x` on a PATH is the daemon that the init script `x`
                    # starts; no PATH holds /etc/init.d.
                    continue
                else:
                    why = paths.why_not(word, here)
                    out.append((named.name, named.spec_path, inner, outer, why, False))
            return out

        key = f"matched\0{search.dirs}\0{search.origin}\0{cwd}"
        return self._cached(key, (command,), match)


def _hash_keys(text: str | None, span: Span, found: Mapping[str, object]) -> dict[str, LText]:
    """Where the keys of a hash are written inside a resource's lines (`'-H' => ...`): the
    first quoted occurrence of each, from the resource on."""
    if not text:
        return {}
    lines = text.split("\n")
    out: dict[str, LText] = {}
    for number in range(span.line - 1, min(span.end_line, len(lines))):
        for match in re.finditer(r"""(['"])((?:(?!\1).)*)\1\s*=>""", lines[number]):
            key = match.group(2)
            if key in found and key not in out:
                out[key] = LText.literal(key, span.path, number + 1, match.start(2) + 1)
    return out


def _by_base(installed: Mapping[str, Installed]) -> dict[str, list[str]]:
    by_base: dict[str, list[str]] = {}
    for path in installed:
        by_base.setdefault(posixpath.basename(path), []).append(path)
    return by_base


def _word(text: LText) -> Word | None:
    span = text.span()
    if span is None:
        return None
    return Word(text.text, span, text.dynamic, True, text)


INTERPRETERS = re.compile(r"(?:python[\d.]*|pypy3?|perl|ruby|php|node|(?:ba|da|k|z)?sh)$")


def _run_by_interpreter(command: shell.Command, inner: shell.Command) -> bool:
    """Is the inner command's first word the script operand of an interpreter (`python3
    -u x.py`, `bash x.sh`)? The closest word before it that is not an option says."""
    if inner is command or not inner.words:
        return False
    head = inner.words[0].span
    before = [w for w in command.words if w.span < head]
    for word in reversed(before):
        if word.text.startswith("-"):
            continue
        return not word.dynamic and INTERPRETERS.match(posixpath.basename(word.text)) is not None
    return False


def _after_cd(commands: list[shell.Command], cwd: str | None, same_line: bool) -> list[str | None]:
    """The working directory of each command: its call site's (`Command.cwd`), else the
    literal absolute `cd DIR` before it (in a file, on the same line only: a `cd` on a line
    of its own may sit in a branch or a function), else `cwd`. `cd` anywhere else makes it
    unknown."""
    out: list[str | None] = []
    here, line = cwd, -1
    for command in commands:
        first = command.words[0] if command.words else None
        if same_line and first is not None and first.span.line != line:
            here = cwd
        out.append(command.cwd or here)
        if first is not None and first.text == "cd" and not first.dynamic:
            target = command.words[1] if len(command.words) == 2 else None
            literal = target is not None and not target.dynamic and target.text.startswith("/")
            here = posixpath.normpath(target.text) if literal and target else None
            line = first.span.line
    return out


def _init_script(watched: Watched) -> bool:
    """A script installed only as an init script: it is named after the daemon it starts
    (`/etc/init.d/x` runs `/usr/sbin/x`), so another path with its name is that daemon."""
    return bool(watched.paths) and all(
        p.startswith(("/etc/init.d/", "/etc/rc.d/")) for p in watched.paths
    )


def _literal_word(node: ast.Node) -> Word | None:
    """A Puppet string argument written without interpolation, as one located word."""
    if not isinstance(node, ast.Str) or not all(isinstance(p, ast.Lit) for p in node.parts):
        return None
    text = LText.join(p.value for p in node.parts if isinstance(p, ast.Lit))
    return _word(text) if text.text else None


def _unknown_word(span: Span) -> Word:
    text = LText.symbol(span, "a value that is not a literal")
    return Word(text.text, span, True, True, text)


def _recursive(resource: Resource) -> bool:
    """A `file` resource with `recurse => true` (or `remote`)."""
    return any(
        value is True or (isinstance(value, LText) and value.text in ("true", "remote"))
        for value in resource.attrs.get("recurse", ())
    )


def _single_text(alts: list[Value] | None) -> str | None:
    if alts and len(alts) == 1 and isinstance(alts[0], LText) and not alts[0].dynamic:
        return alts[0].text
    return None
