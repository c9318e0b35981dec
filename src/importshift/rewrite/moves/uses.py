"""What an import binds and where it is used; the shared state of one analysis.

``Uses`` holds the decisions being built and the helpers every import form needs: the uses
of a binding (from ``bindings.py`` when the file makes them plain, else LibCST's scope
analysis), attribute chains under a binding, lines to add, renames.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ClassScope, GlobalScope, MetadataWrapper, Scope, ScopeProvider

from importshift.core import dotted
from importshift.core.model import Kind, RuleSet
from importshift.core.policy import applies
from importshift.rewrite import nodes, traps
from importshift.rewrite.bindings import Bindings, reads, uses
from importshift.rewrite.collect import Collected

SmallImport = cst.Import | cst.ImportFrom


@dataclass
class Decisions:
    stmt_new: dict[int, cst.BaseSmallStatement | None] = field(default_factory=dict)
    after: dict[int, list[cst.SimpleStatementLine]] = field(default_factory=dict)
    expr_new: dict[int, cst.BaseExpression] = field(default_factory=dict)
    # (rule, text it wrote), in order: lets edits found by a line diff name their rule
    edits: list[tuple[str, str]] = field(default_factory=list)
    touched: list[cst.CSTNode] = field(default_factory=list)
    comment_new: dict[int, cst.Comment] = field(default_factory=dict)


class Uses:
    def __init__(
        self,
        tree: cst.Module,
        found: Collected,
        rules: RuleSet,
        module: str | None,
        is_package: bool,
        source: ast.Module | None,
    ) -> None:
        self.module_node = tree
        self._source = source
        self._bindings: Bindings | None = None
        self._rebound: dict[str, str] | None = None
        self.renames: dict[str, str] = {}  # local names renamed, for ``# type:`` comments
        self._plain: dict[tuple[int, str], list[cst.CSTNode] | None] = {}
        self._wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self.parents = found.parents
        self.rules = rules
        self.module = module
        self.is_package = is_package
        self.found = found
        self.d = Decisions()
        self._added: set[tuple[int, str]] = set()

    def _plain_uses(self, stmt: SmallImport, names: set[str]) -> list[cst.CSTNode] | None:
        """The uses of a module-level import whose name the file binds nowhere else, without
        a scope analysis (see ``bindings.py``); None when that takes the scope analysis."""
        roots = {name.partition(".")[0] for name in names}
        source = self._source
        if source is None or id(stmt) not in self.found.top_level or len(roots) != 1:
            return None
        (root,) = roots
        key = (id(stmt), root)
        if key not in self._plain:  # asked again by _can_rename and _rename: computed once
            self._plain[key] = self._find_plain_uses(stmt, root, source)
        return self._plain[key]

    def _find_plain_uses(
        self, stmt: SmallImport, root: str, source: ast.Module
    ) -> list[cst.CSTNode] | None:
        if self._bindings is None:
            self._bindings = Bindings(source)
        found = uses(root, self.found.spelled.get(root, []), self.parents, self._bindings)
        if found is None:
            return None
        start = self.found.order[id(stmt)]
        if any(self.found.order[id(node)] < start for node in found):
            return None  # read before the import: the scope analysis decides what it reads
        return list(found)

    def scope_of(self, node: cst.CSTNode) -> Scope:
        if self._scopes is None:
            self._scopes = self._wrapper.resolve(ScopeProvider)
        scope = self._scopes.get(node)
        assert scope is not None
        return scope

    # -- helpers -------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        return self.module_node.code_for_node(node)

    def _edit(self, rule: str, node: cst.CSTNode, before: str, after: str) -> None:
        self.d.edits.append((rule, after))
        self.d.touched.append(node)

    def _resolve(self, name: str):  # type: ignore[no-untyped-def]
        return applies(self.rules.resolve(name), self.module)

    def _accesses(
        self, stmt: SmallImport, names: set[str], needed: bool = True
    ) -> list[cst.CSTNode] | None:
        """The uses of what ``stmt`` binds to ``names``; None when not worth a scope analysis."""
        if not needed:
            return None
        plain = self._plain_uses(stmt, names)
        if plain is not None:
            return plain
        scope = self.scope_of(stmt)
        out: dict[int, cst.CSTNode] = {}
        for name in names:
            for assignment in scope.assignments[name]:
                if getattr(assignment, "node", None) is stmt:
                    for access in assignment.references:
                        node = access.node
                        if not isinstance(node, cst.Name) or reads(node, self.parents):
                            out[id(node)] = node
        return list(out.values())

    def _chain(self, node: cst.Name | cst.Attribute) -> tuple[list[cst.BaseExpression], list[str]]:
        top: cst.BaseExpression = node
        while True:
            parent = self.parents.get(id(top))
            if isinstance(parent, cst.Attribute) and parent.value is top:
                top = parent
            else:
                break
        seq: list[cst.BaseExpression] = []
        current: cst.BaseExpression = top
        while isinstance(current, cst.Attribute):
            seq.append(current)
            current = current.value
        seq.append(current)
        seq.reverse()
        names = [nodes.name_of(seq[0])] + [
            n.attr.value for n in seq[1:] if isinstance(n, cst.Attribute)
        ]
        return seq, names

    def _chains(
        self,
        accesses: Sequence[cst.CSTNode] | None,
        base: str,
        plain: bool,
        stmt: SmallImport,
        covered: str | None,
    ) -> tuple[int, int, int]:
        """Rewrite attribute chains under a binding; returns (rewritten, remaining uses,
        rewritten uses that still read the binding: ``import logging`` stays needed by
        ``logging.warn`` -> ``logging.warning``)."""
        if accesses is None:
            return 0, 1, 0
        rewritten = remaining = kept = 0
        base_parts = base.split(".")
        for access in accesses:
            if not isinstance(access, (cst.Name, cst.Attribute)):
                remaining += 1
                continue
            seq, names = self._chain(access)
            if any(id(n) in self.d.expr_new for n in seq[1:]):
                rewritten += 1
                continue
            full = names if plain else base_parts + names[1:]
            move = self.rules.match(".".join(full))
            if move is None:
                remaining += 1
                continue
            old_parts = move.old.split(".")
            k = len(old_parts) - (1 if plain else len(base_parts))
            if k < (0 if plain else 1) or k >= len(seq):
                remaining += 1
                continue
            res = self._resolve(move.old)
            if res is None:
                remaining += 1
                continue
            target = seq[k]
            new_expr = nodes.expr(res.new)
            if isinstance(target, (cst.Name, cst.Attribute)):
                new_expr = new_expr.with_changes(lpar=target.lpar, rpar=target.rpar)
            self.d.expr_new[id(target)] = new_expr
            self._edit(move.id, target, self._code(target), res.new)
            needed = dotted.parent(res.new) if move.kind is Kind.SYMBOL else res.new
            if needed and covered and dotted.within(covered, needed):
                kept += 1  # the new chain starts with the same imported name
            elif needed:
                self._need(needed, stmt)
            rewritten += 1
        return rewritten, remaining, kept

    def _need(self, module: str, stmt: SmallImport) -> None:
        if any(
            dotted.within(existing, module)
            for owner, existing in self.found.global_plain
            if owner != id(stmt)
        ):
            return
        block = self._block_of(stmt)
        if (id(block), module) in self._added or (id(self.module_node), module) in self._added:
            return
        self._added.add((id(block), module))
        line = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(nodes.expr(module))])])
        self.d.after.setdefault(id(stmt), []).append(line)
        self.d.touched.append(stmt)

    def _block_of(self, stmt: cst.CSTNode) -> cst.CSTNode:
        node = self.parents.get(id(stmt))
        while node is not None and not isinstance(
            node, (cst.Module, cst.IndentedBlock, cst.SimpleStatementSuite)
        ):
            node = self.parents.get(id(node))
        return node if node is not None else self.module_node

    def _can_rename(self, stmt: SmallImport, name: str, new_name: str) -> bool:
        if name in self.found.exports or name in self.found.blocked:
            return False
        if traps.rebinding(self.rebound(), name) is not None:
            return False  # walrus, globals()[...], exec...: keep the name as an alias
        if self._in_doctest(name):
            return False  # doctests run in the module's globals: they read the old name
        if new_name in self.found.names:
            return False
        if self._plain_uses(stmt, {name}) is not None:
            # a module-level import bound once, read only through plain names
            return not self.is_package
        scope = self.scope_of(stmt)
        accesses = self._accesses(stmt, {name}) or []
        if isinstance(scope, ClassScope):
            return False  # a class attribute: other code reads it by name
        if self.is_package and isinstance(scope, GlobalScope):
            return False  # a package re-export: importers of the package use this name
        if new_name in self.found.names:
            return False
        if len(scope.assignments[name]) != 1:
            return False
        return all(isinstance(a, cst.Name) for a in accesses)

    def _in_doctest(self, name: str) -> bool:
        """Whether a docstring's doctest (``>>>``) names ``name``."""
        word = re.compile(rf"\b{re.escape(name)}\b")
        return any(">>>" in node.value and word.search(node.value) for node in self.found.strings)

    def source(self) -> ast.Module:
        """The stdlib ``ast`` of the file (parsed here when the caller did not pass it)."""
        if self._source is None:
            self._source = ast.parse(self.module_node.code)
        return self._source

    def rebound(self) -> dict[str, str]:
        if self._rebound is None:
            self._rebound = traps.rebound(self.source())
        return self._rebound

    def _rename(self, rule: str, accesses: Sequence[cst.CSTNode], new_name: str) -> None:
        self.found.names.add(new_name)
        for access in accesses:
            if isinstance(access, cst.Name) and id(access) not in self.d.expr_new:
                self.d.expr_new[id(access)] = access.with_changes(value=new_name)
                self._edit(rule, access, access.value, new_name)

    def _relative(self, target: str, was_relative: bool) -> tuple[int, str] | None:
        if not was_relative or self.module is None:
            return None
        return dotted.relativize(target, self.module, self.is_package)

    def _record(self, rule: str, stmt: SmallImport, new: cst.BaseSmallStatement | None) -> None:
        self.d.stmt_new[id(stmt)] = new
        after = self.d.after.get(id(stmt), [])
        parts = [self._code(new)] if new is not None else []
        parts += [self.module_node.code_for_node(line).rstrip("\r\n") for line in after]
        self._edit(rule, stmt, self._code(stmt), "\n".join(parts))
