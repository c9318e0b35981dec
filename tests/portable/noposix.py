"""Make the POSIX-only calls unavailable, as on Windows (``pytest --no-posix``).

The code under test chooses its path by feature detection (``hasattr(os, "fork")``,
``hasattr(signal, "SIGALRM")``, ``import fcntl`` failing), so removing these names runs the
portable paths on Linux. ``remove()`` patches this process; ``site_dir()`` writes a
``sitecustomize.py`` that does the same in every Python started with it on ``PYTHONPATH``
(worker processes, the ``migrate`` command run as a subprocess, verification interpreters).
``fcntl`` stays importable there: tools the tests run (pre-commit, pip) pick it by
``os.name``, which a test cannot change.
"""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

GONE = {
    "os": ("fork", "forkpty", "killpg", "setsid", "setpgrp", "getpgid"),
    "signal": ("SIGALRM", "alarm", "setitimer"),
}
BLOCKED_MODULES = ("fcntl",)

_SITE = """\
import os, signal, sys
for _mod, _names in {gone!r}.items():
    for _name in _names:
        if hasattr(sys.modules[_mod], _name):
            delattr(sys.modules[_mod], _name)
"""


def remove(patch: pytest.MonkeyPatch) -> None:
    for mod, names in GONE.items():
        for name in names:
            patch.delattr(sys.modules.get(mod) or __import__(mod), name, raising=False)
    for name in BLOCKED_MODULES:
        patch.setitem(sys.modules, name, None)  # type: ignore[arg-type]


def site_dir() -> str:
    folder = tempfile.mkdtemp(prefix="importshift-noposix-")
    with open(os.path.join(folder, "sitecustomize.py"), "w", encoding="utf-8") as fh:
        fh.write(_SITE.format(gone=GONE))
    return folder
