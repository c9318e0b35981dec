"""``.migrate/journal.jsonl``: a write-ahead journal of every batch.

A batch's ``begin`` record names each file with the hashes of its content before and after,
its kind (file or symlink), mode and owner; the exact bytes of both sides are already in
``.migrate/objects`` (see ``objects.Store``) when the record is written. ``begin`` is
durable (the file and its folder fsynced) before the first file of the batch is written,
so a batch cut short by ``kill -9`` can still be undone. ``end`` says which files landed.

Reading is forgiving and loud: a line cut short (a kill or a full disk) or a record that is
not what it should be is skipped with a warning naming the journal and the line; the next
append starts on a fresh line, so a cut line never swallows a later record. Batch ids are
numbers, always one more than the largest id seen anywhere in the file (garbled lines
included), so ids never repeat. A write that fails is cut back to the previous end of the
file and raised as ``JournalError`` (exit 2, before anything was changed).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from importshift.codebase.textio import fsync_dir
from importshift.core.errors import ImportshiftError
from importshift.ops.lock import state_dir

JOURNAL = "journal.jsonl"
DELETED = "deleted"  # the "after" hash of a file the batch removed
FILE, LINK = "file", "link"
_ID = re.compile(rb'"batch"\s*:\s*"?(\d+)')


class JournalError(ImportshiftError):
    """The journal cannot be written."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    before: str  # sha256 of the bytes before the batch
    after: str  # sha256 of the bytes the batch wrote, or DELETED
    undo: str = ""  # legacy journals: a reverse patch (no stored images)
    kind: str = FILE  # what the path was before: FILE or LINK
    link: str = ""  # the symlink's target when kind is LINK
    mode: int = -1
    uid: int = -1
    gid: int = -1
    stored: bool = True  # both images are in .migrate/objects

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
            "link": self.link,
            "mode": self.mode,
            "uid": self.uid,
            "gid": self.gid,
            "stored": self.stored,
        }


@dataclass
class BatchRecord:
    id: str
    files: list[FileRecord]
    landed: list[str] | None = None  # None: begun, never finished (interrupted)
    undone: set[str] = field(default_factory=set)
    rules: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def interrupted(self) -> bool:
        return self.landed is None

    def pending(self) -> list[FileRecord]:
        """The files this batch may still have changed: landed (or, when interrupted, all)
        and not undone."""
        live = None if self.landed is None else set(self.landed)
        return [
            f for f in self.files if (live is None or f.path in live) and f.path not in self.undone
        ]


class Journal:
    def __init__(self, root: str) -> None:
        self.root = root
        self.path = os.path.join(root, ".migrate", JOURNAL)
        self.shown = os.path.join(".migrate", JOURNAL)
        self.warnings: list[str] = []

    # writing

    def _append(self, entry: dict[str, object]) -> None:
        folder = state_dir(self.root)
        line = (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise JournalError(f"cannot open the journal {self.shown}: {exc}") from None
        try:
            size = os.fstat(fd).st_size
            if size and _last_byte(fd, size) != b"\n":
                line = b"\n" + line  # a line cut short before: never glue onto it
            try:
                _write_all(fd, line)
                os.fsync(fd)
            except OSError as exc:
                try:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    pass
                raise JournalError(f"cannot write the journal {self.shown}: {exc}") from None
        finally:
            os.close(fd)
        if not size:
            fsync_dir(folder)

    def begin(self, batch_id: str, files: list[FileRecord], rules: list[str]) -> None:
        self._append(
            {
                "event": "begin",
                "v": 2,
                "batch": batch_id,
                "rules": rules,
                "files": [f.to_json() for f in files],
            }
        )

    def end(
        self,
        batch_id: str,
        landed: list[str],
        rolled_back: list[dict[str, str]],
        interrupted: bool = False,
    ) -> None:
        self._append(
            {
                "event": "end",
                "batch": batch_id,
                "landed": landed,
                "rolled_back": rolled_back,
                "interrupted": interrupted,
            }
        )

    def undone(self, batch_id: str, reverted: list[str], left: list[dict[str, str]]) -> None:
        self._append({"event": "undo", "batch": batch_id, "reverted": reverted, "left": left})

    # reading

    def _lines(self) -> list[tuple[int, bytes, bool]]:
        """(line number, bytes, complete) for every non-empty line."""
        try:
            with open(self.path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise JournalError(f"cannot read the journal {self.shown}: {exc}") from None
        parts = data.split(b"\n")
        return [(n, raw, n < len(parts)) for n, raw in enumerate(parts, start=1) if raw.strip()]

    def batches(self) -> list[BatchRecord]:
        """Every batch in journal order; problems go to ``self.warnings``."""
        self.warnings = []
        found: list[BatchRecord] = []
        latest: dict[str, BatchRecord] = {}  # an event names the latest batch of its id
        for n, raw, complete in self._lines():
            where = f"{self.shown}:{n}"
            try:
                entry = json.loads(raw.decode("utf-8"))
            except ValueError:
                why = "cut short" if not complete else "not a JSON record"
                self.warnings.append(f"warning: {where}: {why}; skipped")
                continue
            try:
                event, bid = _head(entry)
                if event == "begin":
                    batch = BatchRecord(bid, _files(entry), rules=_strs(entry, "rules"), line=n)
                    found.append(batch)
                    latest[bid] = batch
                elif event in ("end", "undo"):
                    target = latest.get(bid)
                    if target is None:
                        raise _Bad(f"{event} of batch {bid}, which never began")
                    if event == "end":
                        target.landed = _strs(entry, "landed")
                    else:
                        target.undone.update(_strs(entry, "reverted"))
                else:
                    raise _Bad(f"unknown event {event!r}")
            except _Bad as exc:
                self.warnings.append(f"warning: {where}: {exc}; skipped")
        return found

    def next_id(self) -> int:
        """One more than the largest batch id anywhere in the journal, garbled lines too."""
        ids = [int(m) for _, raw, _ in self._lines() for m in _ID.findall(raw)]
        return max(ids, default=0) + 1


class _Bad(Exception):
    pass


def _last_byte(fd: int, size: int) -> bytes:
    os.lseek(fd, size - 1, os.SEEK_SET)  # appends still go to the end (O_APPEND)
    return os.read(fd, 1)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _head(entry: object) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise _Bad("a record that is not an object")
    event, bid = entry.get("event"), entry.get("batch")
    if not isinstance(event, str) or not isinstance(bid, str | int) or isinstance(bid, bool):
        raise _Bad("a record without a valid event and batch id")
    return event, str(bid)


def _strs(entry: dict[str, object], key: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"wrong types: {key!r} is not a list of strings")
    return list(value)


def _files(entry: dict[str, object]) -> list[FileRecord]:
    raw = entry.get("files")
    if not isinstance(raw, list):
        raise _Bad("wrong types: 'files' is not a list")
    out = []
    for i, f in enumerate(raw):
        if not isinstance(f, dict):
            raise _Bad(f"wrong types: files[{i}] is not an object")
        text = {k: f.get(k, "") for k in ("path", "before", "after", "undo", "kind", "link")}
        nums = {k: f.get(k, -1) for k in ("mode", "uid", "gid")}
        bad = [k for k, v in text.items() if not isinstance(v, str)]
        bad += [k for k, v in nums.items() if not isinstance(v, int) or isinstance(v, bool)]
        if bad or not text["path"] or text["kind"] not in ("", FILE, LINK):
            raise _Bad(f"wrong types: files[{i}].{(bad or ['path'])[0]}")
        parts = str(text["path"]).replace("\\", "/").split("/")
        if os.path.isabs(str(text["path"])) or ".." in parts:
            raise _Bad(f"files[{i}].path {text['path']!r} leaves the repository")
        legacy = entry.get("v") != 2
        out.append(
            FileRecord(
                str(text["path"]),
                str(text["before"]),
                str(text["after"]),
                str(text["undo"]),
                str(text["kind"] or FILE),
                str(text["link"]),
                int(nums["mode"]),
                int(nums["uid"]),
                int(nums["gid"]),
                stored=not legacy and f.get("stored") is not False,
            )
        )
    return out
