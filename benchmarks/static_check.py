"""Cost of the static check of written imports, against ``migrate plan`` on the same tree.

    python -m benchmarks.static_check /tmp/c     # a tree made by python -m benchmarks.corpus

Prints the plan's wall time (``migrate -q plan``, median of 3), the number of changed files
and the static check's time over all of them (one Resolver, as apply uses per run).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from importshift.adapters.interpreter import choose_python
from importshift.codebase.needs import FileToCheck
from importshift.codebase.resolve import Resolver
from importshift.commands.common import load
from importshift.core.options import Options
from importshift.ops import planner
from importshift.ops.planner import Plan


class _Quiet:
    is_terminal = False

    def out(self, text: str) -> None:
        pass

    def err(self, text: str) -> None:
        pass


def main(root: str) -> None:
    plan_time, static, changed, probes, bad = measure(root)
    print(f"plan: {plan_time:.2f} s (median of 3); changed files: {changed}")
    print(
        f"static check: {static:.3f} s (median of 3; {100 * static / plan_time:.1f}% of plan), "
        f"{probes} interpreter probe(s), {bad} file(s) with unresolved imports"
    )


def measure(root: str) -> tuple[float, float, int, int, int]:
    """(plan's wall time, the static check's time over every changed file, how many files
    changed, interpreter probes, files with unresolved imports): medians of 3."""
    root = os.path.abspath(root)
    rules_path = os.path.join(root, "rules.yaml")
    plan_times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "importshift", "-q", "--rules", rules_path, "plan"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            check=True,  # a plan that fails measures nothing
        )
        plan_times.append(time.perf_counter() - start)
    loaded = load(Options(rules=rules_path), _Quiet())  # type: ignore[arg-type]
    rules = loaded.ruleset
    files = list(_files(loaded))
    plan = Plan(tuple(planner.scan(rules, files, 0)), len(files), ())
    by_path = {f.path: f for f in files}
    checks = [
        FileToCheck(
            o.path,
            by_path[o.path].module,
            by_path[o.path].is_package,
            o.edits,
            o.new_bytes or b"",
            None,
        )
        for o in plan.changed
    ]
    targets = sorted({m.target for m in rules.moves})
    static_times = []
    for _ in range(3):  # a fresh resolver each time: nothing memoised across runs
        start = time.perf_counter()
        resolver = Resolver(
            rules.root,
            rules.source_roots,
            choose_python(rules.root, None).path,
            {c.path: c.new for c in checks},
        )
        verdicts = resolver.check(checks, targets)
        static_times.append(time.perf_counter() - start)
    static = statistics.median(static_times)
    plan_time = statistics.median(plan_times)
    bad = sum(1 for v in verdicts.values() if v.missing)
    return plan_time, static, len(checks), resolver.probes, bad


def _files(loaded):  # type: ignore[no-untyped-def]
    from importshift.codebase import files as modules

    return [modules.source_file(f, loaded.ruleset.source_roots) for f in loaded.files]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/c")
