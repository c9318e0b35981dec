"""Dotted paths and ``module:attr`` values in packaging and tool config files.

``pyproject.toml`` (``[project.scripts]``, ``[project.entry-points]``, tool sections such
as ``[tool.pytest.ini_options]``), ``setup.cfg`` ``entry_points``, ``tox.ini``,
``pytest.ini``, pre-commit YAML files: values only (the key before ``=`` or ``: `` and
``[section]`` headers are never read). In ``setup.py`` only ``module:attr`` strings are
read here (plain dotted strings are the Python engine's ``strings``). Rewrites replace the
dotted text alone: every other byte stays.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from importshift.core import dotted
from importshift.core.model import Kind, RuleSet

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REF = re.compile(rf"(?<![\w.\-/]){_NAME}(?:\.{_NAME})*(?::{_NAME}(?:\.{_NAME})*)?(?![\w\-/])")
_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?[\"']?[\w.\-]+[\"']?[ \t]*(?:=|:(?=[ \t]|$))")
_SECTION = re.compile(r"^[ \t]*\[")
_COMMENT = ("#", ";")


class Ref(NamedTuple):
    """One reference: where it is (1-based line/column, offset) and its text old -> new."""

    rule: str
    line: int
    column: int
    start: int
    old: str
    new: str


def _value_spans(text: str, setup_py: bool) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold values (not keys, headers or comments)."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.lstrip()
        if setup_py:
            spans.append((offset, offset + len(body)))
        elif stripped and not stripped.startswith(_COMMENT) and not _SECTION.match(body):
            key = _KEY.match(body)
            start = key.end() if key else 0
            spans.append((offset + start, offset + _comment_start(body, start)))
        offset += len(line)
    return spans


def _comment_start(line: str, start: int) -> int:
    """Where an inline ``#`` comment (outside quotes, after a space) begins, else the end."""
    quote = ""
    for i in range(start, len(line)):
        ch = line[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return len(line)


def find_refs(text: str, rules: RuleSet, setup_py: bool = False) -> list[Ref]:
    """Every value in ``text`` naming an old dotted path (as ``a.b.c`` or ``a.b:c``)."""
    out: list[Ref] = []
    for start, end in _value_spans(text, setup_py):
        for m in _REF.finditer(text, start, end):
            found = m.group(0)
            if setup_py and ":" not in found:
                continue
            new = _new_text(found, rules)
            if new is None:
                continue
            rule, replacement = new
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            out.append(Ref(rule, line, column, m.start(), found, replacement))
    return out


def _new_text(found: str, rules: RuleSet) -> tuple[str, str] | None:
    module, colon, attr = found.partition(":")
    if not colon:
        if "." not in found:
            return None
        res = rules.resolve(found)
        return (res.move.id, res.new) if res else None
    res = rules.resolve(module)
    if res is not None:  # the module (or a package above it) moved
        return res.move.id, f"{res.new}:{attr}"
    res = rules.resolve(f"{module}.{attr}")
    if res is None:
        return None
    head = attr.partition(".")[0]
    symbol_new = rules.resolve(f"{module}.{head}")
    if symbol_new is None or symbol_new.move.kind is not Kind.SYMBOL:
        return res.move.id, res.new
    new_module, new_head = dotted.parent(symbol_new.new), dotted.leaf(symbol_new.new)
    rest = attr[len(head) :]
    return res.move.id, f"{new_module}:{new_head}{rest}"


def apply_refs(text: str, refs: list[Ref]) -> str:
    """``text`` with each reference's old text replaced by its new text."""
    out, last = [], 0
    for ref in sorted(refs, key=lambda r: r.start):
        out += [text[last : ref.start], ref.new]
        last = ref.start + len(ref.old)
    return "".join(out) + text[last:]
