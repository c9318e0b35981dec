"""The project's interpreter: which one (and why), whether it works, what it can import.

Every question goes to a subprocess: ``importlib.util.find_spec("a.b")`` imports ``a``, so
third-party code runs, never in the tool's own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol

_MARK = "\n@@importshift@@"

_SCRIPT = r"""
import importlib.util, json, sys
out = {}
for name in json.loads(sys.stdin.read()):
    try:
        out[name] = importlib.util.find_spec(name) is not None
    except BaseException:
        out[name] = False
sys.stdout.write("\n@@importshift@@" + json.dumps(out))
"""

# origin of each module: [found, origin, error]; found is true/false, or null on an error
_ORIGINS = r"""
import importlib.util, json, sys
out = {}
for name in json.loads(sys.stdin.read()):
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError as exc:
        out[name] = [False, None, "%s: %s" % (type(exc).__name__, exc)]
    except BaseException as exc:
        out[name] = [None, None, "%s: %s" % (type(exc).__name__, exc)]
    else:
        out[name] = [spec is not None, spec and spec.origin, None]
sys.stdout.write("\n@@importshift@@" + json.dumps(out))
"""

_HELLO = r"""
import sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]  # the stdlib, not the repo's files
import encodings, importlib.util, json, os, traceback
sys.stdout.write("\n@@importshift@@" + json.dumps({
    "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
    "executable": sys.executable,
    "fork": hasattr(os, "fork"),
}))
"""


class Interpreter(NamedTuple):
    """The interpreter user code runs in, and where that choice came from."""

    path: str
    source: str  # "--python", "$VIRTUAL_ENV", "$CONDA_PREFIX", ".venv", "venv", "migrate's own"


class InterpreterInfo(NamedTuple):
    version: str
    executable: str
    fork: bool


class InterpreterError(Exception):
    """The interpreter does not start or cannot import the standard library (one line)."""


class Spec(NamedTuple):
    found: bool | None  # None: could not tell (finding it raised, or the probe failed)
    origin: str | None
    error: str


def _in_prefix(prefix: str) -> str | None:
    for rel in ("bin/python", "Scripts/python.exe", "python.exe"):
        candidate = os.path.join(prefix, rel)
        if os.path.exists(candidate):
            return candidate
    return None


def choose_python(
    root: str, explicit: str | None, environ: Mapping[str, str] | None = None
) -> Interpreter:
    """``--python``, ``$VIRTUAL_ENV``, ``$CONDA_PREFIX``, ``.venv``/``venv`` at the root, ours."""
    env = os.environ if environ is None else environ
    if explicit:
        return Interpreter(explicit, "--python")
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = env.get(var)
        found = _in_prefix(prefix) if prefix else None
        if found:
            return Interpreter(found, f"${var}")
    for folder in (".venv", "venv"):
        found = _in_prefix(os.path.join(root, folder))
        if found:
            return Interpreter(found, f"{folder}/ at the root")
    return Interpreter(sys.executable, "migrate's own")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _ask(
    python: str, script: str, stdin: str, cwd: str | None, timeout: float
) -> tuple[object, str]:
    """(the JSON payload or None, a one-line account of what went wrong)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        proc = subprocess.run(
            [python, "-c", script],
            input=stdin,
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer after {timeout:g}s"
    except OSError as exc:
        return None, f"cannot run it: {exc.strerror or exc}"
    _, sep, payload = proc.stdout.rpartition(_MARK)
    if sep:
        try:
            return json.loads(payload), ""
        except ValueError:
            pass
    said = _last_line(proc.stderr) or _last_line(proc.stdout)
    return None, f"exit code {proc.returncode}, " + (f"it printed: {said}" if said else "no output")


def check_interpreter(
    python: str, cwd: str | None = None, timeout: float = 60.0
) -> InterpreterInfo:
    """Proof that ``python`` starts and imports the standard library, or InterpreterError."""
    data, why = _ask(python, _HELLO, "", cwd, timeout)
    if not isinstance(data, dict):
        raise InterpreterError(f"the interpreter {python} does not work ({why})")
    return InterpreterInfo(str(data["version"]), str(data["executable"]), bool(data["fork"]))


def find_origins(
    python: str, names: Iterable[str], cwd: str | None = None, timeout: float = 60.0
) -> dict[str, Spec]:
    """name -> Spec, all names asked of one subprocess; the probe failing: found None."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    data, why = _ask(python, _ORIGINS, json.dumps(wanted), cwd, timeout)
    if not isinstance(data, dict):
        return {n: Spec(None, None, f"the interpreter {python} failed: {why}") for n in wanted}
    out = {}
    for name in wanted:
        found, origin, error = data.get(name) or [None, None, "no answer"]
        out[name] = Spec(found, origin, error or "")
    return out


class SpecProbe(Protocol):
    def find(self, names: Iterable[str]) -> dict[str, bool | None]:
        """name -> True (a module), False (not one), None (could not tell)."""
        ...


class SubprocessProbe:
    """Module or not, asked of ``python``: pass ``choose_python(root, --python).path``."""

    def __init__(
        self, python: str | None = None, cwd: str | None = None, timeout: float = 30.0
    ) -> None:
        self.python = python or sys.executable
        self.cwd = cwd
        self.timeout = timeout

    def find(self, names: Iterable[str]) -> dict[str, bool | None]:
        wanted = sorted(set(names))
        if not wanted:
            return {}
        unknown: dict[str, bool | None] = dict.fromkeys(wanted)
        try:
            proc = subprocess.run(
                [self.python, "-I", "-c", _SCRIPT],
                input=json.dumps(wanted),
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return unknown
        _, sep, payload = proc.stdout.rpartition(_MARK)
        if not sep:
            return unknown
        try:
            found = json.loads(payload)
        except ValueError:
            return unknown
        return {name: bool(found[name]) if name in found else None for name in wanted}
