"""The base revision ``migrate check --new-only`` compares with, and the git top-level.

Fails closed: no git, no repository, an unknown revision, or a base missing from a shallow
clone is an ``ImportshiftError`` (one line, exit 2), never "everything is new" in silence.
Renames are followed: a file moved with ``git mv`` is compared with its old path.
The default base (``HEAD`` at commit time) is resolved only when a file has a site.
``subprocess`` is imported only here, so a gate run without ``--new-only`` never pays it.
"""

from __future__ import annotations

import os

from importshift.core.errors import ImportshiftError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    import subprocess

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
    """The files of the base revision ``--new-only`` compares with.

    Resolved on first use (or at once with ``resolve()``): a commit whose files mention no
    old name never starts git. Until then only the presence of a repository is checked.
    """

    def __init__(self, root: str, base: str, head: str | None, explicit: bool) -> None:
        self.root = root
        self.label = base
        self.head_label = head
        self.explicit = explicit
        self._resolved = False
        self._top = ""
        self.base: str | None = None
        self.head: str | None = None
        self.prefix = ""
        self._renames: dict[str, str] | None = None
        self._batch: subprocess.Popen[bytes] | None = None

    @property
    def toplevel(self) -> str:
        self.resolve()
        return self._top

    def resolve(self) -> None:
        """Validate the revisions (exit-2 errors, see ``open_base``)."""
        if self._resolved:
            return
        top, base, head = _resolve(self.root, self.label, self.head_label, self.explicit)
        self._top, self.base, self.head = top, base, head
        prefix = os.path.relpath(self.root, top).replace(os.sep, "/")
        self.prefix = "" if prefix == "." else prefix + "/"
        self._resolved = True

    def old_content(self, rel: str) -> bytes | None:
        """The file's content at the base (at its old path if it was renamed), or None."""
        self.resolve()
        if self.base is None:
            return None
        path = self.prefix + rel
        path = self.renames().get(path, path)
        if "\n" in path:  # the batch protocol is line based
            code, out, _ = _git(self._top, "show", f"{self.base}:{path}")
            return out if code == 0 else None
        return self._batch_read(f"{self.base}:{path}")

    def _batch_read(self, spec: str) -> bytes | None:
        """One object through a single ``git cat-file --batch`` (a run over thousands of
        legacy files would otherwise start git once per file)."""
        import subprocess

        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self._top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        proc = self._batch
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3:
            if not header:
                raise ImportshiftError("git cat-file stopped answering")
            return None  # "<spec> missing", or not a file
        data = proc.stdout.read(int(header[2]) + 1)[:-1]
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        """Stop the ``git cat-file`` process, if one was started."""
        if self._batch is not None:
            proc, self._batch = self._batch, None
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except Exception:  # noqa: BLE001 - it must not outlive us, whatever happened
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()

    def renames(self) -> dict[str, str]:
        """New path -> old path (relative to the top-level) between base and head/worktree."""
        self.resolve()
        if self._renames is None:
            args = ["diff", "-z", "--no-ext-diff", "--name-status", "-M", "--diff-filter=R"]
            args += [self.base or "", *([self.head] if self.head else [])]
            code, out, err = _git(self._top, *args)
            if code != 0:
                raise ImportshiftError(f"git diff failed: {err.decode(errors='replace').strip()}")
            parts = out.decode("utf-8", "surrogateescape").split("\0")
            self._renames = {}
            for i in range(0, len(parts) - 2, 3):
                if parts[i].startswith("R"):
                    self._renames[parts[i + 2]] = parts[i + 1]
        return self._renames


def open_base(root: str, base: str, head: str | None, explicit: bool) -> GitBase:
    """The base for ``--new-only``. A revision named on purpose (flag or pre-commit's refs)
    is validated now; the default ``HEAD`` when first needed, after checking (without
    starting git) that ``root`` is in a repository."""
    found = GitBase(root, base, head, explicit)
    if explicit or head is not None:
        found.resolve()
    elif not _in_repository(root):
        raise ImportshiftError(f"--new-only needs a git repository; {root} is not in one")
    return found


def _in_repository(root: str) -> bool:
    if os.environ.get("GIT_DIR"):
        return True
    here = os.path.abspath(root)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return True
        up = os.path.dirname(here)
        if up == here:
            return False
        here = up


def _resolve(
    root: str, base: str, head: str | None, explicit: bool
) -> tuple[str, str | None, str | None]:
    """(top-level, base commit, head commit); with a head, the base is the merge base of the
    two, as in a pull request: what the branch added, not what the target did since."""
    code, out, err = _git(
        root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "-q",
        f"{base}^{{commit}}",
    )  # fmt: skip
    lines = out.decode(errors="replace").split()
    if code != 0 and len(lines) < 2:
        raise ImportshiftError(f"--new-only needs a git repository; {root} is not in one")
    top, shallow = os.path.normpath(lines[0]), lines[1] == "true"
    if code != 0:
        if base == "HEAD" and not explicit and not _has_commits(top):
            return top, None, None  # the first commit: everything is new
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
    return top, base_sha, head_sha


def _missing(flag: str, rev: str, shallow: bool) -> str:
    if shallow:
        return f"{flag} {rev} is not in this shallow clone: {_SHALLOW_HINT}"
    return f"unknown {flag} {rev}: no such revision in this repository"


def _has_commits(top: str) -> bool:
    code, out, _ = _git(top, "rev-list", "-n", "1", "--all")
    return code == 0 and bool(out.strip())
