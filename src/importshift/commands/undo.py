"""``migrate undo``: revert applied batches from the journal; never lose a later edit."""

from __future__ import annotations

import os

from importshift.codebase.textio import read_bytes, write_new
from importshift.config.locate import rules_path
from importshift.core.errors import ImportshiftError
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.ops.journal import DELETED, BatchRecord, Journal, apply_patch
from importshift.ops.lock import locked
from importshift.report.envelope import JsonOutput
from importshift.rewrite.engine import sha256


def run(opts: Options, out: Output, batch_id: str | None, everything: bool) -> int:
    json_out = JsonOutput(out) if opts.format is Format.JSON else None
    out = json_out or out
    done: list[dict[str, object]] = []
    reverted_total = 0
    rules_file = rules_path(opts.rules, opts.root)
    root = os.path.abspath(opts.root or os.path.dirname(os.path.abspath(rules_file)))
    with locked(root):
        journal = Journal(root)
        applied = [b for b in journal.batches() if b.landed and set(b.landed) - b.undone]
        if batch_id is not None:
            chosen = [b for b in applied if b.id == batch_id]
            if not chosen:
                raise ImportshiftError(
                    f"no applied batch {batch_id!r} left to undo "
                    f"(applied: {', '.join(b.id for b in applied) or 'none'})"
                )
        elif everything:
            chosen = list(reversed(applied))
        else:
            chosen = applied[-1:]
        if not chosen:
            out.err("nothing to undo")
            if json_out is not None:
                json_out.emit("undo", batches=[], summary={"reverted": 0, "left_alone": 0})
            return 0
        left_total = 0
        for batch in chosen:
            reverted, left = _undo(root, batch)
            journal.undone(batch.id, reverted, [{"path": p, "reason": r} for p, r in left])
            for path, reason in left:
                out.out(f"left alone {path} (batch {batch.id}): {reason}")
            out.err(f"batch {batch.id}: {len(reverted)} file(s) reverted, {len(left)} left alone")
            left_total += len(left)
            reverted_total += len(reverted)
            done.append(
                {
                    "id": batch.id,
                    "reverted": reverted,
                    "left_alone": [{"path": p, "reason": r} for p, r in left],
                }
            )
    if json_out is not None:
        json_out.emit(
            "undo",
            batches=done,
            summary={
                "reverted": reverted_total,
                "left_alone": left_total,
            },
        )
    return 1 if left_total else 0


def _undo(root: str, batch: BatchRecord) -> tuple[list[str], list[tuple[str, str]]]:
    reverted: list[str] = []
    left: list[tuple[str, str]] = []
    todo = set(batch.landed or []) - batch.undone
    for rec in batch.files:
        if rec.path not in todo:
            continue
        full = os.path.join(root, rec.path)
        try:
            current = read_bytes(full)
        except FileNotFoundError:
            current = b""  # a retired shim that was deleted
        except OSError as exc:
            left.append((rec.path, f"cannot read: {exc.strerror}"))
            continue
        digest = sha256(current)
        if digest == rec.before:
            reverted.append(rec.path)  # already back to its old content
            continue
        old = apply_patch(rec.undo, current)
        if old is None:
            left.append(
                (rec.path, "edited since and the reverse patch does not apply; revert it by hand")
            )
            continue
        if (digest == rec.after or rec.after == DELETED) and sha256(old) != rec.before:
            left.append((rec.path, "reverse patch did not give back the old content"))
            continue
        try:
            write_new(full, old)
        except OSError as exc:
            left.append((rec.path, f"cannot write: {exc}"))
            continue
        reverted.append(rec.path)
    return reverted, left
