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
    return finder.sites, finder.notes


class _Finder:
    def __init__(self, rules: RuleSet, module: str | None, is_package: bool) -> None:
        self.rules = rules
        self.module = module
        self.is_package = is_package
        self.sites: list[Site] = []
        self.notes: list[Note] = []
        self.bindings: dict[str, list[tuple[str, bool]]] = {}  # local -> (dotted, plain import)

    def _site(self, node: ast.AST, name: str, form: str) -> bool:
        res = applies(self.rules.resolve(name), self.module)
        if res is None:
            return False
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
        self.sites.append(Site(res.move.id, line, col, name, res.new, form))
        return True

    def run(self, tree: ast.Module, data: bytes | None) -> None:
        for stmt in _statements(tree.body):
            if isinstance(stmt, ast.ImportFrom):
                self._import_from(stmt)
            elif isinstance(stmt, ast.Import):
                self._import(stmt)
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
            self.bindings.setdefault(alias.asname or alias.name, []).append((full, False))
            self._site(node, full, "import")

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
            self._site(node, alias.name, "import")

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
