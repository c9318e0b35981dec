"""``migrate shims`` (who still uses each shim) and ``migrate retire`` (remove what is unused)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from importshift.analysis.proof import Asks, Parse, Scanned, Target, extra_files
from importshift.analysis.shims import Shim, decide, read_all, survey
from importshift.analysis.uses import Use
from importshift.codebase import files as modules
from importshift.codebase.index import CodeIndex
from importshift.commands.common import load, rules_path
from importshift.config.rules import Loaded
from importshift.core import dotted
from importshift.core.model import FileOutcome, RuleSet, SourceFile, Status
from importshift.core.options import Format, Options, VerifyOptions
from importshift.core.output import Output
from importshift.ops import planner
from importshift.report import envelope
from importshift.rewrite.engine import Engine

if TYPE_CHECKING:  # retire's machinery is imported by retire alone (``shims`` stays light)
    from importshift.adapters.git import Git
    from importshift.ops.landing import BatchReport, Change


def _find(loaded: Loaded, opts: Options, discovered: bool = False) -> list[Shim]:
    """The shims of the rules (and, ``discovered``, the undeclared ones too), from one
    index of the tree and one read (and at most one parse) of each file."""
    rules = loaded.ruleset
    files = _source_files(loaded)
    jobs = opts.jobs or os.cpu_count() or 1
    idx = CodeIndex(rules.root, files, loaded.index or {}, jobs)
    extra = extra_files(rules.root, rules.exclude)
    probe: Callable[[bytes], bool] | None = None
    if discovered:  # discover reads only the files that look like shims: found in this pass
        from importshift.analysis.discover import looks_like_shim

        probe = looks_like_shim
    scanned = read_all(rules, idx, extra, jobs, Asks(probe, _Detect(rules)))
    shims = survey(rules, idx, _outcomes(rules, files, scanned, opts.jobs), scanned)
    if not discovered:
        return shims
    from importshift.analysis.discover import discovered_shims

    accepted = set(scanned.probed)
    candidates = [f for f in files if f.path in accepted]
    known = {s.module for s in shims}
    more = discovered_shims(
        rules.root, candidates, idx.modules, {m.old for m in rules.moves}, idx=idx
    )
    return shims + [s for s in more if s.module not in known]


class _Detect:
    """``plan``'s detection of one file, from the bytes (and the tree) the proof pass has
    already: picklable for the worker processes, one engine per chunk of files."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.engine: Engine | None = None

    def __getstate__(self) -> RuleSet:
        return self.rules

    def __setstate__(self, rules: RuleSet) -> None:
        self.rules, self.engine = rules, None

    def __call__(self, target: Target, data: bytes, parse: Parse) -> FileOutcome | None:
        if self.engine is None:
            self.engine = Engine(self.rules)
        path, module, is_package, _ = target
        f = SourceFile(path, module, is_package)
        o = planner.process_bytes(self.engine, f, data, False, False, parse)
        return o if o.status is not Status.UNCHANGED or o.notes or o.needs_cst else None


def _outcomes(
    rules: RuleSet, files: list[SourceFile], scanned: Scanned, jobs: int
) -> list[FileOutcome]:
    """``planner.scan(rules, files, exact=False)``, from the proof pass: the files it could
    not detect (unreadable, a crashed worker) and those an extra codemod may change (LibCST
    decides) go through the planner's own scan."""
    again = {o.path for o in scanned.outcomes if o.needs_cst}
    done = set(scanned.detected) - again
    ours = {f.path for f in files}
    out = [o for o in scanned.outcomes if o.path in done and o.path in ours]
    redo = [f for f in files if f.path not in done]
    if redo:
        out += planner.scan(rules, redo, jobs, exact=False)
    return sorted(out, key=lambda o: o.path)


def _source_files(loaded: Loaded) -> list[SourceFile]:
    """The walked files with their modules: those the module index names are known already
    (``load`` computed them), only the rest are worked out again."""
    owner = {path: module for module, path in (loaded.index or {}).items() if path}
    roots = loaded.ruleset.source_roots
    return [
        SourceFile(f, owner[f], f.endswith(("__init__.py", "__init__.pyi")))
        if f in owner
        else modules.source_file(f, roots)
        for f in loaded.files
    ]


def _use_json(u: Use) -> dict[str, object]:
    return {"path": u.path, "line": u.line, "why": u.why, "proved": u.proof}


def _shim_json(s: Shim) -> dict[str, object]:
    verdict = decide(s)
    return {
        "module": s.module,
        "path": s.path,
        "status": verdict.status,
        "shim_only": s.shim_only,
        "other_importers": list(s.other_importers),
        "module_uses": [_use_json(u) for u in s.module_uses],
        "delete": verdict.delete,
        "remove": list(verdict.remove),
        "kept": [{"what": k.label, "reason": k.reason, "manual": k.manual} for k in verdict.kept],
        "names": [
            {
                "name": n.name,
                "rule": n.rule,
                "importers": list(n.importers),
                "rewrites": list(n.rewrites),
                "strings": list(n.strings),
                "uses": [_use_json(u) for u in n.uses],
            }
            for n in s.names
        ],
    }


def run_shims(opts: Options, out: Output, discovered: bool) -> int:
    loaded = load(opts, out)
    shims = _find(loaded, opts, discovered)
    if opts.format is Format.JSON:
        out.out(envelope.dumps("shims", shims=[_shim_json(s) for s in shims]))
        return 0
    for s in shims:
        where = s.path or "(gone)"
        out.out(f"{s.module}  {where}  [{s.status}]")
        for n in s.names:
            label = "the whole module" if n.name == "*" else n.name
            line = f"  {label}: {len(n.importers)} importing file(s)"
            if n.rewrites:
                line += f", {len(n.rewrites)} string reference(s) apply rewrites"
            if n.strings:
                line += f", {len(n.strings)} string reference(s)"
            if n.uses:
                line += f", {len(n.uses)} other use(s)"
            out.out(line)
            if opts.verbosity > 0:
                listed = (*n.importers, *n.rewrites, *n.strings)
                out.out("".join(f"      {p}\n" for p in listed).rstrip("\n"))
            for u in n.uses if opts.verbosity > 0 else [u for u in n.uses if not u.proof][:1]:
                out.out(f"      {u.describe()}")
        if s.other_importers:
            out.out(f"  other names: {len(s.other_importers)} importing file(s)")
        for u in s.module_uses:
            out.out(f"  module used: {u.describe()}")
        if s.path:
            verdict = decide(s)
            if verdict.delete:
                out.out(f"  retire deletes {s.path}")
            elif verdict.remove:
                out.out(f"  retire removes {', '.join(verdict.remove)}")
    return 0


def run_retire(opts: Options, vopts: VerifyOptions, out: Output, git: Git, dry_run: bool) -> int:
    """Remove what is proved unused. Exit 0: everything ready was retired and everything kept
    is waiting only for ``apply``; 1: something was rolled back, or kept for a use that only
    the user can clear (a string, dynamic or config reference, a stub, a star re-export, a
    file that does not parse); 2: a refusal (lock held, the rules file could not be kept
    valid: it is then left as it was and nothing is deleted)."""
    from importshift.adapters.verify import describe, make_verifier
    from importshift.analysis.removal import remove_names
    from importshift.codebase.textio import read_bytes
    from importshift.config.writer import set_kinds
    from importshift.ops.journal import Journal
    from importshift.ops.landing import Change, coverage_of, land
    from importshift.ops.lock import locked
    from importshift.rewrite.engine import sha256

    json_out = envelope.JsonOutput(out) if opts.format is Format.JSON else None
    out = json_out or out
    loaded = load(opts, out, python=vopts.python)
    rules = loaded.ruleset
    root = rules.root
    changes: list[Change] = []
    manual = False
    kinds: dict[str, str] = {}
    for shim in _find(loaded, opts):
        verdict = decide(shim)
        for kept in verdict.kept:
            manual = manual or kept.manual
            out.out(f"kept {kept.label}: {kept.reason}")
        if not (verdict.delete or verdict.remove):
            continue
        data = read_bytes(os.path.join(root, shim.path))
        f = modules.source_file(shim.path, rules.source_roots)
        if verdict.delete:
            parent = _package_file(loaded, dotted.parent(shim.module))
            verify = (parent,) if parent else ()
            changes.append(Change(f, sha256(data), None, verdict.rules, verify=verify))
            out.out(f"delete {shim.path}: nothing uses {shim.module} any more")
            kinds.update(
                (m.old, m.kind.value) for m in rules.moves if dotted.within(m.old, shim.module)
            )
            continue
        new = remove_names(data, set(verdict.remove))
        changes.append(Change(f, sha256(data), new, verdict.rules))
        kinds.update((m.old, m.kind.value) for m in rules.moves if m.id in verdict.rules)
        out.out(f"remove {', '.join(verdict.remove)} from {shim.path}")
    code = 1 if manual else 0
    if dry_run or not changes:
        if not changes:
            out.err("nothing is ready to retire")
        elif kinds:
            out.err(f"would write 'kind:' into the moves of {', '.join(sorted(kinds))}")
        _retire_json(json_out, changes, None, dry_run)
        return code
    with locked(root):
        if kinds:  # before the deletion: the rules must load without the old names
            made = set_kinds(rules_path(opts), kinds, opts.root)
            if made:
                out.err(f"wrote 'kind:' into {len(made)} move(s) of {rules_path(opts)}")
        journal = Journal(root)
        verifier = make_verifier(root, rules.source_roots, vopts, opts.jobs or os.cpu_count() or 1)
        batch_id = str(journal.next_id())
        for warning in journal.warnings:
            out.err(warning)
        report = land(root, verifier, journal, batch_id, changes)
    for path, why in report.rolled_back:
        out.out(f"rolled back {path}: {why}")
    for path, why in (*report.stale, *report.skipped):
        out.out(f"skipped {path}: {why}")
    for res in report.pre_existing:
        out.out(f"pre-existing failure, not blamed: {describe(res.target)}: {res.summary()}")
    for what, note in report.notes:
        out.out(f"warning: {what}: {note}")
    python = getattr(verifier, "interpreter", None)
    for line in coverage_of([report]).lines(python.path if python is not None else None):
        out.err(line)
    if opts.verbosity >= 0:
        out.err(
            f"retired: {len(report.landed)} file(s) changed or deleted (batch "
            f"{report.id}; 'migrate undo' restores them); {len(report.rolled_back)} "
            "rolled back"
        )
    _retire_json(json_out, changes, report, dry_run)
    return 1 if report.rolled_back or report.stale or report.skipped else code


def _retire_json(
    json_out: envelope.JsonOutput | None,
    changes: list[Change],
    report: BatchReport | None,
    dry_run: bool,
) -> None:
    """With ``--format json``: the one document of the run."""
    if json_out is None:
        return
    landed = set(report.landed) if report is not None else set()
    json_out.emit(
        "retire",
        dry_run=dry_run,
        batch=report.id if report is not None else None,
        changes=[
            {
                "path": c.file.path,
                "action": "delete" if c.new is None else "edit",
                "rules": list(c.rules),
                "landed": c.file.path in landed,
            }
            for c in changes
        ],
        rolled_back=[
            {"path": p, "reason": why} for p, why in (report.rolled_back if report else [])
        ],
        messages=json_out.lines,
        summary={
            "planned": len(changes),
            "landed": len(landed),
            "rolled_back": len(report.rolled_back) if report is not None else 0,
        },
    )


def _package_file(loaded: Loaded, package: str) -> SourceFile | None:
    if not package:
        return None
    path = (loaded.index or {}).get(package)
    if not path:
        return None
    return modules.source_file(path, loaded.ruleset.source_roots)
