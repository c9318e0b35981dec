"""Files -> outcomes (in worker processes) -> Plan -> batches. No printing, no writing."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from importshift import modules
from importshift.engine import Engine, outcome
from importshift.model import FileOutcome, Note, RuleSet, Status
from importshift.modules import Skip, SourceFile

_IN_PROCESS_BELOW = 256


@dataclass(frozen=True)
class Plan:
    """Every file a run looked at that is not plainly unchanged, sorted by path."""

    outcomes: tuple[FileOutcome, ...]
    scanned: int
    walk_skips: tuple[Skip, ...] = ()

    @property
    def changed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status is Status.CHANGED]

    @property
    def problems(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in (Status.SKIPPED, Status.FAILED)]

    @property
    def notes(self) -> list[tuple[str, Note]]:
        return [(o.path, n) for o in self.outcomes for n in o.notes]


def batches(paths: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """Consecutive groups of at most ``size`` paths (sorted input keeps packages together)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [tuple(paths[i : i + size]) for i in range(0, len(paths), size)]


def source_files(rules: RuleSet, all_files: Sequence[str], all_skips: Sequence[Skip],
                 paths: Iterable[str] = ()) -> tuple[list[SourceFile], list[Skip]]:
    """The files a run covers: the whole tree, or the given paths inside it."""
    files, skips = list(all_files), list(all_skips)
    wanted = [os.path.relpath(os.path.abspath(p), rules.root).replace(os.sep, "/")
              for p in paths]
    if wanted:
        keep = set()
        for w in wanted:
            prefix = "" if w == "." else w.rstrip("/") + "/"
            keep.update(f for f in files if f == w or f.startswith(prefix))
        files = sorted(keep)
        skips = [s for s in skips if any(s.path == w or s.path.startswith(w + "/")
                                         or w == "." for w in wanted)]
    return [modules.source_file(f, rules.source_roots) for f in files], skips


# -- per process ----------------------------------------------------------------------------

_STATE: dict[str, object] = {}


def _init(rules: RuleSet, want_diff: bool, exact: bool) -> None:
    _STATE["engine"] = Engine(rules)
    _STATE["diff"] = want_diff
    _STATE["exact"] = exact


def process_file(engine: Engine, root: str, f: SourceFile, want_diff: bool,
                 exact: bool = True) -> FileOutcome:
    """Read and rewrite one file (or, not exact, only find its sites); never raises."""
    try:
        with open(os.path.join(root, f.path), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileOutcome(f.path, Status.SKIPPED, reason=f"cannot read: {exc.strerror}")
    try:
        run = engine.rewrite if exact else engine.detect
        result = run(data, f.path, f.module, f.is_package)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a run
        return FileOutcome(f.path, Status.FAILED,
                           reason=f"internal error: {type(exc).__name__}: {exc}")
    return outcome(f.path, data, result, want_diff)


def _work(chunk: list[SourceFile]) -> list[FileOutcome]:
    engine = _STATE["engine"]
    assert isinstance(engine, Engine)
    want_diff, exact = bool(_STATE["diff"]), bool(_STATE["exact"])
    out = []
    for f in chunk:
        o = process_file(engine, engine.rules.root, f, want_diff, exact)
        if o.status is not Status.UNCHANGED or o.notes:
            out.append(o)
    return out


def scan(rules: RuleSet, files: Sequence[SourceFile], jobs: int = 0, want_diff: bool = False,
         progress: Callable[[int], None] | None = None, exact: bool = True
         ) -> list[FileOutcome]:
    """Rewrite (in memory) every file; returns the outcomes worth reporting, sorted.

    ``exact=False`` only finds the sites (stdlib ``ast``), which is what a plain plan needs.
    """
    jobs = jobs or os.cpu_count() or 1
    results: list[FileOutcome] = []
    if jobs == 1 or len(files) < _IN_PROCESS_BELOW:
        engine = Engine(rules)
        for f in files:
            o = process_file(engine, rules.root, f, want_diff, exact)
            if o.status is not Status.UNCHANGED or o.notes:
                results.append(o)
            if progress:
                progress(1)
    else:
        for chunk_result, size in _parallel(rules, files, jobs, want_diff, exact):
            results.extend(chunk_result)
            if progress:
                progress(size)
    results.sort(key=lambda o: o.path)
    return results


def _parallel(rules: RuleSet, files: Sequence[SourceFile], jobs: int, want_diff: bool,
              exact: bool) -> Iterator[tuple[list[FileOutcome], int]]:
    size = max(16, min(256, len(files) // (jobs * 8) or 1))
    chunks = [list(files[i : i + size]) for i in range(0, len(files), size)]
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    pending = list(range(len(chunks)))
    while pending:
        retry: list[int] = []
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init,
                                 initargs=(rules, want_diff, exact)) as pool:
            futures = {i: pool.submit(_work, chunks[i]) for i in pending}
            for i, future in futures.items():
                try:
                    yield future.result(), len(chunks[i])
                except BrokenProcessPool:
                    retry.append(i)
        if retry and all(len(chunks[i]) == 1 for i in retry):
            for i in retry:  # a file that kills its worker: report it, never the run
                f = chunks[i][0]
                yield [FileOutcome(f.path, Status.SKIPPED,
                                   reason="the parser crashed on this file")], 1
            return
        pending = []
        for i in retry:  # split the failed chunks to isolate the file that crashes
            chunk = chunks[i]
            for f in chunk:
                chunks.append([f])
                pending.append(len(chunks) - 1)
