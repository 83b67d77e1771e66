"""Validation: schema checks on every cell, keys across resources, then the domain checks that
plugins register. Collects every finding; never stops at the first."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from gongkai.data.cells import TableTyper
from gongkai.data.history import History
from gongkai.data.keys import (
    check_foreign_keys,
    check_invisible_characters,
    check_primary_keys,
    key_index,
)
from gongkai.data.reading import LoadedData
from gongkai.data.resources import Record, Resource
from gongkai.data.table_memo import TypedTable, fresh_copies
from gongkai.findings import Finding, Report, error
from gongkai.settings import Settings


@dataclass
class CheckContext:
    """What a domain check gets besides the records."""

    root: Path
    settings: Settings
    today: dt.date
    resources: dict[str, Resource]
    files: dict[str, str]
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # resource -> field -> column letter
    docs_dir: Path | None = None  # content/: the hand-written pages
    markdown_extensions: list = field(default_factory=list)  # [(name, settings)] as MkDocs uses them
    load_history: Callable[[], History] | None = None  # read from git on first use (only rules on history need it)

    def history(self) -> History:
        """What git knows of the data (gongkai/data/history.py); empty outside a git repository."""
        return self.load_history() if self.load_history is not None else History()

    def where(self, resource: str, record: Record | None = None, field: str | None = None) -> dict:
        """The location keywords of a finding about `record`'s `field` (file, row, column)."""
        return dict(
            resource=resource,
            file=self.files.get(resource),
            row=record.line if record is not None else None,
            field=field,
            column=self.columns.get(resource, {}).get(field) if field else None,
            value=written(record, field) if record is not None and field else None,
        )

    def error(self, code: str, message: str, resource: str, record: Record | None = None, field: str | None = None) -> Finding:
        return error(code, message, **self.where(resource, record, field))


def written(record: Record, field: str) -> str | None:
    """The cell as staff wrote it (`2025/3/5`, `1,234`), or the value's text when the record was made
    some other way."""
    cells = getattr(record, "written", None) or {}
    if field in cells:
        return cells[field]
    value = record.get(field)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@dataclass
class ValidatedData:
    records: dict[str, list[Record]]
    context: CheckContext
    report: Report
    keys: dict[str, str] = field(default_factory=dict)  # with a TableMemo: each table's input key (equal keys, equal typed cells)
    shared: bool = False  # the records are the TableMemo's: the model gets copies

    def model_records(self) -> dict[str, list[Record]]:
        """The records for a model to link and flag: copies of the memo's, which must stay untouched."""
        return {name: fresh_copies(recs) for name, recs in self.records.items()} if self.shared else self.records


def validate(loaded: LoadedData, context: CheckContext, checks: Iterable[Callable], memo=None) -> ValidatedData:
    """Every finding about the data. With a TableMemo (gongkai/data/table_memo.py), a table kept by
    `load_tables` is not typed again and its key checks are reused when no table they read changed."""
    report = Report()
    report.extend(loaded.findings)
    records: dict[str, list[Record]] = {}
    typed: dict[str, TypedTable] = {}
    for name, table in loaded.tables.items():
        if isinstance(table, TypedTable):  # the memo's records, which no model touches: the checks only read them
            kept = typed[name] = table
            records[name] = kept.records
        else:
            typer = TableTyper(loaded.resources[name], loaded.files[name])
            records[name] = typer.type_rows(table)
            kept = typed[name] = TypedTable(loaded.keys.get(name, ""), loaded.read_findings.get(name, []),
                                            records[name], typer.columns, typer.findings)
        report.checked[name] = len(records[name])
        context.columns[name] = kept.columns
        report.extend(kept.typed_findings)
    unreadable = frozenset(loaded.files) - frozenset(loaded.tables)
    lookups: dict[tuple, str | None] = {}
    for name, recs in records.items():
        resource = loaded.resources[name]
        kept = typed[name]
        inputs = None if memo is None else (loaded.keys.get(name), unreadable,
                                            _looked_up(resource, typed, loaded.resources, lookups))
        if memo is None or kept.key_checks is None or kept.key_checks[0] != inputs:
            file, columns = loaded.files[name], context.columns[name]
            found = check_primary_keys(resource, recs, file, columns) + check_invisible_characters(resource, recs, file, columns)
            found += check_foreign_keys(resource, recs, file, columns, records, loaded.resources, unreadable)
            kept.key_checks = (inputs, found)
        report.extend(kept.key_checks[1])
    if memo is not None:
        for name, kept in typed.items():
            memo.keep(name, kept)
        memo.forget_others(typed)
    keys = {name: loaded.keys[name] for name in records if loaded.keys.get(name)}
    for number, check in enumerate(checks):
        report.extend(check.run(records, context, keys, memo.checks if memo is not None else None, number))
    return ValidatedData(records, context, report, keys, shared=memo is not None)


@dataclass
class DomainCheck:
    """A check a plugin registered (`register_checks`), with what its findings depend on: `reads`,
    the tables, or "each" (the findings about a table depend on that table alone), or None (anything:
    it runs every time)."""

    check: Callable
    reads: tuple | str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.reads, (list, tuple)):
            self.reads = tuple(self.reads)
        elif self.reads not in (None, "each"):
            raise ValueError(f"register(check, reads=…) 只能是数据表名的列表或 \"each\"：{self.reads!r}")

    def run(self, records: dict, context: CheckContext, keys: dict, kept: dict | None, number: int) -> list[Finding]:
        """The findings. A check that declared `reads` sees only those tables (so a rule that reads
        another one finds nothing there, and its tests fail), and in `gongkai serve` its findings come
        from `kept` (the last validation's, by check number) when those tables did not change;
        `keys`: each table's input key."""
        if self.reads is None:
            return list(self.check(records, context) or ())
        if self.reads == "each":
            found: list[Finding] = []
            for name, recs in records.items():
                found += self._kept(kept, (number, name), keys.get(name), lambda: self.check({name: recs}, context))
            return found
        inputs = tuple(keys.get(name) for name in self.reads)
        return self._kept(kept, number, None if None in inputs else inputs,
                          lambda: self.check({n: records[n] for n in self.reads if n in records}, context))

    @staticmethod
    def _kept(kept: dict, slot, inputs, run) -> list[Finding]:
        """Findings kept under `slot` for the same `inputs` (None: unknown, run again)."""
        found = kept.get(slot) if kept is not None else None
        if inputs is None or found is None or found[0] != inputs:
            found = (inputs, list(run() or ()))
            if kept is not None:
                kept[slot] = found
        return found[1]


def _looked_up(resource: Resource, typed: dict, resources: dict, lookups: dict) -> tuple:
    """What the foreign keys of `resource` look up: for each, a digest of the keys present in the
    table it names (None: no such table). A table edited without adding, removing or renaming a key
    (a title, a score) leaves this unchanged, so the tables that point to it are not checked again.
    The digest is kept on the table (`TypedTable.present`), which a change of its file replaces."""
    found = []
    for fk in resource.foreign_keys:
        ref = fk["reference"]
        target = ref.get("resource") or resource.name
        fields = tuple(ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]])
        if (target, fields) not in lookups:
            table = typed.get(target)
            if table is not None and fields not in table.present:
                present = key_index(resources[target], table.records, list(fields))
                table.present[fields] = hashlib.blake2b("\n".join(sorted(map(repr, present))).encode(),
                                                        digest_size=16).hexdigest()
            lookups[target, fields] = None if table is None else table.present[fields]
        found.append((target, fields, lookups[target, fields]))
    return tuple(found)
