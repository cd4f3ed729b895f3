"""Turn the resources one role declares into invocations of watched scripts.

Commands come from `exec` (`command`, `unless`, `onlyif`), `cron` (`command`) and from the
files the role installs: shell and init scripts, systemd units and cron files, read with the
role's rendering of each template. A script that sources `/etc/default/x`, or a unit with
`EnvironmentFile=`, gets the variables of the file the same role installs there.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from driftlint.ltext import LText
from driftlint.model import Invocation, Span, Word
from driftlint.parse import shell, units, wrappers
from driftlint.resolve.conditions import conditions_of
from driftlint.resolve.evaluate import Deferred, Resource
from driftlint.resolve.relevance import Mentions
from driftlint.values import Unknown, Value, to_text

EXEC_ATTRS = {"exec": ("command", "unless", "onlyif"), "cron": ("command",)}
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path")


@dataclass(frozen=True, slots=True)
class Watched:
    name: str
    spec_path: str
    paths: frozenset[str] = frozenset()  # absolute installed paths
    names: frozenset[str] = frozenset()  # argv[0] basenames


@dataclass(slots=True)
class Installed:
    """One file a role installs. Templated content is rendered on first read."""

    dest: str
    values: list[LText | Deferred]
    via: tuple[Span, ...]
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
    _shell_cache: dict[object, shell.ShellScript] = field(default_factory=dict)
    _by_path: dict[str, Watched] = field(init=False)
    _by_name: dict[str, Watched] = field(init=False)
    _mentions: Mentions = field(init=False)

    def __post_init__(self) -> None:
        self._by_path = {p: w for w in self.watched for p in w.paths}
        self._by_name = {n: w for w in self.watched for n in w.names}
        self._mentions = Mentions(n for w in self.watched for n in (*w.names, *w.paths))

    def match(self, argv0: str) -> Watched | None:
        if argv0 in self._by_path:
            return self._by_path[argv0]
        return self._by_name.get(posixpath.basename(argv0))

    def invocations(self, resources: list[Resource]) -> Iterator[Invocation]:
        installed = self.installed_files(resources)
        for resource in resources:
            for attr in EXEC_ATTRS.get(resource.type, ()):
                for value in resource.attrs.get(attr, ()):
                    yield from self._from_value(value, resource.span, (*resource.via,))
        for files in installed.values():
            yield from self._from_file(files, installed)

    # --- installed files -----------------------------------------------------------------
    def installed_files(self, resources: list[Resource], read: bool = True) -> dict[str, Installed]:
        """Files the resources install, by path; `read=False` lists paths without contents."""
        out: dict[str, Installed] = {}
        for resource in resources:
            if resource.type != "file":
                continue
            dest = _single_text(resource.attrs.get("path")) or (
                resource.title.text
                if isinstance(resource.title, LText) and not resource.title.dynamic
                else None
            )
            if not dest:
                continue
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
                out[dest] = Installed(dest, contents, (*resource.via, resource.span))
        return out

    def _may_run(self, files: Installed) -> bool:
        """Can the file run commands? Decided without rendering a template where possible."""
        dest = files.dest
        if dest.endswith(UNIT_SUFFIXES) or "/systemd/" in dest or dest.startswith("/etc/init.d/"):
            return True
        if dest.startswith("/etc/cron.d/") or posixpath.basename(dest) == "crontab":
            return True
        for value in files.values:
            if not isinstance(value, Deferred):
                if value.text.startswith("#!"):
                    return True
                continue
            refs = value.refs()
            kind = value.call.name.lstrip(":")
            if kind.startswith("inline_") or not refs:
                return True  # the template is the code itself: render it to know
            for ref in refs[:1]:
                source = self.read_template(kind, ref)
                # A tag may come before the shebang (`<%# comment -%>`): look a little further.
                if source is None or "#!" in source[:400]:
                    return True
        return False

    def _named(self, files: Installed, installed: Mapping[str, Installed]) -> list[LText]:
        """The file's contents and those of the installed files it names (sourced files,
        `EnvironmentFile=`): where a command of the file can take its words from."""
        texts = list(files.contents[:4])
        for content in files.contents[:4]:
            for path, other in installed.items():
                if other is not files and path in content.text:
                    texts.extend(other.contents[:1])
        return texts

    def _from_file(
        self, files: Installed, installed: Mapping[str, Installed]
    ) -> Iterator[Invocation]:
        dest = files.dest
        if not self._may_run(files):
            return
        if not any(self._mentions(t.text) for t in self._named(files, installed)):
            return  # no watched name in the file nor in what it reads: no call to find
        for content in files.contents[:4]:
            via = files.via
            if dest.endswith(UNIT_SUFFIXES) or "/systemd/" in dest:
                unit = units.parse_unit(content, dest)
                env: dict[str, LText] = {}
                for env_file in unit.environment_files:
                    other = installed.get(env_file.lstrip("-"))
                    if other is not None and other.contents:
                        env.update(units.parse_env_file(other.contents[0], other.dest))
                env.update(unit.environment)
                for command in units.unit_commands(replace(unit, environment=env)):
                    yield from self._from_command(command, via)
            elif dest.startswith("/etc/cron.d/") or posixpath.basename(dest) == "crontab":
                for line in units.parse_crontab(content, dest, system=True):
                    yield from self._from_value(line, None, via)
            elif (content.text.startswith("#!") and _is_shell(content.text)) or dest.startswith(
                "/etc/init.d/"
            ):
                script = self._parse_script(dest, content, installed)
                for command in script.commands:
                    yield from self._from_command(command, via)

    def _parse_script(
        self, dest: str, content: LText, installed: Mapping[str, Installed]
    ) -> shell.ShellScript:
        """Parse a script once per content and per set of files it may source.

        A static init script is the same for every role; only the `/etc/default` files it
        sources differ, and those (with their located values) are part of the key.
        """
        sourced = tuple(
            (path, other.contents[0])
            for path, other in installed.items()
            if other.contents and path in content.text
        )
        key = (dest, content, sourced)
        found = self._shell_cache.get(key)
        if found is None:
            files = dict(sourced)
            found = shell.parse_shell(content, dest, None, files.get)
            self._shell_cache[key] = found
        return found

    # --- commands ------------------------------------------------------------------------
    def _from_value(
        self, value: Value, span: Span | None, via: tuple[Span, ...]
    ) -> Iterator[Invocation]:
        if isinstance(value, tuple):
            # exec's argv array form: each element is one word, no shell involved.
            words = tuple(_word(to_text(v, span)) for v in value if v is not None)
            words = tuple(w for w in words if w is not None)
            if words:
                yield from self._from_command(shell.Command(words=words), via)  # type: ignore[arg-type]
            return
        if isinstance(value, Unknown) or not isinstance(value, LText):
            return
        script = shell.parse_shell(value, span.path if span else "")
        for command in script.commands:
            yield from self._from_command(command, via)

    def _from_command(self, command: shell.Command, via: tuple[Span, ...]) -> Iterator[Invocation]:
        path = command.words[0].span.path if command.words else ""
        # A wrapper that is itself a watched script (declared in a rule pack) is checked too.
        found = wrappers.unwrap(command, self.table, path, lambda a: self.match(a) is not None)
        for inner in found:
            if not inner.words:
                continue
            argv0 = inner.words[0]
            if argv0.dynamic:
                continue
            watched = self.match(argv0.text)
            if watched is None:
                continue
            outer = command.words[0].span if command.words else argv0.span
            chain = (*via, outer) if outer != argv0.span else via
            yield Invocation(
                script=watched.name,
                command=argv0,
                words=inner.words[1:],
                via=(*chain, argv0.span),
                passthrough=inner.passthrough,
                assumptions=conditions_of(inner.words),
            )


def _word(text: LText) -> Word | None:
    span = text.span()
    if span is None:
        return None
    return Word(text.text, span, text.dynamic, True, text)


def _single_text(alts: list[Value] | None) -> str | None:
    if alts and len(alts) == 1 and isinstance(alts[0], LText) and not alts[0].dynamic:
        return alts[0].text
    return None


def _is_shell(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return any(s in first for s in ("sh", "bash", "dash", "ksh", "zsh"))
