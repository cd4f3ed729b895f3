"""rsnapshot configuration (`/etc/rsnapshot.conf`, or any file that `rsnapshot -c` reads):
fields are separated by tabs (rsnapshot.conf(5)).

- `cmd_preexec`, `cmd_postexec` and a `backup_script`'s command are command lines that
  rsnapshot gives to the shell (`system()`), with no more arguments;
- `cmd_rsync`, `cmd_ssh`, `cmd_cp`, `cmd_rm`, `cmd_du`, `cmd_logger` and
  `cmd_rsnapshot_diff` name programs that rsnapshot runs with arguments of its own (rsync's
  options, the source and the destination), which are unknown words here;
- `--rsync-path="..."` in `rsync_long_args` is the command rsync starts on the host being
  backed up, through ssh, with rsync's server arguments after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from driftlint.ltext import LText
from driftlint.parse import shell
from driftlint.sites.base import Site, split_words, with_unknown_words

SHELL_KEYS = frozenset({"cmd_preexec", "cmd_postexec"})
PROGRAM_KEYS = frozenset({
    "cmd_rsync", "cmd_ssh", "cmd_cp", "cmd_rm", "cmd_du", "cmd_logger", "cmd_rsnapshot_diff",
})  # fmt: skip
RSYNC_PATH = re.compile(r"""--rsync-path=(?:"([^"]*)"|'([^']*)'|(\S+))""")
REMOTE = "the host rsync backs up (--rsync-path, through ssh)"


def read(text: LText, path: str, named: Mapping[str, LText]) -> list[shell.Command]:
    out: list[shell.Command] = []
    for line in text.split("\n"):
        fields = [f for f in line.split("\t") if f.text.strip()]
        if len(fields) < 2 or fields[0].text.lstrip().startswith("#"):
            continue
        key, value = fields[0].text.strip(), fields[1].strip()
        if key in SHELL_KEYS or key == "backup_script":
            out.extend(shell.parse_shell(value, path).commands)
        elif key in PROGRAM_KEYS:
            out.extend(
                with_unknown_words(c, "rsnapshot's own arguments", one=False)
                for c in split_words(value)
            )
        elif key == "rsync_long_args":
            out.extend(_rsync_path(line, path))
    return out


def _rsync_path(line: LText, path: str) -> list[shell.Command]:
    out: list[shell.Command] = []
    for match in RSYNC_PATH.finditer(line.text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        value = line[match.start(group) : match.end(group)]
        for command in shell.parse_shell(value, path).commands:
            command = with_unknown_words(command, "rsync's server arguments", one=False)
            out.append(replace(command, remote=REMOTE))
    return out


SITE = Site(
    "rsnapshot-conf",
    read,
    paths=("/etc/rsnapshot.conf", "/etc/rsnapshot*.conf", "/etc/rsnapshot.d/*"),
    content=re.compile(r"^(?:config_version|snapshot_root|cmd_rsync)\t", re.MULTILINE),
)
