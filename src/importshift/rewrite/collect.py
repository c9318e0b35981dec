"""One walk over a LibCST tree: what the move codemod reads before it decides anything.

A plain loop over each node's dataclass fields rather than a ``CSTVisitor``: the visitor's
per-node dispatch cost three times as much, and this walk runs on every file that changes.
Pre-order, children in field order, which keeps statements in document order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

from importshift.rewrite import nodes

_SmallImport = cst.Import | cst.ImportFrom


class Collected:
    """Parents, imports, strings, every name, ``__all__``, global/nonlocal/del names."""

    def __init__(self, tree: cst.Module) -> None:
        self.parents: dict[int, cst.CSTNode] = {}
        self.attr_roots: set[str] = set()  # names used as the start of an attribute chain
        self.imports: list[_SmallImport] = []
        self.strings: list[cst.SimpleString] = []
        self.names: set[str] = set()
        self.spelled: dict[str, list[cst.Name]] = {}  # every Name node, by value
        self.top_level: set[int] = set()  # imports outside any def or class
        self.order: dict[int, int] = {}  # document order of names and imports
        self.exports: set[str] = set()
        self.blocked: set[str] = set()
        self.global_plain: list[tuple[int, str]] = []  # (statement id, dotted name)
        self.fallbacks: set[int] = set()  # imports in ``except ImportError`` kept on purpose
        self.type_comments: list[cst.Comment] = []
        self._walk(tree)

    def _walk(self, tree: cst.Module) -> None:
        parents = self.parents
        stack: list[tuple[cst.CSTNode, int]] = [(tree, 0)]
        visits = 0
        while stack:
            node, depth = stack.pop()
            visits += 1
            seen = _SEEN.get(type(node))
            if seen is not None:
                seen(self, node, depth, visits)
            kids = _children(node)
            if not kids:
                continue
            inner = depth + 1 if isinstance(node, (cst.FunctionDef, cst.ClassDef)) else depth
            for kid in kids:
                parents[id(kid)] = node
            stack.extend((kid, inner) for kid in reversed(kids))

    def _name(self, node: cst.Name, depth: int, visits: int) -> None:
        self.names.add(node.value)
        self.spelled.setdefault(node.value, []).append(node)
        self.order[id(node)] = visits

    def _attribute(self, node: cst.Attribute, depth: int, visits: int) -> None:
        if isinstance(node.value, cst.Name):
            self.attr_roots.add(node.value.value)

    def _import(self, node: _SmallImport, depth: int, visits: int) -> None:
        self.imports.append(node)
        self.order[id(node)] = visits
        if depth == 0:
            self.top_level.add(id(node))
            if isinstance(node, cst.Import):
                self.global_plain.extend(
                    (id(node), nodes.alias_name(a)) for a in node.names if a.asname is None
                )

    def _comment(self, node: cst.Comment, depth: int, visits: int) -> None:
        if "type:" in node.value:
            self.type_comments.append(node)

    def _try(self, node: cst.Try, depth: int, visits: int) -> None:
        """The ``try: from new import X`` / ``except ImportError: from old import X`` pattern:
        the handler's imports binding only names the ``try`` body imports are fallbacks."""
        primary: set[str] = set()
        for stmt in _small_imports(node.body):
            primary |= _bound(stmt)
        for handler in node.handlers:
            if not _catches_import_error(handler):
                continue
            for stmt in _small_imports(handler.body):
                names = _bound(stmt)
                if names and names <= primary:
                    self.fallbacks.add(id(stmt))

    def _string(self, node: cst.SimpleString, depth: int, visits: int) -> None:
        self.strings.append(node)

    def _declared(self, node: cst.Global | cst.Nonlocal, depth: int, visits: int) -> None:
        self.blocked.update(item.name.value for item in node.names)

    def _deleted(self, node: cst.Del, depth: int, visits: int) -> None:
        self.blocked.update(n.value for n in _names_in(node.target))

    def _assigned(
        self, node: cst.Assign | cst.AugAssign | cst.AnnAssign, depth: int, visits: int
    ) -> None:
        if isinstance(node, cst.Assign):
            target = node.targets[0].target if len(node.targets) == 1 else None
        else:
            target = node.target
        if not (isinstance(target, cst.Name) and target.value == "__all__"):
            return
        if isinstance(node.value, (cst.List, cst.Tuple, cst.Set)):
            for element in node.value.elements:
                if isinstance(element.value, cst.SimpleString):
                    text = element.value.evaluated_value
                    if isinstance(text, str):
                        self.exports.add(text)


_SEEN: dict[type[cst.CSTNode], Callable[[Collected, cst.CSTNode, int, int], None]] = {
    cst.Name: Collected._name,  # type: ignore[dict-item]
    cst.Attribute: Collected._attribute,  # type: ignore[dict-item]
    cst.Import: Collected._import,  # type: ignore[dict-item]
    cst.ImportFrom: Collected._import,  # type: ignore[dict-item]
    cst.SimpleString: Collected._string,  # type: ignore[dict-item]
    cst.Comment: Collected._comment,  # type: ignore[dict-item]
    cst.Try: Collected._try,  # type: ignore[dict-item]
    cst.Global: Collected._declared,  # type: ignore[dict-item]
    cst.Nonlocal: Collected._declared,  # type: ignore[dict-item]
    cst.Del: Collected._deleted,  # type: ignore[dict-item]
    cst.Assign: Collected._assigned,  # type: ignore[dict-item]
    cst.AugAssign: Collected._assigned,  # type: ignore[dict-item]
    cst.AnnAssign: Collected._assigned,  # type: ignore[dict-item]
}

_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    return [n for child in _children(node) for n in _names_in(child)]


def _small_imports(block: cst.BaseSuite) -> list[_SmallImport]:
    body = block.body if isinstance(block, cst.IndentedBlock) else [block]
    out: list[_SmallImport] = []
    for line in body:
        if isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            out += [s for s in line.body if isinstance(s, cst.Import | cst.ImportFrom)]
    return out


def _bound(stmt: _SmallImport) -> set[str]:
    if isinstance(stmt.names, cst.ImportStar):
        return set()
    out = set()
    for alias in stmt.names:
        local = nodes.alias_as(alias) or nodes.alias_name(alias)
        out.add(local if isinstance(stmt, cst.ImportFrom) else local.partition(".")[0])
    return out


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    kinds = handler.type
    if kinds is None:
        return False
    names = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
    return any(
        isinstance(n, cst.Name) and n.value in ("ImportError", "ModuleNotFoundError") for n in names
    )
