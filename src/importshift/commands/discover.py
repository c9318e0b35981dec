"""``migrate discover``: undeclared shims, printed as proposed ``moves`` (``--write`` adds)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from importshift.analysis.discover import Proposal, discover
from importshift.codebase.index import CodeIndex
from importshift.commands.common import load, rules_path, select
from importshift.config.rules import Loaded
from importshift.config.writer import NewMove, render, write_moves
from importshift.core.options import Format, Options
from importshift.core.output import Output


def proposals(loaded: Loaded, paths: Sequence[str] = ()) -> list[Proposal]:
    files, _ = select(loaded, paths)
    everything = files if not paths else select(loaded, ())[0]
    idx = CodeIndex(loaded.ruleset.root, everything, loaded.index or {})
    known = {m.old for m in loaded.ruleset.moves}
    return discover(idx, files, known)


def run(opts: Options, out: Output, paths: Sequence[str], write: bool) -> int:
    loaded = load(opts, out)
    found = proposals(loaded, paths)
    moves = [NewMove(p.old, p.new, p.kind, p.reason) for p in found]
    if opts.format is Format.JSON:
        out.out(
            json.dumps(
                [
                    {"old": p.old, "new": p.new, "kind": p.kind, "reason": p.reason, "path": p.path}
                    for p in found
                ],
                indent=2,
            )
        )
    elif moves:
        out.out("moves:")
        out.out(render(moves).rstrip("\n"))
    if write and moves:
        write_moves(rules_path(opts), moves)
        out.err(f"added {len(moves)} move(s) to {rules_path(opts)}")
    if opts.verbosity >= 0:
        out.err(f"{len(found)} undeclared move(s) found")
    return 0
