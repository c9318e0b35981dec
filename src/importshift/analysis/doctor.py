"""Imports into the source roots that resolve to nothing, and where the names live today.

Findings, each with a kind:
- ``module``: ``No module named 'a.b'``; ``symbol``: ``cannot import name 'X' from 'a.b'``;
- ``syntax``: a file the parser rejects (a collection error too), with the parser's message;
- ``shadowed``: ``X.py`` beside a package ``X/`` (Python imports the package);
- ``platform``: an unguarded import of a standard-library module ``--platform`` lacks.
Notes (not findings): top-level folders an installed distribution wins over (a namespace
folder such as an ``alembic/`` migrations folder), whose imports are not checked.

Fast: import statements and bindings come from the shared index (``codebase.index``); a
file is read again only to confirm a finding (a line inside a docstring is no import).
"""

from __future__ import annotations

import ast
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from importshift.analysis.platforms import (
    CAUGHT_MODULE_NOT_FOUND,
    MISSING,
    guards,
    unguarded,
)
from importshift.analysis.suggest import Missing, Suggestion, suggest
from importshift.codebase import scan
from importshift.codebase.files import PYTHON, kind_of
from importshift.codebase.index import NAMESPACE_ATTRIBUTES, CodeIndex
from importshift.codebase.regular import read_regular
from importshift.core import dotted
from importshift.core.model import SourceFile


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    message: str
    old: str = ""  # the dotted name that resolves to nothing (or the module, the file)
    kind: str = ""  # "module" | "symbol" | "syntax" | "shadowed" | "platform"
    names: tuple[str, ...] = ()  # names the statement imports from a missing module
    suggestions: tuple[Suggestion, ...] = ()
    guard: str = ""  # "try/except ImportError" | "TYPE_CHECKING": cannot fail an import

    @property
    def candidates(self) -> tuple[str, ...]:
        out: list[str] = []
        for s in self.suggestions:
            out.extend([s.new] if s.new else [new for _, new in s.extra])
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Group:
    """Every finding about one missing path: the summary line."""

    kind: str
    old: str
    importers: tuple[str, ...]
    sites: int
    names: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    guarded: int = 0  # importing files where every such import is behind a guard


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    groups: tuple[Group, ...]  # missing modules and names, most importers first
    notes: tuple[str, ...]
    files: int


def examine(
    idx: CodeIndex,
    files: Iterable[SourceFile],
    platform: str | None = None,
    learned: Mapping[str, str] | None = None,
    installed: frozenset[str] = frozenset(),
    since: str = "",
) -> Report:
    """Every finding in ``files``; ``learned`` (old -> new, from git) ranks suggestions;
    ``installed`` are top-level folders an installed distribution wins over."""
    files = [f for f in files if kind_of(f.path) == PYTHON]  # not docs, notebooks, configs
    # one pass over the files examined: import statements, and whether each compiles
    idx.build(parse=False, verdict=True, paths=[f.path for f in files])
    idx.build(parse=False)  # the rest of the tree: import statements and definitions
    ours = idx.top_levels - installed
    # exact names of the modules the examined files import names from (verdicts are kept)
    idx.build(parse=True, paths=_imported_from(idx, files, ours))
    missing_platform = MISSING.get(platform or "", frozenset())
    findings: list[Finding] = []
    unreadable = []
    for f in files:
        facts = idx.facts(f.path, parse=False, verdict=True)
        if facts.unreadable:
            unreadable.append(f.path)
        if facts.syntax:
            findings.append(_syntax(f.path, facts.syntax))
        findings.extend(_imports(idx, f, facts.imports, ours, platform, missing_platform))
    findings.extend(_shadowed(idx, {f.path for f in files}))
    unread = sorted({x.old for x in findings if x.kind == "unread"})
    findings = [x for x in findings if x.kind != "unread"]
    findings.sort(key=lambda x: (x.path, x.line, x.column, x.kind))
    findings, hooked = _hooked(idx, findings)
    findings, groups = _suggest(idx, findings, learned or {}, since)
    notes = _notes(idx, installed, hooked, unread, unreadable)
    return Report(tuple(findings), groups, notes, len(files))


def _imports(
    idx: CodeIndex,
    f: SourceFile,
    imports: Iterable[scan.ImportStmt],
    ours: set[str],
    platform: str | None,
    missing_platform: frozenset[str],
) -> list[Finding]:
    """One file's broken imports (confirmed by a parse of the file), and with
    ``--platform`` its unguarded imports of modules that platform lacks."""
    found: list[Finding] = []
    platform_hit = False
    for stmt in imports:
        if missing_platform and not stmt.level:
            platform_hit |= stmt.module.partition(".")[0] in missing_platform
        found.extend(_check(idx, f, stmt, ours))
    if not found and not platform_hit:
        return []
    data = _read(idx.root, f.path)
    out = _confirmed(data, found)
    for line, col, top in unguarded(data, missing_platform) if platform_hit else []:
        message = (
            f"'{top}' is not available on {platform} (guard it with "
            "try/except ImportError or a sys.platform check)"
        )
        out.append(Finding(f.path, line, col, message, top, "platform"))
    return out


def _shadowed(idx: CodeIndex, wanted: set[str]) -> list[Finding]:
    out = []
    for hidden, winner in idx.shadowed():
        if hidden in wanted:
            module = idx.source_file(hidden).module or ""
            message = (
                f"{hidden} is shadowed by the package {winner}: 'import {module}' never reaches it"
            )
            out.append(Finding(hidden, 1, 1, message, module, "shadowed"))
    return out


def _notes(
    idx: CodeIndex,
    installed: frozenset[str],
    hooked: list[str],
    unread: list[str],
    unreadable: list[str],
) -> tuple[str, ...]:
    """What was not checked, and why."""
    notes = tuple(
        f"{name}/ is provided by an installed distribution (the folder has no __init__.py): "
        f"imports of {name} are not checked"
        for name in sorted(installed)
    )
    notes += tuple(hooked)
    if unread:
        shown = ", ".join(unread[:5]) + (f" and {len(unread) - 5} more" if len(unread) > 5 else "")
        notes += (
            f"{len(unread)} module(s) exist on disk but were not read (extension modules, "
            f"symlinks, excluded paths): {shown}; imports of them are not checked",
        )
    notes += _off_roots(idx, installed)
    notes += tuple(f"{path}: cannot be read; its imports are not checked" for path in unreadable)
    return notes


def _imported_from(idx: CodeIndex, files: list[SourceFile], ours: set[str]) -> list[str]:
    """The files of our modules that ``files`` import names from: the symbol checks need
    their exact top-level names."""
    out: set[str] = set()
    for f in files:
        for stmt, base in idx.sites(f.path):
            if stmt.is_from and base.partition(".")[0] in ours and idx.modules.get(base):
                out.add(idx.modules[base])
    return sorted(out)


def _installs_hook(data: bytes) -> bool:
    """Whether a module's code (not its strings or comments) uses ``sys.meta_path``
    anywhere (a finder installed by a helper counts), or writes ``sys.modules`` at its top
    level (``sys.modules[...] = ...``, ``.update``, ``.setdefault``): what lies below it is
    then decided at run time. A loader function that writes sys.modules does not count."""
    if b"meta_path" not in data and b"sys.modules" not in data:
        return False
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "meta_path" and _is_sys(node.value):
            return True
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if _writes_sys_modules(node):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _writes_sys_modules(node: ast.AST) -> bool:
    """``sys.modules[...] = ...``, ``sys.modules.update(...)``, ``.setdefault(...)``."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
        return _is_sys_modules(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("update", "setdefault") and _is_sys_modules(node.func.value)
    return False


def _is_sys(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "sys"


def _is_sys_modules(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules" and _is_sys(node.value)


def _off_roots(idx: CodeIndex, installed: frozenset[str]) -> tuple[str, ...]:
    """Folders whose packages are imported as top-level names although the folder is not a
    source root (``src/app`` imported as ``app``): those imports are not checked."""
    imported = {m.partition(".")[0] for m in idx.imported_modules()} - idx.top_levels
    out = []
    for top in namespace_tops(idx):
        if top in installed:
            continue
        inner = sorted(
            {m.split(".")[1] for m in idx.modules if m.startswith(top + ".") and m.count(".") == 1}
            & imported
        )
        if inner:
            out.append(
                f"{top}/ is not a source root, yet files import {', '.join(inner)} as top-level "
                f"name(s): those imports are not checked (add '{top}' to source_roots)"
            )
    return tuple(out)


def namespace_tops(idx: CodeIndex) -> list[str]:
    """Top-level packages with no ``__init__.py``: an installed distribution of that name
    wins over them (the caller asks an interpreter which ones are installed)."""
    return sorted(t for t in idx.top_levels if idx.modules.get(t) == "")


def _syntax(path: str, message: str) -> Finding:
    where, _, text = message.partition(": ")
    line_col = where.removeprefix("line ").split(":")
    try:
        line, col = int(line_col[0]), int(line_col[1])
    except (ValueError, IndexError):
        line, col = 0, 0
    said = text if text.startswith("not checked:") else f"does not parse: {text}"
    return Finding(path, max(line, 1), max(col, 1), said, path, "syntax")


def _read(root: str, path: str) -> bytes:
    return read_regular(os.path.join(root, path)) or b""


def _confirmed(data: bytes, found: list[Finding]) -> list[Finding]:
    """Drop what the textual scan took for an import (a line inside a docstring, say), and
    mark imports behind a guard (try/except ImportError, ``if TYPE_CHECKING:``)."""
    if not found:
        return found
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return found
    lines = {n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))}
    guarded = guards(tree)
    out = []
    for x in found:
        if x.line in lines:
            guard = guarded.get(x.line, "")
            if guard == CAUGHT_MODULE_NOT_FOUND and x.kind != "module":
                guard = ""  # "cannot import name" raises ImportError, which it lets through
            out.append(replace(x, guard=guard))
    return out


def _check(idx: CodeIndex, f: SourceFile, stmt: scan.ImportStmt, ours: set[str]) -> list[Finding]:
    if stmt.level:
        base = dotted.resolve_relative(stmt.level, stmt.module, f.module, f.is_package)
        if base is None:
            return []
    else:
        base = stmt.module
    if base.partition(".")[0] not in ours:
        return []  # not ours: the standard library, a third-party or an installed package
    col = stmt.indent + 1
    stubs = f.path.endswith(".pyi")  # a stub's imports are read by type checkers: stubs count
    parts = base.split(".") if base else []
    kind = ""
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        kind = _kind(idx, prefix, stubs)
        if kind in ("module", "folder"):
            continue
        if kind == "unread":  # an extension module, a symlink, an excluded path
            return [Finding(f.path, stmt.line, col, "", prefix, "unread")]
        path = idx.modules.get(prefix)
        stub = f" (only a stub: {path})" if path else ""  # the import system skips .pyi
        names = tuple(n for n, _ in stmt.names if n != "*") if stmt.is_from else ()
        if prefix != base or stub:
            names = ()  # a missing package above the module: the names say nothing
        message = f"No module named '{prefix}'{stub}"
        return [Finding(f.path, stmt.line, col, message, prefix, "module", names)]
    if not stmt.is_from:
        return []
    return [
        Finding(
            f.path,
            stmt.line,
            col,
            f"cannot import name '{name}' from '{base}'",
            dotted.join(base, name),
            "symbol",
        )
        for name, _ in stmt.names
        if name != "*" and not _binds(idx, base, kind, name, stubs)
    ]


def _kind(idx: CodeIndex, module: str, stubs: bool) -> str:
    """What ``import module`` finds: "module" (a file this run read), "folder" (a namespace
    package), "unread" (a module on disk this run did not read), or "missing". A stub
    counts only for a stub's imports: for the import system an ``x.pyi`` alone is nothing,
    a folder with only ``__init__.pyi`` a namespace package, and an extension module wins."""
    path = idx.modules.get(module)
    if path == "":
        return "folder"
    if path is not None and (stubs or not path.endswith(".pyi")):
        return "module"
    found = idx.on_disk(module)
    return {"file": "unread", "folder": "folder"}.get(found, "missing")


def _binds(idx: CodeIndex, module: str, kind: str, name: str, stubs: bool) -> bool:
    """Whether ``from module import name`` works, ``module`` being of ``kind``."""
    if kind == "module":
        return idx.binds(module, name)
    if kind == "unread":
        return True  # what it binds is not known: said in a note
    # a namespace package binds its submodules and a few attributes, nothing else
    if name in NAMESPACE_ATTRIBUTES:
        return True
    return _kind(idx, dotted.join(module, name), stubs) != "missing"


def _hooked(idx: CodeIndex, findings: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Findings below a module that installs an import hook or writes ``sys.modules`` (a
    vendoring shim, ``six.moves``, a package that aliases another): what exists there is
    decided at run time, so they are not findings but notes saying what was not checked."""
    hooks: dict[str, str] = {}

    def hook_of(module: str) -> str:
        if module not in hooks:
            path = idx.modules.get(module) or ""
            hooks[module] = path if path and _installs_hook(_read(idx.root, path)) else ""
        return hooks[module]

    kept: list[Finding] = []
    skipped: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        # the module the missing path would live in: the nearest one that exists
        if finding.kind in ("module", "symbol") and hook_of(dotted.parent(finding.old)):
            skipped[hook_of(dotted.parent(finding.old))].add(finding.path)
            continue
        kept.append(finding)
    notes = [
        f"{hook} installs an import hook or writes sys.modules: imports below it in "
        f"{len(paths)} file(s) are decided at run time and not checked"
        for hook, paths in sorted(skipped.items())
    ]
    return kept, notes


def _asked(idx: CodeIndex, kind: str, old: str, group: list[Finding]) -> tuple[str, ...]:
    """The names every importer in the tree (not only the files examined) takes from a
    missing module: a candidate must bind them all."""
    names = {n for x in group for n in x.names}
    if kind == "module" and any(x.names for x in group):
        for _, stmt in idx.statements(old):
            if stmt.is_from:
                names.update(n for n, _ in stmt.names if n != "*")
    return tuple(sorted(names))


def _suggest(
    idx: CodeIndex, findings: list[Finding], learned: Mapping[str, str], since: str
) -> tuple[list[Finding], tuple[Group, ...]]:
    """Suggestions computed once per missing path (from every statement that imports it),
    and the groups for the summary, most importing files first."""
    by_old: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.kind in ("module", "symbol"):
            by_old[(finding.kind, finding.old)].append(finding)
    ranked: dict[tuple[str, str], tuple[Suggestion, ...]] = {}
    groups = []
    for (kind, old), group in by_old.items():
        importers = tuple(sorted({x.path for x in group}))
        exposed = {x.path for x in group if not x.guard}
        asked = _asked(idx, kind, old, group)
        ranked[(kind, old)] = suggest(idx, Missing(old, kind, asked, importers), learned, since)
        guarded = len(importers) - len(exposed)
        groups.append(Group(kind, old, importers, len(group), asked, ranked[(kind, old)], guarded))
    # what breaks imports first: files with an unguarded import, then all importing files
    groups.sort(
        key=lambda g: (-(len(g.importers) - g.guarded), -len(g.importers), -g.sites, g.kind, g.old)
    )
    out = [
        replace(x, suggestions=ranked[(x.kind, x.old)]) if (x.kind, x.old) in ranked else x
        for x in findings
    ]
    return out, tuple(groups)
