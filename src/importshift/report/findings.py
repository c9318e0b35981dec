"""What ``migrate check`` reports: findings as values, their stable codes, ``# noqa``.

Light on purpose: the gate's clean path imports this module, so it holds named tuples and
plain functions; ``re`` and ``json`` are imported only when there is something to report.
"""

from __future__ import annotations

from collections import namedtuple

from importshift.core.model import Site

# Stable codes, one per kind of finding (documented in docs/gate.md; never reuse a number).
DEPRECATED_IMPORT = "MIG001"
DEPRECATED_STRING = "MIG002"
MATCHED_TEXTUALLY = "MIG003"
UNPARSEABLE = "MIG004"

CODES: dict[str, tuple[str, str]] = {
    DEPRECATED_IMPORT: (
        "deprecated-import",
        "An import (or an attribute chain reached through an import) of a moved path.",
    ),
    DEPRECATED_STRING: (
        "deprecated-string",
        "A string literal naming a moved path (rules with 'strings: true' or --strings).",
    ),
    MATCHED_TEXTUALLY: (
        "deprecated-path-in-unparseable-file",
        "A moved path in a file that does not parse, found by a textual scan.",
    ),
    UNPARSEABLE: (
        "unparseable-file",
        "A file that does not parse (reported only with --report-unparseable).",
    ),
}


class Finding(namedtuple("Finding", "path line column code old new rule form reason note")):
    """One reported occurrence; ``note`` says how it was found when that is unusual."""

    __slots__ = ()
    path: str  # relative to the rules root, POSIX
    line: int
    column: int
    code: str
    old: str
    new: str
    rule: str
    form: str  # "import", "attribute", "star", "string", "unparseable"
    reason: str
    note: str

    def message(self) -> str:
        if self.code == UNPARSEABLE:
            return f"{self.code} {self.note}"
        why = f" ({self.reason})" if self.reason else ""
        tail = f"; {self.note}" if self.note else ""
        return f"{self.code} '{self.old}' moved to '{self.new}'{why}{tail}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "rule": self.rule,
            "old": self.old,
            "new": self.new,
            "form": self.form,
            "reason": self.reason,
            "note": self.note,
            "message": self.message(),
        }


def file_of(path: str) -> str:
    """The file part of a finding's path (a notebook's findings say ``nb.ipynb:cell N``)."""
    return path.split(":cell ", 1)[0]


def from_site(path: str, site: Site, reason: str, parse_error: str | None) -> Finding:
    """The finding for one site; ``parse_error`` is set when the site was matched textually."""
    if parse_error is not None:
        code, note = MATCHED_TEXTUALLY, f"could not parse ({parse_error}), matched textually"
    elif site.form == "string":
        code, note = DEPRECATED_STRING, ""
    else:
        code, note = DEPRECATED_IMPORT, ""
    return Finding(
        path, site.line, site.column, code, site.old, site.new, site.rule, site.form, reason, note
    )


def unparseable(path: str, line: int, column: int, parse_error: str) -> Finding:
    note = f"could not parse ({parse_error}); checked textually"
    return Finding(path, line, column, UNPARSEABLE, "", "", "", "unparseable", "", note)


def suppressed(data: bytes, finding: Finding) -> bool:
    """Whether the finding's line carries ``# noqa: CODE`` naming its code.

    A bare ``# noqa`` does not count: it is common on re-exports for other linters, and the
    gate must not let a deprecated import through by accident.
    """
    if b"noqa" not in data and b"NOQA" not in data:
        return False
    lines = data.split(b"\n")
    if not 0 < finding.line <= len(lines):
        return False
    return finding.code in noqa_codes(lines[finding.line - 1].decode("utf-8", "replace"))


_NOQA: list[object] = []


def noqa_codes(line: str) -> frozenset[str]:
    """The codes a ``# noqa: A1, B2`` comment on ``line`` names (upper case)."""
    if "#" not in line:
        return frozenset()
    if not _NOQA:
        import re

        _NOQA.append(
            re.compile(r"#\s*noqa\s*:\s*([A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.I)
        )
    codes: set[str] = set()
    for match in _NOQA[0].finditer(line):  # type: ignore[attr-defined]
        codes.update(c.upper() for c in match.group(1).replace(",", " ").split())
    return frozenset(codes)
