"""The base revision ``migrate check --new-only`` compares with, and the git top-level.

Fails closed: no git, no repository, an unknown revision, or a base missing from a shallow
clone is an ``ImportshiftError`` (one line, exit 2), never "everything is new" in silence.
Renames are followed: a file moved with ``git mv`` is compared with its old path.
``subprocess`` is imported only here, so a gate run without ``--new-only`` never pays it.
"""

from __future__ import annotations

import os

from importshift.core.errors import ImportshiftError

_SHALLOW_HINT = "fetch more history (actions/checkout: fetch-depth: 0)"


def _git(cwd: str, *args: str) -> tuple[int, bytes, bytes]:
    import subprocess

    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise ImportshiftError("--new-only needs git, which is not installed") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImportshiftError(f"git failed: {exc}") from None
    return proc.returncode, proc.stdout, proc.stderr


def toplevel(root: str) -> str | None:
    """The git top-level folder holding ``root``, or None outside a repository."""
    try:
        code, out, _ = _git(root, "rev-parse", "--show-toplevel")
    except ImportshiftError:
        return None
    return os.path.normpath(out.decode().strip()) if code == 0 and out.strip() else None


class GitBase:
    """The files of one base revision (None: the repository has no commit yet)."""

    def __init__(self, top: str, root: str, base: str | None, head: str | None) -> None:
        self.toplevel = top
        self.base = base
        self.head = head
        prefix = os.path.relpath(root, top).replace(os.sep, "/")
        self.prefix = "" if prefix == "." else prefix + "/"
        self._renames: dict[str, str] | None = None

    def old_content(self, rel: str) -> bytes | None:
        """The file's content at the base (at its old path if it was renamed), or None."""
        if self.base is None:
            return None
        path = self.prefix + rel
        path = self.renames().get(path, path)
        code, out, _ = _git(self.toplevel, "show", f"{self.base}:{path}")
        return out if code == 0 else None

    def renames(self) -> dict[str, str]:
        """New path -> old path (relative to the top-level) between base and head/worktree."""
        if self._renames is None:
            args = ["diff", "-z", "--no-ext-diff", "--name-status", "-M", "--diff-filter=R"]
            args += [self.base or "", *([self.head] if self.head else [])]
            code, out, err = _git(self.toplevel, *args)
            if code != 0:
                raise ImportshiftError(f"git diff failed: {err.decode(errors='replace').strip()}")
            parts = out.decode("utf-8", "surrogateescape").split("\0")
            self._renames = {}
            for i in range(0, len(parts) - 2, 3):
                if parts[i].startswith("R"):
                    self._renames[parts[i + 2]] = parts[i + 1]
        return self._renames


def open_base(root: str, base: str, head: str | None, explicit: bool) -> GitBase:
    """Validate ``base`` (and ``head``) in the repository holding ``root``.

    With a head, the base is the merge base of the two, as in a pull request: what the
    branch added, not what the target branch did since.
    """
    code, out, err = _git(
        root,
        "rev-parse",
        "--show-toplevel",
        "--is-shallow-repository",
        "--verify",
        "-q",
        f"{base}^{{commit}}",
    )
    lines = out.decode(errors="replace").split()
    if code != 0 and len(lines) < 2:
        raise ImportshiftError(f"--new-only needs a git repository; {root} is not in one")
    top, shallow = os.path.normpath(lines[0]), lines[1] == "true"
    if code != 0:
        if base == "HEAD" and not explicit and not _has_commits(top):
            return GitBase(top, root, None, None)  # the first commit: everything is new
        raise ImportshiftError(_missing("--base", base, shallow))
    base_sha = lines[2]
    head_sha = None
    if head is not None:
        code, out, _ = _git(top, "rev-parse", "--verify", "-q", f"{head}^{{commit}}")
        if code != 0:
            raise ImportshiftError(_missing("--head", head, shallow))
        head_sha = out.decode().strip()
        code, out, _ = _git(top, "merge-base", base_sha, head_sha)
        if code != 0:
            hint = f": {_SHALLOW_HINT}" if shallow else ""
            raise ImportshiftError(f"--base {base} and --head {head} have no common ancestor{hint}")
        base_sha = out.decode().strip()
    return GitBase(top, root, base_sha, head_sha)


def _missing(flag: str, rev: str, shallow: bool) -> str:
    if shallow:
        return f"{flag} {rev} is not in this shallow clone: {_SHALLOW_HINT}"
    return f"unknown {flag} {rev}: no such revision in this repository"


def _has_commits(top: str) -> bool:
    code, out, _ = _git(top, "rev-list", "-n", "1", "--all")
    return code == 0 and bool(out.strip())
