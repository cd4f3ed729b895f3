"""Read the fleet's resources from a live PuppetDB: v4 query API, PQL, paged, over TLS.

The client is Python's own `http.client` and `ssl`, not pypuppetdb 3.2.0. pypuppetdb would
bring `requests` and its four dependencies for what is here one POST per page; its `pql()`
takes no paging arguments (`limit`/`offset` must be written into the query anyway, as here);
it reads each answer whole through `requests`, and it raises `requests`' exceptions, which
would still have to be turned into these messages. Neither client can stream a page, so the
page size bounds the memory either way. `ssl.SSLContext` takes the client certificate, key
and CA that a real PuppetDB requires (its `certificate-whitelist`/`allowlist`).

What is asked: the `Exec` and `Cron` resources, the role classes, and the `File`s that may run
commands, told by their path (the paths driftlint/sites/ claims), their first bytes (`#!`) or a
`puppet:///` source; then the `File`s those name. A fleet's configuration files, most of its
resources, are never sent: on the bench (1,000 hosts) that is 8,000 rows in one page instead
of 90,000 in 45, and 4 s instead of 37. Catalog files are read whole; through PuppetDB, a file
that only its content marks as a call site (an NRPE `command[x]=` at a path no kind claims)
is not read.

Every failure (no connection, no answer in time, an HTTP error, an answer that is not what
the query API returns) is a `CatalogError` naming the server: the run reports it and exits 2,
with the findings of the tree still reported.
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from driftlint.fleet import sites
from driftlint.fleet.catalogs import CatalogError, Host, Selector, too_deep

__all__ = ["CatalogError", "Connection", "loader"]

PAGE = 10000  # resources per answer
QUERY = "/pdb/query/v4"
FIELDS = "certname, type, title, file, line, parameters"


@dataclass(slots=True)
class Connection:
    url: str  # as the user gave it, for messages
    host: str
    port: int
    prefix: str  # a path PuppetDB is served under ("" at the root)
    context: ssl.SSLContext | None  # None: plain HTTP
    timeout: float
    _conn: http.client.HTTPConnection | None = None

    @classmethod
    def open(
        cls, url: str, cert: str | None, key: str | None, ca: str | None, timeout: float
    ) -> Connection:
        """Check the URL and load the TLS files; nothing is sent yet."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CatalogError(f"--puppetdb {url}: expected http://HOST:PORT or https://HOST:PORT")
        if parts.scheme == "http" and (cert or key or ca):
            raise CatalogError(f"--puppetdb {url}: certificates need an https:// URL")
        if bool(cert) != bool(key):
            raise CatalogError("--puppetdb-cert and --puppetdb-key go together")
        context = None
        if parts.scheme == "https":
            try:
                context = ssl.create_default_context(cafile=ca)
                if cert and key:
                    context.load_cert_chain(cert, key)
            except (OSError, ssl.SSLError) as error:
                raise CatalogError(
                    f"--puppetdb {url}: cannot load the TLS files: {error}"
                ) from None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise CatalogError(f"--puppetdb {url}: the port is not a number") from None
        return cls(url, parts.hostname, port, parts.path.rstrip("/"), context, timeout)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.context is not None:
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def query(self, pql: str) -> list[Any]:
        """One PQL query's answer, a JSON list."""
        body = json.dumps({"query": pql}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        try:
            conn = self._connection()
            conn.request("POST", self.prefix + QUERY, body, headers)
            answer = conn.getresponse()
            data = answer.read()
        except TimeoutError:
            self.close()
            raise CatalogError(
                f"PuppetDB at {self.url} did not answer within {self.timeout:g} s"
            ) from None
        except ssl.SSLError as error:
            self.close()
            raise CatalogError(f"PuppetDB at {self.url}: TLS failed: {error.reason}") from None
        except (OSError, http.client.HTTPException) as error:
            self.close()
            reason = getattr(error, "strerror", None) or error.__class__.__name__
            raise CatalogError(f"cannot reach PuppetDB at {self.url}: {reason}") from None
        if answer.status != 200:
            excerpt = data[:200].decode("utf-8", "replace").strip()
            raise CatalogError(
                f"PuppetDB at {self.url} answered {answer.status} {answer.reason}: {excerpt}"
            )
        try:
            if too_deep(data) is not None:
                raise ValueError("nested too deep")
            found = json.loads(data)
        except ValueError:
            raise CatalogError(
                f"PuppetDB at {self.url} answered something that is not JSON"
                f" ({len(data)} bytes starting {data[:40]!r})"
            ) from None
        if not isinstance(found, list) or not all(
            isinstance(r, dict) and isinstance(r.get("certname"), str) for r in found
        ):
            raise CatalogError(
                f"PuppetDB at {self.url} answered JSON that is not a list of resources"
            )
        return found


def _capitalised(prefix: str) -> str:
    """`role::` -> `Role::`: how a catalog titles the classes."""
    return "::".join(p[:1].upper() + p[1:] for p in prefix.split("::"))


NAMED = re.compile(r"(?<![\w.-])/[\w.@+-]+(?:/[\w.@+-]+)+")  # an absolute path in a text


TITLES_PER_TERM = 16  # installed-path patterns per `title ~` regex


def _regex(pattern: str) -> str:
    """An fnmatch pattern as a PostgreSQL regular expression (`*` and `?` only)."""
    return "".join(
        ".*" if c == "*" else "." if c == "?" else c if c.isalnum() else "\\" + c for c in pattern
    )


def runnable_files(tokens: tuple[str, ...] = ()) -> str:
    """PQL for the `File`s that may run a watched script's command or feed one: a path a kind
    of call site claims (driftlint/sites/), a `/etc/default` or `/etc/sysconfig` file, a
    program (`#!`), or a `puppet:///` source (read from the tree); with tokens, also a content
    that names one (a kind told by its content at a path no kind claims). Files that those
    name come in a second pass.

    The token test makes PuppetDB scan every file's content: with it the bench's PuppetDB run
    took 15.8 s (load 8.5), without it 6.6 s (load 7.7); `loader` does not ask it."""
    paths = [*sites.path_patterns(), "/etc/sysconfig/*"]
    # One alternation of every kind's paths grew past what PostgreSQL compiles (its "too
    # complex" error came back as a 500 from PuppetDB once there were a hundred kinds' paths):
    # a term per few paths.
    terms = [
        f"title ~ {json.dumps('^(' + '|'.join(_regex(p) for p in chunk) + ')$')}"
        for chunk in (paths[i : i + TITLES_PER_TERM] for i in range(0, len(paths), TITLES_PER_TERM))
    ]
    terms += ['parameters.content ~ "^#!"', 'parameters.source ~ "^puppet:///"']
    if tokens:
        named = "|".join(_regex(t) for t in tokens)
        terms.append(f"parameters.content ~ {json.dumps(named)}")
    return " or ".join(terms)


def resource_query(role_prefix: str, limit: int, offset: int, tokens: tuple[str, ...] = ()) -> str:
    """Commands, role classes and the files that may run commands, a page of them."""
    classes = json.dumps("^" + _capitalised(role_prefix))
    files = runnable_files(tokens)
    where = (
        f'type = "Exec" or type = "Cron" or (type = "Class" and title ~ {classes})'
        f' or (type = "File" and ({files}))'
    )
    return _paged(where, limit, offset)


def files_query(paths: list[str], limit: int, offset: int) -> str:
    """The `File`s at these paths, a page of them."""
    return _paged(f'type = "File" and title in {json.dumps(paths)}', limit, offset)


def _paged(where: str, limit: int, offset: int) -> str:
    return (
        f"resources[{FIELDS}] {{ {where} order by certname, type, title"
        f" limit {limit} offset {offset} }}"
    )


def rows_by_host(
    query: Callable[[str], list[Any]],
    make: Callable[[int, int], str],
    page: int = PAGE,
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(certname, its resource rows), host after host, reading page after page."""
    offset = 0
    current: str | None = None
    rows: list[dict[str, Any]] = []
    while True:
        found = query(make(page, offset))
        for row in found:
            if row["certname"] != current:
                if current is not None:
                    yield current, rows
                current, rows = row["certname"], []
            rows.append(row)
        if len(found) < page:
            break
        offset += page
    if current is not None:
        yield current, rows


def loader(conn: Connection) -> Callable[[Selector], tuple[list[Host], list[str]]]:
    """Read every host's resources in two passes: the commands and the files that may run
    them, then the files those name (a sourced `/etc/conf/x`), so that the thousands of
    configuration files of a fleet are never sent."""

    def load(selector: Selector) -> tuple[list[Host], list[str]]:
        try:
            by_host = dict(
                rows_by_host(
                    conn.query,
                    lambda n, k: resource_query(selector.role_prefix, n, k),
                )
            )
            fetched = {r["title"] for rows in by_host.values() for r in rows if r["type"] == "File"}
            named = sorted(_named(by_host, selector.read_source) - fetched)
            for i in range(0, len(named), 200):
                chunk = named[i : i + 200]
                for certname, rows in rows_by_host(
                    conn.query, functools.partial(files_query, chunk)
                ):
                    by_host.setdefault(certname, []).extend(rows)
        finally:
            conn.close()
        return [selector.host(c, rows) for c, rows in by_host.items()], []

    return load


def _named(by_host: dict[str, list[dict[str, Any]]], read: Callable[[str], str | None]) -> set[str]:
    texts: dict[str, None] = {}
    for rows in by_host.values():
        for row in rows:
            params = row.get("parameters") or {}
            if row.get("type") != "File" or not isinstance(params, dict):
                continue
            content, source = params.get("content"), params.get("source")
            if isinstance(content, str):
                texts[content] = None
            for ref in [source] if isinstance(source, str) else source or []:
                if isinstance(ref, str) and (text := read(ref)) is not None:
                    texts[text] = None
    return {path for text in texts for path in NAMED.findall(text)}
