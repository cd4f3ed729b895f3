"""Write a synthetic Puppet tree shaped like a large real one, with known bad arguments."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

WORDS = [
    "mail",
    "cache",
    "kafka",
    "ldap",
    "proxy",
    "queue",
    "search",
    "stats",
    "backup",
    "metrics",
    "dns",
    "ntp",
    "mirror",
    "wiki",
    "video",
    "thumbor",
    "redis",
    "memc",
    "etcd",
    "gerrit",
    "zuul",
    "docker",
    "puppetdb",
    "kibana",
    "grafana",
    "prometheus",
    "varnish",
    "haproxy",
    "nginx",
    "apache",
    "mysql",
    "postgres",
    "swift",
    "ceph",
    "hadoop",
    "hive",
    "spark",
    "druid",
    "cassandra",
    "elastic",
    "logstash",
    "rsync",
    "squid",
    "bind",
    "dhcp",
    "ganeti",
    "bacula",
    "irc",
    "phab",
    "ores",
]
FLAGS = ("--verbose", "--dry-run", "--force", "--quiet", "--no-lock", "--all", "--daemon")
VALUED = (
    ("--timeout", ("30", "60", "300")),
    ("--mode", ("fast", "slow", "full")),
    ("--config", ("/etc/bench/main.yaml", "/etc/bench/alt.yaml")),
    ("--batch-size", ("100", "500")),
    ("--log-level", ("info", "debug", "warning")),
    ("--output", ("/var/lib/bench/out", "/srv/bench/out")),
    ("--retries", ("3", "5")),
)
LETTERS = "vnfqtcbdrkos"
EPP_ARGS = "{'listen' => '::', 'port' => $port}"
INCLUDES = ("include", "contain", "require")
ABOUT = (
    "# This class is part of a synthetic tree written by bench/generate.py. It mimics the",
    "# shape of a large production tree: typed parameters with defaults, resources that",
    "# install configuration and scripts, services and their relationships, and the Hiera",
    "# keys that override the defaults per host and per role. Nothing here is deployed.",
    "#",
    "# Parameters follow the usual conventions: paths are absolute, ports are integers",
    "# and lists of backends are fully qualified host names.",
)
NOTES = (
    "Changes to this file restart the service through the notify relationship in Puppet.",
    "Values come from class parameters, which Hiera overrides per host and per role.",
    "Keep option names in step with the script's own parser; the linter checks them.",
    "Timeouts are in seconds. Sizes are in bytes unless a suffix says otherwise.",
    "Do not add secrets here: this file is world-readable on the host.",
)
HEADER = (
    "<%#- SPDX-License-Identifier: Apache-2.0 -%>\n"
    "# This file is managed by Puppet. Local changes will be overwritten on the next run.\n"
    "# Source: the bench generator's synthetic tree; edit the template, not this file.\n"
    "# Host: <%= @facts['networking']['fqdn'] %>\n#\n"
)


@dataclass(frozen=True, slots=True)
class Script:
    module: str
    name: str  # installed as /usr/local/bin/<name>
    kind: str  # argparse | getopts | docopt
    flags: tuple[str, ...]
    valued: tuple[tuple[str, tuple[str, ...]], ...]
    source: str  # file name under modules/<module>/files/

    def argv(self, rng: random.Random, params: bool = False) -> list[str]:
        """A valid argv, one item per option with its value; with params, values come from
        class parameters (`<%= @x %>`)."""
        words = [f for f in self.flags if rng.random() < 0.5]
        for opt, values in self.valued:
            if rng.random() < 0.6:
                value = f"<%= @{pname(opt)} %>" if params else rng.choice(values)
                words.append(f"{opt}={value}" if self.kind == "docopt" else f"{opt} {value}")
        return words

    def bad(self, rng: random.Random) -> str:
        if self.kind == "getopts":
            used = {f[1] for f in self.flags} | {o[1] for o, _ in self.valued}
            return "-" + rng.choice([c for c in "xyzwjKQZ" if c not in used])
        longs = [*self.flags, *(o for o, _ in self.valued)]
        base = rng.choice(longs)
        for i in range(3, len(base) - 1):  # swap two inner letters: a typo, never a prefix
            typo = base[:i] + base[i + 1] + base[i] + base[i + 2 :]
            if typo not in longs and not any(o.startswith(typo) for o in longs):
                return typo
        return "--unknown-" + base[2:]


def pname(opt: str) -> str:
    return opt.lstrip("-").replace("-", "_")


@dataclass(slots=True)
class Tree:
    rng: random.Random
    bad_at: frozenset[int]  # indices of the eligible calls that get a bad argument
    calls: int = 0
    files: dict[str, str] = field(default_factory=dict)
    bad: list[dict[str, object]] = field(default_factory=list)

    def call(
        self, s: Script, path: str, params: bool = False, basename: bool = False, bad: bool = True
    ) -> str:
        """Command text for one call; some eligible calls carry a deliberately bad argument."""
        words = s.argv(self.rng, params)
        if bad:
            if self.calls in self.bad_at:
                word = s.bad(self.rng)
                # Between two options, never between an option and its value.
                words.insert(self.rng.randint(0, len(words)), word)
                self.bad.append({"path": path, "argument": word, "script": s.name})
            self.calls += 1
        return " ".join([s.name if basename else f"/usr/local/bin/{s.name}", *words])

    def add(self, path: str, text: str) -> None:
        if path.endswith(".erb"):  # the header goes after a shebang line
            first, nl, rest = text.partition("\n")
            head = HEADER + "".join(
                f"# {NOTES[k % len(NOTES)]}\n" for k in range(self.rng.randint(4, 30))
            )
            text = first + nl + head + rest if first.startswith("#!") else head + text
        self.files[path] = text


def doc(summary: str, params: list[str]) -> str:
    lines = [f"# SPDX-License-Identifier: Apache-2.0\n# @summary {summary}", "#", *ABOUT]
    lines += [
        f"# @param {p}\n#   The {p.replace('_', ' ')} setting for this class." for p in params
    ]
    return "\n".join(lines) + "\n"


CLASS_PARAMS = (
    ("Enum['present', 'absent']", "ensure", "'present'"),
    ("Stdlib::Port", "port", "{port}"),
    ("Boolean", "debug", "false"),
    ("Array[String[1]]", "backends", "['{m}1001.eqiad.wmnet', '{m}2001.codfw.wmnet']"),
    ("Hash[String, Integer]", "limits", "{{'nofile' => 65536, 'nproc' => 4096}}"),
    ("Optional[String]", "extra_args", "undef"),
    ("Stdlib::Unixpath", "config_dir", "'/etc/{m}'"),
    ("Integer[1]", "workers", "4"),
    ("String", "user", "'{m}'"),
)


def class_head(
    name: str, m: str, port: int, rng: random.Random, lookup: bool = False, full: bool = True
) -> str:
    """A documented class header; templates need every parameter, other classes a subset."""
    chosen = [p for p in CLASS_PARAMS if full or p[1] in ("ensure", "port") or rng.random() < 0.6]
    width = max(len(t) for t, _, _ in chosen)
    lines = []
    for t, p, d in chosen:
        default = d.format(m=m, port=port)
        if lookup:
            default = f"lookup('{name}::{p}', {{'default_value' => {default}}})"
        lines.append(f"    {t.ljust(width)} ${p} = {default},")
    return doc(f"Manages {name}.", [p for _, p, _ in chosen]) + (
        f"class {name} (\n" + "\n".join(lines) + "\n) {\n"
    )


def base_module(tree: Tree, m: str, idx: int, script: Script | None, others: list[str]) -> None:
    rng, mp = tree.rng, f"modules/{m}/manifests"
    port = 8000 + idx % 50000
    tree.add(
        f"{mp}/init.pp",
        class_head(m, m, port, rng)
        + f"    include {m}::install\n    contain {m}::config\n    include {m}::service\n"
        f"    Class['{m}::install'] -> Class['{m}::config'] ~> Class['{m}::service']\n"
        + (f"    include {rng.choice(others)}::client\n" if others else "")
        + '\n    $motd = @("MOTD")\n        This host runs ${module_name} on port ${port}.\n'
        "        Managed by Puppet; local changes will be lost.\n        | MOTD\n"
        f"    file {{ '/etc/motd.d/50-{m}':\n        ensure  => file,\n        content => $motd,\n"
        "    }\n}\n",
    )
    tree.add(
        f"{mp}/install.pp",
        class_head(f"{m}::install", m, port, rng)
        + "    $pkg_ensure = $facts['os']['release']['major'] ? {\n"
        "        '10'    => 'present',\n        '11'    => 'present',\n"
        "        default => 'latest',\n"
        f"    }}\n    package {{ ['{m}', '{m}-tools', 'python3-{m}']:\n"
        f"        ensure => $pkg_ensure,\n"
        f"    }}\n    user {{ $user:\n        ensure => $ensure,\n        system => true,\n"
        f"        home   => '/var/lib/{m}',\n    }}\n}}\n",
    )
    tree.add(
        f"{mp}/config.pp",
        class_head(f"{m}::config", m, port, rng)
        + f"    file {{ ['/etc/{m}', '/var/log/{m}']:\n        ensure => directory,\n"
        f"        owner  => $user,\n        mode   => '0755',\n    }}\n"
        f"    file {{ '/etc/{m}/{m}.conf':\n        ensure  => $ensure,\n"
        f"        content => template('{m}/{m}.conf.erb'),\n        notify  => Service['{m}'],\n"
        f"    }}\n    file {{ '/etc/default/{m}':\n"
        f"        content => template('{m}/default.erb'),\n"
        f"    }}\n    file {{ '/etc/logrotate.d/{m}':\n"
        f"        content => template('{m}/logrotate.erb'),\n"
        + "    }\n"
        + (
            f"    file {{ '/etc/{m}/listen.conf':\n"
            f"        content => epp('{m}/listen.conf.epp', {EPP_ARGS}),\n"
            "    }\n"
            if idx % 4 == 0
            else ""
        )
        + "".join(
            f"    file {{ '/etc/{m}/conf.d/{k:02d}-part.conf':\n        ensure  => $ensure,\n"
            f'        owner   => $user,\n        content => "# part {k}\\nport=${{port}}\\n",\n'
            f"        require => File['/etc/{m}'],\n    }}\n"
            for k in range(rng.randint(2, 12))
        )
        + f"    {m}::instance {{ ['main', 'aux']:\n        port => $port,\n    }}\n}}\n",
    )
    tree.add(
        f"{mp}/service.pp",
        class_head(f"{m}::service", m, port, rng)
        + "    case $ensure {\n        'present': { $svc_ensure = 'running' }\n"
        "        default:   { $svc_ensure = 'stopped' }\n    }\n"
        f"    file {{ '/lib/systemd/system/{m}.service':\n"
        f"        content => template('{m}/{m}.service.erb'),\n    }}\n"
        f"    service {{ '{m}':\n        ensure    => $svc_ensure,\n        enable    => true,\n"
        f"        subscribe => File['/lib/systemd/system/{m}.service'],\n    }}\n"
        '    if $debug {\n        notify { "debug mode for ${title}": }\n    }\n}\n',
    )
    tree.add(
        f"{mp}/instance.pp",
        doc(f"One {m} instance.", ["port", "ensure"])
        + f"define {m}::instance (\n    Stdlib::Port $port,\n"
        "    Enum['present', 'absent'] $ensure = 'present',\n) {\n"
        f'    file {{ "/etc/{m}/instances/${{title}}.conf":\n        ensure  => $ensure,\n'
        '        content => "port=${port}\\nname=${title}\\n",\n    }\n}\n',
    )
    tree.add(
        f"{mp}/client.pp",
        class_head(f"{m}::client", m, port, rng)
        + f"    package {{ '{m}-client':\n        ensure => $ensure,\n    }}\n"
        f"    file {{ '/etc/{m}/client.conf':\n"
        f"        content => template('{m}/client.conf.erb'),\n"
        "    }\n}\n",
    )
    for j in range(rng.randint(0, 3)):
        name = f"{m}::extra{j}"
        body = "".join(
            f"    file {{ '/etc/{m}/extra{j}-{k}.conf':\n        ensure  => file,\n"
            f'        content => "# part {k} of ${{title}}\\nport=${{port}}\\n",\n    }}\n'
            for k in range(rng.randint(2, 6))
        )
        tree.add(f"{mp}/extra{j}.pp", class_head(name, m, port, rng, full=False) + body + "}\n")
    if script is not None:
        scripts_module(tree, m, script)


def scripts_module(tree: Tree, m: str, s: Script) -> None:
    mp, tp = f"modules/{m}/manifests", f"modules/{m}/templates"
    params = "".join("    String $" + pname(o) + f" = '{v[0]}',\n" for o, v in s.valued)
    params += "    Boolean $debug = false,\n"
    path = f"{mp}/scripts.pp"
    text = (
        doc(f"Installs {s.name} and runs it.", [pname(o) for o, _ in s.valued])
        + f"class {m}::scripts (\n{params}) {{\n"
        f"    file {{ '/usr/local/bin/{s.name}':\n"
        f"        ensure => file,\n        mode   => '0755',\n"
        f"        source => 'puppet:///modules/{m}/{s.source}',\n    }}\n"
        f"    exec {{ '{s.name}-initial':\n        command     => '{tree.call(s, path)}',\n"
        "        refreshonly => true,\n"
        f"        subscribe   => File['/usr/local/bin/{s.name}'],\n    }}\n"
        f"    file {{ '/lib/systemd/system/{s.name}.service':\n"
        f"        content => template('{m}/{s.name}.service.erb'),\n    }}\n"
        f"    file {{ '/etc/cron.d/{s.name}':\n"
        f"        content => template('{m}/{s.name}.cron.erb'),\n"
        f"    }}\n    file {{ '/usr/local/sbin/{s.name}-wrapper':\n        mode    => '0755',\n"
        f"        content => template('{m}/wrapper.sh.erb'),\n    }}\n}}\n"
    )
    tree.add(path, text)
    unit = f"{tp}/{s.name}.service.erb"
    tree.add(
        unit,
        f"[Unit]\nDescription={s.name} (<%= @title %>)\nAfter=network-online.target\n\n"
        f"[Service]\nType=oneshot\nUser=root\nExecStart={tree.call(s, unit, params=True)}\n"
        "Nice=10\n\n[Install]\nWantedBy=multi-user.target\n",
    )
    cron = f"{tp}/{s.name}.cron.erb"
    tree.add(
        cron,
        "# This file is managed by Puppet.\nSHELL=/bin/bash\nPATH=/usr/local/bin:/usr/bin:/bin\n"
        f"*/15 * * * * root {tree.call(s, cron)} >/dev/null 2>&1\n",
    )
    tree.add(
        f"{tp}/wrapper.sh.erb",
        "#!/bin/bash\n# Managed by Puppet.\nset -euo pipefail\n"
        + "<% if @debug -%>\nset -x\n<% end -%>\n"
        + f'exec {tree.call(s, "", bad=False)} "$@"\n',
    )
    tree.add(f"modules/{m}/files/{s.source}", script_text(s))


def script_text(s: Script) -> str:
    if s.kind == "argparse":
        adds = "".join(
            f"    parser.add_argument('{f}', action='store_true', help='{f[2:]} mode')\n"
            for f in s.flags
        ) + "".join(
            f"    parser.add_argument('{o}', "
            + (f"choices={list(v)!r}, " if o in ("--mode", "--log-level") else "")
            + f"default={v[0]!r}, help='the {o[2:]}')\n"
            for o, v in s.valued
        )
        return (
            f'#!/usr/bin/python3\n"""{s.name}: maintenance task for {s.module}."""\n'
            "import argparse\nimport logging\nimport sys\n\n\ndef main() -> int:\n"
            f"    parser = argparse.ArgumentParser(description='{s.name}')\n{adds}"
            "    parser.add_argument('targets', nargs='*', help='hosts to act on')\n"
            "    args = parser.parse_args()\n    logging.basicConfig(level=logging.INFO)\n"
            "    for target in args.targets:\n        logging.info('processing %s', target)\n"
            "    return 0\n\n\nif __name__ == '__main__':\n    sys.exit(main())\n"
        )
    if s.kind == "getopts":
        optstring = "".join(f[1] for f in s.flags) + "".join(o[1] + ":" for o, _ in s.valued)
        cases = "".join(f"        {f[1]}) FLAG_{f[1]}=1 ;;\n" for f in s.flags) + "".join(
            f'        {o[1]}) OPT_{o[1]}="$OPTARG" ;;\n' for o, _ in s.valued
        )
        synopsis = " ".join([f"[{f}]" for f in s.flags] + [f"[{o} value]" for o, _ in s.valued])
        return (
            f"#!/bin/bash\n# {s.name}: maintenance task for {s.module}.\n"
            f'usage() {{ echo "Usage: $0 {synopsis}" >&2; exit 1; }}\n'
            f'while getopts "{optstring}" opt; do\n    case "$opt" in\n{cases}'
            "        *) usage ;;\n    esac\ndone\nshift $((OPTIND - 1))\necho done\n"
        )
    opts = "".join(f"#   {f:<28} Enable {f[2:]}.\n" for f in s.flags) + "".join(
        f"#   {o + '=<' + pname(o) + '>':<28} The {o[2:]} [default: {v[0]}].\n" for o, v in s.valued
    )
    return (
        f"#!/bin/bash\n# {s.name}: maintenance task for {s.module}.\n#\n# Usage:\n"
        f"#   {s.name} [options] [<target>...]\n#   {s.name} -h | --help\n#\n# Options:\n"
        f"#   -h, --help                   Show this help.\n{opts}"
        'exec /usr/bin/python3 -m bench_task "$@"\n'
    )


def templates(tree: Tree, m: str, idx: int) -> None:
    rng, tp = tree.rng, f"modules/{m}/templates"
    sections = "".join(
        f"[section{k}]\nenabled = <%= @debug ? 'yes' : 'no' %>\nworkers = <%= @workers %>\n"
        f"path = <%= @config_dir %>/s{k}\n\n"
        for k in range(rng.randint(20, 60))
    )
    tree.add(
        f"{tp}/{m}.conf.erb",
        f"# Managed by Puppet: {m}\nlisten_port = <%= @port %>\nuser = <%= @user %>\n"
        "<% @backends.each do |backend| -%>\nbackend = <%= backend %>\n<% end -%>\n"
        "<% @limits.sort.each do |key, value| -%>\nlimit.<%= key %> = <%= value %>\n<% end -%>\n"
        + sections,
    )
    tree.add(
        f"{tp}/default.erb",
        f"# Defaults for {m}, sourced by the init script.\n"
        f'{m.upper()}_PORT="<%= @port %>"\n{m.upper()}_USER="<%= @user %>"\n'
        f'DAEMON_ARGS="<%= @extra_args %>"\n'
        + "".join(
            f'{m.upper()}_OPT{k}="<%= @limits.fetch("opt{k}", {k}) %>"\n'
            for k in range(rng.randint(10, 50))
        ),
    )
    tree.add(
        f"{tp}/{m}.service.erb",
        f"[Unit]\nDescription={m} daemon\n\n[Service]\nUser=<%= @user %>\n"
        f"EnvironmentFile=-/etc/default/{m}\n"
        f"ExecStart=/usr/bin/{m}d --config /etc/{m}/{m}.conf --port <%= @port %> $DAEMON_ARGS\n"
        "Restart=always\nLimitNOFILE=<%= @limits['nofile'] %>\n\n"
        "[Install]\nWantedBy=multi-user.target\n",
    )
    tree.add(
        f"{tp}/logrotate.erb",
        f"/var/log/{m}/*.log {{\n    daily\n    rotate <%= @rotate || 7 %>\n    compress\n"
        f"    missingok\n    postrotate\n        systemctl reload {m} >/dev/null 2>&1 || true\n"
        "    endscript\n}\n",
    )
    tree.add(
        f"{tp}/client.conf.erb",
        f"# {m} client\n<% @backends.each_with_index do |b, i| -%>\nserver<%= i %> = <%= b %>:"
        "<%= @port %>\n<% end -%>\n" + sections[: len(sections) // 2],
    )
    if idx % 4 == 0:
        tree.add(
            f"{tp}/listen.conf.epp",
            "<%- | String $listen, Stdlib::Port $port | -%>\n# Managed by Puppet\n"
            "listen <%= $listen %>:<%= $port %>\n"
            + "".join(f"option{k} = <%= $port + {k} %>\n" for k in range(60)),
        )


def profiles(tree: Tree, m: str, script: Script | None, others: list[str]) -> list[str]:
    rng, names = tree.rng, []
    for j in range(rng.randint(4, 8)):
        name = f"profile::{m}::p{j}"
        path = f"modules/profile/manifests/{m}/p{j}.pp"
        body = (
            f"    class {{ '{m}':\n        port    => $port,\n        ensure  => $ensure,\n    }}\n"
        )
        body += "".join(f"    {rng.choice(INCLUDES)} {o}::client\n" for o in others[:3])
        if script is not None:
            body += f"    include {m}::scripts\n"  # the role must install what it calls
            if j % 2 == 0:
                body += (
                    f"    cron {{ '{script.name}-p{j}':\n"
                    f"        command => '{tree.call(script, path)}',\n"
                    f"        user    => 'root',\n        minute  => '*/{5 + j}',\n    }}\n"
                )
            else:
                body += (
                    f"    exec {{ '{script.name}-p{j}':\n"
                    f'        command => "{tree.call(script, path, basename=True)}",\n'
                    "        path    => ['/usr/local/bin', '/usr/bin', '/bin'],\n"
                    f'        unless  => "test -f /var/lib/{m}/p{j}.done",\n    }}\n'
                )
        body += "".join(
            f"    {m}::instance {{ 'p{j}-{k}':\n        port => $port + {k},\n    }}\n"
            for k in range(rng.randint(1, 4))
        )
        tree.add(path, class_head(name, m, 9000 + j, rng, lookup=True, full=False) + body + "}\n")
        names.append(name)
    return names


def generate(out: Path, scale: float, seed: int, bad: int) -> dict[str, object]:
    rng = random.Random(seed)
    count = max(4, round(200 * scale))  # a fraction gives a small tree for tests
    modules = [
        WORDS[i % len(WORDS)] + (str(i // len(WORDS)) if i >= len(WORDS) else "")
        for i in range(count)
    ]
    with_script = sorted(rng.sample(range(count), round(0.7 * count)))
    # Each script has at least 7 eligible calls (exec, unit, cron.d, 4+ profiles), so the K
    # bad ones can be picked up front from a separate stream without disturbing the rest.
    bad_at = frozenset(random.Random(seed + 1).sample(range(7 * len(with_script)), bad))
    tree = Tree(rng, bad_at)
    scripts: dict[str, Script] = {}
    for i in with_script:
        m = modules[i]
        kind = rng.choices(("argparse", "getopts", "docopt"), (70, 15, 15))[0]
        flags = tuple(sorted(rng.sample(FLAGS, rng.randint(1, 4))))
        valued = tuple(sorted(rng.sample(VALUED, rng.randint(1, 4))))
        if kind == "getopts":  # short options with distinct letters
            letters = rng.sample(LETTERS, len(flags) + len(valued))
            flags = tuple(f"-{c}" for c in letters[: len(flags)])
            valued = tuple(
                (f"-{c}", v) for c, (_, v) in zip(letters[len(flags) :], valued, strict=True)
            )
        name = f"{m}-{rng.choice(('sync', 'prune', 'report', 'rotate', 'check'))}"
        source = name + (".py" if kind == "argparse" and rng.random() < 0.5 else "")
        scripts[m] = Script(m, name, kind, flags, valued, source)
    roles: list[str] = []
    for i, m in enumerate(modules):
        others = [o for o in rng.sample(modules, 3) if o != m] if i % 3 else []
        base_module(tree, m, i, scripts.get(m), others)
        templates(tree, m, i)
        profs = profiles(tree, m, scripts.get(m), others)
        for x in ("primary", "replica", "canary"):
            # One profile per role: each profile declares its module's class with parameters
            # (`class { 'm': port => ... }`), and Puppet refuses a second such declaration.
            # (Three were sampled before; the draw is kept so the rest of the tree is alike.)
            inc = "".join(f"    include {p}\n" for p in rng.sample(profs, 3)[:1])
            tree.add(
                f"modules/role/manifests/{m}/{x}.pp",
                f"# @summary The {x} {m} server.\nclass role::{m}::{x} {{\n"
                f"    include profile::base\n{inc}}}\n",
            )
            roles.append(f"role::{m}::{x}")
    tree.add(
        "modules/profile/manifests/base.pp",
        "# @summary Every host.\nclass profile::base {\n"
        "    package { ['vim', 'curl']:\n        ensure => present,\n    }\n}\n",
    )
    site_and_hiera(tree, roles, modules, scale)
    return write(out, tree, scale, seed)


def yaml_block(rng: random.Random, prefix: str, m: str, n: int) -> str:
    lines = [f"{prefix}::backends:"] + [
        f"  - {m}{1001 + k}.{rng.choice(('eqiad', 'codfw', 'esams'))}.wmnet" for k in range(n)
    ]
    lines += [f"{prefix}::limits:", f"  nofile: {rng.choice((4096, 65536))}", "  nproc: 4096"]
    lines += [f"{prefix}::debug: {rng.choice(('true', 'false'))}"]
    return "\n".join(lines) + "\n"


def site_and_hiera(tree: Tree, roles: list[str], modules: list[str], scale: float) -> None:
    rng = tree.rng
    tree.add(
        "hiera.yaml",
        "---\nversion: 5\ndefaults:\n  datadir: hieradata\n  data_hash: yaml_data\nhierarchy:\n"
        '  - name: "Per host"\n    path: "hosts/%{trusted.certname}.yaml"\n'
        '  - name: "Per role"\n    path: "role/%{::_role}.yaml"\n'
        '  - name: "Per module defaults"\n    glob: "common/*.yaml"\n'
        '  - name: "Common"\n    path: "common.yaml"\n',
    )
    tree.add("environment.conf", "modulepath = modules\nmanifest = manifests/site.pp\n")
    nodes = ["# Node definitions, generated.\nnode default {\n    include profile::base\n}\n"]
    for k in range(round(1000 * scale)):
        role = roles[k % len(roles)]
        _, m, x = role.split("::")
        host = f"{m}-{x}{1001 + k // len(roles)}.eqiad.wmnet"
        nodes.append(f"\n# {x} for {m}\nnode '{host}' {{\n    include {role}\n}}\n")
        tree.add(
            f"hieradata/hosts/{host}.yaml",
            f"---\n{m}::port: {8000 + k % 1000}\n{m}::workers: {rng.randint(2, 32)}\n"
            + yaml_block(rng, m, m, rng.randint(10, 50)),
        )
    tree.add("manifests/site.pp", "".join(nodes))
    for role in roles:
        _, m, x = role.split("::")
        body = "".join(
            f"profile::{m}::p{j}::workers: {rng.randint(1, 16)}\n"
            f"profile::{m}::p{j}::extra_args: '--log-file /var/log/{m}/p{j}.log'\n"
            for j in range(4)
        )
        tree.add(f"hieradata/role/{m}/{x}.yaml", "---\n" + body + yaml_block(rng, m, m, 40))
    for m in modules:
        tree.add(
            f"hieradata/common/{m}.yaml",
            f"---\n{m}::user: '{m}'\n{m}::config_dir: '/etc/{m}'\n"
            + yaml_block(rng, f"{m}::client", m, rng.randint(30, 80)),
        )
    tree.add(
        "hieradata/common.yaml",
        "---\n" + "".join(f"{m}::ensure: present\n" for m in modules),
    )


def locate(text: str, word: str) -> tuple[int, int]:
    """1-based line and column of the one whole-word occurrence of word in text."""
    hits = [
        mt.start()
        for mt in re.finditer(re.escape(word), text)
        if text[mt.start() - 1] in " '\"" and (mt.end() == len(text) or text[mt.end()] in " '\"\n")
    ]
    if len(hits) != 1:
        raise AssertionError(f"bad argument {word!r} found {len(hits)} times")
    before = text[: hits[0]]
    return before.count("\n") + 1, hits[0] - (before.rfind("\n") + 1) + 1


def write(out: Path, tree: Tree, scale: float, seed: int) -> dict[str, object]:
    total = 0
    for rel, text in sorted(tree.files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        total += len(data)
        if "/files/" in rel:
            path.chmod(0o755)
    expected = []
    for item in tree.bad:
        line, column = locate(tree.files[str(item["path"])], str(item["argument"]))
        expected.append({**item, "line": line, "column": column, "code": "unknown-option"})
    expected.sort(key=lambda e: (str(e["path"]), int(str(e["line"]))))
    counts = {
        ext: sum(1 for p in tree.files if p.endswith(ext))
        for ext in (".pp", ".erb", ".epp", ".yaml")
    }
    summary: dict[str, object] = {"scale": scale, "seed": seed, "files": counts, "bytes": total}
    (out / "BENCH_EXPECTED.json").write_text(
        json.dumps({**summary, "bad": expected}, indent=2) + "\n", encoding="utf-8"
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="directory to write the tree into (created)")
    parser.add_argument("--scale", type=int, default=1, help="multiplies the module count")
    parser.add_argument("--seed", type=int, default=1, help="random seed (output is deterministic)")
    parser.add_argument("--bad", type=int, default=5, help="number of bad arguments to plant")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} exists and is not empty")
    summary = generate(args.out, args.scale, args.seed, args.bad)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
