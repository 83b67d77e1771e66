"""Helpers for the plugins' data rules (`register_checks`): whether a cell may be used, records by id,
a field's Chinese title, and the file a row names under the portal's content folder."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from gongkai.data.reading import inside
from gongkai.data.resources import Record, standard_resources

#: what an id looks like (the `id` pattern of the units schema; every resource's ids share it)
ID_RE = re.compile(next(r for r in standard_resources() if r.name == "units").field_by_name["id"]["constraints"]["pattern"])


def given(record: Record, *fields: str) -> bool:
    """True when every field holds a value that passed schema typing (so a rule may use it)."""
    invalid = getattr(record, "invalid", ())
    return all(f not in invalid and record.get(f) not in (None, "") for f in fields)


def index_by_id(records: list[Record], field: str = "id") -> dict[str, Record]:
    """Records by lower-cased id (ids are case-insensitive); the first of duplicates wins."""
    index: dict[str, Record] = {}
    for record in records:
        if given(record, field):
            index.setdefault(str(record[field]).lower(), record)
    return index


def field_title(context, resource: str, field: str) -> str:
    """The Chinese title of a field, as staff see it in the column header."""
    spec = context.resources[resource].field_by_name.get(field, {}) if resource in context.resources else {}
    return spec.get("title", field)


def joined(values) -> str:
    """Values listed the Chinese way: 社区、网格、小区."""
    return "、".join(values)


def wrong_kind(context, code: str, resource: str, record: Record, field: str, units: dict, allowed: list[str], role: str):
    """A finding when `record[field]` names a unit whose kind is not in `allowed`, else None."""
    if not given(record, field):
        return None
    unit = units.get(str(record[field]).lower())
    if unit is None or not given(unit, "kind") or unit["kind"] in allowed:
        return None  # a missing unit is a foreign-key finding already
    return context.error(
        code,
        f"“{field_title(context, resource, field)}”填写的 {record[field]}（{unit.get('name') or ''}）是{unit['kind']}，"
        f"但{role}只能是{joined(allowed)}。请改成一个{joined(allowed)}的编号，或在 units 中改正该单位的类型。",
        resource, record, field,
    )


def after_today(context, resource: str, record: Record, fields: tuple[str, ...]):
    """A `future-date` finding for each of the record's dates that lies after the reference date (only
    what has happened is published)."""
    for name in fields:
        if given(record, name) and record[name] > context.today:
            yield context.error(
                "future-date", f"{record.get('id')} 的“{field_title(context, resource, name)}”{record[name].isoformat()} "
                f"晚于今天（{context.today.isoformat()}）。只登记已经发生的事：请改正日期，或等到那一天再登记。",
                resource, record, name)


def content_file(docs_dir: Path, text: str) -> tuple[Path | None, str | None]:
    """The file that `text`, a path relative to the content folder `docs_dir`, names; or why the path
    is refused (outside the folder, a link out of it, or missing)."""
    folder = f"{docs_dir.name}/"
    if "\\" in text or re.match(r"^[A-Za-z]:", text):
        return None, f"路径 {text} 含有反斜杠或盘符。请写相对于 {folder} 的路径，文件夹之间用 / 分隔，例如 images/projects/a.png。"
    pure = PurePosixPath(text)
    if pure.is_absolute() or ".." in pure.parts:
        return None, f"路径 {text} 指向 {folder} 文件夹以外（不能用绝对路径或 ..）。请把文件放进 {folder} 并填写相对于 {folder} 的路径。"
    real = (docs_dir / text).resolve()
    if not inside(real, docs_dir):
        return None, f"路径 {text} 是指向 {folder} 以外的链接。请把文件本身复制到 {folder} 中，不要使用链接。"
    if not real.is_file():
        return None, f"找不到文件 {folder}{text}。请把文件放到这个位置，或改正路径（相对于 {folder}，区分大小写）。"
    return real, None
