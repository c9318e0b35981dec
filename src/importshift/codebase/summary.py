"""What a module's top level holds: definitions, re-exports, aliases, deprecation warnings.

Shared by ``shims``/``retire`` (is this module only a shim?) and ``discover`` (where does
each re-exported name really live?).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from importshift.core import dotted


@dataclass(frozen=True, slots=True)
class Summary:
    module: str
    defined: frozenset[str]  # def/class/assignments of real values
    reexports: tuple[tuple[str, str], ...]  # (local name, dotted source) from imports
    aliases: tuple[tuple[str, str], ...]  # (Old, dotted source) for ``Old = New``
    stars: tuple[str, ...]  # modules re-exported with ``from X import *``
    warns: bool  # emits DeprecationWarning at import
    getattr_targets: tuple[str, ...]  # modules a PEP 562 __getattr__ forwards to
    shim_only: bool  # nothing but re-exports, aliases, warnings, __all__, docstrings
    used: _Used  # see ``references``

    @property
    def references(self) -> frozenset[str]:
        """Names read anywhere in the module (not just bound); walked on first use only,
        since most summaries are never asked (a whole-tree walk costs more than the parse)."""
        return self.used.names()


class _Used:
    """The names a module reads, computed from its bytes when first asked (the bytes go
    along when it is sent to another process: never read again from a file that may have
    changed since)."""

    __slots__ = ("_data", "_names")

    def __init__(self, data: bytes | None, names: frozenset[str] | None = None) -> None:
        self._data = data
        self._names = names

    def __reduce__(self) -> tuple[type[_Used], tuple[bytes | None, frozenset[str] | None]]:
        return (_Used, (self._data, self._names))

    def names(self) -> frozenset[str]:
        if self._names is None:
            tree = ast.parse(self._data or b"")
            self._names = frozenset(
                n.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            )
            self._data = None
        return self._names


def summarize(data: bytes, module: str, is_package: bool) -> Summary | None:
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    defined: set[str] = set()
    imported: dict[str, str] = {}
    aliases: list[tuple[str, str]] = []
    stars: list[str] = []
    getattr_targets: list[str] = []
    warns = False
    shim_only = True
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = dotted.resolve_relative(node.level, node.module or "", module, is_package)
            for alias in node.names:
                if base is None:
                    continue
                if alias.name == "*":
                    stars.append(base)
                else:
                    imported[alias.asname or alias.name] = dotted.join(base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
        elif _is_docstring(node) or _is_all(node) or isinstance(node, ast.Pass):
            continue
        elif _is_deprecation_warning(node):
            warns = True
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, (ast.Name, ast.Attribute))
        ):
            source = _source_of(node.value, imported)
            if source:
                aliases.append((node.targets[0].id, source))
            else:
                defined.add(node.targets[0].id)
                shim_only = False
        elif isinstance(node, ast.FunctionDef) and node.name in ("__getattr__", "__dir__"):
            getattr_targets.extend(_forwarded_modules(node, module, is_package))
            if any(_is_deprecation_warning(n) for n in ast.walk(node) if isinstance(n, ast.Expr)):
                warns = True
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        else:
            shim_only = False
            for name in _bound(node):
                defined.add(name)
    reexports = tuple((k, v) for k, v in imported.items() if k not in defined)
    return Summary(
        module,
        frozenset(defined),
        reexports,
        tuple(aliases),
        tuple(stars),
        warns,
        tuple(getattr_targets),
        shim_only,
        _Used(data),
    )


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _is_all(node: ast.stmt) -> bool:
    targets = (
        node.targets
        if isinstance(node, ast.Assign)
        else ([node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
    )
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _is_deprecation_warning(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call = node.value
    name = ast.unparse(call.func)
    if not name.endswith("warn"):
        return False
    text = ast.unparse(call)
    return "DeprecationWarning" in text or "FutureWarning" in text


def _source_of(value: ast.expr, imported: dict[str, str]) -> str:
    if isinstance(value, ast.Name):
        return imported.get(value.id, "")
    if isinstance(value, ast.Attribute):
        base = _source_of(value.value, imported)
        return f"{base}.{value.attr}" if base else ""
    return ""


def _forwarded_modules(node: ast.FunctionDef, module: str, is_package: bool) -> list[str]:
    out = []
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom):
            base = dotted.resolve_relative(child.level, child.module or "", module, is_package)
            if base:
                out.append(base)
        elif (
            isinstance(child, ast.Call)
            and ast.unparse(child.func).endswith("import_module")
            and child.args
            and isinstance(child.args[0], ast.Constant)
            and isinstance(child.args[0].value, str)
        ):
            out.append(child.args[0].value)
    return out


def _bound(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []
