"""Validation of an unchanged table, reused within one `gongkai serve` process.

After an edit to one CSV row, the other tables of a district portal (tens of thousands of rows) need
not be read, typed and key-checked again. Per table, the memo keeps what reading and typing produced
(the typed records, the column letters, the findings) under a hash of every input of that work: the
file's bytes, the resource's schema, the settings, the reference date and the code that reads and
types (gongkai's own and the plugins'). The findings of the key checks of a table are kept under its
own hash plus a hash of the keys present in each table its foreign keys point to: a changed key is
re-checked wherever it can matter, nowhere else (a new title in projects.csv re-checks no milestone).
A domain check (`register_checks`) runs again unless it declared the tables it reads and none of
them changed.

The checks read the memo's records; the model gets fresh copies (`ValidatedData.model_records`): it
attaches relations and flags to the records of each build, and a kept record must not carry those
of an earlier one. When no table changed, the model itself is kept (gongkai/site/carry_over.py) and
nothing is copied.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.data.resources import Record, Resource
from gongkai.findings import Finding


@dataclass
class TypedTable:
    """One table as reading and typing left it."""

    key: str
    read_findings: list[Finding]
    records: list[Record]
    columns: dict[str, str]
    typed_findings: list[Finding]
    key_checks: tuple[tuple, list[Finding]] | None = None  # (what they depended on, the findings)
    present: dict[tuple, str | None] = field(default_factory=dict)  # fields -> a digest of the keys present


@dataclass
class TableMemo:
    """The tables of the last validation in this process, by resource name."""

    tables: dict[str, TypedTable] = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # the findings of the domain checks that declare `reads`
    code: str = ""  # a hash of settings, reference date and code: set by the session on each validation

    def key(self, path: Path, resource: Resource) -> str:
        digest = hashlib.sha256(self.code.encode())
        digest.update(str(path).encode())
        digest.update(repr((resource.name, resource.required, resource.schema)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def get(self, name: str, key: str) -> TypedTable | None:
        kept = self.tables.get(name)
        return kept if kept is not None and kept.key == key else None

    def keep(self, name: str, table: TypedTable) -> None:
        self.tables[name] = table

    def forget_others(self, names) -> None:
        for name in set(self.tables) - set(names):
            del self.tables[name]


def fresh_copies(records: list[Record]) -> list[Record]:
    """Copies of `records` as typing left them (cells, invalid fields, cells as written), without
    anything a model attached."""
    out = []
    for record in records:
        copy = Record(record, record.line)
        copy.__dict__["invalid"] = record.__dict__.get("invalid", set())
        copy.__dict__["written"] = record.__dict__.get("written", {})
        out.append(copy)
    return out
