"""Call sites: every kind of file that runs commands, one module each, listed in `SITES`.

A file is read as the first kind that claims its installed path; when none does, as the first
kind whose content pattern its text matches. Adding a kind is one module, one fixture
(`fixtures/site-<name>/`, checked by tests/test_sites.py) and one line here. A sudoers entry
names a script but runs nothing: it is no kind.
"""

from __future__ import annotations

import functools
import re

from driftlint.sites import (
    acpid,
    apache_conf,
    apt_hooks,
    authorized_keys,
    collectd,
    cron,
    debian_default,
    desktop_entry,
    exim,
    facter,
    heimdal_kdc,
    icinga2,
    keepalived,
    launchd,
    lightdm,
    logrotate,
    mail_aliases,
    monit,
    nagios,
    nrpe,
    programs,
    puppet_conf,
    rsnapshot,
    runit,
    script,
    supervisord,
    svnwcsub,
    systemd,
    sysv,
    tea4cups,
    upstart,
    vmbuilder,
    xinetd,
    xsession,
    zabbix_agent,
)
from driftlint.sites.base import HEAD, Site

SITES: dict[str, Site] = {
    s.name: s
    for s in (
        systemd.SITE,
        sysv.SITE,
        script.SITE,
        upstart.SITE,
        cron.SITE,
        runit.SITE,
        supervisord.SITE,
        nrpe.SITE,
        icinga2.SITE,
        nagios.SITE,
        logrotate.SITE,
        apt_hooks.SITE,
        authorized_keys.SITE,
        programs.SITE,
        debian_default.SITE,
        acpid.SITE,
        tea4cups.SITE,
        puppet_conf.SITE,
        xinetd.SITE,
        monit.SITE,
        keepalived.SITE,
        rsnapshot.SITE,
        xsession.SITE,
        lightdm.SITE,
        desktop_entry.SITE,
        apache_conf.SITE,
        zabbix_agent.SITE,
        mail_aliases.SITE,
        heimdal_kdc.SITE,
        svnwcsub.SITE,
        launchd.SITE,
        collectd.SITE,
        facter.SITE,
        vmbuilder.SITE,
        exim.SITE,
    )
}

__all__ = ["SITES", "Site", "as_run", "by_path", "by_text"]

# Plugin folders a monitoring daemon puts before a name (`$USER1$/check_x`, Icinga 2's
# `PluginDir + "/check_x"`): a text names the plugin's installed path through them.
_PLUGIN_DIRS = re.compile(
    r'\$USER1\$|\b(?:PluginDir|PluginContribDir|ManubulonPluginDir)\s*\+\s*"?'
)


def as_run(text: str) -> str:
    """A text with the plugin folders of monitoring definitions written out, to look for
    the paths of watched scripts in it."""
    if "$USER1$" not in text and "PluginDir" not in text:
        return text
    return _PLUGIN_DIRS.sub(nagios.PLUGINS, text)


@functools.lru_cache(maxsize=65536)
def by_path(dest: str) -> Site | None:
    """The kind that claims an installed path, if one does."""
    return next((s for s in SITES.values() if s.claims_path(dest)), None)


def by_text(text: str) -> Site | None:
    """The kind whose content pattern a text (rendered, or a template's source) matches. A
    program with a `#!` line is a shell script or none of these: a Python script's
    `command[x] = ...` is no NRPE line."""
    return _by_head(text[:HEAD])


@functools.lru_cache(maxsize=4096)
def _by_head(text: str) -> Site | None:
    if text.lstrip("\ufeff").startswith("#!"):
        return next((s for s in (script.SITE, programs.SITE) if s.claims_text(text)), None)
    return next((s for s in SITES.values() if s.claims_text(text)), None)
