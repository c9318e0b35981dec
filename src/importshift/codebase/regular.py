"""Reading a file only when it is a regular file, without ever blocking: a FIFO named like
a source file has no writer to wait for. Light (``os``, ``stat``, ``errno``): ``check``'s
fast path reads with it."""

from __future__ import annotations

import errno
import os
import stat


def read_regular(full: str) -> bytes | None:
    """A regular file's bytes; None for anything else or an error (never blocks)."""
    found = regular(full)
    return None if found is None else found[1]


def read_source(full: str) -> bytes:
    """A regular file's bytes, never blocking; OSError, saying why, for anything else."""
    return _open_regular(full)[1]


def regular(path: str, size: int = -1) -> tuple[os.stat_result, bytes] | None:
    try:
        return _open_regular(path, size)
    except OSError:
        return None


def _open_regular(path: str, size: int = -1) -> tuple[os.stat_result, bytes]:
    """(stat, the first ``size`` bytes or all) of a regular file. Opened without blocking:
    a FIFO has no writer to wait for; it, a device or a folder raise OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return st, fh.read(size)
    finally:
        os.close(fd)
