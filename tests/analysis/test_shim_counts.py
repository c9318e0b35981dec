"""What ``migrate shims`` counts, against an independent ``ast`` count on a generated corpus,
and the one-read scan behind it failing closed (unreadable files, crashed workers)."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import re
from collections import defaultdict

import pytest
from click.testing import CliRunner

from benchmarks.corpus import generate
from importshift.cli import group

Key = tuple[str, str]  # (shim module, moved name or "*" for the whole module)


def _module(rel: str) -> tuple[str, bool]:
    parts = rel[: -len(".py")].split("/")
    package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if package else parts), package


def _absolute(level: int, name: str, here: str, package: bool) -> str | None:
    if not level:
        return name
    parts = here.split(".") if package else here.split(".")[:-1]
    if level - 1 > len(parts):
        return None
    kept = parts[: len(parts) - (level - 1)]
    return ".".join([*kept, name] if name else kept)


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def _truth(
    root: str, moved: dict[str, set[str]]
) -> tuple[dict[Key, set[str]], dict[str, set[str]]]:
    """Per (shim, name): the files that import that name of the shim in any form
    (``from m import X [as Y]``, relative forms, ``import m [as e]`` or ``from parent import
    leaf`` then ``e.X``; any import of the module for a whole-module move). Per shim: the
    files that import it other than through its moved names. ``ast`` alone, every file."""
    names: dict[Key, set[str]] = defaultdict(set)
    others: dict[str, set[str]] = defaultdict(set)
    for folder, _, entries in os.walk(root):
        for entry in entries:
            if not entry.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(folder, entry), root).replace(os.sep, "/")
            here, package = _module(rel)
            try:
                tree = ast.parse(pathlib.Path(root, rel).read_bytes())
            except SyntaxError:
                continue  # the engine cannot judge it either: shown as "cannot prove unused"
            holds: dict[str, str] = {}  # local name -> the dotted name it holds
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        top = a.name.partition(".")[0]
                        holds[a.asname or top] = a.name if a.asname else top
                        for m, provided in moved.items():
                            if not _within(here, m) and _within(a.name, m):
                                others[m].add(rel)
                                if "*" in provided:
                                    names[m, "*"].add(rel)
                elif isinstance(node, ast.ImportFrom):
                    base = _absolute(node.level, node.module or "", here, package)
                    if base is None:
                        continue
                    for a in node.names:
                        full = f"{base}.{a.name}"
                        if a.name != "*":
                            holds[a.asname or a.name] = full
                        for m, provided in moved.items():
                            if _within(here, m):
                                continue
                            reaches = _within(base, m) or full == m
                            if "*" in provided and reaches:
                                names[m, "*"].add(rel)
                            if base == m and a.name in provided:
                                names[m, a.name].add(rel)
                            elif reaches:
                                others[m].add(rel)
            for node in ast.walk(tree):
                chain: list[str] = []
                cur: ast.expr = node  # type: ignore[assignment]
                while isinstance(cur, ast.Attribute):
                    chain.append(cur.attr)
                    cur = cur.value
                if not chain or not isinstance(cur, ast.Name) or cur.id not in holds:
                    continue
                dotted = ".".join([holds[cur.id], *reversed(chain)])
                for m, provided in moved.items():
                    for name in provided - {"*"}:
                        if not _within(here, m) and _within(dotted, f"{m}.{name}"):
                            names[m, name].add(rel)
    return names, others


def test_printed_counts_equal_an_independent_ast_count(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "corpus"
    generate(str(root), n=300, seed=11, mention_rate=0.3)
    rules = ["--rules", str(root / "rules.yaml")]
    text = CliRunner().invoke(group, [*rules, "-j", "1", "shims"], catch_exceptions=False)
    doc = json.loads(
        CliRunner()
        .invoke(group, [*rules, "-j", "1", "--format", "json", "shims"], catch_exceptions=False)
        .stdout
    )
    moved = {s["module"]: {n["name"] for n in s["names"]} for s in doc["shims"]}
    names, others = _truth(str(root), moved)
    printed = re.findall(r"^  (\w[\w ]*): (\d+) importing file", text.stdout, re.M)
    expected = []
    checked = 0
    for shim in doc["shims"]:
        for n in shim["names"]:
            truth = names[shim["module"], n["name"]]
            assert set(n["importers"]) == truth, (shim["module"], n["name"])
            label = "the whole module" if n["name"] == "*" else n["name"]
            expected.append((label, str(len(truth))))
            # a string that ``apply`` rewrites is not an import: counted on its own
            assert all(":" in r for r in n["rewrites"])
            checked += len(truth)
        if "*" not in moved[shim["module"]]:  # a moved module has no other names
            assert set(shim["other_importers"]) == others[shim["module"]], shim["module"]
            if others[shim["module"]]:
                expected.append(("other names", str(len(others[shim["module"]]))))
    assert printed == expected
    assert checked > 100 and len(printed) == 7  # six names, and the other names of one
    assert others["corp.core.events"]  # ``import corp.core.events as ev`` and the like
    assert any(n["rewrites"] for s in doc["shims"] for n in s["names"])  # mock.patch strings


def _targets(root: pathlib.Path) -> list[tuple[str, str | None, bool, bool]]:
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        module, package = _module(rel)
        out.append((rel, module, package, False))
    return out


SHIMS = {"pkg.events": frozenset({"Manager"})}


def _tree(root: pathlib.Path, count: int) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/events.py").write_text("from pkg.monitor import Monitor as Manager\n")
    for i in range(count):
        (root / f"pkg/m{i}.py").write_text(f"import os\n\nX{i} = getattr(os, 'sep')\n")
    (root / "pkg/patched.py").write_text(
        "from unittest import mock\np = mock.patch('pkg.events.Manager')\n"
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_that_cannot_be_read_keeps_every_shim(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from importshift.analysis import proof

    _tree(tmp_path, 20)
    targets = _targets(tmp_path)
    targets.append(("pkg/gone.py", "pkg.gone", False, False))  # deleted after the walk
    monkeypatch.setattr(proof, "_IN_PROCESS_BELOW", 0)
    found = proof.scan_files(str(tmp_path), targets, SHIMS, jobs)
    (gone,) = [u for u in found.uses if u.path == "pkg/gone.py"]
    assert not gone.proof and gone.describe().startswith("cannot prove unused: pkg/gone.py:1")
    assert [u.where for u in found.uses if u.proof] == ["pkg/patched.py:2"]
    assert found.naming == {"pkg.events": ["pkg/patched.py"]}  # the bytes naming "events"


@pytest.mark.posix  # the crash is monkeypatched in: only a forked worker inherits it
def test_a_file_that_kills_its_worker_keeps_the_shims_it_names(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser crash (a real one cannot be produced on demand) in a forked worker: the
    other files keep their uses, the culprit blocks the shim it names, saying why."""
    from importshift.analysis import proof

    real = proof.find_uses

    def crashing(data: bytes, *args, **kwargs):  # type: ignore[no-untyped-def]
        if b"CRASH" in data:
            os._exit(1)
        return real(data, *args, **kwargs)

    _tree(tmp_path, 40)
    (tmp_path / "pkg/bad.py").write_text("CRASH = 1\nfrom pkg import events\n")
    (tmp_path / "pkg/bad_quiet.py").write_text("CRASH = 2\n")
    monkeypatch.setattr(proof, "find_uses", crashing)
    monkeypatch.setattr(proof, "_IN_PROCESS_BELOW", 0)
    found = proof.scan_files(str(tmp_path), _targets(tmp_path), SHIMS, 2)
    blocked = {u.where: u for u in found.uses if not u.proof}
    assert list(blocked) == ["pkg/bad.py:2"]
    assert "crashed" in blocked["pkg/bad.py:2"].why
    assert [u.where for u in found.uses if u.proof] == ["pkg/patched.py:2"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_one_read_pass_detects_exactly_what_plan_does(
    tmp_path: pathlib.Path, jobs: int
) -> None:
    """``shims`` takes the engine's outcomes from its own read of each file (sharing the
    parse); they equal the planner's scan, with a codemod (LibCST decides: the planner's
    scan runs for those) and a file gone between the walk and the read."""
    from helpers import NoProbe

    from importshift.analysis.proof import Asks, extra_files
    from importshift.analysis.shims import read_all
    from importshift.codebase import files as modules
    from importshift.codebase.index import CodeIndex
    from importshift.commands.shims import _Detect, _outcomes
    from importshift.config.rules import load_rules
    from importshift.ops import planner

    root = tmp_path / "corpus"
    generate(str(root), n=600, seed=5, mention_rate=0.2)
    codemod = pathlib.Path(__file__).resolve().parents[2] / "codemods" / "rename_kwarg.py"
    with open(root / "rules.yaml", "a") as fh:
        fh.write(
            f"codemods:\n  - use: {codemod}:RenameKwarg\n    args: {{function: "
            "corp.util.retrying.retry, old: times, new: attempts}\n"
        )
    rules = load_rules(str(root / "rules.yaml"), str(root), probe=NoProbe()).ruleset
    listed, _ = modules.walk(rules.root, rules.exclude, rules.gitignore, rules.include)
    files = [modules.source_file(f, rules.source_roots) for f in listed]
    gone = next(f for f in files if f.path.endswith("mod7.py"))
    (root / gone.path).unlink()
    idx = CodeIndex(rules.root, files, modules.module_index(files), jobs, cache=False)
    scanned = read_all(rules, idx, extra_files(rules.root, ()), jobs, Asks(None, _Detect(rules)))
    assert any(o.needs_cst for o in scanned.outcomes)
    got = _outcomes(rules, files, scanned, jobs)
    assert got == planner.scan(rules, files, jobs, exact=False)
    assert any(o.path == gone.path and "cannot read" in o.reason for o in got)
    assert sum(1 for o in got if o.edits) > 50


def test_through_the_worker_pool_an_unparsed_file_still_keeps_the_shim(
    tmp_path: pathlib.Path,
) -> None:
    """Fail closed on a tree large enough for the worker processes: a file that does not
    parse but names the shim keeps it, with the parser's reason."""
    root = tmp_path / "corpus"
    generate(str(root), n=600, seed=13, mention_rate=0.05)
    (root / "corp/legacy.py").write_text("print 'old'\nfrom corp.util import legacy_helpers\n")
    rules = ["--rules", str(root / "rules.yaml"), "-j", "2"]
    doc = json.loads(
        CliRunner()
        .invoke(group, [*rules, "--format", "json", "shims"], catch_exceptions=False)
        .stdout
    )
    (helpers,) = [s for s in doc["shims"] if s["module"] == "corp.util.legacy_helpers"]
    for n in helpers["names"]:
        (blocked,) = [u for u in n["uses"] if u["path"] == "corp/legacy.py"]
        assert blocked["line"] == 2 and not blocked["proved"]
        assert blocked["why"].startswith("does not parse on Python")
    retire = CliRunner().invoke(group, [*rules, "retire", "--dry-run"], catch_exceptions=False)
    assert retire.exit_code == 1
    assert "kept corp.util.legacy_helpers.retry: cannot prove unused: corp/legacy.py:2" in (
        retire.stdout
    )


def test_the_proof_walk_visits_what_ast_walk_does_in_its_order() -> None:
    """``uses.nodes`` leaves out only contexts, operators and name/number fields: every
    other node ``ast.walk`` yields, in the same (breadth first) order, on real sources
    (this project's, which use most of the grammar)."""
    from importshift.analysis import uses

    leaves = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    sources = sorted(pathlib.Path(uses.__file__).resolve().parents[1].rglob("*.py"))
    assert len(sources) > 50
    for source in sources:
        try:
            tree = ast.parse(source.read_bytes())
        except SyntaxError:
            continue  # the demo's Python 2 leftover
        expected = [n for n in ast.walk(tree) if not isinstance(n, leaves)]
        assert uses.nodes(tree) == expected, source
