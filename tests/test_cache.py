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


def test_serve_reruns_a_check_that_declares_its_tables_only_when_one_of_them_changed(portal):
    """`register(check, reads=…)`: in `gongkai serve` (a TableMemo), a check that declared its tables
    sees only those and runs again only when one changed; "each" runs once per changed table; a check
    without `reads` runs every time."""
    from gongkai.api import error, hookimpl
    from gongkai.data.table_memo import TableMemo

    calls: list[tuple] = []

    class Counting:
        @hookimpl
        def register_checks(self, register):
            def on_units(records, context):
                calls.append(("units", sorted(records)))
                unit = records["units"][0]
                yield error("seen", "看过", resource="units", row=unit.line)

            register(on_units, reads=("units",))
            register(lambda records, context: calls.append(("each", sorted(records))) or [], reads="each")
            register(lambda records, context: calls.append(("all", len(records))) or [])

    memo = TableMemo()

    def validate_again():
        calls.clear()
        session = open_session(portal, TODAY, cache_records=False)
        session.pm.register(Counting(), name="counting")  # a fixed name: the code key names each plugin
        session.table_memo, session.__dict__["_cache_key"] = memo, None  # as `gongkai serve` does
        return session.validated.report

    names = sorted(validate_again().checked)
    tables = len(names)
    assert sorted(calls) == sorted([("all", tables), ("units", ["units"])] + [("each", [name]) for name in names])

    report = validate_again()  # nothing changed
    assert calls == [("all", tables)]
    assert [f.code for f in report.errors] == ["seen"]  # the kept finding is still reported

    rows = read_rows(portal, "projects")
    rows[0]["title"] = rows[0]["title"] + "（改）"
    write_rows(portal, "projects", rows)
    validate_again()
    assert sorted(calls) == [("all", tables), ("each", ["projects"])]

    rows = read_rows(portal, "units")
    rows[0]["name"] = rows[0]["name"] + "（改）"
    write_rows(portal, "units", rows)
    validate_again()
    assert sorted(calls) == [("all", tables), ("each", ["units"]), ("units", ["units"])]


def test_serve_indexes_the_keys_of_a_table_again_only_when_it_changed(portal, monkeypatch):
    """The key checks of a table depend on the keys present in the tables it points to; in `gongkai
    serve` those are indexed again only for a table whose file changed, and a key removed there is
    still found missing by the tables that point to it."""
    from gongkai.data import validation
    from gongkai.data.table_memo import TableMemo

    indexed: list[str] = []
    real = validation.key_index
    monkeypatch.setattr(validation, "key_index", lambda resource, *a: (indexed.append(resource.name), real(resource, *a))[1])
    memo = TableMemo()

    def validate_again():
        indexed.clear()
        session = open_session(portal, TODAY, cache_records=False)
        session.table_memo, session.__dict__["_cache_key"] = memo, None  # as `gongkai serve` does
        return session.validated.report

    assert validate_again().valid and "units" in indexed
    assert validate_again().valid and indexed == []
    rows = read_rows(portal, "units")
    rows[-1]["name"] = rows[-1]["name"] + "（改）"
    write_rows(portal, "units", rows)
    assert validate_again().valid and set(indexed) == {"units"}
    pointed_to = {row["lead_unit_id"] for row in read_rows(portal, "projects")}
    gone = next(row for row in rows if row["id"] in pointed_to)
    write_rows(portal, "units", [row for row in rows if row is not gone])
    report = validate_again()
    assert set(indexed) == {"units"}
    assert any(f.code == "foreign-key" and f.value == gone["id"] for f in report.errors)
