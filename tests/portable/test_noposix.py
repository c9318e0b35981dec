"""The tool's own paths work with the POSIX-only calls gone (as on Windows), on any OS."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree

from importshift.cli import group
from portable import noposix


@pytest.fixture
def no_posix(monkeypatch: pytest.MonkeyPatch) -> None:
    noposix.remove(monkeypatch)
    site = noposix.site_dir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([site, os.environ.get("PYTHONPATH", "")]))


def test_the_calls_are_gone_here_and_in_child_interpreters(no_posix: None) -> None:
    import signal

    assert not hasattr(os, "fork") and not hasattr(signal, "SIGALRM")
    with pytest.raises(ImportError):
        import fcntl  # noqa: F401
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal; print(hasattr(os, 'fork'), hasattr(os, 'killpg'), "
            "hasattr(signal, 'SIGALRM'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.split() == ["False", "False", "False"]


def test_plan_diff_and_apply_without_fork_or_sigalrm(
    tmp_path: pathlib.Path, no_posix: None
) -> None:
    make_tree(tmp_path, SMALL_TREE)
    rules = str(tmp_path / "rules.yaml")
    plan = CliRunner().invoke(group, ["--rules", rules, "plan", "--diff"], catch_exceptions=False)
    assert plan.exit_code == 0, plan.output
    assert "+from pkg.monitor import Monitor\n" in plan.stdout  # LibCST ran in spawned workers
    applied = CliRunner().invoke(
        group, ["--rules", rules, "apply", "--verify", "none"], catch_exceptions=False
    )
    assert applied.exit_code == 0, applied.output
    assert (tmp_path / "app/views.py").read_text().startswith("from pkg.monitor import Monitor\n")
    assert "import pkg.canonical" in (tmp_path / "app/jobs.py").read_text()
