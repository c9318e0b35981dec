"""Runs one verification command (``--verify-cmd``, a pytest collection) so that it cannot
outlive the tool: ``python -c <this file's text> TIMEOUT shell|argv ARG...``.

The command runs in a session of its own (a process group on Windows; nothing where neither
exists); this supervisor watches its stdin, a pipe from the tool (in a thread: ``select``
works on pipes only on POSIX), and kills the command's process group (where groups do not
exist: the command, with its descendants through ``taskkill /T`` where that exists) when it
reads EOF (the tool is gone, even by SIGKILL) or when the timeout passes (exit 124). On
Linux it is a child subreaper, so what the command started in another session is found and
killed at the end, and reported on stderr. Its exit code is the command's.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

TIMED_OUT = 124
GROUPS = hasattr(os, "killpg")
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # SIGTERM: TerminateProcess on Windows


def main(timeout: float, shell: bool, argv: list[str]) -> int:
    _subreaper()
    if GROUPS:
        group: dict[str, object] = {"start_new_session": True}
    else:
        flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        group = {"creationflags": flag} if flag else {}
    try:
        proc = subprocess.Popen(
            argv[0] if shell else argv,
            shell=shell,
            stdin=subprocess.DEVNULL,
            **group,  # type: ignore[call-overload]
        )
    except OSError as exc:
        sys.stderr.write(f"cannot start {argv[0]!r}: {exc.strerror or exc}\n")
        return 127
    gone = threading.Event()
    threading.Thread(target=_watch_stdin, args=(gone,), daemon=True).start()
    deadline = time.monotonic() + timeout
    code: int | None = None
    while code is None:
        left = deadline - time.monotonic()
        if left <= 0:
            _end(proc)
            sys.stderr.write(f"\nno answer after {timeout:g}s\n")
            return TIMED_OUT
        if gone.wait(min(left, 0.05)):
            _end(proc)
            return 1
        code = proc.poll()
    _end(proc)
    return code if code >= 0 else 128 - code


def _watch_stdin(gone: threading.Event) -> None:
    """Set ``gone`` at EOF on stdin: the tool closed it or died."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    gone.set()


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's group and whatever was re-parented here (reporting daemons)."""
    if not GROUPS:
        if proc.poll() is None:  # never a reaped pid: it may have been reused
            taskkill = shutil.which("taskkill")
            if taskkill:
                subprocess.run([taskkill, "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
            _kill(proc.pid)
        proc.wait()
    pgid = proc.pid
    _kill(pgid, group=True)
    for _ in range(100):
        orphans = _children()
        for pid in orphans:
            if hasattr(os, "getsid") and os.getsid(pid) != pgid:
                sys.stderr.write(f"\nit started a process in a new session (pid {pid}); killed\n")
            _kill(pid, group=True)
            _kill(pid)
        while hasattr(os, "WNOHANG"):
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                done = 0
            if not done:
                break
        if not orphans:
            return
        time.sleep(0.01)


def _children() -> list[int]:
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children", "rb") as fh:
            return [int(p) for p in fh.read().split()]
    except (OSError, ValueError):
        return []


def _kill(pid: int, group: bool = False) -> None:
    try:
        if group:
            if GROUPS:
                os.killpg(pid, KILL)
        else:
            os.kill(pid, KILL)
    except OSError:
        pass


def _subreaper() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        except (ImportError, OSError, AttributeError):
            pass


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), sys.argv[2] == "shell", sys.argv[3:]))
