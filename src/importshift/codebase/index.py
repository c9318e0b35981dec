"""ONE index of the codebase: files, module names, what each module binds, who imports what.

Built once per run and shared by ``doctor``, ``discover`` and (through ``importers``)
``shims``/``retire``. Per-file facts (``codebase.facts``) come lazily for one module, or for
every file at once with ``build()``: in worker processes when the tree is large, and from
the cache in ``.migrate/`` when a file has not changed since the last run.

Questions it answers:
- ``bound(module)``: the exact names a module binds at its top level (None: anything goes);
- ``binds(module, name)``: whether ``from module import name`` can work;
- ``definers(name)``: the modules that define ``name`` (def, class, assignment);
- ``importers(dotted)`` / ``importers_of(module)``: the files that import a module or name;
- ``shadowed()``: ``X.py`` files hidden by a package ``X/`` beside them;
- ``summary(module)``: the shim-oriented summary of ``codebase.summary``.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from importshift.codebase.facts import (
    UNREADABLE,
    FactCache,
    Facts,
    Key,
    compute,
    enough,
    stat_key,
)
from importshift.codebase.lookup import extension_in
from importshift.codebase.pool import in_chunks
from importshift.codebase.regular import read_regular
from importshift.codebase.scan import ImportStmt
from importshift.codebase.summary import Summary, summarize
from importshift.core import dotted
from importshift.core.model import SourceFile

_IN_PROCESS_BELOW = 400
_T = TypeVar("_T")
_R = TypeVar("_R")
# what the import system sets on every module loaded from a file (a namespace package has
# NAMESPACE_ATTRIBUTES and ``__path__``; a regular package has ``__path__`` too)
MODULE_ATTRIBUTES = frozenset(
    {
        "__name__",
        "__doc__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__cached__",
        "__builtins__",
    }
)
NAMESPACE_ATTRIBUTES = frozenset(
    {"__name__", "__doc__", "__file__", "__spec__", "__loader__", "__package__", "__path__"}
)


def _summary(
    root: str, module: str, path: str, wanted: Callable[[bytes], bool] | None
) -> tuple[bool, Summary | None]:
    """(whether ``wanted`` keeps the file, the summary of the module file)."""
    full = os.path.join(root, path)
    data = read_regular(full)
    if not data:
        return True, None
    if wanted is not None and not wanted(data):
        return False, None
    return True, summarize(data, module, path.endswith("__init__.py"))


def _summaries(
    root: str, todo: list[tuple[str, str]], wanted: Callable[[bytes], bool]
) -> list[tuple[str, bool, Summary | None]]:
    return [(module, *_summary(root, module, path, wanted)) for module, path in todo]


def _names(stmt: ImportStmt, base: str, module: str, exclude: set[str] | frozenset[str]) -> bool:
    """Whether an import statement naming ``base`` imports ``module`` (or a name from it
    other than ``exclude``): ``import module[.x]``, ``from module[.x] import ...``,
    ``from parent import leaf``."""
    if dotted.within(base, module):
        return not stmt.is_from or base != module or any(n not in exclude for n, _ in stmt.names)
    return base == dotted.parent(module) and any(n == dotted.leaf(module) for n, _ in stmt.names)


Job = tuple[str, "Key | None", bool]  # (path, stat key of facts held, parse)


def _chunk(
    root: str, jobs: list[Job], verdict: bool
) -> list[tuple[str, Key | None, Facts | None, str]]:
    return [
        (rel, *compute(os.path.join(root, rel), parse, verdict, known))
        for rel, known, parse in jobs
    ]


class CodeIndex:
    """The files of a run and everything the analyses ask about them (see module doc)."""

    def __init__(
        self,
        root: str,
        files: Sequence[SourceFile],
        modules: dict[str, str],
        jobs: int = 0,
        cache: bool = True,
    ) -> None:
        self.root = root
        self.files = list(files)
        self.modules = modules  # module -> path ("" for a namespace package)
        self.by_path = {f.path: f for f in self.files}
        self.jobs = jobs or os.cpu_count() or 1
        self._use_cache = cache
        self._cache: FactCache | None = None
        self._facts: dict[str, Facts] = {}
        self._keys: dict[str, Key | None] = {}  # stat key the facts were read at
        self._folders: dict[str, set[str]] | None = None  # package -> folders of its modules
        self._listings: dict[str, frozenset[str]] = {}
        self._bound: dict[str, frozenset[str] | None] = {}
        self._summaries: dict[str, Summary | None] = {}
        self._definers: dict[str, list[str]] | None = None
        self._importers: dict[str, set[str]] | None = None
        self._leaves: dict[str, list[str]] | None = None
        self._below: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None
        self._bases: dict[str, list[tuple[str, ImportStmt]]] | None = None
        self.top_levels = {m.partition(".")[0] for m in modules}

    # -- per-file facts -------------------------------------------------------------------

    @property
    def cache(self) -> FactCache:
        """The facts cache in ``.migrate/``, read on first use: a run whose questions the
        facts in memory answer never pays for reading it."""
        if self._cache is None:
            self._cache = FactCache(self.root, self._use_cache)
        return self._cache

    def remember(self, path: str, found: Facts) -> None:
        """Facts computed elsewhere from the bytes of ``path`` (by a pass that read it for
        its own reasons): kept in memory for this run, never written to the cache."""
        known = self._facts.get(path)
        if known is None or (found.parsed and not known.parsed):
            self._facts[path] = found

    def source_file(self, path: str) -> SourceFile:
        return self.by_path.get(path) or SourceFile(path, None, path.endswith("__init__.py"))

    def facts(self, path: str, parse: bool = True, verdict: bool = False) -> Facts:
        """One file's facts (cached in memory, then on disk)."""
        known = self._facts.get(path)
        if known is not None and enough(known, parse, verdict):
            return known
        self.build(parse, [path], verdict, save=False)
        return self._facts[path]

    def build(
        self,
        parse: bool,
        paths: Iterable[str] | None = None,
        verdict: bool = False,
        save: bool = True,
    ) -> None:
        """Facts for every file (or ``paths``), in parallel for a large tree; then saved.
        ``parse``: exact names; ``verdict``: whether each file compiles (see ``compute``;
        a verdict already known for the same bytes is kept when names are parsed later)."""
        wanted = [f.path for f in self.files] if paths is None else list(dict.fromkeys(paths))
        todo: list[Job] = []
        for rel in wanted:
            known = self._facts.get(rel)
            if known is not None and enough(known, parse, verdict):
                continue
            key = stat_key(os.path.join(self.root, rel))
            cached = self.cache.get(rel, key) if key else None
            if cached is not None and enough(cached, parse, verdict):
                self._facts[rel] = cached
                self._keys[rel] = key
            else:
                held = known or cached
                todo.append((rel, self._keys.get(rel, key) if held is not None else None, parse))
                if known is None and cached is not None:
                    self._facts[rel] = cached  # the verdict will be added to these facts
                    self._keys[rel] = key
        for rel, key, found, message in self._compute(todo, verdict):
            held = self._facts.get(rel)
            if found is None:  # only the verdict was computed: the textual facts still hold
                found = replace(self._facts[rel], syntax=message, checked=True)
            elif (
                held is not None
                and held.checked
                and not found.checked
                and key == self._keys.get(rel)
            ):
                found = replace(found, syntax=held.syntax, checked=True)  # same bytes: same verdict
            self._facts[rel] = found
            self._keys[rel] = key
            if key:
                self.cache.put(rel, key, found)
        if save:
            self.cache.save()

    def _compute(
        self, todo: list[Job], verdict: bool
    ) -> Iterator[tuple[str, Key | None, Facts | None, str]]:
        died = "line 0:0: not checked: its worker process died (a parser crash, or killed)"
        crashed = replace(UNREADABLE, syntax=died)
        yield from self._pooled(
            _chunk,
            todo,
            (verdict,),
            lambda job: (job[0], None, replace(crashed, unreadable=False), ""),
        )

    def _pooled(
        self,
        func: Callable[..., list[_R]],
        todo: list[_T],
        args: tuple[object, ...],
        crashed: Callable[[_T], _R],
    ) -> Iterator[_R]:
        """``func(root, todo, *args)``, in worker processes for a large tree (``pool``)."""
        if self.jobs == 1 or len(todo) < _IN_PROCESS_BELOW or not sys.platform.startswith("linux"):
            yield from func(self.root, todo, *args)
            return
        size = max(32, min(512, len(todo) // (self.jobs * 6) or 1))
        yield from in_chunks(func, self.root, todo, args, self.jobs, size, crashed)

    def save(self) -> None:
        if self._cache is not None:  # never read: nothing to write either
            self._cache.save()

    # -- what modules bind ----------------------------------------------------------------

    def path_of(self, module: str) -> str | None:
        """The file that defines ``module``; "" for a namespace package, None if unknown."""
        return self.modules.get(module)

    def bound(self, module: str, _seen: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """The exact names ``module`` binds at its top level; None when anything goes
        (a ``__getattr__``, an unresolvable star import, a file that does not parse)."""
        if module in self._bound:
            return self._bound[module]
        path = self.modules.get(module)
        if path is None:
            return None
        if path == "":
            result: frozenset[str] | None = frozenset()
        else:
            f = self.source_file(path)
            got = self.facts(path, parse=True)
            if got.syntax or got.dynamic:
                result = None
            else:
                names = set(got.defined | got.imported)
                result = frozenset(names)
                for level, name in got.stars:
                    base = dotted.resolve_relative(level, name, f.module, f.is_package)
                    if base is None or base in _seen or base not in self.modules:
                        result = None
                        break
                    star = self.bound(base, _seen | {module})
                    if star is None:
                        result = None
                        break
                    result = result | {n for n in star if not n.startswith("_")}
        self._bound[module] = result
        return result

    def binds(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` finds something (a submodule, a compiled one
        and the attributes every module has count)."""
        if dotted.join(module, name) in self.modules or name in MODULE_ATTRIBUTES:
            return True
        path = self.modules.get(module)
        if name == "__path__" and (path == "" or (path or "").endswith("__init__.py")):
            return True  # packages have one
        names = self.bound(module)
        return names is None or name in names or bool(self.on_disk(dotted.join(module, name)))

    def binds_exactly(self, module: str, name: str) -> bool:
        """Like ``binds``, but "anything goes" modules do not count (for writing rules)."""
        if dotted.join(module, name) in self.modules:
            return True
        names = self.bound(module)
        return names is not None and name in names

    def modules_named(self, leaf: str) -> list[str]:
        """Modules whose last component is ``leaf``."""
        if self._leaves is None:
            table: dict[str, list[str]] = defaultdict(list)
            for module in self.modules:
                table[dotted.leaf(module)].append(module)
            self._leaves = table
        return self._leaves.get(leaf, [])

    def compiled(self, module: str) -> bool:
        """An extension module (``.so``/``.pyd``) named ``module`` beside our files: it
        exists, and what it binds cannot be read."""
        parent, leaf = dotted.parent(module), dotted.leaf(module)
        return any(extension_in(d, leaf, self._listings) for d in self._folders_of(parent))

    def on_disk(self, module: str) -> str:
        """What the import system finds for ``module`` beside our files when this run did
        not read it (a symlink, an excluded or git-ignored path, an extension module):
        "file" (a regular module file, a package with ``__init__.py``, an extension module:
        it exists, what it binds is unknown), "folder" (a namespace package: it binds its
        submodules only), or "" (nothing importable: a broken link, a FIFO, a data file)."""
        parent, leaf = dotted.parent(module), dotted.leaf(module)
        folders = self._dirs_of(parent)
        for d in folders:
            base = os.path.join(d, leaf)
            if (
                extension_in(d, leaf, self._listings)
                or os.path.isfile(base + ".py")
                or os.path.isfile(os.path.join(base, "__init__.py"))
            ):
                return "file"
        return "folder" if any(os.path.isdir(os.path.join(d, leaf)) for d in folders) else ""

    def _dirs_of(self, package: str) -> set[str]:
        """Folders that hold the modules of ``package``: where our files are, else (for a
        folder this run did not read) found on disk below its parent's folders."""
        found = self._folders_of(package)
        if found or not package:
            return found
        leaf = dotted.leaf(package)
        below = (os.path.join(d, leaf) for d in self._dirs_of(dotted.parent(package)))
        return {d for d in below if os.path.isdir(d)}

    def _folders_of(self, package: str) -> set[str]:
        """Folders (absolute) that hold modules of ``package`` ("" for the top level)."""
        if self._folders is None:
            table: dict[str, set[str]] = defaultdict(set)
            for f in self.files:
                if f.module is not None:
                    owner = f.module if f.is_package else dotted.parent(f.module)
                    table[owner].add(os.path.dirname(os.path.join(self.root, f.path)))
            self._folders = table
        return self._folders.get(package, set())

    def shadowed(self) -> list[tuple[str, str]]:
        """(file, the package file that wins) for every ``X.py`` hidden by a package ``X/``."""
        out = []
        for f in self.files:
            if f.module is None or f.is_package or f.path.endswith(".pyi"):
                continue  # a stub beside its module is for type checkers, not shadowed
            winner = self.modules.get(f.module)
            if winner and winner != f.path:
                out.append((f.path, winner))
        return out

    def definers(self, name: str) -> list[str]:
        """Modules that define ``name`` at their top level (needs ``build``)."""
        if self._definers is None:
            hidden = {path for path, _ in self.shadowed()}
            table: dict[str, list[str]] = defaultdict(list)
            for f in self.files:
                if f.module is None or f.path in hidden:
                    continue
                got = self._facts.get(f.path)
                if got is None:
                    continue
                for defined in got.defined:
                    table[defined].append(f.module)
            self._definers = table
        return self._definers.get(name, [])

    def summary(self, module: str) -> Summary | None:
        """The shim-oriented summary of a module (parsed lazily, once)."""
        if module not in self._summaries:
            path = self.modules.get(module) or ""
            self._summaries[module] = _summary(self.root, module, path, None)[1] if path else None
        return self._summaries[module]

    def summarize_where(self, wanted: Callable[[bytes], bool], modules: Iterable[str]) -> list[str]:
        """Summaries of those ``modules`` whose bytes pass ``wanted`` (a module-level
        function), computed in parallel for a large tree; returns the modules kept."""
        todo = [(m, p) for m in modules if (p := self.modules.get(m)) and m not in self._summaries]

        def crashed(item: tuple[str, str]) -> tuple[str, bool, Summary | None]:
            return item[0], True, None  # the parser crashed: no summary

        found = list(self._pooled(_summaries, todo, (wanted,), crashed))
        kept = [(module, summary) for module, keep, summary in found if keep]
        self._summaries.update(kept)
        return [module for module, _ in kept]

    # -- who imports what -----------------------------------------------------------------

    def sites(self, path: str) -> Iterator[tuple[ImportStmt, str]]:
        """Each import statement of a file with the absolute module it names."""
        f = self.source_file(path)
        for stmt in self.facts(path, parse=False).imports:
            base = dotted.resolve_relative(stmt.level, stmt.module, f.module, f.is_package)
            if base is not None:
                yield stmt, base

    def _by_base(self) -> dict[str, list[tuple[str, ImportStmt]]]:
        """absolute module named by an import statement -> (file, statement), every file."""
        if self._bases is None:
            self.build(parse=False)
            table: dict[str, list[tuple[str, ImportStmt]]] = defaultdict(list)
            for f in self.files:
                for stmt, base in self.sites(f.path):
                    table[base].append((f.path, stmt))
            self._bases = table
        return self._bases

    def imported_modules(self) -> list[str]:
        """Every absolute module some import statement of the tree names."""
        return list(self._by_base())

    def statements(self, module: str) -> list[tuple[str, ImportStmt]]:
        """Every (file, import statement) naming exactly ``module``, in the whole tree."""
        return self._by_base().get(module, [])

    def _table(self) -> dict[str, set[str]]:
        """dotted target -> files importing it: ``import a.b`` names ``a.b``;
        ``from a.b import c`` names ``a.b`` and ``a.b.c``."""
        if self._importers is None:
            table: dict[str, set[str]] = defaultdict(set)
            for base, sites in self._by_base().items():
                for path, stmt in sites:
                    table[base].add(path)
                    if stmt.is_from:
                        for name, _ in stmt.names:
                            if name != "*":
                                table[dotted.join(base, name)].add(path)
            self._importers = table
        return self._importers

    def _prefixes(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(dotted prefix -> files importing it or anything below it, dotted prefix -> files
        of that module or below it), built once from the import table."""
        if self._below is None:
            below: dict[str, set[str]] = defaultdict(set)
            for key, paths in self._table().items():
                probe = key
                while probe:
                    below[probe] |= paths
                    probe = dotted.parent(probe)
            owners: dict[str, set[str]] = defaultdict(set)
            for f in self.files:
                probe = f.module or ""
                while probe:
                    owners[probe].add(f.path)
                    probe = dotted.parent(probe)
            self._below = (below, owners)
        return self._below

    def importers(self, target: str) -> set[str]:
        """Files that import ``target`` (a module, a name, or anything below them), the
        target's own file(s) excluded."""
        below, owners = self._prefixes()
        return below.get(target, set()) - owners.get(target, set())

    def importer_counts(self, targets: Iterable[str]) -> dict[str, int]:
        """``len(importers(t))`` for each target."""
        return {t: len(self.importers(t)) for t in set(targets)}

    def importers_of(
        self, module: str, exclude_names: set[str] | frozenset[str] = frozenset()
    ) -> list[str]:
        """Files that import ``module`` (or a name from it other than ``exclude_names``),
        as ``analysis.shims.importers_of`` answers it, from the shared table."""
        parent = dotted.parent(module)
        found: set[str] = set()
        for base, sites in self._by_base().items():
            if not dotted.within(base, module) and base != parent:
                continue
            for path, stmt in sites:
                f = self.by_path.get(path)
                if path in found or (f and f.module and dotted.within(f.module, module)):
                    continue
                if _names(stmt, base, module, exclude_names):
                    found.add(path)
        return sorted(found)

    def importers_of_among(
        self,
        module: str,
        paths: Iterable[str],
        exclude_names: set[str] | frozenset[str] = frozenset(),
    ) -> list[str]:
        """``importers_of`` asked of ``paths`` alone, without the table of the whole tree:
        for a caller that knows no other file can import ``module`` (every statement that
        imports it spells its last component, so files whose bytes lack it cannot)."""
        found = set()
        for path in paths:
            f = self.source_file(path)
            if f.module and dotted.within(f.module, module):
                continue
            for stmt, base in self.sites(path):
                if _names(stmt, base, module, exclude_names):
                    found.add(path)
                    break
        return sorted(found)
