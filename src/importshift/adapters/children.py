"""The processes user code runs in: a fork server client, and one process per import where
the interpreter cannot fork (``spawn``). Both send the same answer: exit code, result
(``ok`` or ``failed\\0type\\0message\\0traceback``), output tail, timed out, notes."""

from __future__ import annotations

import contextlib
import functools
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, NamedTuple, TypeAlias

TAIL = 4000
Proc: TypeAlias = "subprocess.Popen[bytes]"
Live: TypeAlias = "set[int | subprocess.Popen[bytes]]"  # process groups, or processes


class Answer(NamedTuple):
    code: int
    result: bytes
    tail: bytes
    timed_out: bool
    notes: bytes


class ServerGone(Exception):
    """The fork server died or never started; the message says what it printed."""


class NoFork(ServerGone):
    """The interpreter has no ``os.fork``: use ``spawn_once``."""


class ForkServer:
    """One clean interpreter forking a child per target (see ``forkserver.py``)."""

    def __init__(self, python: str, roots: list[str], cwd: str, env: dict[str, str]) -> None:
        fd, log = tempfile.mkstemp(prefix="importshift-verify-")
        os.close(fd)
        try:
            self.proc = subprocess.Popen(
                [python, "-c", source("forkserver.py"), log, str(os.getpid()), *roots],
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                **own_group(),
            )
        except OSError:
            unlink(log)
            raise
        self.log = log
        self.ready = False
        self.buf = b""

    def ask(
        self, kind: str, name: str, timeout: float, live: Live
    ) -> tuple[int, bytes, bytes, bool, bytes]:
        """(exit code, result, output tail, timed out, notes) for one import or compile.

        The server enforces the timeout itself; the tool only steps in when the server
        does not answer well after it."""
        if not self.ready:
            first = self._line(time.monotonic() + max(timeout, 60.0))
            unlink(self.log)  # the server unlinks it once open; this covers a failed start
            if first == b"nofork":
                raise NoFork("the interpreter has no os.fork")
            if first != b"ready":
                raise ServerGone(self._stderr() or repr(first))
            self.ready = True
        payload = os.fsencode(name)
        deadline = time.monotonic() + timeout + 10
        self._send(b"%s %d %r\n%s" % (kind.encode(), len(payload), timeout, payload))
        pid = int(self._line(deadline).split()[1])
        live.add(pid)
        timed_out = False
        try:
            try:
                header = self._line(deadline)
            except TimeoutError:
                timed_out = True
                kill_group(pid)
                header = self._line(time.monotonic() + 30)
        except ServerGone:
            kill_group(pid)
            raise
        finally:
            live.discard(pid)
        _, code, rsize, tsize, nsize, late = header.split()
        r, t, n = int(rsize), int(tsize), int(nsize)
        body = self._exact(r + t + n, time.monotonic() + 30)
        return int(code), body[:r], body[r : r + t], timed_out or late == b"1", body[r + t :]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            kill_tree(self.proc)
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        unlink(self.log)

    def _send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except OSError as exc:
            raise ServerGone(self._stderr() or str(exc)) from None

    def _fill(self, deadline: float) -> None:
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError
        chunk = os.read(fd, 65536)
        if not chunk:
            raise ServerGone(self._stderr() or "it exited")
        self.buf += chunk

    def _line(self, deadline: float) -> bytes:
        while b"\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def _exact(self, size: int, deadline: float) -> bytes:
        while len(self.buf) < size:
            self._fill(deadline)
        data, self.buf = self.buf[:size], self.buf[size:]
        return data

    def _stderr(self) -> str:
        """What a dead server printed (read only once it is dead: nothing else writes there)."""
        if self.proc.poll() is None:
            return ""
        text = self.proc.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
        return text.strip().splitlines()[-1] if text.strip() else ""


@functools.cache
def source(name: str) -> str:
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as fh:
        return fh.read()


def die_with_parent() -> None:
    """In a worker process: be killed when the process that started it dies (Linux's
    ``PR_SET_PDEATHSIG``), so a killed migrate leaves no worker behind; elsewhere nothing
    (pool workers there exit when their queue closes)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):
        pass


def own_group() -> dict[str, Any]:
    """Popen arguments that start a child in a process group of its own, where the platform
    has them: a new session (POSIX), a new process group (Windows), else nothing."""
    if hasattr(os, "killpg"):
        return {"start_new_session": True}
    flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    return {"creationflags": flag} if flag else {}


def kill_group(pgid: int) -> None:
    """Kill a process group; nothing where process groups do not exist (see kill_tree)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)


def kill_tree(proc: Proc) -> None:
    """Kill ``proc`` and what it started: its process group (even after it exited) where
    groups exist; else the process while it runs (never a reaped pid, which may be reused),
    with its descendants through ``taskkill /T`` where that exists (Windows)."""
    if hasattr(os, "killpg"):
        kill_group(proc.pid)
        return
    if proc.poll() is not None:
        return
    taskkill = shutil.which("taskkill")
    if taskkill:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [taskkill, "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=30
            )
    with contextlib.suppress(OSError):
        proc.kill()


def kill_live(item: int | Proc) -> None:
    if isinstance(item, int):
        kill_group(item)
    else:
        kill_tree(item)


def unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def spawn_once(
    python: str,
    roots: list[str],
    cwd: str,
    env: dict[str, str],
    kind: str,
    name: str,
    timeout: float,
    live: Live,
) -> Answer:
    """One fresh interpreter for one import or compile (no fork needed): ``forkserver.py
    --once``. Its result goes to a file; its output to another, truncated to the tail."""
    fd, result_path = tempfile.mkstemp(prefix="importshift-result-")
    os.close(fd)
    try:
        with tempfile.TemporaryFile() as log:
            try:
                proc = subprocess.Popen(
                    [python, "-c", source("forkserver.py"), "--once", kind, result_path]
                    + [name, *roots],
                    cwd=cwd,
                    stdin=subprocess.PIPE,  # its EOF tells the child we are gone
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    **own_group(),
                )
            except OSError as exc:
                raise ServerGone(f"cannot start {python}: {exc.strerror or exc}") from None
            live.add(proc)
            timed_out = False
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_tree(proc)
                code = proc.wait()
            finally:
                kill_tree(proc)
                live.discard(proc)
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # type: ignore[union-attr]
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - TAIL))
            tail = log.read()
        with open(result_path, "rb") as fh:
            result = fh.read()
    finally:
        unlink(result_path)
    return Answer(code, result, tail, timed_out, b"")
