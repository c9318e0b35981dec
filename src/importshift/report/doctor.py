"""``doctor`` reports as text (summary first, details with -v) and as a JSON envelope."""

from __future__ import annotations

from typing import Any

from importshift.analysis.doctor import Finding, Group, Report
from importshift.analysis.suggest import Suggestion

JSON_VERSION = 1

_SECTIONS = (
    ("syntax", "Files that do not parse"),
    ("shadowed", "Shadowed modules"),
    ("platform", "Imports the platform lacks"),
)


def counts(report: Report) -> dict[str, int]:
    out = {"module": 0, "symbol": 0, "syntax": 0, "shadowed": 0, "platform": 0}
    for g in report.groups:
        out[g.kind] += 1
    for f in report.findings:
        if f.kind not in ("module", "symbol"):
            out[f.kind] = out.get(f.kind, 0) + 1
    return out


def summary_line(report: Report) -> str:
    c = counts(report)
    files = len({f.path for f in report.findings})
    parts = [
        f"{c['module']} missing module(s)",
        f"{c['symbol']} missing name(s)",
        f"{c['syntax']} file(s) that do not parse",
    ]
    if c["shadowed"]:
        parts.append(f"{c['shadowed']} shadowed module(s)")
    if c["platform"]:
        parts.append(f"{c['platform']} platform import(s)")
    guarded = sum(1 for f in report.findings if f.guard)
    if guarded:
        parts.append(
            f"{guarded} of them behind a guard (try/except, TYPE_CHECKING): "
            "not import errors when the file runs"
        )
    return f"{len(report.findings)} problem(s) in {files} of {report.files} file(s): " + ", ".join(
        parts
    )


def _hint(suggestions: tuple[Suggestion, ...]) -> str:
    if not suggestions:
        return "  (no module binds it today)"
    best = suggestions[0]
    if not best.new:
        moves = ", ".join(f"{old.rpartition('.')[2]} -> {new}" for old, new in best.extra)
        return f"  -> split: {moves} ({best.reason})"
    more = f"; {len(suggestions) - 1} other candidate(s)" if len(suggestions) > 1 else ""
    return f"  -> {best.new} ({best.reason}{more})"


def _group_lines(groups: list[Group], title: str, verbose: bool) -> list[str]:
    if not groups:
        return []
    lines = [f"{title} (importing files, most first):"]
    for g in groups:
        asked = f" [{', '.join(g.names)}]" if g.names else ""
        behind = f" ({g.guarded} only behind a guard)" if g.guarded else ""
        lines.append(f"  {g.old}{asked}: {len(g.importers)} file(s){behind}{_hint(g.suggestions)}")
        if verbose:
            lines.extend(f"      or {s.new} ({s.reason})" for s in g.suggestions[1:])
    return lines


def _line(f: Finding) -> str:
    hint = f" (defined today: {', '.join(f.candidates)})" if f.candidates else ""
    guard = f" [behind {f.guard}]" if f.guard else ""
    return f"{f.path}:{f.line}:{f.column}: {f.message}{hint}{guard}"


def text(report: Report, verbose: bool) -> list[str]:
    """Summary first: missing modules and names grouped, biggest first; then the other
    kinds; every finding line only with ``verbose``."""
    groups = list(report.groups)
    lines = _group_lines([g for g in groups if g.kind == "module"], "Missing modules", verbose)
    lines += _group_lines([g for g in groups if g.kind == "symbol"], "Missing names", verbose)
    for kind, title in _SECTIONS:
        found = [f for f in report.findings if f.kind == kind]
        if found:
            lines.append(f"{title}:")
            lines.extend(f"  {_line(f)}" for f in found)
    if verbose:
        details = [f for f in report.findings if f.kind in ("module", "symbol")]
        if details:
            lines.append("Details:")
            lines.extend(f"  {_line(f)}" for f in details)
    return lines


def _suggestions(suggestions: tuple[Suggestion, ...]) -> list[dict[str, Any]]:
    return [
        {
            "new": s.new,
            "reason": s.reason,
            "writable": s.writable,
            **({"extra": [{"old": o, "new": n} for o, n in s.extra]} if s.extra else {}),
        }
        for s in suggestions
    ]


def as_json(report: Report, written: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "command": "doctor",
        "files": report.files,
        "summary": counts(report),
        "groups": [
            {
                "kind": g.kind,
                "old": g.old,
                "importers": list(g.importers),
                "sites": g.sites,
                "names": list(g.names),
                "suggestions": _suggestions(g.suggestions),
                "guarded": g.guarded,
            }
            for g in report.groups
        ],
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "message": f.message,
                "old": f.old,
                "kind": f.kind,
                "names": list(f.names),
                "candidates": list(f.candidates),
                "suggestions": _suggestions(f.suggestions),
                "guard": f.guard,
            }
            for f in report.findings
        ],
        "notes": list(report.notes),
        "written": [{"old": old, "new": new} for old, new in written],
    }
