"""``migrate discover``: undeclared shims, printed as proposed ``moves`` (``--write`` adds)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from importshift.analysis.discover import Proposal, discover
from importshift.analysis.shims import Shim, ShimName, importers_of
from importshift.codebase import files as modules
from importshift.commands.common import load, rules_path, select
from importshift.config.rules import Loaded
from importshift.config.writer import NewMove, render, write_moves
from importshift.core.options import Format, Options
from importshift.core.output import Output


def proposals(loaded: Loaded, paths: Sequence[str] = ()) -> list[Proposal]:
    files, _ = select(loaded, paths)
    known = {m.old for m in loaded.ruleset.moves}
    return discover(loaded.ruleset.root, files, loaded.index or {}, known)


def discovered_shims(loaded: Loaded, opts: Options) -> list[Shim]:
    files = [modules.source_file(f, loaded.ruleset.source_roots) for f in loaded.files]
    by_module: dict[str, list[Proposal]] = defaultdict(list)
    for p in proposals(loaded):
        module = p.old if p.kind == "module" else p.old.rpartition(".")[0]
        by_module[module].append(p)
    out = []
    for module, props in sorted(by_module.items()):
        users = tuple(importers_of(loaded.ruleset.root, files, module))
        names = tuple(
            ShimName(
                "*" if p.kind == "module" else p.old.rpartition(".")[2],
                f"discovered: {p.old} -> {p.new}",
                users,
                (),
            )
            for p in props
        )
        out.append(Shim(module, props[0].path, names, True, ()))
    return out


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
