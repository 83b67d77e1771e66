"""Work spread over worker processes gives what one process gives."""
from __future__ import annotations

from functools import partial

from gongkai.parallel import map_chunks


def _tags(prefix, chunk):
    return [f"{prefix}{n}" for n in chunk if n % 7 == 0]


def test_map_chunks_in_processes_equals_serial():
    items = list(range(1000))
    parallel = map_chunks(partial(_tags, "x"), items, min_items=10)
    assert sorted(parallel) == sorted(_tags("x", items))
