"""The one way driftlint runs git: read-only, with every setting that runs another program off.

`git` is the only program driftlint runs, and the checkout it reads is not trusted: a change
can carry a `.gitattributes` line, and a CI runner's clone can carry a `.git/config`, naming
programs git would run. So every command runs with:

- `core.fsmonitor=false`, `core.hooksPath=/dev/null`: no fsmonitor hook, no hooks;
- `log.showSignature=false` (and `--no-show-signature` on `log`): no `gpg.program`;
- `diff.external=` and, for every filter, diff and merge driver the repository's config
  names, its commands emptied (`filter.<x>.clean/.smudge/.process`, `diff.<x>.textconv`,
  `.command`, `merge.<x>.driver`) and its filter not required: no clean filter in `status` or
  a working-tree `diff`, no textconv, no external diff;
- `protocol.allow=never`, `GIT_NO_LAZY_FETCH`: no fetch, so no remote helper or ssh;
- `core.pager=cat`, no terminal prompt, `GIT_CONFIG_NOSYSTEM`.

The drivers are found by `git config --get-regexp` (which runs nothing) once per folder.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

TIMEOUT = 120  # seconds; a huge repository is slow, a hung git must not hang the run

_SAFE = (
    *("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"),
    *("-c", "core.quotePath=false", "-c", "diff.external="),
    *("-c", "log.showSignature=false", "-c", "protocol.allow=never"),
    *("-c", "core.pager=cat", "-c", "core.askPass=", "-c", "credential.helper="),
)
# Set by git for hooks (driftlint runs as a pre-commit hook): `-C` must decide the repository.
_DROP_ENV = (
    *("GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX", "GIT_COMMON_DIR", "GIT_EXTERNAL_DIFF"),
    *("GIT_PAGER", "GIT_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EDITOR"),
)
_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
}
_DRIVERS = r"^(filter|diff|merge)\..*\.(clean|smudge|process|required|textconv|command|driver)$"


def run(cwd: Path, *args: str, stdin: bytes | None = None, keep_index: bool = True) -> bytes | None:
    """git's standard output, or None when git is missing, fails or takes too long.
    `keep_index=False` drops a hook's GIT_INDEX_FILE (a worktree must not fill it)."""
    done = _run(cwd, [*_SAFE, *_off(os.path.realpath(cwd)), *_flags(args)], stdin, keep_index)
    return done


def _flags(args: tuple[str, ...]) -> list[str]:
    """args with `--no-show-signature` after `log`: a signature is never checked."""
    if args and args[0] == "log":
        return ["log", "--no-show-signature", *args[1:]]
    return list(args)


@functools.cache
def _off(folder: str) -> tuple[str, ...]:
    """`-c` settings that empty every driver command the repository's config names."""
    out = _run(Path(folder), [*_SAFE, "config", "--null", "--get-regexp", _DRIVERS], None, True)
    settings: list[str] = []
    for record in (out or b"").split(b"\0"):
        name = os.fsdecode(record.partition(b"\n")[0])
        if not name:
            continue
        value = "false" if name.endswith(".required") else ""
        settings += ["-c", f"{name}={value}"]
    return tuple(settings)


def _run(cwd: Path, args: list[str], stdin: bytes | None, keep_index: bool) -> bytes | None:
    drop = _DROP_ENV if keep_index else (*_DROP_ENV, "GIT_INDEX_FILE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if env.get("GIT_INDEX_FILE"):  # a hook's index, named from where the hook runs
        env["GIT_INDEX_FILE"] = os.path.abspath(env["GIT_INDEX_FILE"])
    env.update(_ENV)
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return done.stdout if done.returncode == 0 else None


def head_commit(path: Path) -> str | None:
    """The commit HEAD names in the repository holding path, or None outside git."""
    folder = path if path.is_dir() else path.parent
    out = run(folder, "rev-parse", "--verify", "-q", "HEAD")
    return out.decode("ascii", "replace").strip() or None if out else None
