"""Compiled rules cached in ``.migrate/cache``, keyed by the rules file's size and mtime.

``migrate check`` runs on every commit: with a cache hit it reads one small ``marshal``
file instead of importing PyYAML and pathspec, validating, walking the tree and probing
interpreters. The exclude patterns are stored as the regular expressions pathspec
compiles them to, so matching needs only ``re``.
"""

from __future__ import annotations

import marshal
import os

from importshift import __version__
from importshift.core.model import CodemodSpec, Kind, Move, RuleSet

_FORMAT = 1


class Cached:
    """The rules plus the compiled exclude patterns (last match wins, as in gitignore)."""

    __slots__ = ("rules", "_patterns", "_literals", "_compiled")

    def __init__(
        self, rules: RuleSet, patterns: list[tuple[str, bool]], literals: list[list[str]]
    ) -> None:
        self.rules = rules
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


def _key(rules_path: str, root: str, strings: bool, check_targets: bool) -> str:
    st = os.stat(rules_path)
    raw = (
        f"{os.path.abspath(rules_path)}\0{st.st_size}\0{st.st_mtime_ns}\0{root}\0{strings}"
        f"\0{check_targets}\0{__version__}\0{_FORMAT}"
    )
    return format(_fnv(raw.encode()), "016x")


def _fnv(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _path(root: str, key: str) -> str:
    return os.path.join(root, ".migrate", "cache", f"rules-{key}.marshal")


def load_cached(rules_path: str, root: str, strings: bool, check_targets: bool) -> Cached | None:
    try:
        with open(_path(root, _key(rules_path, root, strings, check_targets)), "rb") as fh:
            data = marshal.load(fh)
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
        return Cached(rules, data["patterns"], data["literals"])
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None


def store(rules: RuleSet, rules_path: str, check_targets: bool) -> Cached:
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
    cached = Cached(rules, patterns, literals)
    try:
        data = {
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
        path = _path(rules.root, _key(rules_path, rules.root, rules.strings, check_targets))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(data, fh)
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        pass  # a cache is only a cache
    return cached


def _literals(pattern: str) -> list[str]:
    """Plain parts of a gitignore pattern: a path it matches contains every one of them.

    A negated pattern (``!x``) gets no parts, so that it always takes the exact path.
    """
    if pattern.startswith("!"):
        return []
    parts = pattern.replace("\\", "/").strip("/").split("/")
    return [p for p in parts if p and not any(c in p for c in "*?[]")]
