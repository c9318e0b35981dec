"""Verification runs user code only in child interpreters, and reads their outcome right."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest
from helpers import make_tree

from importshift.adapters.results import Result, Target, Verdict
from importshift.adapters.verify import (
    SubprocessVerifier,
    is_test_file,
    pick_python,
)
from importshift.core.options import VerifyMode, VerifyOptions

TREE = {
    "pkg/__init__.py": "",
    "pkg/ok.py": "X = 1\n",
    "pkg/fails.py": "import nowhere_to_be_found\n",
    "pkg/hangs.py": "import time\ntime.sleep(60)\n",
    "pkg/exits_zero.py": "import sys\nsys.exit(0)\n",
    "pkg/os_exit.py": "import os\nos._exit(0)\n",
    "pkg/loud.py": "import sys\nsys.stdout.write('x' * 5_000_000)\nsys.stderr.write('E' * 100)\n",
    "pkg/thread.py": "import threading, time\n"
    "threading.Thread(target=time.sleep, args=(60,)).start()\n",
    "pkg/chdir.py": "import os\nos.chdir('/')\n",
    "pkg/reads_stdin.py": "import sys\ndata = sys.stdin.read()\n",
    "pkg/forks.py": "import os, subprocess, sys, time\n"  # a child left running
    "if not hasattr(os, 'fork'):\n"
    "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "elif os.fork() == 0:\n    time.sleep(60)\n    os._exit(0)\n",
    "pkg/kills_server.py": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
    "pkg/a_pollutes.py": "import os, sys\nos.environ['LEAK'] = '1'\nsys.leak = 1\nos.chdir('/')\n",
    "pkg/b_clean.py": "import os, sys\n"
    "assert 'LEAK' not in os.environ and not hasattr(sys, 'leak')\n"
    "assert 'pkg.a_pollutes' not in sys.modules and os.path.exists('pkg/b_clean.py')\n",
    "pkg/modules.py": "import sys\nraise RuntimeError(' '.join(sorted(sys.modules)))\n",
    "script.py": "x = (\n",
}


@pytest.fixture(
    params=[
        # the fork server needs os.fork in the verified interpreter (POSIX by design)
        pytest.param(False, id="fork server", marks=pytest.mark.posix),
        pytest.param(True, id="spawn"),
    ]
)
def verifier(tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> SubprocessVerifier:
    """Both runners: the fork server, and one process per import (forced here; chosen
    by itself where the interpreter has no ``os.fork``)."""
    make_tree(tmp_path, TREE)
    options = VerifyOptions(VerifyMode.IMPORT, timeout=3.0, spawn=request.param)
    return SubprocessVerifier(str(tmp_path), ["."], options, jobs=4)


def test_outcomes(verifier: SubprocessVerifier) -> None:
    names = [
        "ok",
        "fails",
        "hangs",
        "exits_zero",
        "os_exit",
        "loud",
        "thread",
        "chdir",
        "reads_stdin",
        "forks",
    ] + ([] if verifier.spawn else ["kills_server"])  # spawned: its parent is the tool
    start = time.monotonic()
    results = verifier.run(
        [Target("import", f"pkg.{n}") for n in names] + [Target("compile", "script.py")]
    )
    elapsed = time.monotonic() - start
    verdict = {t.name: r.verdict for t, r in results.items()}
    assert verdict == {
        "pkg.ok": Verdict.OK,
        "pkg.fails": Verdict.FAILED,
        "pkg.hangs": Verdict.TIMEOUT,
        "pkg.exits_zero": Verdict.FAILED,  # SystemExit during import is not success
        "pkg.os_exit": Verdict.EXITED,  # exit code 0, but the import never finished
        "pkg.loud": Verdict.OK,
        "pkg.thread": Verdict.OK,  # a non-daemon thread does not hang verification
        "pkg.chdir": Verdict.OK,
        "pkg.reads_stdin": Verdict.OK,  # stdin is closed
        "pkg.forks": Verdict.OK,
        "script.py": Verdict.FAILED,
    } | ({} if verifier.spawn else {"pkg.kills_server": Verdict.FAILED})  # a new server next
    assert elapsed < 30
    fails = results[Target("import", "pkg.fails")]
    assert "ModuleNotFoundError: No module named 'nowhere_to_be_found'" in fails.detail
    loud = results[Target("import", "pkg.loud")]
    assert len(loud.detail) <= 4000  # output is truncated, never held whole
    assert os.getcwd() != "/"
    if not verifier.spawn:
        assert "failed: it exited" in results[Target("import", "pkg.kills_server")].detail


def test_every_import_starts_from_a_fresh_interpreter(verifier: SubprocessVerifier) -> None:
    """One server, in order: what a module did to its process is gone for the next one."""
    verifier.jobs = 1
    targets = [Target("import", f"pkg.{n}") for n in ("a_pollutes", "b_clean", "modules")]
    results = verifier.run(targets)
    assert [results[t].verdict for t in targets] == [Verdict.OK, Verdict.OK, Verdict.FAILED]
    seen = set(results[targets[2]].detail.splitlines()[-1].split(": ", 1)[1].split())
    fresh = subprocess.run(
        [sys.executable, "-c", "import sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert seen - {"pkg", "pkg.modules"} == set(fresh)


def test_an_interpreter_that_cannot_start(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, TREE)
    options = VerifyOptions(VerifyMode.IMPORT, python=str(tmp_path / "nope"), timeout=5.0)
    verifier = SubprocessVerifier(str(tmp_path), ["."], options, jobs=2)
    (result,) = verifier.run([Target("import", "pkg.ok")]).values()
    assert result.verdict is Verdict.FAILED and "cannot start" in result.detail


def test_test_files_and_interpreter(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    assert is_test_file("tests/foo.py") and is_test_file("pkg/test_x.py")
    assert is_test_file("pkg/x_test.py") and not is_test_file("pkg/x.py")
    assert pick_python(str(tmp_path), None) == sys.executable
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text("")
    assert pick_python(str(tmp_path), None) == str(venv / "python")
    assert pick_python(str(tmp_path), "/usr/bin/python3") == "/usr/bin/python3"


def test_verify_command(tmp_path: pathlib.Path) -> None:
    verifier = SubprocessVerifier(
        str(tmp_path),
        ["."],
        VerifyOptions(VerifyMode.IMPORT, command="exit 3", timeout=5.0),
        jobs=1,
    )
    targets = verifier.targets([])
    assert targets == {Target("command", "exit 3")}
    (result,) = verifier.run(targets).values()
    assert result.verdict is Verdict.FAILED and "exit code 3" in result.detail


def test_an_interpreter_without_fork_is_verified_one_process_per_import(
    tmp_path: pathlib.Path,
) -> None:
    """Feature detection, with a real interpreter whose ``os`` has no ``fork``."""
    make_tree(
        tmp_path,
        {
            **TREE,
            "nofork/sitecustomize.py": "import os\ndel os.fork\n",
            "pkg/needs_fork.py": "import os\nassert not hasattr(os, 'fork')\n",
        },
    )
    python = tmp_path / "python-without-fork"
    python.write_text(f'#!/bin/sh\nPYTHONPATH={tmp_path / "nofork"} exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    options = VerifyOptions(VerifyMode.IMPORT, python=str(python), timeout=5.0)
    verifier = SubprocessVerifier(str(tmp_path), ["."], options, jobs=2)
    verifier.prove([])
    assert verifier.info is not None and not verifier.info.fork and verifier.spawn
    targets = [Target("import", n) for n in ("pkg.ok", "pkg.fails", "pkg.needs_fork")]
    results = verifier.run(targets)
    assert [results[t].verdict for t in targets] == [Verdict.OK, Verdict.FAILED, Verdict.OK]


def test_failure_signatures() -> None:
    def failed(error: str, kind: str = "import") -> str:
        return Result(Target(kind, "m"), Verdict.FAILED, "trace\n" + error, error).signature

    same = [
        "RuntimeError: <object at 0x7f3a2b1c0d90> broke in /home/a/src/pkg/m.py, line 12",
        "RuntimeError: <object at 0x55d1e0a8b4f0> broke in /tmp/b/src/pkg/m.py, line 14",
    ]
    assert failed(same[0]) == failed(same[1])
    assert failed("ImportError: cannot import name 'X'") != failed(
        "ImportError: cannot import name 'Y'"
    )
    assert failed("ImportError: boom") != failed("RuntimeError: boom")
    timed_out = Result(Target("import", "m"), Verdict.TIMEOUT, "", "no answer after 5s")
    assert timed_out.signature != failed("no answer after 5s")
    # a command's output: durations are noise, counts are not
    assert failed("exit code 1: 3 failed in 1.52s", "command") == failed(
        "exit code 1: 3 failed in 2.01s", "command"
    )
    assert failed("exit code 1: 3 failed in 1.52s", "command") != failed(
        "exit code 1: 4 failed in 1.52s", "command"
    )
