"""One run at a time per repository: a lock file in ``.migrate/``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from importshift.core.errors import RefusedError

STATE_DIR = ".migrate"


def state_dir(root: str) -> str:
    path = os.path.join(root, STATE_DIR)
    os.makedirs(path, exist_ok=True)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def locked(root: str) -> Iterator[None]:
    """Hold ``.migrate/lock`` for the duration; refuse when a live process holds it."""
    path = os.path.join(state_dir(root), "lock")
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(path) as fh:
                    pid = int(fh.read().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid) and pid != os.getpid():
                raise RefusedError(
                    f"another migrate run (pid {pid}) holds {path}; wait for it to finish"
                ) from None
            with contextlib.suppress(OSError):
                os.unlink(path)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        break
    else:
        raise RefusedError(f"cannot take the lock {path}")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
