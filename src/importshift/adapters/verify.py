"""Verification: import (or compile, or collect) touched modules in fresh interpreters.

User code runs only here, in subprocesses: stdin closed, output captured to a file and
truncated, a timeout, its own process group (grandchildren die too). Imports and compiles go
through fork servers (``forkserver.py``): one clean interpreter per job that forks a child per
module, so each import starts from a fresh interpreter's state without paying for its
start-up. Success is a result the child sends after the import returns, so
``sys.exit(0)``/``os._exit(0)`` during the import is not mistaken for success.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from importshift.core.model import SourceFile
from importshift.core.options import VerifyMode, VerifyOptions

OUTPUT_TAIL = 4000


class Verdict(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timed out"
    EXITED = "exited"


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """Something to verify: a module to import, a file to compile or collect, a command."""

    kind: str  # "import" | "compile" | "collect" | "command"
    name: str


@dataclass(frozen=True, slots=True)
class Result:
    target: Target
    verdict: Verdict
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK

    def summary(self) -> str:
        first = self.detail.strip().splitlines()[-1] if self.detail.strip() else ""
        return f"{self.verdict.value}: {first}" if first else self.verdict.value


class Verifier(Protocol):
    def targets(self, files: Iterable[SourceFile]) -> set[Target]: ...

    def run(self, targets: Iterable[Target]) -> dict[Target, Result]: ...


def is_test_file(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or "tests/" in f"/{path}"


def pick_python(root: str, explicit: str | None) -> str:
    """--python, else the repository's .venv/venv interpreter, else this one."""
    if explicit:
        return explicit
    for folder in (".venv", "venv"):
        for rel in ("bin/python", "Scripts/python.exe"):
            candidate = os.path.join(root, folder, rel)
            if os.path.exists(candidate):
                return candidate
    return sys.executable


class NoVerifier:
    def targets(self, files: Iterable[SourceFile]) -> set[Target]:
        return set()

    def run(self, targets: Iterable[Target]) -> dict[Target, Result]:
        return {t: Result(t, Verdict.OK) for t in targets}


class SubprocessVerifier:
    """Runs each target in its own interpreter, ``jobs`` at a time."""

    def __init__(
        self, root: str, source_roots: Sequence[str], options: VerifyOptions, jobs: int
    ) -> None:
        self.root = root
        self.roots = [os.path.normpath(os.path.join(root, r)) for r in source_roots]
        self.options = options
        self.python = pick_python(root, options.python)
        self.jobs = max(1, jobs)
        self._live: set[int] = set()  # process groups of running children
        self._idle: list[_ForkServer] = []
        self._servers: list[_ForkServer] = []
        self._lock = threading.Lock()
        self._stopping = False

    def targets(self, files: Iterable[SourceFile]) -> set[Target]:
        if self.options.command:
            return {Target("command", self.options.command)}
        out = set()
        for f in files:
            if self.options.mode is VerifyMode.COLLECT and is_test_file(f.path):
                out.add(Target("collect", f.path))
            elif f.module:
                out.add(Target("import", f.module))
            elif f.path.endswith((".py", ".pyi")) or "." not in f.path.rpartition("/")[2]:
                out.add(Target("compile", f.path))  # notebooks, docs, config: not Python
        return out

    def run(self, targets: Iterable[Target]) -> dict[Target, Result]:
        todo = sorted(set(targets))
        if not todo:
            return {}
        pool = ThreadPoolExecutor(self.jobs)
        try:
            return dict(zip(todo, pool.map(self._one, todo), strict=False))
        except BaseException:  # Ctrl-C: kill every child group now, do not wait for them
            self._stopping = True
            for pgid in list(self._live):
                _kill_group(pgid)
            for server in list(self._servers):
                _kill_group(server.proc.pid)
            raise
        finally:
            pool.shutdown(wait=not self._stopping, cancel_futures=True)
            servers, self._servers, self._idle = self._servers, [], []
            for server in servers:
                server.close()

    def _env(self, target: Target) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if target.kind in ("command", "collect"):
            env["PYTHONPATH"] = os.pathsep.join(
                [*self.roots, *filter(None, [env.get("PYTHONPATH")])]
            )
        return env

    def _one(self, target: Target) -> Result:
        if target.kind in ("command", "collect"):
            return self._spawn(target)
        with self._lock:
            server = self._idle.pop() if self._idle else None
        if server is None:
            try:
                server = _ForkServer(self.python, self.roots, self.root, self._env(target))
            except OSError as exc:
                return Result(target, Verdict.FAILED, f"cannot start {self.python}: {exc}")
            with self._lock:
                self._servers.append(server)
        name = target.name if target.kind == "import" else os.path.join(self.root, target.name)
        try:
            code, result, tail, timed_out = server.ask(
                target.kind, name, self.options.timeout, self._live
            )
        except _ServerGone as exc:
            with self._lock:
                self._servers.remove(server)
            server.close()
            return Result(target, Verdict.FAILED, f"the interpreter {self.python} failed: {exc}")
        with self._lock:
            self._idle.append(server)
        output = tail.decode("utf-8", "replace")
        if timed_out:
            return Result(
                target, Verdict.TIMEOUT, f"no answer after {self.options.timeout:g}s\n{output}"
            )
        if result == b"ok":
            return Result(target, Verdict.OK)
        if not result.startswith(b"failed\0"):
            return Result(
                target,
                Verdict.EXITED,
                f"the interpreter exited (code {code}) before the import finished\n{output}",
            )
        _, kind, message, trace = result.decode("utf-8", "replace").split("\0", 3)
        return Result(target, Verdict.FAILED, f"{trace.rstrip()}\n{kind}: {message}")

    def _spawn(self, target: Target) -> Result:
        """A command or a pytest collection: its own process, judged by its exit code."""
        if target.kind == "command":
            argv: list[str] | str = target.name
        else:
            argv = [self.python, "-m", "pytest", "--collect-only", "-q"]
            argv += ["-p", "no:cacheprovider", target.name]
        with tempfile.TemporaryFile() as log:
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=self.root,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self._env(target),
                    shell=isinstance(argv, str),
                    start_new_session=True,
                )
            except OSError as exc:
                return Result(target, Verdict.FAILED, f"cannot start {argv!r}: {exc}")
            self._live.add(proc.pid)
            try:
                code = proc.wait(timeout=self.options.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
                code = -1
            finally:
                _kill_group(proc.pid)
                self._live.discard(proc.pid)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            log.seek(0, os.SEEK_END)
            size = log.tell()
            log.seek(max(0, size - OUTPUT_TAIL))
            tail = log.read().decode("utf-8", "replace")
        if timed_out:
            return Result(
                target, Verdict.TIMEOUT, f"no answer after {self.options.timeout:g}s\n{tail}"
            )
        return Result(
            target,
            Verdict.OK if code == 0 else Verdict.FAILED,
            "" if code == 0 else f"exit code {code}\n{tail}",
        )


class _ServerGone(Exception):
    """The fork server died or never started; the message says what it printed."""


class _ForkServer:
    """One clean interpreter forking a child per target (see ``forkserver.py``)."""

    def __init__(self, python: str, roots: list[str], cwd: str, env: dict[str, str]) -> None:
        fd, log = tempfile.mkstemp(prefix="importshift-verify-")
        os.close(fd)
        try:
            self.proc = subprocess.Popen(
                [python, "-c", _server_source(), log, *roots],
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError:
            _unlink(log)
            raise
        self.log = log
        self.ready = False
        self.buf = b""

    def ask(
        self, kind: str, name: str, timeout: float, live: set[int]
    ) -> tuple[int, bytes, bytes, bool]:
        """(exit code, result, output tail, timed out) for one import or compile."""
        if not self.ready:
            first = self._line(time.monotonic() + max(timeout, 60.0))
            _unlink(self.log)  # the server unlinks it once open; this covers a failed start
            if first != b"ready":
                raise _ServerGone(self._stderr() or repr(first))
            self.ready = True
        payload = os.fsencode(name)
        deadline = time.monotonic() + timeout
        self._send(b"%s %d\n%s" % (kind.encode(), len(payload), payload))
        pid = int(self._line(deadline).split()[1])
        live.add(pid)
        timed_out = False
        try:
            try:
                header = self._line(deadline)
            except TimeoutError:
                timed_out = True
                _kill_group(pid)
                header = self._line(time.monotonic() + 30)
        finally:
            live.discard(pid)
        _, code, rsize, tsize = header.split()
        body = self._exact(int(rsize) + int(tsize), time.monotonic() + 30)
        return int(code), body[: int(rsize)], body[int(rsize) :], timed_out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc.pid)
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        _unlink(self.log)

    def _send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except OSError as exc:
            raise _ServerGone(self._stderr() or str(exc)) from None

    def _fill(self, deadline: float) -> None:
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError
        chunk = os.read(fd, 65536)
        if not chunk:
            raise _ServerGone(self._stderr() or "it exited")
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
def _server_source() -> str:
    with open(os.path.join(os.path.dirname(__file__), "forkserver.py"), encoding="utf-8") as fh:
        return fh.read()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def make_verifier(
    root: str, source_roots: Sequence[str], options: VerifyOptions, jobs: int
) -> Verifier:
    if options.mode is VerifyMode.NONE and not options.command:
        return NoVerifier()
    return SubprocessVerifier(root, source_roots, options, jobs)


def describe(target: Target) -> str:
    return {"import": "import ", "compile": "compile ", "collect": "collect ", "command": "run "}[
        target.kind
    ] + (shlex.quote(target.name) if target.kind == "command" else target.name)
