"""The static check of each batch before it is written: every import the rewrite would
write must resolve (the module exists, the name is bound by it). A file whose written
imports do not resolve is held back and reported (exit 1); what cannot be told (a module
``__getattr__``, a compiled module) is reported, not failed."""

from __future__ import annotations

from importshift.codebase.needs import FileToCheck
from importshift.codebase.resolve import Resolver
from importshift.ops.landing import Change


class StaticCheck:
    """The static check of each batch before it is written: files whose written imports do
    not resolve are held back (reported, exit 1); what cannot be told is reported."""

    def __init__(self, resolver: Resolver, targets: list[str]) -> None:
        self.resolver = resolver
        self.targets = targets
        self.refused: list[tuple[str, str]] = []
        self.unknown: list[tuple[str, str]] = []
        self.proven: dict[str, bool] = {}

    def filter(self, changes: list[Change]) -> list[Change]:
        files = [
            FileToCheck(c.file.path, c.file.module, c.file.is_package, c.edits, c.new, None)
            for c in changes
            if c.new is not None
        ]
        verdicts = self.resolver.check(files, self.targets)
        keep = []
        for change in changes:
            verdict = verdicts.get(change.file.path)
            if verdict is not None and verdict.missing:
                self.refused.append((change.file.path, "; ".join(verdict.missing)))
                continue
            if verdict is not None:
                self.proven[change.file.path] = not verdict.unknown
                self.unknown.extend((change.file.path, u) for u in verdict.unknown)
            keep.append(change)
        return keep
