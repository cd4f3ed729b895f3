"""The call-site registry: every kind has its fixture; files are claimed by the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftlint import sites
from driftlint.ltext import LText

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("name", sorted(sites.SITES))
def test_every_kind_has_a_fixture(name: str) -> None:
    folder = FIXTURES / f"site-{name}"
    assert (folder / "EXPECTED.json").is_file(), f"kind {name} has no fixtures/site-{name}/"


@pytest.mark.parametrize(
    ("dest", "text", "kind"),
    [
        pytest.param("/etc/systemd/system/a.service", "", "systemd-unit", id="unit-by-path"),
        pytest.param(
            "/etc/x/a", "[Unit]\n[Service]\nExecStart=/a\n", "systemd-unit", id="unit-by-text"
        ),
        pytest.param("/etc/init.d/a", "#!/bin/sh\n", "sysv-init", id="init-before-shebang"),
        pytest.param("/opt/a", "#!/usr/bin/env bash\n", "shell-script", id="env-bash"),
        pytest.param("/etc/init/a.conf", "", "upstart-job", id="upstart"),
        pytest.param("/etc/cron.d/a", "", "cron", id="cron-d"),
        pytest.param("/etc/x/a", "0 3 * * 1 root /usr/bin/a\n", "cron", id="cron-by-text"),
        pytest.param("/etc/sv/a/run", "exec a\n", "runit-run", id="runit"),
        pytest.param(
            "/etc/x.ini", "[program:a]\ncommand=a\n", "supervisord-program", id="supervisord"
        ),
        pytest.param("/etc/x.cfg", "x=1\ncommand[a]=/a\n", "nrpe-command", id="nrpe-by-text"),
        pytest.param("/etc/logrotate.d/a", "", "logrotate-script", id="logrotate"),
        pytest.param(
            "/opt/backups/rsnapshot.conf",
            "# rsnapshot\nconfig_version\t1.2\n",
            "rsnapshot-conf",
            id="rsnapshot-by-text",
        ),
        pytest.param("/etc/rsnapshot.conf", "", "rsnapshot-conf", id="rsnapshot-by-path"),
        pytest.param(
            "/etc/X11/Xsession.d/90x", "# sourced\nxset s off\n", "xsession-script", id="xsession-d"
        ),
        pytest.param("/etc/lightdm/lightdm.conf", "", "lightdm-conf", id="lightdm-by-path"),
        pytest.param(
            "/etc/x/seat.conf", "[Seat:*]\nuser-session=a\n", "lightdm-conf", id="lightdm-by-text"
        ),
        pytest.param("/etc/xdg/autostart/a.desktop", "", "desktop-entry", id="autostart"),
        pytest.param("/etc/apache2/conf.d/fcgid.conf", "", "apache-conf", id="apache-by-path"),
        pytest.param("/etc/aliases", "root: alice\n", "mail-alias", id="aliases-by-path"),
        pytest.param(
            "/etc/x/kdc.conf",
            "[password_quality]\nexternal_program = /a\n",
            "heimdal-password-quality",
            id="heimdal-by-text",
        ),
        pytest.param("/etc/svnwcsub.conf", "", "svnwcsub-hook", id="svnwcsub-by-path"),
        pytest.param(
            "/etc/zabbix/zabbix_agentd.conf.d/a.conf",
            "",
            "zabbix-userparameter",
            id="zabbix-by-path",
        ),
        pytest.param(
            "/etc/x/items.conf",
            "UserParameter=a.b[*],/usr/bin/a $1\n",
            "zabbix-userparameter",
            id="zabbix-by-text",
        ),
        pytest.param(
            "/srv/www/x.conf",
            'ErrorLog "|/usr/bin/logger -t www"\n',
            "apache-conf",
            id="apache-piped-log-by-text",
        ),
        pytest.param(
            "/opt/a.desktop",
            "[Desktop Entry]\nExec=/a\n",
            "desktop-entry",
            id="desktop-entry-by-text",
        ),
        pytest.param("/etc/icinga/nrpe.d/a.cfg", "", "nrpe-command", id="nrpe-under-icinga"),
        pytest.param("/etc/icinga2/conf.d/a.conf", "", "icinga2-checkcommand", id="icinga2"),
        pytest.param("/etc/acpi/events/a", "", "acpid-event", id="acpid"),
        pytest.param("/etc/xinetd.d/a", "", "xinetd-service", id="xinetd"),
        pytest.param("/etc/apt/apt.conf.d/1", "", "apt-hook", id="apt"),
        pytest.param("/root/.ssh/authorized_keys", "", "authorized-keys", id="keys"),
        pytest.param("/etc/default/a", "DAEMON=/a\n", "debian-default", id="default"),
        pytest.param(
            "/etc/sudoers.d/a",
            "a ALL=(root) NOPASSWD: /usr/local/bin/a -x\n",
            None,
            id="sudoers-is-no-call",
        ),
        pytest.param("/etc/a.yaml", "command: /usr/local/bin/a\n", None, id="plain-config"),
        pytest.param(
            "/opt/a", "#!/usr/bin/python3\ncommand['x'] = '/a'\n", "program", id="python-not-nrpe"
        ),
    ],
)
def test_kind_of_a_file(dest: str, text: str, kind: str | None) -> None:
    site = sites.by_path(dest) or sites.by_text(text)
    assert (site.name if site else None) == kind


def _argvs(kind: str, dest: str, text: str) -> list[list[str]]:
    commands = sites.SITES[kind].read(LText.literal(text, "f", 1, 1), dest, {})
    return [[w.text for w in c.words] for c in commands]


def test_upstart_env_stanza_sets_a_later_exec_word() -> None:
    text = "start on startup\nenv Q=high\nexec /a -q $Q\n"
    assert _argvs("upstart-job", "/etc/init/a.conf", text) == [["/a", "-q", "high"]]


def test_nagios_comment_is_not_an_argument() -> None:
    text = "define command {\n  command_line /a -n ; -x\n}\n"
    assert _argvs("nagios-command", "/etc/icinga/objects/a.cfg", text) == [["/a", "-n"]]


def test_authorized_keys_escaped_quotes_make_one_word() -> None:
    text = 'command="/a -q \\"two words\\"",no-pty ssh-ed25519 AAAA k\n'
    assert _argvs("authorized-keys", "/root/.ssh/authorized_keys", text) == [
        ["/a", "-q", "two words"]
    ]


def test_debian_default_without_daemon_runs_nothing() -> None:
    assert _argvs("debian-default", "/etc/default/a", 'OPTS="-x"\n') == []


def test_debian_default_is_shadowed_by_an_installed_init_script() -> None:
    assert sites.SITES["debian-default"].shadowed_by("/etc/default/a") == ("/etc/init.d/a",)


@pytest.mark.parametrize(
    ("template", "dest"),
    [
        ("modules/m/templates/initscripts/x.systemd.erb", "/etc/systemd/system/x.service"),
        ("modules/m/templates/x.cron.erb", "/etc/cron.d/x"),
        ("modules/m/templates/default/x.erb", "/etc/default/x"),
        ("modules/m/templates/bin/x.sh.erb", "/bin/x.sh"),
    ],
)
def test_unrendered_template_installed_where_its_name_says(template: str, dest: str) -> None:
    from driftlint.unrendered import guess_dest

    assert guess_dest(template) == dest


def test_nagios_user1_macro_is_the_plugin_folder() -> None:
    text = "define command {\n  command_line $USER1$/check_x -w 5\n}\n"
    argvs = _argvs("nagios-command", "/etc/icinga/objects/a.cfg", text)
    assert argvs == [["/usr/lib/nagios/plugins/check_x", "-w", "5"]]


def test_nagios_macro_inside_a_word_keeps_it_one_word() -> None:
    text = "define command {\n  command_line /a https://$HOSTADDRESS$:8080/api -n\n}\n"
    argvs = _argvs("nagios-command", "/etc/icinga/objects/a.cfg", text)
    assert len(argvs) == 1 and len(argvs[0]) == 3
    assert argvs[0][1].startswith("https://") and argvs[0][2] == "-n"


def test_icinga2_arguments_are_ordered_and_set_if_false_is_never_passed() -> None:
    text = (
        'object CheckCommand "q" {\n  command = [ PluginDir + "/check_q", "-v" ]\n'
        '  arguments = {\n    "-x" = { set_if = false }\n    "-w" = "10"\n'
        '    "name" = { value = "main"; skip_key = true; order = 5 }\n'
        '    "-a" = { order = -1 }\n  }\n}\n'
    )
    assert _argvs("icinga2-checkcommand", "/etc/icinga2/conf.d/q.conf", text) == [
        ["/usr/lib/nagios/plugins/check_q", "-v", "-a", "-w", "10", "main"]
    ]


def test_python_program_nrpe_like_line_is_no_command() -> None:
    text = "#!/usr/bin/python3\ncommand['x'] = '/a'\n"
    assert _argvs("program", "/opt/a", text) == []


def test_keepalived_notify_gets_unknown_words_after_its_own() -> None:
    text = 'vrrp_instance V {\n    notify "/a -q x"\n}\n'
    argvs = _argvs("keepalived-script", "/etc/keepalived/keepalived.conf", text)
    assert len(argvs) == 1 and argvs[0][:3] == ["/a", "-q", "x"] and len(argvs[0]) == 4


@pytest.mark.parametrize(
    ("path", "fact"),
    [
        pytest.param("modules/apt/lib/facter/apt.rb", True, id="module-fact"),
        pytest.param("modules/apt/lib/facter/util/x.rb", True, id="nested"),
        pytest.param("modules/a/spec/fixtures/modules/apt/lib/facter/apt.rb", False, id="rspec"),
        pytest.param("modules/apt/lib/puppet/parser/functions/x.rb", False, id="function"),
    ],
)
def test_custom_facts_are_read_where_written_but_not_rspec_copies(path: str, fact: bool) -> None:
    from driftlint.sites import facter

    assert facter.is_fact(path) is fact


def _nrpe_use(line: str) -> tuple[str, list[str]] | None:
    from driftlint.sites import nagios, nrpe

    commands = nagios.command_line(LText.literal(line, "f", 1, 1), "f")
    found = nrpe.uses(commands[0])
    return None if found is None else (found[0].text, [w.text for w in found[1]])


@pytest.mark.parametrize(
    ("line", "use"),
    [
        pytest.param("$USER1$/check_nrpe -H $HOSTADDRESS$ -c x -a 1 2", ("x", ["1", "2"]), id="a"),
        pytest.param("/usr/lib/nagios/plugins/check_nrpe -H h -c x", ("x", []), id="no-args"),
        pytest.param("$USER1$/check_nrpe -H $HOSTADDRESS$ -c $ARG1$ -a 1", None, id="macro-name"),
        pytest.param("/usr/bin/check_x -c y -a 1", None, id="not-check-nrpe"),
        pytest.param("check_nrpe -H h -cx", None, id="attached-name"),
    ],
)
def test_check_nrpe_names_its_command_only_when_literal(
    line: str, use: tuple[str, list[str]] | None
) -> None:
    assert _nrpe_use(line) == use


def test_nrpe_definition_takes_the_nth_a_word_until_an_unknown_one() -> None:
    from driftlint.model import Invocation
    from driftlint.sites import nagios, nrpe

    definition = nrpe.read(
        LText.literal("command[x]=/p/x -w $ARG1$ -c $ARG2$ -u $ARG3$\n", "d", 1, 1), "/d", {}
    )[0]
    assert definition.nrpe == "x"
    use_line = "$USER1$/check_nrpe -H $HOSTADDRESS$ -c x -a 80 $ARG1$ mb"
    found = nrpe.uses(nagios.command_line(LText.literal(use_line, "m", 1, 1), "m")[0])
    assert found is not None
    name, args = found
    call = Invocation("x", definition.words[0], definition.words[1:], nrpe="x")
    use = Invocation("", name, args, is_call=False, remote=nrpe.REMOTE, nrpe="x")
    bound = nrpe.bind(call, use, "role::agent")
    words = bound.words
    assert [w.text for w in words[:2]] == ["-w", "80"] and words[1].span.path == "m"
    # $ARG2$ is a macro on the monitoring side: it and every later `-a` word stay unknown.
    assert words[3].dynamic and words[3].span.path == "d"
    assert words[5].dynamic and words[5].span.path == "d"
    assert bound.remote == nrpe.REMOTE and bound.matched.endswith("hosts of role::agent")
