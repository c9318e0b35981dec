"""The error types the tool raises on purpose; the CLI turns each into one line and exit 2."""

from __future__ import annotations

from collections import namedtuple


class ImportshiftError(Exception):
    """A problem the user can fix: printed as one line, exit code 2."""


class Problem(namedtuple("Problem", "path line col message")):
    """One problem found in a configuration file, with its place."""

    __slots__ = ()
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class RulesError(ImportshiftError):
    """The rules file is invalid; carries every problem found, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RefusedError(ImportshiftError):
    """The command refuses to start (dirty tree, lock held, stale plan)."""
