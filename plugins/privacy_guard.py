"""Privacy guard: mobile, resident ID and bank card numbers never reach the public site.

Every string value of a field that `public_fields` does not name is scanned. Without masking a hit
fails validation; with `masking: true` it is published masked (the same masked value on pages, in
search, downloads and the feed, because the records themselves are changed) and listed as a warning.
Ids and file paths cannot be masked (they become URLs): a hit there is always an error.
"""
from __future__ import annotations

from gongkai.api import error, excel_number, find, hookimpl, mask, warning

UNMASKABLE = {"id", "id-list", "path", "path-list"}


@hookimpl
def register_checks(register):
    register(check_personal_data, reads="each")  # a table's findings depend on that table alone


@hookimpl(tryfirst=True)
def extend_portal(portal):
    """Mask before any other plugin reads the records, so every output shows the same value."""
    if not portal.settings.masking:
        return
    for name, fields in scanned_fields(portal.resources, portal.settings.public_fields).items():
        fields = [f for f in fields if portal.resources[name].field_by_name[f].get("x-gongkai-type") not in UNMASKABLE]
        for record in portal.records.get(name, []):
            for field in fields:
                value = record.get(field)
                if isinstance(value, str) and value:
                    record[field] = mask(value)


def scanned_fields(resources, public_fields) -> dict[str, list[str]]:
    """Resource name -> the string fields whose values are scanned (all but the public ones)."""
    public = set(public_fields or ())
    return {
        name: [f["name"] for f in resource.fields
               if f.get("type", "string") == "string" and f"{name}.{f['name']}" not in public]
        for name, resource in resources.items()
    }


def check_personal_data(records, context):
    settings = context.settings
    scanned = scanned_fields(context.resources, settings.public_fields)
    for name, recs in records.items():
        resource = context.resources.get(name)
        if resource is None:
            continue
        strings = [(f["name"], f, f["name"] in scanned.get(name, ())) for f in resource.fields
                   if f.get("type", "string") == "string"]
        for record in recs:
            invalid = getattr(record, "invalid", ())
            for field, spec, scan in strings:
                value = record.get(field)
                if not value or not isinstance(value, str) or field in invalid:
                    continue
                if excel_number(value):
                    yield _excel_number(context, name, record, spec)
                elif scan:
                    yield from _hits(context, name, record, spec, value)


def _hits(context, name, record, spec, value):
    """One finding per cell, naming every kind of number found in it."""
    hits = find(value)
    if not hits:  # nearly every cell: return before building anything
        return
    kinds = "、".join(dict.fromkeys(hit.kind for hit in hits))
    field = spec["name"]
    label = spec.get("title") or field
    maskable = spec.get("x-gongkai-type") not in UNMASKABLE
    where = {**context.where(name, record, field), "value": mask(value)}  # CI logs may be public
    if context.settings.masking and maskable:
        message = f"“{label}”（{name}.{field}）含有{kinds}，已按 masking 设置打码发布。如这里本不该有个人信息，请删掉它。"
        yield warning("personal-data-masked", message, **where)
        return
    fix = ("编号和文件路径会出现在网址中，不能打码：请改用不含个人信息的编号或文件名。" if not maskable else
           f"请删掉它；如这是可以公开的办公电话，请在 site_config.yml 的 gongkai.public_fields 中加上 {name}.{field}；"
           "或设置 masking: true 打码发布。")
    yield error("personal-data", f"“{label}”（{name}.{field}）含有{kinds}，个人信息不能公开发布。{fix}", **where)


def _excel_number(context, name, record, spec):
    field = spec["name"]
    label = spec.get("title") or field
    message = (f"“{label}”（{name}.{field}）的值 {record.get(field)} 是被 Excel 转成科学计数法的数字，"
               "后几位已经丢失。请在 Excel 中把这一列设为“文本”格式，再重新输入完整的号码。")
    return context.error("excel-number", message, name, record, field)

