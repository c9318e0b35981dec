"""Runs one verification command (``--verify-cmd``, a pytest collection) so that it cannot
outlive the tool: ``python -c <this file's text> TIMEOUT shell|argv ARG...``.

The command runs in a session of its own; this supervisor watches its stdin, a pipe from the
tool, and kills the command's process group when it reads EOF (the tool is gone, even by
SIGKILL) or when the timeout passes (exit 124). On Linux it is a child subreaper, so what
the command started in another session is found and killed at the end, and reported on
stderr. Its exit code is the command's.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

TIMED_OUT = 124


def main(timeout: float, shell: bool, argv: list[str]) -> int:
    _subreaper()
    try:
        proc = subprocess.Popen(
            argv[0] if shell else argv,
            shell=shell,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        sys.stderr.write(f"cannot start {argv[0]!r}: {exc.strerror or exc}\n")
        return 127
    deadline = time.monotonic() + timeout
    code: int | None = None
    while code is None:
        left = deadline - time.monotonic()
        if left <= 0:
            _end(proc.pid)
            sys.stderr.write(f"\nno answer after {timeout:g}s\n")
            return TIMED_OUT
        ready = select.select([0], [], [], min(left, 0.05))[0]
        if ready and not os.read(0, 4096):
            _end(proc.pid)
            return 1
        code = proc.poll()
    _end(proc.pid)
    return code if code >= 0 else 128 - code


def _end(pgid: int) -> None:
    """Kill the command's group and whatever was re-parented here (reporting daemons)."""
    _kill(pgid, group=True)
    for _ in range(100):
        orphans = _children()
        for pid in orphans:
            if os.getsid(pid) != pgid:
                sys.stderr.write(f"\nit started a process in a new session (pid {pid}); killed\n")
            _kill(pid, group=True)
            _kill(pid)
        while True:
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
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
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
