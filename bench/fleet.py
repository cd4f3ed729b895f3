"""Benchmark `check --catalogs` and `--puppetdb` on a fleet of 1,000 hosts.

    python bench/fleet.py OUT [--roles 30] [--hosts 1000] [--skip-puppetdb | --puppetdb URL]

Writes a tree that Puppet compiles (OUT/tree), compiles one node per role with
`puppet catalog compile` (OUT/compiled, kept between runs), writes one catalog per host
under more certnames (OUT/catalogs), and times driftlint on the tree alone, with the catalog
files, and (unless --skip-puppetdb) against a PuppetDB holding the same 1,000 catalogs, under
`/usr/bin/time -v`. It checks that the planted bad arguments are found with their hosts.

The tree is written here, not by bench/generate.py: Puppet refuses to compile that tree's
roles (several profiles of one role declare the same class resource-like: "Duplicate
declaration: Class[mail]"), and it needs stdlib's types.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fleet_servers as servers

ROTATE = """#!/bin/bash
# SYNOPSIS
#   rotate.sh [-t timeout] [-q] [-v] [target]
while getopts "t:qv" opt; do
    case "$opt" in
        t) timeout=$OPTARG ;;
        q) quiet=1 ;;
        v) verbose=1 ;;
        *) exit 1 ;;
    esac
done
"""
SYNC = """#!/usr/bin/env python3
import argparse

parser = argparse.ArgumentParser(description="Sync a tree.")
parser.add_argument("--dry-run", action="store_true")
parser.add_argument("--limit", type=int)
parser.add_argument("--mode", choices=["fast", "full"])
parser.add_argument("target")
args = parser.parse_args()
"""
INIT = """#!/bin/sh
. /etc/default/worker
case "$1" in
    start) start-stop-daemon --start --background --exec /usr/local/bin/rotate.sh -- $WORKER_ARGS ;;
    stop) start-stop-daemon --stop --name rotate.sh ;;
esac
"""
MANIFESTS = {
    "tools/manifests/install.pp": """class tools::install {
    file { '/usr/local/bin/rotate.sh':
        mode   => '0755',
        source => 'puppet:///modules/tools/rotate.sh',
    }
    file { '/usr/local/bin/sync.py':
        mode   => '0755',
        source => 'puppet:///modules/tools/sync.py',
    }
}
""",
    "tools/manifests/worker.pp": """class tools::worker(String $args = '-t 30') {
    file { '/etc/default/worker':
        content => template('tools/worker.default.erb'),
    }
    file { '/etc/init.d/worker':
        mode   => '0755',
        source => 'puppet:///modules/tools/worker.init',
    }
}
""",
    "tools/manifests/job.pp": """define tools::job(String $args, Integer $hour = 3) {
    cron { "sync-${title}":
        command => "/usr/local/bin/sync.py ${args} /srv/${title}",
        hour    => $hour,
        minute  => 0,
    }
}
""",
    "base/manifests/init.pp": """class base(Integer $files = 80) {
    $files.each |$i| {
        file { "/etc/base/conf-${i}.conf":
            content => template('base/conf.erb'),
        }
    }
    40.each |$i| {
        package { "base-package-${i}": ensure => installed }
    }
    exec { 'base-refresh':
        command     => '/usr/bin/true',
        refreshonly => true,
    }
}
""",
}
CONF = "".join(f"# line {i} of a configuration file\nkey{i} = <%= @files %>\n" for i in range(15))


def write_tree(out: Path, roles: int, seed: int) -> list[tuple[str, str, str]]:
    """The tree; returns the planted (role, argument, code) findings."""
    rng = random.Random(seed)
    mods = out / "modules"
    for path, text in MANIFESTS.items():
        (mods / path).parent.mkdir(parents=True, exist_ok=True)
        (mods / path).write_text(text)
    (mods / "tools/files").mkdir(parents=True, exist_ok=True)
    (mods / "tools/files/rotate.sh").write_text(ROTATE)
    (mods / "tools/files/sync.py").write_text(SYNC)
    (mods / "tools/files/worker.init").write_text(INIT)
    (mods / "tools/templates").mkdir(parents=True, exist_ok=True)
    (mods / "tools/templates/worker.default.erb").write_text('WORKER_ARGS="<%= @args %>"\n')
    (mods / "base/templates").mkdir(parents=True, exist_ok=True)
    (mods / "base/templates/conf.erb").write_text(CONF)
    planted: list[tuple[str, str, str]] = []
    site = []
    for i in range(roles):
        worker = rng.choice(["-t 30", "-q -t 60", "-v", "-t 5 -v"])
        jobs = [rng.choice(["--dry-run", "--limit 5", "--mode fast", "--mode full --limit 9"])]
        jobs.append(rng.choice(["", "--dry-run --limit 1"]))
        if i % 10 == 3:
            jobs[0] = "--limt 5"  # a typo the fleet runs
            planted.append((f"role::r{i}", "--limt", "unknown-option"))
        body = [f"class role::r{i} {{", "    include base", "    include tools::install"]
        body.append(f"    class {{ 'tools::worker': args => '{worker}' }}")
        for n, args in enumerate(jobs):
            body.append(f"    tools::job {{ 'r{i}-{n}': args => '{args}', hour => {n} }}")
        body.append("}")
        (mods / "role/manifests").mkdir(parents=True, exist_ok=True)
        (mods / f"role/manifests/r{i}.pp").write_text("\n".join(body) + "\n")
        site.append(f"node /^r{i}-\\d+\\.bench\\.example$/ {{\n    include role::r{i}\n}}\n")
    (out / "manifests").mkdir(parents=True, exist_ok=True)
    (out / "manifests/site.pp").write_text("\n".join(site))
    return planted


def write_fleet(compiled: dict[int, Path], out: Path, hosts: int) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(hosts):
        role = k % len(compiled)
        catalog = servers.read_compiled(compiled[role])
        certname = f"r{role}-{k}.bench.example"
        catalog["name"] = certname
        (out / f"{certname}.json").write_text(json.dumps(catalog))
        names.append(certname)
    return names


def timed(args: list[str]) -> tuple[float, float, int, str]:
    """Wall and CPU (user + sys) seconds, peak RSS in MB, and stdout of a driftlint run."""
    start = time.monotonic()
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "driftlint", *args],
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(
        float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    return wall, cpu, int(peak.group(1)) // 1024 if peak else -1, done.stdout


def found(stdout: str) -> list[tuple[str, str, int]]:
    """(argument, code, hosts) of each finding."""
    document = json.loads(stdout)
    return sorted(
        (f["argument"], f["code"], sum(r.startswith("host:") for r in f["roles"]))
        for f in document["findings"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-puppetdb", action="store_true")
    parser.add_argument(
        "--puppetdb", metavar="URL", help="a PuppetDB that already holds this fleet (no submit)"
    )
    options = parser.parse_args()
    out: Path = options.out.resolve()
    tree = out / "tree"
    planted = write_tree(tree, options.roles, options.seed)
    if not (tree / ".git").exists():
        subprocess.run(["git", "init", "-q", str(tree)], check=True)
    compiled_dir = out / "compiled"
    wanted = [f"r{i}-0.bench.example" for i in range(options.roles)]
    todo = [n for n in wanted if not (compiled_dir / f"{n}.json").is_file()]
    if todo:
        start = time.monotonic()
        servers.compile_catalogs(tree, todo, compiled_dir, out / "puppet")
        print(f"compiled {len(todo)} catalogs in {time.monotonic() - start:.0f} s")
    compiled = {i: compiled_dir / f"{n}.json" for i, n in enumerate(wanted)}
    names = write_fleet(compiled, out / "catalogs", options.hosts)
    size = sum(p.stat().st_size for p in (out / "catalogs").glob("*.json")) / 1e6
    print(f"{len(names)} catalogs, {size:.0f} MB")
    want = sorted(
        (arg, code, len(range(int(role[len("role::r") :]), options.hosts, options.roles)))
        for role, arg, code in planted
    )
    rows = []
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    static = ["check", "--no-cache", "--format=json", str(tree)]
    rows.append(("tree only", *timed(static)))
    rows.append(("--catalogs", *timed([*static, "--catalogs", str(out / "catalogs")])))
    if options.puppetdb:
        rows.append(("--puppetdb", *timed([*static, "--puppetdb", options.puppetdb])))
    elif not options.skip_puppetdb:
        db = servers.start_puppetdb()
        try:
            start = time.monotonic()
            with ThreadPoolExecutor(4) as pool:
                list(
                    pool.map(
                        lambda n: db.submit(
                            n, servers.read_compiled(out / "catalogs" / f"{n}.json")
                        ),
                        names,
                    )
                )
            print(f"submitted {len(names)} catalogs in {time.monotonic() - start:.0f} s")
            rows.append(("--puppetdb", *timed([*static, "--puppetdb", db.url])))
        finally:
            db.stop()
    print(f"{'run':12} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  findings")
    for name, wall, cpu, peak, stdout in rows:
        got = found(stdout) if stdout.startswith("{") else "no output"
        ok = "" if name == "tree only" else ("ok" if got == want else f"WRONG, want {want}")
        print(f"{name:12} {wall:7.2f} {cpu:6.2f} {peak:8d}  {got} {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
