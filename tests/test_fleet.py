"""`check --catalogs` and `--puppetdb`: the 2014 shape found in what the fleet really runs.

Catalogs are compiled by Puppet from the fixture tree at its base revision (the fleet still
runs them when the change to the script comes up for review) and stored in a real PuppetDB;
nothing is mocked. Tests skip, saying why, where Puppet or PuppetDB is not installed.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from driftlint.cli import cli
from driftlint.fleet import puppetdb
from driftlint.fleet.catalogs import Selector, hosts_of
from driftlint.fleet.locate import PathMap
from tests import fleet_servers as servers
from tests.conftest import FIXTURES, git, make_repo

FIXTURE = FIXTURES / "fleet-2014-script-change"
SCALERS = ("tmh1001.eqiad.wmnet", "tmh1002.eqiad.wmnet")
RUNNER = "mw1001.eqiad.wmnet"
HOSTS = (*SCALERS, RUNNER)


@dataclass
class Fleet:
    repo: Path  # the tree with the change, committed on its base
    base: Path  # the tree at the base revision, where the catalogs were compiled
    catalogs: Path  # one `puppet catalog compile` output per host


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    reason = servers.missing_puppet()
    if reason:
        pytest.skip(reason)
    top = tmp_path_factory.mktemp("fleet")
    repo = make_repo(FIXTURE, top)
    base = top / "compiled-at-base"
    shutil.copytree(repo, base, ignore=shutil.ignore_patterns(".git"))
    git(repo, "show", "HEAD~1:modules/mediawiki/templates/jobs-loop.sh.erb")
    (base / "modules/mediawiki/templates/jobs-loop.sh.erb").write_text(
        git(repo, "show", "HEAD~1:modules/mediawiki/templates/jobs-loop.sh.erb")
    )
    catalogs = top / "catalogs"
    servers.compile_catalogs(base, HOSTS, catalogs, top / "puppet")
    return Fleet(repo, base, catalogs)


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["check", "--format=json", "--no-cache", *args])
    out = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, out, result.stderr


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if text in line)


def hosts(finding: dict[str, Any]) -> list[str]:
    return [r.removeprefix("host:") for r in finding["roles"] if r.startswith("host:")]


def expect_2014(fleet: Fleet, findings: list[dict[str, Any]], verb: str) -> None:
    """The static finding gains the video scalers; the cron the evaluator could not follow
    (`sprintf`) is found in their catalogs, at its resource's line."""
    role = fleet.repo / "modules/role/manifests/mediawiki/videoscaler.pp"
    cron = fleet.repo / "modules/mediawiki/manifests/refresh.pp"
    rows = sorted((f["path"], f["line"], f["code"], f["argument"]) for f in findings)
    assert rows == sorted(
        [
            (
                "modules/role/manifests/mediawiki/videoscaler.pp",
                line_of(role, "'-v 0'"),
                "stale-option",
                "-v",
            ),
            (
                "modules/mediawiki/manifests/refresh.pp",
                line_of(cron, "command =>"),
                "stale-option",
                "-v",
            ),
        ]
    ), findings
    by_path = {f["path"]: f for f in findings}
    static = by_path["modules/role/manifests/mediawiki/videoscaler.pp"]
    assert static["roles"] == [*(f"host:{h}" for h in SCALERS), "role::mediawiki::videoscaler"]
    assert static["message"].endswith(f"; {SCALERS[0]} and {SCALERS[1]} {verb} it")
    found = by_path["modules/mediawiki/manifests/refresh.pp"]
    assert hosts(found) == list(SCALERS)
    assert "Cron[refresh-links]" in found["message"]


def test_catalog_files_name_the_hosts_that_still_pass_a_removed_option(fleet: Fleet) -> None:
    code, out, stderr = check("--catalogs", str(fleet.catalogs), str(fleet.repo))
    assert code == 1, stderr
    expect_2014(fleet, out["findings"], "run")
    assert all(RUNNER not in hosts(f) for f in out["findings"])


def test_base_reports_what_the_change_breaks_in_the_fleet(fleet: Fleet) -> None:
    args = ("--catalogs", str(fleet.catalogs), "--base", "HEAD~1", str(fleet.repo))
    code, out, stderr = check(*args)
    assert code == 1, stderr
    expect_2014(fleet, out["findings"], "still run")


def test_a_clean_fleet_has_no_findings(fleet: Fleet) -> None:
    code, out, stderr = check("--catalogs", str(fleet.catalogs), str(fleet.base))
    assert (code, out["findings"]) == (0, []), stderr
    assert out["summary"]["calls_checked"] > 3  # the static calls and the fleet's


def test_a_host_the_tree_no_longer_has_is_not_checked(fleet: Fleet, tmp_path: Path) -> None:
    catalogs = tmp_path / "catalogs"
    shutil.copytree(fleet.catalogs, catalogs)
    old = servers.read_compiled(catalogs / f"{SCALERS[0]}.json")
    old["name"] = "tmh1003.eqiad.wmnet"
    (catalogs / "tmh1003.json").write_text(json.dumps(old))
    code, out, stderr = check("--catalogs", str(catalogs), str(fleet.repo))
    assert code == 1
    assert "tmh1003.eqiad.wmnet" in stderr and "no node definition" in stderr
    assert all("tmh1003.eqiad.wmnet" not in hosts(f) for f in out["findings"])
    expect_2014(fleet, out["findings"], "run")


def test_a_huge_content_is_a_warning_and_the_rest_is_checked(fleet: Fleet, tmp_path: Path) -> None:
    catalogs = tmp_path / "catalogs"
    shutil.copytree(fleet.catalogs, catalogs)
    catalog = servers.read_compiled(catalogs / f"{RUNNER}.json")
    manifest = next(r["file"] for r in catalog["resources"] if r.get("type") == "File")
    body = "#!/bin/sh\n" + "/usr/local/bin/jobs-loop.sh -q\n" * 200_000  # 6.4 MB
    catalog["resources"].append(
        {
            "type": "File",
            "title": "/usr/local/bin/huge.sh",
            "file": manifest,
            "line": 7,
            "exported": False,
            "tags": [],
            "parameters": {"content": body},
        }
    )
    (catalogs / f"{RUNNER}.json").write_text(json.dumps(catalog))
    code, out, stderr = check("--catalogs", str(catalogs), str(fleet.repo))
    assert code == 1, stderr
    huge = [f for f in out["findings"] if f["code"] == "unreadable-file"]
    assert [(f["path"], f["line"], f["severity"], hosts(f)) for f in huge] == [
        ("modules/mediawiki/manifests/jobqueue.pp", 7, "warning", [RUNNER])
    ]
    expect_2014(fleet, [f for f in out["findings"] if f not in huge], "run")


def test_a_catalog_that_is_not_one_is_an_error_and_nothing_is_lost(
    fleet: Fleet, tmp_path: Path
) -> None:
    catalogs = tmp_path / "catalogs"
    shutil.copytree(fleet.catalogs, catalogs)
    (catalogs / "broken.json").write_text('{"name": "x", "resources": ')
    code, out, stderr = check("--catalogs", str(catalogs), str(fleet.repo))
    assert code == 2
    assert "broken.json: not JSON" in stderr
    expect_2014(fleet, out["findings"], "run")


def test_every_catalog_form_gives_the_same_resources(fleet: Fleet) -> None:
    compiled = servers.read_compiled(fleet.catalogs / f"{SCALERS[0]}.json")
    wire = servers.wire_catalog(compiled, SCALERS[0])
    rows = [{**r, "certname": SCALERS[0]} for r in wire["resources"]]
    queried = {**wire, "resources": {"href": "/pdb/query/v4/catalogs/x/resources", "data": rows}}
    forms = {
        "compile": compiled,
        "puppet 3": {"document_type": "Catalog", "data": compiled},
        "wire": wire,
        "query catalogs": [queried],
        "query resources": rows,
    }
    init = (FIXTURE / "modules/mediawiki/files/mw-job-runner.init").read_text()
    selector = Selector(lambda text: "jobs-loop.sh" in text, lambda ref: init)
    seen = {}
    for name, document in forms.items():
        ((certname, found),) = hosts_of(document, name)
        seen[name] = selector.host(certname, found)
    assert {h.certname for h in seen.values()} == {SCALERS[0]}
    first = seen["compile"]
    assert {r.ref for r in first.resources} >= {
        "Cron[refresh-links]",
        "File[/etc/init.d/mw-job-runner]",
        "File[/etc/default/mw-job-runner]",
    }
    assert first.classes == {"role::mediawiki::videoscaler"}
    assert all(h == first for h in seen.values())


# --- PuppetDB ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pdb(fleet: Fleet) -> Iterator[servers.PuppetDB]:
    reason = servers.missing_puppetdb()
    if reason:
        pytest.skip(reason)
    db = servers.start_puppetdb()
    try:
        for host in HOSTS:
            db.submit(host, servers.read_compiled(fleet.catalogs / f"{host}.json"))
        yield db
    finally:
        db.stop()
        shutil.rmtree(db.folder, ignore_errors=True)


def test_puppetdb_over_tls_names_the_hosts(fleet: Fleet, pdb: servers.PuppetDB) -> None:
    assert pdb.discarded() == []  # every command was stored, none dropped
    tls = (
        "--puppetdb-cert",
        str(pdb.certs["client.crt"]),
        "--puppetdb-key",
        str(pdb.certs["client.key"]),
        "--puppetdb-ca",
        str(pdb.certs["ca.crt"]),
    )
    code, out, stderr = check("--puppetdb", pdb.tls_url, *tls, "--base", "HEAD~1", str(fleet.repo))
    assert code == 1, stderr
    expect_2014(fleet, out["findings"], "still run")


def test_puppetdb_pages_give_every_row_once(pdb: servers.PuppetDB) -> None:
    conn = puppetdb.Connection.open(pdb.url, None, None, None, 30)

    def make(limit: int, offset: int) -> str:
        return puppetdb.resource_query("role::", limit, offset)

    whole = list(puppetdb.rows_by_host(conn.query, make))
    paged = list(puppetdb.rows_by_host(conn.query, make, page=3))
    conn.close()
    assert [c for c, _ in whole] == sorted(HOSTS)
    assert paged == whole
    assert sum(len(rows) for _, rows in whole) > 3 * 3  # more than one page of 3 per host


def test_puppetdb_refuses_a_client_without_certificate(fleet: Fleet, pdb: servers.PuppetDB) -> None:
    ca = ("--puppetdb-ca", str(pdb.certs["ca.crt"]))
    code, out, stderr = check("--puppetdb", pdb.tls_url, *ca, str(fleet.repo))
    assert code == 2
    assert f"PuppetDB at {pdb.tls_url}" in stderr
    assert [f["code"] for f in out["findings"]] == ["stale-option"]  # the static one, kept


# --- PuppetDB down, slow, or answering garbage --------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(FIXTURE, tmp_path)


class _Garbage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>maintenance</html>")

    def log_message(self, *args: Any) -> None:
        pass


def _serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def garbage() -> Iterator[str]:
    yield from _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Garbage))


@pytest.fixture
def silent() -> Iterator[str]:
    """Accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize(
    ("server", "message"),
    [
        pytest.param("down", "cannot reach PuppetDB at", id="down"),
        pytest.param("silent", "did not answer within 0.5 s", id="slow"),
        pytest.param("garbage", "answered something that is not JSON", id="garbage"),
    ],
)
def test_puppetdb_trouble_is_a_clear_error_and_nothing_is_lost(
    repo: Path, request: pytest.FixtureRequest, server: str, message: str
) -> None:
    url = f"http://127.0.0.1:{servers.free_port()}" if server == "down" else None
    url = url or request.getfixturevalue(server)
    code, out, stderr = check("--puppetdb", url, "--puppetdb-timeout", "0.5", str(repo))
    assert code == 2
    assert f"driftlint: error: {message}" in stderr or message in stderr, stderr
    assert [(f["code"], f["roles"]) for f in out["findings"]] == [
        ("stale-option", ["role::mediawiki::videoscaler"])
    ]


# --- pieces -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("compiled", "expected"),
    [
        pytest.param(
            "/etc/puppetlabs/code/environments/production/modules/a/manifests/init.pp",
            "modules/a/manifests/init.pp",
            id="environment",
        ),
        pytest.param("/srv/puppet/manifests/site.pp", "manifests/site.pp", id="main-manifest"),
        pytest.param(
            "/x/site/modules/a/manifests/init.pp",
            "site/modules/a/manifests/init.pp",
            id="longest-suffix-wins",
        ),
        pytest.param("/usr/share/puppet/modules/cron_core/manifests/x.pp", None, id="not-in-tree"),
    ],
)
def test_catalog_paths_map_to_the_longest_suffix_the_tree_has(
    compiled: str, expected: str | None
) -> None:
    tree = {"modules/a/manifests/init.pp", "site/modules/a/manifests/init.pp", "manifests/site.pp"}
    assert PathMap(tree.__contains__)(compiled) == expected


WRAPPER = """\
#!/bin/bash
# The site's wrapper: the packaged tool with this host's folders.
if [ $# -ne 1 ]; then
\techo "usage: $0 DIST" >&2
\texit 1
fi
exec /usr/bin/repotool --basedir /srv/repo --confdir /etc/repotool "$1"
"""
REPO_CLASS = """\
class repotool {
  file { '/usr/local/bin/repotool':
    source => 'puppet:///modules/repotool/repotool',
    mode   => '0755',
  }
  cron { 'repotool-export':
    command => '/usr/local/bin/repotool bookworm',
    hour    => 3,
  }
}
"""


def test_a_wrapper_running_the_packaged_tool_of_its_name_is_no_call_in_a_catalog(
    tmp_path: Path,
) -> None:
    """ocf's reprepro wrapper `exec /usr/bin/reprepro --basedir ... "$@"`: the static path
    takes the packaged tool's path for no call of the wrapper; a catalog's copy of the same
    file did, and judged the wrapper's own options against it. A cron of the catalog that
    still passes two words is judged (the tree's is clean)."""
    repo = tmp_path / "repo"
    manifest = repo / "modules/repotool/manifests/init.pp"
    manifest.parent.mkdir(parents=True)
    (repo / "modules/repotool/files").mkdir()
    (repo / "modules/repotool/files/repotool").write_text(WRAPPER)
    manifest.write_text(REPO_CLASS)
    (repo / "manifests").mkdir()
    (repo / "manifests/site.pp").write_text("node 'apt1.example.org' {\n  include repotool\n}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "repotool")
    compiled = "/etc/puppetlabs/code/environments/production/modules/repotool/manifests/init.pp"
    resources = [
        {"type": "Class", "title": "Repotool", "tags": [], "exported": False},
        {
            "type": "File",
            "title": "/usr/local/bin/repotool",
            "file": compiled,
            "line": 2,
            "exported": False,
            "tags": [],
            "parameters": {"source": "puppet:///modules/repotool/repotool", "mode": "0755"},
        },
        {
            "type": "Cron",
            "title": "repotool-export",
            "file": compiled,
            "line": 6,
            "exported": False,
            "tags": [],
            "parameters": {"command": "/usr/local/bin/repotool bookworm main", "hour": 3},
        },
    ]
    catalogs = tmp_path / "catalogs"
    catalogs.mkdir()
    catalog = {"name": "apt1.example.org", "version": 1, "resources": resources}
    (catalogs / "apt1.example.org.json").write_text(json.dumps(catalog))
    code, out, stderr = check("--catalogs", str(catalogs), str(repo))
    assert code == 1, stderr
    rows = [(f["path"], f["line"], f["code"], f["argument"], hosts(f)) for f in out["findings"]]
    assert rows == [
        (
            "modules/repotool/manifests/init.pp",
            line_of(manifest, "command =>"),
            "too-many-arguments",
            "main",
            ["apt1.example.org"],
        )
    ]
