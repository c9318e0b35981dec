"""``migrate check --new-only`` against real git: pre-commit's refs, --base/--head with their
merge base, renames, the first commit."""

from __future__ import annotations

import os
import pathlib

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree
from helpers import git as run_git

from importshift.cli import group

NEW_IMPORT = "\n\ndef again():\n    from pkg.events import Manager\n    return Manager\n"


def invoke(cwd: pathlib.Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    clean = {k: None for k in os.environ if k.startswith("PRE_COMMIT")}
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(
            group, list(args), env={**clean, **(env or {})}, catch_exceptions=False
        )
    finally:
        os.chdir(old)


def git(root: pathlib.Path, *args: str) -> str:
    return run_git(root, *args).strip()


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    make_tree(tmp_path, SMALL_TREE)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "legacy")
    return tmp_path


def test_pre_commit_refs_catch_a_no_verify_commit(repo: pathlib.Path) -> None:
    legacy = git(repo, "rev-parse", "HEAD")
    views = repo / "app/views.py"
    views.write_text(views.read_text() + NEW_IMPORT)
    git(repo, "commit", "-qam", "sneaked in with --no-verify")
    head = git(repo, "rev-parse", "HEAD")
    # compared with HEAD the import is not new: that is what a commit-time run sees
    assert invoke(repo, "check", "--new-only", "app/views.py").exit_code == 0
    expected = (
        "app/views.py:9:5: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)\n"
    )
    refs = {"PRE_COMMIT_FROM_REF": legacy, "PRE_COMMIT_TO_REF": head}
    by_env = invoke(repo, "check", "--new-only", "app/views.py", env=refs)
    assert (by_env.exit_code, by_env.stdout) == (1, expected)
    explicit = invoke(repo, "check", "--new-only", "--base", legacy, "--head", head, "app/views.py")
    assert (explicit.exit_code, explicit.stdout) == (1, expected)
    base_only = invoke(repo, "check", "--new-only", "--base", legacy, "app/views.py")
    assert (base_only.exit_code, base_only.stdout) == (1, expected)
    # explicit flags win over the environment
    pinned = invoke(repo, "check", "--new-only", "--base", head, "app/views.py", env=refs)
    assert pinned.exit_code == 0


def test_head_compares_with_the_merge_base(repo: pathlib.Path) -> None:
    """A pull request is judged on what it added, not on what main did since it branched."""
    git(repo, "checkout", "-qb", "feature")
    (repo / "app/extra.py").write_text("import os\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "feature work")
    git(repo, "checkout", "-q", "main")
    (repo / "app/views.py").write_text("from pkg.monitor import Monitor as Manager\n")
    git(repo, "commit", "-qam", "main migrated views.py")
    git(repo, "checkout", "-q", "feature")
    result = invoke(repo, "check", "--new-only", "--base", "main", "--head", "feature")
    assert (result.exit_code, result.stdout) == (0, "")
    # against main itself, the untouched legacy import would look new
    direct = invoke(repo, "check", "--new-only", "--base", "main", "app/views.py")
    assert direct.exit_code == 1


def test_a_renamed_legacy_file_is_not_new(repo: pathlib.Path) -> None:
    views = repo / "app/views.py"  # a file of some size: git calls it renamed at >= 50% alike
    views.write_text(
        views.read_text() + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(9))
    )
    git(repo, "commit", "-qam", "more legacy")
    git(repo, "mv", "app/views.py", "app/screens.py")
    moved = invoke(repo, "check", "--new-only", "app/screens.py")
    assert (moved.exit_code, moved.stdout) == (0, "")
    screens = repo / "app/screens.py"
    screens.write_text(screens.read_text() + NEW_IMPORT)
    git(repo, "add", "app/screens.py")
    edited = invoke(repo, "check", "--new-only", "app/screens.py")
    assert edited.exit_code == 1
    assert edited.stdout.splitlines() == [
        "app/screens.py:45:5: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)"
    ]
    # committed, and judged between two revisions
    git(repo, "commit", "-qm", "moved")
    committed = invoke(repo, "check", "--new-only", "--base", "HEAD~1", "--head", "HEAD")
    assert committed.stdout.splitlines() == edited.stdout.splitlines()


def test_rules_in_a_subfolder(tmp_path: pathlib.Path) -> None:
    api = tmp_path / "services/api"
    make_tree(api, SMALL_TREE)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "legacy")
    git(tmp_path, "mv", "services/api/app/views.py", "services/api/app/screens.py")
    result = invoke(tmp_path, "--rules", "services/api/rules.yaml", "check", "--new-only")
    assert (result.exit_code, result.stdout) == (0, "")
    (api / "app/new.py").write_text("import pkg.factory\n")
    fresh = invoke(
        tmp_path, "--rules", "services/api/rules.yaml", "check", "--new-only",
        "services/api/app/new.py", "README.md",
    )  # fmt: skip
    assert fresh.exit_code == 2  # README.md does not exist: refused, not skipped
    (tmp_path / "README.md").write_text("readme\n")
    fresh = invoke(
        tmp_path, "--rules", "services/api/rules.yaml", "check", "--new-only",
        "services/api/app/new.py", "README.md",
    )  # fmt: skip
    assert fresh.stdout == "app/new.py:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'\n"


def test_the_first_commit_has_everything_new(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    result = invoke(tmp_path, "check", "--new-only", "app/views.py")
    assert result.exit_code == 1
    assert result.stdout.startswith("app/views.py:1:1: MIG001")
    # but a base named on purpose must exist
    named = invoke(tmp_path, "check", "--new-only", "--base", "HEAD", "app/views.py")
    assert named.exit_code == 2


def test_many_files_in_one_run(repo: pathlib.Path) -> None:
    """Base versions come through one git process: a file missing at the base must not
    disturb the ones read after it."""
    (repo / "app/jobs.py").write_text((repo / "app/jobs.py").read_text() + "import pkg.factory\n")
    (repo / "app/new.py").write_text("import pkg.factory\n")
    files = ["app/broken.py", "app/jobs.py", "app/new.py", "app/views.py", "app/plain.py"]
    result = invoke(repo, "check", "--new-only", *files)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/jobs.py:6:1: MIG001 'pkg.factory' moved to 'pkg.canonical'",
        "app/new.py:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'",
    ]
