"""What a file binds and reads, per name, from the stdlib ``ast``: the common case without
LibCST's scope analysis.

LibCST's ``ScopeProvider`` is exact and costs about 100 ms for a file of a few hundred
lines, most of a rewrite. Most imports that a move rewrites are simple: a module-level
import whose name nothing else in the file binds (no other import, assignment, parameter,
loop or ``except`` target, ``global``, ``del``), in a file without a star import and
without a string that could be an annotation naming it. For such a name every read in the
file is a read of that import, so its uses are simply the LibCST ``Name`` nodes spelled
that way in a reading position. ``uses`` returns them only when their number equals the
number of reads the ``ast`` counts; anything else returns None and the caller asks the
scope analysis.
"""

from __future__ import annotations

import ast
from collections import Counter

import libcst as cst

# LibCST Name nodes that spell a name without reading it (the ``ast`` has a plain str there)
_NOT_READS: tuple[tuple[type[cst.CSTNode], str], ...] = (
    (cst.Attribute, "attr"),
    (cst.Arg, "keyword"),
    (cst.MatchKeywordElement, "key"),
)


class Bindings:
    """Per-name binding and read counts of one module's ``ast``."""

    def __init__(self, tree: ast.Module) -> None:
        self.bound: Counter[str] = Counter()
        self.read: Counter[str] = Counter()
        self.star = False
        self._strings: list[str] = []
        docstrings: set[int] = set()  # ast.walk is breadth-first: a statement before its value
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                docstrings.add(id(node.value))
            self._count(node, docstrings)

    def _count(self, node: ast.AST, docstrings: set[int]) -> None:
        bind = self.bound
        if isinstance(node, ast.Name):
            (self.read if isinstance(node.ctx, ast.Load) else bind)[node.id] += 1
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) and id(node) not in docstrings:
                self._strings.append(node.value)
        elif isinstance(node, ast.alias):
            if node.name == "*":
                self.star = True
            else:
                bind[node.asname or node.name.partition(".")[0]] += 1
        elif isinstance(node, ast.arg):
            bind[node.arg] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bind.update(node.names)
        elif isinstance(node, ast.MatchMapping):
            if node.rest:
                bind[node.rest] += 1
        elif isinstance(getattr(node, "name", None), str):
            # def, class, ``except ... as``, match captures, type parameters (3.12)
            bind[node.name] += 1  # type: ignore[attr-defined]

    def simple(self, name: str) -> bool:
        """Bound once in the whole file, never named in a non-docstring string."""
        return (
            not self.star
            and self.bound[name] == 1
            and not any(name in text for text in self._strings)
        )


def uses(
    name: str,
    spelled: list[cst.Name],
    parents: dict[int, cst.CSTNode],
    bindings: Bindings,
) -> list[cst.Name] | None:
    """The reads of a module-level import's only binding of ``name``, or None: ask the scopes.

    ``spelled`` holds every LibCST ``Name`` with this value, in document order.
    """
    if not bindings.simple(name):
        return None
    out = [node for node in spelled if reads(node, parents)]
    return out if len(out) == bindings.read[name] else None


def reads(node: cst.Name, parents: dict[int, cst.CSTNode]) -> bool:
    """Is this Name a read? (LibCST's scope analysis also counts ``case P(x=1)``'s ``x``.)"""
    parent = parents.get(id(node))
    for kind, field in _NOT_READS:
        if isinstance(parent, kind) and getattr(parent, field) is node:
            return False
    while parent is not None and not isinstance(parent, cst.BaseStatement):
        if isinstance(parent, (cst.Import, cst.ImportFrom)):
            return False  # a module path or an alias in an import: never a read
        parent = parents.get(id(parent))
    return True
