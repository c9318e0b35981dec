"""``migrate undo``: revert batches from the journal, exactly or by a clean merge, never by
a guess.

Chooses the batches (the last one by default, ``--batch ID``, or ``--all`` newest first),
including a batch that was interrupted (begun, never ended). An older batch whose files a
later, still applied batch also changed is refused unless that later batch is undone first
(or ``--force-order``). Each file is put back by ``ops.restore.put_back``; a file that
cannot be is left as it is and reported (exit 1).
"""

from __future__ import annotations

import os

from importshift.config.locate import rules_path
from importshift.core.errors import ImportshiftError, RefusedError
from importshift.core.options import Format, Options
from importshift.core.output import Output
from importshift.ops.journal import BatchRecord, Journal
from importshift.ops.lock import locked
from importshift.ops.objects import Store
from importshift.ops.restore import MERGED, revert
from importshift.report.envelope import JsonOutput


def run(
    opts: Options,
    out: Output,
    batch_id: str | None,
    everything: bool,
    force_order: bool = False,
) -> int:
    json_out = JsonOutput(out) if opts.format is Format.JSON else None
    out = json_out or out
    done: list[dict[str, object]] = []
    reverted_total = 0
    root = _root(opts)
    with locked(root):
        journal = Journal(root)
        batches = journal.batches()
        for warning in journal.warnings:
            out.err(warning)
        pending = [b for b in batches if b.pending()]
        chosen = _choose(pending, batch_id, everything)
        if not chosen:
            out.err("nothing to undo")
            if json_out is not None:
                json_out.emit("undo", batches=[], summary={"reverted": 0, "left_alone": 0})
            return 0
        if not force_order:
            _check_order(pending, chosen)
        store = Store(root)
        left_total = 0
        for batch in chosen:
            outcomes = revert(root, store, batch)
            reverted = [o.path for o in outcomes if o.done]
            left = [o for o in outcomes if not o.done]
            journal.undone(batch.id, reverted, [{"path": o.path, "reason": o.reason} for o in left])
            for o in outcomes:
                if o.status == MERGED:
                    out.out(f"merged {o.path} (batch {batch.id}): your later edits are kept")
            for o in left:
                out.out(f"left alone {o.path} (batch {batch.id}): {o.reason}")
            state = " (interrupted batch)" if batch.interrupted else ""
            out.err(
                f"batch {batch.id}{state}: {len(reverted)} file(s) reverted, {len(left)} left alone"
            )
            left_total += len(left)
            reverted_total += len(reverted)
            done.append(
                {
                    "id": batch.id,
                    "interrupted": batch.interrupted,
                    "reverted": reverted,
                    "merged": [o.path for o in outcomes if o.status == MERGED],
                    "left_alone": [{"path": o.path, "reason": o.reason} for o in left],
                }
            )
    if json_out is not None:
        json_out.emit(
            "undo", batches=done, summary={"reverted": reverted_total, "left_alone": left_total}
        )
    return 1 if left_total else 0


def _root(opts: Options) -> str:
    if opts.root:
        return os.path.abspath(opts.root)
    return os.path.abspath(os.path.dirname(os.path.abspath(rules_path(opts.rules, opts.root))))


def _choose(
    pending: list[BatchRecord], batch_id: str | None, everything: bool
) -> list[BatchRecord]:
    if batch_id is not None:
        chosen = [b for b in pending if b.id == batch_id][-1:]
        if not chosen:
            raise ImportshiftError(
                f"no applied batch {batch_id!r} left to undo "
                f"(applied: {', '.join(b.id for b in pending) or 'none'})"
            )
        return chosen
    if everything:
        return list(reversed(pending))
    return pending[-1:]


def _check_order(pending: list[BatchRecord], chosen: list[BatchRecord]) -> None:
    """Refuse to undo a batch while a later batch not being undone changed its files."""
    leaving = {id(b) for b in chosen}
    for batch in chosen:
        mine = {f.path for f in batch.pending()}
        later = pending[pending.index(batch) + 1 :]
        for other in later:
            if id(other) in leaving:
                continue
            shared = sorted(mine & {f.path for f in other.pending()})
            if shared:
                raise RefusedError(
                    f"batch {other.id} changed {shared[0]}"
                    + (f" (and {len(shared) - 1} more)" if len(shared) > 1 else "")
                    + f" after batch {batch.id}: undo batch {other.id} first, or pass "
                    "--force-order to merge the older undo into the newer state"
                )
