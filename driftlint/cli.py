"""The command line: the only module that prints or exits."""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from driftlint import __version__, checks
from driftlint.config.load import Config, load_config
from driftlint.model import Interface, Result

if TYPE_CHECKING:
    from driftlint.report.common import ReportContext

EXIT_CLEAN, EXIT_FINDINGS, EXIT_SETUP, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports a command Ctrl-C stopped
FORMAT_NAMES = (
    *("text", "concise", "json", "sarif", "codeclimate", "codequality", "junit", "checkstyle"),
    *("gerrit", "zuul", "github"),
)
TEXT_FORMATS = frozenset({"text", "concise"})  # for people: a summary line, colours
REVIEW_FORMATS = frozenset({"gerrit", "zuul"})  # comment on the change: need its files


def _fail(message: str, code: int = EXIT_SETUP) -> NoReturn:
    click.echo(f"driftlint: error: {message}", err=True)
    sys.exit(code)


def _codes(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    codes = frozenset(c.strip() for c in value.split(",") if c.strip())
    unknown = sorted(c for c in codes if c not in checks.CHECKS and c not in checks.REDIRECTS)
    if unknown:
        _fail(f"unknown code {', '.join(unknown)}; `driftlint explain` lists the codes")
    return frozenset(checks.REDIRECTS.get(c, c) for c in codes)


def _load(
    root: Path, config_path: str | None, modulepath: tuple[str, ...] = ()
) -> tuple[Config, list[Any]]:
    if not root.is_dir():
        _fail(f"{root}: not a folder")
    config, errors = load_config(
        root, Path(config_path) if config_path else None, known_codes=frozenset(checks.CHECKS)
    )
    if modulepath:
        config = replace(config, modulepath=_modulepath(root, modulepath, config.modulepath))
    return config, list(errors)


def _modulepath(
    root: Path, values: tuple[str, ...], configured: tuple[str, ...]
) -> tuple[str, ...]:
    """`--modulepath` folders (each value Puppet's `a:b` form) before the config's: one in the
    tree is tree-relative, one outside it absolute; a folder that does not exist exits 2."""
    out: list[str] = []
    real_root = root.resolve()
    for value in values:
        for part in value.split(os.pathsep):
            if not part:
                continue
            folder = Path(os.path.abspath(os.path.expanduser(part)))
            if not folder.is_dir():
                _fail(f"--modulepath {part}: no such folder")
            real = folder.resolve()
            inside = real.is_relative_to(real_root)
            out.append(real.relative_to(real_root).as_posix() or "." if inside else str(folder))
    return tuple(dict.fromkeys((*out, *configured)))


_interrupted: list[int] = []  # the SIGINTs this run received


def _on_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C: remember it, whatever swallows the exception (a library's cleanup, a worker
    pool that falls back to evaluating here), so no report is printed and the run exits 130."""
    _interrupted.append(signum)
    if len(_interrupted) == 1:  # once: a second Ctrl-C must not break the cleanup under way
        raise KeyboardInterrupt


def _check_interrupted() -> None:
    if _interrupted:
        raise KeyboardInterrupt


def _guard(debug: bool, action: Callable[[], int]) -> NoReturn:
    """Map any exception to exit 3 with a short message; the traceback only with --debug;
    Ctrl-C to 130."""
    _interrupted.clear()
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_interrupt)
    try:
        code = action()
        _check_interrupted()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        # Ctrl-C: no report, and a code no CI recipe reads as "checked" (0) or "findings" (1).
        click.echo("driftlint: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader went away: not a bug; click exits 1, quietly
        raise
    except Exception as error:
        if debug:
            traceback.print_exc()
        click.echo(
            f"driftlint: internal error: {error!r} (a bug; run with --debug for the traceback)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftlint")
def cli() -> None:
    """Catch interface drift between scripts and the Puppet code that calls them."""


@cli.command()
@click.argument("paths", metavar="[PATH]", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config", "config_path", metavar="FILE", help="Config file (default: PATH/.driftlint.yaml)."
)
@click.option(
    "--format",
    "--output-format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default="text",
    show_default=True,
    help="What stdout gets (codequality is codeclimate; --output-format as in ruff).",
)
@click.option(
    "--statistics", is_flag=True, help="Print how many findings each code has, not the findings."
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Only the findings: no summary line and no notes."
)
@click.option(
    "--output",
    "outputs",
    metavar="FORMAT=FILE",
    multiple=True,
    callback=lambda _ctx, _param, value: _outputs(value),
    help="Also write a report in FORMAT to FILE (repeatable).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="error",
    show_default=True,
    help="The lowest severity that makes the exit code 1.",
)
@click.option(
    "--base",
    metavar="REV",
    help="Report only what the change introduces since it left REV (git merge-base; A...B).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Check what the index stages, not the working tree (a git pre-commit hook).",
)
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="As the pre-commit framework's hook: the files it passes decide what is checked.",
)
@click.option("--gerrit-label", default="Verified", show_default=True, help="Label to vote -1 on.")
@click.option(
    "--gerrit-robot-comments",
    is_flag=True,
    help="Send robot_comments (deprecated since Gerrit 3.10) instead of comments.",
)
@click.option(
    "--baseline",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hide findings whose fingerprints FILE lists.",
)
@click.option("--select", metavar="CODES", help="Only these codes (comma-separated).")
@click.option("--ignore", metavar="CODES", help="Not these codes (comma-separated).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Parse everything afresh.")
@click.option(
    "--modulepath",
    metavar="DIR",
    multiple=True,
    help="Also read the modules of DIR (outside the tree: Forge modules a Puppetfile "
    "installs, /usr/share/puppet/modules); `a:b` or repeated.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where parse results are kept (default: $XDG_CACHE_HOME/driftlint).",
)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto")
@click.option(
    "--progress",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    help="A progress line on stderr (auto: when stderr is a terminal).",
)
@click.option(
    "--fix", is_flag=True, help="Rewrite stale and renamed options where they are written."
)
@click.option("--diff", is_flag=True, help="Print what --fix would change as a unified diff.")
@click.option(
    "--catalogs",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also check the commands of compiled catalogs (JSON) under DIR.",
)
@click.option("--puppetdb", metavar="URL", help="Also check the catalogs PuppetDB holds.")
@click.option("--puppetdb-cert", metavar="FILE", help="TLS client certificate for PuppetDB.")
@click.option("--puppetdb-key", metavar="FILE", help="Its private key.")
@click.option("--puppetdb-ca", metavar="FILE", help="The CA that signed PuppetDB's certificate.")
@click.option(
    "--puppetdb-timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each PuppetDB answer.",
)
@click.option(
    "--shard",
    metavar="I/N",
    callback=lambda _ctx, _param, value: _shard(value),
    help="Evaluate only the I-th of N parts of the roots and write it to --shard-dir; "
    "`driftlint merge` joins the parts into the report (a CI `parallel:` job).",
)
@click.option(
    "--shard-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("driftlint-shards"),
    show_default=True,
    help="Where `--shard` writes its part and `merge` reads them.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    config_path: str | None,
    fmt: str,
    statistics: bool,
    quiet: bool,
    outputs: tuple[tuple[str, Path], ...],
    fail_on: str,
    base: str | None,
    staged: bool,
    pre_commit: bool,
    gerrit_label: str,
    gerrit_robot_comments: bool,
    baseline: Path | None,
    select: str | None,
    ignore: str | None,
    jobs: int | None,
    no_cache: bool,
    modulepath: tuple[str, ...],
    cache_dir: Path | None,
    color: str,
    progress: str,
    fix: bool,
    diff: bool,
    catalogs: Path | None,
    puppetdb: str | None,
    puppetdb_cert: str | None,
    puppetdb_key: str | None,
    puppetdb_ca: str | None,
    puppetdb_timeout: float,
    shard: tuple[int, int] | None,
    shard_dir: Path,
    debug: bool,
    merge: bool = False,
) -> None:
    """Check every call of every watched script in the tree at PATH."""
    selected, ignored = _codes(select), _codes(ignore)
    shard_dir = shard_dir.absolute()  # --staged checks a copy of the index elsewhere
    if shard is not None and (fix or diff or base or pre_commit or catalogs or puppetdb):
        _fail("--shard evaluates a part of the roots; the report's options go to `merge`")
    _quiet[:] = [quiet]
    if pre_commit:
        path, base, staged = _pre_commit_plan(paths, base)
    elif len(paths) > 1:
        _fail("check takes one PATH (the tree); `--pre-commit` takes the files of a change")
    else:
        path = paths[0] if paths else Path(".")
    path = _puppet_tree(path)
    if staged:
        base = base or "HEAD"
        from driftlint.interfaces import changes

        if base == "HEAD" and changes.unborn(path):
            # The first commit: everything staged is new. (The index is checked in a folder
            # outside the repository when the working tree holds more, where HEAD means nothing.)
            base = None
    fleet_options = (puppetdb, puppetdb_cert, puppetdb_key, puppetdb_ca, puppetdb_timeout)

    def action(path: Path = path) -> int:
        from driftlint import engine

        config, errors = _load(path, config_path, modulepath)
        if selected is not None:
            config = replace(config, select=selected)
        if ignored:
            config = replace(config, ignore=config.ignore | ignored)
        from driftlint.cache.store import default_dir

        folder = None if no_cache else (cache_dir or default_dir())

        formats = {fmt, *(name for name, _ in outputs)}
        review = bool(formats & REVIEW_FORMATS)
        # The last run's result with paths from the repository top, and the change it checks.
        reports: list[tuple[Result, ReportContext]] = []

        from driftlint.incremental import Shard

        if merge:
            part: Shard | None = Shard(1, 1, shard_dir, merge=True)
        else:
            part = Shard(*shard, shard_dir) if shard is not None else None

        def run() -> Result:
            from driftlint.progress import Progress

            bar = Progress(sys.stderr) if Progress.wanted(sys.stderr, progress) else None
            try:
                # --fix and the review formats need every call, not only the findings.
                full = fix or diff or review
                result = engine.run(
                    path,
                    config,
                    errors,
                    jobs=jobs,
                    cache_dir=folder,
                    progress=bar,
                    full=full,
                    shard=part,
                )
            finally:
                if bar is not None:
                    bar.close()
            from driftlint import change

            if base is not None:
                try:
                    result = change.introduced(result, path, base, config, cache_dir=folder)
                except change.BaseUnavailable as error:
                    _fail(str(error))  # nothing on stdout: no finding can be called new
            if catalogs is not None or puppetdb is not None:
                result = _fleet(path, config, result, catalogs, fleet_options, base, folder)
            machine, context = change.for_reports(
                result,
                path,
                base,
                label=gerrit_label,
                robot_comments=gerrit_robot_comments,
                review=review,
            )
            if baseline is not None:
                from driftlint.report import baseline as baseline_module

                try:
                    known = baseline_module.load(baseline)
                except baseline_module.BadBaseline as error:
                    _fail(str(error))
                kept = baseline_module.kept(machine, known)
                result = baseline_module.only(result, kept)
                machine = baseline_module.only(machine, kept)
            reports[:] = [(machine, context)]
            return result

        def show(result: Result) -> None:
            _report(result, *reports[0], fmt, outputs, color, statistics=statistics)

        if fix or diff:
            if staged:
                _fail("--fix and --diff edit the working tree; they do not go with --staged")
            return _fix(path, run, diff, show, fail_on)
        if part is not None and not part.merge:
            done = engine.run(path, config, errors, jobs=jobs, cache_dir=folder, shard=part)
            for error in done.setup_errors:
                click.echo(f"driftlint: error: {error}", err=True)
            for note in done.notes:
                _note(note)
            _note(f"shard {part.index}/{part.count} written to {part.path}; `driftlint merge`")
            return EXIT_SETUP if done.setup_errors else EXIT_CLEAN
        result = run()
        for error in result.setup_errors:
            click.echo(f"driftlint: error: {error}", err=True)
        if not result.calls_checked and not result.setup_errors:
            _note(
                f"no call of a watched script was found in {path}: "
                "nothing was checked (`driftlint calls --unresolved` lists mentions)"
            )
        show(result)
        return _exit_code(result, fail_on)

    if staged:
        _guard(debug, lambda: _in_index(path, action))
    _guard(debug, action)


def _shard(value: str | None) -> tuple[int, int] | None:
    """`I/N` with 1 <= I <= N, as GitLab's CI_NODE_INDEX/CI_NODE_TOTAL."""
    if value is None:
        return None
    index, sep, count = value.partition("/")
    if sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise click.BadParameter(f"`{value}` is not I/N with 1 <= I <= N", param_hint="--shard")


@cli.command(
    "merge",
    params=[p for p in check.params if p.name != "shard"],
    help="Join the parts `check --shard I/N` wrote (--shard-dir) into one report of PATH: the "
    "findings of one whole run, in any format. Roots no shard holds are evaluated here.",
)
def merge_command(**options: Any) -> None:
    assert check.callback is not None
    check.callback(**options, shard=None, merge=True)


# What makes a folder a Puppet tree (a control repository, an environment or one module).
TREE_MARKS = ("manifests", "modules", "site", "site-modules", "environment.conf", ".driftlint.yaml")
TREE_SEARCH_DEPTH = 4


def _puppet_tree(path: Path) -> Path:
    """PATH itself when it is a Puppet tree, else the one tree below it (a repository that
    keeps Puppet in `ops/puppet/`); exit 2 when there is none or several."""
    if not path.is_dir():
        _fail(f"{path}: not a folder")
    if _is_tree(path):
        return path
    found: list[Path] = []
    for folder, subfolders, _ in os.walk(path):
        depth = len(Path(folder).relative_to(path).parts)
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in ("node_modules", "vendor")
        )
        if depth and _is_tree(Path(folder)):
            found.append(Path(folder))
            subfolders.clear()
        elif depth >= TREE_SEARCH_DEPTH:
            subfolders.clear()
    if not found:
        _fail(
            f"no Puppet tree found under {path} (a folder with manifests/, modules/, "
            "environment.conf or .driftlint.yaml)"
        )
    if len(found) > 1:
        names = ", ".join(str(f) for f in found[:5]) + (", ..." if len(found) > 5 else "")
        _fail(f"several Puppet trees under {path}: {names}; check each as PATH")
    _note(f"checking the Puppet tree in {found[0]}")
    return found[0]


def _is_tree(folder: Path) -> bool:
    return any((folder / mark).exists() for mark in TREE_MARKS) or any(folder.glob("*.pp"))


def _in_index(path: Path, action: Callable[[Path], int]) -> int:
    """Run the check on the files as the index stages them, when the working tree holds more
    (unstaged edits, untracked files): a commit is what is staged."""
    from driftlint.interfaces import changes

    if not changes.unstaged(path):
        return action(path)
    try:
        with changes.tree_of_index(path) as folder:
            return action(folder)
    except changes.BaseUnavailable as error:
        _fail(str(error))


def _pre_commit_plan(files: tuple[Path, ...], base: str | None) -> tuple[Path, str | None, bool]:
    """What the pre-commit framework asks (it runs hooks at the repository top): the tree,
    the base and whether to check the index.

    `pre-commit run --from-ref A --to-ref B` (CI) sets PRE_COMMIT_FROM_REF/TO_REF: the change
    is B since it left A. A commit passes the staged files: what the commit introduces, as
    staged. Any other file list (`--all-files`, `--files`) asks for the whole tree as it is."""
    from driftlint.interfaces import changes

    root = Path(".")
    origin = os.environ.get("PRE_COMMIT_FROM_REF") or os.environ.get("PRE_COMMIT_SOURCE")
    target = os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_ORIGIN")
    if origin and target:
        return root, base or f"{origin}...{target}", False
    staged = changes.staged_files(root)
    names = {path.as_posix().removeprefix("./") for path in files}
    if staged is not None and names <= staged:
        return root, base or "HEAD", True
    return root, base, False


def _fleet(
    path: Path,
    config: Config,
    result: Result,
    catalogs: Path | None,
    options: tuple[str | None, str | None, str | None, str | None, float],
    base: str | None,
    cache_dir: Path | None,
) -> Result:
    """`--catalogs`/`--puppetdb`: add what the fleet runs (driftlint/fleet/)."""
    from driftlint.fleet import puppetdb as pdb
    from driftlint.fleet.catalogs import from_files
    from driftlint.fleet.run import check_fleet

    url, cert, key, ca, timeout = options
    if catalogs is not None and url is not None:
        _fail("--catalogs and --puppetdb are two sources of one fleet; give one")
    if url is None and (cert or key or ca):
        _fail("--puppetdb-cert, --puppetdb-key and --puppetdb-ca need --puppetdb URL")
    load = from_files(catalogs) if catalogs is not None else None
    if url is not None:
        try:
            load = pdb.loader(pdb.Connection.open(url, cert, key, ca, timeout))
        except pdb.CatalogError as error:
            _fail(str(error))
    assert load is not None
    done = check_fleet(path, config, result, load, base=base, cache_dir=cache_dir)
    for note in done.notes:
        _note(note)
    return done.result


_quiet: list[bool] = [False]  # -q: no notes on stderr, no summary line


def _note(message: str) -> None:
    if not _quiet[0]:
        click.echo(f"driftlint: note: {message}", err=True)


def _outputs(values: tuple[str, ...]) -> tuple[tuple[str, Path], ...]:
    out = []
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not file or name not in FORMAT_NAMES:
            raise click.BadParameter(
                f"`{value}` is not FORMAT=FILE with FORMAT one of {', '.join(FORMAT_NAMES)}",
                param_hint="--output",
            )
        out.append((name, Path(file)))
    return tuple(out)


def _report(
    result: Result,
    machine: Result,
    context: ReportContext,
    fmt: str,
    outputs: tuple[tuple[str, Path], ...],
    color: str,
    *,
    statistics: bool = False,
) -> None:
    """stdout gets `fmt`; each --output file its format. Text keeps paths as typed; the
    machine formats name files from the repository top."""
    from driftlint import report

    docs = {code: checks.explain(code) or "" for code in checks.CHECKS}

    def render(name: str, colored: bool) -> str:
        chosen = result if name == "text" else machine
        return report.FORMATS[name](chosen, color=colored, docs=docs, context=context)

    _check_interrupted()
    for name, file in outputs:
        try:
            file.write_text(render(name, False), encoding="utf-8")
        except OSError as error:
            _fail(f"--output {name}={file}: {error.strerror or error}")
    colored = _color(color) and fmt in TEXT_FORMATS
    text = _statistics(result, colored) if statistics else render(fmt, colored)
    if _quiet[0] and (fmt in TEXT_FORMATS or statistics):
        text = _findings_only(text)
    _check_interrupted()  # a run Ctrl-C stopped prints no report (a partial review)
    try:
        # color=True: `--color always` keeps its escapes in a pipe (click strips them there).
        if text:
            click.echo(text, nl=not text.endswith("\n"), color=colored or None)
    except BrokenPipeError:
        _drop_stdout()  # `driftlint check | head`: the exit code still tells the findings


def _statistics(result: Result, colored: bool) -> str:
    """`--statistics`: count, code, severity and summary of each code found (as ruff)."""
    from collections import Counter

    counts = Counter(f.code for f in result.findings)
    severities = {f.code: f.severity for f in result.findings}
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        summary = ((checks.explain(code) or "").strip().splitlines() or [""])[0]
        name = click.style(code, bold=True) if colored else code
        lines.append(f"{count:>5}  {name:<22} {severities[code]:<8} {summary}".rstrip())
    from driftlint.report.common import summary_line

    return "".join(line + "\n" for line in lines) + "\n" + summary_line(result) + "\n"


def _findings_only(text: str) -> str:
    """Text without its summary: what follows the last blank line (nothing without findings)."""
    head, blank, _ = text.rpartition("\n\n")
    return head + "\n" if blank else ""


def _drop_stdout() -> None:
    """The reader of stdout is gone: send the rest (and Python's flush at exit) nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _fix(
    path: Path,
    run: Callable[[], Result],
    diff: bool,
    show: Callable[[Result], None],
    fail_on: str = "error",
) -> int:
    """`--fix`/`--diff`: notes on stderr, then the diff, or the report of what remains."""
    from driftlint.fix import apply as fix

    done = fix.fix_tree(path, run, write=not diff)
    for error in done.result.setup_errors:
        click.echo(f"driftlint: error: {error}", err=True)
    for note in done.notes if not _quiet[0] else ():
        click.echo(f"driftlint: {note}", err=True)
    verb = "would fix" if diff else "fixed"
    files = len(done.files)
    click.echo(
        f"driftlint: {verb} {done.fixed} finding{'s' if done.fixed != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}",
        err=True,
    )
    if diff:
        _check_interrupted()
        click.echo(done.diff, nl=False)
        # Nothing was written: the findings of the tree as it is decide, as `ruff --diff`.
        return _exit_code(done.before or done.result, fail_on)
    show(done.result)
    return _exit_code(done.result, fail_on)


def _exit_code(result: Result, fail_on: str = "error") -> int:
    if result.internal_errors or any(f.code == "internal-error" for f in result.findings):
        return EXIT_INTERNAL
    if result.setup_errors:
        return EXIT_SETUP
    failing = {"error": {"error"}, "warning": {"error", "warning"}, "never": set()}[fail_on]
    if any(f.severity in failing for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--path",
    "root",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Tree root.",
)
@click.option("--config", "config_path", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--unknown",
    is_flag=True,
    help="List the called scripts whose interface driftlint cannot read, with why.",
)
@click.option("--debug", is_flag=True)
def interface(
    name: str | None, root: Path, config_path: str | None, fmt: str, unknown: bool, debug: bool
) -> None:
    """Print the interface driftlint derived for a watched script (NAME or its spec file)."""

    def action() -> int:
        from driftlint import engine

        if name is None and not unknown:
            _fail("give a script NAME, or --unknown")
        config, errors = _load(root, config_path)
        result = engine.run(root, config, errors)
        if unknown:
            _unknown_interfaces(result, name, fmt)
            return EXIT_CLEAN
        matches = [i for i in result.interfaces if name in (i.script, i.source and i.source.path)]
        if not matches:
            known = ", ".join(sorted(i.script for i in result.interfaces)) or "none"
            unread = [u for u in result.unknown if name in (u.script, u.spec_path)]
            if unread:
                _fail(f"`{name}` is watched but its interface is unknown: {unread[0].reason}")
            _fail(f"no watched script named `{name}` (watched: {known})")
        for found in matches:
            if fmt == "json":
                click.echo(json.dumps(interface_json(found), indent=2))
            else:
                click.echo(interface_text(found))
        return EXIT_CLEAN

    _guard(debug, action)


def _unknown_interfaces(result: Result, name: str | None, fmt: str) -> None:
    """The called scripts with an unknown interface, their calls counted, and why."""
    counts: dict[str, int] = {}
    for call in result.calls:
        counts[call.invocation.script] = counts.get(call.invocation.script, 0) + 1
    rows = [
        {"script": u.script, "path": u.spec_path, "calls": counts[u.script], "reason": u.reason}
        for u in result.unknown
        if name in (None, u.script, u.spec_path)
    ]
    if fmt == "json":
        click.echo(json.dumps({"version": 1, "unknown": rows}, indent=2, ensure_ascii=False))
        return
    for row in rows:
        calls = f"{row['calls']} call" + ("" if row["calls"] == 1 else "s")
        click.echo(f"{row['script']} ({row['path']}, {calls}): {row['reason']}")
    click.echo(
        f"{len(rows)} called script{'' if len(rows) == 1 else 's'} with an unknown interface."
    )


def interface_json(found: Interface) -> dict[str, Any]:
    def where(span: Any) -> str | None:
        return f"{span.path}:{span.line}:{span.column}" if span else None

    return {
        "script": found.script,
        "dialect": found.dialect,
        "source": where(found.source),
        "options": [
            {
                "names": list(o.names),
                "takes_value": o.takes_value,
                "choices": o.choices and list(o.choices),
                "required": o.required,
                "deprecated": o.deprecated or None,
                "declared": where(o.span),
            }
            for o in found.options
        ],
        "positionals": [
            {"name": p.name, "min": p.min, "max": p.max, "choices": p.choices and list(p.choices)}
            for p in found.positionals
        ],
        "subcommands": [name for name, _ in found.subcommands],
        "removed": [
            {
                "names": list(o.names),
                "removed_in": o.removed_in or None,
                "removed_on": o.removed_on or None,
                "replacement": o.replacement or None,
            }
            for o in found.removed
        ],
    }


def interface_text(found: Interface) -> str:
    lines = [f"{found.script} ({found.dialect}), from {found.source or 'unknown'}"]
    for o in found.options:
        value = " VALUE" if o.takes_value else ""
        extra = f"  choices: {', '.join(o.choices)}" if o.choices else ""
        where = f"  [{o.span}]" if o.span else ""
        lines.append(f"  {', '.join(o.names)}{value}{extra}{where}")
    for p in found.positionals:
        count = f"{p.min}..{'*' if p.max is None else p.max}"
        lines.append(f"  <{p.name}> {count}")
    for name, _ in found.subcommands:
        lines.append(f"  subcommand {name}")
    for o in found.removed:
        lines.append(f"  removed {', '.join(o.names)} {o.removed_in} {o.removed_on}".rstrip())
    return "\n".join(lines)


@cli.command()
@click.argument("name", required=False)
@click.option("--path", "root", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--config", "config_path", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--unresolved", is_flag=True, help="List mentions of watched scripts that became no call."
)
@click.option("--modulepath", metavar="DIR", multiple=True, help="Also read the modules of DIR.")
@click.option("--no-cache", is_flag=True, help="Parse and evaluate everything afresh.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where parse results and evaluated roots are kept (default: $XDG_CACHE_HOME/driftlint).",
)
@click.option("--debug", is_flag=True)
def calls(
    name: str | None,
    root: Path,
    config_path: str | None,
    fmt: str,
    unresolved: bool,
    modulepath: tuple[str, ...],
    no_cache: bool,
    cache_dir: Path | None,
    debug: bool,
) -> None:
    """List every call of the watched scripts (or of NAME), per role, with its argv and how
    its command word was matched to the script."""

    def action() -> int:
        from driftlint import engine

        if name is not None and Path(name).is_dir():
            _fail(
                f"`{name}` is a path: `calls` expected a script name"
                f" (the tree is `--path {name}`; `driftlint calls --path {name}` lists every call)"
            )
        from driftlint.cache.store import default_dir

        config, errors = _load(root, config_path, modulepath)
        # The store answers the roots no edit touched, as for `check` (issue 31).
        folder = None if no_cache else (cache_dir or default_dir())
        result = engine.run(root, config, errors, cache_dir=folder)
        if unresolved:
            _mentions(result, name, fmt)
            return EXIT_CLEAN
        rows: list[dict[str, Any]] = []
        for call in result.calls:
            invocation = call.invocation
            if name and invocation.script != name:
                continue
            rows.append(
                {
                    "script": invocation.script,
                    "path": invocation.command.span.path,
                    "line": invocation.command.span.line,
                    "column": invocation.command.span.column,
                    "argv": [invocation.command.text] + [w.text for w in invocation.words],
                    "roles": list(call.roles),
                    "via": [s.where for s in invocation.via],
                    # What a template assumed of unknown values to print some of these words.
                    "assumptions": list(invocation.assumptions),
                    # How argv[0] was matched to the script (driftlint/resolve/command_path.py).
                    "matched": invocation.matched,
                }
            )
        rows.sort(key=lambda r: (r["script"], r["path"], r["line"], r["column"], r["roles"]))
        if fmt == "json":
            click.echo(json.dumps({"version": 1, "calls": rows}, indent=2, ensure_ascii=False))
        else:
            for row in rows:
                argv = " ".join(a.replace("\ue000", "…") for a in row["argv"])
                roles = ", ".join(row["roles"]) or "(no role)"
                click.echo(f"{row['path']}:{row['line']}:{row['column']}: {argv}\n  roles: {roles}")
                if row["assumptions"]:
                    click.echo(f"  only when: {' and '.join(row['assumptions'])}")
                click.echo(f"  matched: {row['matched']}")
        return EXIT_CLEAN

    _guard(debug, action)


def _mentions(result: Result, name: str | None, fmt: str) -> None:
    found = [m for m in result.mentions if not name or m.script == name]
    if fmt == "json":
        rows = [
            {"script": m.script, "path": m.span.path, "line": m.span.line,
             "column": m.span.column, "text": m.text, "reason": m.reason}
            for m in found
        ]  # fmt: skip
        click.echo(json.dumps({"version": 1, "mentions": rows}, indent=2, ensure_ascii=False))
        return
    for m in found:
        click.echo(f"{m.span}: `{m.text}` ({m.script}): {m.reason}")


@cli.command("baseline")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--config", "config_path", metavar="FILE")
@click.option(
    "--output",
    "-o",
    default=".driftlint-baseline.json",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it.",
)
@click.option("--modulepath", metavar="DIR", multiple=True, help="Also read the modules of DIR.")
@click.option("--debug", is_flag=True)
def baseline_command(
    path: Path, config_path: str | None, output: Path, modulepath: tuple[str, ...], debug: bool
) -> None:
    """Write today's findings' fingerprints, so `check --baseline` reports only new ones."""
    tree = _puppet_tree(path)

    def action() -> int:
        from driftlint import engine
        from driftlint.change import for_reports
        from driftlint.report import baseline

        config, errors = _load(tree, config_path, modulepath)
        result = engine.run(tree, config, errors)
        # Fingerprints of the paths from the repository top, as `check --baseline` reads them.
        count = baseline.write(for_reports(result, tree, None)[0], output)
        click.echo(f"wrote {count} fingerprint{'s' if count != 1 else ''} to {output}", err=True)
        return EXIT_SETUP if result.setup_errors else EXIT_CLEAN

    _guard(debug, action)


@cli.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """Print what a code means, why it matters and how to fix it (no CODE: list the codes)."""
    if code is None:
        for name, module in checks.CHECKS.items():
            summary = (module.__doc__ or "").strip().splitlines()[0]
            click.echo(f"{name:22} {checks.severity(name):8} {summary}")
        sys.exit(EXIT_CLEAN)
    text = checks.explain(code)
    if text is None:
        _fail(f"unknown code `{code}`; `driftlint explain` lists the codes")
    click.echo(f"{code} ({checks.severity(checks.REDIRECTS.get(code, code))})\n\n{text}")
    sys.exit(EXIT_CLEAN)


def main() -> None:
    cli(prog_name="driftlint")
