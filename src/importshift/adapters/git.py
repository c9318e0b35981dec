"""The few git questions the tool asks, behind a Protocol so tests can fake them."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Protocol


class Git(Protocol):
    def toplevel(self, root: str) -> str | None: ...

    def dirty(self, root: str, paths: Sequence[str]) -> list[str]: ...

    def show(self, root: str, rev: str, path: str) -> bytes | None: ...

    def commit(self, root: str, paths: Sequence[str], message: str) -> bool: ...


class GitCli:
    """git through its command line; every call has a timeout and never raises."""

    def _run(
        self, root: str, *args: str, data: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes] | None:
        try:
            return subprocess.run(
                ["git", *args], cwd=root, input=data, capture_output=True, timeout=60, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None

    def toplevel(self, root: str) -> str | None:
        proc = self._run(root, "rev-parse", "--show-toplevel")
        if proc is None or proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def dirty(self, root: str, paths: Sequence[str]) -> list[str]:
        if not paths or self.toplevel(root) is None:
            return []
        out: list[str] = []
        for i in range(0, len(paths), 500):
            proc = self._run(
                root,
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=no",
                "--",
                *paths[i : i + 500],
            )
            if proc is None or proc.returncode != 0:
                continue
            for entry in proc.stdout.decode(errors="replace").split("\0"):
                if len(entry) > 3:
                    out.append(entry[3:])
        return out

    def show(self, root: str, rev: str, path: str) -> bytes | None:
        proc = self._run(root, "show", f"{rev}:./{path}")
        if proc is None or proc.returncode != 0:
            return None
        return proc.stdout

    def commit(self, root: str, paths: Sequence[str], message: str) -> bool:
        add = self._run(root, "add", "--", *paths)
        if add is None or add.returncode != 0:
            return False
        proc = self._run(root, "commit", "-q", "--no-verify", "-m", message, "--", *paths)
        return proc is not None and proc.returncode == 0
