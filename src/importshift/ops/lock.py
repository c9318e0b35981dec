"""One run at a time per repository: an OS lock on ``.migrate/lock``.

The lock is ``fcntl.flock`` (POSIX) or ``msvcrt.locking`` (Windows), chosen by what the
platform has. The operating system drops it when the holding process ends, however it ends,
so a lock is never stale and nothing has to guess from a pid. A platform with neither
falls back to an exclusively created ``lock.held`` (``ops.lockfile``), which the OS-lock
path also honours. The holder writes its pid,
host and start time into the file; a run that finds the lock taken names that holder and
refuses. The file itself is never deleted (deleting it would let a second run lock a new
file while the first still holds the old one); only the holder's open descriptor releases.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

from importshift.core.errors import RefusedError
from importshift.ops import lockfile

STATE_DIR = ".migrate"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

_TRIES = 50  # x 10 ms: how long a blank owner line is waited for
_WIN_OFFSET = 1 << 30  # Windows locks a byte far past the owner text, which stays readable


def state_dir(root: str) -> str:
    """``root/.migrate``, created on first use with a ``.gitignore`` that ignores it all."""
    path = os.path.join(root, STATE_DIR)
    os.makedirs(path, exist_ok=True)
    ignore = os.path.join(path, ".gitignore")
    if not os.path.exists(ignore):
        with contextlib.suppress(OSError), open(ignore, "w", encoding="utf-8") as fh:
            fh.write("*\n")
    return path


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            raise RefusedError(f"cannot lock .migrate/lock: {exc.strerror}") from None
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    raise AssertionError("no OS lock: acquire() takes lockfile's path")


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:  # pragma: no cover - Windows
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(500).strip()
    except OSError:
        text = ""
    return text


class Lock:
    """A held lock: ``release()`` is the only way out, and only its holder has one."""

    def __init__(self, path: str, fd: int, *, held_file: bool = False) -> None:
        self.path = path
        self._fd: int | None = fd
        self._held_file = held_file

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if self._held_file:
            lockfile.release(self.path, fd)
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # the owner line goes with the lock
            _unlock(fd)
        finally:
            os.close(fd)


def acquire(root: str) -> Lock:
    """Take ``root/.migrate/lock`` or refuse (``RefusedError``) naming the holder."""
    folder = state_dir(root)
    if fcntl is None and msvcrt is None:
        return Lock(*lockfile.acquire(folder), held_file=True)
    path = os.path.join(folder, "lock")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise RefusedError(f"cannot open the lock {path}: {exc.strerror}") from None
    try:
        for _ in range(_TRIES):
            if _try_lock(fd):
                break
            holder = _holder(path)
            if holder:
                raise RefusedError(
                    f"another migrate run holds {path} ({holder}); wait for it to finish"
                )
            time.sleep(0.01)  # the holder is between locking and writing its name
        else:
            raise RefusedError(
                f"another migrate run holds {path} (owner not recorded); wait for it to finish"
            )
        owner = lockfile.owner_line()
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, owner.encode("utf-8"))
        try:  # after writing the owner: a run without an OS lock checks in the other order
            lockfile.refuse_if_held(folder)
        except RefusedError:
            os.ftruncate(fd, 0)
            raise
    except BaseException:
        os.close(fd)  # closing drops our lock, if we took it
        raise
    return Lock(path, fd)


@contextlib.contextmanager
def locked(root: str) -> Iterator[None]:
    """Hold ``.migrate/lock`` for the duration; refuse when another run holds it."""
    lock = acquire(root)
    try:
        yield
    finally:
        lock.release()
