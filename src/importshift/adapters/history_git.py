"""What changed in git since a revision: renamed, added, deleted and modified files, and
file contents at that revision. Behind a Protocol so tests can fake it; never raises."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FileChange:
    status: str  # "R" renamed, "A" added (or untracked), "D" deleted, "M" modified
    old: str  # path at the revision ("" when added)
    new: str  # path in the working tree ("" when deleted)


@dataclass(frozen=True, slots=True)
class Changes:
    files: tuple[FileChange, ...]
    error: str = ""  # why git could not answer (not a repository, unknown revision)


class History(Protocol):
    def changes(self, root: str, rev: str) -> Changes:
        """Files changed between ``rev`` and the working tree (untracked files as added);
        paths relative to ``root``."""
        ...

    def contents(self, root: str, rev: str, paths: Sequence[str]) -> dict[str, bytes]:
        """Bytes of ``paths`` (relative to ``root``) at ``rev``; missing ones left out."""
        ...


class GitHistory:
    """git's command line: ``diff -M --name-status``, ``ls-files``, ``cat-file --batch``."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout

    def _run(
        self, root: str, *args: str, data: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes] | None:
        try:
            return subprocess.run(
                ["git", *args],
                cwd=root,
                input=data,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None

    def changes(self, root: str, rev: str) -> Changes:
        if rev.startswith("-"):
            return Changes((), f"not a revision: {rev!r}")
        inside = self._run(root, "rev-parse", "--is-inside-work-tree")
        if inside is None:
            return Changes((), "git cannot be run")
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return Changes((), f"{root} is not inside a git working tree")
        verify = self._run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if verify is None:
            return Changes((), "git cannot be run")
        if verify.returncode != 0:
            return Changes((), f"git does not know the revision {rev!r} here")
        diff = self._run(
            root, "diff", "-M", "--name-status", "-z", "--relative", "--no-color", rev, "--"
        )
        if diff is None or diff.returncode != 0:
            why = diff.stderr.decode(errors="replace").strip() if diff else "git failed"
            return Changes((), why.splitlines()[0] if why else "git diff failed")
        out = _parse_name_status(diff.stdout.decode("utf-8", "surrogateescape"))
        untracked = self._run(root, "ls-files", "--others", "--exclude-standard", "-z")
        if untracked is not None and untracked.returncode == 0:
            for path in untracked.stdout.decode("utf-8", "surrogateescape").split("\0"):
                if path:
                    out.append(FileChange("A", "", path))
        return Changes(tuple(out))

    def contents(self, root: str, rev: str, paths: Sequence[str]) -> dict[str, bytes]:
        if not paths:
            return {}
        prefix_proc = self._run(root, "rev-parse", "--show-prefix")
        if prefix_proc is None or prefix_proc.returncode != 0:
            return {}
        prefix = prefix_proc.stdout.decode("utf-8", "surrogateescape").strip()
        request = "".join(f"{rev}:{prefix}{p}\n" for p in paths).encode("utf-8", "surrogateescape")
        proc = self._run(root, "cat-file", "--batch", data=request)
        if proc is None or proc.returncode != 0:
            return {}
        return _parse_batch(proc.stdout, list(paths))


def _parse_name_status(text: str) -> list[FileChange]:
    fields = text.split("\0")
    out: list[FileChange] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in "RC" and i + 2 < len(fields):
            old, new = fields[i + 1], fields[i + 2]
            out.append(FileChange("R", old, new) if status == "R" else FileChange("A", "", new))
            i += 3
            continue
        if i + 1 >= len(fields):
            break
        path = fields[i + 1]
        if status == "D":
            out.append(FileChange("D", path, ""))
        elif status == "A":
            out.append(FileChange("A", "", path))
        else:  # M, T (type change), U: the same path on both sides
            out.append(FileChange("M", path, path))
        i += 2
    return out


def _parse_batch(data: bytes, paths: list[str]) -> dict[str, bytes]:
    """``cat-file --batch`` output: per object ``<sha> <type> <size>\\n<bytes>\\n`` or
    ``<name> missing\\n``, in request order."""
    out: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        header = data[pos:nl].split()
        pos = nl + 1
        if len(header) != 3 or header[1] != b"blob":
            if len(header) == 3:  # a tree or other object: skip its body
                pos += int(header[2]) + 1
            continue
        size = int(header[2])
        out[path] = data[pos : pos + size]
        pos += size + 1
    return out
