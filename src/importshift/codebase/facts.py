"""What one file holds, computed from its bytes alone, and a cache of it in ``.migrate/``.

``facts(data, parse)`` is pure (safe in worker processes): the import statements (textual
scan, each statement parsed on its own), and, when ``parse`` is true, the parser's verdict
and the exact names the module binds at its top level. Without ``parse`` the definitions
are a textual lower bound (column-0 ``def``/``class``/assignments).

The cache maps a path to its size and mtime and its facts, stored with ``marshal`` (plain
tuples only); a corrupt or foreign cache is ignored, a cache that cannot be written is
skipped. A miss costs only the recomputation.
"""

from __future__ import annotations

import ast
import contextlib
import marshal
import os
import time
from dataclasses import dataclass

from importshift.codebase import scan
from importshift.codebase.scan import ImportStmt

_FORMAT = 2
CACHE_NAME = "facts.v2"
_RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Binding:
    """A top-level import binding: ``local`` names ``module`` (``name`` empty) or
    ``module.name``; ``level`` counts the dots of a relative import."""

    local: str
    level: int
    module: str
    name: str


@dataclass(frozen=True, slots=True)
class Facts:
    imports: tuple[ImportStmt, ...]
    defined: frozenset[str]  # def/class/assignment targets at the top level (if/try included)
    bindings: tuple[Binding, ...]  # top-level imports (exact only when parsed)
    stars: tuple[tuple[int, str], ...]  # (level, module) of top-level ``from m import *``
    dynamic: bool  # a top-level ``__getattr__``: any name may resolve
    syntax: str  # the parser's message ("line L:C: ...") when the file does not parse
    parsed: bool  # False: textual facts only (``defined`` is a lower bound)
    unreadable: bool = False  # the file could not be read: nothing is known (never cached)


UNREADABLE = Facts((), frozenset(), (), (), True, "", True, True)


def facts(data: bytes, parse: bool) -> Facts:
    """The facts of one file's bytes (see the module docstring)."""
    imports = tuple(scan.imports(data))
    if not parse:
        return Facts(imports, frozenset(scan.defined_names(data)), (), (), False, "", False)
    try:
        tree = ast.parse(data)
    except SyntaxError as exc:
        where = f"line {exc.lineno or 0}:{(exc.offset or 0)}"
        message = f"{where}: {exc.msg}"
        return Facts(imports, frozenset(scan.defined_names(data)), (), (), False, message, True)
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"line 0:0: {type(exc).__name__}: {exc}"
        return Facts(imports, frozenset(scan.defined_names(data)), (), (), False, message, True)
    defined: set[str] = set()
    bindings: list[Binding] = []
    stars: list[tuple[int, str]] = []
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    stars.append((node.level, node.module or ""))
                else:
                    local = alias.asname or alias.name
                    bindings.append(Binding(local, node.level, node.module or "", alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings.append(Binding(alias.asname, 0, alias.name, ""))
                else:
                    top = alias.name.partition(".")[0]
                    bindings.append(Binding(top, 0, top, ""))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                defined.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            nested: list[ast.stmt] = [*node.body, *getattr(node, "orelse", [])]
            for handler in getattr(node, "handlers", []):
                nested.extend(handler.body)
            nested.extend(getattr(node, "finalbody", []))
            stack.extend(reversed(nested))
    dynamic = "__getattr__" in defined
    return Facts(imports, frozenset(defined), tuple(bindings), tuple(stars), dynamic, "", True)


def _encode(f: Facts) -> tuple[object, ...]:
    return (
        tuple((i.line, i.indent, i.level, i.module, i.names, i.is_from) for i in f.imports),
        tuple(sorted(f.defined)),
        tuple((b.local, b.level, b.module, b.name) for b in f.bindings),
        f.stars,
        f.dynamic,
        f.syntax,
        f.parsed,
    )


def _decode(raw: tuple) -> Facts:  # type: ignore[type-arg]
    imports, defined, bindings, stars, dynamic, syntax, parsed = raw
    return Facts(
        tuple(
            ImportStmt(line, indent, level, module, tuple(tuple(n) for n in names), is_from)
            for line, indent, level, module, names, is_from in imports
        ),
        frozenset(defined),
        tuple(Binding(*b) for b in bindings),
        tuple((int(a), str(b)) for a, b in stars),
        bool(dynamic),
        str(syntax),
        bool(parsed),
    )


class FactCache:
    """``path -> (size, mtime_ns, facts)`` for one root, in ``.migrate/facts.v2``."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.path = os.path.join(root, ".migrate", CACHE_NAME)
        self.enabled = enabled
        self.entries: dict[str, tuple[int, int, tuple[object, ...]]] = {}
        self.dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                raw = marshal.load(fh)
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(raw, tuple) and len(raw) == 2 and raw[0] == _FORMAT:
            entries = raw[1]
            if isinstance(entries, dict):
                self.entries = entries

    def get(self, rel: str, size: int, mtime: int, parse: bool) -> Facts | None:
        entry = self.entries.get(rel)
        if entry is None or entry[0] != size or entry[1] != mtime:
            return None
        try:
            found = _decode(entry[2])
        except (TypeError, ValueError):
            return None
        if parse and not found.parsed:
            return None
        return found

    def put(self, rel: str, size: int, mtime: int, value: Facts) -> None:
        """Remember ``value``, unless the file changed too recently for its mtime to tell
        a later edit of the same size apart (the "racy" window git also guards against)."""
        if self.enabled and not value.unreadable and time.time_ns() - mtime > _RACY_NS:
            self.entries[rel] = (size, mtime, _encode(value))
            self.dirty = True

    def save(self) -> None:
        if not (self.enabled and self.dirty):
            return
        folder = os.path.dirname(self.path)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(folder, exist_ok=True)
            with open(tmp, "wb") as fh:
                marshal.dump((_FORMAT, self.entries), fh)
            os.replace(tmp, self.path)
            self.dirty = False
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def stat_key(full: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file, None when it cannot be read."""
    try:
        st = os.stat(full)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
