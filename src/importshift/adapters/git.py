"""The few git questions the tool asks, behind a Protocol so tests can fake them.

Fail closed: the only git answer taken as "no repository here" is git saying so (or git
missing while no ``.git`` exists in the folder or its parents). Any other failure (dubious
ownership, a broken repository, git missing inside a work tree, a timeout) is a
``GitError`` naming git's own message. Paths are always literal (``--literal-pathspecs``),
never patterns. Files inside a submodule or a nested repository are asked about in that
repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Protocol

from importshift.core.errors import RefusedError

_CHUNK = 500


class GitError(RefusedError):
    """git could not answer; the guard that needed the answer refuses."""


class Git(Protocol):
    def toplevel(self, root: str) -> str | None: ...

    def dirty(self, root: str, paths: Sequence[str]) -> list[str]: ...

    def show(self, root: str, rev: str, path: str) -> bytes | None: ...

    def commit(
        self, root: str, paths: Sequence[str], message: str, hooks: bool = True
    ) -> str | None: ...


def _reason(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = [ln.strip() for ln in proc.stderr.decode(errors="replace").splitlines() if ln.strip()]
    lines += [ln.strip() for ln in proc.stdout.decode(errors="replace").splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "error:")):
            return ln
    return lines[-1] if lines else f"git exited with status {proc.returncode}"


def _dot_git_above(path: str) -> str | None:
    here = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return os.path.join(here, ".git")
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


class GitCli:
    """git through its command line; every call has a timeout."""

    def _run(
        self, cwd: str, *args: str, timeout: float = 120, data: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ, LC_ALL="C", LANGUAGE="", GIT_OPTIONAL_LOCKS="0")
        cmd = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *args]
        try:
            return subprocess.run(
                cmd,
                cwd=cwd,
                input=data,
                stdin=None if data is not None else subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
                env=env,
            )
        except FileNotFoundError:
            raise GitError("git is not on PATH") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} did not answer within {timeout:.0f} s") from None
        except OSError as exc:
            raise GitError(f"cannot run git: {exc}") from None

    def toplevel(self, root: str) -> str | None:
        """The work tree holding ``root``; None only when there is none."""
        try:
            proc = self._run(root, "rev-parse", "--show-toplevel")
        except GitError as exc:
            found = _dot_git_above(root)
            if found is None and "not on PATH" in str(exc):
                return None
            where = f" ({root} is inside the git work tree of {found})" if found else ""
            raise GitError(f"{exc}{where}; cannot tell what git could give back") from None
        if proc.returncode != 0:
            reason = _reason(proc)
            if "not a git repository" in reason:
                return None
            raise GitError(f"git cannot read the repository at {root}: {reason}")
        top = proc.stdout.decode(errors="surrogateescape").strip()
        if not top:
            return None  # a bare repository or inside .git: no work tree
        return top

    def _repos(self, root: str, paths: Sequence[str]) -> dict[str, list[str]]:
        """Paths grouped by the innermost repository folder that holds them ("" = root's)."""
        marks: dict[str, bool] = {}
        groups: dict[str, list[str]] = {}
        for path in paths:
            folder = os.path.dirname(path)
            repo = ""
            while folder:
                if folder not in marks:
                    marks[folder] = os.path.lexists(os.path.join(root, folder, ".git"))
                if marks[folder]:
                    repo = folder
                    break
                folder = os.path.dirname(folder)
            groups.setdefault(repo, []).append(path)
        return groups

    def dirty(self, root: str, paths: Sequence[str]) -> list[str]:
        """Each of ``paths`` that git could not give back: modified, staged or untracked, as
        "path (why)"; a nested repository or submodule answers for its files. Files the
        user told git to ignore are the user's choice and not reported."""
        out: list[str] = []
        for repo, group in self._repos(root, paths).items():
            top = self.toplevel(os.path.join(root, repo) if repo else root)
            if top is None:
                continue
            real_top = os.path.realpath(top)
            real_root = os.path.realpath(root)
            rels = [os.path.relpath(os.path.join(real_root, p), real_top) for p in group]
            for i in range(0, len(rels), _CHUNK):
                proc = self._run(
                    real_top,
                    "status",
                    "--porcelain=v1",
                    "-z",
                    "--untracked-files=all",
                    "--ignore-submodules=none",
                    "--",
                    *rels[i : i + _CHUNK],
                )
                if proc.returncode != 0:
                    raise GitError(f"git status failed in {real_top}: {_reason(proc)}")
                out.extend(_parse_status(proc.stdout, real_top, real_root))
        return out

    def show(self, root: str, rev: str, path: str) -> bytes | None:
        try:
            proc = self._run(root, "show", f"{rev}:./{path}")
        except GitError:
            return None
        if proc.returncode != 0:
            return None
        return proc.stdout

    def commit(
        self, root: str, paths: Sequence[str], message: str, hooks: bool = True
    ) -> str | None:
        """Commit exactly ``paths`` (``git commit --only``: the index is left as it was if
        the commit fails). Returns None, or why it failed. User hooks run unless
        ``hooks`` is False (``--no-verify``)."""
        if not paths:
            return None
        try:
            if self.toplevel(root) is None:
                return f"{root} is not in a git repository"
            args = ["commit", "-q", "--only", "-F", "-"]
            if not hooks:
                args.append("--no-verify")
            proc = self._run(root, *args, "--", *paths, timeout=900, data=message.encode("utf-8"))
        except GitError as exc:
            return str(exc)
        if proc.returncode != 0:
            return _reason(proc)
        return None


def _parse_status(raw: bytes, top: str, root: str) -> list[str]:
    why = {"??": "untracked"}
    out: list[str] = []
    entries = raw.split(b"\0")
    skip = False
    for entry in entries:
        if skip:
            skip = False
            continue
        if len(entry) < 4:
            continue
        code = entry[:2].decode(errors="replace")
        name = entry[3:].decode(errors="surrogateescape")
        if code[0] in "RC":
            skip = True  # the next entry is the original name
        rel = os.path.relpath(os.path.join(top, name), root)
        out.append(f"{rel} ({why.get(code, 'modified')})")
    return out
