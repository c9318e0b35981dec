"""What one file holds, computed from its bytes alone, and a cache of it in ``.migrate/``.

``facts(data, parse)`` is pure (safe in worker processes): the import statements (textual
scan, each statement parsed on its own), and, when ``parse`` is true, the parser's verdict
and the exact names the module binds at its top level. Without ``parse`` the definitions
are a textual lower bound (column-0 ``def``/``class``/assignments).

Whether a file compiles (``verdict`` in ``compute``) costs less than a parse: ``compiled``
proves it from this interpreter's bytecode cache when that holds the file (a tree whose
tests have run), and ``verdict_of`` otherwise runs the symbol table pass (no ``ast``
objects).

The cache maps a path to its size and mtime and its facts, stored with ``marshal`` (plain
tuples only); a corrupt or foreign cache is ignored, a cache that cannot be written is
skipped. A miss costs only the recomputation.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import marshal
import os
import symtable
import time
from dataclasses import dataclass, replace

from importshift.codebase import scan
from importshift.codebase.scan import ImportStmt

_FORMAT = 3
CACHE_NAME = "facts.v3"
_RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Facts:
    imports: tuple[ImportStmt, ...]
    defined: frozenset[str]  # names the top level binds other than by import (def, class,
    # assignment, loop and ``with`` targets, at any nesting of if/try/with/for/while)
    imported: frozenset[str]  # names top-level imports bind (exact only when parsed)
    stars: tuple[tuple[int, str], ...]  # (level, module) of ``from m import *``
    dynamic: bool  # a top-level ``__getattr__``: any name may resolve
    syntax: str  # the compiler's message ("line L:C: ...") when the file does not compile
    parsed: bool  # False: textual facts only (``defined`` is a lower bound)
    unreadable: bool = False  # the file could not be read: nothing is known (never cached)
    checked: bool = False  # the verdict ``syntax`` is known (parsed, or proven by bytecode)


UNREADABLE = Facts((), frozenset(), frozenset(), (), True, "", True, True, True)


def facts(data: bytes, parse: bool) -> Facts:
    """The facts of one file's bytes (see the module docstring)."""
    imports = tuple(scan.imports(data))
    stars = tuple((s.level, s.module) for s in imports if s.is_from and s.names[0][0] == "*")
    if not parse:
        textual = frozenset(scan.defined_names(data))
        return Facts(imports, textual, frozenset(), stars, False, "", False)
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _broken(imports, data, _message(exc))
    defined, imported = _top_level(tree)
    dynamic = "__getattr__" in defined
    return Facts(imports, defined, imported, stars, dynamic, "", True, False, True)


def verdict_of(data: bytes) -> str:
    """The compiler's message for bytes that do not compile, "" for bytes that do. From the
    symbol table pass: the parser and the scope checks, no ``ast`` objects (about 1.6 times
    faster than ``ast.parse``), and what ``import`` would reject besides the grammar."""
    try:
        symtable.symtable(data, "<module>", "exec")  # type: ignore[arg-type]
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _message(exc)
    return ""


def _message(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"line {exc.lineno or 0}:{(exc.offset or 0)}: {exc.msg}"
    return f"line 0:0: {type(exc).__name__}: {exc}"


def _top_level(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """(names the top level binds other than by import, names only imports bind), through
    every compound statement (if/try/with/for/while/match) but not into functions, classes
    or expressions (a walrus at the top level is not seen)."""
    defined: set[str] = set()
    imported: set[str] = set()
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        targets: list[ast.AST] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    imported.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets = [i.optional_vars for i in node.items if i.optional_vars]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.match_case):
            targets = [node.pattern]
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith)):
            stack.extend(reversed([*node.body, *getattr(node, "orelse", [])]))
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            nested = [*node.body, *node.handlers, *node.orelse, *node.finalbody]  # type: ignore[attr-defined]
            stack.extend(reversed(nested))
        elif isinstance(node, ast.ExceptHandler):
            stack.extend(reversed(node.body))
        elif isinstance(node, ast.Match):
            stack.extend(reversed(node.cases))
        elif isinstance(node, ast.match_case):
            stack.extend(reversed(node.body))
        for target in targets:
            defined.update(_stored(target))
    return frozenset(defined), frozenset(imported - defined)


def _stored(target: ast.AST) -> list[str]:
    """Names a target (or a match pattern) binds."""
    out = []
    for n in ast.walk(target):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.append(n.id)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            out.append(n.name)
        elif isinstance(n, ast.MatchMapping) and n.rest:
            out.append(n.rest)
    return out


def _broken(imports: tuple[ImportStmt, ...], data: bytes, message: str) -> Facts:
    textual = frozenset(scan.defined_names(data))
    return Facts(imports, textual, frozenset(), (), False, message, True, False, True)


def compiled(full: str, data: bytes, size: int, mtime_ns: int) -> bool:
    """Whether this interpreter's bytecode cache proves that these exact bytes compile:
    a ``__pycache__`` file with this interpreter's magic number, written no earlier than the
    source, whose header names the source's mtime and size (or its hash). Python trusts the
    same header to skip compiling on import."""
    try:
        cached = importlib.util.cache_from_source(full)
        with open(cached, "rb") as fh:
            header = fh.read(16)
            written = os.fstat(fh.fileno()).st_mtime_ns
    except (OSError, ValueError, NotImplementedError):
        return False
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER or written < mtime_ns:
        return False
    flags = int.from_bytes(header[4:8], "little")
    if flags == 0:
        stamp = int.from_bytes(header[8:12], "little")
        length = int.from_bytes(header[12:16], "little")
        return stamp == (mtime_ns // 1_000_000_000) & 0xFFFFFFFF and length == size & 0xFFFFFFFF
    if flags & ~0b11:
        return False
    return header[8:16] == importlib.util.source_hash(data)


def _encode(f: Facts) -> tuple[object, ...]:
    return (
        tuple((i.line, i.indent, i.level, i.module, i.names, i.is_from) for i in f.imports),
        tuple(sorted(f.defined)),
        tuple(sorted(f.imported)),
        f.stars,
        f.dynamic,
        f.syntax,
        f.parsed,
        f.checked,
    )


def _decode(raw: tuple) -> Facts:  # type: ignore[type-arg]
    imports, defined, imported, stars, dynamic, syntax, parsed, checked = raw
    return Facts(
        tuple(
            ImportStmt(line, indent, level, module, tuple(tuple(n) for n in names), is_from)
            for line, indent, level, module, names, is_from in imports
        ),
        frozenset(defined),
        frozenset(imported),
        tuple((int(a), str(b)) for a, b in stars),
        bool(dynamic),
        str(syntax),
        bool(parsed),
        False,
        bool(checked),
    )


class FactCache:
    """``path -> (size, mtime_ns, facts)`` for one root, in ``.migrate/facts.v3``."""

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

    def get(self, rel: str, size: int, mtime: int) -> Facts | None:
        entry = self.entries.get(rel)
        if entry is None or entry[0] != size or entry[1] != mtime:
            return None
        try:
            return _decode(entry[2])
        except (TypeError, ValueError):
            return None

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
            for stale in range(1, _FORMAT):  # caches of earlier formats are never read again
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, f"facts.v{stale}"))
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def enough(found: Facts, parse: bool, verdict: bool) -> bool:
    """Whether ``found`` answers a question that needs exact names (``parse``) or the
    compiler's verdict (``verdict``)."""
    return found.parsed if parse else (found.checked or not verdict)


def compute(
    full: str, parse: bool, verdict: bool, known: tuple[int, int] | None = None
) -> tuple[tuple[int, int] | None, Facts | None, str]:
    """(stat key, facts, verdict) of one file read from disk: facts parsed when ``parse``;
    with ``verdict``, whether the file compiles, proven by the bytecode cache or else by
    the compiler. ``known``: the stat key of textual facts the caller already holds; when
    the file still has it and only the verdict is asked, no facts are computed (None)."""
    key = stat_key(full)
    try:
        with open(full, "rb") as fh:
            data = fh.read()
    except OSError:
        return key, UNREADABLE, ""
    if parse or not verdict:
        return key, facts(data, parse), ""
    proven = key is not None and compiled(full, data, *key)
    message = "" if proven else verdict_of(data)
    if known is not None and key == known:
        return key, None, message
    return key, replace(facts(data, False), syntax=message, checked=True), message


def stat_key(full: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file, None when it cannot be read."""
    try:
        st = os.stat(full)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
