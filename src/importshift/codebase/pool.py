"""Work on chunks of files in worker processes, surviving a worker that dies.

A worker that dies (killed from outside, or a parser crash on some file) breaks the whole
pool. The unfinished chunks run again in a fresh pool in smaller pieces, then one item per
fresh worker; an item that still kills its worker gives ``crashed(item)``. Workers die with
the process that started them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from importshift.adapters.children import die_with_parent

T = TypeVar("T")
R = TypeVar("R")


def in_chunks(
    func: Callable[..., Sequence[R]],
    root: str,
    todo: list[T],
    args: tuple[object, ...],
    jobs: int,
    size: int,
    crashed: Callable[[T], R],
) -> Iterator[R]:
    """``func(root, chunk, *args)`` for chunks of ``size`` items of ``todo`` in ``jobs``
    worker processes (see the module docstring); results in the order of the chunks."""
    method = "fork" if hasattr(os, "fork") and sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    for piece in (size, max(1, size // 8)):
        chunks = [todo[i : i + piece] for i in range(0, len(todo), piece)]
        todo = []
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=die_with_parent) as pool:
            futures = [(c, pool.submit(func, root, c, *args)) for c in chunks]
            for chunk, future in futures:
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    todo.extend(chunk)
        if not todo:
            return
    for item in todo:
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent) as pool:
            try:
                yield from pool.submit(func, root, [item], *args).result()
            except BrokenProcessPool:
                yield crashed(item)
