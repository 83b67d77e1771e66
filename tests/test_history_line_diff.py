"""The history's line diff (issue 15): a version made from the previous one and the lines that went
and came must hold exactly the rows that reading the file whole gives, for every kind of edit staff
make; where it cannot be sure (the header, the encoding, a cell spanning lines, a repeated row) it
reads the file whole. The expected rows are the whole read of the same bytes."""
from __future__ import annotations

import types

import pytest
from conftest import REPO, TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.data import history
from gongkai.session import open_session

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def walk():
    """A walk over this repository's demo portal (it reads no git); its projects.csv is the sample."""
    session = open_session(REPO, TODAY)
    made = history._Walk(types.SimpleNamespace(top=REPO), REPO, "datasets", session.resources, session.settings,
                         session.pm.hook, session.today, None)
    made.sample = (REPO / "datasets" / "projects.csv").read_bytes()
    return made


def whole(walk, data: bytes):
    return walk._parse("projects", "datasets/projects.csv", data, None)


def after_edit(walk, old: bytes, new: bytes):
    """(the version of `new` made from that of `old`, the version of `new` read whole)."""
    previous = whole(walk, old)
    previous.blob = "old"
    return walk._parse("projects", "datasets/projects.csv", new, previous), whole(walk, new)


def lines_of(data: bytes) -> list[bytes]:
    return data.removeprefix(BOM).rstrip(b"\n").split(b"\n")


def joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def renamed(line: bytes, suffix: str | bytes) -> bytes:
    """The row with its title (second cell; the sample quotes no cell) changed."""
    cells = line.split(b",")
    cells[1] += suffix.encode() if isinstance(suffix, str) else suffix
    return b",".join(cells)


def new_row(line: bytes, key: str) -> bytes:
    return key.encode() + line[line.index(b","):]


def test_the_sample_is_a_plain_csv_whose_every_row_is_one_line(walk):
    version = whole(walk, walk.sample)
    assert version.lines is not None and len(version.rows) == len(lines_of(walk.sample)) - 1 >= 20
    assert b'"' not in walk.sample


EDITS = {
    "one row": lambda rows: [rows[0], renamed(rows[1], "（改）"), *rows[2:]],
    "two adjacent rows": lambda rows: [rows[0], renamed(rows[1], "一"), renamed(rows[2], "二"), *rows[3:]],
    "first and last rows": lambda rows: [rows[0], renamed(rows[1], "一"), *rows[2:-1], renamed(rows[-1], "二")],
    "a row appended": lambda rows: [*rows, new_row(rows[1], "p-new")],
    "a row inserted in the middle": lambda rows: [*rows[:2], new_row(rows[1], "p-new"), *rows[2:]],
    "the first row deleted": lambda rows: [rows[0], *rows[2:]],
    "the last row deleted": lambda rows: rows[:-1],
    "a row moved to the end": lambda rows: [rows[0], *rows[2:], rows[1]],
    "a row deleted and another added": lambda rows: [rows[0], *rows[2:], new_row(rows[1], "p-new")],
    "a blank line added": lambda rows: [*rows[:2], b"", *rows[2:]],
    "a row edited to end with the next row's text": lambda rows: [rows[0], rows[1] + b";" + rows[2], *rows[2:]],
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("spelling", ["plain", "no final line end", "BOM added", "CRLF"])
def test_every_usual_edit_is_diffed_by_line_to_the_rows_a_whole_read_gives(walk, edit, spelling):
    old_lines = lines_of(walk.sample)
    new_lines = EDITS[edit](old_lines)
    old, new = joined(old_lines), joined(new_lines)
    if spelling == "no final line end":
        old, new = old.rstrip(b"\n"), new.rstrip(b"\n")
    elif spelling == "BOM added":
        new = BOM + new
    elif spelling == "CRLF":
        old, new = old.replace(b"\n", b"\r\n"), new.replace(b"\n", b"\r\n")
    quick, full = after_edit(walk, old, new)
    assert quick.base == "old", "read whole, not by line"
    assert quick.rows == full.rows and quick.lines == full.lines
    changed = {key for key in full.rows.keys() | whole(walk, old).rows.keys()
               if full.rows.get(key) != whole(walk, old).rows.get(key)}
    assert changed <= quick.touched


def test_a_change_the_line_diff_cannot_be_sure_of_is_read_whole(walk):
    rows = lines_of(walk.sample)
    old = joined(rows)
    refused = {
        "a column added to the header": joined([rows[0] + ",备注".encode(), *rows[1:]]),
        "a repeated row": joined([*rows, rows[1]]),
        "a cell spanning lines": joined([*rows[:2], new_row(rows[1], "p-new").replace(b",", b',"a\nb",', 1), *rows[2:]]),
        "a GBK line in a UTF-8 file": joined([*rows, "p-new,c-dongfeng,新的项目".encode("gbk")]),
    }
    for name, new in refused.items():
        quick, full = after_edit(walk, old, new)
        assert getattr(quick, "base", "") != "old", name
        assert (quick is None) == (full is None), name
        if full is not None:
            assert quick.rows == full.rows, name


def test_a_gbk_file_is_diffed_by_line_and_decoded_as_gbk(walk):
    text = walk.sample.removeprefix(BOM).decode("utf-8")
    old = text.encode("gb18030")
    rows = lines_of(old)
    new = joined([rows[0], renamed(rows[1], "（改）".encode("gb18030")), *rows[2:]])
    quick, full = after_edit(walk, old, new)
    assert quick.base == "old" and quick.codec == "gb18030"
    assert quick.rows == full.rows


def test_deleting_more_rows_than_the_resync_tries_reads_the_file_whole_to_the_same_rows(walk, monkeypatch):
    monkeypatch.setattr(history, "RESYNC_TRIES", 1)
    rows = lines_of(walk.sample)
    old, new = joined(rows), joined([rows[0], rows[1], *rows[4:]])  # two adjacent rows gone: two tries needed
    quick, full = after_edit(walk, old, new)
    assert quick.base != "old" and quick.rows == full.rows
    monkeypatch.setattr(history, "RESYNC_TRIES", 2)
    quick, full = after_edit(walk, old, new)
    assert quick.base == "old" and quick.rows == full.rows


operation = st.one_of(
    st.tuples(st.just("rename"), st.integers(0, 10 ** 6), st.text("改一二ab", min_size=1, max_size=3)),
    st.tuples(st.just("insert"), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
    st.tuples(st.just("delete"), st.integers(0, 10 ** 6), st.just(0)),
    st.tuples(st.just("move"), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
    st.tuples(st.just("copy"), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
    st.tuples(st.just("blank"), st.integers(0, 10 ** 6), st.just(0)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(operation, min_size=1, max_size=4), min_size=1, max_size=4), st.booleans(), st.booleans())
def test_any_sequence_of_line_edits_gives_the_rows_of_a_whole_read(walk, commits, bom, final_newline):
    """Each version is made from the one before (by line when it can) and compared with reading it
    whole; a version that cannot be read is None both ways."""
    rows = lines_of(walk.sample)
    previous = whole(walk, walk.sample)
    previous.blob = "v0"
    made = 0
    for number, operations in enumerate(commits, start=1):
        for kind, at, other in operations:
            body = len(rows) - 1
            index = 1 + at % max(body, 1)
            filled = [n for n, row in enumerate(rows) if n and row]
            if kind == "rename" and filled:
                index = filled[at % len(filled)]
                rows[index] = renamed(rows[index], other)
            elif kind == "insert":
                source = rows[filled[other % len(filled)]] if filled else b"p-x,c"
                rows.insert(1 + at % (body + 1), new_row(source, f"p-{made}"))
                made += 1
            elif kind == "delete" and body:
                del rows[index]
            elif kind == "move" and body:
                rows.insert(1 + other % body, rows.pop(index))
            elif kind == "copy" and body:
                rows.insert(1 + other % (body + 1), rows[index])
            elif kind == "blank":
                rows.insert(1 + at % (body + 1), b"")
        data = (BOM if bom else b"") + joined(rows)
        if not final_newline:
            data = data.rstrip(b"\n")
        full = whole(walk, data)
        version = walk._parse("projects", "datasets/projects.csv", data, previous)
        assert (version is None) == (full is None)
        if full is None:
            return
        assert version.rows == full.rows
        assert (version.lines is None) == (full.lines is None)
        if version.lines is not None:
            assert version.lines == full.lines
        version.blob = f"v{number}"
        previous = version
