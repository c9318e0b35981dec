"""Bytes on disk: decoding for display, and writes that are atomic and keep the metadata.

A rewrite keeps the file's owner, group and mode (the temp file is chowned to the original
owner before it replaces the file, so a run as root does not hand the file to root), writes
through a symlink to its target (the link stays a link), and refuses a file with several hard
links (a rename would silently split them).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import tokenize
from typing import NamedTuple

TEMP_PREFIX, TEMP_SUFFIX = ".importshift-", ".tmp"  # our temp files, next to their target


class Meta(NamedTuple):
    """What a rewrite or a restore keeps: permission bits, owner and group."""

    mode: int
    uid: int
    gid: int


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


def meta_of(st: os.stat_result) -> Meta:
    return Meta(stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temp file in the same folder, fsync, os.replace.

    Mode, owner and group are kept. A symlink is written through (its target is replaced,
    the link stays). A file that is not writable by its owner is refused (the rename would
    otherwise turn a read-only file into a fresh writable one, even as root), and so is a
    file with more than one hard link.
    """
    real = os.path.realpath(path) if os.path.islink(path) else path
    st = os.stat(real)
    if not st.st_mode & stat.S_IWUSR or not os.access(real, os.W_OK):
        raise PermissionError(f"{path} is read-only")
    if st.st_nlink > 1:
        raise OSError(
            f"{path} has {st.st_nlink} hard links: a rewrite would split them (left as it is)"
        )
    _replace(real, data, meta_of(st))


def write_new(path: str, data: bytes, meta: Meta | int | None = None) -> None:
    """Create (or replace) ``path`` atomically with ``data``; ``meta`` (or a bare mode) is
    what the file gets (default: what an existing file has, else 0o644 and our owner)."""
    if isinstance(meta, int):
        meta = Meta(meta, -1, -1)
    if meta is None:
        if os.path.exists(path):
            atomic_write(path, data)
            return
        meta = Meta(0o644, -1, -1)
    real = os.path.realpath(path) if os.path.islink(path) else path
    os.makedirs(os.path.dirname(os.path.abspath(real)), exist_ok=True)
    _replace(real, data, meta)


def write_link(path: str, target: str) -> None:
    """Make ``path`` a symlink to ``target``, atomically (a temp link renamed over it)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fsync_dir(path: str) -> None:
    """Make a rename or a new entry in folder ``path`` durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _replace(path: str, data: bytes, meta: Meta) -> None:
    fd, tmp = tempfile.mkstemp(
        prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=os.path.dirname(os.path.abspath(path))
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _own(tmp, path, meta)
        os.chmod(tmp, meta.mode)  # after chown, which clears set-id bits
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _own(tmp: str, path: str, meta: Meta) -> None:
    if meta.uid < 0 and meta.gid < 0:
        return
    st = os.stat(tmp)
    uid = meta.uid if meta.uid >= 0 else st.st_uid
    gid = meta.gid if meta.gid >= 0 else st.st_gid
    if (uid, gid) == (st.st_uid, st.st_gid) or not hasattr(os, "chown"):
        return
    try:
        os.chown(tmp, uid, gid)
    except PermissionError:
        raise PermissionError(
            f"{path} belongs to uid {uid} gid {gid}: a rewrite by this user would change "
            "its owner (left as it is)"
        ) from None
