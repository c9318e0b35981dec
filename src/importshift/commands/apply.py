"""``migrate apply``: land the plan in verified batches, journaled, rolled back and bisected."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from importshift.adapters.git import Git
from importshift.adapters.interpreter import InterpreterError, check_interpreter, choose_python
from importshift.adapters.results import Result, Target
from importshift.adapters.verify import (
    NoVerifier,
    Verifier,
    describe,
    make_verifier,
)
from importshift.codebase.resolve import Resolver
from importshift.codebase.textio import atomic_write, read_bytes
from importshift.commands.common import load, select
from importshift.core.errors import ImportshiftError, RefusedError
from importshift.core.model import RuleSet, SourceFile, Status
from importshift.core.options import Format, Options, VerifyOptions
from importshift.core.output import Output
from importshift.ops import planner
from importshift.ops.journal import Journal
from importshift.ops.landing import BatchReport, Change, Coverage, WriteWatch, coverage_of, land
from importshift.ops.lock import locked
from importshift.ops.objects import Store
from importshift.ops.planner import Plan
from importshift.ops.restore import ALREADY, revert
from importshift.ops.static import StaticCheck
from importshift.report.envelope import JsonOutput
from importshift.report.plan import PLAN_VERSION, rules_digest
from importshift.rewrite.engine import Engine


def run(
    opts: Options,
    vopts: VerifyOptions,
    out: Output,
    git: Git,
    paths: Sequence[str],
    batch_size: int,
    allow_dirty: bool,
    plan_file: str | None,
    commit: bool,
    verifier: Verifier | None = None,
    hooks: bool = True,
) -> int:
    if batch_size < 1:
        raise ImportshiftError("--batch must be at least 1")
    json_out = JsonOutput(out) if opts.format is Format.JSON else None
    out = json_out or out
    loaded = load(opts, out, python=vopts.python)
    rules = loaded.ruleset
    python = choose_python(rules.root, vopts.python)
    if opts.verbosity >= 0:
        how = vopts.command and f"--verify-cmd {vopts.command!r}" or f"--verify {vopts.mode.value}"
        out.err(f"interpreter: {python.path} (from {python.source}); verification: {how}")
    with locked(rules.root):
        journal = Journal(rules.root)
        resume(journal, rules.root, out)
        files, skips = select(loaded, paths)
        if plan_file:
            changes, stale = _from_plan_file(plan_file, rules, files)
        else:
            plan = Plan(tuple(planner.scan(rules, files, opts.jobs)), len(files), tuple(skips))
            changes = _changes(plan, files)
            stale = []
            for o in plan.problems:
                out.err(f"skipped {o.path}: {o.reason}")
        for skip in skips:  # what the walk did not read (links, FIFOs): said, not hidden
            out.err(f"skipped {skip.path}: {skip.reason}")
        if not allow_dirty:
            dirty = git.dirty(rules.root, [c.file.path for c in changes])
            if dirty:
                shown = ", ".join(dirty[:10]) + (" ..." if len(dirty) > 10 else "")
                raise RefusedError(
                    f"uncommitted changes in {len(dirty)} file(s) the run would "
                    f"touch: {shown} (commit them, or pass --allow-dirty)"
                )
        verifier = _baseline(opts, vopts, out, rules, changes, python.path, verifier)
        watch = None if isinstance(verifier, NoVerifier) else WriteWatch(rules.root)
        failed_commits: list[str] = []
        static = StaticCheck(
            Resolver(
                rules.root,
                rules.source_roots,
                python.path,
                {c.file.path: c.new for c in changes if c.new is not None},
                vopts.timeout,
            ),
            sorted({m.target for m in rules.moves}),
        )
        reports = _run_batches(
            rules,
            journal,
            verifier,
            watch,
            out,
            git,
            changes,
            batch_size,
            commit,
            opts.verbosity >= 0,
            static,
            hooks,
            failed_commits,
        )
        user_writes = sorted(watch.others()) if watch is not None else []
    cover = coverage_of(reports, static.proven)
    code = _finish(out, reports, stale, user_writes, opts.verbosity, static, cover, json_out)
    for line in cover.lines(python.path):
        out.err(line)
    return max(code, 1) if failed_commits else code


def _changes(plan: Plan, files: Sequence[SourceFile]) -> list[Change]:
    by_path = {f.path: f for f in files}
    return [
        Change(
            by_path[o.path],
            o.sha256,
            o.new_bytes or b"",
            tuple(sorted({e.rule for e in o.edits})),
            edits=tuple(o.edits),
        )
        for o in plan.changed
        if o.path in by_path and o.new_bytes is not None
    ]


def _from_plan_file(
    path: str, rules: RuleSet, files: Sequence[SourceFile]
) -> tuple[list[Change], list[tuple[str, str]]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ImportshiftError(f"cannot read plan {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != PLAN_VERSION:
        raise ImportshiftError(f"{path}: not a plan file of version {PLAN_VERSION}")
    if rules.rules_path and data.get("rules_sha256") != rules_digest(rules.rules_path):
        raise RefusedError(
            f"{path} was made with another version of {rules.rules_path}; run 'migrate plan' again"
        )
    by_path = {f.path: f for f in files}
    engine = Engine(rules)
    changes: list[Change] = []
    stale: list[tuple[str, str]] = []
    for entry in data.get("files", []):
        rel = str(entry.get("path"))
        f = by_path.get(rel)
        if f is None:
            stale.append((rel, "no longer in the tree"))
            continue
        o = planner.process_file(engine, rules.root, f, False)
        if o.sha256 != entry.get("sha256"):
            stale.append((rel, "changed since the plan was made"))
            continue
        if o.status is Status.CHANGED and o.new_bytes is not None:
            changes.append(
                Change(
                    f,
                    o.sha256,
                    o.new_bytes,
                    tuple(sorted({e.rule for e in o.edits})),
                    edits=tuple(o.edits),
                )
            )
    return changes, stale


def resume(journal: Journal, root: str, out: Output) -> None:
    """Put back the files of a batch that was begun and never finished (a killed run), with
    the same ``put_back`` that ``undo`` uses. A file that cannot be put back is kept in the
    journal as changed by that batch, so ``undo`` still sees it."""
    batches = journal.batches()
    for warning in journal.warnings:
        out.err(warning)
    store = Store(root)
    for batch in batches:
        if not batch.interrupted or not batch.pending():
            continue
        outcomes = revert(root, store, batch)
        left = [o for o in outcomes if not o.done]
        for o in left:
            out.err(f"warning: {o.path} (interrupted batch {batch.id}): {o.reason}")
        journal.end(
            batch.id,
            [o.path for o in left],
            [{"path": o.path, "reason": o.reason} for o in outcomes if o.done],
            interrupted=True,
        )
        restored = sum(o.status != ALREADY for o in outcomes if o.done)
        out.err(
            f"resumed: batch {batch.id} had been interrupted; {restored} file(s) put "
            "back, they are planned again"
            + (f"; {len(left)} left for 'migrate undo --batch {batch.id}'" if left else "")
        )


def _run_batches(
    rules: RuleSet,
    journal: Journal,
    verifier: Verifier,
    watch: WriteWatch | None,
    out: Output,
    git: Git,
    changes: list[Change],
    size: int,
    commit: bool,
    progress: bool,
    static: StaticCheck,
    hooks: bool = True,
    failures: list[str] | None = None,
) -> list[BatchReport]:
    failures = [] if failures is None else failures
    groups = planner.batches([c.file.path for c in changes], size)
    by_path = {c.file.path: c for c in changes}
    first = journal.next_id()
    reports = []
    bar = _Bar(len(groups), len(changes)) if progress and out.is_terminal and groups else None
    for n, group in enumerate(groups):
        bid = str(first + n)
        if bar is not None:
            bar.batch(n + 1, len(group))
        held = len(static.refused)
        report = land(
            rules.root, verifier, journal, bid, static.filter([by_path[p] for p in group]), watch
        )
        held = len(static.refused) - held
        reports.append(report)
        status = f"{len(report.landed)} landed"
        if report.rolled_back:
            status += f", {len(report.rolled_back)} rolled back"
        if report.skipped:
            status += f", {len(report.skipped)} skipped"
        if held:
            status += f", {held} not written (unresolved imports)"
        if bar is not None:
            bar.done(len(group))
        elif progress:
            out.err(f"batch {n + 1}/{len(groups)} (id {bid}): {len(group)} file(s): {status}")
        if commit and report.landed:
            used = sorted({r for p in report.landed for r in by_path[p].rules})
            message = (
                f"migrate: batch {bid} ({len(report.landed)} files)\n\nRules:\n"
                + "".join(f"- {_rule_text(rules, r)}\n" for r in used)
                + "\nFiles:\n"
                + "".join(f"- {p}\n" for p in report.landed)
            )
            why = git.commit(rules.root, report.landed, message, hooks)
            if why is not None:
                hooked = _keep_written(rules.root, [by_path[p] for p in report.landed])
                out.out(
                    f"error: git commit of batch {bid} failed: {why}; its {len(report.landed)} "
                    "file(s) are written but not committed (nothing was staged); stopping "
                    f"(commit them by hand, or 'migrate undo --batch {bid}')"
                )
                for path in hooked:
                    out.out(f"note: a commit hook changed {path}; put back as migrate wrote it")
                failures.append(bid)
                break
    if bar is not None:
        bar.stop()
    return reports


def _keep_written(root: str, changes: list[Change]) -> list[str]:
    """After a failed commit: put back what we wrote where a hook changed it (the files are
    left as they were before the commit attempt)."""
    changed = []
    for c in changes:
        full = os.path.join(root, c.file.path)
        try:
            if c.new is not None and read_bytes(full) != c.new:
                atomic_write(full, c.new)
                changed.append(c.file.path)
        except OSError:
            changed.append(c.file.path)
    return changed


def _baseline(
    opts: Options,
    vopts: VerifyOptions,
    out: Output,
    rules: RuleSet,
    changes: list[Change],
    python: str,
    verifier: Verifier | None,
) -> Verifier:
    """The verifier, proven able to run on the untouched tree before batch 1 (else a
    refusal, exit 2); with nothing to apply, nothing is run."""
    verifier = verifier or make_verifier(
        rules.root, rules.source_roots, vopts, opts.jobs or os.cpu_count() or 1
    )
    if changes:
        verifier.prove([c.file for c in changes])
    if changes and vopts.python and verifier.info is None:  # --verify none: static uses it
        try:
            check_interpreter(python, rules.root)
        except InterpreterError as exc:
            raise RefusedError(f"cannot check imports: {exc} (chosen by --python)") from None
    if verifier.info is not None and opts.verbosity >= 0:
        out.err(f"interpreter works: Python {verifier.info.version}")
    return verifier


class _Bar:
    """A progress bar on a terminal (rich, imported only here): batches and files."""

    def __init__(self, batches: int, files: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=False
        )
        self.batches = self.progress.add_task("batches", total=batches)
        self.files = self.progress.add_task("files", total=files)
        self.progress.start()

    def batch(self, number: int, size: int) -> None:
        self.progress.update(
            self.batches, description=f"batch {number}: writing and verifying {size} file(s)"
        )

    def done(self, size: int) -> None:
        self.progress.advance(self.batches)
        self.progress.advance(self.files, size)

    def stop(self) -> None:
        self.progress.update(self.batches, description="batches")
        self.progress.stop()


def _rule_text(rules: RuleSet, rule: str) -> str:
    for m in rules.moves:
        if m.id == rule:
            return f"{m.old} -> {m.target}"
    return rule


def _finish(
    out: Output,
    reports: list[BatchReport],
    stale: list[tuple[str, str]],
    user_writes: list[str],
    verbosity: int,
    static: StaticCheck,
    cover: Coverage,
    json_out: JsonOutput | None = None,
) -> int:
    landed = sum(len(r.landed) for r in reports)
    rolled = [(r.id, p, why) for r in reports for p, why in r.rolled_back]
    skipped = [(r.id, p, why) for r in reports for p, why in r.skipped]
    pre: dict[Target, Result] = {}
    for r in reports:
        for res in r.pre_existing:
            pre[res.target] = res
    for bid, path, why in rolled:
        out.out(f"rolled back {path} (batch {bid}): {why}")
    for bid, path, why in skipped:
        out.out(f"skipped {path} (batch {bid}): {why}")
    stale = stale + [(p, why) for r in reports for p, why in r.stale]
    for path, why in stale:
        out.out(f"skipped {path}: {why}")
    for path in user_writes:
        out.out(f"warning: {path} was changed by code run during verification (not by migrate)")
    for target, res in sorted(pre.items()):
        out.out(f"pre-existing failure, not blamed: {describe(target)}: {res.summary()}")
    for path, why in static.unknown:
        out.out(f"cannot tell statically, {path}: {why}")
    for r in reports:
        for what, note in r.notes:
            out.out(f"warning: {what}: {note}")
    for path, why in static.refused:
        out.out(f"not written {path}: an import it would write does not resolve: {why}")
    if verbosity >= 0:
        out.err(
            f"applied {landed} file(s) in {len(reports)} batch(es); {len(rolled)} rolled "
            f"back; {len(static.refused)} not written (unresolved imports); "
            f"{len(skipped) + len(stale)} skipped; {len(pre)} pre-existing failure(s)"
        )
    if json_out is not None:
        json_out.emit(
            "apply",
            batches=[
                {
                    "id": r.id,
                    "landed": list(r.landed),
                    "rolled_back": [{"path": p, "reason": why} for p, why in r.rolled_back],
                    "skipped": [{"path": p, "reason": why} for p, why in r.skipped],
                }
                for r in reports
            ],
            stale=[{"path": p, "reason": why} for p, why in stale],
            pre_existing=[
                {"target": describe(t), "summary": res.summary()} for t, res in sorted(pre.items())
            ],
            changed_by_verification=user_writes,
            not_written=[{"path": p, "reason": why} for p, why in static.refused],
            cannot_tell=[{"path": p, "what": what} for p, what in static.unknown],
            coverage=cover.as_dict(),
            summary={
                "applied": landed,
                "batches": len(reports),
                "rolled_back": len(rolled),
                "skipped": len(skipped) + len(stale),
                "pre_existing": len(pre),
            },
        )
    return 1 if rolled or stale or static.refused else 0
