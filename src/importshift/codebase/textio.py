"""Bytes on disk: decoding for display, and writes that are atomic and keep the mode."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import tokenize


def decode(data: bytes) -> str:
    """Source bytes as text, honouring the BOM and coding cookie (for diffs and display)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("utf-8", "surrogateescape")


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temp file in the same folder, fsync, os.replace.

    The mode bits are kept. A file that is not writable by its owner is refused (the rename
    would otherwise turn a read-only file into a fresh writable one, even as root).
    """
    st = os.stat(path)
    if not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise PermissionError(f"{path} is read-only")
    _replace(path, data, stat.S_IMODE(st.st_mode))


def write_new(path: str, data: bytes, mode: int = 0o644) -> None:
    """Create (or replace) ``path`` atomically with ``data`` and ``mode``: used to put back a
    deleted file."""
    if os.path.exists(path):
        atomic_write(path, data)
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    _replace(path, data, mode)


def _replace(path: str, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(
        prefix=".importshift-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(path))
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
