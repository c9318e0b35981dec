"""Per-file facts: the names a module binds against an independent ``ast`` walk, and the
compiler's verdict (from the symbol table pass, or proven by this interpreter's bytecode
cache without compiling)."""

from __future__ import annotations

import ast
import importlib.util
import os
import pathlib
import py_compile
from collections import defaultdict

import pytest

from benchmarks.corpus import generate
from importshift.codebase.facts import UNREADABLE, compiled, compute, facts, verdict_of

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_level_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound other than by import, names bound only by import) at module level, by
    a plain walk over every node that stops at each nested scope, with the line of each
    binding; then a name is dropped when a ``del`` directly in the module body comes after
    every line that binds it (``try: import x`` / ``except: x = None`` makes ``x`` a
    definition; an ``except ... as`` name and an annotation alone bind nothing)."""
    lines: dict[str, list[int]] = defaultdict(list)
    by_import: set[str] = set()
    assigned: set[str] = set()  # bound other than by import somewhere
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines[node.name].append(node.lineno)
            assigned.add(node.name)
            stack.extend(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d)
            else:
                stack.extend(node.bases + [k.value for k in node.keywords])
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    name = alias.asname or alias.name.partition(".")[0]
                    lines[name].append(node.lineno)
                    by_import.add(name)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d)
            continue
        if isinstance(node, _COMPREHENSIONS):  # only a walrus inside binds out here
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        if isinstance(node, ast.AnnAssign) and node.value is None:
            continue
        name = ""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            name = node.id
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            name = node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            name = node.rest
        if name:
            lines[name].append(node.lineno)  # type: ignore[attr-defined]
            assigned.add(name)
        stack.extend(ast.iter_child_nodes(node))
    for stmt in tree.body:
        if isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name) and all(line < stmt.lineno for line in lines[n.id]):
                        lines.pop(n.id, None)
    bound = {name for name, at in lines.items() if at}
    return bound - (by_import - assigned), bound & (by_import - assigned)


EVERY_FORM = """\
import os, a.b, c.d as cd
from . import sib
from x import (y as yy,
    z)
from m import *
X: int = 1
Y: str
Z = W = 3
(P, [Q, *R]) = 1, [2, 3]
S += 1
for I, J in []:
    K = 1
else:
    L = 2
while False:
    M = 1
with open(f) as (F1, F2), g() as G:
    N = 1
try:
    import json
except ImportError as E:
    json = None
finally:
    FIN = 1
if (WAL := 5):
    ELIF = 1
[(INNER := v) for v in range(3)]
CLEAN = 1
REBOUND = 1
KEPT = 1
if WAL:
    del KEPT
[COMP for COMP in range(3)]
del GONE
def func(a=DEFAULT):
    global GLOBAL_IN_FUNC
    LOCAL = 1
class Klass(Base):
    ATTR = 1
async def coro():
    pass
lam = lambda q: q
match command:
    case [HEAD, *TAIL]:
        pass
    case {"k": VAL, **REST}:
        pass
    case Point(x=PX) as POINT:
        pass
def __getattr__(name):
    return name
del CLEAN, REBOUND
REBOUND = 2
"""


def test_top_level_names_equal_an_independent_ast_walk(
    tmp_path: pathlib.Path,
) -> None:
    root = tmp_path / "corpus"
    generate(str(root), n=300, seed=11)
    sources = [p.read_bytes() for p in sorted(root.rglob("*.py"))]
    sources += [p.read_bytes() for p in sorted(pathlib.Path("src").rglob("*.py"))]
    sources.append(EVERY_FORM.encode())
    compared = 0
    for data in sources:
        try:
            tree = ast.parse(data)
        except SyntaxError:
            assert facts(data, parse=True).syntax
            continue
        got = facts(data, parse=True)
        defined, imported = _module_level_names(tree)
        assert (set(got.defined), set(got.imported)) == (defined, imported)
        assert got.parsed and not got.syntax
        compared += 1
    assert compared > 300
    every = facts(EVERY_FORM.encode(), parse=True)
    assert {"HEAD", "TAIL", "REST", "POINT", "F1", "G", "I", "J", "WAL", "INNER", "KEPT"} <= set(
        every.defined
    )
    gone = {"COMP", "LOCAL", "ATTR", "GLOBAL_IN_FUNC", "q", "v", "E", "GONE", "Y", "CLEAN"}
    assert gone.isdisjoint(every.defined | every.imported)
    assert "REBOUND" in every.defined
    assert every.dynamic and every.stars == ((0, "m"),)
    assert set(every.imported) == {"os", "a", "cd", "sib", "yy", "z"}  # json: also assigned
    assert "json" in every.defined


@pytest.mark.parametrize(
    "source, message",
    [
        ("print 'hello'\n", "Missing parentheses"),
        ("def f(:\n    pass\n", "invalid syntax"),
        ("nonlocal x\n", "nonlocal declaration not allowed at module level"),
        ("def f(a, a):\n    pass\n", "duplicate argument"),
    ],
)
def test_the_compilers_verdict_names_line_and_message(source: str, message: str) -> None:
    got = verdict_of(source.encode())
    assert got.startswith("line 1:") and message in got


def _pyc(path: pathlib.Path, **kw: object) -> str:
    return py_compile.compile(str(path), doraise=True, **kw)  # type: ignore[arg-type]


def _forged(tmp_path: pathlib.Path) -> tuple[pathlib.Path, str]:
    """A file that does not compile, with bytecode written after it whose header names its
    size and mtime (compiled from good bytes of the same size): what the cache says is what
    is trusted."""
    src = tmp_path / "mod.py"
    src.write_text("X = (1)\n")
    old = 1_600_000_000
    os.utime(src, (old, old))
    cached = _pyc(src)
    header = pathlib.Path(cached).read_bytes()
    src.write_text("X = (1\n\n")  # same size, does not compile
    os.utime(src, (old, old))
    pathlib.Path(cached).write_bytes(header)  # written after the source's last change
    return src, cached


def test_bytecode_cache_proves_a_file_compiles_without_compiling_it(
    tmp_path: pathlib.Path,
) -> None:
    src, cached = _forged(tmp_path)
    assert verdict_of(src.read_bytes()).startswith("line 1:")
    _, got, message = compute(str(src), parse=False, verdict=True)
    assert got is not None and got.checked and not got.parsed
    assert message == got.syntax == ""  # the header was trusted: nothing was compiled
    assert [s.module for s in got.imports] == []
    parsed = compute(str(src), parse=True, verdict=True)[1]
    assert parsed is not None and parsed.syntax  # exact names still need a parse
    # bytecode of another interpreter version proves nothing: the compiler is asked
    data = bytearray(pathlib.Path(cached).read_bytes())
    data[:4] = b"\x00\x00\r\n"
    pathlib.Path(cached).write_bytes(bytes(data))
    st = src.stat()
    assert not compiled(str(src), src.read_bytes(), st.st_size, st.st_mtime_ns)
    assert compute(str(src), parse=False, verdict=True)[2].startswith("line 1:")


def test_without_bytecode_the_compiler_gives_the_verdict(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "mod.py"
    src.write_text("import os\nprint 'x'\n")
    _, got, message = compute(str(src), parse=False, verdict=True)
    assert got is not None and got.checked and "Missing parentheses" in got.syntax
    assert message == got.syntax and [s.module for s in got.imports] == ["os"]


def test_an_edit_after_the_bytecode_was_written_is_parsed(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "mod.py"
    src.write_text("X = 1\n")
    old = 1_600_000_000
    os.utime(src, (old, old))
    _pyc(src)
    # same size, a syntax error, a new mtime: the cache no longer speaks for the file
    src.write_text("X =(\n")
    st = src.stat()
    assert not compiled(str(src), src.read_bytes(), st.st_size, st.st_mtime_ns)
    assert compute(str(src), parse=False, verdict=True)[2].startswith("line 1:")


def test_a_source_newer_than_its_bytecode_is_parsed_even_when_the_header_matches(
    tmp_path: pathlib.Path,
) -> None:
    """The header stores whole seconds: an edit within the same second, same size, would
    match it. The bytecode file must not be older than the source."""
    src = tmp_path / "mod.py"
    src.write_text("X = 1\n")
    base = 1_600_000_000
    os.utime(src, ns=(base * 10**9, base * 10**9))
    cached = _pyc(src)
    os.utime(cached, ns=(base * 10**9 + 100, base * 10**9 + 100))
    src.write_text("X =(\n")
    os.utime(src, ns=(base * 10**9 + 500, base * 10**9 + 500))  # same second, later
    st = src.stat()
    assert not compiled(str(src), src.read_bytes(), st.st_size, st.st_mtime_ns)
    assert compute(str(src), parse=False, verdict=True)[2].startswith("line 1:")


def test_hash_based_bytecode_is_checked_against_the_source(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "mod.py"
    src.write_text("X = 1\n")
    _pyc(src, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    st = src.stat()
    assert compiled(str(src), src.read_bytes(), st.st_size, st.st_mtime_ns)
    src.write_text("X =(\n")
    st = src.stat()
    assert not compiled(str(src), src.read_bytes(), st.st_size, st.st_mtime_ns)
    assert importlib.util.cache_from_source(str(src)).endswith(".pyc")


def test_a_stub_never_borrows_its_modules_bytecode(tmp_path: pathlib.Path) -> None:
    """``cache_from_source`` maps ``s.pyi`` to the same file as ``s.py``: that bytecode
    says nothing about the stub."""
    (tmp_path / "s.py").write_text("def f(): pass\nX = 1\n")
    stub = tmp_path / "s.pyi"
    stub.write_text("def f(): ...\nX = ((\n")
    old = 1_600_000_000
    for path in (tmp_path / "s.py", stub):
        os.utime(path, (old, old))
    assert (tmp_path / "s.py").stat().st_size == stub.stat().st_size
    _pyc(tmp_path / "s.py")
    st = stub.stat()
    assert not compiled(str(stub), stub.read_bytes(), st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    assert compute(str(stub), parse=False, verdict=True)[2].startswith("line 2:")


@pytest.mark.posix  # a FIFO
def test_a_fifo_in_place_of_bytecode_or_source_is_never_waited_on(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("X = 1\n")
    cached = pathlib.Path(importlib.util.cache_from_source(str(src)))
    cached.parent.mkdir()
    os.mkfifo(cached)
    key, got, message = compute(str(src), parse=False, verdict=True)  # returns at once
    assert got is not None and got.checked and message == ""
    fifo = tmp_path / "f.py"
    os.mkfifo(fifo)
    assert compute(str(fifo), parse=False, verdict=True)[1] is UNREADABLE
