"""Real components for the fleet tests and bench: Puppet compiles catalogs; PostgreSQL and
PuppetDB (with TLS, certificates made here) store them. Nothing is mocked.

Everything listens on 127.0.0.1 on free ports and is stopped by whoever started it.
`missing()` says why the components cannot run here (the tests skip with that reason).
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PUPPETDB_JAR = Path("/usr/share/puppetdb/puppetdb.jar")
BOOTSTRAP = Path("/etc/puppetdb/bootstrap.cfg")
SYSTEM_MODULES = "/usr/share/puppet/modules"  # puppet-module-puppetlabs-cron-core: `cron`


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def missing_puppet() -> str | None:
    if shutil.which("puppet") is None:
        return (
            "`puppet` is not installed (apt-get install puppet puppet-module-puppetlabs-cron-core)"
        )
    if not has_cron_type():
        return (
            "Puppet has no `cron` type: since Puppet 6 it is the cron_core module"
            " (apt-get install puppet-module-puppetlabs-cron-core, or enable it in"
            " the vendor module folder)"
        )
    return None


def has_cron_type() -> bool:
    """Whether `puppet catalog compile` knows the `cron` type: in Puppet's own library before
    6, else in a module of its vendor module folder or of the folders the tests compile with."""

    def setting(name: str) -> str:
        done = subprocess.run(
            ["puppet", "config", "print", name], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    version = subprocess.run(["puppet", "--version"], capture_output=True, text=True, check=False)
    if version.stdout.strip().split(".")[0].isdigit() and int(version.stdout.split(".")[0]) < 6:
        return True
    folders = [setting("vendormoduledir"), SYSTEM_MODULES]
    return any(
        glob.glob(os.path.join(folder, "*", "lib", "puppet", "type", "cron.rb"))
        for folder in folders
        if folder
    )


def missing_puppetdb() -> str | None:
    if missing_puppet():
        return missing_puppet()
    if not PUPPETDB_JAR.is_file() or not BOOTSTRAP.is_file() or shutil.which("java") is None:
        return "PuppetDB is not installed (apt-get install puppetdb)"
    if _pg_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "`runuser` is missing: PostgreSQL cannot run as root"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- compiling --------------------------------------------------------------------------
def compile_catalogs(tree: Path, certnames: Iterable[str], out: Path, work: Path) -> list[Path]:
    """`puppet catalog compile NAME --render-as json` for each certname, two at a time; each
    file holds what the command prints (a `Notice:` line, then the JSON)."""
    out.mkdir(parents=True, exist_ok=True)
    base = [
        "puppet",
        "catalog",
        "compile",
        "--render-as",
        "json",
        "--manifest",
        str(tree / "manifests" / "site.pp"),
        "--modulepath",
        f"{tree / 'modules'}:{SYSTEM_MODULES}",
        "--vardir",
        str(work / "var"),
        "--confdir",
        str(work / "conf"),
        "--codedir",
        str(work / "code"),
        "--logdir",
        str(work / "log"),
    ]

    def one(certname: str) -> Path:
        dest = out / f"{certname}.json"
        with dest.open("wb") as stdout:
            done = subprocess.run(
                [*base, certname], stdout=stdout, stderr=subprocess.PIPE, timeout=300
            )
        if done.returncode != 0 or dest.stat().st_size == 0:
            errors = [e for e in done.stderr.decode().splitlines() if "environ" not in e]
            raise RuntimeError(f"puppet catalog compile {certname} failed: {errors[-3:]}")
        return dest

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, list(certnames)))


def read_compiled(path: Path) -> dict[str, Any]:
    raw = path.read_text(encoding="utf-8")
    found: dict[str, Any] = json.loads(raw[raw.index("\n{") + 1 :] if raw[0] != "{" else raw)
    return found


def _ref(ref: str) -> dict[str, str]:
    kind, _, title = ref.partition("[")
    return {"type": kind, "title": title[:-1]}


def wire_catalog(compiled: dict[str, Any], certname: str) -> dict[str, Any]:
    """A `puppet catalog compile` catalog in PuppetDB's wire format (replace catalog v9)."""
    resources = []
    for r in compiled["resources"]:
        item = {k: r[k] for k in ("type", "title", "tags", "exported") if k in r}
        item["parameters"] = r.get("parameters", {})
        if "file" in r:
            item["file"], item["line"] = r["file"], r["line"]
        resources.append(item)
    return {
        "certname": certname,
        "version": str(compiled["version"]),
        "environment": compiled.get("environment", "production"),
        "transaction_uuid": str(uuid.uuid4()),
        "catalog_uuid": str(uuid.uuid4()),
        "producer_timestamp": _now(),
        "producer": "driftlint-tests",
        "code_id": None,
        "job_id": None,
        "resources": resources,
        "edges": [
            {"source": _ref(e["source"]), "target": _ref(e["target"]), "relationship": "contains"}
            for e in compiled.get("edges", [])
        ],
    }


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


# --- certificates -----------------------------------------------------------------------
def make_certs(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, with openssl."""
    folder.mkdir(parents=True, exist_ok=True)

    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    for name, extra in (
        ("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ("client", "extendedKeyUsage=clientAuth"),
    ):
        ssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={name}",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
        )
        (folder / f"{name}.ext").write_text(extra + "\n")
        ssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            f"{name}.ext",
            "-out",
            f"{name}.crt",
        )
    return {
        n: folder / n for n in ("ca.crt", "server.crt", "server.key", "client.crt", "client.key")
    }


# --- PostgreSQL and PuppetDB ------------------------------------------------------------
@dataclass
class PuppetDB:
    folder: Path
    http_port: int = 0
    https_port: int = 0
    certs: dict[str, Path] = field(default_factory=dict)
    pg_port: int = 0
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def discard(self) -> Path:
        return self.folder / "var" / "stockpile" / "discard"

    def start(self) -> None:
        self._postgres()
        self._puppetdb()

    def _as_postgres(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def _postgres(self) -> None:
        binary = _pg_bin()
        assert binary is not None
        data = self.folder / "pg"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            self._as_postgres(
                str(binary / "initdb"),
                "-D",
                str(data),
                "--no-sync",
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
            ),
            check=True,
            capture_output=True,
        )
        self.pg_port = free_port()
        self._procs.append(
            subprocess.Popen(
                self._as_postgres(
                    str(binary / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(self.pg_port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    str(data),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                ),
                stdout=subprocess.DEVNULL,
                stderr=(self.folder / "postgres.log").open("wb"),
            )
        )
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-q"]
        for _ in range(100):
            ready = subprocess.run([*psql, "-c", "select 1"], capture_output=True)
            if ready.returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run(
            [
                *psql,
                "-c",
                "create role puppetdb login password 'puppetdb'",
                "-c",
                "create database puppetdb owner puppetdb",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*psql, "-d", "puppetdb", "-c", "create extension pg_trgm"],
            check=True,
            capture_output=True,
        )

    def _puppetdb(self) -> None:
        self.certs = make_certs(self.folder / "certs")
        conf = self.folder / "conf"
        conf.mkdir()
        self.http_port, self.https_port = free_port(), free_port()
        (self.folder / "logback.xml").write_text(
            '<configuration><appender name="F" class="ch.qos.logback.core.FileAppender">'
            f"<file>{self.folder / 'puppetdb.log'}</file><encoder><pattern>%d %-5p %m%n"
            '</pattern></encoder></appender><root level="warn"><appender-ref ref="F"/>'
            "</root></configuration>\n"
        )
        (conf / "config.ini").write_text(
            f"[global]\nvardir = {self.folder / 'var'}\n"
            f"logging-config = {self.folder / 'logback.xml'}\n"
            "[puppetdb]\ndisable-update-checking = true\n"
            "[command-processing]\nthreads = 1\n"
        )
        (conf / "database.ini").write_text(
            f"[database]\nsubname = //127.0.0.1:{self.pg_port}/puppetdb\n"
            "username = puppetdb\npassword = puppetdb\n"
        )
        (conf / "jetty.ini").write_text(
            f"[jetty]\nhost = 127.0.0.1\nport = {self.http_port}\n"
            f"ssl-host = 127.0.0.1\nssl-port = {self.https_port}\n"
            f"ssl-key = {self.certs['server.key']}\nssl-cert = {self.certs['server.crt']}\n"
            f"ssl-ca-cert = {self.certs['ca.crt']}\nclient-auth = need\n"
        )
        shutil.copy("/etc/puppetdb/conf.d/auth.conf", conf / "auth.conf")
        (self.folder / "var").mkdir()
        self._procs.append(
            subprocess.Popen(
                [
                    "java",
                    "-Xmx512m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    str(PUPPETDB_JAR),
                    "clojure.main",
                    "-m",
                    "puppetlabs.puppetdb.core",
                    "services",
                    "--config",
                    str(conf),
                    "--bootstrap-config",
                    str(BOOTSTRAP),
                ],
                stdout=(self.folder / "puppetdb.out").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self._procs[-1].poll() is not None:
                raise RuntimeError(f"PuppetDB stopped: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/status/v1/services", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"PuppetDB did not start: {self.log()}")

    def log(self) -> str:
        texts = [
            p.read_text(errors="replace")[-2000:]
            for p in (self.folder / "puppetdb.out", self.folder / "puppetdb.log")
            if p.exists()
        ]
        return "\n".join(texts)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()

    def command(self, name: str, version: int, certname: str, payload: dict[str, Any]) -> Any:
        query = urllib.parse.urlencode(
            {
                "command": name,
                "version": version,
                "certname": certname,
                "producer-timestamp": payload.get("producer_timestamp", _now()),
                "secondsToWaitForCompletion": 60,
            }
        )
        request = urllib.request.Request(
            f"{self.url}/pdb/cmd/v1?{query}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=90) as answer:
            return json.loads(answer.read())

    def submit(self, certname: str, catalog: dict[str, Any]) -> None:
        """replace facts v5, then replace catalog v9, each waited for."""
        facts = {
            "certname": certname,
            "environment": "production",
            "values": {"fqdn": certname, "hostname": certname.split(".")[0]},
            "producer_timestamp": _now(),
            "producer": "driftlint-tests",
        }
        self.command("replace facts", 5, certname, facts)
        self.command("replace catalog", 9, certname, wire_catalog(catalog, certname))

    def discarded(self) -> list[str]:
        return sorted(p.name for p in self.discard.glob("*")) if self.discard.is_dir() else []


def start_puppetdb() -> PuppetDB:
    """A running PuppetDB in a new folder that PostgreSQL's user can enter."""
    folder = Path(tempfile.mkdtemp(prefix="driftlint-puppetdb-"))
    folder.chmod(0o755)
    db = PuppetDB(folder)
    try:
        db.start()
    except BaseException:
        db.stop()
        raise
    return db
