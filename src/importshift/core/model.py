"""Frozen values shared by every layer: moves, the rule set, edits and file outcomes.

Named tuples rather than dataclasses on purpose: ``migrate check`` imports this module on
every commit, and ``dataclasses`` (with ``inspect``) alone costs more than the whole check
of a typical commit. Named tuples are just as immutable, hashable and picklable.
"""

from __future__ import annotations

from collections import namedtuple

from importshift.core import dotted
from importshift.core.choice import Choice


class Kind(Choice):
    MODULE: Kind
    SYMBOL: Kind


Kind.define(MODULE="module", SYMBOL="symbol")


class Move(
    namedtuple(
        "Move",
        "old new target kind reason strings line docs configs",
        defaults=("", False, 0, False, False),
    )
):
    """One declared move, with its chain already followed to the final ``target``."""

    __slots__ = ()
    old: str
    new: str
    target: str
    kind: Kind
    reason: str
    strings: bool
    line: int
    docs: bool  # also rewrite doctests and docs code blocks
    configs: bool  # also rewrite packaging/tool config values

    @property
    def id(self) -> str:
        return self.old

    def covers(self, name: str) -> bool:
        """``name`` is ``old`` or lies below it, and is not already the move's own ``new``.

        A module that becomes a package of the same name (``a.report -> a.report.plan``)
        moves ``a.report`` and its other submodules, never ``a.report.plan`` itself.
        """
        if not dotted.within(name, self.old):
            return False
        return self.kind is Kind.SYMBOL or name == self.old or not dotted.within(name, self.new)

    @property
    def old_module(self) -> str:
        """The module that holds the old name: the shim while it exists."""
        return self.old if self.kind is Kind.MODULE else dotted.parent(self.old)


class CodemodSpec(namedtuple("CodemodSpec", "path class_name args line", defaults=((), 0))):
    """An extra LibCST codemod named by the rules file: ``path.py:ClassName`` plus args."""

    __slots__ = ()
    path: str
    class_name: str
    args: tuple[tuple[str, object], ...]
    line: int

    @property
    def id(self) -> str:
        return f"{self.path}:{self.class_name}"


class Resolution(namedtuple("Resolution", "move old new")):
    """Where a dotted name goes: the move that applies and the new dotted name."""

    __slots__ = ()
    move: Move
    old: str
    new: str


class RuleSet:
    """Validated rules: moves (chains collapsed), codemods, and what to scan."""

    __slots__ = (
        "moves",
        "root",
        "source_roots",
        "exclude",
        "include",
        "gitignore",
        "codemods",
        "rules_path",
        "strings",
        "docs",
        "configs",
        "_by_old",
        "_below",
    )

    def __init__(
        self,
        moves: tuple[Move, ...],
        root: str,
        source_roots: tuple[str, ...] = (".",),
        exclude: tuple[str, ...] = (),
        include: tuple[str, ...] = (),
        gitignore: bool = True,
        codemods: tuple[CodemodSpec, ...] = (),
        rules_path: str = "",
        strings: bool = False,
        docs: bool = False,
        configs: bool = False,
    ) -> None:
        self.moves = tuple(moves)
        self.root = root
        self.source_roots = tuple(source_roots)
        self.exclude = tuple(exclude)
        self.include = tuple(include)
        self.gitignore = gitignore
        self.codemods = tuple(codemods)
        self.rules_path = rules_path
        self.strings = strings
        self.docs = docs
        self.configs = configs
        self._by_old = {m.old: m for m in self.moves}
        below = set()
        for m in self.moves:
            probe = dotted.parent(m.old)
            while probe:
                below.add(probe)
                probe = dotted.parent(probe)
        self._below = frozenset(below)

    def __reduce__(self) -> tuple[object, ...]:
        return (
            RuleSet,
            (
                self.moves,
                self.root,
                self.source_roots,
                self.exclude,
                self.include,
                self.gitignore,
                self.codemods,
                self.rules_path,
                self.strings,
                self.docs,
                self.configs,
            ),
        )

    def __repr__(self) -> str:
        return f"RuleSet({len(self.moves)} moves, root={self.root!r})"

    def match(self, name: str) -> Move | None:
        """The move whose ``old`` is the longest dotted prefix of ``name``."""
        probe = name
        while probe:
            move = self._by_old.get(probe)
            if move is not None and move.covers(name):
                return move
            probe = dotted.parent(probe)
        return None

    def resolve(self, name: str) -> Resolution | None:
        """Where ``name`` ends up once every applicable move (and chain) is followed."""
        first = self.match(name)
        if first is None:
            return None
        current = name
        seen = {current}
        move: Move | None = first
        while move is not None:
            current = move.target + current[len(move.old) :]
            if current in seen:
                break
            seen.add(current)
            move = self.match(current)
        return Resolution(first, name, current)

    def has_below(self, name: str) -> bool:
        """Whether some old dotted name lies strictly below ``name``."""
        return name in self._below

    def strings_enabled(self, move: Move) -> bool:
        return self.strings or move.strings

    def docs_enabled(self, move: Move) -> bool:
        return self.docs or move.docs

    def configs_enabled(self, move: Move) -> bool:
        return self.configs or move.configs

    def strings_enabled_any(self) -> bool:
        return self.strings or any(m.strings for m in self.moves)

    def tokens(self) -> frozenset[str]:
        """Identifiers at least one of which any file that refers to an old name contains."""
        return frozenset(dotted.leaf(m.old) for m in self.moves)

    def star_tokens(self) -> frozenset[str]:
        """Last parts of the modules symbols moved out of (for ``from M import *``)."""
        return frozenset(
            dotted.leaf(dotted.parent(m.old)) for m in self.moves if m.kind is Kind.SYMBOL
        )


class Edit(namedtuple("Edit", "rule line column before after")):
    """One site changed in a file."""

    __slots__ = ()
    rule: str
    line: int
    column: int
    before: str
    after: str


class Note(namedtuple("Note", "rule line column message")):
    """Something found in a file that is not changed automatically (manual follow-up)."""

    __slots__ = ()
    rule: str
    line: int
    column: int
    message: str


class Site(namedtuple("Site", "rule line column old new form")):
    """One occurrence of an old dotted name found by static detection."""

    __slots__ = ()
    rule: str
    line: int
    column: int
    old: str
    new: str
    form: str  # "import", "attribute", "string", "star"


class Status(Choice):
    UNCHANGED: Status
    CHANGED: Status
    SKIPPED: Status
    FAILED: Status


Status.define(UNCHANGED="unchanged", CHANGED="changed", SKIPPED="skipped", FAILED="failed")


class FileOutcome(
    namedtuple(
        "FileOutcome",
        "path status sha256 edits notes reason new_bytes diff needs_cst sites",
        defaults=("", (), (), "", None, "", False, ()),
    )
):
    """How one file ended in a run: one value per file, never an exception."""

    __slots__ = ()
    path: str
    status: Status
    sha256: str
    edits: tuple[Edit, ...]
    notes: tuple[Note, ...]
    reason: str
    new_bytes: bytes | None
    diff: str
    needs_cst: bool  # detection only: an extra codemod may change the file (LibCST decides)
    sites: tuple[Site, ...]  # the occurrences detected (edits are changed line ranges)


class SourceFile(namedtuple("SourceFile", "path module is_package")):
    """A file a run covers: its path (relative, POSIX), module name (None outside the
    source roots) and whether it is a package's ``__init__.py``."""

    __slots__ = ()
    path: str
    module: str | None
    is_package: bool


class Skip(namedtuple("Skip", "path reason")):
    __slots__ = ()
    path: str
    reason: str
