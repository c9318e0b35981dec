"""Git guards fail closed: real repositories, real git, real failures."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group

FILES: dict[str, str | bytes] = {k: v for k, v in SMALL_TREE.items() if k != "app/broken.py"}
IDENTITY = {
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path.parent / f"{tmp_path.name}-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.delenv("SUDO_UID", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def git(root: pathlib.Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def repo(root: pathlib.Path, files: dict[str, str | bytes] | None = None) -> None:
    make_tree(root, files or FILES)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")


def run(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, ["--rules", str(root / "rules.yaml"), *args])


def test_dubious_ownership_is_a_refusal_naming_it(tmp_path: pathlib.Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    repo(tmp_path)
    subprocess.run(["chown", "-R", "1234:1234", str(tmp_path)], check=True)
    before = snapshot(tmp_path)
    result = run(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 2, result.output
    assert "dubious ownership" in result.stderr
    assert snapshot(tmp_path) == before


def test_git_missing_from_path_refuses_inside_a_repo_only(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    repo(inside)
    make_tree(outside, FILES)
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    before = snapshot(inside)
    result = run(inside, "apply", "--verify", "none")
    assert result.exit_code == 2, result.output
    assert "git is not on PATH" in result.stderr and "inside the git work tree" in result.stderr
    assert snapshot(inside) == before
    assert run(outside, "apply", "--verify", "none").exit_code == 0  # no repository: no guard


def test_paths_are_literal_not_patterns(tmp_path: pathlib.Path) -> None:
    files = dict(FILES)
    files["app/[ab].py"] = "from pkg.events import Manager\n"
    files["app/:x.py"] = "from pkg.events import Manager\n"
    files["app/a.py"] = "x = 1\n"
    repo(tmp_path, files)
    (tmp_path / "app/a.py").write_text("x = 2\n")  # dirty, but not a file the run touches
    result = run(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert "pkg.monitor" in (tmp_path / "app/[ab].py").read_text()
    assert "pkg.monitor" in (tmp_path / "app/:x.py").read_text()
    (tmp_path / "app/[ab].py").write_text("from pkg.events import Manager\n# wip\n")
    refused = run(tmp_path, "apply", "--verify", "none")
    assert refused.exit_code == 2
    assert "app/[ab].py (modified)" in refused.stderr and "app/a.py" not in refused.stderr


def test_dirty_file_in_a_nested_repository_refuses(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    nested = tmp_path / "vendor/lib"
    repo(nested, {"mod.py": "from pkg.events import Manager\n"})
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "nested")
    (nested / "mod.py").write_text("from pkg.events import Manager\n# local change\n")
    before = snapshot(tmp_path)
    result = run(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 2, result.output
    assert "vendor/lib/mod.py (modified)" in result.stderr
    assert snapshot(tmp_path) == before


def test_dirty_file_in_a_submodule_refuses(tmp_path: pathlib.Path) -> None:
    source = tmp_path / "source"
    repo(source, {"mod.py": "from pkg.events import Manager\n"})
    work = tmp_path / "work"
    repo(work)
    git(work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(source), "sub")
    git(work, "commit", "-qm", "submodule")
    (work / "sub/mod.py").write_text("from pkg.events import Manager\n# local change\n")
    result = run(work, "apply", "--verify", "none")
    assert result.exit_code == 2, result.output
    assert "sub/mod.py (modified)" in result.stderr


def test_untracked_file_to_be_rewritten_refuses(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    (tmp_path / "app/new.py").write_text("from pkg.events import Manager\n")
    result = run(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 2
    assert "app/new.py (untracked)" in result.stderr
    assert (tmp_path / "app/new.py").read_text() == "from pkg.events import Manager\n"


def _commit_fails(root: pathlib.Path, result, reason: str, staged: str = "") -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "error: git commit of batch 1 failed:" in result.stdout
    assert reason in result.stdout
    assert git(root, "diff", "--cached", "--name-only") == staged  # the index as it was
    assert "pkg.monitor" in (root / "app/views.py").read_text()  # written, as before the commit


def test_commit_without_identity_exits_1_nothing_staged(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path)
    head = git(tmp_path, "rev-parse", "HEAD")
    for key in IDENTITY:
        monkeypatch.delenv(key)
    git(tmp_path, "config", "user.useConfigOnly", "true")
    result = run(tmp_path, "apply", "--verify", "none", "--commit")
    _commit_fails(tmp_path, result, "email")
    assert git(tmp_path, "rev-parse", "HEAD") == head


def test_commit_mid_merge_exits_1(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    git(tmp_path, "checkout", "-qb", "side")
    (tmp_path / "pkg/monitor.py").write_text("class Monitor:\n    side = 1\n")
    git(tmp_path, "commit", "-qam", "side")
    git(tmp_path, "checkout", "-q", "-")
    (tmp_path / "pkg/monitor.py").write_text("class Monitor:\n    main = 1\n")
    git(tmp_path, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "-q", "side"], cwd=tmp_path, capture_output=True)
    staged = git(tmp_path, "diff", "--cached", "--name-only")
    result = run(tmp_path, "apply", "--verify", "none", "--commit")
    _commit_fails(tmp_path, result, "merge", staged)


def test_commit_of_a_file_ignored_through_info_exclude_exits_1(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    (tmp_path / ".git/info/exclude").write_text("app/extra.py\n")
    (tmp_path / "app/extra.py").write_text("from pkg.events import Manager\n")
    result = run(tmp_path, "apply", "--verify", "none", "--commit", "--allow-dirty")
    _commit_fails(tmp_path, result, "app/extra.py")
    assert git(tmp_path, "log", "--oneline").count("\n") == 1


def test_commit_runs_hooks_by_default_and_can_skip_them(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    hook = tmp_path / ".git/hooks/pre-commit"
    hook.write_text(f"#!/bin/sh\necho ran >> {tmp_path.parent / 'hook-ran'}\n")
    hook.chmod(0o755)
    result = run(tmp_path, "apply", "--verify", "none", "--commit")
    assert result.exit_code == 0, result.output
    assert (tmp_path.parent / "hook-ran").read_text() == "ran\n"
    assert "migrate: batch 1" in git(tmp_path, "log", "-1", "--format=%s")
    assert git(tmp_path, "status", "--porcelain", "--untracked-files=no") == ""
    git(tmp_path, "reset", "-q", "--hard", "HEAD~1")
    (tmp_path / "app/views.py").write_text(SMALL_TREE["app/views.py"] + "")
    skipped = run(tmp_path, "apply", "--verify", "none", "--commit", "--no-verify-hooks")
    assert skipped.exit_code == 0, skipped.output
    assert (tmp_path.parent / "hook-ran").read_text() == "ran\n"  # not run again


def test_failing_hook_exits_1_with_its_message(tmp_path: pathlib.Path) -> None:
    repo(tmp_path)
    hook = tmp_path / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'error: lint says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run(tmp_path, "apply", "--verify", "none", "--commit")
    _commit_fails(tmp_path, result, "lint says no")


def test_failing_hook_that_rewrites_files_leaves_them_as_before_the_attempt(
    tmp_path: pathlib.Path,
) -> None:
    repo(tmp_path)
    hook = tmp_path / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho '# formatted' >> app/views.py\nexit 1\n")
    hook.chmod(0o755)
    result = run(tmp_path, "apply", "--verify", "none", "--commit")
    _commit_fails(tmp_path, result, "failed")
    assert "note: a commit hook changed app/views.py; put back as migrate wrote it" in (
        result.stdout
    )
    assert (tmp_path / "app/views.py").read_text() == (
        "from pkg.monitor import Monitor\n\n\ndef view():\n    return Monitor()\n"
    )
