"""Stable finding fingerprints, and a read-once cache of the source lines they hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from driftlint.model import Finding

# Source files larger than this are not read for excerpts or fingerprints (DESIGN §10).
MAX_BYTES = 16 * 1024 * 1024


class SourceLines:
    """Lines of tree files, each file read once, as UTF-8 with replacement.

    Paths that leave the root (`..`, absolute, a symlink pointing out) read as None, as do
    missing, oversized and unreadable files: never read outside PATH (DESIGN §10).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._base: Path | None = None
        self._cache: dict[str, list[str] | None] = {}
        self._binary: set[str] = set()

    def __call__(self, path: str) -> list[str] | None:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def line(self, path: str, number: int) -> str | None:
        """Line `number` (1-based) of `path` without its newline, or None."""
        lines = self(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def printable(self, path: str) -> bool:
        """Whether the file's lines may be shown: not binary (a NUL byte, as git decides)."""
        self(path)
        return path not in self._binary

    def _read(self, path: str) -> list[str] | None:
        try:
            if self._base is None:
                self._base = self.root.resolve()
            target = (self._base / path).resolve()
            if not target.is_relative_to(self._base) or not target.is_file():
                return None
            if target.stat().st_size > MAX_BYTES:
                return None
            data = target.read_bytes()
            if b"\0" in data[:8000]:
                self._binary.add(path)
            text = data.decode("utf-8", errors="replace")
        except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop (3.11)
            return None
        # splitlines() would also split on \x0b, \x1c and friends; editors and spans do not.
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.removesuffix("\r") for line in lines]


def fingerprint(finding: Finding, line_text: str) -> str:
    """Hash what identifies the finding, not where it is: moving the line keeps it.

    The code is left out (DESIGN §8): without the spec's git history, as in a shallow CI clone
    or a tree exported from git, the same word is an `unknown-option` that a full clone calls a
    `stale-option`, and a baseline, `--base` or a Code Quality report must see one finding."""
    digest = hashlib.sha256()
    parts = (
        finding.span.path,
        finding.script,
        finding.argument,
        "\n".join(finding.roles),
        line_text.strip(),
    )
    for part in parts:
        digest.update(part.encode("utf-8", errors="surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def fingerprints(findings: Iterable[Finding], root: str | Path | SourceLines) -> dict[Finding, str]:
    """Fingerprint every finding; the second and later equal ones get `:2`, `:3`, in order."""
    sources = root if isinstance(root, SourceLines) else SourceLines(root)
    seen: dict[str, int] = {}
    out: dict[Finding, str] = {}
    for finding in findings:
        if finding in out:
            continue
        text = sources.line(finding.span.path, finding.span.line) or ""
        value = fingerprint(finding, text)
        count = seen.get(value, 0) + 1
        seen[value] = count
        out[finding] = value if count == 1 else f"{value}:{count}"
    return out
