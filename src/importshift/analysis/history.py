"""Moves learned from git: what was defined at a revision and where it lives now.

Two kinds of evidence, between ``REV`` and the working tree:
- renamed files (git's rename detection, or a deleted and an added file defining the same
  top-level names): a module move; when a whole package went to one new place, one move
  for the package;
- top-level classes and functions that disappeared from one module and appeared in
  another, with the same name or, under a new name, with the same body: a symbol move.

Each move is ranked by how many files still import its old path.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from importshift.adapters.history_git import Changes, FileChange, History
from importshift.codebase import files as modules
from importshift.codebase.index import CodeIndex
from importshift.core import dotted
from importshift.core.errors import ImportshiftError


@dataclass(frozen=True, slots=True)
class LearnedMove:
    old: str
    new: str
    kind: str  # "module" | "symbol"
    reason: str
    importers: int = 0  # files that still import the old path


def definitions(data: bytes) -> dict[str, str] | None:
    """Top-level classes and functions -> a fingerprint of their body (name left out; ""
    for a trivial body such as ``pass`` or a docstring); None when the source does not parse."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if all(_trivial(stmt) for stmt in node.body):
                out[node.name] = ""
                continue
            body = ast.dump(ast.Module(body=node.body, type_ignores=[]))
            out[node.name] = hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest()
    return out


def _trivial(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Pass) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    )


def learn(
    idx: CodeIndex, history: History, rev: str, source_roots: Sequence[str]
) -> list[LearnedMove]:
    """Module and symbol moves since ``rev``, most-imported old path first.

    Raises ImportshiftError when git cannot answer (not a repository, unknown revision):
    a history that could not be read is said out loud, never taken as "nothing moved".
    """
    changes: Changes = history.changes(idx.root, rev)
    if changes.error:
        raise ImportshiftError(f"cannot learn moves since {rev}: {changes.error}")
    py = [c for c in changes.files if (c.old or c.new).endswith(".py")]
    before = history.contents(idx.root, rev, [c.old for c in py if c.old])
    old_defs = {path: definitions(data) or {} for path, data in before.items()}
    new_defs = {c.new: _current(idx, c.new) for c in py if c.new}

    def module(path: str) -> str | None:
        return modules.module_for(path, source_roots)

    renames = [(c.old, c.new) for c in py if c.status == "R"]
    renames += _paired(py, old_defs, new_defs)
    module_moves: dict[str, str] = {}
    for old_path, new_path in renames:
        old_mod, new_mod = module(old_path), module(new_path)
        if old_mod and new_mod and old_mod != new_mod and old_mod not in idx.modules:
            module_moves[old_mod] = new_mod
    moved = _collapse(module_moves, idx)
    out = [
        LearnedMove(old, new, "module", f"renamed in git since {rev}")
        for old, new in sorted(moved.items())
    ]
    out.extend(_symbols(py, old_defs, new_defs, module, module_moves, rev))
    counts = idx.importer_counts(m.old for m in out)
    ranked = [
        LearnedMove(m.old, m.new, m.kind, m.reason, counts.get(m.old, 0))
        for m in out
        if m.old != m.new
    ]
    seen: set[str] = set()
    unique = []
    for m in sorted(ranked, key=lambda m: (-m.importers, m.old)):
        if m.old not in seen:
            seen.add(m.old)
            unique.append(m)
    return unique


def _current(idx: CodeIndex, path: str) -> dict[str, str]:
    try:
        with open(f"{idx.root}/{path}", "rb") as fh:
            return definitions(fh.read()) or {}
    except OSError:
        return {}


def _paired(
    py: Iterable[FileChange],
    old_defs: dict[str, dict[str, str]],
    new_defs: dict[str, dict[str, str]],
) -> list[tuple[str, str]]:
    """A deleted file and an added one defining the same non-empty set of names (a move
    made without ``git mv``, which git's rename detection may miss)."""
    deleted = [c.old for c in py if c.status == "D"]
    added = [c.new for c in py if c.status == "A"]
    by_names: dict[frozenset[str], list[str]] = defaultdict(list)
    for path in added:
        names = frozenset(new_defs.get(path, {}))
        if names:
            by_names[names].append(path)
    out = []
    for path in deleted:
        names = frozenset(old_defs.get(path, {}))
        homes = by_names.get(names, [])
        if names and len(homes) == 1:
            out.append((path, homes[0]))
    return out


def _collapse(moves: dict[str, str], idx: CodeIndex) -> dict[str, str]:
    """Per-file module moves that all share one package prefix change (``a.b.* -> x.y.*``)
    become one move of the package, when nothing is left under the old package."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for old, new in moves.items():
        o, n = old.split("."), new.split(".")
        while len(o) > 1 and len(n) > 1 and o[-1] == n[-1]:
            o.pop()
            n.pop()
        groups[(".".join(o), ".".join(n))].append(old)
    out = dict(moves)
    for (old_pkg, new_pkg), olds in groups.items():
        if old_pkg == new_pkg or moves.get(old_pkg, new_pkg) != new_pkg:
            continue
        left = any(dotted.within(m, old_pkg) for m in idx.modules)
        if len(olds) > 1 and not left and new_pkg in idx.modules:
            for old in olds:
                out.pop(old, None)
            out[old_pkg] = new_pkg
    return _covered(out)


def _covered(moves: dict[str, str]) -> dict[str, str]:
    """Drop module moves a move of their package already implies (``a.b.c -> x.y.c`` under
    ``a.b -> x.y``)."""
    out = {}
    for old, new in moves.items():
        probe, implied = dotted.parent(old), False
        while probe and not implied:
            if probe in moves and moves[probe] + old[len(probe) :] == new:
                implied = True
            probe = dotted.parent(probe)
        if not implied:
            out[old] = new
    return out


def _symbols(
    py: Sequence[FileChange],
    old_defs: dict[str, dict[str, str]],
    new_defs: dict[str, dict[str, str]],
    module: Callable[[str], str | None],
    module_moves: dict[str, str],
    rev: str,
) -> list[LearnedMove]:
    """Definitions that left one module and arrived in another (same name, or same body)."""
    gone: list[tuple[str, str, str]] = []  # (old module, name, fingerprint)
    came: list[tuple[str, str, str]] = []  # (new module, name, fingerprint)
    for c in py:
        before = old_defs.get(c.old, {}) if c.old else {}
        after = new_defs.get(c.new, {}) if c.new else {}
        old_mod = module(c.old) if c.old else None
        new_mod = module(c.new) if c.new else None
        if old_mod:
            gone += [(old_mod, n, h) for n, h in before.items() if n not in after]
        if new_mod:
            came += [(new_mod, n, h) for n, h in after.items() if n not in before]
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_body: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for new_mod, name, body in came:
        by_name[name].append((new_mod, body))
        by_body[body].append((new_mod, name))
    out = []
    for old_mod, name, body in gone:
        homes = by_name.get(name, [])
        if len(homes) > 1:
            homes = [h for h in homes if h[1] == body] or homes
        if len(homes) == 1:
            new_mod = homes[0][0]
            if module_moves.get(old_mod) == new_mod:
                continue  # the module move covers it
            why = "same name" + (" and body" if homes[0][1] == body else "")
            out.append(
                LearnedMove(
                    dotted.join(old_mod, name),
                    dotted.join(new_mod, name),
                    "symbol",
                    f"moved since {rev} ({why})",
                )
            )
            continue
        twins = [t for t in by_body.get(body, []) if t[1] != name] if body else []
        if len(twins) == 1:
            out.append(
                LearnedMove(
                    dotted.join(old_mod, name),
                    dotted.join(*twins[0]),
                    "symbol",
                    f"renamed since {rev} (same body)",
                )
            )
    return out
