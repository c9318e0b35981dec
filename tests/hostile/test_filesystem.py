"""The file system fights back: links, loops, odd names, modes, a full disk, a vanished file."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import shutil

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, make_tree, snapshot

from importshift.cli import group


def invoke(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args], catch_exceptions=False
    )


def test_symlinks_are_never_followed_or_written_through(tmp_path: pathlib.Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    make_tree(repo, SMALL_TREE)
    make_tree(outside, {"secret.py": "from pkg.events import Manager\n"})
    (repo / "app/link.py").symlink_to(outside / "secret.py")
    (repo / "app/inner.py").symlink_to(repo / "app/views.py")
    (repo / "loop").mkdir()
    (repo / "loop/self").symlink_to(repo / "loop", target_is_directory=True)
    (repo / "outdir").symlink_to(outside, target_is_directory=True)
    plan = invoke(repo, "plan")
    assert plan.exit_code == 0
    assert "app/link.py: symlink out of the tree (not followed)" in plan.stdout
    assert "app/inner.py: symlink (not followed)" in plan.stdout
    assert invoke(repo, "apply", "--verify", "none").exit_code == 0
    assert (outside / "secret.py").read_text() == "from pkg.events import Manager\n"
    assert (repo / "app/link.py").is_symlink() and (repo / "app/inner.py").is_symlink()


@pytest.mark.posix  # a FIFO
def test_a_fifo_named_like_a_module_is_skipped_never_waited_on(tmp_path: pathlib.Path) -> None:
    """Opening a FIFO for reading waits for a writer: plan, shims, doctor and apply would
    hang. It is listed as skipped, with the reason, by every command that walks the tree."""
    import subprocess
    import sys

    make_tree(tmp_path, SMALL_TREE)
    os.mkfifo(tmp_path / "app" / "pipe.py")
    os.mkfifo(tmp_path / "app" / "stub.pyi")
    said = "app/pipe.py: not a regular file (a FIFO, socket or device)"
    for args in (["plan"], ["shims"], ["doctor"], ["apply", "--verify", "none"], ["check"]):
        if args == ["check"]:
            args = ["check", "app/pipe.py"]  # named on the command line: refused, not read
        proc = subprocess.run(
            [sys.executable, "-m", "importshift", "--rules", "rules.yaml", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if args[0] == "check":
            assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr
            continue
        assert proc.returncode in (0, 1), (args, proc.stdout, proc.stderr)
        if args == ["shims"]:  # the stub is read for uses: it cannot be, so nothing is proven
            assert "app/stub.pyi:1 (cannot read it: not a regular file" in proc.stdout
        else:
            assert said in proc.stdout + proc.stderr, (args, proc.stdout, proc.stderr)


def test_directory_named_like_a_module(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    (tmp_path / "app/odd.py").mkdir()
    make_tree(tmp_path, {"app/odd.py/inner.py": "from pkg.events import Manager\n"})
    result = invoke(tmp_path, "apply", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app/odd.py/inner.py").read_text().startswith("from pkg.monitor")


def test_modes_and_executable_bits_kept(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    views = tmp_path / "app/views.py"
    views.chmod(0o755)
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    assert views.stat().st_mode & 0o7777 == 0o755


def test_full_disk_leaves_the_original_intact(tmp_path: pathlib.Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_tree(tmp_path, SMALL_TREE)
    before = snapshot(tmp_path)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh):  # type: ignore[no-untyped-def]
            self.fh = fh

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            self.fh.close()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, mode="r", *a, **k):  # type: ignore[no-untyped-def]
        fh = real_fdopen(fd, mode, *a, **k)
        target = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else ""
        return FullDisk(fh) if ".importshift-" in target else fh  # only the temp files

    monkeypatch.setattr(os, "fdopen", fdopen)
    result = invoke(tmp_path, "apply", "--verify", "none")
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    assert "No space left on device" in result.stdout
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith(".importshift")} == before
    assert not [p for p in os.listdir(tmp_path / "app") if p.startswith(".importshift-")]


def test_file_deleted_between_plan_and_apply(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    plan = tmp_path / "plan.json"
    assert invoke(tmp_path, "plan", "--out", str(plan)).exit_code == 0
    (tmp_path / "app/views.py").unlink()
    result = invoke(tmp_path, "apply", "--plan", str(plan), "--verify", "none")
    assert result.exit_code == 1
    assert "skipped app/views.py: no longer in the tree" in result.stdout
    assert "pkg.canonical" in (tmp_path / "app/jobs.py").read_text()


@pytest.mark.posix  # fork, then setuid to an unprivileged user
@pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0,
    reason="needs root to run the tool as an unprivileged user",
)
def test_read_only_as_unprivileged_user() -> None:
    """As root every file is writable; as a plain user a 0444 file must stay untouched too.

    The run happens in a forked child that drops to uid/gid 65534 (everything it needs is
    imported before the fork, since the interpreter's own files may be root's only).
    """
    import tempfile

    import importshift.commands.apply  # noqa: F401 - imported before dropping privileges
    import importshift.rewrite.moves  # noqa: F401
    from importshift.cli import group as cli

    top = tempfile.mkdtemp()
    try:
        os.chmod(top, 0o755)
        repo = pathlib.Path(top) / "repo"
        make_tree(repo, SMALL_TREE)
        views = repo / "app/views.py"
        views.chmod(0o444)
        for folder, _dirs, files in os.walk(repo):
            os.chown(folder, 65534, 65534)
            for name in files:
                os.chown(os.path.join(folder, name), 65534, 65534)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                os.close(read)
                os.setgid(65534)
                os.setuid(65534)
                result = CliRunner().invoke(
                    cli,
                    ["--rules", str(repo / "rules.yaml"), "-j", "1", "apply", "--verify", "none"],
                )
                os.write(write, result.output.encode())
                code = result.exit_code
            finally:
                os._exit(code)
        os.close(write)
        output = b""
        while chunk := os.read(read, 65536):
            output += chunk
        os.close(read)
        _, status = os.waitpid(pid, 0)
        text = output.decode()
        assert "skipped app/views.py (batch 1): read-only" in text, (status, text)
        assert views.read_text() == SMALL_TREE["app/views.py"]
        assert views.stat().st_mode & 0o777 == 0o444
        assert "pkg.canonical" in (repo / "app/jobs.py").read_text()
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_plan_json_is_what_apply_writes(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    diff = invoke(tmp_path, "plan", "--diff", "-q").stdout
    before = snapshot(tmp_path)
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    after = snapshot(tmp_path)
    from importshift.rewrite.engine import unified_diff

    written = "".join(
        unified_diff(rel, before[rel], after[rel])
        for rel in sorted(before)
        if before[rel] != after.get(rel)
    )
    assert written.strip() and written.strip() in diff
    assert json.loads(invoke(tmp_path, "plan", "--format", "json").stdout)["files"] == []


@pytest.mark.posix  # a shell pipeline
@pytest.mark.parametrize(
    "args",
    [
        "check - --stdin-filename app/views.py < app/views.py",
        "check app/views.py app/models.py",
        "plan",
        "--format json doctor",
    ],
)
def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: pathlib.Path, args: str) -> None:
    """``| head`` closes stdout early: no traceback, no 'internal error', no second run."""
    import subprocess
    import sys

    make_tree(tmp_path, SMALL_TREE)
    command = f"{sys.executable} -m importshift --rules rules.yaml {args} | true"
    proc = subprocess.run(
        ["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
