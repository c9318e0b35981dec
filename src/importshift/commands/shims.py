"""``migrate shims`` (who still uses each shim) and ``migrate retire`` (remove what is unused)."""

from __future__ import annotations

import os

from importshift.adapters.git import Git
from importshift.adapters.verify import describe, make_verifier
from importshift.analysis.shims import Shim, find_shims, remove_names
from importshift.codebase import files as modules
from importshift.codebase.summary import summarize
from importshift.codebase.textio import read_bytes
from importshift.commands.common import load
from importshift.config.rules import Loaded
from importshift.core import dotted
from importshift.core.model import SourceFile
from importshift.core.options import Format, Options, VerifyOptions
from importshift.core.output import Output
from importshift.ops import planner
from importshift.ops.journal import Journal
from importshift.ops.landing import BatchReport, Change, land
from importshift.ops.lock import locked
from importshift.report import envelope
from importshift.rewrite.engine import sha256


def _find(loaded: Loaded, opts: Options) -> list[Shim]:
    rules = loaded.ruleset
    files = [modules.source_file(f, rules.source_roots) for f in loaded.files]
    outcomes = planner.scan(rules, files, opts.jobs, exact=False)
    return find_shims(rules, loaded.index or {}, outcomes, files)


def run_shims(opts: Options, out: Output, discovered: bool) -> int:
    loaded = load(opts, out)
    shims = _find(loaded, opts)
    if discovered:
        from importshift.analysis.discover import discovered_shims

        known = {s.module for s in shims}
        rules = loaded.ruleset
        files = [modules.source_file(f, rules.source_roots) for f in loaded.files]
        found = discovered_shims(
            rules.root, files, loaded.index or {}, {m.old for m in rules.moves}
        )
        shims += [s for s in found if s.module not in known]
    if opts.format is Format.JSON:
        out.out(
            envelope.dumps(
                "shims",
                shims=[
                    {
                        "module": s.module,
                        "path": s.path,
                        "status": s.status,
                        "shim_only": s.shim_only,
                        "other_importers": list(s.other_importers),
                        "names": [
                            {
                                "name": n.name,
                                "rule": n.rule,
                                "importers": list(n.importers),
                                "strings": list(n.strings),
                            }
                            for n in s.names
                        ],
                    }
                    for s in shims
                ],
            )
        )
        return 0
    for s in shims:
        where = s.path or "(gone)"
        out.out(f"{s.module}  {where}  [{s.status}]")
        for n in s.names:
            label = "the whole module" if n.name == "*" else n.name
            line = f"  {label}: {len(n.importers)} importing file(s)"
            if n.strings:
                line += f", {len(n.strings)} string reference(s)"
            out.out(line)
            if opts.verbosity > 0:
                out.out("".join(f"      {p}\n" for p in (*n.importers, *n.strings)).rstrip("\n"))
        if s.other_importers:
            out.out(f"  other names: {len(s.other_importers)} importing file(s)")
    return 0


def run_retire(opts: Options, vopts: VerifyOptions, out: Output, git: Git, dry_run: bool) -> int:
    json_out = envelope.JsonOutput(out) if opts.format is Format.JSON else None
    out = json_out or out
    loaded = load(opts, out)
    rules = loaded.ruleset
    root = rules.root
    changes: list[Change] = []
    refused = 0
    for shim in _find(loaded, opts):
        if not shim.path:
            continue
        blocked = [n for n in shim.names if n.strings and not n.importers]
        for n in blocked:
            refused += 1
            label = shim.module if n.name == "*" else f"{shim.module}.{n.name}"
            out.out(f"kept {label}: still named by string references: {', '.join(n.strings)}")
        unused = [n for n in shim.names if not n.importers and not n.strings]
        if not unused:
            continue
        full = os.path.join(root, shim.path)
        data = read_bytes(full)
        f = modules.source_file(shim.path, rules.source_roots)
        parent = _package_file(loaded, dotted.parent(shim.module))
        whole = len(unused) == len(shim.names) and not shim.other_importers and shim.shim_only
        if whole:
            changes.append(
                Change(
                    f,
                    sha256(data),
                    None,
                    tuple(n.rule for n in unused),
                    verify=(parent,) if parent else (),
                )
            )
            out.out(f"delete {shim.path}: nothing imports {shim.module} any more")
            continue
        names = {n.name for n in unused if n.name != "*"}
        summary = summarize(data, shim.module, f.is_package)
        used_inside = {n for n in names if summary is not None and n in summary.references}
        for name in sorted(used_inside):
            out.out(f"kept {shim.module}.{name}: the shim itself still uses it")
        names -= used_inside
        if not names:
            if "*" in {n.name for n in unused} and not shim.shim_only:
                out.out(f"kept {shim.path}: unused, but it holds real code")
            continue
        new = remove_names(data, names)
        if new != data:
            changes.append(
                Change(f, sha256(data), new, tuple(n.rule for n in unused if n.name in names))
            )
            out.out(f"remove {', '.join(sorted(names))} from {shim.path}")
    if dry_run or not changes:
        if not changes:
            out.err("nothing is ready to retire")
        _retire_json(json_out, changes, None, dry_run)
        return 0
    with locked(root):
        journal = Journal(root)
        verifier = make_verifier(root, rules.source_roots, vopts, opts.jobs or os.cpu_count() or 1)
        report = land(root, verifier, journal, str(journal.next_id()), changes)
    for path, why in report.rolled_back:
        out.out(f"rolled back {path}: {why}")
    for target in report.pre_existing:
        out.out(f"pre-existing failure, not blamed: {describe(target.target)}")
    deleted = [c for c in changes if c.new is None and c.file.path in report.landed]
    if deleted:
        out.err(
            "note: moves whose old module is now gone need 'kind: symbol' or 'kind: module' "
            "in the rules file (keep them: 'migrate check' goes on blocking the old paths)"
        )
    if opts.verbosity >= 0:
        out.err(
            f"retired: {len(report.landed)} file(s) changed or deleted (batch "
            f"{report.id}; 'migrate undo' restores them); {len(report.rolled_back)} "
            "rolled back"
        )
    _retire_json(json_out, changes, report, dry_run)
    return 1 if report.rolled_back or report.stale else 0


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
