"""``migrate check``: the pre-commit gate. Stdlib ``ast`` only; LibCST only for ``--fix``.

Kept light on purpose: no click, no PyYAML on a cache hit, no rich, no LibCST unless
``--fix`` has something to rewrite, no ``ast`` or ``re`` for files that mention no old name.

Fails closed: a file that does not parse is checked textually; a missing file, a bad
``--root``, an unknown ``--base`` or ``--new-only`` outside git is an error (exit 2).
"""

from __future__ import annotations

import os
import sys
from collections import Counter, namedtuple
from collections.abc import Sequence

from importshift.codebase import files as modules
from importshift.codebase.regular import read_source
from importshift.config import locate
from importshift.config.cache import Cached, load_cached, store
from importshift.core import prefilter
from importshift.core.errors import ImportshiftError
from importshift.core.model import Kind, RuleSet, Site
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.report import findings as fnd
from importshift.report.findings import Finding

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from importshift.adapters.gitbase import GitBase

STDIN = "-"


class CheckArgs(
    namedtuple(
        "CheckArgs",
        "files new_only base head fix exit_zero use_cache report_unparseable stdin_filename",
        defaults=((), False, None, None, False, False, True, False, None),
    )
):
    """The options of ``check`` (``base``/``head`` None: from the environment or HEAD)."""

    __slots__ = ()
    files: Sequence[str]
    new_only: bool
    base: str | None
    head: str | None
    fix: bool
    exit_zero: bool
    use_cache: bool
    report_unparseable: bool
    stdin_filename: str | None


class Source(namedtuple("Source", "rel data")):
    """One file to check: its path relative to the root (or ``-``); its bytes when they
    come from standard input (files are read one at a time, when checked)."""

    __slots__ = ()
    rel: str
    data: bytes | None


class Scan(namedtuple("Scan", "sites parse_error line column")):
    """The sites of one file, each with where it is in the file (``""``, or ``:cell N`` in
    a notebook); ``parse_error`` is set when they were matched textually."""

    __slots__ = ()
    sites: list[tuple[str, Site]]
    parse_error: str | None
    line: int
    column: int


def _rules(opts: Options, out: Output, use_cache: bool) -> Cached:
    if opts.root is not None and not os.path.isdir(opts.root):
        raise ImportshiftError(f"--root {opts.root}: no such folder")
    path = locate.rules_path(opts.rules, opts.root)
    root = os.path.abspath(opts.root or os.path.dirname(os.path.abspath(path)))
    if use_cache:
        cached = load_cached(path, root, opts.strings, opts.check_targets)
        if cached is not None:
            for warning in cached.warnings:
                out.err(f"warning: {warning}")
            return cached
    from importshift.commands.common import load

    loaded = load(opts, out, walk=False)  # raises on any rules error: never cached
    if not use_cache:
        from importshift.config.cache import compile_rules

        return compile_rules(loaded.ruleset, loaded.warnings)
    return store(loaded.ruleset, path, opts.check_targets, loaded.warnings)


def scan(data: bytes, rules: RuleSet, rel: str, every: bool) -> Scan:
    """The sites of one file of any kind, each with where it is in the file (``:cell N``
    in a notebook); ``every``: parse even without a candidate. A file that cannot be
    parsed is matched textually, never passed unchecked."""
    sf = modules.source_file(rel, rules.source_roots)
    tokens, star = _tokens(rules)
    if not every and not prefilter.mentions(data, tokens, star):
        return Scan([], None, 0, 0)
    from importshift.rewrite.gate import gate_sites  # only now: see its module docstring

    found = gate_sites(rules, data, rel, sf.module, sf.is_package)
    if found is not None:
        return Scan(found, None, 0, 0)
    from importshift.rewrite import textual

    kind = modules.kind_of(rel)
    if kind in (None, modules.PYTHON):
        error = textual.parse_error(data) or ("does not parse", 1, 1)
    else:
        error = (f"not a readable {kind} file", 1, 1)
    sites = _once(textual.sites(data, rules, sf.module, sf.is_package), rules)
    return Scan([("", s) for s in sites], *error)


def _once(sites: list[Site], rules: RuleSet) -> list[Site]:
    """``import a.b`` of a moved module is reported once: its ``a.b.x`` uses follow from it."""
    imported = {s.old for s in sites if s.form in ("import", "star")}
    modules_moved = {m.id for m in rules.moves if m.kind is Kind.MODULE}
    return [
        s
        for s in sites
        if s.form != "attribute" or s.old not in imported or s.rule not in modules_moved
    ]


_TOKENS: dict[int, tuple[RuleSet, frozenset[bytes], frozenset[bytes]]] = {}


def _tokens(rules: RuleSet) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """The prefilter's tokens, computed once per rule set."""
    known = _TOKENS.get(id(rules))
    if known is None or known[0] is not rules:
        tokens = frozenset(t.encode() for t in rules.tokens())
        star = frozenset(t.encode() for t in rules.star_tokens())
        known = _TOKENS[id(rules)] = (rules, tokens, star)
    return known[1], known[2]


def _new_only(
    sites: list[tuple[str, Site]], base_sites: list[tuple[str, Site]]
) -> list[tuple[str, Site]]:
    """Occurrences not already in the base version, compared by (rule, name, form)."""
    budget = Counter((s.rule, s.old, s.form) for _, s in base_sites)
    fresh = []
    for where, s in sites:
        key = (s.rule, s.old, s.form)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            fresh.append((where, s))
    return fresh


def _base(args: CheckArgs, root: str) -> GitBase:
    """The git base for ``--new-only``: --base/--head, else pre-commit's refs, else HEAD."""
    from importshift.adapters import gitbase

    env = os.environ
    base, head = args.base, args.head
    explicit = base is not None
    if base is None and head is None and env.get("PRE_COMMIT_FROM_REF"):
        base, head = env["PRE_COMMIT_FROM_REF"], env.get("PRE_COMMIT_TO_REF") or None
        explicit = True
    return gitbase.open_base(root, base or "HEAD", head, explicit)


def run(opts: Options, out: Output, args: CheckArgs) -> int:
    if (args.base or args.head) and not args.new_only:
        raise ImportshiftError("--base and --head only make sense with --new-only")
    if args.fix and (STDIN in args.files or (args.stdin_filename and not args.files)):
        raise ImportshiftError("--fix cannot rewrite standard input")
    cached = _rules(opts, out, args.use_cache)
    rules = cached.rules
    sources = _sources(cached, args)  # every bad path is an error before anything is read
    git = _base(args, rules.root) if args.new_only else None
    try:
        found, unparsed, suppressed = _check(rules, sources, git, args.report_unparseable)
        _report(out, opts.format, found, rules.root, git, len(sources), unparsed, suppressed)
    finally:
        if git is not None:
            git.close()
    if unparsed and not args.report_unparseable and opts.verbosity >= 0:
        out.err(
            f"note: {len(unparsed)} file(s) do not parse and were checked textually "
            "(--report-unparseable lists them)"
        )
    if args.fix and found:
        changed = _fix(rules, sorted({fnd.file_of(f.path) for f in found}), out)
        if opts.verbosity >= 0 and changed:
            out.err(f"fixed {changed} file(s); review and stage them again")
    return 1 if found and not args.exit_zero else 0


def _check(
    rules: RuleSet, sources: list[Source], git: GitBase | None, report_unparseable: bool
) -> tuple[list[Finding], list[str], int]:
    """(findings, files that do not parse, how many findings ``# noqa`` accepted)."""
    reasons = {m.id: m.reason for m in rules.moves}
    found: list[Finding] = []
    unparsed: list[str] = []
    suppressed = 0
    for source in sources:
        data = _read(rules.root, source)
        result = scan(data, rules, source.rel, report_unparseable)
        sites = result.sites
        if sites and git is not None and source.rel != STDIN:
            old = git.old_content(source.rel)
            if old is not None:
                sites = _new_only(sites, scan(old, rules, source.rel, False).sites)
        here = [
            fnd.from_site(source.rel + where, s, reasons.get(s.rule, ""), result.parse_error)
            for where, s in sites
        ]
        if result.parse_error is not None:
            unparsed.append(source.rel)
            if report_unparseable:
                here.insert(
                    0, fnd.unparseable(source.rel, result.line, result.column, result.parse_error)
                )
        kept = [f for f in here if not fnd.suppressed(data, f)]
        suppressed += len(here) - len(kept)
        found.extend(kept)
    return found, unparsed, suppressed


def _sources(cached: Cached, args: CheckArgs) -> list[Source]:
    """What to check: the given files (folders expand to their Python files), standard input
    (``-``, named by ``--stdin-filename``), or the whole tree. The one place that decides
    which files the gate reads; a path that does not exist is an error."""
    rules = cached.rules
    root = rules.root
    files = list(args.files)
    if not files and args.stdin_filename:
        files = [STDIN]
    if not files:
        every = modules.walk(root, rules.exclude, rules.gitignore, rules.include)[0]
        return [Source(rel, None) for rel in every]
    for f in files:
        if f != STDIN and not os.path.lexists(f):
            raise ImportshiftError(f"no such file or folder: {f}")
    rels: list[str] = []
    folders: list[str] = []
    out: list[Source] = []
    for f in files:
        if f == STDIN:
            rel = _relative(root, args.stdin_filename) if args.stdin_filename else STDIN
            if rel is not None and (rel == STDIN or not cached.excluded(rel)):
                out.append(Source(rel, sys.stdin.buffer.read()))
            continue
        rel = _relative(root, f)
        if rel is None:
            continue  # outside the rules' root: these rules do not govern it
        if os.path.isdir(f):
            folders.append("" if rel == "." else rel + "/")
        elif modules.is_place(f, rel) and not cached.excluded(rel):
            rels.append(rel)
    if folders:
        every = modules.walk(root, rules.exclude, rules.gitignore, rules.include)[0]
        rels.extend(r for r in every if any(r.startswith(f) for f in folders))
    out.extend(Source(rel, None) for rel in sorted(set(rels)))
    return out


def _relative(root: str, path: str) -> str | None:
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return None if rel == ".." or rel.startswith("../") else rel


def _read(root: str, source: Source) -> bytes:
    if source.data is not None:
        return source.data
    try:
        return read_source(os.path.join(root, source.rel))
    except OSError as exc:
        raise ImportshiftError(f"cannot read {source.rel}: {exc.strerror or exc}") from None


def _report(
    out: Output,
    fmt: Format,
    found: list[Finding],
    root: str,
    git: GitBase | None,
    checked: int,
    unparsed: list[str],
    suppressed: int,
) -> None:
    if fmt is Format.JSON:
        import json

        document = {
            "version": 1,
            "command": "check",
            "findings": [f.as_json() for f in found],
            "checked": checked,
            "unparseable": unparsed,
            "suppressed": suppressed,
        }
        out.out(json.dumps(document, indent=2))
        return
    if fmt in (Format.GITHUB, Format.SARIF):
        from importshift.report import github, sarif

        top = git.toplevel if git is not None else github.toplevel(root)
        prefix = github.prefix(root, top)
        if fmt is Format.GITHUB:
            for line in github.workflow_commands(found, prefix):
                out.out(line)
        else:
            out.out(sarif.render(found, prefix))
        return
    for f in found:
        out.out(f"{f.path}:{f.line}:{f.column}: {f.message()}")


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
