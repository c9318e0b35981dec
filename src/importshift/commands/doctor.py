"""``migrate doctor``: imports into the source roots that resolve to nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence

from importshift.analysis import doctor
from importshift.codebase.index import CodeIndex
from importshift.commands.common import load, rules_path, select
from importshift.config.writer import NewMove, write_moves
from importshift.core.options import Format, Options
from importshift.core.output import Output


def run(
    opts: Options, out: Output, paths: Sequence[str], platform: str | None, write_rules: bool
) -> int:
    loaded = load(opts, out)
    files, _ = select(loaded, paths)
    idx = CodeIndex(loaded.ruleset.root, select(loaded, ())[0], loaded.index or {}, opts.jobs)
    findings = doctor.examine(idx, files, platform)
    if opts.format is Format.JSON:
        out.out(
            json.dumps(
                [
                    {
                        "path": f.path,
                        "line": f.line,
                        "column": f.column,
                        "message": f.message,
                        "old": f.old,
                        "kind": f.kind,
                        "candidates": list(f.candidates),
                    }
                    for f in findings
                ],
                indent=2,
            )
        )
    else:
        for f in findings:
            hint = ""
            if f.candidates:
                hint = f" (defined today: {', '.join(f.candidates)})"
            out.out(f"{f.path}:{f.line}:{f.column}: {f.message}{hint}")
    if write_rules:
        known = {m.old for m in loaded.ruleset.moves}
        new: dict[str, NewMove] = {}
        for f in findings:
            if f.kind in ("module", "symbol") and len(f.candidates) == 1 and f.old not in known:
                new.setdefault(
                    f.old,
                    NewMove(
                        f.old, f.candidates[0], f.kind, f"found by migrate doctor ({f.message})"
                    ),
                )
        if new:
            write_moves(rules_path(opts), list(new.values()))
        out.err(f"added {len(new)} move(s) to {rules_path(opts)}")
    if opts.verbosity >= 0:
        out.err(f"{len(findings)} problem(s) in {len(files)} file(s)")
    return 1 if findings else 0
