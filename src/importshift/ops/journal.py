"""``.migrate/journal.jsonl``: every batch before it is written and after it is verified.

Each changed file is recorded with its hash before and after and a reverse patch
(diff-match-patch over the bytes read as latin-1, so any byte survives), which is what
resume and ``undo`` use. The journal is append-only and fsynced line by line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch

from importshift.ops.lock import state_dir

JOURNAL = "journal.jsonl"
DELETED = "deleted"  # the "after" hash of a file the batch removed


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def reverse_patch(old: bytes, new: bytes) -> str:
    """A patch that turns ``new`` back into ``old``."""
    dmp = diff_match_patch()
    return str(dmp.patch_toText(dmp.patch_make(_text(new), _text(old))))


def apply_patch(patch: str, current: bytes) -> bytes | None:
    """``current`` with ``patch`` applied, or None when any hunk does not apply."""
    dmp = diff_match_patch()
    patches = dmp.patch_fromText(patch)
    text, results = dmp.patch_apply(patches, _text(current))
    if not all(results):
        return None
    try:
        return str(text).encode("latin-1")
    except UnicodeEncodeError:
        return None


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    before: str
    after: str
    undo: str


@dataclass
class BatchRecord:
    id: str
    files: list[FileRecord]
    landed: list[str] | None = None  # None: begun, never finished (interrupted)
    undone: set[str] = field(default_factory=set)
    rules: list[str] = field(default_factory=list)


class Journal:
    def __init__(self, root: str) -> None:
        self.root = root
        self.path = os.path.join(root, ".migrate", JOURNAL)

    def _append(self, entry: dict[str, object]) -> None:
        state_dir(self.root)
        line = json.dumps(entry, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def begin(self, batch_id: str, files: list[FileRecord], rules: list[str]) -> None:
        self._append(
            {
                "event": "begin",
                "batch": batch_id,
                "rules": rules,
                "files": [
                    {"path": f.path, "before": f.before, "after": f.after, "undo": f.undo}
                    for f in files
                ],
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

    def entries(self) -> Iterator[dict[str, object]]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a kill: the batch counts as unfinished
                    if isinstance(entry, dict):
                        yield entry
        except FileNotFoundError:
            return

    def batches(self) -> list[BatchRecord]:
        found: dict[str, BatchRecord] = {}
        for e in self.entries():
            bid = str(e.get("batch"))
            if e.get("event") == "begin":
                raw = e.get("files", [])
                files = [
                    FileRecord(str(f["path"]), str(f["before"]), str(f["after"]), str(f["undo"]))
                    for f in (raw if isinstance(raw, list) else [])
                ]
                found[bid] = BatchRecord(bid, files, rules=list(e.get("rules", [])))  # type: ignore[call-overload]
            elif e.get("event") == "end" and bid in found:
                found[bid].landed = list(e.get("landed", []))  # type: ignore[call-overload]
            elif e.get("event") == "undo" and bid in found:
                found[bid].undone.update(e.get("reverted", []))  # type: ignore[arg-type]
        return list(found.values())

    def next_id(self) -> int:
        return len(self.batches()) + 1
