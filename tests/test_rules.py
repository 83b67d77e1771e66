"""One test per domain rule of the data standard: break exactly one rule in the valid `init`
sample and assert the structured finding (code, resource, row, field) and what its message says.

Rows are CSV line numbers (header = 1). Sample rows used below — units: 2 jiedao 街道,
3 c-dongfeng 社区, 4 c-xiangyang 社区, 5 x-dongfeng 小区, 6 u-audit 共建单位, 7 u-hospital 共建单位,
8 pm-sample 物业企业, 9 o-dongfeng 业委会; needs: 2 n-001 已解决, 3 n-002 办理中, 4 n-003 待认领;
decisions: 2 d-001 (votes, notice), 3 d-002 (no votes); projects: 2 p-seats 已验收, 3 p-doctor
实施中, 4 p-lights 已立项; milestones: 2 p-seats, 3 p-doctor (40); evaluations: 2–5;
evaluation_items: 2–3 (ev-002, 52/60 and 33/40).
"""
from __future__ import annotations

import pytest
from conftest import codes, edit_line, finding, read_rows, validate


def apply(root, edits):
    """Each edit is (resource, line, changes): change that CSV line, or append when it is the next line."""
    for resource, line, changes in edits:
        edit_line(root, resource, line, **changes)


def E(resource, line, **changes):
    return (resource, line, changes)


RULES = [
    # units: the territorial chain 楼栋→小区→网格→社区→街道, never reversed, and no cycles
    pytest.param([E("units", 4, parent_id="x-dongfeng")], ("unit-hierarchy", "units", 4, "parent_id"), ["x-dongfeng", "小区", "街道"], id="社区挂在小区下"),
    pytest.param([E("units", 4, parent_id="c-dongfeng")], ("unit-hierarchy", "units", 4, "parent_id"), ["c-dongfeng", "平级"], id="社区挂在社区下"),
    pytest.param([E("units", 5, parent_id="pm-sample")], ("unit-hierarchy", "units", 5, "parent_id"), ["物业企业", "街道、社区、网格"], id="小区挂在物业企业下"),
    pytest.param([E("units", 10, id="jiedao-2", name="第二街道", kind="街道", parent_id="jiedao")], ("unit-hierarchy", "units", 10, "parent_id"), ["最高一级", "留空"], id="街道有上级"),
    pytest.param([E("units", 8, parent_id="pm-sample")], ("unit-cycle", "units", 8, "parent_id"), ["pm-sample", "它自己"], id="以自己为上级"),
    pytest.param([E("units", 6, parent_id="u-hospital"), E("units", 7, parent_id="u-audit")], ("unit-cycle", "units", 6, "parent_id"),
                 ["u-audit → u-hospital → u-audit", "第 6、7 行"], id="两个单位互为上级"),
    # pairings: 共建单位/物业企业/社会组织/志愿服务队 with a 社区
    pytest.param([E("pairings", 2, unit_id="o-dongfeng")], ("pairing-kind", "pairings", 2, "unit_id"), ["o-dongfeng", "业委会", "共建单位、物业企业、社会组织、志愿服务队"], id="业委会结对"),
    pytest.param([E("pairings", 2, community_id="x-dongfeng")], ("pairing-kind", "pairings", 2, "community_id"), ["x-dongfeng", "小区", "只能是社区"], id="与小区结对"),
    # projects.partner_unit_ids
    pytest.param([E("projects", 2, partner_unit_ids="pm-sample;nobody")], ("partner-unit-ids", "projects", 2, "partner_unit_ids"), ["nobody", "units"], id="参与单位不存在"),
    pytest.param([E("projects", 2, partner_unit_ids="pm-sample,u-hospital")], ("partner-unit-ids", "projects", 2, "partner_unit_ids"), ["pm-sample,u-hospital", "分号"], id="参与单位用逗号分隔"),
    pytest.param([E("projects", 2, partner_unit_ids="示例物业")], ("partner-unit-ids", "projects", 2, "partner_unit_ids"), ["示例物业", "不是合规的编号"], id="参与单位写了中文名"),
    # needs
    pytest.param([E("needs", 3, community_id="u-audit")], ("need-community-kind", "needs", 3, "community_id"), ["u-audit", "共建单位", "社区、网格、小区"], id="需求属于共建单位"),
    pytest.param([E("needs", 3, claimed_by="")], ("need-claimed-by-required", "needs", 3, "claimed_by"), ["办理中", "认领单位"], id="办理中缺认领单位"),
    pytest.param([E("needs", 2, resolved_on="")], ("resolved-on-required", "needs", 2, "resolved_on"), ["已解决", "解决日期"], id="已解决缺解决日期"),
    pytest.param([E("needs", 2, resolved_on="2026-03-01")], ("date-order", "needs", 2, "resolved_on"), ["2026-03-01", "2026-03-05"], id="解决早于提出"),
    # decisions
    pytest.param([E("decisions", 2, votes_abstain="")], ("votes-all-or-none", "decisions", 2, "votes_abstain"), ["弃权票", "都填"], id="缺弃权票"),
    pytest.param([E("decisions", 3, votes_for="12")], ("votes-all-or-none", "decisions", 3, "votes_against"), ["反对票、弃权票"], id="只填赞成票"),
    pytest.param([E("decisions", 3, notice_end="")], ("notice-both-or-none", "decisions", 3, "notice_end"), ["2026-04-17", "公示结束"], id="缺公示结束"),
    pytest.param([E("decisions", 2, notice_start="")], ("notice-both-or-none", "decisions", 2, "notice_start"), ["公示开始"], id="缺公示开始"),
    pytest.param([E("decisions", 2, notice_start="2026-03-19")], ("date-order", "decisions", 2, "notice_start"), ["2026-03-19", "2026-03-20"], id="公示早于会议"),
    pytest.param([E("decisions", 2, notice_end="2026-03-22")], ("date-order", "decisions", 2, "notice_end"), ["2026-03-22", "2026-03-23"], id="公示结束早于开始"),
    pytest.param([E("decisions", 2, status="已更正")], ("correction-required", "decisions", 2, "correction"), ["已更正", "更正说明"], id="已更正缺说明"),
    pytest.param([E("decisions", 3, status="已撤销")], ("correction-required", "decisions", 3, "correction"), ["已撤销"], id="已撤销缺说明"),
    # projects
    pytest.param([E("projects", 4, due_date="2026-06-01")], ("date-order", "projects", 4, "due_date"), ["2026-06-01", "2026-07-01"], id="时限早于开始"),
    pytest.param([E("projects", 2, completed_on="")], ("completed-on-required", "projects", 2, "completed_on"), ["已验收", "完成日期"], id="已验收缺完成日期"),
    pytest.param([E("projects", 2, progress="90")], ("progress-status", "projects", 2, "progress"), ["已验收", "90", "100"], id="已验收进度不是100"),
    pytest.param([E("projects", 3, status="已完成", completed_on="2026-10-01")], ("progress-status", "projects", 3, "progress"), ["已完成", "40"], id="已完成进度40"),
    # milestones
    pytest.param([E("milestones", 3, date="2026-11-26")], ("milestone-after-today", "milestones", 3, "date"), ["2026-11-26", "2026-11-25"], id="进展在基准日之后"),
    pytest.param([E("milestones", 4, project_id="p-doctor", date="2026-07-01", title="医生进驻", progress="30")],
                 ("milestone-progress-decreasing", "milestones", 4, "progress"), ["30", "第 3 行", "40"], id="进度倒退"),
    pytest.param([E("milestones", 4, project_id="P-DOCTOR", date="2026-06-01", title="选址完成", progress="60")],
                 ("milestone-progress-decreasing", "milestones", 3, "progress"), ["40", "第 4 行", "2026-06-01"], id="按日期而非行序比较"),
    # evaluations
    pytest.param([E("evaluations", 3, satisfied="11")], ("satisfied-over-respondents", "evaluations", 3, "satisfied"), ["11", "10"], id="满意多于参评"),
    pytest.param([E("evaluation_items", 2, score="61")], ("item-score-over-max", "evaluation_items", 2, "score"), ["61", "60", "服务质量"], id="细项超满分"),
    pytest.param([E("evaluation_items", 2, max_score="0")], ("max-score-positive", "evaluation_items", 2, "max_score"), ["满分", "0"], id="满分为0"),
    pytest.param([E("evaluation_items", 3, max_score="-5")], ("max-score-positive", "evaluation_items", 3, "max_score"), ["-5"], id="满分为负"),
]


def test_sample_is_clean(portal):
    report = validate(portal)
    assert report.errors == []


def assert_breaks_only(portal, edits, expected, says):
    """The edits break exactly the rule `expected` names, with a message saying each of `says`, and the
    finding gives the column letter (for staff in Excel); returns the finding."""
    apply(portal, edits)
    report = validate(portal)
    found = finding(report, expected)
    assert {c[0] for c in codes(report)} == {expected[0]}, codes(report)  # exactly one rule broken
    for text in says:
        assert text in found.message
    assert found.column
    return found


@pytest.mark.parametrize("edits, expected, says", RULES)
def test_rule(portal, edits, expected, says):
    assert_breaks_only(portal, edits, expected, says)


STILL_VALID = [
    pytest.param([E("units", 6, parent_id="x-dongfeng")], id="共建单位挂在小区下"),
    pytest.param([E("units", 9, parent_id="u-audit")], id="非属地单位挂在非属地单位下"),
    pytest.param([E("units", 5, parent_id="jiedao")], id="小区跳级挂在街道下"),
    pytest.param([E("projects", 2, partner_unit_ids="PM-sample；u-hospital; ")], id="全角分号和大小写"),
    pytest.param([E("needs", 3, status="不予立项", claimed_by="")], id="不予立项无需认领"),
    pytest.param([E("needs", 3, community_id="x-dongfeng")], id="需求属于小区"),
    pytest.param([E("decisions", 2, votes_for="0", votes_against="0", votes_abstain="0")], id="票数都为0"),
    pytest.param([E("decisions", 2, notice_start="2026-03-20", notice_end="2026-03-20")], id="公示当天开始当天结束"),
    pytest.param([E("decisions", 2, status="已更正", correction="2026-03-25 更正座椅数量为12组。")], id="已更正有说明"),
    pytest.param([E("projects", 2, progress="")], id="已验收进度留空"),
    pytest.param([E("milestones", 3, date="2026-11-25")], id="进展在基准日当天"),
    pytest.param([E("milestones", 4, project_id="p-doctor", date="2026-07-01", title="持平", progress="40")], id="进度持平"),
    pytest.param([E("evaluations", 3, satisfied="10")], id="全部满意"),
    pytest.param([E("evaluation_items", 2, score="60")], id="得分等于满分"),
]


@pytest.mark.parametrize("edits", STILL_VALID)
def test_allowed_variations_stay_valid(portal, edits):
    apply(portal, edits)
    assert codes(validate(portal)) == []


def test_spending_over_budget_is_a_warning(portal):
    apply(portal, [E("projects", 3, spent_yuan="40000.5")])
    report = validate(portal)
    assert report.valid
    found = finding(report, ("spent-over-budget", "projects", 3, "spent_yuan"), "warning")
    assert "40000.5" in found.message and "40000" in found.message


def test_demo_validates_clean_with_its_overspent_project(demo_copy):
    report = validate(demo_copy)
    assert codes(report) == []
    rows = read_rows(demo_copy, "projects")
    line = next(i for i, r in enumerate(rows, start=2) if r["id"] == "p-roof-bm")
    assert ("spent-over-budget", "projects", line, "spent_yuan") in codes(report, "warning")
