"""Rules on needs (需求清单) the schema cannot express: who may own a need, conditional
requiredness of 认领单位 and 解决日期, and 解决日期 ≥ 提出日期."""
from __future__ import annotations

from gongkai.api import ENUMS, given, hookimpl, index_by_id, joined, wrong_kind

UNCLAIMED = ENUMS["need_unclaimed_statuses"]  # 待认领, 不予立项
RESOLVED = ENUMS["need_solved_statuses"][0]  # 已解决


@hookimpl
def register_checks(register):
    register(check_need_community, reads=("needs", "units"))
    register(check_need_status, reads=("needs",))
    register(check_need_dates, reads=("needs",))


def check_need_community(records, context):
    units = index_by_id(records.get("units", []))
    for need in records.get("needs", []):
        finding = wrong_kind(context, "need-community-kind", "needs", need, "community_id", units,
                             ENUMS["need_community_kinds"], "需求的所属社区")
        if finding:
            yield finding


def check_need_status(records, context):
    for need in records.get("needs", []):
        if not given(need, "status"):
            continue
        status = need["status"]
        if status not in UNCLAIMED and need.get("claimed_by") is None and "claimed_by" not in need.invalid:
            yield context.error(
                "need-claimed-by-required",
                f"需求 {need.get('id')} 的状态是“{status}”，但“认领单位”为空。除“{joined(UNCLAIMED)}”外，"
                f"其他状态都必须填写认领单位：请填写认领单位的编号，或把状态改为“待认领”。",
                "needs", need, "claimed_by",
            )
        if status == RESOLVED and need.get("resolved_on") is None and "resolved_on" not in need.invalid:
            yield context.error(
                "resolved-on-required",
                f"需求 {need.get('id')} 的状态是“{RESOLVED}”，但“解决日期”为空。请填写解决日期（如 2025-06-30），"
                f"或在尚未解决时改正状态。",
                "needs", need, "resolved_on",
            )


def check_need_dates(records, context):
    for need in records.get("needs", []):
        if given(need, "raised_on", "resolved_on") and need["resolved_on"] < need["raised_on"]:
            yield context.error(
                "date-order",
                f"需求 {need.get('id')} 的“解决日期”{need['resolved_on'].isoformat()} 早于“提出日期”"
                f"{need['raised_on'].isoformat()}。解决日期不能早于提出日期：请改正其中一个日期。",
                "needs", need, "resolved_on",
            )
