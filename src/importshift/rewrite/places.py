"""Every place an import lives, beyond a plain Python module: the per-kind detection and
rewriting that ``Engine`` dispatches to by path (see ``codebase.files.kind_of``).

- notebooks: code cells are code, always rewritten (magics and shell lines kept);
- doctests (in docstrings and docs) and docs code blocks: always found; rewritten only for
  moves with ``docs: true`` (or top-level ``docs: true``), otherwise notes for plan;
- config values: always found; rewritten only with ``configs: true``.
What ``check`` reports is in ``gate.py`` (kept light: it loads this module only for the
files that need it). The per-kind modules (notebook, docs, configs, snippets) are imported
where used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from importshift.codebase.files import CONFIG, DOCS, NOTEBOOK
from importshift.core import prefilter
from importshift.core.model import Edit, Move, Note, RuleSet, Site, Status
from importshift.rewrite.engine import Engine, Rewrite

if TYPE_CHECKING:
    from importshift.rewrite.snippets import Snippet

_SNIPPET = "snippet.py"


def _detector(engine: Engine):  # type: ignore[no-untyped-def]
    def detect(code: str) -> tuple[list[Site], list[Note]] | None:
        r = engine.detect_python(code.encode(), _SNIPPET, None, False)
        if r.status is Status.SKIPPED:
            return None
        return list(r.sites), list(r.notes)

    return detect


def _rewriter(engine: Engine):  # type: ignore[no-untyped-def]
    def rewrite(code: str) -> tuple[str, list[Edit]] | None:
        r = engine.rewrite_python(code.encode(), _SNIPPET, None, False)
        if r.status is Status.CHANGED and r.new is not None:
            return r.new.decode(), list(r.edits)
        return None

    return rewrite


def text_of(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        return None


def _encode(text: str, data: bytes) -> bytes:
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode("utf-8")


def _opted(rules: RuleSet, kind: str) -> RuleSet | None:
    """The rules whose moves opt in to rewriting ``kind`` (docs or configs), or None."""
    check = rules.docs_enabled if kind == DOCS else rules.configs_enabled
    moves = tuple(m for m in rules.moves if check(m))
    if not moves:
        return None
    if len(moves) == len(rules.moves):
        return rules
    return RuleSet(moves, rules.root, rules.source_roots, strings=rules.strings)


def _split(rules: RuleSet, kind: str, sites: list[Site]) -> tuple[list[Site], list[Note]]:
    """Sites of opted-in moves stay sites; the others become follow-up notes."""
    check = rules.docs_enabled if kind == DOCS else rules.configs_enabled
    by_id: dict[str, Move] = {m.id: m for m in rules.moves}
    keep: list[Site] = []
    notes: list[Note] = []
    flag = "docs" if kind == DOCS else "configs"
    for s in sites:
        move = by_id.get(s.rule)
        if move is not None and check(move):
            keep.append(s)
        else:
            where = "docs code" if kind == DOCS else "config value"
            notes.append(
                Note(
                    s.rule,
                    s.line,
                    s.column,
                    f"{where} names '{s.old}' -> '{s.new}': left for manual follow-up "
                    f"(enable '{flag}' to rewrite it)",
                )
            )
    return keep, notes


# -- detection (plan, shims) ---------------------------------------------------------------


def detect_place(engine: Engine, kind: str, data: bytes, path: str) -> Rewrite:
    """Sites of a notebook, docs or config file (plan without ``--diff``)."""
    from importshift.rewrite import notebook

    text = text_of(data)
    if text is None:
        return Rewrite(Status.SKIPPED, reason="not UTF-8 text")
    try:
        found = located(engine, kind, text, path)
    except notebook.NotebookError as exc:
        return Rewrite(Status.SKIPPED, reason=f"notebook: {exc}")
    sites = [s for _, s in found]
    notes: list[Note] = []
    if kind in (DOCS, CONFIG):
        sites, notes = _split(engine.rules, kind, sites)
    return _found(sites, notes)


def _found(sites: list[Site], notes: list[Note]) -> Rewrite:
    if not sites:
        return Rewrite(Status.UNCHANGED, notes=tuple(notes))
    edits = tuple(Edit(s.rule, s.line, s.column, s.old, s.new) for s in sites)
    return Rewrite(Status.CHANGED, None, edits, tuple(notes), tuple(sites))


def located(
    engine: Engine, kind: str, text: str, path: str, in_cell: bool = False
) -> list[tuple[str, Site]]:
    """Every site of a non-Python place, and where it is: in a notebook ``:cell N`` with
    the line inside the cell (``in_cell``), else the line in the file's JSON text."""
    from importshift.rewrite import configs, docs, notebook

    detect = _detector(engine)
    if kind == NOTEBOOK:
        out = []
        for cell, sites, _ in notebook.notebook_sites(text, detect):
            for s in sites:
                if in_cell:
                    out.append((f":cell {cell.number}", s))
                else:
                    out.append(("", s._replace(line=cell.first_line + s.line)))
        return out
    if kind == DOCS:
        lines = text.splitlines(keepends=True)
        return [("", s) for s in _snippet_sites(docs.docs_snippets(path, lines), detect)]
    refs = configs.find_refs(text, engine.rules, path.endswith("setup.py"))
    return [("", Site(r.rule, r.line, r.column, r.old, r.new, "config")) for r in refs]


def _snippet_sites(found: list[Snippet], detect) -> list[Site]:  # type: ignore[no-untyped-def]
    from importshift.rewrite import snippets

    out: list[Site] = []
    for snippet in found:
        sites, _, _ = snippets.snippet_sites(snippet, detect)
        out += [s._replace(form="docs") for s in sites if isinstance(s, Site)]
    return out


def embedded_sites(engine: Engine, data: bytes, path: str) -> list[Site]:
    """Sites in the doctests of a Python file, and in ``setup.py`` entry-point strings."""
    from importshift.rewrite import configs, docs

    text = text_of(data)
    if text is None or not prefilter.mentions(data, engine.tokens, engine.star_tokens):
        return []
    out: list[Site] = []
    if ">>>" in text:
        lines = text.splitlines(keepends=True)
        out += _snippet_sites(docs.doctests(lines), _detector(engine))
    if path.endswith("setup.py"):
        refs = configs.find_refs(text, engine.rules, True)
        out += [Site(r.rule, r.line, r.column, r.old, r.new, "config") for r in refs]
    return out


def with_embedded(engine: Engine, found: Rewrite, data: bytes, path: str) -> Rewrite:
    """A Python file's detection plus its doctests (kind docs) and setup.py strings."""
    extra = embedded_sites(engine, data, path)
    if not extra:
        return found
    doc = [s for s in extra if s.form == "docs"]
    conf = [s for s in extra if s.form == "config"]
    doc_sites, doc_notes = _split(engine.rules, DOCS, doc)
    conf_sites, conf_notes = _split(engine.rules, CONFIG, conf)
    sites = sorted([*found.sites, *doc_sites, *conf_sites], key=lambda s: (s.line, s.column))
    notes = [*found.notes, *doc_notes, *conf_notes]
    done = _found(sites, notes)
    return Rewrite(done.status, None, done.edits, done.notes, done.sites, needs_cst=found.needs_cst)


def rewrite_embedded(engine: Engine, done: Rewrite, data: bytes, path: str) -> Rewrite:
    """A Python file's rewrite, then its opted-in doctests and setup.py strings."""
    from importshift.rewrite import configs, docs

    if not prefilter.mentions(data, engine.tokens, engine.star_tokens):
        return done
    current = done.new if done.new is not None else data
    text = text_of(current)
    if text is None:
        return done
    new = text
    if ">>>" in text:
        new = rewrite_doc_text(engine, new, docs.doctests(new.splitlines(keepends=True))) or new
    opted = _opted(engine.rules, CONFIG)
    if path.endswith("setup.py") and opted is not None:
        new = configs.apply_refs(new, configs.find_refs(new, opted, True))
    extra = with_embedded(engine, Rewrite(Status.UNCHANGED), data, path)
    if new == text:
        return Rewrite(
            done.status, done.new, done.edits, (*done.notes, *extra.notes), done.sites, done.reason
        )
    from importshift.rewrite.extra import line_edits

    rule = extra.sites[0].rule if extra.sites else "?"
    edits = (*done.edits, *line_edits(rule, text, new))
    return Rewrite(
        Status.CHANGED,
        _encode(new, current),
        tuple(sorted(edits, key=lambda e: e.line)),
        (*done.notes, *extra.notes),
        (*done.sites, *extra.sites),
    )


# -- rewriting (apply, plan --diff, check --fix) -------------------------------------------


def rewrite_place(engine: Engine, kind: str, data: bytes, path: str) -> Rewrite:
    from importshift.rewrite import configs, docs

    found = detect_place(engine, kind, data, path)
    if found.status is not Status.CHANGED:
        return found
    text = text_of(data)
    assert text is not None  # detect_place decoded it
    if kind == NOTEBOOK:
        return _rewrite_notebook(engine, text, data, found)
    if kind == DOCS:
        new = rewrite_doc_text(engine, text, docs.docs_snippets(path, text.splitlines(True)))
    else:
        opted = _opted(engine.rules, CONFIG)
        refs = configs.find_refs(text, opted, path.endswith("setup.py")) if opted else []
        new = configs.apply_refs(text, refs)
    if new is None or new == text:
        return Rewrite(Status.UNCHANGED, notes=found.notes)
    return _changed(found, _encode(new, data))


def _changed(found: Rewrite, new: bytes) -> Rewrite:
    return Rewrite(Status.CHANGED, new, found.edits, found.notes, found.sites)


def rewrite_doc_text(engine: Engine, text: str, found: list[Snippet]) -> str | None:
    """``text`` with the snippets rewritten by the docs-enabled moves (None: none)."""
    from importshift.rewrite import snippets

    opted = _opted(engine.rules, DOCS)
    if opted is None or not found:
        return None
    sub = engine if opted is engine.rules else Engine(opted)
    rewrite = _rewriter(sub)
    host = text.splitlines(keepends=True)

    def code_only(code: str) -> str | None:
        done = rewrite(code)
        return done[0] if done else None

    if not snippets.rewrite_into(host, found, code_only):
        return None
    return "".join(host)


def _rewrite_notebook(engine: Engine, text: str, data: bytes, found: Rewrite) -> Rewrite:
    import json

    from importshift.rewrite import notebook

    try:
        done = notebook.rewrite_notebook(text, _rewriter(engine))
        if done is None:
            return Rewrite(Status.UNCHANGED, notes=found.notes)
        new_text, edits = done
        before, after = json.loads(text), json.loads(new_text)
    except (notebook.NotebookError, ValueError) as exc:
        return Rewrite(Status.SKIPPED, reason=f"notebook: {exc}")
    for cell in (*before["cells"], *after["cells"]):
        cell.pop("source", None)
    if before != after:  # never write a notebook whose outputs or metadata moved
        return Rewrite(Status.FAILED, reason="internal error: the notebook rewrite lost data")
    return Rewrite(Status.CHANGED, _encode(new_text, data), tuple(edits), found.notes, found.sites)
