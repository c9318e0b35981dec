"""``.migrate/objects/``: the exact bytes of every file before and after a batch.

Content-addressed by sha256. A batch's before-images go into one pack file
(``pack-*.pack``: a JSON line ``[[sha, size], ...]`` then the blobs back to back), written
durably (temp file, fsync, rename, fsync of the folder) before the batch's journal record
that names them, so undo never has to reconstruct text; one fsync per batch, not one per
file. After-images (only the base of undo's merge) are loose files ``<sha256>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable

from importshift.codebase.textio import fsync_dir, read_bytes
from importshift.ops.lock import state_dir

OBJECTS = "objects"
PACK = ".pack"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    def __init__(self, root: str) -> None:
        self.root = root
        self.folder = os.path.join(root, ".migrate", OBJECTS)
        self._index: dict[str, tuple[str, int, int]] | None = None

    def path(self, sha: str) -> str:
        return os.path.join(self.folder, sha)

    def put_all(self, blobs: Iterable[bytes], durable: bool = True) -> None:
        """Store every blob not stored yet; raises OSError.

        ``durable``: in one pack file per call (fsynced once, with its folder), which is
        what a batch's before-images need. Otherwise one loose file per blob, not fsynced.
        Either is renamed into place whole, and ``get`` checks every hash, so a blob cut by
        a crash reads as missing, never as wrong bytes."""
        fresh: dict[str, bytes] = {}
        for data in blobs:
            sha = digest(data)
            if sha not in fresh and self.get(sha) is None:
                fresh[sha] = data
        if not fresh:
            return
        state_dir(self.root)
        new_folder = not os.path.isdir(self.folder)
        os.makedirs(self.folder, exist_ok=True)
        if durable:
            header = json.dumps([[sha, len(d)] for sha, d in fresh.items()]).encode() + b"\n"
            name = f"pack-{time.time_ns()}-{os.getpid()}{PACK}"
            _write(os.path.join(self.folder, name), [header, *fresh.values()], True)
            fsync_dir(self.folder)
            if new_folder:
                fsync_dir(os.path.dirname(self.folder))
        else:
            for sha, data in fresh.items():
                _write(self.path(sha), [data], False)
        self._index = None

    def get(self, sha: str) -> bytes | None:
        """The stored bytes, or None when missing or not matching their name."""
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            return None
        data: bytes | None
        try:
            data = read_bytes(self.path(sha))
        except OSError:
            data = self._from_pack(sha)
        if data is None or digest(data) != sha:
            return None
        return data

    def _from_pack(self, sha: str) -> bytes | None:
        if self._index is None:
            self._index = self._read_index()
        where = self._index.get(sha)
        if where is None:
            return None
        path, offset, size = where
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                return fh.read(size)
        except OSError:
            return None

    def _read_index(self) -> dict[str, tuple[str, int, int]]:
        index: dict[str, tuple[str, int, int]] = {}
        try:
            names = sorted(n for n in os.listdir(self.folder) if n.endswith(PACK))
        except OSError:
            return index
        for name in names:
            path = os.path.join(self.folder, name)
            try:
                with open(path, "rb") as fh:
                    line = fh.readline()
                entries = json.loads(line)
            except (OSError, ValueError):
                continue
            offset = len(line)
            for entry in entries if isinstance(entries, list) else []:
                if (
                    not isinstance(entry, list)
                    or len(entry) != 2
                    or not isinstance(entry[0], str)
                    or not isinstance(entry[1], int)
                ):
                    break
                index.setdefault(entry[0], (path, offset, entry[1]))
                offset += entry[1]
        return index


def _write(target: str, parts: list[bytes], durable: bool) -> None:
    tmp = f"{target}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            for part in parts:
                fh.write(part)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
