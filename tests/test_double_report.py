"""双报到, 双向积分 and 吹哨报到 (issue 16): every rule at its edges on the `init` sample, and the derived
figures of a portal whose answers are worked out by hand below, read from the built HTML.

Sample rows (CSV lines, header = 1) — registrations: 2 bd-001 u-audit → c-dongfeng since 2025-03-01,
12 members; 3 bd-002 u-hospital → c-xiangyang since 2025-03-15. point_items: 2 jf-ll-01 (3 分),
3 jf-pa-01 (5), 4 jf-wm-01 (1), 5 jf-bm-01 (3). services: 2 fw-001 2025-04-10 c-dongfeng u-audit
jf-ll-01, 6 人次, 18 分, 20 rated / 19 satisfied; 3 fw-002 2025-05-16 c-xiangyang u-hospital.
point_exchanges: 2 dh-001 c-dongfeng 2025-H2, 10 分. whistles: 2 cs-001 c-dongfeng → u-audit,
blown 2025-06-02, arrived 06-03, done 06-20. Reference date 2026-11-25.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import TODAY, build_site, codes, validate, write_rows
from test_pages_results import page, row_cells
from test_rules import E, apply, assert_breaks_only

RULES = [
    pytest.param([E("registrations", 4, id="bd-003", unit_id="o-dongfeng", community_id="c-dongfeng", since="2025-01-01", members="3")],
                 ("registration-unit-kind", "registrations", 4, "unit_id"), ["o-dongfeng", "业委会"], id="业委会报到"),
    pytest.param([E("registrations", 4, id="bd-003", unit_id="pm-sample", community_id="x-dongfeng", since="2025-01-01", members="3")],
                 ("registration-community-kind", "registrations", 4, "community_id"), ["x-dongfeng", "小区", "社区"], id="向小区报到"),
    pytest.param([E("registrations", 4, id="bd-003", unit_id="pm-sample", community_id="c-dongfeng", since="2025-05-01",
                    ended_on="2025-04-30", members="3")],
                 ("date-order", "registrations", 4, "ended_on"), ["2025-04-30", "2025-05-01"], id="结束早于报到"),
    pytest.param([E("services", 2, date="2025-02-28")], ("service-unit-not-reported", "services", 2, "unit_id"),
                 ["u-audit", "c-dongfeng", "2025-02-28", "registrations"], id="报到前一天服务"),
    pytest.param([E("registrations", 2, ended_on="2025-04-09")], ("service-unit-not-reported", "services", 2, "unit_id"),
                 ["2025-04-10"], id="报到结束后服务"),
    pytest.param([E("services", 2, unit_id="u-hospital")], ("service-unit-not-reported", "services", 2, "unit_id"),
                 ["u-hospital", "c-dongfeng"], id="向别的社区报到的单位"),
    pytest.param([E("services", 3, date="2026-11-26")], ("future-date", "services", 3, "date"), ["2026-11-26", TODAY], id="明天的服务"),
    pytest.param([E("services", 2, points="19")], ("service-points-over", "services", 2, "points"), ["19", "18", "3 分 × 6 人次"],
                 id="积分比项目允许的多一分"),
    pytest.param([E("services", 2, participants="5")], ("service-points-over", "services", 2, "points"), ["18", "15"], id="人次改少"),
    pytest.param([E("services", 2, satisfied="21")], ("satisfied-over-rated", "services", 2, "satisfied"), ["21", "20"], id="满意多于评价"),
    pytest.param([E("services", 2, rated="")], ("satisfied-without-rated", "services", 2, "rated"), ["评价人数"], id="有满意无评价"),
    pytest.param([E("services", 3, community_id="x-dongfeng")], ("service-community-kind", "services", 3, "community_id"),
                 ["x-dongfeng", "小区"], id="服务社区是小区"),
    pytest.param([E("point_exchanges", 2, points="19")], ("exchange-over-earned", "point_exchanges", 2, "points"),
                 ["c-dongfeng", "19", "18", "2025-12-31"], id="兑换比获得多一分"),
    pytest.param([E("point_exchanges", 2, period="2025-Q1", points="1")], ("exchange-over-earned", "point_exchanges", 2, "points"),
                 ["2025-03-31", "0 分"], id="周期末之后的积分不算"),
    pytest.param([E("point_exchanges", 2, community_id="x-dongfeng")], ("exchange-community-kind", "point_exchanges", 2, "community_id"),
                 ["x-dongfeng"], id="兑换社区是小区"),
    pytest.param([E("whistles", 2, arrived_on="2025-06-01")], ("arrival-before-whistle", "whistles", 2, "arrived_on"),
                 ["2025-06-01", "2025-06-02"], id="吹哨前到场"),
    pytest.param([E("whistles", 2, arrived_on="")], ("done-without-arrival", "whistles", 2, "arrived_on"), ["到场日期"], id="未到场就办结"),
    pytest.param([E("whistles", 2, done_on="2025-06-02")], ("date-order", "whistles", 2, "done_on"), ["2025-06-02", "2025-06-03"],
                 id="办结早于到场"),
    pytest.param([E("whistles", 2, community_id="x-dongfeng")], ("whistle-caller-kind", "whistles", 2, "community_id"),
                 ["小区", "街道、社区"], id="小区吹哨"),
    pytest.param([E("whistles", 2, department_id="c-xiangyang")], ("whistle-department-kind", "whistles", 2, "department_id"),
                 ["c-xiangyang", "社区"], id="叫社区报到"),
    pytest.param([E("whistles", 2, blown_on="2026-11-26", arrived_on="", done_on="")], ("future-date", "whistles", 2, "blown_on"),
                 ["2026-11-26"], id="明天吹哨"),
]


@pytest.mark.parametrize("edits, expected, says", RULES)
def test_rule(portal, edits, expected, says):
    found = assert_breaks_only(portal, edits, expected, says)
    assert found.file == f"datasets/{expected[1]}.csv"


STILL_VALID = [
    pytest.param([E("services", 2, date="2025-03-01")], id="报到当天服务"),
    pytest.param([E("registrations", 2, ended_on="2025-04-10")], id="报到结束当天服务"),
    pytest.param([E("services", 2, unit_id="o-dongfeng")], id="社区内的单位不必报到"),
    pytest.param([E("services", 3, date=TODAY)], id="今天的服务"),
    pytest.param([E("services", 2, satisfied="20")], id="满意等于评价"),
    pytest.param([E("point_exchanges", 2, points="18")], id="兑换等于获得"),
    pytest.param([E("services", 2, date="2025-03-31"), E("point_exchanges", 2, period="2025-Q1", points="18")], id="周期最后一天的积分"),
    pytest.param([E("whistles", 2, arrived_on="2025-06-02")], id="吹哨当天到场"),
    pytest.param([E("whistles", 2, done_on="", outcome="")], id="到场未办结"),
]


@pytest.mark.parametrize("edits", STILL_VALID)
def test_allowed_variations_stay_valid(portal, edits):
    apply(portal, edits)
    assert codes(validate(portal)) == []


def test_stars_other_than_1_3_5_are_refused_by_the_schema(portal):
    apply(portal, [E("point_items", 2, stars="2")])
    (error,) = validate(portal).errors
    assert (error.code, error.resource, error.row, error.field) == ("constraint-enum", "point_items", 2, "stars")
    assert "可选值：1、3、5" in error.message


# ------------------------------------------------------------------------------ known answers

REGISTRATIONS = [  # reference date 2026-11-25
    dict(id="r1", unit_id="u-audit", community_id="c-dongfeng", since="2025-03-01", members="10"),
    dict(id="r2", unit_id="u-hospital", community_id="c-dongfeng", since="2025-03-01", members="7", ended_on=TODAY),  # ends today: active
    dict(id="r3", unit_id="pm-sample", community_id="c-dongfeng", since="2025-03-01", members="5", ended_on="2026-11-24"),  # ended
    dict(id="r4", unit_id="u-hospital", community_id="c-xiangyang", since="2026-11-25", members="4"),  # starts today: active
]
SERVICES = [  # (id, date, community, unit, item, 人次, hours, points, need, rated, satisfied)
    ("s1", "2026-01-10", "c-dongfeng", "u-audit", "jf-ll-01", 6, "12", 18, "n-001", 20, 19),
    ("s2", "2026-02-10", "c-dongfeng", "u-hospital", "jf-pa-01", 4, "8.5", 20, "n-001", 10, 10),  # the same solved need
    ("s3", "2026-03-10", "c-dongfeng", "pm-sample", "jf-bm-01", 4, "", 12, "n-002", "", ""),  # 办理中: not solved
    ("s4", "2026-06-30", "c-xiangyang", "u-hospital", "jf-wm-01", 2, "2", 2, "", 5, 4),  # under r5 (2026-01-01 to 10-31)
    ("s5", "2026-07-01", "c-dongfeng", "u-audit", "jf-ll-01", 3, "3", 9, "", "", ""),
]


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    from gongkai.scaffold import init_portal

    root = tmp_path_factory.mktemp("dr") / "portal"
    init_portal(root)
    write_rows(root, "registrations", REGISTRATIONS + [dict(id="r5", unit_id="u-hospital", community_id="c-xiangyang",
                                                            since="2026-01-01", members="3", ended_on="2026-10-31")])
    fields = ["id", "date", "community_id", "unit_id", "item_id", "participants", "hours", "points", "need_id", "rated", "satisfied"]
    write_rows(root, "services", [dict(zip(fields, map(str, row)), title=f"服务{row[0]}") for row in SERVICES])
    write_rows(root, "point_exchanges", [dict(id="e1", community_id="c-dongfeng", period="2026-H1", points="30", purpose="商家让利"),
                                         dict(id="e2", community_id="c-dongfeng", period="2026-H2", points="9", purpose="社区补贴")])
    write_rows(root, "whistles", WHISTLES)
    return root, build_site(root)


def test_the_known_portal_is_valid(known):
    root, _ = known
    assert codes(validate(root)) == []


def test_district_figures(known):
    _, site = known
    tree = page(site, "services")
    values = {key: tree.by_id(f"dr-{key}").all("span")[0].text() for key in
              ("members", "units", "participants", "hours", "solved", "satisfaction", "points")}
    # active on 2026-11-25: r1 (10), r2 (ends today, 7), r4 (starts today, 4); r3 ended yesterday, r5 in October
    assert values["members"] == "21" and values["units"] == "2"  # u-audit and u-hospital (twice) count once each
    assert values["participants"] == "19"  # 6 + 4 + 4 + 2 + 3
    assert values["hours"] == "25.5"  # 12 + 8.5 + 2 + 3 (s3 has none)
    assert values["solved"] == "1"  # n-001 (已解决) twice; n-002 is 办理中
    assert values["satisfaction"] == "94.3%"  # (19 + 10 + 4) / (20 + 10 + 5) = 33 / 35
    assert values["points"] == "61 / 39"  # 18 + 20 + 12 + 2 + 9 earned; 30 + 9 exchanged


def test_units_are_ranked_by_points_per_half_year_with_ties(known):
    _, site = known
    h1 = page(site, "services").by_id("dr-ranking-2026-H1")
    rows = [row_cells(r) for r in h1.all("tbody")[0].all("tr")]
    # 2026-H1: u-hospital 20 + 2 = 22, u-audit 18, pm-sample 12 → 1, 2, 3
    assert [(r[0], r[1], r[2]) for r in rows] == [("1", "示例区人民医院", "22"), ("2", "示例区审计局", "18"),
                                                ("3", "示例物业服务有限公司", "12")]
    h2 = [row_cells(r) for r in page(site, "services").by_id("dr-ranking-2026-H2").all("tbody")[0].all("tr")]
    assert [(r[0], r[2]) for r in h2] == [("1", "9")]  # s5 on 2026-07-01 is the second half-year


def test_a_tie_shares_its_rank(portal, tmp_path):
    fields = ["id", "date", "community_id", "unit_id", "item_id", "participants", "points"]
    write_rows(portal, "registrations", [dict(id=f"r-{u}", unit_id=u, community_id="c-dongfeng", since="2025-01-01", members="1")
                                         for u in ("u-audit", "u-hospital", "pm-sample")])
    write_rows(portal, "services", [dict(zip(fields, row), title="服务") for row in (
        ("a", "2025-04-01", "c-dongfeng", "u-audit", "jf-ll-01", "5", "15"),
        ("b", "2025-04-02", "c-dongfeng", "u-hospital", "jf-ll-01", "2", "6"),
        ("c", "2025-04-03", "c-dongfeng", "pm-sample", "jf-ll-01", "2", "6"),
        ("d", "2025-04-04", "c-dongfeng", "x-dongfeng", "jf-ll-01", "1", "3"))])
    write_rows(portal, "point_exchanges", [], fieldnames=["id", "community_id", "period", "points", "purpose"])
    site = build_site(portal, site_dir=tmp_path / "site")
    rows = [row_cells(r) for r in page(site, "services").by_id("dr-ranking-2025-H1").all("tbody")[0].all("tr")]
    assert [(r[0], r[2]) for r in rows] == [("1", "15"), ("2", "6"), ("2", "6"), ("4", "3")]


def test_community_page_and_unit_section(known):
    _, site = known
    text = page(site, "services/c-dongfeng").text()
    # c-dongfeng: active r1 + r2 → 2 units, 17 members; s1, s2, s3, s5 → 17 人次, 59 分; exchanged 39, balance 20
    assert "报到单位 2 个，在职党员 17 人" in text.replace("\n", "")
    assert page(site, "services/c-dongfeng").by_id("dr-points").text() == "59"
    assert page(site, "services/c-dongfeng").by_id("dr-exchanged").text() == "39"
    assert "结余 20" in text
    unit = page(site, "units/u-hospital")
    section = unit.by_id("double-report")
    assert section is not None
    assert "第1名（共3个单位）" in unit.text().replace(" ", "")


WHISTLES = [  # 2026-11-20 is a Friday: with 2 working days a call is in time up to Tuesday 2026-11-24
    dict(id="w1", title="甲", community_id="c-dongfeng", department_id="u-audit", blown_on="2026-11-20", arrived_on="2026-11-24"),
    dict(id="w2", title="乙", community_id="c-dongfeng", department_id="u-audit", blown_on="2026-11-20", arrived_on="2026-11-25",
         done_on="2026-11-25"),  # Wednesday: late
    dict(id="w3", title="丙", community_id="c-dongfeng", department_id="u-hospital", blown_on="2026-11-20"),  # not come, limit passed
    dict(id="w4", title="丁", community_id="jiedao", department_id="u-hospital", blown_on="2026-11-23"),  # limit 11-25: waiting
    dict(id="w5", title="戊", community_id="c-xiangyang", department_id="u-hospital", blown_on="2026-11-02",
         arrived_on="2026-11-02", done_on="2026-11-10"),  # same day: in time, 0 days
]


def test_whistle_arrival_rate_and_response_days_per_department(known):
    _, site = known
    tree = page(site, "results/whistles")
    rows = {r[0]: r[1:] for r in (row_cells(tr) for tr in tree.by_id("departments").all("tbody")[0].all("tr"))}
    # calls, in time, late, waiting, rate, average days, done
    assert rows["示例区审计局"] == ["2", "1", "1", "0", "50.0%", "4.5", "1 / 2"]  # (4 + 5) / 2
    assert rows["示例区人民医院"] == ["3", "1", "1", "1", "50.0%", "0.0", "1 / 3"]  # w3 late, w4 waiting, w5 in time
    assert "待到场（2026年11月25日前）" in tree.by_id("call-w4").text()
    assert "超时未到" in tree.by_id("call-w3").text()
    assert "whistles/" in [a.attrs.get("href") for a in page(site, "results").all("a")]


def test_arrival_limit_is_a_setting(known, tmp_path):
    import shutil

    root = tmp_path / "portal"
    shutil.copytree(known[0], root, ignore=shutil.ignore_patterns("site", ".cache"))
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("- gongkai:", "- gongkai:\n      whistle_arrival_days: 3", 1),
                      encoding="utf-8")
    site = build_site(root, site_dir=tmp_path / "site")
    rows = {r[0]: r[1:] for r in (row_cells(tr) for tr in page(site, "results/whistles").by_id("departments").all("tbody")[0].all("tr"))}
    assert rows["示例区审计局"][:4] == ["2", "2", "0", "0"]  # Wednesday is now in time


def test_home_shows_the_figures_only_when_there_is_data(known, portal, tmp_path):
    _, site = known
    assert page(site, "").by_id("figure-dr-members").all("span")[0].text() == "21"
    for name in ("registrations", "services", "point_exchanges", "whistles"):
        (portal / "datasets" / f"{name}.csv").unlink()
    empty = build_site(portal, site_dir=tmp_path / "empty")
    assert "double-report" not in (empty / "index.html").read_text(encoding="utf-8")
    assert not (empty / "services").exists() and not (empty / "results" / "whistles").exists()
    assert "双报到" not in [a.text() for a in page(empty, "").all("a")]


def test_the_plugins_can_be_switched_off(portal, tmp_path):
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("- gongkai:", "- gongkai:\n      disable: [double_report, whistles]", 1),
                      encoding="utf-8")
    for name in ("registrations", "services", "point_exchanges", "point_items", "whistles"):
        (portal / "datasets" / f"{name}.csv").unlink()
    site = build_site(portal, site_dir=tmp_path / "site")
    assert not (site / "services").exists() and not (site / "data" / "services.csv").exists()


def test_downloads_templates_and_search_cover_the_new_records(known, tmp_path):
    root, site = known
    services = json.loads((site / "data" / "services.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in services] == ["s1", "s2", "s3", "s4", "s5"] and services[1]["hours"] == 8.5
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert {"registrations", "services", "point_items", "point_exchanges", "whistles"} <= names
    subprocess.run([sys.executable, "-m", "gongkai.cli", "template", str(root)], check=True, capture_output=True)
    assert {"registrations.xlsx", "services.xlsx", "point_items.xlsx", "point_exchanges.xlsx", "whistles.xlsx"} <= \
        {p.name for p in (root / "excel-templates").iterdir()}
    meta = (site / "search" / "meta.json").read_text(encoding="utf-8")
    assert "双报到" in meta and "吹哨报到" in meta
