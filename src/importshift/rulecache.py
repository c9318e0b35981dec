"""Compiled rules cached as JSON in ``.migrate/cache``, keyed by the rules file's bytes.

``migrate check`` runs on every commit: with a cache hit it reads one small JSON file
instead of importing PyYAML, validating, walking the tree and probing interpreters.
"""

from __future__ import annotations

import hashlib
import json
import os

from importshift import __version__
from importshift.model import CodemodSpec, Kind, Move, RuleSet


def _key(rules_bytes: bytes, root: str, strings: bool, check_targets: bool) -> str:
    h = hashlib.sha256(rules_bytes)
    h.update(f"\0{root}\0{strings}\0{check_targets}\0{__version__}".encode())
    return h.hexdigest()[:32]


def _path(root: str, key: str) -> str:
    return os.path.join(root, ".migrate", "cache", f"rules-{key}.json")


def load_cached(rules_path: str, root: str, strings: bool, check_targets: bool
                ) -> RuleSet | None:
    try:
        with open(rules_path, "rb") as fh:
            key = _key(fh.read(), root, strings, check_targets)
        with open(_path(root, key), encoding="utf-8") as fh:
            data = json.load(fh)
        moves = tuple(Move(m["old"], m["new"], m["target"], Kind(m["kind"]), m["reason"],
                           m["strings"], m["line"]) for m in data["moves"])
        codemods = tuple(CodemodSpec(c["path"], c["class_name"], tuple(
            (k, v) for k, v in c["args"]), c["line"]) for c in data["codemods"])
        return RuleSet(moves=moves, root=data["root"], source_roots=tuple(data["source_roots"]),
                       exclude=tuple(data["exclude"]), include=tuple(data["include"]),
                       gitignore=data["gitignore"], codemods=codemods,
                       rules_path=data["rules_path"], strings=data["strings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(rules: RuleSet, rules_path: str, check_targets: bool) -> None:
    try:
        with open(rules_path, "rb") as fh:
            key = _key(fh.read(), rules.root, rules.strings, check_targets)
        data = {
            "moves": [{"old": m.old, "new": m.new, "target": m.target, "kind": m.kind.value,
                       "reason": m.reason, "strings": m.strings, "line": m.line}
                      for m in rules.moves],
            "codemods": [{"path": c.path, "class_name": c.class_name,
                          "args": [list(a) for a in c.args], "line": c.line}
                         for c in rules.codemods],
            "root": rules.root, "source_roots": list(rules.source_roots),
            "exclude": list(rules.exclude), "include": list(rules.include),
            "gitignore": rules.gitignore, "rules_path": rules.rules_path,
            "strings": rules.strings,
        }
        path = _path(rules.root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        return  # a cache is only a cache
