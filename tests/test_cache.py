"""The validation cache is reused when nothing changed, and never stale when something did."""
from __future__ import annotations

import pytest
from conftest import TODAY, read_rows, write_rows

import gongkai.session
from gongkai.session import open_session


@pytest.fixture
def counted_loads(monkeypatch):
    calls = []
    real = gongkai.session.load_tables

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(gongkai.session, "load_tables", counting)
    return calls


def report_of(root, today=TODAY):
    return open_session(root, today).report


def test_second_run_reuses_the_cache(portal, counted_loads):
    first = report_of(portal)
    second = report_of(portal)
    assert len(counted_loads) == 1
    assert second.to_dict() == first.to_dict()
    assert (portal / ".cache" / "gongkai" / "validation.pickle").exists()


def test_a_changed_cell_is_never_served_from_the_cache(portal, counted_loads):
    assert report_of(portal).valid
    rows = read_rows(portal, "units")
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    assert [f.code for f in report_of(portal).errors] == ["constraint-enum"]
    assert len(counted_loads) == 2


def test_other_reference_date_or_settings_miss_the_cache(portal, counted_loads):
    report_of(portal)
    report_of(portal, "2020-01-01")
    assert len(counted_loads) == 2


def test_a_new_content_file_misses_the_cache(portal, counted_loads):
    report_of(portal)
    (portal / "content" / "minutes.md").write_text("# 纪要\n", encoding="utf-8")
    report_of(portal)
    assert len(counted_loads) == 2


def test_cache_is_safe_to_delete_or_corrupt(portal, counted_loads):
    report_of(portal)
    for stored in (portal / ".cache" / "gongkai").glob("*.pickle"):
        stored.write_bytes(b"not a pickle")
    assert report_of(portal).valid
    import shutil

    shutil.rmtree(portal / ".cache")
    assert report_of(portal).valid
    assert len(counted_loads) == 3


class _Unpickled:
    """Records that it was unpickled."""

    seen: list[str] = []

    def __init__(self) -> None:
        self.state = "something to restore"

    def __setstate__(self, state):
        _Unpickled.seen.append("unpickled")


def test_a_stale_cache_is_not_read_past_its_key(tmp_path):
    from gongkai.data import cache

    cache.store(tmp_path, "old key", _Unpickled())
    _Unpickled.seen.clear()
    assert cache.load(tmp_path, "new key") is None and _Unpickled.seen == []
    assert isinstance(cache.load(tmp_path, "old key"), _Unpickled) and _Unpickled.seen == ["unpickled"]
