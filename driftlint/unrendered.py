"""Templates no evaluated resource renders (shape 6): read by their kind, every variable unknown.

A template rendered only under a name built at run time (`template("m/${x}.erb")`), by a
resource of a class nothing evaluates, or by nothing at all still says what a host would run.
Its kind comes from its name (`x.service.erb`, `x.cron.erb`, `initscripts/x.upstart.erb`) or its
text; its calls belong to no role, as unreached classes' calls do.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator

from driftlint.extract import Extractor
from driftlint.ltext import LText
from driftlint.model import Invocation
from driftlint.parse.erb import render_erb
from driftlint.resolve.conditions import mark_conditional
from driftlint.resolve.templates import static_jinja
from driftlint.values import MapScope

# A word of the template's name -> where a file of that kind is installed ({} is the name).
BY_NAME = (
    ((".service", ".systemd", ".timer", ".socket"), "/etc/systemd/system/{}.service"),
    ((".upstart",), "/etc/init/{}.conf"),
    ((".init", ".sysvinit", ".initd", "init.d/"), "/etc/init.d/{}"),
    ((".cron", "cron.d/", ".crontab"), "/etc/cron.d/{}"),
    ((".default", "default/"), "/etc/default/{}"),
    (("logrotate",), "/etc/logrotate.d/{}"),
    (("supervisor",), "/etc/supervisor/conf.d/{}.conf"),
    (("nrpe",), "/etc/nagios/nrpe.d/{}.cfg"),
)


def guess_dest(path: str) -> str:
    """Where a template of this name is likely installed; a made-up path under `/` else, so
    that only its text decides its kind."""
    name = path.split("/templates/", 1)[-1]
    for suffix in (".erb", ".j2", ".epp"):
        name = name.removesuffix(suffix)
    base = posixpath.basename(name)
    for words, dest in BY_NAME:
        if any(w in name for w in words):
            stem = base
            for word in words:
                stem = stem.removesuffix(word)
            return dest.format(stem or base)
    return "/" + name


def unrendered_invocations(
    extractor: Extractor,
    paths: Iterable[str],
    read: Callable[[str], str | None],
    rendered: set[str],
    limit: int,
) -> Iterator[Invocation]:
    for path in sorted(paths):
        if "/templates/" not in path or path in rendered:
            continue
        if not path.endswith((".erb", ".j2")):
            continue  # EPP declares its parameters: without them it renders nothing we know
        text = read(path)
        if text is None or not extractor.mentions(text):
            continue
        if path.endswith(".j2"):
            texts = static_jinja(text, path, limit)
        else:
            renderings, _ = render_erb(text, path, MapScope({}), limit=limit)
            texts = [t for t in mark_conditional(renderings) if isinstance(t, LText)]
        yield from extractor.file_invocations(guess_dest(path), texts[:4])
