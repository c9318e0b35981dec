"""Adding moves to a rules file without disturbing its comments or layout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from importshift.codebase.textio import atomic_write


@dataclass(frozen=True, slots=True)
class NewMove:
    old: str
    new: str
    kind: str
    reason: str


def render(moves: Sequence[NewMove]) -> str:
    out = []
    for m in moves:
        reason = m.reason.replace('"', "'")
        out.append(
            f'  - old: {m.old}\n    new: {m.new}\n    kind: {m.kind}\n    reason: "{reason}"\n'
        )
    return "".join(out)


def add_moves(text: str, moves: Sequence[NewMove]) -> str:
    """``text`` with ``moves`` appended to its ``moves:`` list (created when missing)."""
    if not moves:
        return text
    block = render(moves)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for i, line in enumerate(lines):
        if re.match(r"moves\s*:\s*\[\s*\]\s*(#.*)?$", line.rstrip("\n")):
            lines[i] = "moves:\n" + block
            return "".join(lines)
        if re.match(r"moves\s*:\s*(#.*)?$", line.rstrip("\n")):
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#-"):
                end += 1
            while end > i + 1 and not lines[end - 1].strip():
                end -= 1  # keep the blank lines that separate the next key
            lines[end:end] = [block]
            return "".join(lines)
    return "".join(lines) + "moves:\n" + block


def write_moves(path: str, moves: Sequence[NewMove]) -> None:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    atomic_write(path, add_moves(text, moves).encode("utf-8"))
