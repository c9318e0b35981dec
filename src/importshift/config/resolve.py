"""The meaning of the moves: module or symbol, chains followed, targets checked.

Modules under the source roots are looked up by name (``codebase.lookup``), never by
walking the tree; names outside them are asked of the project's interpreter in one probe.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from importshift.adapters.interpreter import SpecProbe, SubprocessProbe, choose_python
from importshift.codebase.lookup import ModuleLookup
from importshift.codebase.toplevel import top_level_names
from importshift.config.problems import Problems
from importshift.config.shape import RawMove
from importshift.config.yamltree import Mark
from importshift.core import dotted
from importshift.core.model import Kind, Move


class Resolver(Problems):
    """Turns raw moves into final ones; problems are collected, warnings kept."""

    def __init__(
        self,
        path: str,
        root: str,
        lookup: ModuleLookup,
        check_targets: bool,
        probe: SpecProbe | None,
        python: str | None = None,
    ) -> None:
        super().__init__(path)
        self.python = python
        self.root = root
        self.lookup = lookup
        self.check_targets = check_targets
        self.probe = probe
        self.warnings: list[str] = []

    def resolve(self, raw: tuple[RawMove, ...]) -> list[Move]:
        """Final moves: kinds decided, chains followed to their targets, targets checked."""
        lookup = self.lookup
        top_levels = lookup.top_levels()

        def inside(name: str) -> bool:
            return name.partition(".")[0] in top_levels

        outside = [r.move.old for r in raw if r.kind is None and not inside(r.move.old)]
        found = self._probe(outside)
        moves = []
        for move, old_mark, kind in ((r.move, r.old_mark, r.kind) for r in raw):
            if kind is None:
                if lookup.exists(move.old):
                    kind = Kind.MODULE
                elif inside(move.old):
                    parent_path = lookup.path(dotted.parent(move.old))
                    names = (
                        top_level_names(os.path.join(self.root, parent_path))
                        if parent_path
                        else set()
                    )
                    if parent_path is not None and (
                        names is None or dotted.leaf(move.old) in names
                    ):
                        kind = Kind.SYMBOL
                    else:
                        self.problem(
                            old_mark,
                            f"{move.old!r} no longer exists under the source "
                            "roots: say 'kind: module' or 'kind: symbol'",
                        )
                        continue
                else:
                    kind = Kind.MODULE if found.get(move.old) else Kind.SYMBOL
            if kind is Kind.SYMBOL and "." not in move.old:
                self.problem(old_mark, f"a symbol needs a module: {move.old!r}")
                continue
            moves.append(move._replace(kind=kind))
        by_old = {m.old: m for m in moves}
        marks = {r.move.old: r.new_mark for r in raw}
        final = []
        for move in moves:
            target = self._follow(move, by_old, marks[move.old])
            if target is None:
                continue
            if move.kind is Kind.MODULE and target != move.new and dotted.within(target, move.old):
                self.problem(marks[move.old], f"'new' {target!r} lies inside 'old' {move.old!r}")
                continue
            final.append(move._replace(target=target))
        if self.check_targets and not self.problems:
            self._check_targets(final, inside, marks)
        return final

    def _follow(self, move: Move, by_old: dict[str, Move], mark: Mark) -> str | None:
        current, seen = move.new, [move.old]
        for _ in range(len(by_old) + 1):
            step = _longest(current, by_old)
            if step is None:
                return current
            if step.old in seen:
                chain = " -> ".join([*seen, step.old])
                self.problem(mark, f"moves form a cycle: {chain}")
                return None
            seen.append(step.old)
            current = step.new + current[len(step.old) :]
        self.problem(mark, f"chain of moves from {move.old!r} does not end")
        return None

    def _check_targets(
        self,
        moves: list[Move],
        inside: Callable[[str], bool],
        marks: dict[str, Mark],
    ) -> None:
        probe_names = [
            m.target if m.kind is Kind.MODULE else dotted.parent(m.target)
            for m in moves
            if not inside(m.target)
        ]
        found = self._probe(probe_names)
        for move in moves:
            target = move.target
            module = target if move.kind is Kind.MODULE else dotted.parent(target)
            if not inside(target):
                if found.get(module) is False:
                    self.warnings.append(
                        f"{self.path}:{move.line}: target module {module!r} of {move.old!r} "
                        "is not importable here (not installed yet?)"
                    )
                continue
            path = self.lookup.path(module)
            if path is None:
                self.problem(
                    marks[move.old],
                    f"target module {module!r} does not exist under "
                    "the source roots (or pass --no-check-targets)",
                )
                continue
            if move.kind is Kind.SYMBOL:
                leaf = dotted.leaf(target)
                names = top_level_names(os.path.join(self.root, path)) if path else set()
                if not self.lookup.exists(target) and names is not None and leaf not in names:
                    self.problem(
                        marks[move.old],
                        f"{module!r} has no top-level name {leaf!r} (or pass --no-check-targets)",
                    )

    def _probe(self, names: list[str]) -> dict[str, bool | None]:
        if not names:
            return {}
        python = choose_python(self.root, self.python).path  # the project's, not ours
        probe = self.probe or SubprocessProbe(python, cwd=self.root)
        return probe.find(names)


def _longest(name: str, by_old: dict[str, Move]) -> Move | None:
    probe = name
    while probe:
        if probe in by_old and by_old[probe].covers(name):
            return by_old[probe]
        probe = dotted.parent(probe)
    return None
