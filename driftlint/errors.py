"""Setup errors: a bad config, rule file or usage spec; collected, the run goes on, exit 2."""

from __future__ import annotations

from driftlint.model import Span


class SetupError(Exception):
    """A problem in what the user set up, with where it is written when that is known."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        return f"{self.span}: {self.message}" if self.span is not None else self.message

    def __repr__(self) -> str:
        return f"SetupError({self.message!r}, {self.span!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SetupError):
            return NotImplemented
        return (self.message, self.span) == (other.message, other.span)

    def __hash__(self) -> int:
        return hash((self.message, self.span))
