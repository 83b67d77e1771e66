"""The schema-level rules of the standard (types, enums, patterns, required, keys) as staff meet
them, plus the report's cap of 50 findings per code and resource."""
from __future__ import annotations

import pytest
from conftest import codes, edit_line, finding, read_rows, validate, write_rows

from gongkai.findings import MAX_PER_CODE

apply = edit_line
the = finding


SCHEMA = [
    pytest.param("pairings", 2, dict(since="2025年2月30日"), ("type-error", "pairings", 2, "since"), ["2025年2月30日", "不是真实存在的日期"], id="不存在的中文日期"),
    pytest.param("projects", 3, dict(start_date="5/1/2026"), ("type-error", "projects", 3, "start_date"), ["5/1/2026", "YYYY-MM-DD"], id="月日年顺序"),
    pytest.param("projects", 3, dict(start_date="20260501"), ("type-error", "projects", 3, "start_date"), ["2026-05-01"], id="八位数字日期"),
    pytest.param("projects", 3, dict(budget_yuan="1.2万"), ("type-error", "projects", 3, "budget_yuan"), ["1.2万", "12000", "元"], id="金额带万"),
    pytest.param("projects", 3, dict(beneficiaries="3万"), ("type-error", "projects", 3, "beneficiaries"), ["3万", "30000"], id="人数带万"),
    pytest.param("projects", 4, dict(progress="40%"), ("type-error", "projects", 4, "progress"), ["40%", "百分号", "填写数字 40"], id="进度带百分号"),
    pytest.param("projects", 3, dict(budget_yuan="1,23"), ("type-error", "projects", 3, "budget_yuan"), ["1,23"], id="千分位放错"),
    pytest.param("evaluation_items", 2, dict(max_score="Infinity"), ("not-finite", "evaluation_items", 2, "max_score"), ["Infinity", "有限"], id="满分无穷大"),
    pytest.param("evaluations", 2, dict(score="NaN"), ("not-finite", "evaluations", 2, "score"), ["NaN"], id="得分NaN"),
    pytest.param("units", 8, dict(kind="物业公司"), ("constraint-enum", "units", 8, "kind"), ["物业公司", "“物业企业”", "共建单位、物业企业"], id="未知枚举值"),
    pytest.param("needs", 3, dict(status="已解決"), ("constraint-enum", "needs", 3, "status"), ["“已解决”"], id="繁体枚举值"),
    pytest.param("units", 10, dict(id="JIEDAO", name="重复的街道", kind="街道"), ("primary-key", "units", 10, "id"), ["JIEDAO", "第 2 行", "大小写"], id="编号仅大小写不同"),
    pytest.param("projects", 2, dict(lead_unit_id="nobody"), ("foreign-key", "projects", 2, "lead_unit_id"), ["nobody", "units"], id="责任单位不存在"),
    pytest.param("needs", 4, dict(community_id="c-nowhere"), ("foreign-key", "needs", 4, "community_id"), ["c-nowhere", "datasets/units"], id="所属社区不存在"),
    pytest.param("pairings", 4, dict(unit_id="U-AUDIT", community_id="c-dongfeng", since="2025-06-01"), ("primary-key", "pairings", 4, "unit_id"), ["第 2 行"], id="结对重复"),
    pytest.param("milestones", 4, dict(project_id="p-doctor", date="2026-06-15", title="服务点装修完成", progress="45"), ("primary-key", "milestones", 4, "project_id"), ["第 3 行"], id="进展重复"),
    pytest.param("evaluation_items", 4, dict(evaluation_id="EV-002", criterion="服务质量", score="50", max_score="60"), ("primary-key", "evaluation_items", 4, "evaluation_id"), ["第 2 行"], id="细项重复"),
    pytest.param("units", 10, dict(id="new unit", name="新单位", kind="共建单位"), ("constraint-pattern", "units", 10, "id"), ["new unit", "英文字母"], id="编号含空格"),
    pytest.param("units", 10, dict(id="新单位", name="新单位", kind="共建单位"), ("constraint-pattern", "units", 10, "id"), ["新单位"], id="编号含中文"),
    pytest.param("projects", 3, dict(need_id="n 002"), ("constraint-pattern", "projects", 3, "need_id"), ["n 002"], id="外键编号含空格"),
    pytest.param("projects", 3, dict(budget_yuan="40000.125"), ("constraint-yuan", "projects", 3, "budget_yuan"), ["40000.125", "两位小数"], id="金额三位小数"),
    pytest.param("pairings", 2, dict(annual_funds_yuan="-100"), ("constraint-minimum", "pairings", 2, "annual_funds_yuan"), ["-100", "0"], id="金额为负"),
    pytest.param("evaluations", 2, dict(period="2025-H3"), ("constraint-pattern", "evaluations", 2, "period"), ["2025-H3", "2025-H1"], id="周期2025-H3"),
    pytest.param("evaluations", 2, dict(score="101"), ("constraint-maximum", "evaluations", 2, "score"), ["101", "100"], id="得分超过100"),
    pytest.param("units", 3, dict(households="很多"), ("type-error", "units", 3, "households"), ["很多", "整数"], id="户数不是整数"),
    pytest.param("projects", 4, dict(progress="101"), ("constraint-maximum", "projects", 4, "progress"), ["101"], id="进度超过100"),
    pytest.param("decisions", 3, dict(title=""), ("constraint-required", "decisions", 3, "title"), ["议题"], id="议题为空"),
]


@pytest.mark.parametrize("resource, line, changes, expected, says", SCHEMA)
def test_schema_rule(portal, resource, line, changes, expected, says):
    apply(portal, resource, line, **changes)
    report = validate(portal)
    found = the(report, expected)
    for text in says:
        assert text in found.message
    assert found.column and found.file == f"datasets/{resource}.csv"


def test_key_findings_name_field_and_column(portal):
    apply(portal, "units", 10, id="C-DongFeng", name="重复", kind="社区")
    apply(portal, "resources", 3, unit_id="nobody")
    report = validate(portal)
    duplicate = the(report, ("primary-key", "units", 10, "id"))
    missing = the(report, ("foreign-key", "resources", 3, "unit_id"))
    assert (duplicate.column, duplicate.value) == ("A", "C-DongFeng")
    assert (missing.column, missing.value) == ("B", "nobody")


def test_missing_required_column(portal):
    rows = read_rows(portal, "projects")
    for row in rows:
        del row["title"]
    write_rows(portal, "projects", rows)
    report = validate(portal)
    found = the(report, ("missing-column", "projects", 1, "title"))
    assert "项目名称" in found.message


def test_unknown_column_is_a_warning(portal):
    rows = read_rows(portal, "units")
    for row in rows:
        row["备注"] = "x"
    write_rows(portal, "units", rows)
    report = validate(portal)
    assert report.valid
    found = the(report, ("unknown-column", "units", 1, None), "warning")
    assert "备注" in found.message and found.column == "J"


def test_at_most_50_findings_of_one_code_per_resource(portal):
    rows = read_rows(portal, "evaluations")
    for n in range(60):
        rows.append(dict(id=f"ev-x{n:02d}", period="2026-H1", subject_id="pm-sample", evaluator="居民",
                         score="80", respondents="1", satisfied="2"))
    write_rows(portal, "evaluations", rows)
    report = validate(portal)
    assert len([c for c in codes(report) if c[0] == "satisfied-over-respondents"]) == 60  # all found
    listed = report.to_dict()["errors"]
    shown = [f for f in listed if f["code"] == "satisfied-over-respondents"]
    assert len(shown) == MAX_PER_CODE == 50
    assert [f["row"] for f in shown] == list(range(6, 56))  # the first 50, in file order
    more = [f for f in listed if f["code"] == "more-findings"]
    assert [(f["resource"], f["value"]) for f in more] == [("evaluations", "10")]  # value: always text
    assert "10" in more[0]["message"]
