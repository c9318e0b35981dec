"""Landing one batch: write, verify, roll back what breaks, bisect to the culprits.

Used by ``apply`` (batches of rewritten files) and ``retire`` (shims edited or deleted).
Every batch is journaled before its first write and ended in the journal afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field

from importshift.adapters.verify import Result, Target, Verifier, describe
from importshift.codebase.textio import Meta, atomic_write, meta_of, read_bytes, write_new
from importshift.core.errors import ImportshiftError
from importshift.core.model import SourceFile
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
    pre_existing: list[Result] = field(default_factory=list)


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

    def land(self, journal: Journal, changes: list[Change]) -> BatchReport:
        report = BatchReport(self.batch_id)
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

    def _check(
        self, items: list[_Item], extra: set[Target], ignore: set[Target]
    ) -> dict[Target, Result]:
        files = [
            f
            for i in items
            for f in (i.change.verify if i.change.verify is not None else (i.change.file,))
        ]
        targets = (self.verifier.targets(files) | extra) - ignore
        if not targets:
            return {}
        results = self.verifier.run(targets)
        return {t: r for t, r in results.items() if not r.ok}

    def _verify_and_bisect(
        self, items: list[_Item], report: BatchReport
    ) -> tuple[list[_Item], list[tuple[str, str]], list[Result]]:
        items = self._write(items, report)
        failing = self._check(items, set(), set())
        if not failing:
            return items, [], []
        self._restore([i.change.file.path for i in items])
        before = self.verifier.run(failing)
        pre = {t for t, r in before.items() if not r.ok}
        new_failures = set(failing) - pre
        if not new_failures:
            return self._write(items, report), [], [failing[t] for t in sorted(pre)]
        landed, culprits = self._bisect(items, new_failures, pre, report)
        return landed, culprits, [failing[t] for t in sorted(pre)]

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
            state[os.path.relpath(full, root)] = (st.st_size, st.st_mtime_ns)
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
