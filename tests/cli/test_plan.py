"""``migrate plan`` through click's CliRunner and through a real subprocess."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def test_plan_text(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    before = snapshot(tmp_path)
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "plan")
    assert result.exit_code == 0
    out = result.stdout
    assert (
        "pkg.events.Manager -> pkg.monitor.Monitor  [symbol]  (events.py is a "
        "compatibility alias)" in out
    )
    assert "    app/views.py:1: 1 site(s)" in out
    assert "    app/jobs.py:1: 2 site(s)" in out
    assert "  pkg/events.py (pkg.events): 1 importing file(s) in this plan" in out
    assert "  app/broken.py: does not parse: line 1" in out
    assert "2 file(s) would change (3 site(s)); 10 scanned, 1 skipped" in result.stderr
    assert snapshot(tmp_path) == before  # plan writes no source file


def test_plan_json_and_out(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    out_file = tmp_path / "plan.json"
    result = invoke(
        "--rules", str(tmp_path / "rules.yaml"), "plan", "--format", "json", "--out", str(out_file)
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert json.loads(out_file.read_text()) == data
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {"app/jobs.py", "app/views.py"}
    import hashlib

    views = files["app/views.py"]
    assert views["sha256"] == hashlib.sha256((tmp_path / "app/views.py").read_bytes()).hexdigest()
    assert views["edits"] == [
        {
            "rule": "pkg.events.Manager",
            "line": 1,
            "column": 1,
            "before": "pkg.events.Manager",
            "after": "pkg.monitor.Monitor",
        }
    ]
    exact = json.loads(
        invoke("--rules", str(tmp_path / "rules.yaml"), "plan", "--diff", "--format", "json").stdout
    )
    views = next(f for f in exact["files"] if f["path"] == "app/views.py")
    assert views["edits"] == [
        {
            "rule": "pkg.events.Manager",
            "line": 1,
            "column": 1,
            "before": "from pkg.events import Manager",
            "after": "from pkg.monitor import Monitor",
        },
        {
            "rule": "pkg.events.Manager",
            "line": 5,
            "column": 12,
            "before": "    return Manager()",
            "after": "    return Monitor()",
        },
    ]
    assert data["skipped"] == [
        {
            "path": "app/broken.py",
            "reason": "does not parse: line 1: Missing parentheses in call "
            "to 'print'. Did you mean print(...)?",
        }
    ]


def test_plan_diff_and_paths(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    result = invoke(
        "plan",
        "--rules",
        str(tmp_path / "rules.yaml"),
        "--diff",
        str(tmp_path / "app" / "views.py"),
    )
    assert result.exit_code == 0
    assert "-from pkg.events import Manager\n+from pkg.monitor import Monitor\n" in result.stdout
    assert "app/jobs.py" not in result.stdout


def test_bad_rules_one_line_per_problem(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {**SMALL_TREE, "rules.yaml": "version: 1\nmovs: []\nmoves:\n  - old: a\n"})
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "plan")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{tmp_path}/rules.yaml:2:1: unknown key 'movs' in the rules file (expected one of: "
        "version, source_roots, exclude, include, gitignore, moves, codemods, docs, configs)",
        f"{tmp_path}/rules.yaml:4:5: move is missing 'new'",
    ]
    assert "Traceback" not in result.output


def test_no_rules_file(tmp_path: pathlib.Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = invoke("plan")
    assert result.exit_code == 2
    assert result.stderr == "error: no rules.yaml in this folder or any parent (use --rules PATH)\n"


def test_options_after_subcommand_and_bad_format(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    result = invoke("plan", "--rules", str(tmp_path / "rules.yaml"), "--format", "github")
    assert result.exit_code == 2
    assert "--format github is not available here" in result.stderr


def test_real_subprocess(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    proc = subprocess.run(
        [sys.executable, "-m", "importshift", "plan", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert {f["path"] for f in json.loads(proc.stdout)["files"]} == {"app/jobs.py", "app/views.py"}
    bad = subprocess.run(
        [sys.executable, "-m", "importshift", "--rules", "missing.yaml", "plan"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr == "error: rules file not found: missing.yaml\n"
