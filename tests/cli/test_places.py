"""Every place an import lives, through the real commands: stubs, shebang scripts,
notebooks, docs, config values; plan, apply (+ undo), check (+ --fix, --new-only)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def _nb(*sources: list[str]) -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": i + 1,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}],
            "source": src,
        }
        for i, src in enumerate(sources)
    ]
    doc = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"


PLACES: dict[str, str | bytes] = {
    **SMALL_TREE,
    "app/broken.py": "",  # SMALL_TREE's unparseable file is not the point here
    "pkg/events.pyi": "from pkg.monitor import Monitor as Manager\n",
    "app/views.pyi": "from pkg.events import Manager\n\ndef view() -> Manager: ...\n",
    "bin/run": "#!/usr/bin/env python3\nfrom pkg.events import Manager\nManager()\n",
    "bin/run.sh": "#!/bin/sh\necho from pkg.events import Manager\n",
    "bin/notes": "from pkg.events import Manager (no shebang: not a script)\n",
    "nb/explore.ipynb": _nb(["import os\n"], ["%time x = 1\n", "from pkg.events import Manager"]),
    "docs/guide.md": "```python\nfrom pkg.events import Manager\n```\n",
    "pyproject.toml": '[project.scripts]\nrun = "pkg.factory:create"\n',
}


def _rules(root: pathlib.Path) -> str:
    return str(root / "rules.yaml")


def test_check_reports_every_place_with_its_location(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLACES)
    result = invoke("--rules", _rules(tmp_path), "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    located = {line.split(": MIG001")[0] for line in lines}
    assert {
        "app/views.pyi:1:1",
        "bin/run:2:1",
        "nb/explore.ipynb:cell 2:2:1",
        "docs/guide.md:2:1",
        "pyproject.toml:2:8",
    } <= located
    assert not any(p.startswith(("bin/run.sh", "bin/notes", "pkg/events.pyi")) for p in located)
    # explicit files: the same kinds are checked, other files ignored
    named = invoke(
        "--rules",
        _rules(tmp_path),
        "check",
        str(tmp_path / "nb/explore.ipynb"),
        str(tmp_path / "bin/run"),
        str(tmp_path / "bin/notes"),
    )
    assert named.exit_code == 1
    assert [line.split(": MIG001")[0] for line in named.stdout.splitlines()] == [
        "bin/run:2:1",
        "nb/explore.ipynb:cell 2:2:1",
    ]


def test_check_fix_rewrites_a_notebook_and_keeps_outputs(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLACES)
    nb = tmp_path / "nb/explore.ipynb"
    fixed = invoke("--rules", _rules(tmp_path), "check", "--fix", str(nb))
    assert fixed.exit_code == 1
    doc = json.loads(nb.read_text())
    assert doc["cells"][1]["source"] == ["%time x = 1\n", "from pkg.monitor import Monitor"]
    assert doc["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": ["ok\n"]}
    ]
    assert invoke("--rules", _rules(tmp_path), "check", str(nb)).exit_code == 0


def _git(root: pathlib.Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_new_only_in_a_notebook(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLACES)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "legacy")
    nb = tmp_path / "nb/explore.ipynb"
    args = ("--rules", _rules(tmp_path), "check", "--new-only", str(nb))
    assert invoke(*args).exit_code == 0  # legacy import: not blocking
    nb.write_text(_nb(["from pkg.events import Manager\n"], ["from pkg.events import Manager"]))
    added = invoke(*args)
    assert added.exit_code == 1
    assert len(added.stdout.splitlines()) == 1


def test_plan_apply_undo_with_docs_and_configs_opted_in(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLACES)
    plan = invoke("--rules", _rules(tmp_path), "plan")
    assert plan.exit_code == 0
    for path in ("app/views.pyi", "bin/run", "nb/explore.ipynb"):
        assert path in plan.stdout
    assert "docs/guide.md:2:1: docs code names 'pkg.events.Manager'" in plan.stdout
    assert "pyproject.toml:2:8: config value names 'pkg.factory:create'" in plan.stdout
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules.read_text().replace("moves:", "docs: true\nconfigs: true\nmoves:"))
    before = snapshot(tmp_path)
    applied = invoke("--rules", str(rules), "apply", "--verify", "none")
    assert applied.exit_code == 0, applied.output
    assert (tmp_path / "docs/guide.md").read_text() == (
        "```python\nfrom pkg.monitor import Monitor\n```\n"
    )
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[project.scripts]\nrun = "pkg.canonical:create"\n'
    )
    assert (tmp_path / "bin/run").read_text().splitlines()[1] == "from pkg.monitor import Monitor"
    assert (tmp_path / "bin/run.sh").read_bytes() == before["bin/run.sh"]
    assert invoke("--rules", str(rules), "check").exit_code == 0
    undo = invoke("--rules", str(rules), "undo", "--all")
    assert undo.exit_code == 0, undo.output
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k != "rules.yaml"} == {
        k: v for k, v in before.items() if k != "rules.yaml"
    }


def test_fallback_import_not_reported(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **SMALL_TREE,
            "app/broken.py": "",
            "app/views.py": "try:\n    from pkg.monitor import Monitor as Manager\n"
            "except ImportError:\n    from pkg.events import Manager\n",
        },
    )
    result = invoke("--rules", _rules(tmp_path), "check", str(tmp_path / "app/views.py"))
    assert result.exit_code == 0, result.stdout


def test_check_reports_a_self_import_it_cannot_rewrite(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **SMALL_TREE,
            "app/broken.py": "",
            "pkg/monitor.py": "from pkg.events import Manager\n\n\nclass Monitor:\n    pass\n",
        },
    )
    result = invoke("--rules", _rules(tmp_path), "check", str(tmp_path / "pkg/monitor.py"))
    assert result.exit_code == 1
    assert result.stdout.startswith("pkg/monitor.py:1:1: MIG001 'pkg.events.Manager'")
    plan = invoke("--rules", _rules(tmp_path), "plan", str(tmp_path / "pkg/monitor.py"))
    assert "self-import of 'pkg.events.Manager'" in plan.stdout


def test_old_module_reading_a_moved_name_it_no_longer_defines(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **SMALL_TREE,
            "app/broken.py": "",
            "pkg/events.py": "def make():\n    return Manager()\n",
            "rules.yaml": SMALL_TREE["rules.yaml"].replace(
                "    reason:", "    kind: symbol\n    reason:"
            ),
        },
    )
    result = invoke("--rules", _rules(tmp_path), "check", str(tmp_path / "pkg/events.py"))
    assert result.exit_code == 1
    assert result.stdout.startswith("pkg/events.py:2:12: MIG001 'pkg.events.Manager'")
    plan = invoke("--rules", _rules(tmp_path), "plan", str(tmp_path / "pkg/events.py"))
    assert "no longer defines or imports it" in plan.stdout


def test_walker_lists_scripts_and_stubs_never_blocks_on_a_fifo(tmp_path: pathlib.Path) -> None:
    from importshift.codebase.files import walk

    make_tree(tmp_path, PLACES)
    os.mkfifo(tmp_path / "bin" / "pipe")  # opening it to read a shebang would hang
    os.symlink(tmp_path / "bin" / "run", tmp_path / "bin" / "linked")
    files, skips = walk(str(tmp_path), ())
    assert {"bin/run", "app/views.pyi", "pkg/events.pyi", "nb/explore.ipynb"} <= set(files)
    assert {"docs/guide.md", "pyproject.toml"} <= set(files)
    assert not {"bin/run.sh", "bin/notes", "bin/pipe", "bin/linked"} & set(files)
