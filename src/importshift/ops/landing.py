"""Landing one batch: write, verify, roll back what breaks, bisect to the culprits.

Used by ``apply`` (batches of rewritten files) and ``retire`` (shims edited or deleted).
Every batch is journaled before its first write and ended in the journal afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from importshift.adapters.results import Result, Target
from importshift.adapters.verify import NoVerifier, Verifier, describe, shadowed
from importshift.codebase.textio import Meta, atomic_write, meta_of, read_bytes, write_new
from importshift.core.errors import ImportshiftError
from importshift.core.model import Edit, SourceFile
from importshift.ops.journal import DELETED, FILE, LINK, FileRecord, Journal
from importshift.ops.objects import Store
from importshift.rewrite.engine import sha256


@dataclass(frozen=True, slots=True)
class Change:
    file: SourceFile
    sha: str  # of the content the plan was made from
    new: bytes | None  # None: the file is deleted (a retired shim)
    rules: tuple[str, ...]
    verify: tuple[SourceFile, ...] | None = None  # what to verify instead of the file itself
    edits: tuple[Edit, ...] = ()  # what the rewrite changed (for the static check)


@dataclass(slots=True)
class _Item:
    change: Change
    old: bytes


@dataclass
class BatchReport:
    id: str
    landed: list[str] = field(default_factory=list)
    rolled_back: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    pre_existing: list[Result] = field(default_factory=list)  # each as it failed BEFORE
    # landed path -> None (imported at runtime after the write) or why it was not
    runtime: dict[str, str | None] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # target, what was seen


class Lander:
    """Writes one batch, verifies it, and bisects what breaks."""

    def __init__(
        self, root: str, verifier: Verifier, watch: WriteWatch | None, batch_id: str
    ) -> None:
        self.root = root
        self.verifier = verifier
        self.watch = watch
        self.batch_id = batch_id
        self.written: dict[str, bytes] = {}  # path -> old bytes, currently holding new
        self.modes: dict[str, Meta] = {}
        self.before: dict[Target, Result] = {}  # failing targets, as they ran on the old files
        self.seen: dict[Target, Result] = {}  # every result on the written batch

    def land(self, journal: Journal, changes: list[Change]) -> BatchReport:
        report = BatchReport(self.batch_id)
        self.verifier.prove([c.file for c in changes])  # once per verifier; may refuse
        items: list[_Item] = []
        for change in changes:
            full = os.path.join(self.root, change.file.path)
            try:
                old = read_bytes(full)
            except OSError as exc:
                report.skipped.append((change.file.path, f"cannot read: {exc.strerror}"))
                continue
            if sha256(old) != change.sha:
                report.stale.append((change.file.path, "changed since it was planned"))
            elif not os.access(full, os.W_OK) or not os.stat(full).st_mode & 0o200:
                report.skipped.append((change.file.path, "read-only"))
            else:
                items.append(_Item(change, old))
        records = _records(self.root, items)
        journal.begin(self.batch_id, records, sorted({r for i in items for r in i.change.rules}))
        try:
            landed, culprits, pre = self._verify_and_bisect(items, report)
        except BaseException:
            with no_interrupts():
                self._restore(list(self.written))
                journal.end(self.batch_id, [], [], interrupted=True)
            raise
        report.landed = [i.change.file.path for i in landed]
        report.rolled_back.extend(culprits)
        report.pre_existing = pre
        report.runtime = self._runtime(landed)
        report.notes = sorted({(describe(t), n) for t, r in self.seen.items() for n in r.notes})
        journal.end(
            self.batch_id, report.landed, [{"path": p, "reason": r} for p, r in report.rolled_back]
        )
        return report

    def _write(self, items: list[_Item], report: BatchReport) -> list[_Item]:
        ok = []
        for item in items:
            path = item.change.file.path
            full = os.path.join(self.root, path)
            try:
                with no_interrupts():
                    self.modes[path] = meta_of(os.stat(full))
                    if item.change.new is None:
                        os.unlink(full)
                    else:
                        atomic_write(full, item.change.new)
                    self.written[path] = item.old
                    if self.watch is not None:
                        self.watch.wrote(path)
            except OSError as exc:
                report.skipped.append((path, f"cannot write: {exc}"))
                continue
            ok.append(item)
        return ok

    def _restore(self, paths: list[str]) -> None:
        for path in paths:
            old = self.written.pop(path, None)
            if old is not None:
                with no_interrupts():
                    write_new(os.path.join(self.root, path), old, self.modes.get(path))
                    if self.watch is not None:
                        self.watch.wrote(path)

    def _files(self, items: list[_Item]) -> list[SourceFile]:
        return [
            f
            for i in items
            for f in (i.change.verify if i.change.verify is not None else (i.change.file,))
        ]

    def _check(
        self, items: list[_Item], extra: set[Target], ignore: set[Target]
    ) -> dict[Target, Result]:
        """The failures this batch is to blame for: new ones, or different from before."""
        targets = (self.verifier.targets(self._files(items)) | extra) - ignore
        if not targets:
            return {}
        results = self.verifier.run(targets)
        self.seen.update(results)
        return {t: r for t, r in results.items() if self._blamed(t, r)}

    def _blamed(self, target: Target, result: Result) -> bool:
        if result.ok:
            return False
        old = self.before.get(target)
        return old is None or old.ok or old.signature != result.signature

    def _verify_and_bisect(
        self, items: list[_Item], report: BatchReport
    ) -> tuple[list[_Item], list[tuple[str, str]], list[Result]]:
        """Pre-existing means the same failure (signature) with the batch rolled back; the
        failure reported as pre-existing is the one from before."""
        items = self._write(items, report)
        failing = self._check(items, set(), set())
        if not failing:
            return items, [], []
        self._restore([i.change.file.path for i in items])
        self.before = self.verifier.run(failing)
        pre = {t for t, r in failing.items() if not self._blamed(t, r)}
        quoted = [self.before[t] for t in sorted(pre)]
        new_failures = set(failing) - pre
        if not new_failures:
            return self._write(items, report), [], quoted
        landed, culprits = self._bisect(items, new_failures, pre, report)
        return landed, culprits, quoted

    def _runtime(self, landed: list[_Item]) -> dict[str, str | None]:
        """Per landed file: None when its import (collect, command) ran fine after the
        write, else why it could not be checked at runtime."""
        out: dict[str, str | None] = {}
        none = isinstance(self.verifier, NoVerifier)
        for item in landed:
            path = item.change.file.path
            files = self._files([item])
            targets = sorted(self.verifier.targets(files))
            why: str | None = None
            if none:
                why = "--verify none"
            elif not targets:
                why = next(
                    (f"shadowed: {s}" for f in files if (s := shadowed(self.root, f))),
                    "nothing left to import",
                )
            for t in targets:
                if why is not None:
                    break
                old = self.before.get(t)
                if t.kind == "compile":
                    why = "outside the source roots (compiled only)"
                elif old is not None and not old.ok:
                    why = old.cause() or old.verdict.value
            out[path] = why
        return out

    def _bisect(
        self, items: list[_Item], watch: set[Target], pre: set[Target], report: BatchReport
    ) -> tuple[list[_Item], list[tuple[str, str]]]:
        written = self._write(items, report)
        bad = self._check(written, watch, pre)
        if not bad:
            return written, []
        self._restore([i.change.file.path for i in written])
        if len(written) <= 1:
            reason = "; ".join(f"{describe(t)}: {r.summary()}" for t, r in sorted(bad.items()))
            return [], [(i.change.file.path, reason) for i in written]
        mid = len(written) // 2
        left = self._bisect(written[:mid], watch, pre, report)
        right = self._bisect(written[mid:], watch, pre, report)
        return left[0] + right[0], left[1] + right[1]


def _records(root: str, items: list[_Item]) -> list[FileRecord]:
    """The journal's view of each file, after its before- and after-images are stored
    durably (a failure here refuses the batch before anything is written)."""
    records = []
    for i in items:
        full = os.path.join(root, i.change.file.path)
        st = os.stat(full)
        link = os.readlink(full) if os.path.islink(full) else ""
        records.append(
            FileRecord(
                i.change.file.path,
                i.change.sha,
                DELETED if i.change.new is None else sha256(i.change.new),
                kind=LINK if link else FILE,
                link=link,
                mode=st.st_mode & 0o7777,
                uid=st.st_uid,
                gid=st.st_gid,
            )
        )
    store = Store(root)
    try:
        # what undo restores must survive a crash; what was written is only the merge base
        store.put_all([i.old for i in items])
        store.put_all([i.change.new for i in items if i.change.new is not None], durable=False)
    except OSError as exc:
        raise ImportshiftError(
            f"cannot store the files' old content in .migrate/objects: {exc}; nothing was changed"
        ) from None
    return records


@dataclass(frozen=True, slots=True)
class Coverage:
    """How the touched files were checked: imported at runtime after the write, statically
    only (their written imports resolve; the runtime could not say), or not checkable."""

    touched: int = 0
    runtime: int = 0
    static_only: int = 0
    unchecked: int = 0
    causes: tuple[tuple[str, int], ...] = ()  # why not at runtime, most frequent first

    def as_dict(self) -> dict[str, object]:
        return {
            "touched": self.touched,
            "runtime": self.runtime,
            "static_only": self.static_only,
            "not_checkable": self.unchecked,
            "causes": [{"cause": c, "count": n} for c, n in self.causes],
        }

    def lines(self, python: str | None) -> list[str]:
        """The summary said out loud, and a warning when under half ran at runtime."""
        if not self.touched:
            return []
        out = [
            f"coverage: {self.touched} touched file(s): {self.runtime} verified at runtime, "
            f"{self.static_only} statically only, {self.unchecked} not checkable"
        ]
        if self.causes:
            shown = "; ".join(f"{c} x {n}" for c, n in self.causes[:8])
            more = f"; {len(self.causes) - 8} more cause(s)" if len(self.causes) > 8 else ""
            out.append(f"  not verified at runtime: {shown}{more}")
        if self.runtime * 2 < self.touched:
            if self.causes and self.causes[0][0] == "--verify none":
                advice = "run without --verify none to import them"
            else:
                where = f"into {python}" if python else "into the verification interpreter"
                advice = (
                    f"install the project's dependencies {where}, or pass --python with the "
                    "interpreter that has them"
                )
            out.append(
                f"warning: only {self.runtime} of {self.touched} touched file(s) could be "
                f"verified at runtime; {advice}"
            )
        return out


def coverage_of(reports: list[BatchReport], static: Mapping[str, bool] | None = None) -> Coverage:
    """Coverage of the landed files. ``static``: path -> its written imports were all
    proven (False: some cannot be told); a path not in it wrote nothing to prove.

    ``retire`` calls ``coverage_of([report]).lines(verifier.interpreter.path)``."""
    runtime = static_only = unchecked = 0
    causes: Counter[str] = Counter()
    for report in reports:
        for path in report.landed:
            why = report.runtime.get(path, "not verified")
            if why is None:
                runtime += 1
                continue
            causes[why] += 1
            if why.startswith("shadowed") or not (static or {}).get(path, True):
                unchecked += 1
            else:
                static_only += 1
    ranked = tuple(sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])))
    return Coverage(runtime + static_only + unchecked, runtime, static_only, unchecked, ranked)


_SKIP_DIRS = {".migrate", ".git", "__pycache__", ".venv", "venv", "node_modules", ".tox"}


class WriteWatch:
    """Files that changed while apply ran and that apply did not write: what code run by
    verification wrote. One walk of the tree before the first write and one at the end
    (a walk around every verification made large trees quadratic)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.before = tree_state(root)
        self.ours: dict[str, tuple[int, int] | None] = {}  # what our last write left

    def wrote(self, path: str) -> None:
        path = path.replace(os.sep, "/")
        try:
            st = os.lstat(os.path.join(self.root, path))
        except OSError:
            self.ours[path] = None
        else:
            self.ours[path] = (st.st_size, st.st_mtime_ns)

    def others(self) -> set[str]:
        expected = dict(self.before)
        for path, state in self.ours.items():
            if state is None:
                expected.pop(path, None)
            else:
                expected[path] = state
        return changed_paths(expected, tree_state(self.root))


def tree_state(root: str) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime) of every file under root: to see what verified code wrote."""
    state: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            full = os.path.join(folder, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            # POSIX paths, as apply names them (else on Windows every file it wrote differs)
            state[os.path.relpath(full, root).replace(os.sep, "/")] = (st.st_size, st.st_mtime_ns)
    return state


def changed_paths(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@contextlib.contextmanager
def no_interrupts() -> Iterator[None]:
    """Ctrl-C waits until the write in hand is complete (never a half-restored batch)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def land(
    root: str,
    verifier: Verifier,
    journal: Journal,
    batch_id: str,
    changes: list[Change],
    watch: WriteWatch | None = None,
) -> BatchReport:
    """Write ``changes`` as batch ``batch_id``, verify them, keep what passes."""
    return Lander(root, verifier, watch, batch_id).land(journal, changes)
