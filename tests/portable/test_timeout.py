"""The per-file LibCST time limit works without SIGALRM (a watchdog thread per worker)."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from helpers import make_tree

from importshift.cli import group
from importshift.ops import planner

SPIN = '''\
import libcst as cst
from libcst.codemod import Codemod


class Spin(Codemod):
    """Loops forever in Python on any file that mentions ``spin_here``."""

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if "spin_here" in tree.code:
            while True:
                pass
        return tree
'''


def test_a_file_that_hangs_the_rewrite_is_skipped_and_the_rest_lands_in_the_plan(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": (
                "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"
                "codemods:\n  - spin.py:Spin\n"
            ),
            "spin.py": SPIN,
            "pkg/__init__.py": "",
            "pkg/monitor.py": "class Monitor:\n    pass\n",
            "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
            "pkg/hangs.py": "from pkg.events import Manager\nspin_here = Manager\n",
            "pkg/fine.py": "from pkg.events import Manager\n",
        },
    )
    monkeypatch.setattr(planner, "FILE_SECONDS", 3.0)  # handed to the workers at start
    result = CliRunner().invoke(
        group, ["--rules", str(tmp_path / "rules.yaml"), "plan", "--diff"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "pkg/hangs.py: took longer than 3 s to rewrite" in result.stdout
    assert "+from pkg.monitor import Monitor\n" in result.stdout  # pkg/fine.py, rewritten
    assert "b/pkg/hangs.py" not in result.stdout


def _child(body: str) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(
        """\
        import signal, time
        for name in ("SIGALRM", "alarm", "setitimer"):
            if hasattr(signal, name):
                delattr(signal, name)
        from importshift.ops.watchdog import Watchdog
        from importshift.rewrite.engine import FileTimeout
        def spin():
            while True:
                pass
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_watchdog_interrupts_python_code_and_reports_it() -> None:
    proc = _child(
        """\
        dog = Watchdog()
        dog.arm(0.2)
        try:
            spin()
        except FileTimeout:
            print("timed out", dog.disarm())
        dog.arm(30)
        print("quick", dog.disarm())
        """
    )
    assert proc.stdout.split("\n")[:2] == ["timed out True", "quick False"], proc.stderr


def test_watchdog_cancels_a_late_exception_after_disarm() -> None:
    # the limit passes while the main thread is between the end of its work and disarm():
    # disarm() says so, and nothing is raised later
    proc = _child(
        """\
        dog = Watchdog()
        dog.arm(0.1)
        try:
            try:
                time.sleep(0.5)   # in C: the exception waits for the next Python instruction
            finally:
                fired = dog.disarm()
        except FileTimeout:
            fired = "raised in disarm"
        total = sum(range(100000))
        print("after", fired)
        """
    )
    assert proc.stdout.strip() in ("after True", "after raised in disarm"), proc.stderr


def test_watchdog_ends_a_process_stuck_in_c_code() -> None:
    proc = _child(
        """\
        dog = Watchdog(grace=0.3)
        dog.arm(0.1)
        time.sleep(30)   # never returns to Python in time
        print("not reached")
        """
    )
    assert proc.returncode == 70
    assert "not reached" not in proc.stdout
