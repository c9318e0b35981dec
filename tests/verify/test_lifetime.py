"""Nothing verification starts outlives the tool: not when it is killed (even by SIGKILL,
which runs no cleanup), not a spinning import, not a daemon the import started."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from helpers import make_tree

from importshift.adapters.results import Target, Verdict
from importshift.adapters.verify import SubprocessVerifier
from importshift.cli import group
from importshift.core.options import VerifyMode, VerifyOptions

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

RULES = "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"
BASE: dict[str, str | bytes] = {
    "rules.yaml": RULES,
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
}
SPIN = (
    "import os\nfrom pkg.events import Manager\n\n"
    "with open(os.environ['IMPORTSHIFT_TEST_MARK'], 'w') as fh:\n"
    "    fh.write('%d %d' % (os.getpid(), os.getppid()))\n"
    "while True:\n    pass\n"
)
DAEMON = (
    "import os, time\nfrom pkg.events import Manager\n\n"
    "MARK = os.environ['IMPORTSHIFT_TEST_MARK']\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        with open(MARK + '.tmp', 'w') as fh:\n"
    "            fh.write(str(os.getpid()))\n"
    "        os.rename(MARK + '.tmp', MARK)\n"
    "        time.sleep(300)\n"
    "    os._exit(0)\n"
    "for _ in range(500):\n"
    "    if os.path.exists(MARK):\n        break\n"
    "    time.sleep(0.01)\n"
)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that will not reap it counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def gone(*pids: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_migrate_kills_the_spinning_import_and_its_server(
    tmp_path: pathlib.Path, sig: signal.Signals
) -> None:
    tree = tmp_path / "tree"
    make_tree(tree, {**BASE, "pkg/spin.py": SPIN})
    mark = tmp_path / "mark"
    proc = subprocess.Popen(
        [sys.executable, "-m", "importshift", "apply", "--timeout", "600"],
        cwd=tree,
        env={**os.environ, "IMPORTSHIFT_TEST_MARK": str(mark)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (mark.exists() and mark.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child, server = map(int, mark.read_text().split())
        assert alive(child) and alive(server)
        os.kill(proc.pid, sig)  # the tool alone: its children are not signalled
        proc.wait(timeout=30)
        assert gone(child, server), "verification processes outlived migrate"
    finally:
        proc.kill()


def test_killing_migrate_kills_a_running_verify_command(tmp_path: pathlib.Path) -> None:
    tree = tmp_path / "tree"
    make_tree(tree, {**BASE, "pkg/views.py": "from pkg.events import Manager\n"})
    mark = tmp_path / "mark"
    spin = tmp_path / "spin.py"
    spin.write_text(
        "import os\nwith open(os.environ['IMPORTSHIFT_TEST_MARK'], 'w') as fh:\n"
        "    fh.write(str(os.getpid()))\nwhile True:\n    pass\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "importshift", "apply", "--timeout", "600"]
        + ["--verify-cmd", f"{sys.executable} {spin}; true"],
        cwd=tree,
        env={**os.environ, "IMPORTSHIFT_TEST_MARK": str(mark)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (mark.exists() and mark.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        command = int(mark.read_text())
        assert alive(command)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert gone(command), "the verification command outlived migrate"
    finally:
        proc.kill()


@pytest.mark.posix  # the import daemonizes with os.fork and os.setsid
def test_a_daemon_started_by_an_import_is_killed_and_reported(tmp_path: pathlib.Path) -> None:
    tree = tmp_path / "tree"
    make_tree(tree, {**BASE, "pkg/daemon.py": DAEMON})
    mark = tmp_path / "mark"
    os.environ["IMPORTSHIFT_TEST_MARK"] = str(mark)
    try:
        result = CliRunner().invoke(
            group, ["--rules", str(tree / "rules.yaml"), "apply"], catch_exceptions=False
        )
    finally:
        del os.environ["IMPORTSHIFT_TEST_MARK"]
    assert result.exit_code == 0, result.output
    daemon = int(mark.read_text())
    assert gone(daemon, within=2), "the daemon outlived apply"
    assert (
        f"warning: import pkg.daemon: it started a process in a new session (pid {daemon}:"
        in result.stdout
    )


def test_the_timeout_is_enforced_by_the_server(tmp_path: pathlib.Path) -> None:
    """The tool's own deadline is 10 s after the timeout: a verdict within 1 s + slack
    shows the server killed the import itself."""
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/spin.py": "while True:\n    pass\n"})
    verifier = SubprocessVerifier(
        str(tmp_path), ["."], VerifyOptions(VerifyMode.IMPORT, timeout=1.0), jobs=1
    )
    start = time.monotonic()
    (result,) = verifier.run([Target("import", "pkg.spin")]).values()
    assert result.verdict is Verdict.TIMEOUT
    assert time.monotonic() - start < 8
