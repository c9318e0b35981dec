"""``migrate doctor``: imports into the source roots that resolve to nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from importshift.adapters.history_git import GitHistory
from importshift.adapters.interpreter import SubprocessProbe
from importshift.adapters.verify import pick_python
from importshift.analysis import doctor
from importshift.analysis.history import learn
from importshift.codebase.index import CodeIndex
from importshift.commands.common import load, rules_path, select
from importshift.config.writer import NewMove, write_moves
from importshift.core.model import Move
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.report import doctor as render


def run(
    opts: Options,
    out: Output,
    paths: Sequence[str],
    platform: str | None,
    write_rules: bool,
    since: str | None = None,
    python: str | None = None,
) -> int:
    loaded = load(opts, out)
    root = loaded.ruleset.root
    files, skips = select(loaded, paths)
    everything = select(loaded, ())[0] if paths else files
    idx = CodeIndex(root, everything, loaded.index or {}, opts.jobs)
    learned: dict[str, str] = {}
    if since:
        learned = {
            m.old: m.new for m in learn(idx, GitHistory(), since, loaded.ruleset.source_roots)
        }
    tops = doctor.namespace_tops(idx)
    found = SubprocessProbe(pick_python(root, python), cwd=root).find(tops) if tops else {}
    installed = frozenset(name for name, yes in found.items() if yes)
    for name, yes in sorted(found.items()):
        if yes is None:
            out.err(f"warning: could not tell whether {name} is installed; its imports are checked")
    report = doctor.examine(idx, files, platform, learned, installed, since or "")
    walked = tuple(f"{s.path}: {s.reason}; not checked" for s in skips)  # links, FIFOs
    report = replace(report, notes=report.notes + walked)
    written = _write(opts, out, loaded.ruleset.moves, report) if write_rules else []
    if opts.format is Format.JSON:
        out.out(json.dumps(render.as_json(report, written), indent=2))
    else:
        for line in render.text(report, opts.verbosity > 0):
            out.out(line)
        for note in report.notes:
            out.err(f"note: {note}")
    if opts.verbosity >= 0:
        out.err(render.summary_line(report))
    return 1 if report.findings else 0


def _write(
    opts: Options, out: Output, known_moves: Sequence[Move], report: doctor.Report
) -> list[tuple[str, str]]:
    """The unambiguous, statically verified suggestions as moves: never ``old == new``,
    never an ``old`` the rules already have, never twice the same ``old``."""
    known = {m.old for m in known_moves}
    new: dict[str, NewMove] = {}
    for g in report.groups:
        if not g.suggestions or not g.suggestions[0].writable:
            continue
        best = g.suggestions[0]
        if g.old in known or g.old in new or best.new == g.old:
            continue
        if not best.new and any(old in known or old in new for old, _ in best.extra):
            continue  # a split only as a whole
        reason = f"found by migrate doctor: {best.reason}"
        if best.new:
            new[g.old] = NewMove(g.old, best.new, g.kind, reason)
        for old, target in best.extra:
            if old not in known and old not in new and old != target:
                new[old] = NewMove(old, target, "symbol", reason)
    written = write_moves(rules_path(opts), list(new.values()), opts.root)
    for note in written.notes():
        out.err(f"note: {note}")
    skipped = sum(1 for g in report.groups if g.old not in new)
    out.err(
        f"added {len(written)} move(s) to {rules_path(opts)}"
        + (f"; {skipped} left out (ambiguous or unverified: see the list)" if skipped else "")
    )
    return [(m.old, m.new) for m in written.added]
