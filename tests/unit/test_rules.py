"""rules.yaml validation: every problem at once, with file:line:col, never a traceback."""

from __future__ import annotations

import os
import pathlib

import pytest
from helpers import NoProbe

from importshift.codebase import files as files_module
from importshift.codebase.files import walk
from importshift.codebase.lookup import ModuleLookup
from importshift.config.rules import load_rules
from importshift.core.errors import RulesError
from importshift.core.model import Kind


def _write_tree(root: pathlib.Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


TREE = {
    "pkg/__init__.py": "",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
    "pkg/monitor.py": "class Monitor: pass\nclass Filter: pass\n",
    "pkg/factory.py": "from pkg.canonical import *\n",
    "pkg/canonical.py": "def create(): pass\n",
}


def load(tmp_path: pathlib.Path, text: str, **kw: object):  # type: ignore[no-untyped-def]
    _write_tree(tmp_path, TREE)
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return load_rules(str(path), probe=NoProbe(), **kw)  # type: ignore[arg-type]


def problems(tmp_path: pathlib.Path, text: str) -> list[str]:
    with pytest.raises(RulesError) as info:
        load(tmp_path, text)
    return [f"{p.line}:{p.col}: {p.message}" for p in info.value.problems]


def test_kinds_from_files_and_chains(tmp_path: pathlib.Path) -> None:
    loaded = load(
        tmp_path,
        """version: 1
moves:
  - old: pkg.events.Manager
    new: pkg.monitor.Monitor
  - old: pkg.factory
    new: pkg.canonical
  - old: pkg.events.Old
    new: pkg.events.Manager
    kind: symbol
""",
    )
    moves = {m.old: m for m in loaded.ruleset.moves}
    assert moves["pkg.events.Manager"].kind is Kind.SYMBOL
    assert moves["pkg.factory"].kind is Kind.MODULE
    assert moves["pkg.events.Old"].target == "pkg.monitor.Monitor"
    res = loaded.ruleset.resolve("pkg.factory.sub.thing")
    assert res is not None and res.new == "pkg.canonical.sub.thing"


def test_every_problem_reported_at_once(tmp_path: pathlib.Path) -> None:
    found = problems(
        tmp_path,
        """version: 1
colour: blue
moves:
  - old: pkg.events.Manager
    new: pkg.events.Manager
  - old: pkg.factory
    new: pkg.canonical
    reson: typo
  - old: pkg.a
    nwe: pkg.b
  - old: not a dotted name
    new: pkg.x
""",
    )
    assert found == [
        "2:1: unknown key 'colour' in the rules file (expected one of: version, source_roots, "
        "exclude, include, gitignore, moves, codemods, docs, configs)",
        "5:10: 'new' equals 'old' (pkg.events.Manager)",
        "8:5: unknown key 'reson' in a move (expected one of: old, new, reason, kind, strings, "
        "docs, configs)",
        "9:5: move is missing 'new'",
        "10:5: unknown key 'nwe' in a move (expected one of: old, new, reason, kind, strings, "
        "docs, configs)",
        "11:10: 'old' must be a dotted name such as pkg.module.Name",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "version: 1\nversion: 1\n",
            "2:1: duplicate key 'version' (first at line 1)",
            id="duplicate key",
        ),
        pytest.param(
            "version: 1\nmoves:\n  - old: pkg.x\n    new: pkg.y\n    kind: symbol\n"
            "  - old: pkg.y\n    new: pkg.x\n    kind: symbol\n",
            "4:10: moves form a cycle: pkg.x -> pkg.y -> pkg.x",
            id="cycle",
        ),
        pytest.param(
            "version: 1\nmoves:\n  - old: pkg.factory\n    new: pkg.canonical\n"
            "  - old: pkg.factory\n    new: pkg.monitor\n",
            "5:10: two moves have the same 'old' 'pkg.factory' (first at line 3)",
            id="duplicate old",
        ),
        pytest.param(
            "version: 1\nmoves: !!python/object:os.system {}\n",
            "2:8: unsupported tag 'tag:yaml.org,2002:python/object:os.system'",
            id="python tag",
        ),
        pytest.param(
            "version: 1\nsource_roots: ['../outside']\n",
            "2:16: 'source_roots' entry '../outside' must be a relative path inside the root",
            id="root escapes",
        ),
        pytest.param(
            "version: 1\nsource_roots: ['/etc']\n",
            "2:16: 'source_roots' entry '/etc' must be a relative path inside the root",
            id="absolute root",
        ),
        pytest.param("version: 2\n", "1:10: unsupported 'version': only 1 is known", id="version"),
        pytest.param(
            "moves: []\n", "1:1: missing key 'version' (use: version: 1)", id="no version"
        ),
        pytest.param(
            "version: 1\nmoves:\n  - old: pkg.gone\n    new: pkg.monitor\n",
            "3:10: 'pkg.gone' no longer exists under the source roots: say 'kind: module' "
            "or 'kind: symbol'",
            id="old gone needs kind",
        ),
        pytest.param(
            "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Nope\n",
            "4:10: 'pkg.monitor' has no top-level name 'Nope' (or pass --no-check-targets)",
            id="missing target name",
        ),
        pytest.param(
            "version: 1\nmoves:\n  - old: pkg.factory\n    new: pkg.nowhere\n",
            "4:10: target module 'pkg.nowhere' does not exist under the source roots (or "
            "pass --no-check-targets)",
            id="missing target module",
        ),
        pytest.param("version: 1\n1: x\n", "2:1: keys must be plain strings", id="non-string key"),
        pytest.param(
            "a: [1, 2\n",
            "2:1: invalid YAML: expected ',' or ']', but got '<stream end>'",
            id="broken yaml",
        ),
        pytest.param("", "1:1: the rules file is empty", id="empty"),
    ],
)
def test_single_problem(tmp_path: pathlib.Path, text: str, expected: str) -> None:
    assert expected in problems(tmp_path, text)


def test_alias_bomb_refused(tmp_path: pathlib.Path) -> None:
    bomb = "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    found = problems(tmp_path, bomb)
    assert any("anchors and aliases are not supported" in p for p in found)


def test_missing_target_allowed_with_flag(tmp_path: pathlib.Path) -> None:
    loaded = load(
        tmp_path,
        "version: 1\nmoves:\n  - old: pkg.factory\n    new: pkg.nowhere\n",
        check_targets=False,
    )
    assert loaded.ruleset.moves[0].target == "pkg.nowhere"


def test_third_party_target_missing_is_a_warning(tmp_path: pathlib.Path) -> None:
    class Probe:
        def find(self, names):  # type: ignore[no-untyped-def]
            return {n: n == "pydantic" for n in names}

    _write_tree(tmp_path, TREE)
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nmoves:\n  - old: pydantic.BaseSettings\n"
        "    new: pydantic_settings.BaseSettings\n"
    )
    loaded = load_rules(str(path), probe=Probe())
    assert loaded.ruleset.moves[0].kind is Kind.SYMBOL
    assert loaded.warnings and "pydantic_settings" in loaded.warnings[0]


def test_gitignore_and_exclude(tmp_path: pathlib.Path) -> None:
    _write_tree(
        tmp_path,
        {
            **TREE,
            "backups/old.py": "x",
            "build/gen.py": "x",
            ".gitignore": "build/\n",
            "sub/.gitignore": "*.gen.py\n",
            "sub/a.gen.py": "",
            "sub/b.py": "",
        },
    )
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nexclude: ['backups/**']\n")
    loaded = load_rules(str(path), probe=NoProbe())
    rules = loaded.ruleset
    files, _ = walk(rules.root, rules.exclude, rules.gitignore, rules.include)
    assert "backups/old.py" not in files
    assert "build/gen.py" not in files
    assert "sub/a.gen.py" not in files
    assert "sub/b.py" in files and "pkg/events.py" in files


def test_loading_rules_never_walks_the_tree(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kinds and targets are decided by looking names up, not by walking the repository."""

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tree was walked")

    monkeypatch.setattr(os, "walk", no_walk)
    monkeypatch.setattr(files_module, "walk", no_walk)
    loaded = load(
        tmp_path,
        "version: 1\nmoves:\n  - {old: pkg.events.Manager, new: pkg.monitor.Monitor}\n"
        "  - {old: pkg.factory, new: pkg.canonical}\n",
    )
    kinds = {m.old: m.kind for m in loaded.ruleset.moves}
    assert kinds == {"pkg.events.Manager": Kind.SYMBOL, "pkg.factory": Kind.MODULE}
    assert loaded.files == ()


def test_lookup_follows_the_import_system(tmp_path: pathlib.Path) -> None:
    """A package wins over a module file beside it; a module file over a namespace folder."""
    _write_tree(
        tmp_path,
        {"a/x.py": "", "a/x/__init__.py": "", "a/y.py": "", "a/y/z.py": "", "a/ns/m.py": ""},
    )
    lookup = ModuleLookup(str(tmp_path), (".",))
    assert lookup.path("a.x") == "a/x/__init__.py"
    assert lookup.path("a.y") == "a/y.py"
    assert lookup.path("a.ns") == ""
    assert lookup.path("a.missing") is None
    assert lookup.top_levels() == frozenset({"a"})


def test_module_becomes_package_of_its_own_name(tmp_path: pathlib.Path) -> None:
    """``pkg.report -> pkg.report.plan`` (a module turned into a package): neither a cycle
    nor 'new inside old'; the new path itself and its importers are not moved again."""
    _write_tree(tmp_path, {"pkg/report/__init__.py": "", "pkg/report/plan.py": "X = 1\n"})
    loaded = load(
        tmp_path,
        "version: 1\nmoves:\n  - {old: pkg.report, new: pkg.report.plan, kind: module}\n",
    )
    rules = loaded.ruleset
    [move] = rules.moves
    assert move.target == "pkg.report.plan"
    assert rules.resolve("pkg.report").new == "pkg.report.plan"
    assert rules.resolve("pkg.report.X").new == "pkg.report.plan.X"
    assert rules.resolve("pkg.report.plan") is None
    assert rules.resolve("pkg.report.plan.X") is None


def test_module_moved_inside_itself_through_a_chain_is_an_error(tmp_path: pathlib.Path) -> None:
    assert any(
        "lies inside" in p or "cycle" in p
        for p in problems(
            tmp_path,
            "version: 1\nmoves:\n  - {old: pkg.factory, new: pkg.canonical, kind: module}\n"
            "  - {old: pkg.canonical, new: pkg.factory.sub, kind: module}\n",
        )
    )
