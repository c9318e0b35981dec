"""The shared codebase index against an independent ``ast`` count on a generated corpus."""

from __future__ import annotations

import ast
import os
import pathlib
from collections import defaultdict

import pytest
from helpers import make_tree

from benchmarks.corpus import generate
from importshift.codebase import files as modules
from importshift.codebase.facts import CACHE_NAME
from importshift.codebase.index import CodeIndex
from importshift.core import dotted


def _index(root: str, jobs: int = 2, cache: bool = True) -> CodeIndex:
    paths, _ = modules.walk(root, ())
    files = [modules.source_file(p, (".",)) for p in paths]
    return CodeIndex(root, files, modules.module_index(files), jobs, cache)


def _ast_truth(root: str, idx: CodeIndex) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per module: the top-level names (def/class/assign/import); per dotted target: the
    files importing it, computed with ``ast.walk`` alone."""
    bound: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = defaultdict(set)
    for f in idx.files:
        data = pathlib.Path(root, f.path).read_bytes()
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue
        if f.module is not None and idx.modules.get(f.module) == f.path:
            names: set[str] = set()
            for node in ast.walk(tree):
                if getattr(node, "col_offset", 1) != 0:
                    continue
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    for a in node.names:
                        names.add(a.asname or a.name.partition(".")[0])
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                        names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
            bound[f.module] = names
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    importers[a.name].add(f.path)
            elif isinstance(node, ast.ImportFrom):
                base = dotted.resolve_relative(
                    node.level, node.module or "", f.module, f.is_package
                )
                if base is None:
                    continue
                importers[base].add(f.path)
                for a in node.names:
                    if a.name != "*":
                        importers[dotted.join(base, a.name)].add(f.path)
    return bound, importers


def test_index_counts_equal_an_independent_ast_count(tmp_path: pathlib.Path) -> None:
    root = str(tmp_path / "corpus")
    generate(root, n=600, seed=3, mention_rate=0.2)
    idx = _index(root)
    idx.build(parse=True)  # 600 files: through the worker pool
    bound, importers = _ast_truth(root, idx)
    checked = 0
    for module, names in bound.items():
        got = idx.bound(module)
        if got is None:
            continue  # a star import or __getattr__: "anything goes" is the honest answer
        assert set(got) >= {n for n in names if n != "*"}, module
        checked += 1
    assert checked > 500
    targets = [t for t in importers if t.startswith("corp.")]
    counts = idx.importer_counts(targets)
    broken = {f.path for f in idx.files if idx.facts(f.path).syntax}  # ast cannot see these
    for target in targets:
        own = broken | {
            f.path for f in idx.files if f.module is not None and dotted.within(f.module, target)
        }
        truth = set().union(
            *(paths for key, paths in importers.items() if dotted.within(key, target))
        )
        assert counts[target] - len(idx.importers(target) & broken) == len(truth - own), target
        assert idx.importers(target) - broken == truth - own, target
    assert counts["corp.core.events"] > 20
    syntax = [f.path for f in idx.files if idx.facts(f.path).syntax]
    truth_broken = []
    for f in idx.files:
        try:
            ast.parse(pathlib.Path(root, f.path).read_bytes())
        except SyntaxError:
            truth_broken.append(f.path)
    assert syntax == truth_broken and syntax


def test_parallel_and_in_process_builds_agree_and_the_cache_is_used(tmp_path: pathlib.Path) -> None:
    root = str(tmp_path / "corpus")
    generate(root, n=450, seed=5)
    one = _index(root, jobs=1, cache=False)
    one.build(parse=True)
    two = _index(root, jobs=2)
    two.build(parse=True)
    assert all(one.facts(f.path) == two.facts(f.path) for f in one.files)
    cache = os.path.join(root, ".migrate", CACHE_NAME)
    # files written in the last two seconds are never cached (their mtime cannot be trusted)
    old = 1_600_000_000
    for f in two.files:
        os.utime(os.path.join(root, f.path), (old, old))
    _index(root).build(parse=True)
    assert os.path.exists(cache)
    warm = _index(root)
    warm.build(parse=True)
    assert not warm.cache.dirty  # every fact came from the cache
    # an edited file is recomputed, not served stale
    edited = next(f.path for f in warm.files if f.module == "corp.util.retrying")
    pathlib.Path(root, edited).write_text("def retry(fn, times=3, extra=1):\n    return fn\n")
    again = _index(root)
    assert again.bound("corp.util.retrying") == frozenset({"retry"})
    assert again.facts(edited).defined == frozenset({"retry"})


def test_corrupt_cache_is_ignored(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "X = 1\n"})
    (tmp_path / ".migrate").mkdir()
    (tmp_path / ".migrate" / CACHE_NAME).write_bytes(b"\x00garbage")
    idx = _index(str(tmp_path))
    assert idx.bound("pkg.a") == frozenset({"X"})


def test_bindings_stars_getattr_and_shadowed_files(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": (
                "class A: ...\n_private = 1\n"
                "try:\n    import json\nexcept ImportError:\n    json = None\n"
            ),
            "pkg/star.py": "from .base import *\n",
            "pkg/dyn.py": "def __getattr__(name):\n    return name\n",
            "pkg/broken.py": "def f(:\n",
            "pkg/X.py": "SHADOWED = 1\n",
            "pkg/X/__init__.py": "REAL = 1\n",
        },
    )
    idx = _index(str(tmp_path))
    assert idx.bound("pkg.base") == frozenset({"A", "_private", "json"})
    assert idx.bound("pkg.star") == frozenset({"A", "json"})
    assert idx.binds("pkg.dyn", "anything") and not idx.binds_exactly("pkg.dyn", "anything")
    assert idx.bound("pkg.broken") is None
    assert idx.facts("pkg/broken.py").syntax.startswith("line 1:")
    assert idx.shadowed() == [("pkg/X.py", "pkg/X/__init__.py")]
    idx.build(parse=False)
    assert idx.definers("REAL") == ["pkg.X"] and idx.definers("SHADOWED") == []


def test_a_file_that_cannot_be_read_is_known_as_such_and_never_cached(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "X = 1\n"})
    idx = _index(str(tmp_path))
    (tmp_path / "pkg/a.py").unlink()  # gone between the walk and the read
    assert idx.facts("pkg/a.py").unreadable
    assert idx.bound("pkg.a") is None  # nothing known: anything goes, never "missing"
    assert "pkg/a.py" not in idx.cache.entries


def test_importers_of_among_the_files_naming_the_module_equals_the_whole_table(
    tmp_path: pathlib.Path,
) -> None:
    """``shims`` asks only the files whose bytes name the module's last component (its one
    read of each file finds them): the answer is the whole table's."""
    root = str(tmp_path / "corpus")
    generate(root, n=300, seed=7, mention_rate=0.3)
    idx = _index(root, jobs=1, cache=False)
    for module, names in [
        ("corp.core.events", frozenset()),
        ("corp.core.events", frozenset({"EventManager"})),
        ("corp.core.factory", frozenset()),
        ("corp.util.legacy_helpers", frozenset({"retry"})),
        ("corp.models.old_base", frozenset()),
        ("corp.core", frozenset()),
    ]:
        token = dotted.leaf(module).encode()
        naming = [f.path for f in idx.files if token in pathlib.Path(root, f.path).read_bytes()]
        expected = idx.importers_of(module, names)
        assert idx.importers_of_among(module, naming, names) == expected, module
        assert expected and len(naming) < len(idx.files), module


@pytest.mark.posix  # the crash is monkeypatched in: only a forked worker inherits it
def test_a_file_that_kills_a_worker_costs_only_itself(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser crash (a real one cannot be produced on demand) in a forked worker: the
    other files keep their facts, the culprit is reported as not parsing."""
    from importshift.codebase import facts as facts_module
    from importshift.codebase import index as index_module

    real = facts_module.facts

    def crashing(data: bytes, parse: bool, stub: bool = False):  # type: ignore[no-untyped-def]
        if b"CRASH" in data:
            os._exit(1)
        return real(data, parse, stub)

    tree = {f"pkg/m{i}.py": f"X{i} = {i}\n" for i in range(40)}
    tree["pkg/__init__.py"] = ""
    tree["pkg/bad.py"] = "CRASH = 1\n"
    make_tree(tmp_path, tree)
    monkeypatch.setattr(facts_module, "facts", crashing)
    monkeypatch.setattr(index_module, "_IN_PROCESS_BELOW", 0)
    idx = _index(str(tmp_path), jobs=2, cache=False)
    idx.build(parse=True)
    assert idx.facts("pkg/bad.py").syntax == (
        "line 0:0: not checked: its worker process died (a parser crash, or killed)"
    )
    assert idx.bound("pkg.m7") == frozenset({"X7"})


@pytest.mark.posix  # the kill is monkeypatched in: only a forked worker inherits it
def test_a_worker_killed_once_costs_a_retry_not_a_verdict(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed from outside (here: it kills itself on its first file, once) breaks
    the pool; the unfinished chunks run again and every file gets its real facts: none is
    reported as crashing the parser."""
    from importshift.codebase import facts as facts_module
    from importshift.codebase import index as index_module

    real = facts_module.facts
    marker = tmp_path / "killed-once"

    def dying(data: bytes, parse: bool, stub: bool = False):  # type: ignore[no-untyped-def]
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return real(data, parse, stub)
        os._exit(1)

    tree = {f"pkg/m{i}.py": f"X{i} = {i}\n" for i in range(60)}
    tree["pkg/__init__.py"] = ""
    root = tmp_path / "tree"
    make_tree(root, tree)
    monkeypatch.setattr(facts_module, "facts", dying)
    monkeypatch.setattr(index_module, "_IN_PROCESS_BELOW", 0)
    idx = _index(str(root), jobs=2, cache=False)
    idx.build(parse=True)
    assert marker.exists()
    assert not any(idx.facts(f.path).syntax for f in idx.files)
    assert all(idx.bound(f"pkg.m{i}") == frozenset({f"X{i}"}) for i in range(60))


def test_a_cache_written_by_other_code_is_never_read(tmp_path: pathlib.Path) -> None:
    """The cache holds what this code computed: a cache from another version of it (same
    format number, other code) is ignored, not trusted."""
    import marshal

    from importshift.codebase import facts as facts_module

    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "X = 1\n"})
    old = 1_600_000_000
    os.utime(tmp_path / "pkg" / "a.py", (old, old))
    _index(str(tmp_path)).build(parse=True)
    path = tmp_path / ".migrate" / CACHE_NAME
    fmt, stamp, entries = marshal.loads(path.read_bytes())
    assert (fmt, stamp) == (facts_module._FORMAT, facts_module._STAMP)
    key = next(k for k in entries if k.endswith("a.py"))
    lie = list(entries[key])
    lie[3] = facts_module._encode(facts_module.facts(b"Y = 1\n", True))
    entries[key] = tuple(lie)
    path.write_bytes(marshal.dumps((fmt, "other code", entries)))
    assert _index(str(tmp_path)).bound("pkg.a") == frozenset({"X"})
    path.write_bytes(marshal.dumps((fmt, stamp, entries)))  # the same lie, this code's stamp
    assert _index(str(tmp_path)).bound("pkg.a") == frozenset({"Y"})  # (so the test can fail)
