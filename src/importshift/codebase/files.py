"""Paths <-> dotted module names, and which files a run looks at.

Every place an import can live: Python sources (``.py``, ``.pyi`` stubs, extensionless
scripts whose first line is a ``#!...python`` shebang), notebooks (``.ipynb``), docs
(``.md``/``.rst``: doctests and code blocks) and packaging/tool config files that name
modules. ``kind_of`` tells them apart by name; the walker reads the first bytes of an
extensionless file only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator

from importshift.core import dotted
from importshift.core.model import Skip, SourceFile

NEVER_DESCEND = {  # folders no walk goes into
    ".git",
    ".hg",
    ".svn",
    ".migrate",
    "__pycache__",
    "node_modules",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
}


PYTHON, NOTEBOOK, DOCS, CONFIG = "python", "notebook", "docs", "config"

CONFIG_NAMES = frozenset(
    {
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        "pytest.ini",
        ".pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
    }
)
_DOCS_SUFFIXES = (".md", ".rst")


def kind_of(path: str) -> str | None:
    """What kind of place ``path`` is, by its name (an extensionless name: a script)."""
    name = path.rpartition("/")[2]
    if name.endswith((".py", ".pyi")):
        return PYTHON
    if name.endswith(".ipynb"):
        return NOTEBOOK
    if name.endswith(_DOCS_SUFFIXES):
        return DOCS
    if name in CONFIG_NAMES:
        return CONFIG
    if "." not in name:
        return PYTHON  # listed by the walker only with a Python shebang
    return None


def is_python_script(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a Python script (``#!...python...``)."""
    if not head.startswith(b"#!"):
        return False
    first = head.split(b"\n", 1)[0]
    return b"python" in first


def _shebang_script(path: str) -> bool:
    """A regular file starting with a Python shebang (never blocks on a FIFO or device)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return is_python_script(os.read(fd, 128))
    except OSError:
        return False
    finally:
        os.close(fd)


def is_place(full: str, rel: str) -> bool:
    """Whether the file at ``full`` (``rel`` under the root) is a place a run looks at."""
    name = rel.rpartition("/")[2]
    return _wanted(name, full, os.path.islink(full))


def module_for(path: str, source_roots: Iterable[str]) -> str | None:
    """The dotted module name of ``path`` (relative, POSIX), from the longest source root."""
    pure = tuple(p for p in path.split("/") if p and p != ".")
    best: tuple[str, ...] | None = None
    for root in source_roots:
        rparts = tuple(p for p in root.split("/") if p and p != ".")
        if pure[: len(rparts)] == rparts and (best is None or len(rparts) > len(best)):
            best = rparts
    if best is None:
        return None
    parts = list(pure[len(best) :])
    if not parts or not parts[-1].endswith((".py", ".pyi")):
        return None
    parts[-1] = parts[-1].rpartition(".")[0]
    if parts[-1] == "__init__":
        parts.pop()
    name = ".".join(parts)
    return name if dotted.is_identifier_path(name) else None


def source_file(path: str, source_roots: Iterable[str]) -> SourceFile:
    return SourceFile(
        path, module_for(path, source_roots), path.endswith(("__init__.py", "__init__.pyi"))
    )


def module_index(files: Iterable[SourceFile]) -> dict[str, str]:
    """Every module and package under the source roots -> the path that defines it."""
    index: dict[str, str] = {}
    for f in files:
        if f.module is None:
            continue
        known = index.get(f.module)
        if not known or (f.is_package or known.endswith(".pyi")) and not f.path.endswith(".pyi"):
            index[f.module] = f.path  # a stub names the module only when no source does
        pkg = dotted.parent(f.module)
        while pkg:
            index.setdefault(pkg, "")  # a package, possibly a namespace one
            pkg = dotted.parent(pkg)
    return index


class _Ignore:
    """gitignore-style matching: the rules' exclude plus every .gitignore met on the way down."""

    def __init__(self, root: str, exclude: Iterable[str], gitignore: bool) -> None:
        import pathspec

        self.root = root
        self.gitignore = gitignore
        self.exclude = pathspec.GitIgnoreSpec.from_lines(list(exclude))
        self.nested: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def load_dir(self, rel_dir: str) -> None:
        if not self.gitignore:
            return
        path = os.path.join(self.root, rel_dir, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        import pathspec

        self.nested.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.exclude.match_file(probe):
            return True
        for base, spec in self.nested:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1 :] if base else rel
            if spec.match_file(sub + "/" if is_dir else sub):
                return True
        return False


def walk(
    root: str, exclude: Iterable[str], gitignore: bool = True, include: Iterable[str] = ()
) -> tuple[list[str], list[Skip]]:
    """Every place under ``root`` (see ``kind_of``) that is not excluded, and the ones
    skipped on purpose. One pass; only extensionless files are opened (for a shebang)."""
    ignore = _Ignore(root, exclude, gitignore)
    include_spec = _spec(include) if include else None
    files: list[str] = []
    skipped: list[Skip] = []
    real_root = os.path.realpath(root)
    for rel, entry_is_link, special in _entries(root, "", ignore):
        if include_spec is not None and not include_spec.match_file(rel):
            continue
        if special:
            skipped.append(Skip(rel, "not a regular file (a FIFO, socket or device): not read"))
            continue
        if entry_is_link:
            target = os.path.realpath(os.path.join(root, rel))
            inside = target == real_root or target.startswith(real_root + os.sep)
            skipped.append(
                Skip(
                    rel,
                    "symlink (not followed)"
                    if inside
                    else "symlink out of the tree (not followed)",
                )
            )
            continue
        files.append(rel)
    files.sort()
    skipped.sort(key=lambda s: s.path)
    return files, skipped


def _entries(root: str, rel_dir: str, ignore: _Ignore) -> Iterator[tuple[str, bool, bool]]:
    """(path, is a symlink, is something other than a regular file) of every place."""
    ignore.load_dir(rel_dir)
    try:
        with os.scandir(os.path.join(root, rel_dir)) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
            special = not is_link and not is_dir and not entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if is_dir:
            if entry.name in NEVER_DESCEND or ignore.ignored(rel, True):
                continue
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue  # a virtual environment
            yield from _entries(root, rel, ignore)
        elif special:  # a FIFO, a socket, a device: reading one could wait forever
            if kind_of(entry.name) is not None and not ignore.ignored(rel, False):
                yield rel, False, True
        elif _wanted(entry.name, entry.path, is_link) and not ignore.ignored(rel, False):
            yield rel, is_link, False


def _wanted(name: str, full: str, is_link: bool) -> bool:
    kind = kind_of(name)
    if kind is None:
        return False
    if kind is PYTHON and "." not in name:
        return not is_link and _shebang_script(full)
    return True


def _spec(patterns: Iterable[str]):  # type: ignore[no-untyped-def]
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def excluded(rel: str, exclude: Iterable[str]) -> bool:
    """Whether ``rel`` matches the rules' gitignore-style ``exclude`` patterns."""
    patterns = list(exclude)
    return bool(patterns) and bool(_spec(patterns).match_file(rel))
