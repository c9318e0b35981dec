"""The move codemod: rewrites imports, attribute chains and strings of moved dotted names.

Two passes over one parse. ``_Analyzer`` reads the tree and decides every change
(statement replacements, lines to add, expressions to swap); ``_Applier`` applies them in
one transform and tidies each block (dropped lines, merged imports). The uses of an import
come from ``bindings.py`` when the file makes them plain, else from LibCST's scope analysis.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ClassScope, GlobalScope, MetadataWrapper, Scope, ScopeProvider

from importshift.core import dotted
from importshift.core.model import Kind, RuleSet
from importshift.core.policy import applies
from importshift.rewrite import nodes
from importshift.rewrite.bindings import Bindings, reads, uses
from importshift.rewrite.collect import Collected

_SmallImport = cst.Import | cst.ImportFrom


@dataclass
class _Decisions:
    stmt_new: dict[int, cst.BaseSmallStatement | None] = field(default_factory=dict)
    after: dict[int, list[cst.SimpleStatementLine]] = field(default_factory=dict)
    expr_new: dict[int, cst.BaseExpression] = field(default_factory=dict)
    # (rule, text it wrote), in order: lets edits found by a line diff name their rule
    edits: list[tuple[str, str]] = field(default_factory=list)
    touched: list[cst.CSTNode] = field(default_factory=list)


def rewrite_moves(
    tree: cst.Module,
    rules: RuleSet,
    module: str | None,
    is_package: bool,
    source: ast.Module | None = None,
) -> tuple[cst.Module, list[tuple[str, str]]]:
    """Apply every move of ``rules`` to ``tree`` (a module named ``module``).

    ``source`` is the same file's stdlib ``ast``, when the caller has it: with it, most
    files need no scope analysis. Returns the new tree and, in order, each rule applied
    with the text it wrote.
    """
    found = Collected(tree)
    if not found.imports and not (found.strings and rules.strings_enabled_any()):
        return tree, []
    analyzer = _Analyzer(tree, found, rules, module, is_package, source)
    decisions = analyzer.run()
    if not (decisions.stmt_new or decisions.after or decisions.expr_new):
        return tree, []
    applier = _Applier(decisions, module, is_package, _ancestors(decisions, found.parents))
    return tree.visit(applier), decisions.edits


def _ancestors(d: _Decisions, parents: dict[int, cst.CSTNode]) -> set[int]:
    """Every node on the way from the root to a node that changes: the rest is not visited."""
    out: set[int] = set()
    for node in d.touched:
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in out:
            out.add(id(current))
            current = parents.get(id(current))
    return out


class _Analyzer:
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
        self._plain: dict[tuple[int, str], list[cst.CSTNode] | None] = {}
        self._wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self.parents = found.parents
        self.rules = rules
        self.module = module
        self.is_package = is_package
        self.found = found
        self.d = _Decisions()
        self._added: set[tuple[int, str]] = set()

    def _plain_uses(self, stmt: _SmallImport, names: set[str]) -> list[cst.CSTNode] | None:
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
        self, stmt: _SmallImport, root: str, source: ast.Module
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

    def run(self) -> _Decisions:
        for node in self.found.imports:
            if isinstance(node, cst.ImportFrom):
                self._import_from(node)
            else:
                self._import(node)
        for string in self.found.strings:
            self._string(string)
        return self.d

    # -- helpers -------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        return self.module_node.code_for_node(node)

    def _edit(self, rule: str, node: cst.CSTNode, before: str, after: str) -> None:
        self.d.edits.append((rule, after))
        self.d.touched.append(node)

    def _resolve(self, name: str):  # type: ignore[no-untyped-def]
        return applies(self.rules.resolve(name), self.module)

    def _accesses(
        self, stmt: _SmallImport, names: set[str], needed: bool = True
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
        stmt: _SmallImport,
        covered: str | None,
    ) -> tuple[int, int]:
        """Rewrite attribute chains under a binding; returns (rewritten, remaining uses)."""
        if accesses is None:
            return 0, 1
        rewritten = remaining = 0
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
            if needed and not (covered and dotted.within(covered, needed)):
                self._need(needed, stmt)
            rewritten += 1
        return rewritten, remaining

    def _need(self, module: str, stmt: _SmallImport) -> None:
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

    def _can_rename(self, stmt: _SmallImport, name: str, new_name: str) -> bool:
        if name in self.found.exports or name in self.found.blocked:
            return False
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

    def _record(self, rule: str, stmt: _SmallImport, new: cst.BaseSmallStatement | None) -> None:
        self.d.stmt_new[id(stmt)] = new
        after = self.d.after.get(id(stmt), [])
        parts = [self._code(new)] if new is not None else []
        parts += [self.module_node.code_for_node(line).rstrip("\r\n") for line in after]
        self._edit(rule, stmt, self._code(stmt), "\n".join(parts))

    # -- import forms --------------------------------------------------------------------

    def _import_from(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        base = dotted.resolve_relative(
            level, nodes.name_of(node.module), self.module, self.is_package
        )
        if base is None:
            return
        if isinstance(node.names, cst.ImportStar):
            res = self._resolve(base) if base else None
            if res is not None:
                relative, module = nodes.from_module(res.new, self._relative(res.new, level > 0))
                self._record(res.move.id, node, node.with_changes(relative=relative, module=module))
            return
        keep: list[cst.ImportAlias] = []
        groups: dict[str, list[cst.ImportAlias]] = {}
        rule = ""
        for alias in node.names:
            name, asname = nodes.alias_name(alias), nodes.alias_as(alias)
            local = asname or name
            full = dotted.join(base, name)
            res = self._resolve(full)
            chains = local in self.found.attr_roots and self.rules.has_below(full)
            accesses = self._accesses(node, {local}, chains)
            rewritten, remaining = self._chains(accesses, full, False, node, None)
            if rewritten:
                rule = rule or self.d.edits[-1][0]
            if rewritten and not remaining and local not in self.found.exports:
                continue  # every use now names the new place: the import goes
            if res is None:
                keep.append(alias)
                continue
            rule = rule or res.move.id
            new_module, new_name = dotted.parent(res.new), dotted.leaf(res.new)
            if asname is not None:
                new_as = None if asname == new_name else asname
            elif new_name == name:
                new_as = None
            elif self._can_rename(node, name, new_name):
                new_as = None
                self._rename(res.move.id, self._accesses(node, {local}) or [], new_name)
            else:
                new_as = name
            groups.setdefault(new_module, []).append(nodes.set_alias(alias, new_name, new_as))
        if len(keep) == len(node.names) and not groups:
            return  # nothing moved here; lines that chains need were queued by _chains
        self._build_from(node, base, level > 0, keep, groups, rule or "?")

    def _build_from(
        self,
        node: cst.ImportFrom,
        base: str,
        was_relative: bool,
        keep: list[cst.ImportAlias],
        groups: dict[str, list[cst.ImportAlias]],
        rule: str,
    ) -> None:
        paren = node.lpar is not None
        original = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
        lines: list[cst.SimpleStatementLine] = []
        if not keep and len(groups) == 1 and next(iter(groups)):
            target, aliases = next(iter(groups.items()))
            relative, module = nodes.from_module(target, self._relative(target, was_relative))
            new: cst.BaseSmallStatement | None = node.with_changes(
                relative=relative,
                module=module,
                names=_close(aliases, original, paren),
                rpar=node.rpar,
            )
        else:
            new = node.with_changes(names=_close(keep, original, paren)) if keep else None
            for target, aliases in groups.items():
                lines.append(self._new_import_line(target, aliases, was_relative, node))
        self.d.after.setdefault(id(node), [])[:0] = lines
        self._record(rule, node, new)

    def _new_import_line(
        self,
        target: str,
        aliases: list[cst.ImportAlias],
        was_relative: bool,
        original: cst.ImportFrom,
    ) -> cst.SimpleStatementLine:
        comments = [_comment_of(a) for a in aliases]
        bare = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
        if not target:  # moved to a top-level module: ``import x as local``
            return cst.SimpleStatementLine(
                [cst.Import([cst.ImportAlias(a.name, a.asname) for a in bare])]
            )
        relative, module = nodes.from_module(target, self._relative(target, was_relative))
        present = [c for c in comments if c is not None]
        if len(present) <= 1:
            spaced = [
                a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                for a in bare[:-1]
            ] + bare[-1:]
            stmt = cst.ImportFrom(module=module, relative=relative, names=spaced)
            trailing = (
                cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=present[0])
                if present
                else cst.TrailingWhitespace()
            )
            return cst.SimpleStatementLine([stmt], trailing_whitespace=trailing)
        indent = "    "
        if original.lpar is not None and isinstance(
            original.lpar.whitespace_after, cst.ParenthesizedWhitespace
        ):
            indent = original.lpar.whitespace_after.last_line.value or indent
        items = []
        for i, (alias, comment) in enumerate(zip(bare, comments, strict=False)):
            last = i == len(bare) - 1
            first = cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  " if comment else ""), comment=comment
            )
            items.append(
                alias.with_changes(
                    comma=cst.Comma(
                        whitespace_after=(
                            cst.ParenthesizedWhitespace(
                                first_line=first,
                                indent=True,
                                last_line=cst.SimpleWhitespace("" if last else indent),
                            )
                        )
                    )
                )
            )
        lpar = cst.LeftParen(
            whitespace_after=cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(),
                indent=True,
                last_line=cst.SimpleWhitespace(indent),
            )
        )
        stmt = cst.ImportFrom(
            module=module, relative=relative, names=items, lpar=lpar, rpar=cst.RightParen()
        )
        return cst.SimpleStatementLine([stmt])

    def _import(self, node: cst.Import) -> None:
        new_aliases: list[cst.ImportAlias] = []
        changed = False
        rule = ""
        for alias in node.names:
            name, asname = nodes.alias_name(alias), nodes.alias_as(alias)
            res = self._resolve(name)
            new_name = res.new if res else name
            if asname is not None:
                chains = asname in self.found.attr_roots and self.rules.has_below(name)
                accesses = self._accesses(node, {asname}, chains)
                rewritten, remaining = self._chains(accesses, name, False, node, None)
                exported = asname in self.found.exports
            else:
                root = name.partition(".")[0]
                parts = name.split(".")
                prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
                moves_root = res is not None and res.new.partition(".")[0] != root
                chains = moves_root or (
                    root in self.found.attr_roots
                    and (res is not None or self.rules.has_below(root))
                )
                accesses = self._accesses(node, prefixes, chains)
                rewritten, remaining = self._chains(accesses, root, True, node, new_name)
                exported = root in self.found.exports
            if rewritten:
                changed = True
                rule = rule or self.d.edits[-1][0]
            if rewritten and not remaining and not exported and (res is None or asname):
                continue  # every use now names the new place: the import goes
            if res is None:
                new_aliases.append(alias)
                continue
            changed = True
            rule = rule or res.move.id
            if asname is not None:
                keep_as = None if asname == res.new else asname
                new_aliases.append(nodes.set_alias(alias, res.new, keep_as))
            else:
                new_aliases.append(nodes.set_alias(alias, res.new, None))
                root = name.partition(".")[0]
                if remaining and res.new.partition(".")[0] != root:
                    self._need(root, node)
        if not changed:
            return
        if len(new_aliases) == len(node.names) and all(
            a is b for a, b in zip(new_aliases, node.names, strict=False)
        ):
            return  # only chains changed; lines needed were queued by _chains
        new = (
            node.with_changes(names=_close(new_aliases, list(node.names), False))
            if new_aliases
            else None
        )
        self._record(rule or "?", node, new)

    def _string(self, node: cst.SimpleString) -> None:
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes: not a dotted name anyway
            return
        if not isinstance(value, str) or "." not in value or not dotted.is_identifier_path(value):
            return
        res = self._resolve(value)
        if res is None or not self.rules.strings_enabled(res.move) or node.raw_value != value:
            return
        new = node.with_changes(value=f"{node.prefix}{node.quote}{res.new}{node.quote}")
        self.d.expr_new[id(node)] = new
        self._edit(res.move.id, node, node.value, new.value)


def _comment_of(alias: cst.ImportAlias) -> cst.Comment | None:
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line.comment
    return None


def _close(
    aliases: list[cst.ImportAlias], original: list[cst.ImportAlias], paren: bool
) -> list[cst.ImportAlias]:
    """Fix the tail of a shortened alias list so the closing layout stays the original's."""
    if not aliases:
        return aliases
    if not paren:
        return nodes.strip_last_comma(aliases, False)
    out = list(aliases)
    last, orig_last = out[-1], original[-1]
    if (
        last is orig_last
        or nodes.alias_name(last) == nodes.alias_name(orig_last)
        and last.comma == orig_last.comma
    ):
        return out
    comma = last.comma
    if isinstance(orig_last.comma, cst.Comma) and isinstance(comma, cst.Comma):
        ws, closing = comma.whitespace_after, orig_last.comma.whitespace_after
        if isinstance(ws, cst.ParenthesizedWhitespace) and isinstance(
            closing, cst.ParenthesizedWhitespace
        ):
            out[-1] = last.with_changes(
                comma=comma.with_changes(
                    whitespace_after=ws.with_changes(last_line=closing.last_line)
                )
            )
        elif not isinstance(ws, cst.ParenthesizedWhitespace):
            out[-1] = last.with_changes(comma=orig_last.comma)
    elif (
        isinstance(comma, cst.Comma)
        and isinstance(orig_last.comma, cst.MaybeSentinel)
        and _comment_of(last) is None
    ):
        out[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return out


class _Applier(cst.CSTTransformer):
    def __init__(
        self, decisions: _Decisions, module: str | None, is_package: bool, wanted: set[int]
    ) -> None:
        super().__init__()
        self.wanted = wanted
        self.d = decisions
        self.module = module
        self.is_package = is_package
        # keyed by id() of nodes made during the transform: the values keep them alive, so
        # an id is never reused by another node while it is a key here
        self.pending: dict[int, tuple[cst.CSTNode, list[cst.SimpleStatementLine], bool]] = {}
        self.ours: dict[int, cst.CSTNode] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) not in self.wanted:
            return False  # nothing below changes
        return super().on_visit(node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def _small(
        self, original: Sequence[cst.BaseSmallStatement], updated: Sequence[cst.BaseSmallStatement]
    ) -> tuple[list[cst.BaseSmallStatement], list[cst.SimpleStatementLine], bool]:
        body: list[cst.BaseSmallStatement] = []
        extras: list[cst.SimpleStatementLine] = []
        touched = False
        for orig, upd in zip(original, updated, strict=False):
            extras.extend(self.d.after.get(id(orig), []))
            if id(orig) in self.d.stmt_new:
                touched = True
                new = self.d.stmt_new[id(orig)]
                if new is not None:
                    body.append(new)
            else:
                body.append(upd)
        dropped_last = self.d.stmt_new.get(id(original[-1]), original[-1]) is None
        if body and dropped_last and not isinstance(body[-1].semicolon, cst.MaybeSentinel):
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return body, extras, touched or bool(extras)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        body, extras, touched = self._small(original_node.body, updated_node.body)
        if not touched:
            return updated_node
        line = updated_node.with_changes(body=body) if body else updated_node
        self.pending[id(line)] = (line, extras, not body)
        return line

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        body, extras, touched = self._small(original_node.body, updated_node.body)
        if not touched:
            return updated_node
        for line in extras:
            body.extend(line.body)
        spaced = [
            s.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
            for s in body[:-1]
        ]
        return updated_node.with_changes(body=[*spaced, *body[-1:]] or [cst.Pass()])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, carry = self._tidy(updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=carry)]
            carry = []
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, carry = self._tidy(updated_node.body)
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def _tidy(
        self, body: Sequence[cst.BaseStatement]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        out: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        touched = False
        for stmt in body:
            info = self.pending.get(id(stmt))
            if info is None or info[0] is not stmt:
                if carry:
                    leading = getattr(stmt, "leading_lines", ())
                    stmt = stmt.with_changes(leading_lines=[*carry, *leading])
                    carry = []
                out.append(stmt)
                continue
            touched = True
            _, extras, emptied = info
            assert isinstance(stmt, cst.SimpleStatementLine)
            if emptied:
                carry.extend(stmt.leading_lines)
                if stmt.trailing_whitespace.comment is not None:
                    carry.append(cst.EmptyLine(comment=stmt.trailing_whitespace.comment))
            else:
                if carry:
                    stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines])
                    carry = []
                out.append(stmt)
                self.ours[id(stmt)] = stmt
            for extra in extras:
                if carry:
                    extra = extra.with_changes(leading_lines=carry)
                    carry = []
                out.append(extra)
                self.ours[id(extra)] = extra
        if touched:
            out = self._merge(out)
        return out, carry

    # -- one ``from N import`` per block -------------------------------------------------

    def _key(self, stmt: cst.BaseStatement) -> str | None:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        node = stmt.body[0]
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return None
        return dotted.resolve_relative(
            len(node.relative), nodes.name_of(node.module), self.module, self.is_package
        )

    def _merge(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        out = list(body)
        removed: set[int] = set()
        for i, stmt in enumerate(out):
            if self.ours.get(id(stmt)) is not stmt or i in removed:
                continue
            key = self._key(stmt)
            if key is None:
                continue
            for j, other in enumerate(out):
                if j == i or j in removed or self._key(other) != key:
                    continue
                if j < i and _plain_line(out[i]):
                    out[j] = _merged(out[j], out[i])
                    removed.add(i)
                elif (
                    j > i
                    and _plain_line(out[j])
                    and all(_is_import_line(s) for s in out[i + 1 : j])
                ):
                    out[i] = _merged(out[i], out[j])
                    self.ours[id(out[i])] = out[i]
                    removed.add(j)
                break
        return [s for k, s in enumerate(out) if k not in removed]


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _plain_line(stmt: cst.BaseStatement) -> bool:
    """A line that can disappear into another without losing a comment."""
    return not nodes.comments_in(stmt)


def _merged(into: cst.BaseStatement, source: cst.BaseStatement) -> cst.BaseStatement:
    assert isinstance(into, cst.SimpleStatementLine) and isinstance(source, cst.SimpleStatementLine)
    target, extra = into.body[0], source.body[0]
    assert isinstance(target, cst.ImportFrom) and isinstance(extra, cst.ImportFrom)
    assert not isinstance(extra.names, cst.ImportStar)
    aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in extra.names]
    return into.with_changes(body=[nodes.append_aliases(target, aliases)])
