"""Verification: import (or compile, or collect) touched modules in fresh interpreters.

User code runs only here, in subprocesses: stdin closed, output captured to a file and
truncated, a timeout, its own process group (grandchildren die too). Success is a result
file the child writes after the import returns, so ``sys.exit(0)``/``os._exit(0)`` during
the import is not mistaken for success.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from importshift.modules import SourceFile
from importshift.options import VerifyMode, VerifyOptions

OUTPUT_TAIL = 4000

_CHILD = r"""
import json, os, sys, traceback
spec = json.loads(sys.argv[1])
sys.path[0:0] = spec["roots"]
result = {"ok": False}
try:
    if spec["kind"] == "import":
        import importlib
        importlib.import_module(spec["name"])
    else:
        with open(spec["name"], "rb") as fh:
            compile(fh.read(), spec["name"], "exec", dont_inherit=True)
    result = {"ok": True}
except BaseException as exc:
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    result = {"ok": False, "type": type(exc).__name__, "message": str(exc)[:2000],
              "trace": "".join(frames)[-3000:]}
try:
    with open(spec["result"], "w") as fh:
        json.dump(result, fh)
finally:
    os._exit(0)
"""


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
        self._live: set[subprocess.Popen[bytes]] = set()
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
            else:
                out.add(Target("compile", f.path))
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
            for proc in list(self._live):
                _kill_group(proc)
            raise
        finally:
            pool.shutdown(wait=not self._stopping, cancel_futures=True)

    def _argv(self, target: Target, result_path: str) -> list[str] | str:
        if target.kind == "command":
            return target.name
        if target.kind == "collect":
            return [
                self.python,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
                target.name,
            ]
        spec = {
            "roots": self.roots,
            "kind": target.kind,
            "result": result_path,
            "name": target.name
            if target.kind == "import"
            else os.path.join(self.root, target.name),
        }
        return [self.python, "-c", _CHILD, json.dumps(spec)]

    def _one(self, target: Target) -> Result:
        fd, result_path = tempfile.mkstemp(prefix="importshift-result-")
        os.close(fd)
        os.unlink(result_path)
        with tempfile.TemporaryFile() as log:
            argv = self._argv(target, result_path)
            env = dict(os.environ)
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            if target.kind in ("command", "collect"):
                env["PYTHONPATH"] = os.pathsep.join(
                    [*self.roots, *filter(None, [env.get("PYTHONPATH")])]
                )
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=self.root,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    shell=isinstance(argv, str),
                    start_new_session=True,
                )
            except OSError as exc:
                return Result(target, Verdict.FAILED, f"cannot start {argv!r}: {exc}")
            self._live.add(proc)
            try:
                code = proc.wait(timeout=self.options.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
                code = -1
            finally:
                _kill_group(proc)
                self._live.discard(proc)
            log.seek(0, os.SEEK_END)
            size = log.tell()
            log.seek(max(0, size - OUTPUT_TAIL))
            tail = log.read().decode("utf-8", "replace")
        if timed_out:
            _unlink(result_path)
            return Result(
                target, Verdict.TIMEOUT, f"no answer after {self.options.timeout:g}s\n{tail}"
            )
        if target.kind in ("command", "collect"):
            return Result(
                target,
                Verdict.OK if code == 0 else Verdict.FAILED,
                "" if code == 0 else f"exit code {code}\n{tail}",
            )
        try:
            with open(result_path) as fh:
                result = json.load(fh)
        except (OSError, ValueError):
            return Result(
                target,
                Verdict.EXITED,
                f"the interpreter exited (code {code}) before the import finished\n{tail}",
            )
        finally:
            _unlink(result_path)
        if result.get("ok"):
            return Result(target, Verdict.OK)
        return Result(
            target,
            Verdict.FAILED,
            f"{result.get('trace', '')}".rstrip() + "\n"
            f"{result.get('type')}: {result.get('message')}",
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


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
