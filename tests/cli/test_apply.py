"""``migrate apply`` and ``undo`` on real tiny packages, verified in real interpreters."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def apply(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return invoke("--rules", str(root / "rules.yaml"), "apply", *args)


def test_clean_apply_then_noop_then_undo(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    before = snapshot(tmp_path)
    (tmp_path / "app" / "views.py").chmod(0o640)
    result = apply(tmp_path, "--batch", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app/views.py").read_text() == (
        "from pkg.monitor import Monitor\n\n\ndef view():\n    return Monitor()\n"
    )
    assert (tmp_path / "app/views.py").stat().st_mode & 0o777 == 0o640  # mode kept
    assert "batch 2/2" in result.stderr
    assert "applied 2 file(s) in 2 batch(es); 0 rolled back" in result.stderr
    changed = snapshot(tmp_path)
    again = apply(tmp_path)
    assert again.exit_code == 0
    assert snapshot(tmp_path) == changed  # idempotent
    journal = [
        json.loads(line) for line in (tmp_path / ".migrate/journal.jsonl").read_text().splitlines()
    ]
    assert [e["event"] for e in journal] == ["begin", "end", "begin", "end"]
    undo = invoke("--rules", str(tmp_path / "rules.yaml"), "undo", "--all")
    assert undo.exit_code == 0, undo.output
    assert snapshot(tmp_path) == before  # byte for byte


CIRCULAR = {
    "rules.yaml": "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n",
    "pkg/__init__.py": "",
    "pkg/monitor.py": "from pkg.b import helper\n\n\nclass Monitor:\n    pass\n",
    "pkg/events.py": "def __getattr__(name):\n    from pkg.monitor import Monitor\n\n"
    "    return Monitor\n",
    # b.py reaches Manager lazily through the shim; importing pkg.monitor from b creates a
    # circular import (monitor imports b at its top).
    "pkg/b.py": "import pkg.events as ev\n\n\ndef helper():\n    return ev.Manager\n",
    "pkg/c.py": "from pkg.events import Manager\n",
    "pkg/d.py": "from pkg.events import Manager\n\nx = Manager\n",
    "pkg/e.py": "from pkg.events import Manager\n\nraise RuntimeError('already broken')\n",
}


def test_circular_import_is_rolled_back_and_bisected(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, CIRCULAR)
    result = apply(tmp_path, "--batch", "10")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "pkg/b.py").read_text() == CIRCULAR["pkg/b.py"]  # culprit untouched
    assert (
        tmp_path / "pkg/c.py"
    ).read_text() == "from pkg.monitor import Monitor as Manager\n" or (
        tmp_path / "pkg/c.py"
    ).read_text() == "from pkg.monitor import Monitor\n"
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/d.py").read_text()
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/e.py").read_text()
    assert "rolled back pkg/b.py (batch 1): import pkg.b: failed:" in result.stdout
    assert "circular import" in result.stdout
    assert (
        "pre-existing failure, not blamed: import pkg.e: failed: RuntimeError: already "
        "broken" in result.stdout
    )
    assert "applied 3 file(s) in 1 batch(es); 1 rolled back" in result.stderr


def test_dirty_tree_refused(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=tmp_path, check=True)
    (tmp_path / "app/views.py").write_text((tmp_path / "app/views.py").read_text() + "# wip\n")
    before = snapshot(tmp_path)
    result = apply(tmp_path, "--verify", "none")
    assert result.exit_code == 2
    assert "uncommitted changes in 1 file(s) the run would touch: app/views.py" in result.stderr
    assert snapshot(tmp_path) == before
    ok = apply(tmp_path, "--verify", "none", "--allow-dirty")
    assert ok.exit_code == 0


def test_commit_per_batch(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=tmp_path, check=True, env=env)
    os.environ.update({k: v for k, v in env.items() if k.startswith("GIT_")})
    try:
        result = apply(tmp_path, "--batch", "1", "--verify", "none", "--commit")
    finally:
        for key in (
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
        ):
            os.environ.pop(key, None)
    assert result.exit_code == 0, result.output
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log[:2] == ["migrate: batch 2 (1 files)", "migrate: batch 1 (1 files)"]


def test_stale_plan_file(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    plan = tmp_path / "plan.json"
    assert (
        invoke("--rules", str(tmp_path / "rules.yaml"), "plan", "--out", str(plan)).exit_code == 0
    )
    (tmp_path / "app/jobs.py").write_text((tmp_path / "app/jobs.py").read_text() + "# edit\n")
    result = apply(tmp_path, "--plan", str(plan), "--verify", "none")
    assert result.exit_code == 1
    assert "skipped app/jobs.py: changed since the plan was made" in result.stdout
    assert "from pkg.monitor import Monitor" in (tmp_path / "app/views.py").read_text()
    assert "pkg.factory" in (tmp_path / "app/jobs.py").read_text()


def test_undo_after_later_edit(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    assert apply(tmp_path, "--verify", "none").exit_code == 0
    views = tmp_path / "app/views.py"
    views.write_text(views.read_text() + "\n\ndef later():\n    return 2\n")
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "undo")
    assert result.exit_code == 0, result.output
    assert views.read_text() == SMALL_TREE["app/views.py"] + "\n\ndef later():\n    return 2\n"


def test_undo_leaves_conflicting_edit_alone(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    assert apply(tmp_path, "--verify", "none").exit_code == 0
    views = tmp_path / "app/views.py"
    views.write_text("completely rewritten\n")
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "undo")
    assert result.exit_code == 1
    assert "left alone app/views.py" in result.stdout
    assert views.read_text() == "completely rewritten\n"


def test_read_only_file_is_reported_not_changed(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    views = tmp_path / "app/views.py"
    views.chmod(0o444)
    result = apply(tmp_path, "--verify", "none")
    assert "skipped app/views.py (batch 1): read-only" in result.stdout
    assert views.read_text() == SMALL_TREE["app/views.py"]
    assert views.stat().st_mode & 0o777 == 0o444


def test_second_run_refused_while_locked(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from importshift.ops.lock import acquire\n"
            f"lock = acquire({str(tmp_path)!r})\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = apply(tmp_path, "--verify", "none")
        assert result.exit_code == 2
        assert f"another migrate run holds {tmp_path}/.migrate/lock (pid {holder.pid} " in (
            result.stderr
        )
        assert (tmp_path / "app/views.py").read_text() == SMALL_TREE["app/views.py"]
    finally:
        holder.kill()
        holder.communicate()
    # the holder died without releasing: the OS dropped its lock, a leftover file is no lock
    (tmp_path / ".migrate/lock").write_text("pid 999999999")
    assert apply(tmp_path, "--verify", "none").exit_code == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_resumes(tmp_path: pathlib.Path, sig: signal.Signals) -> None:
    files: dict[str, str | bytes] = dict(SMALL_TREE)
    del files["app/broken.py"]
    for i in range(6):
        files[f"app/m{i}.py"] = "from pkg.events import Manager\n"
    make_tree(tmp_path, files)
    old = snapshot(tmp_path)
    marker = tmp_path / "verifying"
    cmd = [
        sys.executable,
        "-m",
        "importshift",
        "apply",
        "--batch",
        "2",
        "--verify-cmd",
        f"touch {marker} && sleep 30",
    ]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig is signal.SIGINT:
        assert proc.returncode == 130, err
    marker.unlink()
    middle = snapshot(tmp_path)
    for rel, content in old.items():  # every file fully old (the batch was put back) or new
        assert (
            middle[rel] == content
            or rel in ("app/views.py", "app/jobs.py")
            or rel.startswith("app/m")
        ), rel
    rerun = subprocess.run(
        [sys.executable, "-m", "importshift", "apply", "--verify", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    done = snapshot(tmp_path)
    for i in range(6):
        assert (
            done[f"app/m{i}.py"] == b"from pkg.monitor import Monitor as Manager\n"
            or done[f"app/m{i}.py"] == b"from pkg.monitor import Monitor\n"
        )
    again = subprocess.run(
        [sys.executable, "-m", "importshift", "plan", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(again.stdout)["files"] == []


def test_progress_bar_on_a_terminal(tmp_path: pathlib.Path) -> None:
    from importshift.adapters.git import GitCli
    from importshift.commands import apply as apply_command
    from importshift.core.options import Options, VerifyMode, VerifyOptions

    class Terminal:
        lines: list[str] = []

        def out(self, text: str) -> None:
            self.lines.append(text)

        def err(self, text: str) -> None:
            self.lines.append(text)

        @property
        def is_terminal(self) -> bool:
            return True

    make_tree(tmp_path, SMALL_TREE)
    term = Terminal()
    code = apply_command.run(
        Options(rules=str(tmp_path / "rules.yaml")),
        VerifyOptions(VerifyMode.NONE),
        term,
        GitCli(),
        (),
        1,
        False,
        None,
        False,
    )
    assert code == 0
    assert not any(line.startswith("batch ") for line in term.lines)  # the bar, not lines
    assert "from pkg.monitor import Monitor" in (tmp_path / "app/views.py").read_text()
