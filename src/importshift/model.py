"""Frozen values shared by every layer: moves, the rule set, edits and file outcomes."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from importshift import dotted


class Kind(enum.Enum):
    MODULE = "module"
    SYMBOL = "symbol"


@dataclass(frozen=True, slots=True)
class Move:
    """One declared move, with its chain already followed to the final ``target``."""

    old: str
    new: str
    target: str
    kind: Kind
    reason: str = ""
    strings: bool = False
    line: int = 0

    @property
    def id(self) -> str:
        return self.old

    @property
    def old_module(self) -> str:
        """The module that holds the old name: the shim while it exists."""
        return self.old if self.kind is Kind.MODULE else dotted.parent(self.old)


@dataclass(frozen=True, slots=True)
class CodemodSpec:
    """An extra LibCST codemod named by the rules file: ``path.py:ClassName`` plus args."""

    path: str
    class_name: str
    args: tuple[tuple[str, object], ...] = ()
    line: int = 0

    @property
    def id(self) -> str:
        return f"{self.path}:{self.class_name}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a dotted name goes: the move that applies and the new dotted name."""

    move: Move
    old: str
    new: str


@dataclass(frozen=True)
class RuleSet:
    """Validated rules: moves (chains collapsed), codemods, and what to scan."""

    moves: tuple[Move, ...]
    root: str
    source_roots: tuple[str, ...] = (".",)
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    gitignore: bool = True
    codemods: tuple[CodemodSpec, ...] = ()
    rules_path: str = ""
    strings: bool = False
    _by_old: Mapping[str, Move] = field(default_factory=dict, init=False, repr=False, compare=False)

    _below: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_old", {m.old: m for m in self.moves})
        below = set()
        for m in self.moves:
            probe = dotted.parent(m.old)
            while probe:
                below.add(probe)
                probe = dotted.parent(probe)
        object.__setattr__(self, "_below", frozenset(below))

    def has_below(self, name: str) -> bool:
        """Whether some old dotted name lies strictly below ``name``."""
        return name in self._below

    def strings_enabled_any(self) -> bool:
        return self.strings or any(m.strings for m in self.moves)

    def __hash__(self) -> int:
        return hash((self.moves, self.root, self.codemods, self.strings))

    def match(self, name: str) -> Move | None:
        """The move whose ``old`` is the longest dotted prefix of ``name``."""
        probe = name
        while probe:
            move = self._by_old.get(probe)
            if move is not None:
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

    def strings_enabled(self, move: Move) -> bool:
        return self.strings or move.strings

    def tokens(self) -> frozenset[str]:
        """Identifiers at least one of which any file that refers to an old name contains."""
        return frozenset(dotted.leaf(m.old) for m in self.moves)

    def star_tokens(self) -> frozenset[str]:
        """Last parts of the modules symbols moved out of (for ``from M import *``)."""
        return frozenset(dotted.leaf(dotted.parent(m.old)) for m in self.moves
                         if m.kind is Kind.SYMBOL)


@dataclass(frozen=True, slots=True)
class Edit:
    """One site changed in a file."""

    rule: str
    line: int
    column: int
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Note:
    """Something found in a file that is not changed automatically (manual follow-up)."""

    rule: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Site:
    """One occurrence of an old dotted name found by static detection."""

    rule: str
    line: int
    column: int
    old: str
    new: str
    form: str  # "import", "attribute", "string", "star"


class Status(enum.Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """How one file ended in a run: one value per file, never an exception."""

    path: str
    status: Status
    sha256: str = ""
    edits: tuple[Edit, ...] = ()
    notes: tuple[Note, ...] = ()
    reason: str = ""
    new_bytes: bytes | None = None
    diff: str = ""
