"""Finding undeclared shims: re-export modules, ``Old = New`` aliases, deprecation warnings,
PEP 562 forwarding; each re-exported name followed to the module that really defines it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from importshift.analysis.shims import Shim, ShimName
from importshift.codebase.index import CodeIndex
from importshift.codebase.summary import Summary
from importshift.core import dotted
from importshift.core.model import SourceFile

_ALIAS_LINE = re.compile(rb"^[A-Za-z_]\w*[ \t]*=[ \t]*[A-Za-z_][\w.]*[ \t]*(#.*)?$", re.M)
_REAL_CODE = re.compile(rb"^(?:async[ \t]+)?(?:def|class)[ \t]+(?!__getattr__\b|__dir__\b)", re.M)


@dataclass(frozen=True, slots=True)
class Proposal:
    old: str
    new: str
    kind: str  # "module" | "symbol"
    reason: str
    path: str
    importers: int = 0  # files that import the old path today
    weak: bool = False  # a plain re-export (no warning): a shim only if someone imports it


def looks_like_shim(data: bytes) -> bool:
    """Worth a parse: it warns, forwards, aliases, or defines nothing at its top level."""
    return (
        b"DeprecationWarning" in data
        or b"__getattr__" in data
        or bool(_ALIAS_LINE.search(data))
        or (b"import" in data and not _REAL_CODE.search(data))
    )


def _define(idx: CodeIndex, name: str, depth: int = 0) -> str:
    """Follow re-exports and aliases from ``name`` to where it is defined."""
    module, leaf = dotted.parent(name), dotted.leaf(name)
    if depth > 12 or not module or module not in idx.modules or name in idx.modules:
        return name
    summary = idx.summary(module)
    if summary is None or leaf in summary.defined:
        return name
    for local, source in (*summary.reexports, *summary.aliases):
        if local == leaf and source != name:
            return _define(idx, source, depth + 1)
    for star in summary.stars:
        star_summary = idx.summary(star)
        if star_summary is not None and (
            leaf in star_summary.defined
            or any(local == leaf for local, _ in (*star_summary.reexports, *star_summary.aliases))
        ):
            return _define(idx, dotted.join(star, leaf), depth + 1)
    return name


def discover(
    idx: CodeIndex,
    files: Iterable[SourceFile],
    known: set[str],
    include_external: bool = False,
) -> list[Proposal]:
    """Undeclared moves, most-imported old path first; never twice the same ``old``, never
    an ``old`` the rules have, never ``old == new``; aliases of names outside the source
    roots (``List = typing.List``) only with ``include_external``."""
    out: list[Proposal] = []
    own = {
        f.module: f for f in files if f.module is not None and idx.modules.get(f.module) == f.path
    }
    for module in idx.summarize_where(looks_like_shim, own):  # in parallel for a large tree
        summary = idx.summary(module)
        if summary is not None:
            out.extend(_proposals(idx, own[module], summary))
    out = [
        p
        for p in out
        if p.old not in known
        and p.old != p.new
        and (include_external or p.new.partition(".")[0] in idx.top_levels)
        and _exists(idx, p)
    ]
    used = idx.importer_counts(_module_of(p) for p in out if p.weak)
    out = [p for p in out if not p.weak or used.get(_module_of(p))]
    return rank(idx, out)


def _module_of(p: Proposal) -> str:
    return p.old if p.kind == "module" else dotted.parent(p.old)


def _exists(idx: CodeIndex, p: Proposal) -> bool:
    """The target is there (a module; a module binding the name), or lies outside the
    source roots (checked when the rules load)."""
    if p.new.partition(".")[0] not in idx.top_levels:
        return True
    if p.kind == "module" or p.new in idx.modules:
        return p.new in idx.modules
    return idx.binds_exactly(dotted.parent(p.new), dotted.leaf(p.new))


def rank(idx: CodeIndex, proposals: Iterable[Proposal]) -> list[Proposal]:
    """Importer counts filled in, most first, the first proposal for each ``old`` kept."""
    proposals = list(proposals)
    counts = idx.importer_counts(p.old for p in proposals)
    seen: set[str] = set()
    out = []
    for p in sorted(proposals, key=lambda p: -counts.get(p.old, 0)):
        if p.old in seen:
            continue
        seen.add(p.old)
        out.append(replace(p, importers=counts.get(p.old, 0)))
    return out


def _module_source(idx: CodeIndex, f: SourceFile, s: Summary) -> str:
    """The one module a shim re-exports from, keeping every name: then one module move
    says it all. "" when names are renamed, come from several modules, or the module is a
    package with submodules (a module move would carry them along)."""
    if s.aliases or s.stars or s.getattr_targets or not s.reexports:
        return ""
    sources = {dotted.parent(source) for _, source in s.reexports}
    if len(sources) != 1 or any(dotted.leaf(src) != local for local, src in s.reexports):
        return ""
    (target,) = sources
    if (
        target not in idx.modules
        or dotted.within(target, s.module)
        or dotted.within(s.module, target)
        or any(local in s.references for local, _ in s.reexports)
    ):
        return ""
    if f.is_package and any(dotted.parent(m) == s.module for m in idx.modules):
        return ""
    return target


def _proposals(idx: CodeIndex, f: SourceFile, s: Summary) -> list[Proposal]:
    module = s.module
    warn = " and warns DeprecationWarning at import" if s.warns else ""
    facade = f.is_package and not s.warns  # a package's public API, not a shim
    out: list[Proposal] = []
    if s.shim_only and not facade:
        target = _module_source(idx, f, s)
        if target:
            return [
                Proposal(
                    module,
                    target,
                    "module",
                    f"{f.path} only re-exports names of {target}{warn}",
                    f.path,
                    weak=not s.warns,
                )
            ]
        if not s.reexports and not s.aliases and len(s.stars) == 1:
            return [
                Proposal(
                    module,
                    s.stars[0],
                    "module",
                    f"{f.path} only re-exports {s.stars[0]}{warn}",
                    f.path,
                )
            ]
        if not s.reexports and not s.aliases and len(set(s.getattr_targets)) == 1:
            target = s.getattr_targets[0]
            return [
                Proposal(
                    module,
                    target,
                    "module",
                    f"{f.path} forwards attribute access to {target} (PEP 562){warn}",
                    f.path,
                )
            ]
        for local, source in s.reexports:
            if local.startswith("_") or source.partition(".")[0] in ("warnings", "__future__"):
                continue
            if local in s.references:
                continue  # imported to be used here (an alias's right-hand side, say)
            out.append(
                Proposal(
                    dotted.join(module, local),
                    _define(idx, source),
                    "symbol",
                    f"{f.path} only re-exports it{warn}",
                    f.path,
                    weak=not s.warns,
                )
            )
    for old, source in s.aliases:
        out.append(
            Proposal(
                dotted.join(module, old),
                _define(idx, source),
                "symbol",
                f"alias '{old} = {dotted.leaf(source)}' in {f.path}{warn}",
                f.path,
            )
        )
    return out


def discovered_shims(
    root: str,
    files: Sequence[SourceFile],
    index: dict[str, str],
    known: set[str],
    idx: CodeIndex | None = None,
) -> list[Shim]:
    """Undeclared shims as ``Shim`` values (for ``migrate shims --discovered``), looked for
    in ``files``; ``idx``: the run's index of the whole tree, when it has one."""
    idx = idx if idx is not None else CodeIndex(root, files, index)
    by_module: dict[str, list[Proposal]] = defaultdict(list)
    for p in discover(idx, files, known):
        module = p.old if p.kind == "module" else p.old.rpartition(".")[0]
        by_module[module].append(p)
    out = []
    for module, props in sorted(by_module.items()):
        names = tuple(
            ShimName(
                "*" if p.kind == "module" else p.old.rpartition(".")[2],
                f"discovered: {p.old} -> {p.new}",
                tuple(
                    idx.importers_of(module) if p.kind == "module" else sorted(idx.importers(p.old))
                ),
                (),
            )
            for p in props
        )
        out.append(Shim(module, props[0].path, names, True, ()))
    return out
