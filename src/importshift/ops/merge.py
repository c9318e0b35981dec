"""A line-level three-way merge (diff3) with no fuzz: it merges or says where it cannot.

``merge3(base, ours, theirs)``: the changes from ``base`` to ``ours`` and from ``base`` to
``theirs`` are found with difflib on whole lines (line endings included, so bytes survive).
Changes to disjoint parts of ``base`` are both applied. Changes that overlap, or insertions at
the same place, conflict unless both sides made the very same change. An insertion at the
edge of the other side's change is not a conflict (it goes before or after it). Undo calls
it with base = what the tool wrote, ours = the file now, theirs = the file before the tool.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import NamedTuple


class Hunk(NamedTuple):
    start: int  # base lines [start, end) are replaced by ``lines``
    end: int
    lines: tuple[bytes, ...]


class Conflict(NamedTuple):
    start: int  # 1-based base line numbers of the conflicting region
    end: int
    ours: tuple[bytes, ...]
    base: tuple[bytes, ...]
    theirs: tuple[bytes, ...]


class Merge(NamedTuple):
    data: bytes | None  # None when any region conflicts
    conflicts: tuple[Conflict, ...]
    text_with_markers: bytes  # the whole file with conflict markers (for the user)


def _hunks(base: list[bytes], side: list[bytes]) -> list[Hunk]:
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    return [
        Hunk(i1, i2, tuple(side[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _clash(a: Hunk, b: Hunk) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at the same place
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def _apply(base: list[bytes], start: int, end: int, hunks: list[Hunk]) -> tuple[bytes, ...]:
    out: list[bytes] = []
    pos = start
    for h in sorted(hunks, key=lambda h: (h.start, h.end)):
        out.extend(base[pos : h.start])
        out.extend(h.lines)
        pos = max(pos, h.end)
    out.extend(base[pos:end])
    return tuple(out)


def merge3(base: bytes, ours: bytes, theirs: bytes) -> Merge:
    """Merge ``ours`` and ``theirs``, both descended from ``base``."""
    b = base.splitlines(keepends=True)
    tagged = sorted(
        [(h, 0) for h in _hunks(b, ours.splitlines(keepends=True))]
        + [(h, 1) for h in _hunks(b, theirs.splitlines(keepends=True))],
        key=lambda t: (t[0].start, t[0].end, t[1]),
    )
    groups: list[list[tuple[Hunk, int]]] = []
    for hunk, side in tagged:
        last = groups[-1] if groups else []
        if last and (
            hunk.start < max(h.end for h, _ in last)
            or any(_clash(hunk, h) for h, s in last if s != side)
        ):
            last.append((hunk, side))
        else:
            groups.append([(hunk, side)])
    merged: list[bytes] = []
    marked: list[bytes] = []
    conflicts: list[Conflict] = []
    pos = 0
    for group in groups:
        start = min(h.start for h, _ in group)
        end = max(h.end for h, _ in group)
        merged.extend(b[pos:start])
        marked.extend(b[pos:start])
        mine = _apply(b, start, end, [h for h, s in group if s == 0])
        other = _apply(b, start, end, [h for h, s in group if s == 1])
        sides = {s for _, s in group}
        if len(sides) == 1 or mine == other:
            chosen = mine if sides == {0} or mine == other else other
            merged.extend(chosen)
            marked.extend(chosen)
        else:
            conflicts.append(Conflict(start + 1, end, mine, tuple(b[start:end]), other))
            marked.extend(_markers(mine, tuple(b[start:end]), other))
        pos = end
    merged.extend(b[pos:])
    marked.extend(b[pos:])
    data = None if conflicts else b"".join(merged)
    return Merge(data, tuple(conflicts), b"".join(marked))


def _markers(
    ours: tuple[bytes, ...], base: tuple[bytes, ...], theirs: tuple[bytes, ...]
) -> list[bytes]:
    def block(lines: tuple[bytes, ...]) -> list[bytes]:
        return [ln if ln.endswith((b"\n", b"\r")) else ln + b"\n" for ln in lines]

    return (
        [b"<<<<<<< current file (your edits)\n"]
        + block(ours)
        + [b"||||||| as migrate wrote it\n"]
        + block(base)
        + [b"=======\n"]
        + block(theirs)
        + [b">>>>>>> before migrate (what undo would restore)\n"]
    )
