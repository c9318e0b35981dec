"""Kill apply at random moments, many times: every file is wholly old or wholly new, and a
rerun finishes the job. A few seeds by default; ``pytest --slow`` runs many more."""

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
from helpers import make_tree, snapshot

RULES = "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"


def _tree(n: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "rules.yaml": RULES,
        "pkg/__init__.py": "",
        "pkg/monitor.py": "class Monitor: pass\n",
        "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
        "app/__init__.py": "",
    }
    for i in range(n):
        files[f"app/m{i:03}.py"] = (
            f"from pkg.events import Manager\n\n\ndef f{i}():\n"
            f"    return Manager()  # {'x' * (i * 37 % 400)}\n"
        )
    return files


def _run_and_kill(root: pathlib.Path, seed: int) -> None:
    rng = random.Random(seed)
    sig = rng.choice([signal.SIGINT, signal.SIGKILL, signal.SIGTERM])
    proc = subprocess.Popen(
        [sys.executable, "-m", "importshift", "apply", "--batch", str(rng.randint(1, 7))],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(rng.uniform(0.05, 2.5))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=120)


@pytest.mark.posix  # signals the whole process group, as a terminal's Ctrl-C or kill does
@pytest.mark.parametrize("seed", range(int(os.environ.get("IMPORTSHIFT_KILL_SEEDS", "3"))))
def test_random_kills(tmp_path: pathlib.Path, seed: int) -> None:
    _check_seed(tmp_path, seed)


@pytest.mark.posix  # signals the whole process group, as a terminal's Ctrl-C or kill does
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 130))
def test_random_kills_slow(tmp_path: pathlib.Path, seed: int) -> None:
    _check_seed(tmp_path, seed)


def _check_seed(tmp_path: pathlib.Path, seed: int) -> None:
    files = _tree(24)
    make_tree(tmp_path, files)
    old = snapshot(tmp_path)
    _run_and_kill(tmp_path, seed)
    middle = snapshot(tmp_path)
    for rel, content in old.items():
        now = middle[rel]
        expected_new = content.replace(
            b"from pkg.events import Manager", b"from pkg.monitor import Monitor"
        ).replace(b"return Manager()", b"return Monitor()")
        assert now in (content, expected_new), (seed, rel, now)
    assert not [p for p in middle if ".importshift-" in p]  # no temp file left behind
    rerun = subprocess.run(
        [sys.executable, "-m", "importshift", "apply", "--verify", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert rerun.returncode == 0, rerun.stderr
    done = snapshot(tmp_path)
    for i in range(24):
        assert b"from pkg.monitor import Monitor\n" in done[f"app/m{i:03}.py"], seed
