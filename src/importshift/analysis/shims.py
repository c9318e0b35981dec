"""Shims: the old modules of moves while they exist, who still uses them, and removing
what nobody uses any more (an alias line, an ``__all__`` entry, or the whole module)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from importshift.analysis.proof import Asks, Scanned, Target, scan_files
from importshift.analysis.uses import ALL, MODULE, Use
from importshift.codebase import files as modules
from importshift.codebase.index import CodeIndex
from importshift.codebase.summary import summarize
from importshift.codebase.toplevel import top_level_names
from importshift.core import dotted
from importshift.core.model import FileOutcome, Kind, Move, RuleSet, SourceFile


@dataclass(frozen=True, slots=True)
class ShimName:
    name: str  # the name the shim still provides ("*" for a whole moved module)
    rule: str
    importers: tuple[str, ...]  # files that import it (``apply`` migrates them)
    strings: tuple[str, ...]  # "path:line" of string references (mock.patch, import_module)
    uses: tuple[Use, ...] = ()  # every other use found (see analysis.uses)
    rewrites: tuple[str, ...] = ()  # "path:line" of string references ``apply`` rewrites

    @property
    def blocked(self) -> bool:
        return bool(self.importers or self.strings or self.uses or self.rewrites)


@dataclass(frozen=True, slots=True)
class Shim:
    module: str
    path: str  # "" once the module is gone
    names: tuple[ShimName, ...]
    shim_only: bool
    other_importers: tuple[str, ...]  # files importing names of the module that did not move
    module_uses: tuple[Use, ...] = ()  # uses of the module that reach none of its moved names
    internal: frozenset[str] = frozenset()  # moved names the shim itself still uses
    removable: frozenset[str] | None = None  # names retire knows how to drop (None: unchecked)
    gone: frozenset[str] = frozenset()  # moved names the shim no longer binds (retired)
    parses: bool = True  # False: the shim does not parse here, so retire cannot judge it

    @property
    def status(self) -> str:
        return decide(self).status

    def label(self, name: str) -> str:
        return self.module if name == "*" else f"{self.module}.{name}"


@dataclass(frozen=True, slots=True)
class Kept:
    label: str
    reason: str
    manual: bool  # only the user can clear it (``apply`` will not)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What retire does with one shim; ``shims`` shows the same (one function decides)."""

    delete: bool  # the whole module goes
    remove: tuple[str, ...]  # else: the names whose lines go
    rules: tuple[str, ...]  # the rules retired by it
    kept: tuple[Kept, ...]

    @property
    def status(self) -> str:
        if self.delete or (self.remove and not self.kept):
            return "ready to retire"
        if self.remove:
            return "partly ready"
        return "in use" if self.kept else "retired"


_SHOWN = 3


def _blockers(uses: Iterable[Use], strings: Iterable[str]) -> str:
    items = [u.describe() for u in sorted(uses, key=lambda u: (u.proof, u.path, u.line))]
    items += [f"{s} string reference" for s in strings]
    more = f"; and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return "; ".join(items[:_SHOWN]) + more


def _waiting(n: ShimName) -> str:
    """What ``apply`` still has to migrate before the name can go."""
    parts = [f"imported by {len(n.importers)} file(s)"] if n.importers else []
    if n.rewrites:
        parts.append(f"named in {len(n.rewrites)} string(s)")
    return f"still {' and '.join(parts)} (migrate apply)"


def decide(shim: Shim) -> Verdict:
    """The readiness of every name of ``shim``: retired only when nothing can reach it."""
    if not shim.path:
        return Verdict(False, (), (), ())
    if not shim.parses:
        why = "cannot prove unused: it does not parse on this Python, so retire leaves it alone"
        return Verdict(False, (), (), (Kept(shim.path, why, True),))
    kept: list[Kept] = []
    unused: list[ShimName] = []
    for n in shim.names:
        label = shim.label(n.name)
        if n.name in shim.gone:
            unused.append(n)
            continue
        if n.uses or n.strings:
            proved = all(u.proof for u in n.uses)
            head = "still used: " if proved else ""
            kept.append(Kept(label, head + _blockers(n.uses, n.strings), True))
        elif n.importers or n.rewrites:
            kept.append(Kept(label, _waiting(n), False))
        else:
            unused.append(n)
    all_unused = len(unused) == len(shim.names)
    if all_unused and shim.shim_only and not shim.other_importers and not shim.module_uses:
        return Verdict(True, (), tuple(n.rule for n in unused), ())
    names = {n.name for n in unused if n.name != "*"} - shim.gone
    for name in sorted(names & shim.internal):
        kept.append(Kept(shim.label(name), "the shim itself still uses it", False))
    removable = names if shim.removable is None else shim.removable
    for name in sorted((names - shim.internal) - removable):
        kept.append(Kept(shim.label(name), "retire cannot remove how it is bound", True))
    names &= removable - shim.internal
    if all_unused:
        if not shim.shim_only:
            why = "unused, but it holds real code" if "*" in {n.name for n in unused} else ""
            if why:
                kept.append(Kept(shim.path, why, False))
        elif shim.module_uses:
            why = "the module is still used: " + _blockers(shim.module_uses, ())
            kept.append(Kept(shim.path, why, True))
        elif shim.other_importers:
            count = len(shim.other_importers)
            why = f"its other names are imported by {count} file(s)"
            kept.append(Kept(shim.path, why, False))
    rules = tuple(n.rule for n in unused if n.name in names)
    return Verdict(False, tuple(sorted(names)), rules, tuple(kept))


def find_shims(
    rules: RuleSet,
    index: dict[str, str],
    outcomes: Iterable[FileOutcome],
    files: Iterable[SourceFile],
    extra: Iterable[str] = (),
    jobs: int = 1,
) -> list[Shim]:
    """``read_all`` then ``survey``, with an index of its own."""
    idx = CodeIndex(rules.root, list(files), index, jobs, cache=False)
    return survey(rules, idx, outcomes, read_all(rules, idx, extra, jobs))


def provided(rules: RuleSet, index: dict[str, str]) -> dict[str, frozenset[str]]:
    """Each shim (an old module of the rules that is ours and still there) -> the names it
    still provides ("*" for a moved module)."""
    by_module = _by_module(rules)
    ours = {m.partition(".")[0] for m in index}
    return {
        module: frozenset("*" if m.kind is Kind.MODULE else dotted.leaf(m.old) for m in moves)
        for module, moves in by_module.items()
        if module.partition(".")[0] in ours and index.get(module)
    }


def _by_module(rules: RuleSet) -> dict[str, list[Move]]:
    by_module: dict[str, list[Move]] = defaultdict(list)
    for move in rules.moves:
        by_module[move.old_module].append(move)
    return by_module


def read_all(
    rules: RuleSet, idx: CodeIndex, extra: Iterable[str], jobs: int, asks: Asks | None = None
) -> Scanned:
    """One read of every file of ``idx`` and of the ``extra`` files (stubs, packaging
    config): the uses of the shims (see analysis.uses), and what ``asks`` wants."""
    shims = provided(rules, idx.modules)
    found = _all_uses(rules, idx.files, list(extra), shims, jobs, asks or Asks())
    for path, known in found.facts.items():
        if path in idx.by_path:
            idx.remember(path, known)  # read once: the importers come from the same bytes
    return found


def survey(
    rules: RuleSet, idx: CodeIndex, outcomes: Iterable[FileOutcome], scanned: Scanned
) -> list[Shim]:
    """Every shim of ``rules`` with everything that still reaches it: the engine's
    ``outcomes`` (imports that ``apply`` migrates), plus the uses ``read_all`` found."""
    index = idx.modules
    importers: dict[str, set[str]] = defaultdict(set)
    rewrites: dict[str, set[str]] = defaultdict(set)
    strings: dict[str, set[str]] = defaultdict(set)
    migrated: set[str] = set()  # "path:line" of every site ``apply`` rewrites
    for o in outcomes:
        in_strings = {(s.rule, s.line, s.column) for s in o.sites if s.form == "string"}
        for e in o.edits:
            if (e.rule, e.line, e.column) in in_strings:  # a string, not an import
                rewrites[e.rule].add(f"{o.path}:{e.line}")
            else:
                importers[e.rule].add(o.path)
            migrated.add(f"{o.path}:{e.line}")
        for n in o.notes:
            if n.message.startswith("string reference"):
                strings[n.rule].add(f"{o.path}:{n.line}")
    ours = {m.partition(".")[0] for m in index}
    shims = provided(rules, index)
    naming = {m: [p for p in paths if p in idx.by_path] for m, paths in scanned.naming.items()}
    found: dict[str, list[Use]] = defaultdict(list)
    for use in scanned.uses:
        found[use.module].append(use)
    out = []
    for module, moves in sorted(_by_module(rules).items()):
        if module.partition(".")[0] not in ours:
            continue  # a third-party module: not ours to retire
        path = index.get(module) or ""
        # a string that ``apply`` rewrites (``strings: true``) waits for apply, like an import
        mine = [
            u
            for u in found.get(module, [])
            if not (u.why.startswith("string reference") and u.where in migrated)
        ]
        whole = "*" in shims.get(module, ())
        names = tuple(_shim_name(m, importers, rewrites, strings, mine, whole) for m in moves)
        moved = {n.name for n in names}
        others = (
            ()
            if not path or "*" in moved
            else tuple(idx.importers_of_among(module, naming.get(module, ()), moved))
        )
        out.append(_shim(rules.root, module, path, names, others, mine, whole))
    return out


def _shim(
    root: str,
    module: str,
    path: str,
    names: tuple[ShimName, ...],
    others: tuple[str, ...],
    mine: list[Use],
    whole: bool,
) -> Shim:
    """One shim, judged from its own file (what it binds, what retire can remove)."""
    data = _read(root, path) if path else None
    summary = summarize(data, module, path.endswith("__init__.py")) if data is not None else None
    moved = {n.name for n in names}
    free = {n.name for n in names if not n.blocked and n.name != "*"}
    removable: frozenset[str] = frozenset()
    if data is not None and free:
        from importshift.analysis.removal import removable_names  # LibCST: only when needed

        removable = removable_names(data, free)
    bound = top_level_names(os.path.join(root, path)) if path else None
    gone = frozenset(
        n.name
        for n in names
        if bound is not None and n.name != "*" and n.name not in bound | removable and not n.blocked
    )
    return Shim(
        module,
        path,
        names,
        bool(summary and summary.shim_only),
        others,
        tuple(sorted(u for u in mine if u.name == MODULE and not whole)),
        frozenset(moved & summary.references) if summary else frozenset(),
        removable,
        gone,
        data is None or summary is not None,
    )


def _provided(move: Move) -> str:
    return "*" if move.kind is Kind.MODULE else dotted.leaf(move.old)


def _shim_name(
    move: Move,
    importers: dict[str, set[str]],
    rewrites: dict[str, set[str]],
    strings: dict[str, set[str]],
    found: list[Use],
    whole: bool,
) -> ShimName:
    name = _provided(move)
    uses = tuple(sorted(u for u in found if u.name in (ALL, name) or (whole and u.name == MODULE)))
    seen = {u.where for u in uses}
    return ShimName(
        name,
        move.id,
        tuple(sorted(importers[move.id])),
        tuple(sorted(strings[move.id] - seen)),
        uses,
        tuple(sorted(rewrites[move.id])),
    )


def _all_uses(
    rules: RuleSet,
    files: list[SourceFile],
    extra: list[str],
    shims: dict[str, frozenset[str]],
    jobs: int,
    asks: Asks,
) -> Scanned:
    targets: list[Target] = []
    seen: set[str] = set()
    for f in files:
        if f.path not in seen:  # the walk may come to hold stubs and config files too
            seen.add(f.path)
            targets.append((f.path, f.module, f.is_package, f.path.endswith(".pyi")))
    for path in extra:
        if path in seen:
            continue  # once each
        seen.add(path)
        stub = path.endswith(".pyi")
        module = modules.module_for(path[:-1] if stub else path, rules.source_roots)
        package = path.endswith(("__init__.py", "__init__.pyi"))
        targets.append((path, module, package, stub))
    return scan_files(rules.root, targets, shims, jobs, asks)


def _read(root: str, path: str) -> bytes | None:
    try:
        with open(os.path.join(root, path), "rb") as fh:
            return fh.read()
    except OSError:
        return None
