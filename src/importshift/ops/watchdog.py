"""A per-file time limit for worker processes that needs no ``SIGALRM`` (so: Windows too).

One daemon thread per process watches a deadline. When the main thread runs past it, the
thread raises :class:`FileTimeout` in the main thread (``PyThreadState_SetAsyncExc``: the
exception arrives at the next Python instruction, just as a signal handler's would). Code
stuck inside C for good never reaches one; after a grace period the watchdog then ends the
whole worker process, which the pool reports as a crash of that file: nothing hangs.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

from importshift.rewrite.engine import FileTimeout

GRACE_SECONDS = 10.0  # after the exception, how long C code may keep the thread
EXIT_CODE = 70  # the worker's exit status when the grace period runs out

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.restype = ctypes.c_int


class Watchdog:
    """Arm before a file, disarm after it; ``disarm`` says whether the limit was hit."""

    def __init__(self, target: int | None = None, grace: float = GRACE_SECONDS) -> None:
        self._target = target if target is not None else threading.main_thread().ident or 0
        self._grace = grace
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._fired = False
        self._thread = threading.Thread(target=self._watch, name="file-watchdog", daemon=True)
        self._thread.start()

    def arm(self, seconds: float) -> None:
        with self._cond:
            self._deadline = time.monotonic() + seconds
            self._fired = False
            self._cond.notify()

    def disarm(self) -> bool:
        """Stop watching; True when the limit was hit (a pending exception is cancelled)."""
        with self._cond:
            fired = self._fired
            if fired:
                _raise_in(self._target, None)  # not delivered yet: never let it escape later
            self._deadline = None
            self._fired = False
            self._cond.notify()
            return fired

    def _watch(self) -> None:
        with self._cond:
            while True:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                if not self._fired:
                    self._fired = True
                    _raise_in(self._target, FileTimeout)
                    self._deadline = time.monotonic() + self._grace
                else:  # the exception never arrived: stuck in C code
                    os._exit(EXIT_CODE)


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule ``exc`` in the thread (``None``: cancel a scheduled one, C ``NULL``)."""
    _set_async_exc(ctypes.c_ulong(thread_id), None if exc is None else ctypes.py_object(exc))


_DOG: dict[int, Watchdog] = {}


def get() -> Watchdog:
    """This process's watchdog, started on first use (a forked child starts its own)."""
    pid = os.getpid()
    if pid not in _DOG:
        _DOG.clear()
        _DOG[pid] = Watchdog()
    return _DOG[pid]
