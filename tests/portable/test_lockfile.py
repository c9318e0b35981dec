"""The lock without an OS file lock: an exclusively created file, stale only when proven."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

import pytest

from importshift.core.errors import RefusedError
from importshift.ops import lock, lockfile


@pytest.fixture
def no_os_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "fcntl", None)
    monkeypatch.setattr(lock, "msvcrt", None)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_held_file_admits_one_and_names_the_holder(
    tmp_path: pathlib.Path, no_os_lock: None
) -> None:
    held = tmp_path / ".migrate" / "lock.held"
    first = lock.acquire(str(tmp_path))
    assert held.read_text().startswith(f"pid {os.getpid()} on ")
    with pytest.raises(RefusedError, match=f"holds {held} \\(pid {os.getpid()} on .*delete {held}"):
        lock.acquire(str(tmp_path))
    first.release()
    first.release()
    assert not held.exists()
    lock.acquire(str(tmp_path)).release()


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(
    tmp_path: pathlib.Path, no_os_lock: None
) -> None:
    if not hasattr(os, "kill") or os.name != "posix":
        pytest.skip("staleness is proven with os.kill(pid, 0), a POSIX probe")
    (tmp_path / ".migrate").mkdir()
    held = tmp_path / ".migrate" / "lock.held"
    held.write_text(f"pid {_dead_pid()} on {socket.gethostname()} since 2020-01-01 00:00:00")
    taken = lock.acquire(str(tmp_path))
    assert held.read_text().startswith(f"pid {os.getpid()} on ")
    assert not (tmp_path / ".migrate" / "lock.break").exists()
    taken.release()


@pytest.mark.parametrize(
    "owner",
    [
        "pid {pid} on another-host-xyz since 2020-01-01 00:00:00",  # cannot probe it
        "pid {live} on {host} since 2020-01-01 00:00:00",  # running
        "",  # never written: cannot be judged
        "garbled",
    ],
)
def test_a_lock_not_proven_stale_is_a_refusal_naming_the_file(
    tmp_path: pathlib.Path, no_os_lock: None, owner: str
) -> None:
    (tmp_path / ".migrate").mkdir()
    held = tmp_path / ".migrate" / "lock.held"
    text = owner.format(pid=_dead_pid(), live=os.getppid(), host=socket.gethostname())
    held.write_text(text)
    with pytest.raises(RefusedError, match=f"delete {held} if no migrate run is active"):
        lock.acquire(str(tmp_path))
    assert held.read_text() == text  # never deleted unless proven stale


def test_a_left_over_break_file_refuses_naming_it(tmp_path: pathlib.Path, no_os_lock: None) -> None:
    if not hasattr(os, "kill") or os.name != "posix":
        pytest.skip("staleness is proven with os.kill(pid, 0), a POSIX probe")
    (tmp_path / ".migrate").mkdir()
    (tmp_path / ".migrate" / "lock.held").write_text(
        f"pid {_dead_pid()} on {socket.gethostname()} since 2020-01-01 00:00:00"
    )
    (tmp_path / ".migrate" / "lock.break").write_text("")
    with pytest.raises(RefusedError, match="delete .*lock.break and retry"):
        lock.acquire(str(tmp_path))


def test_the_os_lock_path_honours_a_held_file(tmp_path: pathlib.Path) -> None:
    if lock.fcntl is None and lock.msvcrt is None:
        pytest.skip("needs an OS file lock (fcntl or msvcrt)")
    (tmp_path / ".migrate").mkdir()
    held = tmp_path / ".migrate" / "lock.held"
    held.write_text(lockfile.owner_line())
    with pytest.raises(RefusedError, match=f"holds {held} \\(pid {os.getpid()} "):
        lock.acquire(str(tmp_path))
    held.unlink()
    lock.acquire(str(tmp_path)).release()
