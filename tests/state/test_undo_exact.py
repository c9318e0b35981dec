"""``migrate undo`` never invents text: exact restore, clean merge, or left alone and reported."""

from __future__ import annotations

import os
import pathlib

from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group

VIEWS = SMALL_TREE["app/views.py"]
MIGRATED = "from pkg.monitor import Monitor\n\n\ndef view():\n    return Monitor()\n"


def run(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, ["--rules", str(root / "rules.yaml"), *args])


def applied(root: pathlib.Path) -> dict[str, bytes]:
    make_tree(root, SMALL_TREE)
    before = snapshot(root)
    result = run(root, "apply", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert (root / "app/views.py").read_text() == MIGRATED
    return before


def test_user_alias_edit_conflicts_and_is_left_exactly_as_the_user_wrote_it(
    tmp_path: pathlib.Path,
) -> None:
    applied(tmp_path)
    user = "from pkg.monitor import Monitor as Mon\n\n\ndef view():\n    return Mon()\n"
    (tmp_path / "app/views.py").write_text(user)
    result = run(tmp_path, "undo")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "app/views.py").read_text() == user  # never "Manager as Mon"
    assert "left alone app/views.py (batch 1): edited since" in result.stdout
    conflict = tmp_path / ".migrate/conflicts/batch-1/app/views.py.conflict"
    assert conflict.exists() and "import Monitor as Mon" in conflict.read_text()
    assert "from pkg.events import Manager" in conflict.read_text()
    # the rest of the batch was put back exactly
    assert (tmp_path / "app/jobs.py").read_text() == SMALL_TREE["app/jobs.py"]
    # resolving by hand, then undo again: the file now counts as reverted
    (tmp_path / "app/views.py").write_text(VIEWS)
    again = run(tmp_path, "undo")
    assert again.exit_code == 0, again.output
    assert run(tmp_path, "undo").stderr.strip().endswith("nothing to undo")


def test_user_renamed_module_is_never_turned_into_a_made_up_one(tmp_path: pathlib.Path) -> None:
    applied(tmp_path)
    user = MIGRATED.replace("pkg.monitor import", "pkg.monitoring import")
    (tmp_path / "app/views.py").write_text(user)
    result = run(tmp_path, "undo")
    assert result.exit_code == 1
    assert (tmp_path / "app/views.py").read_text() == user
    assert "eventsing" not in (tmp_path / "app/views.py").read_text()


def test_edit_elsewhere_is_merged_and_kept(tmp_path: pathlib.Path) -> None:
    applied(tmp_path)
    user = "import pkg.mentor  # deliberate\n" + MIGRATED + "\n\ndef extra():\n    return 2\n"
    (tmp_path / "app/views.py").write_text(user)
    result = run(tmp_path, "undo")
    assert result.exit_code == 0, result.output
    expected = "import pkg.mentor  # deliberate\n" + VIEWS + "\n\ndef extra():\n    return 2\n"
    assert (tmp_path / "app/views.py").read_text() == expected
    assert "merged app/views.py (batch 1)" in result.stdout


def test_older_batch_refused_while_a_later_one_changed_the_same_file(
    tmp_path: pathlib.Path,
) -> None:
    before = applied(tmp_path)
    (tmp_path / "pkg/core.py").write_text("class Monitor:\n    pass\n")
    rules = (tmp_path / "rules.yaml").read_text()
    (tmp_path / "rules.yaml").write_text(
        rules + "  - old: pkg.monitor.Monitor\n    new: pkg.core.Monitor\n"
    )
    second = run(tmp_path, "apply", "--verify", "none")
    assert second.exit_code == 0, second.output
    assert "pkg.core import Monitor" in (tmp_path / "app/views.py").read_text()
    after_two = snapshot(tmp_path)
    refused = run(tmp_path, "undo", "--batch", "1")
    assert refused.exit_code == 2
    assert "batch 2 changed app/views.py after batch 1: undo batch 2 first" in refused.stderr
    assert snapshot(tmp_path) == after_two
    forced = run(tmp_path, "undo", "--batch", "1", "--force-order")
    assert forced.exit_code == 1  # the same line: a conflict, never an invented import
    assert snapshot(tmp_path)["app/views.py"] == after_two["app/views.py"]
    assert run(tmp_path, "undo").exit_code == 0  # batch 2
    assert run(tmp_path, "undo", "--batch", "1").exit_code == 0
    now = snapshot(tmp_path)
    now.pop("pkg/core.py")
    assert now["app/views.py"] == before["app/views.py"]
    assert now["app/jobs.py"] == before["app/jobs.py"]


def test_owner_group_and_mode_survive_apply_and_undo(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    views = tmp_path / "app/views.py"
    can_chown = os.geteuid() == 0
    if can_chown:
        os.chown(views, 1234, 5678)
    views.chmod(0o600)
    assert run(tmp_path, "apply", "--verify", "none").exit_code == 0
    st = views.stat()
    assert st.st_mode & 0o7777 == 0o600
    if can_chown:
        assert (st.st_uid, st.st_gid) == (1234, 5678)
    assert run(tmp_path, "undo").exit_code == 0
    st = views.stat()
    assert views.read_text() == VIEWS and st.st_mode & 0o7777 == 0o600
    if can_chown:
        assert (st.st_uid, st.st_gid) == (1234, 5678)


def test_hardlinked_file_is_refused_and_the_link_kept(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    os.link(tmp_path / "app/views.py", tmp_path / "views-copy.txt")
    result = run(tmp_path, "apply", "--verify", "none")
    assert "skipped app/views.py (batch 1): cannot write:" in result.stdout
    assert "has 2 hard links" in result.stdout
    assert (tmp_path / "app/views.py").stat().st_nlink == 2
    assert (tmp_path / "app/views.py").read_text() == VIEWS


def test_legacy_journal_record_is_restored_only_when_exact(tmp_path: pathlib.Path) -> None:
    """A batch journaled by an older version (a reverse patch, no stored images)."""
    import hashlib
    import json

    from diff_match_patch import diff_match_patch

    make_tree(tmp_path, {**SMALL_TREE, "app/views.py": MIGRATED})
    dmp = diff_match_patch()
    patch = dmp.patch_toText(dmp.patch_make(MIGRATED, VIEWS))
    sha = lambda s: hashlib.sha256(s.encode()).hexdigest()  # noqa: E731
    (tmp_path / ".migrate").mkdir()
    lines = [
        {
            "event": "begin",
            "batch": "1",
            "rules": [],
            "files": [
                {
                    "path": "app/views.py",
                    "before": sha(VIEWS),
                    "after": sha(MIGRATED),
                    "undo": patch,
                }
            ],
        },
        {"event": "end", "batch": "1", "landed": ["app/views.py"], "rolled_back": []},
    ]
    (tmp_path / ".migrate/journal.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / "app/views.py").write_text(MIGRATED + "# edit\n")
    left = run(tmp_path, "undo")
    assert left.exit_code == 1 and "an older journal" in left.stdout
    (tmp_path / "app/views.py").write_text(MIGRATED)
    assert run(tmp_path, "undo").exit_code == 0
    assert (tmp_path / "app/views.py").read_text() == VIEWS
