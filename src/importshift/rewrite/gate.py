"""What ``check`` reports in any file, and which outcomes still name an old path.

Kept light for the pre-commit gate: a Python file costs ``ast`` and ``detect`` only; the
engine and the per-kind modules (``places``) load for notebooks, docs, config files and
Python files holding doctests or ``setup.py`` entry points.
"""

from __future__ import annotations

import ast
import functools

from importshift.codebase.files import CONFIG, DOCS, NOTEBOOK, kind_of
from importshift.core.model import FileOutcome, Kind, Note, RuleSet, Site

TYPE_CHECKING = False  # not ``typing``'s: importing typing (and re) costs the light path
if TYPE_CHECKING:
    from importshift.rewrite.engine import Engine

FOLLOW_UPS = ("docs code names ", "config value names ")


def is_reference_note(note: Note) -> bool:
    """Whether ``note`` is a docs or config reference left for follow-up (not opted in to
    rewriting): it names the old path, so ``shims``/``retire`` must count its file as an
    importer of that move (like an edit), and never retire while it stands."""
    return note.message.startswith(FOLLOW_UPS)


def references(outcome: FileOutcome) -> set[str]:
    """The rules a scanned file still refers to, in any place kind: its edits (code that
    will be rewritten) and its docs/config follow-ups. ``find_shims`` counts these."""
    return {e.rule for e in outcome.edits} | {n.rule for n in outcome.notes if is_reference_note(n)}


@functools.lru_cache(maxsize=4)
def _engine_for(rules: RuleSet) -> Engine:
    from importshift.rewrite.engine import Engine

    return Engine(rules)


def gate_sites(
    rules: RuleSet, data: bytes, path: str, module: str | None, is_package: bool
) -> list[tuple[str, Site]] | None:
    """What ``check`` reports in any file: (where in the file, site); None: cannot check."""
    kind = kind_of(path)
    if kind in (NOTEBOOK, DOCS, CONFIG):
        from importshift.rewrite import notebook
        from importshift.rewrite.places import located, text_of

        text = text_of(data)
        if text is None:
            return None
        try:
            return located(_engine_for(rules), kind, text, path, in_cell=True)
        except notebook.NotebookError:
            return None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    from importshift.rewrite import detect

    sites = detect.find_gate_sites(tree, rules, module, is_package, data)
    # ``import a.b`` of a moved module is reported once: its ``a.b.x`` uses follow from it
    imported = {s.old for s in sites if s.form in ("import", "star")}
    modules_moved = {m.id for m in rules.moves if m.kind is Kind.MODULE}
    sites = [
        s
        for s in sites
        if s.form != "attribute" or s.old not in imported or s.rule not in modules_moved
    ]
    if b">>>" in data or path.endswith("setup.py"):
        from importshift.rewrite.places import embedded_sites

        sites += embedded_sites(_engine_for(rules), data, path)
    sites.sort(key=lambda s: (s.line, s.column))
    return [("", s) for s in sites]
