"""rules.yaml -> RuleSet: validated, every problem reported at once, chains collapsed."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import importshift.core.model
from importshift.adapters.interpreter import SpecProbe, SubprocessProbe
from importshift.codebase import files as modules
from importshift.codebase.toplevel import top_level_names
from importshift.config.yamltree import Mark, Value, YMap, YScalar, YSeq, load
from importshift.core import dotted
from importshift.core.errors import ImportshiftError, Problem, RulesError
from importshift.core.model import CodemodSpec, Kind, Move, RuleSet

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
class Loaded:
    ruleset: RuleSet
    warnings: tuple[str, ...]
    files: tuple[str, ...] = ()  # every .py file under the root that the rules cover
    skips: tuple[importshift.core.model.Skip, ...] = ()
    index: dict[str, str] | None = None  # module -> path, under the source roots


def load_rules(
    path: str,
    root: str | None = None,
    *,
    check_targets: bool = True,
    strings: bool = False,
    probe: SpecProbe | None = None,
    files: list[str] | None = None,
) -> Loaded:
    """Read, validate and compile a rules file. Raises RulesError listing every problem."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ImportshiftError(f"rules file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportshiftError(f"cannot read rules file {path}: {exc}") from None
    root = os.path.abspath(root or os.path.dirname(os.path.abspath(path)))
    display = os.path.relpath(path) if not os.path.isabs(path) else path
    return _Compiler(display, root, check_targets, strings, probe, files).compile(text)


class _Compiler:
    def __init__(
        self,
        path: str,
        root: str,
        check_targets: bool,
        strings: bool,
        probe: SpecProbe | None,
        files: list[str] | None,
    ) -> None:
        self.path = path
        self.root = root
        self.check_targets = check_targets
        self.strings = strings
        self.probe = probe
        self.files = files
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.col, message))

    def fail_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.line, p.col))
            raise RulesError(self.problems)

    def compile(self, text: str) -> Loaded:
        tree, problems = load(text, self.path)
        self.problems.extend(problems)
        if tree is None:
            self.fail_if_any()
            raise AssertionError("unreachable")
        top = self._fields(tree, _TOP_KEYS, "the rules file")
        version = top.get("version")
        if version is None:
            self.problem(tree.mark, "missing key 'version' (use: version: 1)")
        elif not (isinstance(version, YScalar) and version.value == 1):
            self.problem(version.mark, "unsupported 'version': only 1 is known")
        roots = self._paths(top.get("source_roots"), "source_roots") or (".",)
        exclude = self._patterns(top.get("exclude"), "exclude")
        include = self._patterns(top.get("include"), "include")
        gitignore = self._bool(top.get("gitignore"), "gitignore", True)
        docs = self._bool(top.get("docs"), "docs", False)
        configs = self._bool(top.get("configs"), "configs", False)
        raw_moves = self._moves(top.get("moves"))
        codemods = self._codemods(top.get("codemods"))
        self.fail_if_any()
        files, skips = (
            (self.files, [])
            if self.files is not None
            else modules.walk(self.root, exclude, gitignore, include)
        )
        index = modules.module_index(modules.source_file(f, roots) for f in files)
        moves = self._resolve(raw_moves, index)
        self.fail_if_any()
        ruleset = RuleSet(
            moves=tuple(moves),
            root=self.root,
            source_roots=roots,
            exclude=exclude,
            include=include,
            gitignore=gitignore,
            codemods=codemods,
            rules_path=self.path,
            strings=self.strings,
            docs=docs,
            configs=configs,
        )
        return Loaded(ruleset, tuple(self.warnings), tuple(files), tuple(skips), index)

    # -- shape ---------------------------------------------------------------------------

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

    # -- meaning -------------------------------------------------------------------------

    def _resolve(
        self, raw: list[tuple[Move, Mark, Kind | None, Mark]], index: dict[str, str]
    ) -> list[Move]:
        top_levels = {name.partition(".")[0] for name in index}

        def inside(name: str) -> bool:
            return name.partition(".")[0] in top_levels

        outside = [m.old for m, _, k, _ in raw if k is None and not inside(m.old)]
        found = self._probe(outside)
        moves = []
        for move, old_mark, kind, _ in raw:
            if kind is None:
                if move.old in index:
                    kind = Kind.MODULE
                elif inside(move.old):
                    parent_path = index.get(dotted.parent(move.old))
                    names = (
                        top_level_names(os.path.join(self.root, parent_path))
                        if parent_path
                        else set()
                    )
                    if parent_path is not None and (
                        names is None or dotted.leaf(move.old) in names
                    ):
                        kind = Kind.SYMBOL
                    else:
                        self.problem(
                            old_mark,
                            f"{move.old!r} no longer exists under the source "
                            "roots: say 'kind: module' or 'kind: symbol'",
                        )
                        continue
                else:
                    kind = Kind.MODULE if found.get(move.old) else Kind.SYMBOL
            if kind is Kind.SYMBOL and "." not in move.old:
                self.problem(old_mark, f"a symbol needs a module: {move.old!r}")
                continue
            moves.append(move._replace(kind=kind))
        by_old = {m.old: m for m in moves}
        marks = {m.old: nm for m, _, _, nm in raw}
        final = []
        for move in moves:
            target = self._follow(move, by_old, marks[move.old])
            if target is None:
                continue
            if move.kind is Kind.MODULE and target != move.new and dotted.within(target, move.old):
                self.problem(marks[move.old], f"'new' {target!r} lies inside 'old' {move.old!r}")
                continue
            final.append(move._replace(target=target))
        if self.check_targets and not self.problems:
            self._check_targets(final, index, inside, marks)
        return final

    def _follow(self, move: Move, by_old: dict[str, Move], mark: Mark) -> str | None:
        current, seen = move.new, [move.old]
        for _ in range(len(by_old) + 1):
            step = _longest(current, by_old)
            if step is None:
                return current
            if step.old in seen:
                chain = " -> ".join([*seen, step.old])
                self.problem(mark, f"moves form a cycle: {chain}")
                return None
            seen.append(step.old)
            current = step.new + current[len(step.old) :]
        self.problem(mark, f"chain of moves from {move.old!r} does not end")
        return None

    def _check_targets(
        self,
        moves: list[Move],
        index: dict[str, str],
        inside: Callable[[str], bool],
        marks: dict[str, Mark],
    ) -> None:
        probe_names = [
            m.target if m.kind is Kind.MODULE else dotted.parent(m.target)
            for m in moves
            if not inside(m.target)
        ]
        found = self._probe(probe_names)
        for move in moves:
            target = move.target
            module = target if move.kind is Kind.MODULE else dotted.parent(target)
            if not inside(target):
                if found.get(module) is False:
                    self.warnings.append(
                        f"{self.path}:{move.line}: target module {module!r} of {move.old!r} "
                        "is not importable here (not installed yet?)"
                    )
                continue
            if module not in index:
                self.problem(
                    marks[move.old],
                    f"target module {module!r} does not exist under "
                    "the source roots (or pass --no-check-targets)",
                )
                continue
            if move.kind is Kind.SYMBOL:
                leaf = dotted.leaf(target)
                names = (
                    top_level_names(os.path.join(self.root, index[module]))
                    if index[module]
                    else set()
                )
                if target not in index and names is not None and leaf not in names:
                    self.problem(
                        marks[move.old],
                        f"{module!r} has no top-level name {leaf!r} (or pass --no-check-targets)",
                    )

    def _probe(self, names: list[str]) -> dict[str, bool | None]:
        if not names:
            return {}
        probe = self.probe or SubprocessProbe(cwd=self.root)
        return probe.find(names)


def _longest(name: str, by_old: dict[str, Move]) -> Move | None:
    probe = name
    while probe:
        if probe in by_old and by_old[probe].covers(name):
            return by_old[probe]
        probe = dotted.parent(probe)
    return None


def _plain(value: Value) -> object:
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v, _ in value.items}
    if isinstance(value, YSeq):
        return [_plain(v) for v in value.items]
    return value.value
