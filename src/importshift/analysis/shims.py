"""Shims: the old modules of moves while they exist, who still uses them, and removing
what nobody uses any more (an alias line, an ``__all__`` entry, or the whole module)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from importshift.codebase import scan
from importshift.codebase.summary import Summary, summarize
from importshift.core import dotted
from importshift.core.model import FileOutcome, Kind, RuleSet, SourceFile


@dataclass(frozen=True, slots=True)
class ShimName:
    name: str  # the name the shim still provides ("*" for a whole moved module)
    rule: str
    importers: tuple[str, ...]  # files that import it
    strings: tuple[str, ...]  # "path:line" of string references (mock.patch, import_module)


@dataclass(frozen=True, slots=True)
class Shim:
    module: str
    path: str  # "" once the module is gone
    names: tuple[ShimName, ...]
    shim_only: bool
    other_importers: tuple[str, ...]  # files importing names of the module that did not move

    @property
    def status(self) -> str:
        if not self.path:
            return "retired"
        if any(n.importers or n.strings for n in self.names):
            return "in use"
        return "ready to retire"


def find_shims(
    rules: RuleSet,
    index: dict[str, str],
    outcomes: Iterable[FileOutcome],
    files: Iterable[SourceFile],
) -> list[Shim]:
    importers: dict[str, set[str]] = defaultdict(set)
    strings: dict[str, set[str]] = defaultdict(set)
    for o in outcomes:
        for e in o.edits:
            importers[e.rule].add(o.path)
        for n in o.notes:
            if n.message.startswith("string reference"):
                strings[n.rule].add(f"{o.path}:{n.line}")
    by_module: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for move in rules.moves:
        by_module[move.old_module].append(move)
    files = list(files)
    ours = {m.partition(".")[0] for m in index}
    out = []
    for module, moves in sorted(by_module.items()):
        if module.partition(".")[0] not in ours:
            continue  # a third-party module: not ours to retire
        path = index.get(module) or ""
        names = tuple(
            ShimName(
                "*" if m.kind is Kind.MODULE else dotted.leaf(m.old),
                m.id,
                tuple(sorted(importers[m.id])),
                tuple(sorted(strings[m.id])),
            )
            for m in moves
        )
        summary = _summary(rules.root, path, module) if path else None
        moved = {n.name for n in names}
        others = (
            ()
            if not path or "*" in moved
            else tuple(importers_of(rules.root, files, module, exclude_names=moved))
        )
        out.append(Shim(module, path, names, bool(summary and summary.shim_only), others))
    return out


def _summary(root: str, path: str, module: str) -> Summary | None:
    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return summarize(data, module, path.endswith("__init__.py"))


def importers_of(
    root: str,
    files: Iterable[SourceFile],
    module: str,
    exclude_names: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Files that import ``module`` (or a name from it other than ``exclude_names``)."""
    token = dotted.leaf(module).encode()
    parent, leaf = dotted.parent(module), dotted.leaf(module)
    out = []
    for f in files:
        if f.module is not None and dotted.within(f.module, module):
            continue  # the shim itself (and its submodules)
        try:
            with open(os.path.join(root, f.path), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if token not in data:
            continue
        for stmt in scan.imports(data):
            base = dotted.resolve_relative(stmt.level, stmt.module, f.module, f.is_package)
            if base is None:
                continue
            if not stmt.is_from:
                if dotted.within(base, module):
                    out.append(f.path)
                    break
                continue
            if dotted.within(base, module) and (
                base != module or any(n not in exclude_names for n, _ in stmt.names)
            ):
                out.append(f.path)
                break
            if base == parent and any(n == leaf for n, _ in stmt.names):
                out.append(f.path)
                break
    return out


class _Remove(cst.CSTTransformer):
    """Drops the bindings of ``names`` (import aliases, ``Old = New`` lines, ``__all__``)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def _bound(self, alias: cst.ImportAlias) -> str:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        return _name(alias.name).partition(".")[0]

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        keep = [a for a in updated_node.names if self._bound(a) not in self.names]
        if len(keep) == len(updated_node.names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        if updated_node.lpar is None and not isinstance(keep[-1].comma, cst.MaybeSentinel):
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep)

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.Assign | cst.RemovalSentinel:
        targets = [t.target for t in updated_node.targets]
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            if targets[0].value in self.names:
                return cst.RemoveFromParent()
            if targets[0].value == "__all__" and isinstance(
                updated_node.value, (cst.List, cst.Tuple)
            ):
                elements = [
                    e
                    for e in updated_node.value.elements
                    if not (
                        isinstance(e.value, cst.SimpleString)
                        and e.value.evaluated_value in self.names
                    )
                ]
                if len(elements) != len(updated_node.value.elements):
                    if (
                        elements
                        and isinstance(updated_node.value, cst.List)
                        and not isinstance(elements[-1].comma, cst.MaybeSentinel)
                        and not _multiline(updated_node.value)
                    ):
                        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    return updated_node.with_changes(
                        value=updated_node.value.with_changes(elements=elements)
                    )
        return updated_node


def _multiline(node: cst.List | cst.Tuple) -> bool:
    return "\n" in cst.Module([]).code_for_node(node)


def _name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_name(node.value)}.{node.attr.value}"
    return ""


def remove_names(data: bytes, names: set[str]) -> bytes:
    """The shim's source without the bindings of ``names`` (byte-exact elsewhere)."""
    tree = cst.parse_module(data)
    return tree.visit(_Remove(names)).bytes
