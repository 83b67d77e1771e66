"""Column headers as staff write them: the field's name or its Chinese title, in any order, in
full-width characters or with extra spaces, or with a unit or note added in brackets (`预算（元）`,
`预算 (元)`). A note that could change what the numbers mean (`预算（万元）`, `得分（%）`) is an error
naming the field it looks like: no column's data is ever dropped silently.

A title row above the header, a common Excel layout (often merged across the sheet), is recognised:
the header is the first row among the first few that names the most fields, and the rows above it
are skipped with one warning.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from gongkai.data.resources import Resource, Table

#: brackets staff use around a unit or a note, after NFKC (full-width （） becomes ())
NOTED_RE = re.compile(r"^(.+?)[(\[【〔](.*?)[)\]】〕]$")
#: in a note, these change what a number means: a scale, a share, another currency
SCALE_WORDS = ("万", "千", "百", "亿", "%", "‰", "k", "w", "美元", "港币", "港元", "欧元", "$", "usd", "hkd")
YUAN_NOTES = {"元", "人民币", "人民币元", "rmb", "cny", "单位元", "单位:元"}
NUMERIC_TYPES = ("integer", "number")
HEADER_SEARCH_ROWS = 6  # the header is looked for among this many rows from the first non-blank one
#: notes a reader makes about rows that turn out to be title rows above the header (merged across)
TITLE_ROW_NOTES = ("merged-cells", "hidden-row", "extra-cell", "control-character")


def label_key(text: Any) -> str:
    """A header cell or field label compared the way staff mean it: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


@dataclass(frozen=True)
class Column:
    index: int
    text: str
    field: str | None  # the field it names; None when unknown or ambiguous
    ambiguous: str | None = None  # the field it looks like when its note could change the meaning


class HeaderMap:
    """The labels of one resource's fields, and what a header cell names."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.by_label: dict[str, str] = {}
        for f in resource.fields:
            self.by_label.setdefault(label_key(f["name"]), f["name"])
            if f.get("title"):
                self.by_label.setdefault(label_key(f["title"]), f["name"])

    def column(self, index: int, text: str) -> Column:
        key = label_key(text)
        name = self.by_label.get(key)
        if name is not None:
            return Column(index, text, name)
        noted = NOTED_RE.match(key)
        name = self.by_label.get(noted.group(1)) if noted else None
        if name is None:
            return Column(index, text, None)
        if _changes_meaning(self.resource.field_by_name[name], noted.group(2)):
            return Column(index, text, None, ambiguous=name)
        return Column(index, text, name)

    def columns(self, header: list) -> list[Column]:
        from gongkai.data.cells import cell_text

        return [self.column(i, cell_text(c)) for i, c in enumerate(header) if cell_text(c)]

    def score(self, row: list) -> int:
        """How many distinct fields a row names: the header names the most."""
        return len({c.field or c.ambiguous for c in self.columns(row) if c.field or c.ambiguous})

    def closest(self, text: str) -> str | None:
        """The title of the field a header cell most likely meant, for an unknown column."""
        titles = {label_key(f.get("title") or f["name"]): f.get("title") or f["name"] for f in self.resource.fields}
        match = difflib.get_close_matches(label_key(text), list(titles), n=1, cutoff=0.5)
        return titles[match[0]] if match else None


def _changes_meaning(spec: dict, note: str) -> bool:
    kind = spec.get("x-gongkai-type") or spec.get("type")
    note = note.strip().lower()
    if kind == "yuan":
        return note.replace("：", ":") not in YUAN_NOTES and any(word in note for word in SCALE_WORDS + ("元",))
    if kind in NUMERIC_TYPES or spec.get("type") in NUMERIC_TYPES:
        return any(word in note for word in SCALE_WORDS)
    return False


def locate_header(table: Table, headers: HeaderMap) -> tuple[Table, list[int]]:
    """`table` read from its real header, and the lines of the title rows skipped above it (none when
    the first row is the header)."""
    candidates = [(table.header_line, table.header)] + list(table.rows[: HEADER_SEARCH_ROWS - 1])
    scores = [headers.score(cells) for _, cells in candidates]
    best = scores.index(max(scores))
    if best == 0 or scores[best] < min(2, len(headers.resource.fields)):
        return table, []
    line, header = candidates[best]
    skipped = [candidates[i][0] for i in range(best)]
    notes = [n for n in table.notes if not (n[0] in TITLE_ROW_NOTES and n[2] is not None and n[2] < line)]
    return replace(table, header=list(header), header_line=line, rows=list(table.rows[best:]), notes=notes), skipped
