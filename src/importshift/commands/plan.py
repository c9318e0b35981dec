"""``migrate plan``: what would change, per rule; writes no source file."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from importshift.commands.common import load, select
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.ops import planner
from importshift.ops.planner import Plan
from importshift.report import plan as report


def run(opts: Options, out: Output, paths: Sequence[str], diff: bool, out_path: str | None) -> int:
    start = time.perf_counter()
    loaded = load(opts, out)
    files, skips = select(loaded, paths)
    outcomes = planner.scan(loaded.ruleset, files, opts.jobs, diff, exact=diff)
    plan = Plan(tuple(outcomes), len(files), tuple(skips))
    index = loaded.index or {}
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            json.dump(report.plan_json(loaded.ruleset, plan, index), fh, indent=2)
            fh.write("\n")
        out.err(f"plan written to {out_path}")
    if opts.format is Format.JSON:
        out.out(json.dumps(report.plan_json(loaded.ruleset, plan, index), indent=2))
    else:
        for line in report.plan_text(loaded.ruleset, plan, index, opts.verbosity > 0):
            out.out(line)
        if diff:
            for o in plan.changed:
                out.out(o.diff.rstrip("\n"))
    if opts.verbosity >= 0:
        out.err(report.summary_line(plan, time.perf_counter() - start))
    return 0
