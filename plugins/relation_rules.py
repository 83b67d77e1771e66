"""Rules across resources that the schema cannot express: which unit kinds may pair up, the `;`
list of partner units, and files a row refers to under content/. Also the small helpers the other
rule modules share (a rule module is a plugin; these helpers are plain functions)."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from gongkai import hookimpl
from gongkai.data.model import split_ids
from gongkai.data.reading import inside
from gongkai.data.resources import Record, standard_enums, standard_resources

ENUMS = standard_enums()
ID_RE = re.compile(next(r for r in standard_resources() if r.name == "units").field_by_name["id"]["constraints"]["pattern"])
CONTENT_DIR = "content"


# ------------------------------------------------------------------------------- helpers


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


def title(context, resource: str, field: str) -> str:
    """The Chinese title of a field, as staff see it in the column header."""
    spec = context.resources[resource].field_by_name.get(field, {}) if resource in context.resources else {}
    return spec.get("title", field)


def joined(values) -> str:
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
        f"“{title(context, resource, field)}”填写的 {record[field]}（{unit.get('name') or ''}）是{unit['kind']}，"
        f"但{role}只能是{joined(allowed)}。请改成一个{joined(allowed)}的编号，或在 units 中改正该单位的类型。",
        resource, record, field,
    )


def content_file(root: Path, text: str) -> tuple[Path | None, str | None]:
    """The file a content/-relative path names, or why the path is refused (outside or missing)."""
    if "\\" in text or re.match(r"^[A-Za-z]:", text):
        return None, f"路径 {text} 含有反斜杠或盘符。请写相对于 content/ 的路径，文件夹之间用 / 分隔，例如 images/projects/a.png。"
    pure = PurePosixPath(text)
    if pure.is_absolute() or ".." in pure.parts:
        return None, f"路径 {text} 指向 content/ 文件夹以外（不能用绝对路径或 ..）。请把文件放进 content/ 并填写相对于 content/ 的路径。"
    real = (root / CONTENT_DIR / text).resolve()
    if not inside(real, root / CONTENT_DIR):
        return None, f"路径 {text} 是指向 content/ 以外的链接。请把文件本身复制到 content/ 中，不要使用链接。"
    if not real.is_file():
        return None, f"找不到文件 content/{text}。请把文件放到这个位置，或改正路径（相对于 content/，区分大小写）。"
    return real, None


# --------------------------------------------------------------------------------- rules


@hookimpl
def register_checks(register):
    register(check_pairing_kinds)
    register(check_partner_unit_ids)


def check_pairing_kinds(records, context):
    """结对共建 pairs a 共建单位/物业企业/社会组织/志愿服务队 with a 社区."""
    units = index_by_id(records.get("units", []))
    rules = (("unit_id", ENUMS["pairing_unit_kinds"], "结对共建的共建单位"),
             ("community_id", ENUMS["pairing_community_kinds"], "结对社区"))
    for pairing in records.get("pairings", []):
        for field, allowed, role in rules:
            finding = wrong_kind(context, "pairing-kind", "pairings", pairing, field, units, allowed, role)
            if finding:
                yield finding


def check_partner_unit_ids(records, context):
    """Each id of projects.partner_unit_ids is a valid id of an existing unit."""
    units = index_by_id(records.get("units", []))
    for project in records.get("projects", []):
        if not given(project, "partner_unit_ids"):
            continue
        for part in split_ids(project["partner_unit_ids"]):
            if not ID_RE.match(part):
                problem = (f"其中的 {part} 不是合规的编号：编号只能用英文字母、数字、_ 和 -。"
                           f"多个单位请用英文分号 ; 分隔，例如 u-audit;pm-anju。")
            elif part.lower() not in units:
                problem = f"其中的 {part} 在组织与单位（units）中没有。请先在 datasets/units 中添加该单位，或改成已有的编号。"
            else:
                continue
            yield context.error("partner-unit-ids", f"“参与单位”填写了 {project['partner_unit_ids']}，{problem}",
                                "projects", project, "partner_unit_ids")
