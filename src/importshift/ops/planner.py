"""Files -> outcomes (in worker processes) -> Plan -> batches. No printing, no writing."""

from __future__ import annotations

import ast
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from importshift.codebase import files as modules
from importshift.core.model import FileOutcome, Note, RuleSet, Skip, SourceFile, Status
from importshift.ops import watchdog
from importshift.rewrite.engine import Engine, FileTimeout, outcome

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


def source_files(
    rules: RuleSet, all_files: Sequence[str], all_skips: Sequence[Skip], paths: Iterable[str] = ()
) -> tuple[list[SourceFile], list[Skip]]:
    """The files a run covers: the whole tree, or the given paths inside it."""
    files, skips = list(all_files), list(all_skips)
    wanted = [os.path.relpath(os.path.abspath(p), rules.root).replace(os.sep, "/") for p in paths]
    if wanted:
        keep: set[str] = set()
        for w in wanted:
            prefix = "" if w == "." else w.rstrip("/") + "/"
            keep.update(f for f in files if f == w or f.startswith(prefix))
        files = sorted(keep)
        skips = [
            s
            for s in skips
            if any(s.path == w or s.path.startswith(w + "/") or w == "." for w in wanted)
        ]
    return [modules.source_file(f, rules.source_roots) for f in files], skips


# -- per process ----------------------------------------------------------------------------

FILE_SECONDS: float = 120  # one file may take this long in LibCST before it is skipped

_STATE: dict[str, object] = {}


def _init(rules: RuleSet, want_diff: bool, exact: bool, seconds: float = FILE_SECONDS) -> None:
    _STATE["engine"] = Engine(rules)
    _STATE["diff"] = want_diff
    _STATE["exact"] = exact
    _STATE["seconds"] = seconds
    if exact:  # imported here, so that a spawned worker's start is not billed to a file
        import libcst  # noqa: F401

        import importshift.rewrite.moves  # noqa: F401


def process_file(
    engine: Engine, root: str, f: SourceFile, want_diff: bool, exact: bool = True
) -> FileOutcome:
    """Read and rewrite one file (or, not exact, only find its sites); never raises."""
    try:
        with open(os.path.join(root, f.path), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileOutcome(f.path, Status.SKIPPED, reason=f"cannot read: {exc.strerror}")
    return process_bytes(engine, f, data, want_diff, exact)


def process_bytes(
    engine: Engine,
    f: SourceFile,
    data: bytes,
    want_diff: bool,
    exact: bool = True,
    parse: Callable[[bytes], ast.Module] = ast.parse,
) -> FileOutcome:
    """``process_file`` of bytes already read (``parse``: see ``Engine.detect``)."""
    try:
        if exact:
            result = engine.rewrite(data, f.path, f.module, f.is_package)
        else:
            result = engine.detect(data, f.path, f.module, f.is_package, parse)
    except FileTimeout:
        return FileOutcome(
            f.path, Status.SKIPPED, reason=f"took longer than {FILE_SECONDS} s to rewrite"
        )
    except (RecursionError, MemoryError):
        return FileOutcome(f.path, Status.SKIPPED, reason="too deeply nested or too large")
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a run
        return FileOutcome(
            f.path, Status.FAILED, reason=f"internal error: {type(exc).__name__}: {exc}"
        )
    found = outcome(f.path, data, result, want_diff)
    return found._replace(needs_cst=True) if result.needs_cst else found


def _work(chunk: list[SourceFile]) -> list[FileOutcome]:
    engine = _STATE["engine"]
    assert isinstance(engine, Engine)
    want_diff, exact = bool(_STATE["diff"]), bool(_STATE["exact"])
    seconds = float(_STATE.get("seconds", FILE_SECONDS))  # type: ignore[arg-type]
    out = []
    for f in chunk:
        if exact:
            o = _timed(engine, f, want_diff, seconds)
        else:
            o = process_file(engine, engine.rules.root, f, want_diff, exact)
        if o.status is not Status.UNCHANGED or o.notes or o.needs_cst:
            out.append(o)
    return out


def _timed(engine: Engine, f: SourceFile, want_diff: bool, seconds: float) -> FileOutcome:
    """``process_file`` under the watchdog: a file that runs past ``seconds`` is skipped."""
    late = FileOutcome(f.path, Status.SKIPPED, reason=f"took longer than {seconds:g} s to rewrite")
    dog = watchdog.get()
    try:
        dog.arm(seconds)
        try:
            o = process_file(engine, engine.rules.root, f, want_diff, True)
        finally:
            fired = dog.disarm()
    except FileTimeout:
        return late
    return late if fired else o


def scan(
    rules: RuleSet,
    files: Sequence[SourceFile],
    jobs: int = 0,
    want_diff: bool = False,
    progress: Callable[[int], None] | None = None,
    exact: bool = True,
) -> list[FileOutcome]:
    """Every file's outcome worth reporting, sorted by path.

    Two passes: detection (bytes, then ``ast``) over every file, in this process or, for a
    large tree, in worker processes; then LibCST only for the files that will change
    (``exact``) or that an extra codemod may change, always in worker processes, with a
    time limit per file, so that a file which crashes or hangs the parser costs only itself.
    """
    jobs = jobs or os.cpu_count() or 1
    engine = Engine(rules)
    detected: list[FileOutcome] = []
    needs_cst: set[str] = set()
    if jobs == 1 or len(files) < _IN_PROCESS_BELOW:
        for f in files:
            o = process_file(engine, rules.root, f, want_diff, exact=False)
            if o.status is not Status.UNCHANGED or o.notes or o.needs_cst:
                detected.append(o)
            if progress:
                progress(1)
    else:
        for chunk_result, size in _parallel(rules, files, jobs, False, False):
            detected.extend(chunk_result)
            if progress:
                progress(size)
    for o in detected:
        if o.needs_cst or (exact and o.status is Status.CHANGED):
            needs_cst.add(o.path)
    if needs_cst:
        chosen = [f for f in files if f.path in needs_cst]
        rewritten: dict[str, FileOutcome] = {}
        for chunk_result, _ in _parallel(rules, chosen, min(jobs, len(chosen)), want_diff, True):
            rewritten.update((o.path, o) for o in chunk_result)
        merged = []
        for o in detected:
            if o.path not in needs_cst:
                merged.append(o)
            elif o.path in rewritten:
                new = rewritten[o.path]
                merged.append(new._replace(notes=new.notes or o.notes))
            elif o.notes:
                merged.append(FileOutcome(o.path, Status.UNCHANGED, o.sha256, (), o.notes))
        merged = [o for o in merged if o.status is not Status.UNCHANGED or o.notes]
        detected = merged
    detected.sort(key=lambda o: o.path)
    return detected


def _parallel(
    rules: RuleSet, files: Sequence[SourceFile], jobs: int, want_diff: bool, exact: bool
) -> Iterator[tuple[list[FileOutcome], int]]:
    """Chunks of files through worker processes; a worker that dies costs only its file."""
    size = 8 if exact else max(16, min(256, len(files) // (jobs * 8) or 1))
    chunks = [list(files[i : i + size]) for i in range(0, len(files), size)]
    # fork only where it exists and is safe (Linux); spawn elsewhere (macOS, Windows)
    method = "fork" if hasattr(os, "fork") and sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    initargs = (rules, want_diff, exact, FILE_SECONDS)
    retry: list[SourceFile] = []
    with ProcessPoolExecutor(
        max(1, jobs), mp_context=ctx, initializer=_init, initargs=initargs
    ) as pool:
        futures = [(chunk, pool.submit(_work, chunk)) for chunk in chunks]
        for chunk, future in futures:
            try:
                yield future.result(), len(chunk)
            except BrokenProcessPool:
                retry.extend(chunk)
    for f in retry:  # one at a time, each in a fresh worker: find the file that kills it
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init, initargs=initargs) as pool:
            try:
                yield pool.submit(_work, [f]).result(), 1
            except BrokenProcessPool:
                why = "the parser crashed or hung on this file"
                yield [FileOutcome(f.path, Status.SKIPPED, reason=why)], 1
