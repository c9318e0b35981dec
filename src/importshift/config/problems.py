"""Problems found in a rules file, collected so that every one is reported at once."""

from __future__ import annotations

from importshift.config.yamltree import Mark
from importshift.core.errors import Problem, RulesError


class Problems:
    """Every problem of one rules file, in file order; raised together as a RulesError."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.col, message))

    def fail_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.line, p.col))
            raise RulesError(self.problems)
