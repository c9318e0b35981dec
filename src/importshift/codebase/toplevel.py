"""The names a module binds at its top level, for one file read on its own (target checks
while loading rules). With a whole tree at hand, ask ``codebase.index.CodeIndex.bound``,
which also follows star imports; both read the same per-file facts."""

from __future__ import annotations

from importshift.codebase.facts import facts


def top_level_names(path: str) -> set[str] | None:
    """Names bound at the top level of a module; None when anything goes (a star import,
    ``__getattr__``, a file that cannot be read or parsed)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    found = facts(data, parse=True, stub=path.endswith(".pyi"))
    if found.syntax or found.stars or found.dynamic:
        return None
    return set(found.defined | found.imported)
