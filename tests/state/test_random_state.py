"""Randomized: apply (killed at random moments), user edits, undo, in any order. Every file
must always be a state the user or the tool produced: header and body both old or both new,
every line the user added still there, in order, and the user's comment on the import line
kept; a file that the final ``undo --all`` cannot revert is reported. A few seeds by default,
many more under ``--slow``."""

from __future__ import annotations

import contextlib
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest
from helpers import make_tree

RULES = "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"
N = 6


def render(i: int, new: bool, keep: bool, lines: list[str]) -> bytes:
    head = "from pkg.monitor import Monitor" if new else "from pkg.events import Manager"
    call = "Monitor()" if new else "Manager()"
    text = f"{head}{'  # keep' if keep else ''}\n\n\ndef f{i}():\n    return {call}\n\n\n# tail\n"
    return (text + "".join(lines)).encode()


class Model:
    def __init__(self) -> None:
        self.lines: list[list[str]] = [[] for _ in range(N)]
        self.keep = [False] * N

    def valid(self, i: int) -> set[bytes]:
        return {render(i, new, self.keep[i], self.lines[i]) for new in (False, True)}


def _migrate(root: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "importshift", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _apply_and_maybe_kill(root: pathlib.Path, rng: random.Random) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importshift",
            "apply",
            "--batch",
            str(rng.randint(1, 4)),
            "--verify-cmd",
            "sleep 0.2",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sig = rng.choice([signal.SIGKILL, signal.SIGINT, signal.SIGTERM, None])
    if sig is not None:
        time.sleep(rng.uniform(0.0, 1.5))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # nothing we started outlives the test
        proc.wait()
        raise AssertionError(f"apply hung after {sig!r}: see the planner's fork pool") from None


def _edit(root: pathlib.Path, model: Model, rng: random.Random, step: int) -> None:
    i = rng.randrange(N)
    path = root / f"app/m{i}.py"
    data = path.read_text()
    if rng.random() < 0.25 and not model.keep[i]:
        first, rest = data.split("\n", 1)
        path.write_text(f"{first}  # keep\n{rest}")
        model.keep[i] = True
    else:
        line = f"X{step} = {step}\n"
        path.write_text(data + line)
        model.lines[i].append(line)


def _check(root: pathlib.Path, model: Model, seed: int, what: str, swept: bool) -> None:
    for i in range(N):
        now = (root / f"app/m{i}.py").read_bytes()
        assert now in model.valid(i), (seed, what, i, now)
    if swept:  # a kill -9 mid-write may leave a temp file until the batch is put back
        leftovers = list(root.rglob(".importshift-*"))
        assert not leftovers, leftovers


def _run_seed(root: pathlib.Path, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    files: dict[str, str | bytes] = {
        "rules.yaml": RULES,
        "pkg/__init__.py": "",
        "pkg/monitor.py": "class Monitor:\n    pass\n",
        "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
        "app/__init__.py": "",
    }
    for i in range(N):
        files[f"app/m{i}.py"] = render(i, False, False, [])
    make_tree(root, files)
    model = Model()
    for step in range(steps):
        action = rng.choice(["apply", "apply", "edit", "edit", "undo", "undo-all"])
        if action == "apply":
            _apply_and_maybe_kill(root, rng)
        elif action == "edit":
            _edit(root, model, rng, step)
        else:
            done = _migrate(root, "undo", *(["--all"] if action == "undo-all" else []))
            assert done.returncode in (0, 1), (seed, done.stderr)
            assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        _check(root, model, seed, f"step {step}: {action}", action.startswith("undo"))
    final = _migrate(root, "undo", "--all")
    assert final.returncode in (0, 1), final.stderr
    _check(root, model, seed, "final undo --all", True)
    for i in range(N):
        now = (root / f"app/m{i}.py").read_bytes()
        if now != render(i, False, model.keep[i], model.lines[i]):
            assert f"left alone app/m{i}.py" in final.stdout, (seed, i, final.stdout)


@pytest.mark.posix  # signals the whole process group, as a terminal's Ctrl-C or kill does
@pytest.mark.parametrize("seed", range(int(os.environ.get("IMPORTSHIFT_STATE_SEEDS", "1"))))
def test_random_apply_edit_undo_kill(tmp_path: pathlib.Path, seed: int) -> None:
    _run_seed(tmp_path, seed, 10)


@pytest.mark.posix  # signals the whole process group, as a terminal's Ctrl-C or kill does
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 125))
def test_random_apply_edit_undo_kill_slow(tmp_path: pathlib.Path, seed: int) -> None:
    _run_seed(tmp_path, seed, 25)
