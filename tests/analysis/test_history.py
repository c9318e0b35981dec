"""Moves learned from a real git history: a refactor commit that moves modules and symbols."""

from __future__ import annotations

import pathlib

import pytest
from gitrefactor import git, refactor_repo

from importshift.adapters.history_git import Changes, FileChange, GitHistory
from importshift.analysis.history import definitions, learn
from importshift.codebase import files as modules
from importshift.codebase.index import CodeIndex
from importshift.core.errors import ImportshiftError

EXPECTED = [
    # (old, new, kind, importers still using the old path)
    ("app.services.websocket_manager_factory", "app.websocket_core.canonical_imports", "module", 3),
    ("app.legacy", "app.compat", "module", 2),
    ("app.utils.text.old_name", "app.utils.text.new_name", "symbol", 1),
    ("app.utils.text.slugify", "app.utils.strings.slugify", "symbol", 1),
    ("app.websocket_core.events", "app.websocket_core.event_monitor", "module", 1),
    (
        "app.websocket_core.events.EventManager",
        "app.websocket_core.event_monitor.ChatEventMonitor",
        "symbol",
        1,
    ),
]


def _index(root: str) -> CodeIndex:
    paths, _ = modules.walk(root, ())
    files = [modules.source_file(p, (".",)) for p in paths]
    return CodeIndex(root, files, modules.module_index(files), jobs=1, cache=False)


def test_since_recovers_the_moves_ranked_by_importers(tmp_path: pathlib.Path) -> None:
    before = refactor_repo(str(tmp_path))
    moves = learn(_index(str(tmp_path)), GitHistory(), before, (".",))
    assert [(m.old, m.new, m.kind, m.importers) for m in moves] == EXPECTED
    by_old = {m.old: m.reason for m in moves}
    assert by_old["app.utils.text.old_name"] == f"renamed since {before} (same body)"
    assert by_old["app.legacy"] == f"renamed in git since {before}"


def test_moves_made_without_git_mv_are_paired_by_definitions(tmp_path: pathlib.Path) -> None:
    """A plain ``mv`` shows as a deleted file and an untracked one: paired by what they
    define, since git's rename detection does not see untracked files."""
    root = tmp_path
    (root / "pkg").mkdir()
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/old.py").write_text("def f():\n    return 1\n\n\nclass K:\n    x = 2\n")
    (root / "user.py").write_text("from pkg.old import f, K\n")
    git(str(root), "init", "-q", "-b", "main")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-q", "-m", "one")
    (root / "pkg/old.py").rename(root / "pkg/new.py")
    moves = learn(_index(str(root)), GitHistory(), "HEAD", (".",))
    assert [(m.old, m.new, m.kind, m.importers) for m in moves] == [
        ("pkg.old", "pkg.new", "module", 1)
    ]


def test_an_unknown_revision_or_no_repository_is_an_error_not_silence(
    tmp_path: pathlib.Path,
) -> None:
    idx = _index(str(tmp_path))
    with pytest.raises(ImportshiftError, match="cannot learn moves since nope: .* is not inside"):
        learn(idx, GitHistory(), "nope", (".",))
    git(str(tmp_path), "init", "-q")
    with pytest.raises(ImportshiftError, match="does not know the revision"):
        learn(idx, GitHistory(), "HEAD~3", (".",))
    with pytest.raises(ImportshiftError, match="not a revision"):
        learn(idx, GitHistory(), "--output=/tmp/x", (".",))


class FakeHistory:
    """Two trivial classes swapped between modules must not be matched by their body."""

    def changes(self, root: str, rev: str) -> Changes:
        return Changes((FileChange("M", "a.py", "a.py"), FileChange("A", "", "b.py")))

    def contents(self, root: str, rev: str, paths: object) -> dict[str, bytes]:
        return {"a.py": b"class Gone:\n    pass\n"}


def test_trivial_bodies_are_no_evidence(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / "b.py").write_text("class Other:\n    pass\n")
    assert learn(_index(str(tmp_path)), FakeHistory(), "REV", (".",)) == []
    assert definitions(b"def f(:\n") is None
    assert definitions(b"class A:\n    '''doc'''\n") == {"A": ""}
