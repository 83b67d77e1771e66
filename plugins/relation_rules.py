"""Rules across resources that the schema cannot express: which unit kinds may pair up, and the `;`
list of partner units."""
from __future__ import annotations

from gongkai.api import (
    ENUMS,
    ID_RE,
    given,
    hookimpl,
    index_by_id,
    split_ids,
    wrong_kind,
)

# --------------------------------------------------------------------------------- rules


@hookimpl
def register_checks(register):
    register(check_pairing_kinds, reads=("pairings", "units"))
    register(check_partner_unit_ids, reads=("projects", "units"))


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
