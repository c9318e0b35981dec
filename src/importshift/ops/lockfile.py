"""The lock where the platform has no OS file lock (neither ``fcntl`` nor ``msvcrt``).

``.migrate/lock.held`` is created with ``O_CREAT | O_EXCL`` (atomic on every platform) and
holds the owner line ``pid N on HOST since ...``. The holder deletes it on release. A run
that finds it refuses naming the holder, unless the lock is *proven* stale: same host, and
the pid is known not to run (``os.kill(pid, 0)`` where it is a probe, i.e. POSIX signals;
on other platforms nothing is proven). A stale file is taken over under a second exclusive
file (``lock.break``) so two runs never both break the same lock. Whatever cannot be
proven is a refusal naming the file to delete by hand: never two holders.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import time

from importshift.core.errors import RefusedError

HELD = "lock.held"
BREAK = "lock.break"
_TRIES = 50  # x 10 ms: how long a blank owner line is waited for
_OWNER = re.compile(r"pid (\d+) on (\S+) since ")
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def owner_line() -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    return f"pid {os.getpid()} on {socket.gethostname()} since {stamp}"


def _read(path: str) -> str | None:
    """The owner text, or None when the file does not exist."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(500).strip()
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _dead(owner: str) -> bool:
    """True only when ``owner`` is proven not to run: same host and pid gone."""
    found = _OWNER.match(owner)
    if not found or found.group(2) != socket.gethostname():
        return False
    pid = int(found.group(1))
    if pid == os.getpid() or not hasattr(signal, "SIGKILL") or not hasattr(os, "kill"):
        return False  # os.kill(pid, 0) probes only where POSIX signals exist
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _create(path: str) -> int | None:
    try:
        fd = os.open(path, _FLAGS, 0o644)
    except FileExistsError:
        return None
    except OSError as exc:
        raise RefusedError(f"cannot create the lock {path}: {exc.strerror}") from None
    return fd


def _break(folder: str, stale: str) -> None:
    """Delete ``lock.held`` if it still names ``stale``, under ``lock.break``."""
    guard = os.path.join(folder, BREAK)
    fd = _create(guard)
    if fd is None:
        raise RefusedError(
            f"another migrate run is breaking a stale lock ({guard}); if none is running, "
            f"delete {guard} and retry"
        )
    try:
        held = os.path.join(folder, HELD)
        if _read(held) == stale:
            os.unlink(held)
    finally:
        os.close(fd)
        os.unlink(guard)


def refuse_if_held(folder: str) -> None:
    """Refuse while a run without an OS lock holds ``lock.held`` (used by the OS-lock path)."""
    held = os.path.join(folder, HELD)
    owner = _read(held)
    if owner is not None and not _dead(owner):
        raise RefusedError(
            f"another migrate run holds {held} ({owner or 'owner not recorded'}); wait for "
            f"it to finish, or delete {held} if no migrate run is active"
        )


def _refuse_os_holder(folder: str) -> None:
    """A run with an OS lock writes its owner into ``lock`` (and empties it on release):
    honour it unless proven dead (checked after creating ours; it writes, then checks)."""
    other = os.path.join(folder, "lock")
    owner = _read(other)
    if owner and _OWNER.match(owner) and not _dead(owner):  # other text is not an owner
        raise RefusedError(f"another migrate run holds {other} ({owner}); wait for it to finish")


def acquire(folder: str) -> tuple[str, int]:
    """Create ``folder/lock.held`` with our owner line, or refuse naming the holder."""
    held = os.path.join(folder, HELD)
    for _ in range(_TRIES):
        fd = _create(held)
        if fd is not None:
            try:
                os.write(fd, owner_line().encode("utf-8"))
                _refuse_os_holder(folder)
            except BaseException:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(held)
                raise
            return held, fd
        owner = _read(held)
        if owner is None:
            continue  # released between our two calls
        if owner and _dead(owner):
            _break(folder, owner)
            continue
        if owner:
            raise RefusedError(
                f"another migrate run holds {held} ({owner}); wait for it to finish, or "
                f"delete {held} if no migrate run is active"
            )
        time.sleep(0.01)  # the holder is between creating and writing its name
    raise RefusedError(
        f"another migrate run holds {held} (owner not recorded); wait for it to finish, or "
        f"delete {held} if no migrate run is active"
    )


def release(held: str, fd: int) -> None:
    os.close(fd)  # first: Windows cannot delete an open file
    with contextlib.suppress(FileNotFoundError):
        os.unlink(held)
