"""Resources (a name and its Table Schema), the raw tables read from files, and typed records."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any


class TableError(Exception):
    """A data file of a known format that cannot be read; carries the line (or sheet row)."""

    def __init__(self, code: str, message: str, row: int | None = None, column: str | None = None, value: Any = None):
        super().__init__(message)
        self.code, self.message, self.row, self.column, self.value = code, message, row, column, value


@dataclass
class Resource:
    """A named table with its Table Schema (a Frictionless descriptor)."""

    name: str
    schema: dict
    required: bool = False
    title: str = ""

    @cached_property
    def fields(self) -> list[dict]:
        return list(self.schema.get("fields", []))

    @cached_property
    def field_by_name(self) -> dict[str, dict]:
        return {f["name"]: f for f in self.fields}

    @property
    def primary_key(self) -> list[str]:
        key = self.schema.get("primaryKey") or []
        return [key] if isinstance(key, str) else list(key)

    @property
    def foreign_keys(self) -> list[dict]:
        return list(self.schema.get("foreignKeys") or [])

    def label(self) -> str:
        return f"{self.title}（{self.name}）" if self.title else self.name


def standard_resources(names: tuple[str, ...] | None = None) -> list[Resource]:
    """The resources of the data standard, from the schemas shipped in the package: the nine of the
    core, or the ones `names` names (those a default plugin brings, e.g. 双报到's, marked `plugin` in
    the index: switching the plugin off leaves them out)."""
    folder = importlib_resources.files("gongkai") / "schemas"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return [
        Resource(
            name=entry["name"],
            schema=json.loads((folder / entry["schema"]).read_text(encoding="utf-8")),
            required=bool(entry.get("required")),
            title=entry.get("title", ""),
        )
        for entry in index["resources"]
        if (entry["name"] in names if names is not None else "plugin" not in entry)
    ]


def standard_enums() -> dict[str, list[str]]:
    """The standard's vocabularies (statuses, unit kinds …) by name, read from the schemas' index."""
    folder = importlib_resources.files("gongkai") / "schemas"
    return json.loads((folder / "index.json").read_text(encoding="utf-8")).get("enums", {})


#: the vocabularies, read once: the only place gongkai takes status words and kinds from
ENUMS = standard_enums()


@dataclass
class Table:
    """The cells of one data file as read, before typing: what a reader plugin returns.

    ``header_line`` and each row's line are what staff see: the CSV line number (header = 1) or the
    sheet row. Cells are strings (CSV) or the spreadsheet's values (XLSX: str, int, float, date, None).
    """

    path: Path
    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    header_line: int = 1
    sheet: str | None = None
    notes: list = field(default_factory=list)  # (code, message, row, column) the reader noticed


class Record(dict):
    """A typed row: field values by name, plus where it came from (``line``) and relations the
    Portal model attaches as attributes. Jinja templates read both as ``record.name``."""

    __slots__ = ("line", "__dict__")

    def __init__(self, values: dict, line: int = 0):
        super().__init__(values)
        self.line = line

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __hash__(self) -> int:  # records are identities in the model
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other
