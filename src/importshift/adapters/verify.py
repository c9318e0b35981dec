"""Verification: import (or compile, or collect) touched modules in fresh interpreters.

User code runs only here, in subprocesses: stdin closed, output captured to a file and
truncated, a timeout enforced where it runs, its own process group (grandchildren die too),
and nothing outliving the tool. Imports and compiles go through fork servers
(``forkserver.py``, client in ``children.py``): one clean interpreter per job that forks a
child per module, so each import starts from a fresh interpreter's state without paying for
its start-up; where the interpreter cannot fork, one fresh interpreter per import. Commands
and collections run under ``supervise.py``. Success is a result the child sends after the
import returns, so ``sys.exit(0)``/``os._exit(0)`` during the import is not success.

Before the first write, ``prove`` runs the baseline (the interpreter works; the command or
collection runs on the untouched tree) and refuses otherwise. Failures carry a signature
(verdict, exception type, normalised message) so that blame compares failures, not
pass/fail.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from importshift.adapters.children import (
    Answer,
    ForkServer,
    Live,
    NoFork,
    ServerGone,
    kill_live,
    kill_tree,
    own_group,
    source,
    spawn_once,
)
from importshift.adapters.interpreter import (
    Interpreter,
    InterpreterError,
    InterpreterInfo,
    check_interpreter,
    choose_python,
)
from importshift.adapters.results import OUTPUT_TAIL, Result, Target, Verdict
from importshift.core.errors import RefusedError
from importshift.core.model import SourceFile
from importshift.core.options import VerifyMode, VerifyOptions


class Verifier(Protocol):
    @property
    def interpreter(self) -> Interpreter | None: ...

    @property
    def info(self) -> InterpreterInfo | None: ...

    def prove(self, files: Sequence[SourceFile]) -> None:
        """Refuse (RefusedError) unless this verification can run on the untouched tree."""
        ...

    def targets(self, files: Iterable[SourceFile]) -> set[Target]: ...

    def run(self, targets: Iterable[Target]) -> dict[Target, Result]: ...


def shadowed(root: str, f: SourceFile) -> str | None:
    """Why importing ``f.module`` would not run ``f`` (dead code), or None.

    ``X.py`` beside a package ``X/`` (with ``__init__.py``): the package wins. A file
    below a folder ``X/`` without ``__init__.py`` beside ``X.py``: the module wins."""
    if f.module is None:
        return None
    full = os.path.join(root, f.path)
    folder, name = os.path.split(full)
    if not f.is_package and name.endswith(".py"):
        package = os.path.join(folder, name[:-3])
        if os.path.isfile(os.path.join(package, "__init__.py")):
            return f"the package {os.path.relpath(package, root)}/ is imported instead"
    depth = f.module.count(".")
    below = os.path.dirname(folder) if f.is_package else folder
    for _ in range(depth):
        if not os.path.isfile(os.path.join(below, "__init__.py")) and os.path.isfile(below + ".py"):
            return f"the module {os.path.relpath(below, root)}.py is imported instead"
        below = os.path.dirname(below)
    return None


def is_test_file(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or "tests/" in f"/{path}"


def pick_python(root: str, explicit: str | None) -> str:
    """The interpreter's path (see ``choose_python`` for the order)."""
    return choose_python(root, explicit).path


class NoVerifier:
    interpreter: Interpreter | None = None
    info: InterpreterInfo | None = None

    def prove(self, files: Sequence[SourceFile]) -> None:
        """Nothing to prove: nothing runs."""

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
        self.interpreter = choose_python(root, options.python)
        self.python = self.interpreter.path
        self.info: InterpreterInfo | None = None
        self.cache_dir: str | None = os.path.join(root, ".migrate", "pytest-cache")
        self.proven = False
        self.spawn = bool(options.spawn)  # decided by the baseline when None
        self.jobs = max(1, jobs)
        self._live: Live = set()  # process groups (or processes) of running children
        self._idle: list[ForkServer] = []
        self._servers: list[ForkServer] = []
        self._lock = threading.Lock()
        self._stopping = False

    def prove(self, files: Sequence[SourceFile]) -> None:
        """The baseline before batch 1: the interpreter starts and imports the standard
        library; ``--verify-cmd`` passes on the untouched tree; pytest can collect. Anything
        else is a refusal (exit 2) quoting what the interpreter or command printed. Runs once
        per verifier (apply proves before batch 1; every batch's lander asks again)."""
        if self.proven:
            return
        self._prove(files)
        self.proven = True

    def _prove(self, files: Sequence[SourceFile]) -> None:
        if not self.options.command or self.options.python:
            try:
                self.info = check_interpreter(self.python, self.root, max(self.options.timeout, 30))
                # no os.fork: one fresh interpreter per import, whatever was asked
                self.spawn = bool(self.options.spawn) or not self.info.fork
            except InterpreterError as exc:
                raise RefusedError(
                    f"cannot verify: {exc} (chosen by {self.interpreter.source})"
                ) from None
        if self.options.command:
            result = self._spawn(Target("command", self.options.command))
            if not result.ok:
                raise RefusedError(
                    f"cannot verify: --verify-cmd {self.options.command!r} fails on the "
                    f"untouched tree ({result.summary()}); fix it or choose another --verify"
                )
            return
        if self.options.mode is not VerifyMode.COLLECT:
            return
        version = self._spawn(Target("collect", ""), ["--version"])
        if not version.ok:
            raise RefusedError(
                f"cannot verify: pytest does not run in {self.python} ({version.summary()}); "
                "install it there, pass --python, or use --verify import"
            )
        sample = sorted(f.path for f in files if is_test_file(f.path))[:1]
        if not sample:
            return
        first = self._spawn(Target("collect", sample[0]))
        if first.code in _PYTEST_RAN:
            return
        self.cache_dir = None  # perhaps our cache_dir clashes with the configuration
        second = self._spawn(Target("collect", sample[0]))
        if second.code not in _PYTEST_RAN:
            raise RefusedError(
                f"cannot verify: pytest --collect-only {sample[0]} cannot run on the untouched "
                f"tree ({first.summary()}); fix the pytest configuration or use --verify import"
            )

    def targets(self, files: Iterable[SourceFile]) -> set[Target]:
        if self.options.command:
            return {Target("command", self.options.command)}
        out = set()
        for f in files:
            if self.options.mode is VerifyMode.COLLECT and is_test_file(f.path):
                out.add(Target("collect", f.path))
            elif f.module:
                if not shadowed(self.root, f):  # importing it would import something else
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
            for item in list(self._live):
                kill_live(item)
            for server in list(self._servers):
                kill_tree(server.proc)
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
        name = target.name if target.kind == "import" else os.path.join(self.root, target.name)
        if self.spawn or (self.info is not None and not self.info.fork):
            try:
                answer = spawn_once(
                    self.python,
                    self.roots,
                    self.root,
                    self._env(target),
                    target.kind,
                    name,
                    self.options.timeout,
                    self._live,
                )
            except ServerGone as exc:
                return Result(target, Verdict.FAILED, str(exc), str(exc))
            return self._judge(target, answer)
        with self._lock:
            server = self._idle.pop() if self._idle else None
        if server is None:
            try:
                server = ForkServer(self.python, self.roots, self.root, self._env(target))
            except OSError as exc:
                return Result(target, Verdict.FAILED, f"cannot start {self.python}: {exc}")
            with self._lock:
                self._servers.append(server)
        try:
            answer = Answer(*server.ask(target.kind, name, self.options.timeout, self._live))
        except NoFork:  # not proven yet (prove() decides this up front): spawn from now on
            with self._lock:
                self._servers.remove(server)
            server.close()
            self.spawn = True
            return self._one(target)
        except ServerGone as exc:
            with self._lock:
                self._servers.remove(server)
            server.close()
            return Result(target, Verdict.FAILED, f"the interpreter {self.python} failed: {exc}")
        with self._lock:
            self._idle.append(server)
        return self._judge(target, answer)

    def _judge(self, target: Target, answer: Answer) -> Result:
        code, result, tail, timed_out, seen = answer
        output = tail.decode("utf-8", "replace")
        notes = tuple(seen.decode("utf-8", "replace").splitlines())
        if timed_out:
            return Result(
                target,
                Verdict.TIMEOUT,
                f"no answer after {self.options.timeout:g}s\n{output}",
                f"no answer after {self.options.timeout:g}s",
                notes,
            )
        if result == b"ok":
            return Result(target, Verdict.OK, notes=notes)
        if not result.startswith(b"failed\0"):
            return Result(
                target,
                Verdict.EXITED,
                f"the interpreter exited (code {code}) before the import finished\n{output}",
                f"the interpreter exited (code {code}) before the import finished",
                notes,
            )
        _, kind, message, trace = result.decode("utf-8", "replace").split("\0", 3)
        first = message.strip().splitlines()[0] if message.strip() else ""
        return Result(
            target,
            Verdict.FAILED,
            f"{trace.rstrip()}\n{kind}: {message}",
            f"{kind}: {first}" if first else kind,
            notes,
        )

    def _spawn(self, target: Target, args: Sequence[str] = ()) -> Result:
        """A command or a pytest collection: its own process, judged by its exit code.

        Collection adds nothing that could clash with the project's pytest configuration
        but ``-o cache_dir=`` into ``.migrate/`` (dropped when the baseline shows a clash);
        exit 5 (no tests in the file) means it imported: success."""
        if target.kind == "command":
            argv: list[str] | str = target.name
        elif args:
            argv = [self.python, "-m", "pytest", *args]
        else:
            argv = [self.python, "-m", "pytest", "--collect-only", "-q"]
            if self.cache_dir:
                argv += ["-o", f"cache_dir={self.cache_dir}"]
            argv.append(target.name)
        watched = [sys.executable, "-c", source("supervise.py"), repr(self.options.timeout)]
        watched += ["shell", argv] if isinstance(argv, str) else ["argv", *argv]
        with tempfile.TemporaryFile() as log:
            try:
                proc = subprocess.Popen(
                    watched,
                    cwd=self.root,
                    stdin=subprocess.PIPE,  # its EOF tells the supervisor we are gone
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self._env(target),
                    **own_group(),
                )
            except OSError as exc:
                return Result(target, Verdict.FAILED, f"cannot start {argv!r}: {exc}")
            self._live.add(proc)
            try:
                code = proc.wait(timeout=self.options.timeout + 10)
            except subprocess.TimeoutExpired:
                code = _SUPERVISOR_TIMEOUT
            finally:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # type: ignore[union-attr]
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
                kill_tree(proc)
                self._live.discard(proc)
            log.seek(0, os.SEEK_END)
            size = log.tell()
            log.seek(max(0, size - OUTPUT_TAIL))
            tail = log.read().decode("utf-8", "replace")
        late = f"no answer after {self.options.timeout:g}s"
        if code == _SUPERVISOR_TIMEOUT and late in tail:
            return Result(
                target,
                Verdict.TIMEOUT,
                f"{late}\n{tail}",
                late,
            )
        if code == 0 or (target.kind == "collect" and not args and code == 5):
            return Result(target, Verdict.OK, code=code)
        said = Result(target, Verdict.FAILED, tail).cause()
        return Result(
            target,
            Verdict.FAILED,
            f"exit code {code}\n{tail}",
            f"exit code {code}: {said}" if said else f"exit code {code}",
            code=code,
        )


_SUPERVISOR_TIMEOUT = 124  # supervise.py's exit code when the timeout passed

# pytest ran (2: a file does not collect; 5: no tests); 3 and 4 are its internal/usage errors
_PYTEST_RAN = frozenset({0, 1, 2, 5})


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
