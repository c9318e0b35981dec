"""``migrate check``: the pre-commit gate. Stdlib ``ast`` only; LibCST only for ``--fix``.

Kept light on purpose: no click, no PyYAML on a cache hit, no rich, no LibCST unless
``--fix`` has something to rewrite.
"""

from __future__ import annotations

import os
from collections import Counter, namedtuple
from collections.abc import Sequence

from importshift.codebase import files as modules
from importshift.config import locate
from importshift.config.cache import Cached, load_cached, store
from importshift.core import prefilter
from importshift.core.model import RuleSet, Site
from importshift.core.options import Format, Options
from importshift.core.output import Output

CODE = "MIG001"


class Finding(namedtuple("Finding", "path site reason")):
    __slots__ = ()
    path: str
    site: Site
    reason: str

    def message(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"{CODE} '{self.site.old}' moved to '{self.site.new}'{why}"


def _rules(opts: Options, out: Output) -> Cached:
    path = locate.rules_path(opts.rules, opts.root)
    root = os.path.abspath(opts.root or os.path.dirname(os.path.abspath(path)))
    cached = load_cached(path, root, opts.strings, opts.check_targets)
    if cached is not None:
        return cached
    from importshift.commands.common import load

    loaded = load(opts, out)
    return store(loaded.ruleset, path, opts.check_targets)


def _sites(
    data: bytes,
    rel: str,
    rules: RuleSet,
    module: str | None,
    is_package: bool,
    tokens: frozenset[bytes],
    star: frozenset[bytes],
) -> list[tuple[str, Site]] | None:
    """(where in the file, site) for every place kind; None when it cannot be checked."""
    if not prefilter.mentions(data, tokens, star):
        return []
    from importshift.rewrite.gate import gate_sites  # only now: see the module docstring

    return gate_sites(rules, data, rel, module, is_package)


def _new_only(
    sites: list[tuple[str, Site]], base_sites: list[tuple[str, Site]]
) -> list[tuple[str, Site]]:
    """Occurrences not already in the base version, compared by (rule, name, form)."""
    budget = Counter((s.rule, s.old, s.form) for _, s in base_sites)
    fresh = []
    for s in sites:
        key = (s[1].rule, s[1].old, s[1].form)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            fresh.append(s)
    return fresh


def run(
    opts: Options, out: Output, files: Sequence[str], new_only: bool, base: str, fix: bool
) -> int:
    cached = _rules(opts, out)
    rules = cached.rules
    root = rules.root
    tokens = frozenset(t.encode() for t in rules.tokens())
    star = frozenset(t.encode() for t in rules.star_tokens())
    rels = _files(cached, files)
    reasons = {m.id: m.reason for m in rules.moves}
    findings: list[Finding] = []
    unparseable: list[str] = []
    git = None
    for rel in rels:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        sf = modules.source_file(rel, rules.source_roots)
        sites = _sites(data, rel, rules, sf.module, sf.is_package, tokens, star)
        if sites is None:
            unparseable.append(rel)
            continue
        if sites and new_only:
            if git is None:
                from importshift.adapters.git import GitCli

                git = GitCli()
            old = git.show(root, base, rel)
            if old is not None:
                sites = _new_only(
                    sites, _sites(old, rel, rules, sf.module, sf.is_package, tokens, star) or []
                )
        findings.extend(Finding(rel + at, s, reasons.get(s.rule, "")) for at, s in sites)
    _report(out, opts.format, findings)
    for rel in unparseable:
        if opts.verbosity > 0:
            out.err(f"skipped {rel}: does not parse")
    if fix and findings:
        changed = _fix(rules, sorted({f.path.split(":cell ")[0] for f in findings}), out)
        if opts.verbosity >= 0 and changed:
            out.err(f"fixed {changed} file(s); review and stage them again")
    return 1 if findings else 0


def _files(cached: Cached, files: Sequence[str]) -> list[str]:
    """The given files (folders expand to their Python files), or the whole tree."""
    rules = cached.rules
    root = rules.root
    if not files:
        return modules.walk(root, rules.exclude, rules.gitignore, rules.include)[0]
    rels: list[str] = []
    folders: list[str] = []
    for f in files:
        rel = os.path.relpath(os.path.abspath(f), root).replace(os.sep, "/")
        if rel == ".." or rel.startswith("../"):
            continue
        if os.path.isdir(f):
            folders.append("" if rel == "." else rel + "/")
        elif modules.is_place(f, rel) and not cached.excluded(rel):
            rels.append(rel)
    if folders:
        every = modules.walk(root, rules.exclude, rules.gitignore, rules.include)[0]
        rels.extend(r for r in every if any(r.startswith(f) for f in folders))
    return sorted(set(rels))


def _report(out: Output, fmt: Format, findings: list[Finding]) -> None:
    if fmt is Format.JSON:
        import json

        out.out(
            json.dumps(
                [
                    {
                        "path": f.path,
                        "line": f.site.line,
                        "column": f.site.column,
                        "code": CODE,
                        "rule": f.site.rule,
                        "old": f.site.old,
                        "new": f.site.new,
                        "form": f.site.form,
                        "reason": f.reason,
                    }
                    for f in findings
                ],
                indent=2,
            )
        )
        return
    for f in findings:
        if fmt is Format.GITHUB:
            text = f.message().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            out.out(
                f"::error file={f.path.split(':cell ')[0]},line={f.site.line},"
                f"col={f.site.column},title={CODE}::{text}"
            )
        else:
            out.out(f"{f.path}:{f.site.line}:{f.site.column}: {f.message()}")


def _fix(rules: RuleSet, paths: list[str], out: Output) -> int:
    from importshift.codebase.textio import atomic_write
    from importshift.core.model import Status
    from importshift.rewrite.engine import Engine

    engine = Engine(rules)
    changed = 0
    for rel in paths:
        full = os.path.join(rules.root, rel)
        try:
            with open(full, "rb") as fh:
                data = fh.read()
            sf = modules.source_file(rel, rules.source_roots)
            result = engine.rewrite(data, rel, sf.module, sf.is_package)
            if result.status is Status.CHANGED and result.new is not None:
                atomic_write(full, result.new)
                changed += 1
            elif result.status is not Status.UNCHANGED:
                out.err(f"cannot fix {rel}: {result.reason}")
        except OSError as exc:
            out.err(f"cannot fix {rel}: {exc}")
    return changed
