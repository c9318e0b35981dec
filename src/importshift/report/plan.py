"""Plans as text and as JSON (the ``plan.json`` format), built from values, printed elsewhere."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import TypedDict

from importshift.core.model import FileOutcome, Kind, Move, RuleSet
from importshift.ops.planner import Plan
from importshift.report.envelope import envelope

PLAN_VERSION = 1


class EditJson(TypedDict):
    rule: str
    line: int
    column: int
    before: str
    after: str


class FileJson(TypedDict):
    path: str
    sha256: str
    sites: int
    edits: list[EditJson]


class ShimJson(TypedDict):
    module: str
    path: str
    importers: int


def rules_digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def shims(rules: RuleSet, index: dict[str, str], plan: Plan) -> list[ShimJson]:
    """Old modules of moves that still exist, with how many files still import from them."""
    importers: dict[str, set[str]] = defaultdict(set)
    by_id = {m.id: m for m in rules.moves}
    for o in plan.outcomes:
        for e in o.edits:
            move = by_id.get(e.rule)
            if move is not None:
                importers[move.old_module].add(o.path)
        for rule in [s.rule for s in o.sites] + [n.rule for n in o.notes]:
            move = by_id.get(rule)
            if move is not None:
                importers[move.old_module].add(o.path)
    out: list[ShimJson] = []
    for module in sorted({m.old_module for m in rules.moves}):
        path = index.get(module)
        if path:
            out.append(ShimJson(module=module, path=path, importers=len(importers[module])))
    return out


def plan_json(rules: RuleSet, plan: Plan, index: dict[str, str]) -> dict[str, object]:
    files: list[FileJson] = [
        FileJson(
            path=o.path,
            sha256=o.sha256,
            sites=sum(site_counts(o).values()),
            edits=[
                EditJson(rule=e.rule, line=e.line, column=e.column, before=e.before, after=e.after)
                for e in o.edits
            ],
        )
        for o in plan.changed
    ]
    return envelope(
        "plan",
        PLAN_VERSION,
        root=rules.root,
        rules=rules.rules_path,
        rules_sha256=rules_digest(rules.rules_path) if rules.rules_path else "",
        files=files,
        skipped=[{"path": o.path, "reason": o.reason} for o in plan.problems]
        + [{"path": s.path, "reason": s.reason} for s in plan.walk_skips],
        followups=[
            {"path": p, "rule": n.rule, "line": n.line, "column": n.column, "message": n.message}
            for p, n in plan.notes
        ],
        shims=shims(rules, index, plan),
        summary=summary(plan),
    )


def site_counts(o: FileOutcome) -> Counter[str]:
    """Sites per rule in one file: each detected occurrence of a move (the same count with
    and without LibCST, whose edits are changed line ranges), plus each changed range of an
    extra codemod (which has no detection of its own)."""
    counts = Counter(s.rule for s in o.sites)
    moves = set(counts)
    counts.update(e.rule for e in o.edits if e.rule not in moves)
    return counts


def summary(plan: Plan) -> dict[str, int]:
    return {
        "scanned": plan.scanned,
        "changed": len(plan.changed),
        "sites": sum(sum(site_counts(o).values()) for o in plan.changed),
        "skipped": len(plan.problems) + len(plan.walk_skips),
        "followups": len(plan.notes),
    }


def _move_line(move: Move) -> str:
    kind = "module" if move.kind is Kind.MODULE else "symbol"
    reason = f"  ({move.reason})" if move.reason else ""
    via = f" (via {move.new})" if move.new != move.target else ""
    return f"{move.old} -> {move.target}{via}  [{kind}]{reason}"


def plan_text(rules: RuleSet, plan: Plan, index: dict[str, str], verbose: bool) -> list[str]:
    lines: list[str] = []
    per_rule: dict[str, list[tuple[FileOutcome, int]]] = defaultdict(list)
    for o in plan.changed:
        for rule, n in site_counts(o).items():
            per_rule[rule].append((o, n))
    for move in rules.moves:
        hits = per_rule.pop(move.id, [])
        sites = sum(n for _, n in hits)
        lines.append(_move_line(move))
        lines.append(f"  {len(hits)} file(s), {sites} site(s)")
        for o, n in hits:
            mine = [s for s in o.sites if s.rule == move.id]
            lines.append(f"    {o.path}:{mine[0].line if mine else 1}: {n} site(s)")
            if verbose:
                lines.extend(f"      {s.line}:{s.column}: {s.old} -> {s.new}" for s in mine)
    for rule, hits in sorted(per_rule.items()):  # codemods beyond moves
        sites = sum(n for _, n in hits)
        lines.append(f"{rule}  [codemod]")
        lines.append(f"  {len(hits)} file(s), {sites} site(s)")
        lines.extend(f"    {o.path}: {n} site(s)" for o, n in hits)
    shim_list = shims(rules, index, plan)
    if shim_list:
        lines.append("")
        lines.append("Shims (old modules that still exist):")
        for s in shim_list:
            state = (
                "ready to retire after this apply"
                if s["importers"] == 0
                else f"{s['importers']} importing file(s) in this plan"
            )
            lines.append(f"  {s['path']} ({s['module']}): {state}")
    problems = plan.problems
    if problems or plan.walk_skips:
        lines.append("")
        lines.append("Skipped:")
        lines.extend(f"  {o.path}: {o.reason}" for o in problems)
        lines.extend(f"  {s.path}: {s.reason}" for s in plan.walk_skips)
    if plan.notes:
        lines.append("")
        lines.append("Follow-ups (not changed automatically):")
        lines.extend(f"  {p}:{n.line}:{n.column}: {n.message}" for p, n in plan.notes)
    return lines


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 100 else flat[:97] + "..."


def summary_line(plan: Plan, seconds: float, verb: str = "would change") -> str:
    s = summary(plan)
    return (
        f"{s['changed']} file(s) {verb} ({s['sites']} site(s)); {s['scanned']} scanned, "
        f"{s['skipped']} skipped, {s['followups']} follow-up(s) in {seconds:.2f}s"
    )
