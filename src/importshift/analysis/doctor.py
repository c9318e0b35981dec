"""Imports into the source roots that resolve to nothing, and where the names live today.

Fast: import statements come from a textual scan (each parsed on its own); a name is
looked up with a regular expression first and confirmed with a full parse only when it
seems missing. Platform checks parse only files importing a platform-specific module.
"""

from __future__ import annotations

import ast
import heapq
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from importshift.analysis.platforms import MISSING
from importshift.codebase import scan
from importshift.codebase.index import CodeIndex
from importshift.core import dotted
from importshift.core.model import SourceFile


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    message: str
    old: str = ""  # the dotted name that resolves to nothing
    kind: str = ""  # "module" | "symbol" | "platform"
    candidates: tuple[str, ...] = ()


def examine(
    idx: CodeIndex, files: Iterable[SourceFile], platform: str | None = None
) -> list[Finding]:
    top_levels = idx.top_levels
    missing_platform = MISSING.get(platform or "", frozenset())
    findings: list[Finding] = []
    files = list(files)
    idx.build(parse=False)
    for f in files:
        platform_hits = []
        found: list[Finding] = []
        for stmt in idx.facts(f.path, parse=False).imports:
            if (
                missing_platform
                and not stmt.is_from
                and stmt.module.partition(".")[0] in missing_platform
                or missing_platform
                and stmt.is_from
                and stmt.level == 0
                and stmt.module.partition(".")[0] in missing_platform
            ):
                platform_hits.append(stmt)
            found.extend(_check(idx, f, stmt, top_levels))
        if found or platform_hits:
            data = _read(idx.root, f.path)
            findings.extend(_confirmed(data, found))
            if platform_hits:
                findings.extend(_platform(f.path, data, missing_platform, platform or ""))
    findings.sort(key=lambda x: (x.path, x.line, x.column))
    return _suggest(findings, idx)


def _read(root: str, path: str) -> bytes:
    try:
        with open(os.path.join(root, path), "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _confirmed(data: bytes, found: list[Finding]) -> list[Finding]:
    """Drop what the textual scan took for an import (a line inside a docstring, say)."""
    if not found:
        return found
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return found
    lines = {n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return [x for x in found if x.line in lines]


def _check(
    idx: CodeIndex, f: SourceFile, stmt: scan.ImportStmt, top_levels: set[str]
) -> list[Finding]:
    if stmt.level:
        base = dotted.resolve_relative(stmt.level, stmt.module, f.module, f.is_package)
        if base is None:
            return []
    else:
        base = stmt.module
    if not stmt.level and base.partition(".")[0] not in top_levels:
        return []  # not ours: the standard library or a third-party package
    col = stmt.indent + 1
    parts = base.split(".") if base else []
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix not in idx.modules:
            return [
                Finding(f.path, stmt.line, col, f"No module named '{prefix}'", prefix, "module")
            ]
    if not stmt.is_from:
        return []
    out = []
    for name, _ in stmt.names:
        if name != "*" and not idx.binds(base, name):
            out.append(
                Finding(
                    f.path,
                    stmt.line,
                    col,
                    f"cannot import name '{name}' from '{base}'",
                    dotted.join(base, name),
                    "symbol",
                )
            )
    return out


def _platform(path: str, data: bytes, missing: frozenset[str], platform: str) -> list[Finding]:
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    out = []

    def visit(node: ast.AST, guarded: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Try) and _catches_import_error(child):
                for stmt in child.body:
                    visit_stmt(stmt, True)
                rest: list[ast.AST] = [*child.handlers, *child.orelse, *child.finalbody]
                for other in rest:
                    visit_stmt(other, guarded)
            elif isinstance(child, ast.If) and _platform_test(child.test):
                for stmt in child.body + child.orelse:
                    visit_stmt(stmt, True)
            else:
                visit_stmt(child, guarded)

    def visit_stmt(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not guarded:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if node.module and not node.level else [])
            )
            for name in names:
                top = name.partition(".")[0]
                if top in missing:
                    out.append(
                        Finding(
                            path,
                            node.lineno,
                            node.col_offset + 1,
                            f"'{top}' is not available on {platform} (guard it with "
                            "try/except ImportError or a sys.platform check)",
                            top,
                            "platform",
                        )
                    )
        visit(node, guarded)

    visit(tree, False)
    return out


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        names = [n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)]
        if {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"} & set(names):
            return True
    return False


def _platform_test(test: ast.expr) -> bool:
    text = ast.unparse(test)
    return any(
        key in text for key in ("sys.platform", "os.name", "platform.system", "TYPE_CHECKING")
    )


def _suggest(findings: list[Finding], idx: CodeIndex) -> list[Finding]:
    """Each finding with the five closest places its name lives today.

    Computed once per missing name (a large tree repeats the same few many times), from a
    map of module leaves, keeping only the five best: linear in the tree, not quadratic.
    """
    leaves: dict[str, list[str]] = defaultdict(list)
    for module in idx.modules:
        leaves[dotted.leaf(module)].append(module)
    ranked: dict[tuple[str, str], tuple[str, ...]] = {}
    out = []
    for finding in findings:
        if finding.kind not in ("module", "symbol"):
            out.append(finding)
            continue
        key = (finding.kind, finding.old)
        if key not in ranked:
            leaf = dotted.leaf(finding.old)
            if finding.kind == "module":
                pool = {m for m in leaves.get(leaf, ()) if m != finding.old}
            else:
                pool = {f"{m}.{leaf}" for m in idx.definers(leaf)} - {finding.old}
            old = finding.old
            ranked[key] = tuple(heapq.nsmallest(5, pool, key=lambda c: _distance(old, c)))
        out.append(replace(finding, candidates=ranked[key]))
    return out


def _distance(old: str, candidate: str) -> tuple[int, int, str]:
    a, b = dotted.parent(old).split("."), dotted.parent(candidate).split(".")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return (-common, (len(a) - common) + (len(b) - common), candidate)
