"""``.migrate/objects/<sha256>``: the exact bytes of every file before and after a batch.

Content-addressed and written durably (temp file, fsync, rename, fsync of the folder) before
the batch's journal record that names them, so undo never has to reconstruct text.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable

from importshift.codebase.textio import fsync_dir, read_bytes
from importshift.ops.lock import state_dir

OBJECTS = "objects"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    def __init__(self, root: str) -> None:
        self.root = root
        self.folder = os.path.join(root, ".migrate", OBJECTS)

    def path(self, sha: str) -> str:
        return os.path.join(self.folder, sha)

    def put_all(self, blobs: Iterable[bytes], durable: bool = True) -> None:
        """Store every blob (fsynced when ``durable``); raises OSError. A blob is renamed
        into place whole, and ``get`` checks its hash, so a blob cut by a crash reads as
        missing, never as wrong bytes."""
        state_dir(self.root)
        os.makedirs(self.folder, exist_ok=True)
        renamed = False
        for data in blobs:
            target = self.path(digest(data))
            if self.get(digest(data)) is not None:
                continue
            tmp = f"{target}.{os.getpid()}.tmp"
            try:
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    if durable:
                        fh.flush()
                        os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            renamed = True
        if renamed and durable:
            fsync_dir(self.folder)
            fsync_dir(os.path.dirname(self.folder))

    def get(self, sha: str) -> bytes | None:
        """The stored bytes, or None when missing or not matching their name."""
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            return None
        try:
            data = read_bytes(self.path(sha))
        except OSError:
            return None
        return data if digest(data) == sha else None
