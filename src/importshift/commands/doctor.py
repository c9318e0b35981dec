"""``migrate doctor``: imports into the source roots that resolve to nothing."""

from __future__ import annotations

from collections.abc import Sequence

from importshift.analysis import doctor
from importshift.commands.common import load, rules_path, select
from importshift.config.writer import NewMove, write_moves
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.report import envelope


def run(
    opts: Options, out: Output, paths: Sequence[str], platform: str | None, write_rules: bool
) -> int:
    loaded = load(opts, out)
    files, _ = select(loaded, paths)
    findings = doctor.examine(loaded.ruleset.root, files, loaded.index or {}, platform)
    if opts.format is Format.JSON:
        out.out(
            envelope.dumps(
                "doctor",
                findings=[
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
        written = write_moves(rules_path(opts), list(new.values()), opts.root)
        for note in written.notes():
            out.err(f"note: {note}")
        out.err(f"added {len(written.added)} move(s) to {rules_path(opts)}")
    if opts.verbosity >= 0:
        out.err(f"{len(findings)} problem(s) in {len(files)} file(s)")
    return 1 if findings else 0
