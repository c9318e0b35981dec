"""The shape of rules.yaml: keys, types and dotted names, read into raw values.

Nothing here looks at the codebase: whether a name is a module or a symbol, and whether a
target exists, is decided by ``config.resolve``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePosixPath

from importshift.config.problems import Problems
from importshift.config.yamltree import Mark, Value, YMap, YScalar, YSeq
from importshift.core import dotted
from importshift.core.model import CodemodSpec, Kind, Move

_TOP_KEYS = (
    "version",
    "source_roots",
    "exclude",
    "include",
    "gitignore",
    "moves",
    "codemods",
    "docs",
    "configs",
)
_MOVE_KEYS = ("old", "new", "reason", "kind", "strings", "docs", "configs")
_CODEMOD_KEYS = ("use", "args")


@dataclass(frozen=True, slots=True)
class RawMove:
    """A move as written: its ``kind`` when the file says it, and where its names stand."""

    move: Move
    old_mark: Mark
    kind: Kind | None
    new_mark: Mark


@dataclass(frozen=True, slots=True)
class RawRules:
    source_roots: tuple[str, ...]
    exclude: tuple[str, ...]
    include: tuple[str, ...]
    gitignore: bool
    docs: bool  # rewrite doctests and docs code blocks (else only report them)
    configs: bool  # rewrite dotted paths in packaging and tool config values
    moves: tuple[RawMove, ...]
    codemods: tuple[CodemodSpec, ...]


class ShapeReader(Problems):
    """Reads the YAML tree of a rules file into ``RawRules``, collecting every problem."""

    def read(self, tree: Value) -> RawRules:
        top = self._fields(tree, _TOP_KEYS, "the rules file")
        version = top.get("version")
        if version is None:
            self.problem(tree.mark, "missing key 'version' (use: version: 1)")
        elif not (isinstance(version, YScalar) and version.value == 1):
            self.problem(version.mark, "unsupported 'version': only 1 is known")
        return RawRules(
            source_roots=self._paths(top.get("source_roots"), "source_roots") or (".",),
            exclude=self._patterns(top.get("exclude"), "exclude"),
            include=self._patterns(top.get("include"), "include"),
            gitignore=self._bool(top.get("gitignore"), "gitignore", True),
            docs=self._bool(top.get("docs"), "docs", False),
            configs=self._bool(top.get("configs"), "configs", False),
            moves=tuple(RawMove(*m) for m in self._moves(top.get("moves"))),
            codemods=self._codemods(top.get("codemods")),
        )

    def _fields(self, node: Value, allowed: tuple[str, ...], what: str) -> dict[str, Value]:
        if not isinstance(node, YMap):
            self.problem(node.mark, f"{what} must be a mapping")
            return {}
        out: dict[str, Value] = {}
        for key, value, mark in node.items:
            if key not in allowed:
                self.problem(
                    mark, f"unknown key '{key}' in {what} (expected one of: {', '.join(allowed)})"
                )
                continue
            out[key] = value
        return out

    def _str_list(self, node: Value | None, key: str) -> list[tuple[str, Mark]]:
        if node is None:
            return []
        if not isinstance(node, YSeq):
            self.problem(node.mark, f"'{key}' must be a list of strings")
            return []
        out = []
        for item in node.items:
            if isinstance(item, YScalar) and isinstance(item.value, str) and item.value:
                out.append((item.value, item.mark))
            else:
                self.problem(item.mark, f"'{key}' entries must be non-empty strings")
        return out

    def _paths(self, node: Value | None, key: str) -> tuple[str, ...]:
        out = []
        for value, mark in self._str_list(node, key):
            pure = PurePosixPath(value.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or ":" in value:
                self.problem(
                    mark, f"'{key}' entry {value!r} must be a relative path inside the root"
                )
                continue
            out.append(str(pure))
        return tuple(out)

    def _patterns(self, node: Value | None, key: str) -> tuple[str, ...]:
        out = []
        for value, mark in self._str_list(node, key):
            if value.startswith("/") and ".." in value.split("/") or value.startswith("../"):
                self.problem(mark, f"'{key}' pattern {value!r} escapes the root")
                continue
            out.append(value)
        return tuple(out)

    def _bool(self, node: Value | None, key: str, default: bool) -> bool:
        if node is None:
            return default
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        self.problem(node.mark, f"'{key}' must be true or false")
        return default

    def _dotted(self, fields: dict[str, Value], key: str, owner: Mark) -> tuple[str, Mark] | None:
        node = fields.get(key)
        if node is None:
            self.problem(owner, f"move is missing '{key}'")
            return None
        if not (
            isinstance(node, YScalar)
            and isinstance(node.value, str)
            and dotted.is_identifier_path(node.value)
        ):
            self.problem(node.mark, f"'{key}' must be a dotted name such as pkg.module.Name")
            return None
        return node.value, node.mark

    def _moves(self, node: Value | None) -> list[tuple[Move, Mark, Kind | None, Mark]]:
        if node is None:
            return []
        if not isinstance(node, YSeq):
            self.problem(node.mark, "'moves' must be a list")
            return []
        out = []
        seen: dict[str, Mark] = {}
        for item in node.items:
            fields = self._fields(item, _MOVE_KEYS, "a move")
            if not isinstance(item, YMap):
                continue
            old = self._dotted(fields, "old", item.mark)
            new = self._dotted(fields, "new", item.mark)
            reason = fields.get("reason")
            if reason is not None and not (
                isinstance(reason, YScalar) and isinstance(reason.value, str)
            ):
                self.problem(reason.mark, "'reason' must be a string")
            kind: Kind | None = None
            kind_node = fields.get("kind")
            if kind_node is not None:
                if isinstance(kind_node, YScalar) and kind_node.value in ("module", "symbol"):
                    kind = Kind(kind_node.value)
                else:
                    self.problem(kind_node.mark, "'kind' must be 'module' or 'symbol'")
            strings = self._bool(fields.get("strings"), "strings", False)
            places = (
                self._bool(fields.get("docs"), "docs", False),
                self._bool(fields.get("configs"), "configs", False),
            )
            if old is None or new is None:
                continue
            if old[0] == new[0]:
                self.problem(new[1], f"'new' equals 'old' ({old[0]})")
                continue
            if old[0] in seen:
                self.problem(
                    old[1],
                    f"two moves have the same 'old' {old[0]!r} (first at line {seen[old[0]].line})",
                )
                continue
            seen[old[0]] = old[1]
            text = reason.value if isinstance(reason, YScalar) and reason.value else ""
            move = Move(
                old[0], new[0], new[0], Kind.SYMBOL, str(text), strings, item.mark.line, *places
            )
            out.append((move, old[1], kind, new[1]))
        return out

    def _codemods(self, node: Value | None) -> tuple[CodemodSpec, ...]:
        if node is None:
            return ()
        if not isinstance(node, YSeq):
            self.problem(node.mark, "'codemods' must be a list")
            return ()
        out = []
        for item in node.items:
            args: tuple[tuple[str, object], ...] = ()
            if isinstance(item, YMap):
                fields = self._fields(item, _CODEMOD_KEYS, "a codemod")
                use = fields.get("use")
                args_node = fields.get("args")
                if args_node is not None:
                    if isinstance(args_node, YMap):
                        args = tuple((k, _plain(v)) for k, v, _ in args_node.items)
                    else:
                        self.problem(args_node.mark, "'args' must be a mapping")
                if use is None:
                    self.problem(item.mark, "codemod is missing 'use'")
                    continue
            else:
                use = item
            if not (isinstance(use, YScalar) and isinstance(use.value, str) and ":" in use.value):
                self.problem(use.mark, "a codemod is named as path/to/file.py:ClassName")
                continue
            file, _, cls = use.value.rpartition(":")
            full = os.path.join(os.path.dirname(os.path.abspath(self.path)), file)
            if not os.path.isfile(full):
                self.problem(use.mark, f"codemod file not found: {file}")
                continue
            if not cls.isidentifier():
                self.problem(use.mark, f"codemod class name {cls!r} is not an identifier")
                continue
            out.append(CodemodSpec(full, cls, args, use.mark.line))
        return tuple(out)


def _plain(value: Value) -> object:
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v, _ in value.items}
    if isinstance(value, YSeq):
        return [_plain(v) for v in value.items]
    return value.value
