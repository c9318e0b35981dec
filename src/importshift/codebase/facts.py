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
import binascii
import contextlib
import importlib.util
import marshal
import os
import time
from dataclasses import dataclass, replace

from importshift.codebase import scan
from importshift.codebase.regular import read_regular, regular
from importshift.codebase.scan import ImportStmt

_FORMAT = 4


def _code_stamp() -> str:
    """A digest of the code that computes facts (this module and the scan): a cache written
    by another version of it is never read, whatever its format number says."""
    crc = 0
    for module_file in (__file__, scan.__file__):
        try:
            with open(module_file or "", "rb") as fh:
                crc = binascii.crc32(fh.read(), crc)
        except OSError:
            crc = binascii.crc32((module_file or "?").encode(), crc)
    return f"{crc:08x}"


_STAMP = _code_stamp()
CACHE_NAME = "facts.v4"
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


def facts(data: bytes, parse: bool, stub: bool = False) -> Facts:
    """The facts of one file's bytes (see the module docstring); ``stub``: a ``.pyi``
    file, where an annotation alone declares a name."""
    imports = tuple(scan.imports(data))
    stars = tuple((s.level, s.module) for s in imports if s.is_from and s.names[0][0] == "*")
    if not parse:
        textual = frozenset(scan.defined_names(data))
        return Facts(imports, textual, frozenset(), stars, False, "", False)
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _broken(imports, data, _message(exc))
    defined, imported = _top_level(tree, stub)
    dynamic = "__getattr__" in defined
    # the grammar holds; whether the compiler accepts it is another question (``compute``)
    return Facts(imports, defined, imported, stars, dynamic, "", True, False, False)


def verdict_of(data: bytes) -> str:
    """The compiler's message for bytes that do not compile, "" for bytes that do: what
    ``import`` would reject, the grammar and the compiler's own checks (``return`` outside a
    function, a late ``from __future__``, ``nonlocal`` at the top level)."""
    try:
        compile(data, "<module>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return _message(exc)
    return ""


def _message(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"line {exc.lineno or 0}:{(exc.offset or 0)}: {exc.msg}"
    return f"line 0:0: {type(exc).__name__}: {exc}"


def _top_level(tree: ast.Module, stub: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """(names the top level binds other than by import, names only imports bind), in
    order, through every compound statement (if/try/with/for/while/match) but not into
    functions or classes. A walrus binds (in a comprehension too); an annotation alone, the
    name of an ``except ... as`` (deleted when the handler ends) and a name a top-level
    ``del`` removes, unless bound again later, do not."""
    bound: dict[str, bool] = {}  # name -> bound by an import only

    def visit(body: list[ast.stmt], top: bool) -> None:
        for node in body:
            for name in _walrus(node):
                bound[name] = False
            if isinstance(node, ast.Delete):
                if top:  # a del inside a block may not run: the name may still be bound
                    for name in (n for t in node.targets for n in _stored(t)):
                        bound.pop(name, None)
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound[node.name] = False
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        local = alias.asname or alias.name.partition(".")[0]
                        bound[local] = bound.get(local, True)
                continue
            for name in (n for t in _targets(node, stub) for n in _stored(t)):
                bound[name] = False
            for nested in _blocks(node):
                visit(nested, False)

    visit(tree.body, True)
    defined = frozenset(n for n, by_import in bound.items() if not by_import)
    return defined, frozenset(n for n, by_import in bound.items() if by_import)


def _targets(node: ast.stmt, stub: bool) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AnnAssign):
        # ``x: int`` binds nothing at run time; in a stub it declares ``x``
        return [node.target] if node.value is not None or stub else []
    if isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in node.items if i.optional_vars]
    if isinstance(node, ast.Match):
        return [case.pattern for case in node.cases]
    return []


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a compound statement (not in functions, classes)."""
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.If)):
        return [node.body, node.orelse]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [node.body]
    if isinstance(node, TRIES):
        return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
    if isinstance(node, ast.Match):
        return [case.body for case in node.cases]
    return []


TRIES: tuple[type[ast.Try], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))  # 3.11: except*


def _walrus(node: ast.stmt) -> list[str]:
    """Targets of ``:=`` in a statement's own expressions (a comprehension's included: it
    binds in the enclosing scope), not in nested statements, lambdas or handler bodies."""
    out: list[str] = []
    stack: list[ast.AST] = [
        c for c in ast.iter_child_nodes(node) if not isinstance(c, (ast.stmt, ast.ExceptHandler))
    ]
    if isinstance(node, ast.Match):
        stack.extend(case.guard for case in node.cases if case.guard)
    while stack:
        child = stack.pop()
        if isinstance(child, ast.NamedExpr) and isinstance(child.target, ast.Name):
            out.append(child.target.id)
        if not isinstance(child, (ast.Lambda, ast.stmt)):
            stack.extend(ast.iter_child_nodes(child))
    return out


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


def compiled(full: str, data: bytes, size: int, mtime_ns: int, ctime_ns: int = 0) -> bool:
    """Whether this interpreter's bytecode cache proves that these exact bytes compile:
    a ``__pycache__`` file of a ``.py`` source with this interpreter's magic number, whose
    header names the source's mtime and size (or its hash), written no earlier than the
    source's last change (its ctime: an mtime put back by hand does not hide an edit).
    Python trusts the same header to skip compiling on import."""
    if not full.endswith(".py"):
        return False  # a stub or a script shares no bytecode file with its module
    try:
        cached = importlib.util.cache_from_source(full)
    except (ValueError, NotImplementedError):
        return False
    found = regular(cached, 16)
    if found is None:
        return False
    st, header = found
    written = st.st_mtime_ns
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return False
    if written < mtime_ns or written < ctime_ns:
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
    """``path -> (size, mtime_ns, ctime_ns, facts)`` for one root, in ``.migrate/facts.v4``."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.path = os.path.join(root, ".migrate", CACHE_NAME)
        self.enabled = enabled
        self.entries: dict[str, tuple[int, int, int, tuple[object, ...]]] = {}
        self.dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                raw = marshal.load(fh)
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(raw, tuple) and len(raw) == 3 and raw[:2] == (_FORMAT, _STAMP):
            entries = raw[2]
            if isinstance(entries, dict):
                self.entries = entries

    def get(self, rel: str, key: Key) -> Facts | None:
        entry = self.entries.get(rel)
        if entry is None or entry[:3] != key:
            return None
        try:
            return _decode(entry[3])
        except (TypeError, ValueError):
            return None

    def put(self, rel: str, key: Key, value: Facts) -> None:
        """Remember ``value``, unless the file changed too recently for its mtime to tell
        a later edit of the same size apart (the "racy" window git also guards against)."""
        if self.enabled and not value.unreadable and time.time_ns() - key[1] > _RACY_NS:
            self.entries[rel] = (*key, _encode(value))
            self.dirty = True

    def save(self) -> None:
        if not (self.enabled and self.dirty):
            return
        folder = os.path.dirname(self.path)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(folder, exist_ok=True)
            with open(tmp, "wb") as fh:
                marshal.dump((_FORMAT, _STAMP, self.entries), fh)
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


Key = tuple[int, int, int]  # (size, mtime_ns, ctime_ns): an edit moves ctime even when
# the mtime is put back


def compute(
    full: str, parse: bool, verdict: bool, known: Key | None = None
) -> tuple[Key | None, Facts | None, str]:
    """(stat key, facts, verdict) of one file read from disk: facts parsed when ``parse``;
    with ``verdict``, whether the file compiles, proven by the bytecode cache or else by
    the compiler. ``known``: the stat key of textual facts the caller already holds; when
    the file still has it and only the verdict is asked, no facts are computed (None).
    Anything but a regular file (a FIFO, a device) is unreadable: it is never waited on."""
    key = stat_key(full)
    data = read_regular(full)
    if data is None:
        return key, UNREADABLE, ""
    stub = full.endswith(".pyi")
    if not verdict:
        return key, facts(data, parse, stub), ""
    found = facts(data, parse, stub) if parse else None
    if found is not None and found.checked:  # the parser already said no
        return key, found, found.syntax
    proven = key is not None and compiled(full, data, *key)
    message = "" if proven else verdict_of(data)
    if found is None and known is not None and key == known:
        return key, None, message
    base = found if found is not None else facts(data, False)
    if message and not base.parsed:
        base = _broken(base.imports, data, message)
    return key, replace(base, syntax=message, checked=True), message


def stat_key(full: str) -> Key | None:
    """(size, mtime_ns, ctime_ns) of a file, None when it cannot be read."""
    try:
        st = os.stat(full)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns
