"""Primary, unique and foreign keys across resources. Keys are compared the way people read them:
case-insensitively (ids become URL paths and file names: A01 and a01 would be one page) and after
NFKC (a full-width Ａ01 is A01). A key column may not hold invisible characters (zero-width, direction
marks): two keys that look the same must be the same key."""
from __future__ import annotations

import unicodedata

from gongkai.data.resources import Record, Resource
from gongkai.findings import Finding, error


def _key_part(value):
    if not isinstance(value, str):
        return value
    return (unicodedata.normalize("NFKC", value) if not value.isascii() else value).casefold()


def key_of(record: Record, fields: list[str]) -> tuple | None:
    if len(fields) == 1:  # the common case, on every row of every table: no generator
        value = record.get(fields[0])
        if value is None or value == "":
            return None
        return (_key_part(value),)
    values = tuple(record.get(f) for f in fields)
    if any(v is None or v == "" for v in values):
        return None
    return tuple(_key_part(v) for v in values)


def key_fields(resource: Resource) -> list[str]:
    """The fields of the primary key, the unique fields and the fields of foreign keys."""
    names = list(resource.primary_key)
    names += [f["name"] for f in resource.fields if f.get("constraints", {}).get("unique")]
    for fk in resource.foreign_keys:
        names += fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
    return list(dict.fromkeys(names))


def check_invisible_characters(resource: Resource, records: list[Record], file: str,
                               columns: dict[str, str]) -> list[Finding]:
    """A key cell that holds a character one cannot see (it would make two keys that look alike differ)."""
    findings = []
    for name in key_fields(resource):
        title = resource.field_by_name.get(name, {}).get("title", name)
        for record in records:
            value = record.get(name)
            if not isinstance(value, str) or value.isascii() and value.isprintable() or name in record.invalid:
                continue
            hidden = [c for c in value if unicodedata.category(c) in ("Cf", "Cc", "Co", "Cn")]
            if hidden:
                findings.append(error(
                    "invisible-character",
                    f"“{title}”的值中有看不见的字符（U+{ord(hidden[0]):04X}，常见于从网页或聊天软件复制的文字）。"
                    f"这一列用来关联数据，看起来相同的值必须真的相同：请删掉这个值后重新输入。",
                    resource=resource.name, file=file, row=record.line, field=name, column=columns.get(name),
                    value=value.encode("unicode_escape").decode("ascii")))
    return findings


def check_primary_keys(resource: Resource, records: list[Record], file: str, columns: dict[str, str]) -> list[Finding]:
    findings: list[Finding] = []
    keys = resource.primary_key
    unique_fields = [f["name"] for f in resource.fields if f.get("constraints", {}).get("unique") and [f["name"]] != keys]
    for fields in ([keys] if keys else []) + [[u] for u in unique_fields]:
        first_line: dict[tuple, int] = {}
        for record in records:
            key = key_of(record, fields)
            if key is None:
                continue
            if key in first_line:
                shown = "、".join(str(record.get(f)) for f in fields)
                label = "编号" if fields == ["id"] else "（" + "、".join(fields) + "）组合"
                findings.append(error(
                    "primary-key" if fields == keys else "unique-error",
                    f"{label} {shown} 与第 {first_line[key]} 行重复（不区分大小写）。每行的{label}必须不同：请改成新的值或合并这两行。",
                    resource=resource.name, file=file, row=record.line, field=fields[0], column=columns.get(fields[0]), value=shown,
                ))
            else:
                first_line[key] = record.line
    return findings


def key_index(resource: Resource, records: list[Record], fields: list[str]) -> set[tuple]:
    return {k for r in records if (k := key_of(r, fields)) is not None}


def check_foreign_keys(resource: Resource, records: list[Record], file: str, columns: dict[str, str],
                       all_records: dict[str, list[Record]], resources: dict[str, Resource],
                       unreadable: frozenset = frozenset()) -> list[Finding]:
    """`unreadable`: resources whose file exists but could not be read (already reported once)."""
    findings: list[Finding] = []
    for fk in resource.foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        target = ref.get("resource") or resource.name
        if target in unreadable:
            continue
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        present = key_index(resources[target], all_records[target], ref_fields) if target in all_records else set()
        target_label = resources[target].label() if target in resources else target
        for record in records:
            if any(f in record.invalid for f in fields):
                continue
            key = key_of(record, fields)
            if key is None or key in present:
                continue
            shown = "、".join(str(record.get(f)) for f in fields)
            if target not in all_records:
                hint = f"但门户没有 {target_label} 数据表。请添加 datasets/{target}.csv，或清空这一格。"
            else:
                hint = f"但 {target_label} 中没有这个编号。请先在 datasets/{target} 中添加它，或改成已有的编号（编号不区分大小写）。"
            findings.append(error(
                "foreign-key",
                f"“{_title(resource, fields[0])}”填写了 {shown}，{hint}",
                resource=resource.name, file=file, row=record.line, field=fields[0], column=columns.get(fields[0]), value=shown,
            ))
    return findings


def _title(resource: Resource, name: str) -> str:
    return resource.field_by_name.get(name, {}).get("title", name)
