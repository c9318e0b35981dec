"""Module or symbol, for a dotted name outside the source roots, is asked of the project's
interpreter (here a virtual environment found by $VIRTUAL_ENV), not of migrate's own."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from helpers import make_tree

from importshift.config.rules import load_rules
from importshift.core.model import Kind


def test_kind_outside_the_roots_comes_from_the_project_interpreter(
    tmp_path: pathlib.Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    bindir = "Scripts" if os.name == "nt" else "bin"
    site = subprocess.run(
        [
            str(env / bindir / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    make_tree(pathlib.Path(site), {"onlythere/__init__.py": "", "onlythere/sub.py": "X = 1\n"})
    make_tree(
        tmp_path / "repo",
        {
            "rules.yaml": "version: 1\nmoves:\n  - {old: onlythere.sub, new: onlythere.other}\n",
            "app.py": "import onlythere.sub\n",
        },
    )
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    monkeypatch.setenv("VIRTUAL_ENV", str(env))
    loaded = load_rules(str(tmp_path / "repo" / "rules.yaml"), check_targets=False)
    assert [m.kind for m in loaded.ruleset.moves] == [Kind.MODULE]  # migrate's own lacks it
    monkeypatch.delenv("VIRTUAL_ENV")
    loaded = load_rules(str(tmp_path / "repo" / "rules.yaml"), check_targets=False)
    assert [m.kind for m in loaded.ruleset.moves] == [Kind.SYMBOL]
