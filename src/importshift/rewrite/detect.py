"""Finds the sites of old dotted names with the stdlib ``ast``: fast, no rewriting.

Used as the second filter stage of ``plan`` (a file with no site is never parsed by LibCST)
and as the whole of ``check``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from importshift.core import dotted
from importshift.core.model import Kind, Note, RuleSet, Site
from importshift.core.policy import applies, is_shim_of
from importshift.rewrite import traps


def find_sites(
    tree: ast.Module,
    rules: RuleSet,
    module: str | None,
    is_package: bool,
    data: bytes | None = None,
) -> tuple[list[Site], list[Note]]:
    """Every site in ``tree``. With the source ``data``, the expression tree is walked only
    when the text can hold an attribute chain or a string that a rule concerns."""
    finder = _Finder(rules, module, is_package)
    finder.run(tree, data)
    finder.sites.sort(key=lambda s: (s.line, s.column))
    return finder.sites, finder.notes + [_as_note(p) for p in finder.problems]


def find_gate_sites(
    tree: ast.Module,
    rules: RuleSet,
    module: str | None,
    is_package: bool,
    data: bytes | None = None,
) -> list[Site]:
    """What ``check`` reports: every site, and the problems the rewrite cannot fix
    (self-imports it cannot drop, uses of a name whose definition moved away)."""
    finder = _Finder(rules, module, is_package)
    finder.run(tree, data)
    return sorted(finder.sites + finder.problems, key=lambda s: (s.line, s.column))


def _as_note(problem: Site) -> Note:
    if problem.form == "undefined":
        text = (
            f"'{dotted.leaf(problem.old)}' is read here but this module no longer defines or "
            f"imports it (it moved to '{problem.new}'): add an import"
        )
    else:
        text = (
            f"self-import of '{problem.old}' in the module that now defines it as "
            f"'{problem.new}': cannot be rewritten, fix it by hand"
        )
    return Note(problem.rule, problem.line, problem.column, text)


class _Finder:
    def __init__(self, rules: RuleSet, module: str | None, is_package: bool) -> None:
        self.rules = rules
        self.module = module
        self.is_package = is_package
        self.sites: list[Site] = []
        self.notes: list[Note] = []
        self.problems: list[Site] = []  # reported, not rewritten
        self.fallbacks: set[int] = set()
        self.defined: set[str] | None = None
        self.tree: ast.Module | None = None
        self.data: bytes | None = None
        self.resolved = False
        self._rebound: dict[str, str] | None = None
        self.bindings: dict[str, list[tuple[str, bool]]] = {}  # local -> (dotted, plain import)

    def _site(self, node: ast.AST, name: str, form: str) -> bool:
        found = self.rules.resolve(name)
        self.resolved = found is not None  # moved at all (maybe a self-import)
        res = applies(found, self.module)
        if res is None:
            return False
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
        self.sites.append(Site(res.move.id, line, col, name, res.new, form))
        return True

    def run(self, tree: ast.Module, data: bytes | None) -> None:
        self.tree = tree
        self.data = data
        if data is None or b"ImportError" in data or b"ModuleNotFoundError" in data:
            self.fallbacks = traps.fallbacks(_statements(tree.body))
        for stmt in _statements(tree.body):
            if id(stmt) in self.fallbacks:
                continue  # the fallback half of a two-version import: kept on purpose
            if isinstance(stmt, ast.ImportFrom):
                self._import_from(stmt)
            elif isinstance(stmt, ast.Import):
                self._import(stmt)
        self._undefined(tree)
        if not (self._chains_possible(data) or self._strings_possible(data)):
            return  # walking every expression is most of the cost: skip it when pointless
        strings: list[ast.Constant] = []
        attributes: list[ast.Attribute] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                attributes.append(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node)
        self._attributes(attributes)
        for node in strings:
            self._string(node)

    def _undefined(self, tree: ast.Module) -> None:
        for move, line, col in traps.undefined_uses(tree, self.rules, self.module):
            self.problems.append(Site(move.id, line, col, move.old, move.target, "undefined"))

    def _self_import(self, node: ast.stmt, name: str, local: str) -> None:
        """An import of ``name`` in the module that now defines it: the rewrite drops it
        when the module binds the same local name itself; otherwise it is a problem."""
        if not self.resolved:
            return  # the name moved nowhere (the common case): no resolving again
        res = traps.self_import(self.rules, name, self.module)
        if res is None or self.tree is None:
            return
        if self.defined is None:
            self.defined = traps.top_level_bound(self.tree)
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
        site = Site(res.move.id, line, col, name, res.new, "self-import")
        droppable = (
            isinstance(node, ast.ImportFrom)
            and local == dotted.leaf(res.new)
            and local in self.defined
        ) or (isinstance(node, ast.Import) and res.new == self.module and not self._reads(local))
        (self.sites if droppable else self.problems).append(site)

    def _reads(self, local: str) -> bool:
        assert self.tree is not None
        return traps.reads(self.tree, local)

    def _rename_note(self, node: ast.ImportFrom, local: str, new: str, rule: str) -> None:
        if self._rebound is None:
            assert self.tree is not None
            may = traps.may_rebind(self.data)
            self._rebound = traps.rebound(self.tree) if may else {}
        why = traps.rebinding(self._rebound, local)
        if why is not None:
            self.notes.append(
                Note(
                    rule,
                    node.lineno,
                    node.col_offset + 1,
                    f"'{local}' is rebound by {why}: the import keeps it as an alias "
                    f"(from {dotted.parent(new)} import {dotted.leaf(new)} as {local})",
                )
            )

    def _chains_possible(self, data: bytes | None) -> bool:
        for local, bound in self.bindings.items():
            for base, plain in bound:
                moved = self.rules.has_below(base) or (plain and self.rules.match(base))
                if moved and (data is None or (local + ".").encode() in data):
                    return True
        return False

    def _strings_possible(self, data: bytes | None) -> bool:
        return data is None or any(m.old.encode() in data for m in self.rules.moves)

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = dotted.resolve_relative(node.level, node.module or "", self.module, self.is_package)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self._star(node, base)
                continue
            full = dotted.join(base, alias.name)
            local = alias.asname or alias.name
            self.bindings.setdefault(local, []).append((full, False))
            if self._site(node, full, "import"):
                new = self.sites[-1].new
                if alias.asname is None and dotted.leaf(new) != alias.name:
                    self._rename_note(node, local, new, self.sites[-1].rule)
            else:
                self._self_import(node, full, local)

    def _star(self, node: ast.ImportFrom, base: str) -> None:
        if base and self._site(node, base, "star"):
            return
        moved = sorted(
            m.old
            for m in self.rules.moves
            if m.kind is Kind.SYMBOL
            and dotted.parent(m.old) == base
            and not is_shim_of(self.module, m)
        )
        if moved:
            self.notes.append(
                Note(
                    moved[0],
                    node.lineno,
                    node.col_offset + 1,
                    f"'from {base} import *' may rely on moved names: " + ", ".join(moved),
                )
            )

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bindings.setdefault(alias.asname, []).append((alias.name, False))
            else:
                root = alias.name.partition(".")[0]
                self.bindings.setdefault(root, []).append((root, True))
            if not self._site(node, alias.name, "import"):
                self._self_import(node, alias.name, alias.asname or alias.name)

    def _attributes(self, attributes: list[ast.Attribute]) -> None:
        inner: set[int] = set()
        for node in attributes:  # ast.walk is breadth first: outer chains come first
            if id(node) in inner:
                continue
            parts: list[str] = []
            current: ast.expr = node
            while isinstance(current, ast.Attribute):
                inner.add(id(current))
                parts.append(current.attr)
                current = current.value
            if not isinstance(current, ast.Name) or current.id not in self.bindings:
                continue
            parts.reverse()
            for base, plain in self.bindings[current.id]:
                chain = dotted.join(base, *parts)
                move = self.rules.match(chain)
                if move is None or (not plain and len(move.old) <= len(base)):
                    continue
                if len(move.old.split(".")) > len(base.split(".")) + len(parts):
                    continue
                self._site(node, move.old, "attribute")
                break

    def _string(self, node: ast.Constant) -> None:
        value = node.value
        if not isinstance(value, str) or "." not in value or not dotted.is_identifier_path(value):
            return
        res = applies(self.rules.resolve(value), self.module)
        if res is None:
            return
        line, col = node.lineno, node.col_offset + 1
        if self.rules.strings_enabled(res.move):
            self.sites.append(Site(res.move.id, line, col, value, res.new, "string"))
        else:
            self.notes.append(
                Note(
                    res.move.id,
                    line,
                    col,
                    f"string reference {value!r} -> {res.new!r} left for manual "
                    "follow-up (enable 'strings' to rewrite it)",
                )
            )


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, at any depth, without walking expressions."""
    for stmt in body:
        yield stmt
        for field in _BODIES:
            inner = getattr(stmt, field, None)
            if not inner:
                continue
            for item in inner:
                if isinstance(item, ast.stmt):
                    yield from _statements([item])
                else:  # an except handler or a match case
                    yield from _statements(item.body)
