"""rewrite_source: bytes + rules in, new bytes + edits out. Pure: never touches the disk.

Three stages, each cheaper than the next and each a superset filter of the next:
bytes (can the file mention an old name at all?), the stdlib ``ast`` (is there a real
site?), and LibCST only for files that will change.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from importshift.codebase.files import CONFIG, DOCS, NOTEBOOK, kind_of
from importshift.core import prefilter
from importshift.core.model import Edit, FileOutcome, Note, RuleSet, Site, Status
from importshift.rewrite import detect

if TYPE_CHECKING:
    from importshift.rewrite.extra import LoadedCodemod

MAX_BYTES = 2 * 1024 * 1024  # LibCST needs minutes and gigabytes beyond this: generated code


@dataclass(frozen=True, slots=True)
class Rewrite:
    status: Status
    new: bytes | None = None
    edits: tuple[Edit, ...] = ()
    notes: tuple[Note, ...] = ()
    sites: tuple[Site, ...] = ()
    reason: str = ""
    needs_cst: bool = False  # detect() only: an extra codemod may change this file
    mentioned: bool = True  # False: the bytes name no old path (stage one said no)


class Engine:
    """The rules compiled for rewriting many files (one per process, reused)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.tokens = frozenset(t.encode() for t in rules.tokens())
        self.star_tokens = frozenset(t.encode() for t in rules.star_tokens())
        self._codemods: list[LoadedCodemod] | None = None

    @property
    def codemods(self) -> list[LoadedCodemod]:
        if self._codemods is None:
            from importshift.rewrite.extra import load_codemod

            self._codemods = [load_codemod(spec) for spec in self.rules.codemods]
        return self._codemods

    def _codemod_candidate(self, data: bytes) -> bool:
        for loaded in self.codemods:
            tokens = loaded.tokens
            if not tokens or any(t in data for t in tokens):
                return True
        return False

    def detect(
        self,
        data: bytes,
        path: str,
        module: str | None,
        is_package: bool,
        parse: Callable[[bytes], ast.Module] = ast.parse,
    ) -> Rewrite:
        """The sites alone (no LibCST): what ``plan`` reports without ``--diff``.

        Dispatches on the kind of place (``kind_of(path)``): notebooks, docs and config
        files go to ``places``; Python files (also stubs and scripts) are read here, their
        doctests and (``setup.py``) entry-point strings too.
        """
        kind = kind_of(path)
        if kind in _PLACES:
            if not prefilter.mentions(data, self.tokens, self.star_tokens):
                return Rewrite(Status.UNCHANGED)
            from importshift.rewrite.places import detect_place

            return detect_place(self, kind, data, path)
        found = self.detect_python(data, path, module, is_package, parse)
        if not found.mentioned or found.status is Status.SKIPPED or not _embedded(data, path):
            return found
        from importshift.rewrite.places import with_embedded

        return with_embedded(self, found, data, path)

    def rewrite(self, data: bytes, path: str, module: str | None, is_package: bool) -> Rewrite:
        """The new bytes of any place (see ``detect``); LibCST for Python code."""
        kind = kind_of(path)
        if kind in _PLACES:
            if not prefilter.mentions(data, self.tokens, self.star_tokens):
                return Rewrite(Status.UNCHANGED)
            from importshift.rewrite.places import rewrite_place

            return rewrite_place(self, kind, data, path)
        done = self.rewrite_python(data, path, module, is_package)
        if not done.mentioned or done.status in (Status.SKIPPED, Status.FAILED):
            return done
        if not _embedded(data, path):
            return done
        from importshift.rewrite.places import rewrite_embedded

        return rewrite_embedded(self, done, data, path)

    def detect_python(
        self,
        data: bytes,
        path: str,
        module: str | None,
        is_package: bool,
        parse: Callable[[bytes], ast.Module] = ast.parse,
    ) -> Rewrite:
        """The sites of Python code alone (no LibCST).

        A file with sites counts as changed; each site is an edit (old -> new dotted name).
        A file an extra codemod may change is flagged ``needs_cst``: only LibCST can tell.
        ``parse``: how to get the tree (a caller that parses the file anyway shares it).
        """
        extra = bool(self.rules.codemods) and self._codemod_candidate(data)
        if not prefilter.mentions(data, self.tokens, self.star_tokens):
            return Rewrite(Status.UNCHANGED, needs_cst=extra, mentioned=False)
        try:
            tree = parse(data)
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            return Rewrite(Status.SKIPPED, reason=_syntax_reason(exc))
        sites, notes = detect.find_sites(tree, self.rules, module, is_package, data)
        if not sites:
            return Rewrite(Status.UNCHANGED, notes=tuple(notes), needs_cst=extra)
        edits = tuple(Edit(s.rule, s.line, s.column, s.old, s.new) for s in sites)
        return Rewrite(Status.CHANGED, None, edits, tuple(notes), tuple(sites), needs_cst=extra)

    def rewrite_python(
        self, data: bytes, path: str, module: str | None, is_package: bool
    ) -> Rewrite:
        moves = prefilter.mentions(data, self.tokens, self.star_tokens)
        extra = bool(self.rules.codemods) and self._codemod_candidate(data)
        if not moves and not extra:
            return Rewrite(Status.UNCHANGED, mentioned=False)
        if len(data) > MAX_BYTES:
            return Rewrite(Status.SKIPPED, reason=f"larger than {MAX_BYTES // 2**20} MiB")
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            return Rewrite(Status.SKIPPED, reason=_syntax_reason(exc))
        sites, notes = detect.find_sites(tree, self.rules, module, is_package, data)
        if not sites and not extra:
            return Rewrite(Status.UNCHANGED, notes=tuple(notes))
        return self._rewrite_cst(data, path, module, is_package, sites, notes, tree)

    def _rewrite_cst(
        self,
        data: bytes,
        path: str,
        module: str | None,
        is_package: bool,
        sites: list[Site],
        notes: list[Note],
        source: ast.Module,
    ) -> Rewrite:
        import libcst as cst

        from importshift.rewrite.extra import run_codemod
        from importshift.rewrite.moves import rewrite_moves

        try:
            tree = cst.parse_module(data)
        except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError) as exc:
            return Rewrite(
                Status.SKIPPED,
                notes=tuple(notes),
                reason=f"LibCST cannot parse it: {str(exc).splitlines()[0]}",
            )
        code = tree.code  # generating code is a third of a rewrite: once per version
        if code.encode(tree.encoding) != data:
            return Rewrite(
                Status.SKIPPED,
                notes=tuple(notes),
                reason="LibCST does not reproduce this file byte for byte",
            )
        edits: list[Edit] = []
        if sites:
            moved, applied = rewrite_moves(tree, self.rules, module, is_package, source)
            if moved is not tree:
                moved_code = moved.code
                edits.extend(attribute_edits(code, moved_code, sites, applied))
                tree, code = moved, moved_code
        for loaded in self.codemods:
            tree, code, codemod_edits = run_codemod(loaded, tree, code, module, path)
            edits.extend(codemod_edits)
        new = code.encode(tree.encoding)
        if new == data:
            return Rewrite(Status.UNCHANGED, notes=tuple(notes), sites=tuple(sites))
        try:
            ast.parse(new)
        except (SyntaxError, ValueError) as exc:  # never write what does not parse
            return Rewrite(
                Status.FAILED,
                notes=tuple(notes),
                reason=f"internal error: the rewrite does not parse ({exc})",
            )
        return Rewrite(Status.CHANGED, new, tuple(edits), tuple(notes), tuple(sites))


_PLACES = (NOTEBOOK, DOCS, CONFIG)


def _embedded(data: bytes, path: str) -> bool:
    """Whether a Python file may hold doctests or (``setup.py``) entry-point strings."""
    return b">>>" in data or path.endswith("setup.py")


def attribute_edits(
    before: str, after: str, sites: list[Site], applied: list[tuple[str, str]]
) -> list[Edit]:
    """The changed line ranges, each named after the rule that changed it.

    A range holding a detected site takes that site's rule (and column); otherwise the rule
    whose written text appears in it (renamed references), else the first rule applied.
    """
    from importshift.rewrite.extra import line_edits

    fallback = applied[0][0] if applied else (sites[0].rule if sites else "")
    out = []
    for edit in line_edits(fallback, before, after):
        span = max(1, edit.before.count("\n") + 1) if edit.before else 0
        inside = [s for s in sites if edit.line <= s.line < edit.line + span]
        if inside:
            rule, column = inside[0].rule, inside[0].column
        else:
            rule = next((r for r, text in applied if text and text in edit.after), fallback)
            column = _first_difference(edit.before, edit.after)
        out.append(Edit(rule, edit.line, column, edit.before, edit.after))
    return out


def _first_difference(a: str, b: str) -> int:
    """1-based column of the first changed word."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    while i > 0 and (a[i - 1].isalnum() or a[i - 1] == "_"):
        i -= 1
    return i + 1


def _syntax_reason(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"does not parse: line {exc.lineno}: {exc.msg}"
    if isinstance(exc, RecursionError | MemoryError):
        return "does not parse: too deeply nested"
    return f"does not parse: {exc}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileTimeout(Exception):
    """Raised (by an alarm) in a worker when one file takes too long."""


def outcome(path: str, data: bytes, result: Rewrite, want_diff: bool = False) -> FileOutcome:
    """A FileOutcome for ``path`` from its bytes and rewrite result."""
    diff = ""
    if want_diff and result.new is not None:
        diff = unified_diff(path, data, result.new)
    return FileOutcome(
        path,
        result.status,
        sha256(data),
        result.edits,
        result.notes,
        result.reason,
        result.new,
        diff,
        sites=result.sites,
    )


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    import difflib

    from importshift.codebase.textio import decode

    a = decode(old).splitlines(keepends=True)
    b = decode(new).splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, f"a/{path}", f"b/{path}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
