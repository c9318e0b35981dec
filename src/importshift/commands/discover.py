"""``migrate discover``: undeclared shims (and, with ``--since``, moves made in git),
printed as proposed ``moves`` ranked by importer count (``--write`` adds them)."""

from __future__ import annotations

from collections.abc import Sequence

from importshift.adapters.history_git import GitHistory
from importshift.analysis.discover import Proposal, discover, rank
from importshift.analysis.history import learn
from importshift.codebase.index import CodeIndex
from importshift.commands.common import load, rules_path, select
from importshift.config.rules import Loaded
from importshift.config.writer import NewMove, render, write_moves
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.report import envelope


def proposals(
    loaded: Loaded,
    paths: Sequence[str] = (),
    since: str | None = None,
    include_external: bool = False,
    jobs: int = 0,
) -> list[Proposal]:
    """Shim proposals and, with ``since``, moves learned from git (those win for the same
    ``old``), most-imported first, each ``old`` once, none the rules already have."""
    files, _ = select(loaded, paths)
    everything = files if not paths else select(loaded, ())[0]
    idx = CodeIndex(loaded.ruleset.root, everything, loaded.index or {}, jobs)
    known = {m.old for m in loaded.ruleset.moves}
    found = discover(idx, files, known, include_external)
    if not since:
        return found
    learned = [
        Proposal(m.old, m.new, m.kind, m.reason, "", m.importers)
        for m in learn(idx, GitHistory(), since, loaded.ruleset.source_roots)
        if m.old not in known
    ]
    return rank(idx, [*learned, *found])


def run(
    opts: Options,
    out: Output,
    paths: Sequence[str],
    write: bool,
    since: str | None = None,
    include_external: bool = False,
) -> int:
    loaded = load(opts, out)
    found = proposals(loaded, paths, since, include_external, opts.jobs)
    moves = [NewMove(p.old, p.new, p.kind, p.reason) for p in found]
    if opts.format is Format.JSON:
        out.out(
            envelope.dumps(
                "discover",
                since=since,
                proposals=[
                    {
                        "old": p.old,
                        "new": p.new,
                        "kind": p.kind,
                        "reason": p.reason,
                        "path": p.path,
                        "importers": p.importers,
                    }
                    for p in found
                ],
            )
        )
    elif moves:
        out.out("moves:")
        for p, move in zip(found, moves, strict=True):
            out.out(f"  # {p.importers} importing file(s)")
            out.out(render([move]).rstrip("\n"))
    if write and moves:
        written = write_moves(rules_path(opts), moves, opts.root)
        for note in written.notes():
            out.err(f"note: {note}")
        out.err(f"added {len(written)} move(s) to {rules_path(opts)}")
    if opts.verbosity >= 0:
        out.err(f"{len(found)} undeclared move(s) found")
    return 0
