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
from dataclasses import dataclass, field, replace

from importshift.analysis.platforms import MISSING
from importshift.codebase import scan
from importshift.codebase.toplevel import top_level_names
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


@dataclass
class _Tree:
    root: str
    index: dict[str, str]  # module -> path
    data: dict[str, bytes] = field(default_factory=dict)
    names: dict[str, set[str] | None] = field(default_factory=dict)
    exact: dict[str, set[str] | None] = field(default_factory=dict)

    def read(self, rel: str) -> bytes:
        if rel not in self.data:
            try:
                with open(os.path.join(self.root, rel), "rb") as fh:
                    self.data[rel] = fh.read()
            except OSError:
                self.data[rel] = b""
        return self.data[rel]

    def has_name(self, module: str, name: str) -> bool:
        if dotted.join(module, name) in self.index:
            return True  # a submodule
        path = self.index.get(module, "")
        if not path:
            return True  # a namespace package: nothing to check against
        if module not in self.names:
            data = self.read(path)
            quick = scan.defined_names(data)
            for stmt in scan.imports(data):
                if stmt.indent == 0:
                    for n, a in stmt.names:
                        if n == "*":
                            quick = None  # type: ignore[assignment]
                            break
                        quick.add(a or (n if stmt.is_from else n.partition(".")[0]))
                if quick is None:
                    break
            self.names[module] = quick
        quick_names = self.names[module]
        if quick_names is None or name in quick_names:
            return True
        if module not in self.exact:
            self.exact[module] = top_level_names(os.path.join(self.root, path))
        exact = self.exact[module]
        return exact is None or name in exact


def examine(
    root: str, files: Iterable[SourceFile], index: dict[str, str], platform: str | None = None
) -> list[Finding]:
    tree = _Tree(root, index)
    top_levels = {m.partition(".")[0] for m in index}
    missing_platform = MISSING.get(platform or "", frozenset())
    findings: list[Finding] = []
    defined: dict[str, list[str]] = defaultdict(list)  # leaf name -> modules defining it
    files = list(files)
    for f in files:
        data = tree.read(f.path)
        if f.module:
            for name in scan.defined_names(data):
                defined[name].append(f.module)
        platform_hits = []
        found: list[Finding] = []
        for stmt in scan.imports(data):
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
            found.extend(_check(tree, f, stmt, top_levels))
        findings.extend(_confirmed(data, found))
        if platform_hits:
            findings.extend(_platform(f.path, data, missing_platform, platform or ""))
        tree.data.pop(f.path, None)  # keep memory flat: only modules looked up stay
    findings.sort(key=lambda x: (x.path, x.line, x.column))
    return _suggest(findings, defined, index)


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
    tree: _Tree, f: SourceFile, stmt: scan.ImportStmt, top_levels: set[str]
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
        if prefix not in tree.index:
            return [
                Finding(f.path, stmt.line, col, f"No module named '{prefix}'", prefix, "module")
            ]
    if not stmt.is_from:
        return []
    out = []
    for name, _ in stmt.names:
        if name != "*" and not tree.has_name(base, name):
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


def _suggest(
    findings: list[Finding], defined: dict[str, list[str]], index: dict[str, str]
) -> list[Finding]:
    """Each finding with the five closest places its name lives today.

    Computed once per missing name (a large tree repeats the same few many times), from a
    map of module leaves, keeping only the five best: linear in the tree, not quadratic.
    """
    leaves: dict[str, list[str]] = defaultdict(list)
    for module in index:
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
                pool = {f"{m}.{leaf}" for m in defined.get(leaf, ())}
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
