"""Work on the machine's other cores: per-file work spread over them (the post-build checks), or one
job beside the main process (the search index while MkDocs renders). MkDocs builds on one core."""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
MIN_ITEMS = 200  # below this, starting processes costs more than it saves
MAX_WORKERS = 4
CHUNKS_PER_WORKER = 4
_FUNCTION: Callable | None = None  # the function of the running map_chunks, inherited by its forked workers


def worker_count() -> int:
    """How many worker processes to fork for work spread over cores; below 2 (one core, or no
    `fork` here) the work runs in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, MAX_WORKERS)


def map_chunks(function: Callable[[Sequence[T]], list], items: Sequence[T], min_items: int = MIN_ITEMS) -> list:
    """`function(chunk) -> list` over interleaved chunks of `items`, in forked worker processes when
    there are enough items and cores; the results are concatenated (callers sort them).

    The workers inherit `function` by forking, so it may be any callable (a closure, a bound method
    of an object holding the whole portal): only the chunks and the results are pickled."""
    return map_chunks_later(function, items, min_items)()


def map_chunks_later(function: Callable[[Sequence[T]], list], items: Sequence[T], min_items: int = MIN_ITEMS) -> Callable[[], list]:
    """`map_chunks` started now, in worker processes while this one goes on; the returned function
    waits for the list (made here, then, where processes cannot fork or there are few items)."""
    global _FUNCTION
    workers = worker_count()
    if len(items) < min_items or workers < 2:
        return lambda: list(function(items))
    pieces = min(len(items), workers * CHUNKS_PER_WORKER)  # small chunks: one slow item does not hold up the rest
    chunks = [items[i::pieces] for i in range(pieces)]
    _FUNCTION = function
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)  # the workers inherit `function` now
    finally:
        _FUNCTION = None
    pending = pool.map_async(_call, chunks)
    pool.close()
    done: list = []

    def wait() -> list:
        if not done:
            try:
                done.append([item for result in pending.get() for item in result])
            finally:
                pool.terminate()
                pool.join()
        return done[0]
    return wait


def _call(chunk):
    return _FUNCTION(chunk)


class Background:
    """`function()` run in a forked process while this one goes on (MkDocs renders pages on one core);
    `result()` waits for its return value. Where processes cannot fork or there is one core, the
    function runs here, at `result()`."""

    def __init__(self, function: Callable[[], T]):
        global _BACKGROUND
        self._function, self._pool, self._pending = function, None, None
        if worker_count() > 1:
            _BACKGROUND = function
            try:
                self._pool = multiprocessing.get_context("fork").Pool(1)
            finally:
                _BACKGROUND = None
            self._pending = self._pool.apply_async(_call_background)

    def result(self) -> T:
        if self._pool is None:
            return self._function()
        try:
            return self._pending.get()
        finally:
            self._pool.terminate()
            self._pool.join()


_BACKGROUND: Callable | None = None


def _call_background():
    return _BACKGROUND()
