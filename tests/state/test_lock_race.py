"""The lock admits exactly one run: concurrent acquires in real processes, holders named."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.core.errors import RefusedError
from importshift.ops.lock import acquire

CONTENDER = r"""
import os, sys, time
from importshift.core.errors import RefusedError
from importshift.ops.lock import acquire
root, t0, trials, period = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
inside = os.path.join(root, "inside")
for k in range(trials):
    start = t0 + k * period
    time.sleep(max(0.0, start - time.time()))
    tried = time.time()
    try:
        lock = acquire(root)
    except RefusedError as exc:
        print(k, "refused", tried, str(exc).replace(" ", "_"), flush=True)
        continue
    got = time.time()
    try:
        fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        print(k, "OVERLAP", tried, flush=True)
        continue
    os.close(fd)
    time.sleep(period / 2)
    os.unlink(inside)
    released = time.time()
    lock.release()
    print(k, "got", got, released, flush=True)
"""


def _race(
    root: pathlib.Path, trials: int, procs: int = 3, period: float = 0.08, code: str = CONTENDER
) -> None:
    (root / ".migrate").mkdir(exist_ok=True)
    t0 = time.time() + 1.5  # every interpreter is up before the first trial
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root), str(t0), str(trials), str(period)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    rows = []
    for child in children:
        out, _ = child.communicate(timeout=60 + trials * period * 2)
        rows += [line.split() for line in out.splitlines()]
    assert not [r for r in rows if r[1] == "OVERLAP"], "two holders at once"
    assert len(rows) == trials * procs
    for k in range(trials):
        trial = [r for r in rows if int(r[0]) == k]
        got = [r for r in trial if r[1] == "got"]
        assert got, f"trial {k}: nobody got the lock"
        spans = sorted((float(r[2]), float(r[3])) for r in got)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"trial {k}: two holders at once {spans}"
        for r in trial:
            if r[1] == "refused":
                assert "another_migrate_run_holds" in r[3] and "(pid_" in r[3], r


def test_concurrent_acquire_exactly_one_holder(tmp_path: pathlib.Path) -> None:
    _race(tmp_path, int(os.environ.get("IMPORTSHIFT_LOCK_TRIALS", "15")))


def test_concurrent_acquire_without_an_os_lock_exactly_one_holder(tmp_path: pathlib.Path) -> None:
    """Neither fcntl nor msvcrt: the exclusively created ``lock.held`` admits one."""
    blocked = "import sys\nsys.modules['fcntl'] = sys.modules['msvcrt'] = None\n"
    _race(tmp_path, int(os.environ.get("IMPORTSHIFT_LOCK_TRIALS", "15")), code=blocked + CONTENDER)
    assert not (tmp_path / ".migrate" / "lock.held").exists()


@pytest.mark.slow
def test_concurrent_acquire_200_trials(tmp_path: pathlib.Path) -> None:
    _race(tmp_path, 200)


@pytest.mark.posix  # the holder takes fcntl.flock itself; without it the lock is a file
def test_held_empty_lock_file_is_not_stale_and_only_the_holder_releases(
    tmp_path: pathlib.Path,
) -> None:
    (tmp_path / ".migrate").mkdir()
    (tmp_path / ".migrate/lock").write_text("")
    holder = subprocess.Popen(  # holds the OS lock but never writes an owner line
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(tmp_path / '.migrate/lock')!r}, os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for _ in range(2):  # a refused run leaves the holder's lock alone
            with pytest.raises(RefusedError, match="owner not recorded"):
                acquire(str(tmp_path))
    finally:
        holder.kill()
        holder.communicate()
    lock = acquire(str(tmp_path))  # the holder died: the OS released it
    assert f"pid {os.getpid()} on " in (tmp_path / ".migrate/lock").read_text()
    with pytest.raises(RefusedError, match=f"pid {os.getpid()} on "):
        acquire(str(tmp_path))
    lock.release()
    lock.release()  # twice is harmless
    acquire(str(tmp_path)).release()
    assert (tmp_path / ".migrate/.gitignore").read_text() == "*\n"


def test_two_concurrent_applies_one_proceeds_the_other_names_the_holder(
    tmp_path: pathlib.Path,
) -> None:
    files = dict(SMALL_TREE)
    del files["app/broken.py"]
    make_tree(tmp_path, files)
    marker = tmp_path / "verifying"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importshift",
            "apply",
            "--verify-cmd",
            f"touch {marker} && sleep 2",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.02)
    second = subprocess.run(
        [sys.executable, "-m", "importshift", "apply", "--verify", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2, second.stderr
    assert f"another migrate run holds {tmp_path}/.migrate/lock (pid {first.pid} on " in (
        second.stderr
    )
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "applied 2 file(s)" in err
    assert b"pkg.monitor" in snapshot(tmp_path)["app/views.py"]


def test_every_migrate_folder_is_ignored_by_git(tmp_path: pathlib.Path) -> None:
    files = dict(SMALL_TREE)
    del files["app/broken.py"]
    make_tree(tmp_path, files)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    check = subprocess.run(  # check alone creates .migrate/ (its rules cache)
        [sys.executable, "-m", "importshift", "check"], cwd=tmp_path, capture_output=True
    )
    assert check.returncode == 1
    assert (tmp_path / ".migrate").is_dir()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".migrate" not in status
