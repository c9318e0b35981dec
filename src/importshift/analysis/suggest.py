"""Where a missing module or name lives today, from definitions (not from names alone).

A candidate must bind every name the broken statements import from the missing path.
Candidates are ranked by, in order:
1. git history (a move learned since ``--since REV``);
2. test modules last when the importers are not tests (production code must not be
   pointed at test helpers: this outranks closeness, since a test module is often closer);
3. same package / shortest path from the old dotted name;
4. how many files already import the candidate.
Each suggestion carries one short reason, and whether it can be written as a rule: it is
verified statically (the target exists and binds every imported name) and unambiguous
(learned from git, or the only candidate).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from importshift.codebase.index import CodeIndex
from importshift.core import dotted

_KEEP = 5


@dataclass(frozen=True, slots=True)
class Suggestion:
    new: str
    reason: str
    writable: bool  # verified and unambiguous: safe to write as a rule
    extra: tuple[tuple[str, str], ...] = ()  # symbol moves (learned from git) it also needs


@dataclass(frozen=True, slots=True)
class Missing:
    """One missing dotted path and what its importers ask of it."""

    old: str
    kind: str  # "module" | "symbol"
    names: tuple[str, ...]  # names imported from a missing module (empty: ``import a.b``)
    importers: tuple[str, ...]  # files, sorted


def is_test(dotted_or_path: str) -> bool:
    """A test module or a module inside a test folder (``tests.x``, ``test_x``, ``x_test``,
    ``conftest``)."""
    parts = dotted_or_path.replace("/", ".").removesuffix(".py").split(".")
    return any(
        p in ("tests", "test", "testing", "conftest")
        or p.startswith("test_")
        or p.endswith("_test")
        or p.endswith("_tests")
        for p in parts
    )


def suggest(
    idx: CodeIndex, missing: Missing, learned: Mapping[str, str], since: str = ""
) -> tuple[Suggestion, ...]:
    """The best few places for ``missing``, best first (see the module docstring)."""
    history = _learned_target(missing.old, learned)
    if missing.kind == "module":
        pool = _module_pool(idx, missing)
    else:
        pool = {f"{m}.{dotted.leaf(missing.old)}" for m in idx.definers(dotted.leaf(missing.old))}
        pool = {c for c in pool if idx.binds_exactly(dotted.parent(c), dotted.leaf(c))}
    if history:
        pool.add(history)
    pool.discard(missing.old)
    if not pool:
        return _split(idx, missing, learned, since) if missing.kind == "module" else ()
    production = any(not is_test(p) for p in missing.importers)
    is_symbol = missing.kind == "symbol"
    counts = idx.importer_counts(_container(c, missing.kind) for c in pool)

    def key(c: str) -> tuple[int, int, int, int, int, str]:
        test_penalty = int(production and is_test(c))
        common, spread = _distance(missing.old, c)
        return (
            int(c != history),
            test_penalty,
            -common,
            spread,
            -counts.get(_container(c, missing.kind), 0),
            c,
        )

    best = heapq.nsmallest(_KEEP, pool, key=key)
    out = []
    for i, c in enumerate(best):
        extra = _renamed(idx, missing, c, learned) if c == history else ()
        verified = extra is not None and _verified(idx, missing, c, extra or ())
        reason = _reason(missing, c, c == history, len(pool), counts, since)
        # a plain ``import a.b.events`` asks for no name: a lone module of that name is a
        # guess, not a verified answer, unless git says it moved there
        unambiguous = c == history or (len(pool) == 1 and bool(missing.names or is_symbol))
        writable = i == 0 and verified and unambiguous and not (production and is_test(c))
        out.append(
            Suggestion(c, reason if verified else f"{reason} (unverified)", writable, extra or ())
        )
    return tuple(out)


def _split(
    idx: CodeIndex, missing: Missing, learned: Mapping[str, str], since: str
) -> tuple[Suggestion, ...]:
    """No module binds every name, but each name has a home of its own: one symbol move per
    name (``new`` is empty, the moves are in ``extra``); writable when each one is."""
    if len(missing.names) < 2:
        return ()
    moves = []
    writable = True
    for name in missing.names:
        old = dotted.join(missing.old, name)
        found = suggest(idx, Missing(old, "symbol", (), missing.importers), learned, since)
        if not found:
            return ()
        moves.append((old, found[0].new))
        writable = writable and found[0].writable
    homes = len({dotted.parent(new) for _, new in moves})
    reason = f"no module binds them all: the names live in {homes} module(s)"
    return (Suggestion("", reason, writable, tuple(moves)),)


def _renamed(
    idx: CodeIndex, missing: Missing, target: str, learned: Mapping[str, str]
) -> tuple[tuple[str, str], ...] | None:
    """For a module moved in git: the learned symbol moves of the imported names the new
    module does not bind (renamed on the way); None when one of them has no known home."""
    if missing.kind != "module":
        return ()
    extra = []
    for name in missing.names:
        if idx.binds_exactly(target, name):
            continue
        moved = learned.get(dotted.join(missing.old, name), "")
        if not moved or not idx.binds_exactly(dotted.parent(moved), dotted.leaf(moved)):
            return None
        extra.append((dotted.join(missing.old, name), moved))
    return tuple(extra)


def _container(candidate: str, kind: str) -> str:
    return candidate if kind == "module" else dotted.parent(candidate)


def _learned_target(old: str, learned: Mapping[str, str]) -> str:
    """The new path git history gives for ``old`` (a module move covers what is below it)."""
    if old in learned:
        return learned[old]
    probe = dotted.parent(old)
    while probe:
        if probe in learned:
            return learned[probe] + old[len(probe) :]
        probe = dotted.parent(probe)
    return ""


def _module_pool(idx: CodeIndex, missing: Missing) -> set[str]:
    """Modules that bind every name imported from the missing module; for a plain
    ``import a.b.c``, modules with the same last component in the same top-level package."""
    if not missing.names:
        top, leaf = missing.old.partition(".")[0], dotted.leaf(missing.old)
        return {
            m for m in idx.modules_named(leaf) if m.partition(".")[0] == top and m != missing.old
        }
    pools = []
    for name in missing.names:
        found = set(idx.definers(name))
        found.update(dotted.parent(m) for m in idx.modules_named(name))
        pools.append(found)
    pools.sort(key=len)
    pool = pools[0].intersection(*pools[1:]) if pools else set()
    return {m for m in pool if m and all(idx.binds_exactly(m, n) for n in missing.names)}


def _verified(
    idx: CodeIndex, missing: Missing, candidate: str, extra: tuple[tuple[str, str], ...]
) -> bool:
    if missing.kind == "module":
        renamed = {dotted.leaf(old) for old, _ in extra}
        return candidate in idx.modules and all(
            n in renamed or idx.binds_exactly(candidate, n) for n in missing.names
        )
    module = dotted.parent(candidate)
    return module in idx.modules and idx.binds_exactly(module, dotted.leaf(candidate))


def _reason(
    missing: Missing,
    candidate: str,
    from_history: bool,
    pool: int,
    counts: Mapping[str, int],
    since: str,
) -> str:
    if from_history:
        return f"moved there in git since {since}" if since else "moved there in git"
    names = missing.names if missing.kind == "module" else (dotted.leaf(missing.old),)
    what = f"binds {', '.join(names)}" if names else "same module name"
    if pool == 1:
        return f"the only module that {what}" if names else "the only module of that name"
    common, _ = _distance(missing.old, candidate)
    if common:
        shared = ".".join(missing.old.split(".")[:common])
        return f"{what}; closest package ({shared})"
    used = counts.get(_container(candidate, missing.kind), 0)
    return f"{what}; imported by {used} file(s)"


def _distance(old: str, candidate: str) -> tuple[int, int]:
    """(common leading packages, components that differ on either side)."""
    a, b = dotted.parent(old).split("."), dotted.parent(candidate).split(".")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common] and a[common]:
        common += 1
    return common, (len(a) - common) + (len(b) - common)
