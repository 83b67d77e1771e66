"""Spread per-file work (the post-build checks) over the machine's cores. MkDocs builds on one
core, so the other cores are idle while the finished site is checked."""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
MIN_ITEMS = 200  # below this, starting processes costs more than it saves
MAX_WORKERS = 4


def map_chunks(function: Callable[[Sequence[T]], list], items: Sequence[T], min_items: int = MIN_ITEMS) -> list:
    """`function(chunk) -> list` over interleaved chunks of `items`, in forked worker processes when
    there are enough items and cores; the results are concatenated (callers sort them)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(items) < min_items or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return list(function(items))
    chunks = [items[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(function, chunks)
    return [item for result in results for item in result]
