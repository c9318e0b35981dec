"""Put a journaled file back as it was before its batch: the one way both ``undo`` and
apply's resume of an interrupted batch revert a file.

- The file is as the batch left it (its bytes hash to the recorded "after", or it is gone
  when the batch deleted it): the stored before-image is written back byte for byte, with
  its mode and owner, and a symlink comes back as a symlink.
- The file is already as it was before: nothing to do.
- The file was edited since: a three-way merge at line level (base: what the tool wrote;
  ours: the file now; theirs: the file before the tool). A clean merge is written only if
  it still parses when the original parsed. A conflict, or a merge that does not parse,
  leaves the file untouched and writes the conflict to ``.migrate/conflicts/`` for the user.

Nothing here ever guesses: text comes from the stored images, the current file, or a clean
merge of the two.
"""

from __future__ import annotations

import ast
import contextlib
import os
from typing import NamedTuple

from importshift.codebase.textio import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    Meta,
    read_bytes,
    write_link,
    write_new,
)
from importshift.ops.journal import DELETED, LINK, BatchRecord, FileRecord
from importshift.ops.merge import merge3
from importshift.ops.objects import Store, digest

RESTORED, ALREADY, MERGED, LEFT = "restored", "already", "merged", "left"
CONFLICTS = os.path.join(".migrate", "conflicts")


class Outcome(NamedTuple):
    path: str
    status: str  # RESTORED, ALREADY, MERGED or LEFT
    reason: str = ""

    @property
    def done(self) -> bool:
        return self.status != LEFT


class _Now(NamedTuple):
    data: bytes | None  # None: the path does not exist
    link: str | None  # the symlink's target when the path is a symlink


def _now(full: str) -> _Now:
    try:
        link: str | None = os.readlink(full)
    except OSError:
        link = None
    try:
        return _Now(read_bytes(full), link)
    except FileNotFoundError:
        return _Now(None, link)


def put_back(root: str, store: Store, rec: FileRecord, batch_id: str) -> Outcome:
    """Revert ``rec`` (a file of batch ``batch_id``); never raises OSError."""
    full = os.path.join(root, rec.path)
    try:
        now = _now(full)
    except OSError as exc:
        return Outcome(rec.path, LEFT, f"cannot read: {exc.strerror or exc}")
    link_ok = rec.kind != LINK or now.link == rec.link
    if now.data is not None and digest(now.data) == rec.before and link_ok:
        return Outcome(rec.path, ALREADY)
    as_left = (
        now.data is None and now.link is None
        if rec.after == DELETED
        else now.data is not None and digest(now.data) == rec.after
    )
    before = store.get(rec.before) if rec.stored else None
    try:
        if as_left:
            if before is None:
                return _legacy(full, rec, now.data or b"")
            _write_before(full, rec, before)
            return Outcome(rec.path, RESTORED)
        if now.data is None:
            return Outcome(rec.path, LEFT, "deleted since the batch; left as it is")
        return _merge(root, store, rec, batch_id, now.data, before)
    except OSError as exc:
        return Outcome(rec.path, LEFT, f"cannot write: {exc}")


def _write_before(full: str, rec: FileRecord, before: bytes) -> None:
    meta = Meta(rec.mode, rec.uid, rec.gid) if rec.mode >= 0 else None
    if rec.kind == LINK:
        if not (os.path.islink(full) and os.readlink(full) == rec.link):
            write_link(full, rec.link)
        current = _now(full).data
        if current is None or digest(current) != rec.before:
            write_new(full, before)  # through the link, keeping the target's metadata
        return
    write_new(full, before, meta)


def _merge(
    root: str, store: Store, rec: FileRecord, batch_id: str, current: bytes, before: bytes | None
) -> Outcome:
    base = b"" if rec.after == DELETED else store.get(rec.after) if rec.stored else None
    if before is None or base is None:
        return Outcome(
            rec.path,
            LEFT,
            "edited since, and .migrate/objects holds no exact copy of "
            + ("what migrate wrote" if before is not None else "its old content")
            + " (an older journal, or a crash lost it); revert it by hand",
        )
    merged = merge3(base, current, before)
    if merged.data is None:
        where = _save(root, batch_id, rec.path, merged.text_with_markers)
        first = merged.conflicts[0]
        return Outcome(
            rec.path,
            LEFT,
            f"edited since, and your edits touch the lines undo would restore "
            f"({len(merged.conflicts)} place(s), first near line {first.start}); left as it "
            f"is, the conflict is in {where}",
        )
    if rec.path.endswith((".py", ".pyi")) and _parses(before) and not _parses(merged.data):
        where = _save(root, batch_id, rec.path, merged.data)
        return Outcome(
            rec.path,
            LEFT,
            f"edited since, and the merged result does not parse; left as it is, the merge "
            f"is in {where}",
        )
    write_new(os.path.join(root, rec.path), merged.data)
    return Outcome(rec.path, MERGED)


def _legacy(full: str, rec: FileRecord, current: bytes) -> Outcome:
    """A record from an older journal: its reverse patch, accepted only when the result
    hashes to the recorded "before"."""
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    text, ok = dmp.patch_apply(dmp.patch_fromText(rec.undo), current.decode("latin-1"))
    try:
        old = str(text).encode("latin-1")
    except UnicodeEncodeError:
        ok = [False]
    if not rec.undo or not all(ok) or digest(old) != rec.before:
        return Outcome(rec.path, LEFT, "the journal's old record does not give back its content")
    write_new(full, old, 0o644 if rec.after == DELETED else None)
    return Outcome(rec.path, RESTORED)


def _parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def _save(root: str, batch_id: str, path: str, data: bytes) -> str:
    rel = os.path.join(CONFLICTS, f"batch-{batch_id}", path + ".conflict")
    write_new(os.path.join(root, rel), data)
    return rel


def revert(root: str, store: Store, batch: BatchRecord) -> list[Outcome]:
    """Put back every file ``batch`` may still have changed (and, for a batch killed in the
    middle of a write, remove the temp files of ours it left next to them)."""
    pending = batch.pending()
    if batch.interrupted:
        _sweep(root, {os.path.dirname(rec.path) for rec in pending})
    return [put_back(root, store, rec, batch.id) for rec in pending]


def _sweep(root: str, folders: set[str]) -> None:
    for folder in folders:
        try:
            names = os.listdir(os.path.join(root, folder))
        except OSError:
            continue
        for name in names:
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, folder, name))
