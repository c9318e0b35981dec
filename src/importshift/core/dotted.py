"""Pure helpers on dotted names (``a.b.C``) and relative imports."""

from __future__ import annotations


def parent(name: str) -> str:
    """``a.b.C`` -> ``a.b``; a top-level name has the empty parent."""
    return name.rpartition(".")[0]


def leaf(name: str) -> str:
    """``a.b.C`` -> ``C``."""
    return name.rpartition(".")[2]


def within(name: str, prefix: str) -> bool:
    """True when ``name`` is ``prefix`` or lies below it (``a.b.c`` within ``a.b``)."""
    return name == prefix or name.startswith(prefix + ".")


def join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def package_of(module: str, is_package: bool) -> str:
    """The package that relative imports in ``module`` start from."""
    return module if is_package else parent(module)


def resolve_relative(level: int, name: str, module: str | None, is_package: bool) -> str | None:
    """The absolute module named by ``from <level dots><name> import ...`` inside ``module``.

    None when it cannot be known (no module name for the file, or too many dots).
    """
    if level == 0:
        return name
    if module is None:
        return None
    parts = package_of(module, is_package).split(".") if module else []
    if level - 1 > len(parts) or (level - 1 == len(parts)):
        return None
    base = parts[: len(parts) - (level - 1)]
    return join(".".join(base), name)


def relativize(target: str, module: str, is_package: bool) -> tuple[int, str] | None:
    """The shortest relative spelling ``(dots, rest)`` of ``target`` seen from ``module``.

    None when the target is not in the same top-level package.
    """
    pkg = package_of(module, is_package).split(".")
    tgt = target.split(".")
    if not pkg[0] or pkg[0] != tgt[0]:
        return None
    common = 0
    while common < min(len(pkg), len(tgt)) and pkg[common] == tgt[common]:
        common += 1
    dots = len(pkg) - common + 1
    return dots, ".".join(tgt[common:])


def is_identifier_path(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))
