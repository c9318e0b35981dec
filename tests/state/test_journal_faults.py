"""The write-ahead journal under kills, cut lines, garbage, wrong types and a full disk."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group
from importshift.ops.journal import FileRecord, Journal

JOURNAL = ".migrate/journal.jsonl"


def run(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, ["--rules", str(root / "rules.yaml"), *args])


def _tree(root: pathlib.Path, n: int = 6) -> dict[str, bytes]:
    files: dict[str, str | bytes] = dict(SMALL_TREE)
    del files["app/broken.py"]
    for i in range(n):
        files[f"app/m{i}.py"] = "from pkg.events import Manager\n"
    make_tree(root, files)
    return snapshot(root)


def test_kill_9_mid_batch_then_undo_all_restores_everything(tmp_path: pathlib.Path) -> None:
    old = _tree(tmp_path / "repo")
    tmp_path, outside = tmp_path / "repo", tmp_path
    marker, base = outside / "verifying", outside / "baseline-ran"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importshift",
            "apply",
            "--batch",
            "20",
            "--verify-cmd",
            # the first run is the baseline on the untouched tree; the second, after the write
            f"if [ -e {base} ]; then touch {marker}; sleep 30; else touch {base}; fi",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    if hasattr(os, "killpg"):
        os.killpg(proc.pid, signal.SIGKILL)
    else:  # no process groups: the verification's supervisor sees the tool gone
        proc.kill()
    proc.wait(timeout=30)
    marker.unlink()
    middle = snapshot(tmp_path)
    assert middle != old  # half-migrated: files written, batch never ended
    result = run(tmp_path, "undo", "--all")
    assert result.exit_code == 0, result.output
    assert "nothing to undo" not in result.stderr
    assert "(interrupted batch)" in result.stderr
    assert snapshot(tmp_path) == old


def test_cut_last_line_is_named_and_does_not_swallow_the_next_run(tmp_path: pathlib.Path) -> None:
    old = _tree(tmp_path, 2)
    assert run(tmp_path, "apply", "--verify", "none", "--batch", "2").exit_code == 0
    journal = tmp_path / JOURNAL
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 20])  # the last "end" cut short by a full disk
    lines = data.count(b"\n")
    result = run(tmp_path, "apply", "--verify", "none", "--batch", "2")
    assert result.exit_code == 0, result.output
    assert f"warning: {JOURNAL}:{lines}: cut short; skipped" in result.stderr
    assert "resumed: batch" in result.stderr  # the unfinished batch was put back, then redone
    for raw in journal.read_bytes().split(b"\n")[lines:]:
        if raw:
            json.loads(raw)  # every later record is whole, on its own line
    undo = run(tmp_path, "undo", "--all")
    assert undo.exit_code == 0, undo.output
    assert snapshot(tmp_path) == old


def test_garbled_line_never_makes_ids_collide(tmp_path: pathlib.Path) -> None:
    old = _tree(tmp_path, 2)
    assert run(tmp_path, "apply", "--verify", "none", "--batch", "3").exit_code == 0
    journal = tmp_path / JOURNAL
    with journal.open("ab") as fh:
        fh.write(b'{"event": "begin", "batch": "7", "files": [garbage\n')
    (tmp_path / "app/late.py").write_text("from pkg.events import Manager\n")
    old["app/late.py"] = (tmp_path / "app/late.py").read_bytes()
    result = run(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert "(id 8)" in result.stderr
    ids = [b.id for b in Journal(str(tmp_path)).batches()]
    assert len(ids) == len(set(ids))
    assert run(tmp_path, "undo", "--all").exit_code == 0
    assert snapshot(tmp_path) == old


def test_duplicate_ids_from_an_old_journal_keep_both_batches(tmp_path: pathlib.Path) -> None:
    old = _tree(tmp_path, 1)
    assert run(tmp_path, "apply", "--verify", "none", "--batch", "1").exit_code == 0
    journal = tmp_path / JOURNAL
    entries = [json.loads(x) for x in journal.read_text().splitlines()]
    for e in entries:
        e["batch"] = "1"  # as a collision in an older version left them
    journal.write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert len(Journal(str(tmp_path)).batches()) == len(entries) // 2
    undo = run(tmp_path, "undo", "--all")
    assert undo.exit_code == 0, undo.output
    assert snapshot(tmp_path) == old


def test_record_with_wrong_types_is_named_not_an_internal_error(tmp_path: pathlib.Path) -> None:
    _tree(tmp_path, 1)
    (tmp_path / ".migrate").mkdir()
    (tmp_path / JOURNAL).write_text(
        '{"event": "begin", "batch": "1", "files": [{"path": "a.py", "before": 5}]}\n'
        '{"event": "end", "batch": 2, "landed": "app/views.py"}\n'
        "[1, 2]\n"
    )
    for args in (("undo",), ("apply", "--verify", "none")):
        result = run(tmp_path, *args)
        assert "internal error" not in result.output
        assert f"warning: {JOURNAL}:1: wrong types: files[0].before; skipped" in result.stderr
        assert f"warning: {JOURNAL}:2: " in result.stderr
        assert f"warning: {JOURNAL}:3: a record that is not an object; skipped" in result.stderr
        assert result.exit_code == 0, result.output


def test_failed_append_is_cut_back_and_refuses(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(str(tmp_path))
    journal.begin("1", [FileRecord("a.py", "x", "y")], [])
    size = os.path.getsize(journal.path)
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data[:10]))  # part of the line reaches the disk, then ENOSPC
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(Exception, match="cannot write the journal .*No space left on device"):
        journal.end("1", ["a.py"], [])
    monkeypatch.undo()
    assert os.path.getsize(journal.path) == size  # nothing half-written stays
    journal.end("1", ["a.py"], [])
    assert journal.batches()[0].landed == ["a.py"] and not journal.warnings


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_full_disk_refuses_before_any_file_is_written(tmp_path: pathlib.Path) -> None:
    old = _tree(tmp_path, 1)
    big = "from pkg.events import Manager\n\nPAD = '" + "x" * 120_000 + "'\n"  # one long line
    (tmp_path / "app/big.py").write_text(big)
    old["app/big.py"] = big.encode()
    state = tmp_path / ".migrate"
    state.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(state)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        result = run(tmp_path, "apply", "--verify", "none")
        assert result.exit_code == 2, result.output
        assert "No space left on device" in result.stderr
        assert "nothing was changed" in result.stderr
        assert snapshot(tmp_path) == old
    finally:
        subprocess.run(["umount", str(state)], check=True)


def test_record_naming_a_path_outside_the_repository_is_skipped(tmp_path: pathlib.Path) -> None:
    _tree(tmp_path, 1)
    (tmp_path / ".migrate").mkdir()
    record = {
        "event": "begin",
        "batch": "1",
        "v": 2,
        "files": [{"path": "../outside.py", "before": "0" * 64, "after": "deleted"}],
    }
    (tmp_path / JOURNAL).write_text(json.dumps(record) + "\n")
    result = run(tmp_path, "undo", "--all")
    assert result.exit_code == 0
    assert "files[0].path '../outside.py' leaves the repository; skipped" in result.stderr
    assert not (tmp_path.parent / "outside.py").exists()
