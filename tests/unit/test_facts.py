"""Per-file facts: the names a module binds against an independent ``ast`` walk, and the
compiler's verdict (from the symbol table pass, or proven by this interpreter's bytecode
cache without compiling)."""

from __future__ import annotations

import ast
import importlib.util
import os
import pathlib
import py_compile

import pytest

from benchmarks.corpus import generate
from importshift.codebase.facts import compiled, compute, facts, verdict_of

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_level_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound other than by import, names bound only by import) at module level, by
    a plain walk over every node that stops at each nested scope (``try: import x`` /
    ``except: x = None`` makes ``x`` a definition). A walrus is left out: the index does
    not see one (it reads statements, not expressions)."""
    defined: set[str] = set()
    imported: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
            stack.extend(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d)
            else:
                stack.extend(node.bases + [k.value for k in node.keywords])
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    imported.add(alias.asname or alias.name.partition(".")[0])
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d)
            continue
        if isinstance(node, _COMPREHENSIONS):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            defined.add(node.id)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            defined.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return defined, imported - defined


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
if WAL:
    ELIF = 1
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
        assert got.parsed and got.checked and not got.syntax
        compared += 1
    assert compared > 300
    every = facts(EVERY_FORM.encode(), parse=True)
    assert {"E", "HEAD", "TAIL", "REST", "POINT", "GONE", "F1", "G", "I", "J"} <= set(every.defined)
    assert {"COMP", "LOCAL", "ATTR", "GLOBAL_IN_FUNC", "q", "WAL"}.isdisjoint(every.defined)
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
    """A file that does not compile, with bytecode whose header names its size and mtime
    (compiled from good bytes of the same size): what the cache says is what is trusted."""
    src = tmp_path / "mod.py"
    src.write_text("X = (1)\n")
    old = 1_600_000_000
    os.utime(src, (old, old))
    cached = _pyc(src)
    src.write_text("X = (1\n\n")  # same size, does not compile
    os.utime(src, (old, old))
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
