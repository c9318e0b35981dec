"""Stage one of detection, on bytes: can this file mention any old name at all?

Kept apart from ``detect.py`` so that ``migrate check`` imports neither ``ast`` nor ``re``
for a commit whose files mention no old name.
"""

from __future__ import annotations

_STAR: list[object] = []  # compiled on first use: ``re`` is not free for ``migrate check``


def _star_import(data: bytes) -> bool:
    if b"*" not in data:
        return False
    if not _STAR:
        import re

        _STAR.append(re.compile(rb"import[ \t\\(]*\*"))
    return bool(_STAR[0].search(data))  # type: ignore[attr-defined]


def mentions(data: bytes, tokens: frozenset[bytes], star_tokens: frozenset[bytes]) -> bool:
    """Stage one: can this file mention any old name at all? (a superset test on bytes)

    Every site of a move names the last part of its old dotted name; a star import of a
    module that symbols moved out of names that module's last part instead.
    """
    if any(token in data for token in tokens):
        return True
    return bool(star_tokens) and any(t in data for t in star_tokens) and _star_import(data)
