"""The semantic traps of renaming, read from the stdlib ``ast`` (shared by detection and the
codemod, so that ``plan``, ``check`` and ``apply`` agree).

- ``rebound``: names a file rebinds in ways a rename cannot follow (walrus, ``global`` in a
  function, ``globals()[...]``, ``del``; ``exec`` may rebind anything): an import of such a
  name keeps its local name as an alias;
- ``is_fallback``: ``try: from new import X`` / ``except ImportError: from old import X``
  keeps the old path on purpose (it supports two versions): left alone, never reported;
- ``self_import``: an import of a moved name inside the module that now defines it;
- ``undefined_uses``: the old module of a symbol move that reads the name but no longer
  defines or imports it (the definition moved; the "shim" is not one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from importshift.core import dotted
from importshift.core.model import Kind, Move, Resolution, RuleSet
from importshift.core.policy import is_shim_of

EVERYTHING = "*"  # key of ``rebound`` when ``exec`` may rebind any name
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


_HINTS = (b":=", b"global ", b"globals(", b"nonlocal ", b"exec(", b" del ", b"\ndel ", b"\tdel ")


def may_rebind(data: bytes | None) -> bool:
    """Whether the text can hold any rebinding ``rebound`` looks for (a cheap superset
    filter on bytes: the exact answer walks the tree)."""
    return data is None or data.startswith(b"del ") or any(hint in data for hint in _HINTS)


def rebound(tree: ast.AST) -> dict[str, str]:
    """Name -> how the file rebinds it outside plain statements a rename follows."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            out.setdefault(node.target.id, "an assignment expression (:=)")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                out.setdefault(name, f"a '{type(node).__name__.lower()}' statement")
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, "'del'")
        elif isinstance(node, ast.Subscript) and _is_call_to(node.value, "globals"):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out.setdefault(key.value, "globals()[...]")
        elif isinstance(node, ast.Call) and _is_call_to(node, "exec"):
            out.setdefault(EVERYTHING, "exec()")
    return out


def rebinding(found: dict[str, str], name: str) -> str | None:
    return found.get(name) or found.get(EVERYTHING)


def _is_call_to(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds else []
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def bound_by(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Import):
        return {a.asname or a.name.partition(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name for a in stmt.names}
    return set()


def fallbacks(statements: Iterable[ast.stmt]) -> set[int]:
    """``id()`` of every import in an ``except ImportError`` handler that binds only names
    its ``try`` body imports too: the fallback half of a two-version import."""
    out: set[int] = set()
    for node in statements:
        if not isinstance(node, ast.Try):
            continue
        primary: set[str] = set()
        for stmt in node.body:
            primary |= bound_by(stmt)
        for handler in node.handlers:
            if not catches_import_error(handler):
                continue
            for stmt in handler.body:
                names = bound_by(stmt)
                if names and names <= primary:
                    out.add(id(stmt))
    return out


def self_import(rules: RuleSet, name: str, module: str | None) -> Resolution | None:
    """The resolution of ``name`` when it lands in ``module`` itself (not its shim)."""
    if module is None:
        return None
    res = rules.resolve(name)
    if res is None or is_shim_of(module, res.move):
        return None
    if res.new == module or dotted.parent(res.new) == module:
        return res
    return None


def reads(tree: ast.AST, name: str) -> bool:
    """Whether ``name`` is read anywhere in ``tree``."""
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        for n in ast.walk(tree)
    )


def top_level_bound(tree: ast.Module) -> set[str]:
    """Names a module binds at its top level, imports aside (what it defines)."""
    names: set[str] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            for field in ("body", "orelse", "finalbody"):
                stack.extend(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
    return names


def undefined_uses(
    tree: ast.Module, rules: RuleSet, module: str | None
) -> list[tuple[Move, int, int]]:
    """In the old module of a symbol move: reads of the moved name that nothing in the
    module binds any more (first read per move)."""
    if module is None:
        return []
    moved = [
        m
        for m in rules.moves
        if m.kind is Kind.SYMBOL and dotted.parent(m.old) == module and is_shim_of(module, m)
    ]
    if not moved:
        return []
    bound = top_level_bound(tree)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return []
            imported |= bound_by(node)
    if "__getattr__" in bound:
        return []
    out = []
    for move in moved:
        leaf = dotted.leaf(move.old)
        if leaf in bound or leaf in imported:
            continue
        first = _first_read(tree.body, leaf)
        if first is not None:
            out.append((move, first.lineno, first.col_offset + 1))
    return out


def _first_read(body: Iterable[ast.stmt], name: str) -> ast.Name | None:
    """The first read of the module-level ``name``: reads inside a function or class that
    binds the name itself (a parameter, an assignment) read that binding instead."""
    found: list[ast.Name] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        scopes = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        if isinstance(node, scopes) and name in _local_names(node):
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return min(found, key=lambda n: (n.lineno, n.col_offset), default=None)


def _local_names(scope: ast.AST) -> set[str]:
    names: set[str] = set()
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = scope.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        names.update(a.arg for a in every if a is not None)
    declared: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
    return names - declared
