"""Which modules exist under the source roots, asked of the file system by name.

Loading the rules needs to know whether ``a.b.c`` is a module, a package or neither; a
``stat`` or two per name answers that without walking the tree (a monorepo's walk costs
seconds, and ``migrate check`` loads the rules on a cold cache). The answer follows the
import system: a regular package wins over a module file, which wins over a namespace
folder.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
from collections.abc import Iterable

from importshift.core import dotted


class ModuleLookup:
    """Modules under ``source_roots`` (relative to ``root``), found by ``stat``, memoized."""

    def __init__(self, root: str, source_roots: Iterable[str]) -> None:
        self.root = root
        self.source_roots = tuple(source_roots)
        self._paths: dict[str, str | None] = {}
        self._tops: frozenset[str] | None = None

    def path(self, module: str) -> str | None:
        """The file that defines ``module`` (relative, POSIX), ``""`` for a namespace
        package, ``None`` when no source root has it."""
        if module in self._paths:
            return self._paths[module]
        found = self._find(module) if dotted.is_identifier_path(module) else None
        self._paths[module] = found
        return found

    def exists(self, module: str) -> bool:
        return self.path(module) is not None

    def top_levels(self) -> frozenset[str]:
        """First components of every module name under the source roots."""
        if self._tops is None:
            tops: set[str] = set()
            for source_root in self.source_roots:
                try:
                    entries = os.scandir(os.path.join(self.root, source_root))
                except OSError:
                    continue
                with entries:
                    for entry in entries:
                        name = entry.name
                        if name.endswith(".py") and name[:-3].isidentifier():
                            tops.add(name[:-3])
                        elif name.isidentifier() and entry.is_dir():
                            tops.add(name)
            self._tops = frozenset(tops)
        return self._tops

    def _find(self, module: str) -> str | None:
        parts = module.split(".")
        namespace = None
        for source_root in self.source_roots:
            rel = "/".join(p for p in (*source_root.split("/"), *parts) if p and p != ".")
            base = os.path.join(self.root, *rel.split("/"))
            if os.path.isfile(os.path.join(base, "__init__.py")):
                return f"{rel}/__init__.py"
            if os.path.isfile(base + ".py"):
                return f"{rel}.py"
            if namespace is None and os.path.isdir(base):
                namespace = ""
        return namespace


def _suffixes() -> re.Pattern[str]:
    """This platform's extension-module suffixes, for any CPython version (a tree built for
    the project's interpreter may not be built for ours): ``.cpython-312-x86_64-linux-gnu.so``
    as well as ``.cpython-311-...``, ``.abi3.so``, ``.so``; ``.cp312-win_amd64.pyd``, ``.pyd``
    on Windows. Another platform's build is no module here."""
    parts = []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        pieces = re.split(r"(?<=\.cpython-)\d+|(?<=\.cp)\d+", suffix)  # the version digits
        parts.append(r"\d+".join(re.escape(p) for p in pieces))
    return re.compile("(?:" + "|".join(parts) + ")$")


_EXTENSION = _suffixes()


def extension_in(folder: str, leaf: str, listings: dict[str, frozenset[str]]) -> bool:
    """An extension module ``leaf`` in ``folder`` built for this platform (any CPython
    version); ``listings`` memoizes each folder's names."""
    entries = listings.get(folder)
    if entries is None:
        try:
            entries = frozenset(os.listdir(folder))
        except OSError:
            entries = frozenset()
        listings[folder] = entries
    prefix = leaf + "."
    return any(
        e.startswith(prefix) and _EXTENSION.fullmatch(e[len(leaf) :]) is not None for e in entries
    )
