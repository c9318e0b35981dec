"""Compiled rules cached in ``.migrate/cache`` for ``migrate check``; a hit is proven, not hoped.

``migrate check`` runs on every commit: with a cache hit it reads one small ``marshal``
file instead of importing PyYAML and pathspec, validating, walking the tree and probing
interpreters. The exclude patterns are stored as the regular expressions pathspec
compiles them to, so matching needs only ``re``.

A warm cache must never answer differently from a cold one (CI has no cache). An entry is
used only when everything the compiled rules were derived from is unchanged:

- the rules file's exact bytes (compared in full, not by size and mtime);
- the tool: its version, the cache format, and the files that validate rules;
- the interpreter that decided module-or-symbol for third-party paths (version,
  executable, the stat of its site-packages folders: installing a package changes them);
- the source tree facts the rules were resolved against: for every old and new path of
  every move, in every source root, whether ``x/y.py``, ``x/y/__init__.py`` and ``x/y/``
  exist (with size and mtime: a target that lost its symbol is a changed file), the
  ``.gitignore`` files above them, and the codemod files.

Warnings printed by a cold load are stored and printed again on a hit.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from importshift import __version__
from importshift.core import dotted
from importshift.core.model import CodemodSpec, Kind, Move, RuleSet

_FORMAT = 2
_TOOL_FILES = ("rules.py", "yamltree.py", "cache.py", "locate.py")


class Cached:
    """The rules plus the compiled exclude patterns (last match wins, as in gitignore)."""

    __slots__ = ("rules", "warnings", "_patterns", "_literals", "_compiled")

    def __init__(
        self,
        rules: RuleSet,
        patterns: list[tuple[str, bool]],
        literals: list[list[str]],
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.rules = rules
        self.warnings = warnings
        self._patterns: list[tuple[str, bool]] | list[tuple[object, bool]] = patterns
        self._literals = literals
        self._compiled = False

    def excluded(self, rel: str) -> bool:
        if not self._patterns:
            return False
        if not any(all(part in rel for part in parts) for parts in self._literals):
            return False  # no pattern's literal text is in the path: no need for ``re``
        if not self._compiled:
            import re

            self._patterns = [(re.compile(str(p)), include) for p, include in self._patterns]  # type: ignore[assignment]
            self._compiled = True
        result = False
        for regex, include in self._patterns:
            if regex.match(rel):  # type: ignore[attr-defined]
                result = include
        return result

    def patterns(self) -> list[tuple[str, bool]]:
        assert not self._compiled, "patterns are read before any match"
        return self._patterns  # type: ignore[return-value]

    def literals(self) -> list[list[str]]:
        return self._literals


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _key(rules_path: str, root: str, strings: bool, check_targets: bool, content: bytes) -> str:
    raw = (
        f"{os.path.abspath(rules_path)}\0{root}\0{strings}\0{check_targets}\0{__version__}"
        f"\0{_FORMAT}\0{sys.version}\0{sys.executable}"
    ).encode()
    return f"{zlib.crc32(raw):08x}{zlib.crc32(content):08x}"


def _path(root: str, key: str) -> str:
    return os.path.join(root, ".migrate", "cache", f"rules-{key}.marshal")


def _signature(path: str) -> tuple[int, int, bool] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, (st.st_mode & 0o170000) == 0o040000)  # S_ISDIR


def _watched(rules: RuleSet) -> list[str]:
    """Every path whose state the compiled rules depend on (see the module docstring)."""
    here = os.path.dirname(os.path.abspath(__file__))
    paths = {os.path.join(here, name) for name in _TOOL_FILES}
    paths.update(p for p in sys.path if p and "-packages" in os.path.basename(p))
    paths.update(c.path for c in rules.codemods)
    names: set[str] = set()
    for move in rules.moves:
        for name in (move.old, move.new, move.target):
            names.update((name, dotted.parent(name), name.partition(".")[0]))
    names.discard("")
    root = rules.root
    for source_root in rules.source_roots:
        base = os.path.normpath(os.path.join(root, source_root))
        for name in names:
            stem = os.path.join(base, *name.split("."))
            paths.update((stem + ".py", os.path.join(stem, "__init__.py"), stem))
            folder = os.path.dirname(stem)
            while len(folder) >= len(root):
                paths.add(os.path.join(folder, ".gitignore"))
                up = os.path.dirname(folder)
                if up == folder:
                    break
                folder = up
    return sorted(paths)


def _facts(paths: list[str]) -> list[tuple[str, tuple[int, int, bool] | None]]:
    return [(p, _signature(p)) for p in paths]


def load_cached(rules_path: str, root: str, strings: bool, check_targets: bool) -> Cached | None:
    """The cached rules, or None when anything they were derived from changed."""
    try:
        content = _read(rules_path)
        with open(_path(root, _key(rules_path, root, strings, check_targets, content)), "rb") as fh:
            data = marshal.load(fh)
        if data["content"] != content or data["python"] != [sys.version, sys.executable]:
            return None
        for path, signature in data["facts"]:
            if _signature(path) != (tuple(signature) if signature is not None else None):
                return None
        moves = tuple(
            Move(old, new, target, Kind(kind), reason, flag, line, *places)
            for old, new, target, kind, reason, flag, line, *places in data["moves"]
        )
        codemods = tuple(
            CodemodSpec(path, cls, tuple(args), line) for path, cls, args, line in data["codemods"]
        )
        rules = RuleSet(
            moves,
            data["root"],
            tuple(data["source_roots"]),
            tuple(data["exclude"]),
            tuple(data["include"]),
            data["gitignore"],
            codemods,
            data["rules_path"],
            data["strings"],
            data.get("docs", False),
            data.get("configs", False),
        )
        return Cached(rules, data["patterns"], data["literals"], tuple(data["warnings"]))
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None


def compile_rules(rules: RuleSet, warnings: tuple[str, ...] = ()) -> Cached:
    """The rules with their exclude patterns compiled to regular expressions."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(list(rules.exclude))
    patterns = [
        (p.regex.pattern, bool(p.include))
        for p in spec.patterns
        if isinstance(p, pathspec.patterns.gitwildmatch.GitWildMatchPattern)
        and p.regex is not None
        and p.include is not None
    ]
    literals = [_literals(line) for line in rules.exclude]
    return Cached(rules, patterns, literals, tuple(warnings))


def store(
    rules: RuleSet, rules_path: str, check_targets: bool, warnings: tuple[str, ...] = ()
) -> Cached:
    """Compile ``rules`` for the gate and cache them (a failure to write is not an error).

    Call it only with rules that loaded without error: errors are never cached.
    """
    cached = compile_rules(rules, warnings)
    patterns, literals = cached.patterns(), cached.literals()
    try:
        content = _read(rules_path)
        data = {
            "content": content,
            "python": [sys.version, sys.executable],
            "facts": _facts(_watched(rules)),
            "warnings": list(warnings),
            "moves": [
                (m.old, m.new, m.target, m.kind.value, m.reason, m.strings, m.line)
                + (m.docs, m.configs)
                for m in rules.moves
            ],
            "codemods": [(c.path, c.class_name, list(c.args), c.line) for c in rules.codemods],
            "root": rules.root,
            "source_roots": list(rules.source_roots),
            "exclude": list(rules.exclude),
            "include": list(rules.include),
            "gitignore": rules.gitignore,
            "rules_path": rules.rules_path,
            "strings": rules.strings,
            "docs": rules.docs,
            "configs": rules.configs,
            "patterns": patterns,
            "literals": literals,
        }
        key = _key(rules_path, rules.root, rules.strings, check_targets, content)
        path = _path(rules.root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        ignore = os.path.join(rules.root, ".migrate", ".gitignore")
        if not os.path.exists(ignore):  # .migrate/ is never git's business
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("*\n")
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(data, fh)
        os.replace(tmp, path)
        _forget_others(path, key[:8])
    except (OSError, ValueError, TypeError):
        pass  # a cache is only a cache
    return cached


def _forget_others(kept: str, prefix: str) -> None:
    """Remove older entries for the same rules file and interpreter (other contents)."""
    import contextlib  # the store path only: a cache hit never gets here

    folder = os.path.dirname(kept)
    for name in os.listdir(folder):
        full = os.path.join(folder, name)
        if name.startswith(f"rules-{prefix}") and name.endswith(".marshal") and full != kept:
            with contextlib.suppress(OSError):
                os.remove(full)


def _literals(pattern: str) -> list[str]:
    """Plain parts of a gitignore pattern: a path it matches contains every one of them.

    A negated pattern (``!x``) gets no parts, so that it always takes the exact path.
    """
    if pattern.startswith("!"):
        return []
    parts = pattern.replace("\\", "/").strip("/").split("/")
    return [p for p in parts if p and not any(c in p for c in "*?[]")]
