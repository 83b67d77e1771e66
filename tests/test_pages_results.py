"""结果公开 end to end: a small portal with known answers is built in tmp_path and the HTML of
/results/ and /results/<period>/ is read back (period scores, ranks, 红黑榜, 约谈, cards, criteria,
逾期/完成/终止 projects and the inline SVG charts with their tables).

The data (also used by test_pages_home_lists.py), reference date 2026-11-25:
- communities c-a 甲社区 and c-b (a name with markup), 小区 x-a1 under c-a; 3 共建单位, 3 物业企业.
- 2025-H2: pm-1 92 (红榜), pm-2 70, pm-3 55 (黑榜 → 黄牌, 约谈).
- 2026-H1: pm-1 95×300 + 79×100 respondents → 91.0 weighted (plain mean 87.0) → 红榜 rank 1;
  pm-2 58 → 黑榜, 黄牌 (not on the 黑榜 before); pm-3 50 → 黑榜 again → 红牌; c-a 90 and 80 with one
  evaluation lacking respondents → plain mean 85.0.
- 满意率: 2025-H2 146/200 = 73.0 %, 2026-H1 658/850 = 77.4 %, overall 804/1050 = 76.6 %.
- projects: p-1 已验收, p-2 已完成; p-3 实施中 due 2026-10-31 (逾期 25 天), p-4 已立项 due 2026-11-24
  (逾期 1 天); p-5 due today (not overdue); p-6 已终止 with a past due date (never overdue);
  p-7 under x-a1 (counted for 甲社区). Budgets 4,000,000 + 300,000 + 150,000 + 50,000 + 19,500.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build_site, write_rows

from gongkai.scaffold import init_portal

MARKUP_NAME = "乙社区 & <新村>"

UNITS = [
    dict(id="jd", name="测试街道", kind="街道", parent_id=""),
    dict(id="c-a", name="甲社区", kind="社区", parent_id="jd"),
    dict(id="c-b", name=MARKUP_NAME, kind="社区", parent_id="jd"),
    dict(id="x-a1", name="甲一小区", kind="小区", parent_id="c-a"),
    dict(id="u-1", name="第一共建单位", kind="共建单位", parent_id=""),
    dict(id="u-2", name="第二共建单位", kind="共建单位", parent_id=""),
    dict(id="u-3", name="第三共建单位", kind="共建单位", parent_id=""),
    dict(id="pm-1", name="一号物业", kind="物业企业", parent_id=""),
    dict(id="pm-2", name="二号物业", kind="物业企业", parent_id=""),
    dict(id="pm-3", name="三号物业", kind="物业企业", parent_id=""),
    dict(id="s-1", name="测试社工中心", kind="社会组织", parent_id="jd"),
]
PAIRINGS = [
    dict(unit_id="u-1", community_id="c-a", since="2025-01-01", annual_funds_yuan="30000"),
    dict(unit_id="pm-1", community_id="c-b", since="2025-01-01", annual_funds_yuan="15000"),
    dict(unit_id="u-2", community_id="c-b", since="2025-01-01", annual_funds_yuan=""),
]
NEEDS = [
    dict(id="n-1", community_id="c-a", title="甲社区增设休息座椅", category="设施改造", source="居民夜谈会",
         raised_on="2026-01-10", status="已解决", claimed_by="u-1", resolved_on="2026-05-20"),
    dict(id="n-2", community_id="x-a1", title="甲一小区楼道照明", category="设施改造", source="网格巡查",
         raised_on="2026-03-01", status="办理中", claimed_by="u-2", resolved_on=""),
    dict(id="n-3", community_id="c-b", title="乙社区增设助餐点", category="养老服务", source="入户走访",
         raised_on="2026-06-01", status="待认领", claimed_by="", resolved_on=""),
]
RESOURCES = [
    dict(id="r-1", unit_id="u-1", title="在职党员志愿者", category="人力"),
    dict(id="r-2", unit_id="u-2", title="活动场地", category="场地"),
    dict(id="r-3", unit_id="s-1", title="社工服务", category="专业服务"),
]
_VOTES = dict(votes_for="", votes_against="", votes_abstain="")
DECISIONS = [
    dict(id="d-1", date="2026-11-20", body="居民议事会", community_id="c-b", title="乙社区助餐点选址",
         resolution="同意选址。", votes_for="20", votes_against="2", votes_abstain="1",
         notice_start="2026-11-21", notice_end="2026-11-28"),
    dict(id="d-2", date="2026-10-01", body="大党委联席会议", community_id="c-a", title="甲社区共建项目清单",
         resolution="确定项目清单。", **_VOTES, notice_start="2026-10-02", notice_end="2026-10-08"),
    dict(id="d-3", date="2026-11-24", body="居民议事会", community_id="c-a", title="甲一小区楼道照明方案",
         resolution="同意方案。", **_VOTES, notice_start="2026-11-26", notice_end="2026-12-02"),
]


def _project(pid, community, lead, category, budget, start, due, status, progress, completed="", **more):
    return dict(id=pid, title=more.pop("title", f"项目{pid}"), community_id=community, lead_unit_id=lead,
                category=category, budget_yuan=budget, start_date=start, due_date=due, status=status,
                completed_on=completed, progress=progress, **more)


PROJECTS = [
    _project("p-1", "c-a", "u-1", "设施改造", "4000000", "2026-02-01", "2026-06-30", "已验收", "100", "2026-05-18",
             need_id="n-1", decision_id="d-2"),
    _project("p-2", "c-a", "u-2", "文化教育", "300000", "2026-03-01", "2026-09-30", "已完成", "100", "2026-09-01"),
    _project("p-3", "c-b", "pm-1", "停车交通", "150000", "2026-03-01", "2026-10-31", "实施中", "50"),
    _project("p-4", "c-b", "u-3", "安全隐患", "50000", "2026-06-01", "2026-11-24", "已立项", "0"),
    _project("p-5", "c-b", "pm-2", "环境卫生", "19500", "2026-06-01", "2026-11-25", "实施中", "80"),
    _project("p-6", "c-a", "u-1", "设施改造", "", "2025-12-01", "2026-01-31", "已终止", "10", outcome="选址未通过。"),
    _project("p-7", "x-a1", "u-2", "设施改造", "", "2026-12-01", "2027-01-31", "已立项", "0",
             need_id="n-2", decision_id="d-3"),
]
MILESTONES = [dict(project_id="p-3", date="2026-06-01", title="完成划线", progress="30")]


def _evaluation(eid, period, subject, evaluator, method, score, respondents, satisfied, project=""):
    return dict(id=eid, period=period, subject_id=subject, project_id=project, evaluator=evaluator, method=method,
                score=score, respondents=respondents, satisfied=satisfied)


EVALUATIONS = [
    _evaluation("e-1", "2025-H2", "pm-1", "居民", "微信投票", "92", "100", "95"),
    _evaluation("e-2", "2025-H2", "pm-2", "居民", "微信投票", "70", "50", "30"),
    _evaluation("e-3", "2025-H2", "pm-3", "居民", "微信投票", "55", "50", "21"),
    _evaluation("e-4", "2026-H1", "pm-1", "居民", "微信投票", "95", "300", "280"),
    _evaluation("e-5", "2026-H1", "pm-1", "社区党组织", "座谈会", "79", "100", "80"),
    _evaluation("e-6", "2026-H1", "pm-2", "居民", "微信投票", "58", "100", "40"),
    _evaluation("e-7", "2026-H1", "pm-3", "居民", "微信投票", "50", "100", "30"),
    _evaluation("e-8", "2026-H1", "c-a", "居民", "微信投票", "90", "200", "180"),
    _evaluation("e-9", "2026-H1", "c-a", "行业主管部门", "明察暗访", "80", "", ""),
    _evaluation("e-10", "2026-H1", "u-1", "居民", "现场评单", "93", "50", "48", project="p-1"),
]
EVALUATION_ITEMS = [
    dict(evaluation_id="e-4", criterion="服务质量", score="57", max_score="60"),
    dict(evaluation_id="e-4", criterion="环境卫生", score="38", max_score="40"),
]
TABLES = dict(units=UNITS, pairings=PAIRINGS, needs=NEEDS, resources=RESOURCES, decisions=DECISIONS,
              projects=PROJECTS, milestones=MILESTONES, evaluations=EVALUATIONS, evaluation_items=EVALUATION_ITEMS)


def write_known_portal(root: Path) -> Path:
    """The `gongkai init` sample portal with every table replaced by the data above (the sample's
    tables the data above does not name are removed)."""
    init_portal(root)
    for file in (root / "datasets").glob("*.csv"):
        if file.stem not in TABLES:
            file.unlink()
    for resource, rows in TABLES.items():
        write_rows(root, resource, rows)
    return root


# ------------------------------------------------------------------------------ reading HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def by_id(self, node_id: str) -> "Node":
        found = [n for n in self.iter() if n.attrs.get("id") == node_id]
        assert len(found) == 1, f"expected one element with id={node_id!r}, found {len(found)}"
        return found[0]

    def all(self, tag: str, **attrs) -> list["Node"]:
        return [n for n in self.iter() if n.tag == tag and all(n.attrs.get(k.replace("_", "-")) == v
                                                                for k, v in attrs.items())]

    def links(self, prefix: str) -> list[str]:
        """The ids that this element links to under `prefix` (e.g. "projects"), in order."""
        ids = []
        for a in self.all("a"):
            m = re.search(rf"(?:^|/){prefix}/([^/]+)/$", a.attrs.get("href") or "")
            if m:
                ids.append(m.group(1))
        return ids


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page(site: Path, path: str) -> Node:
    return Tree((site / path / "index.html").read_text(encoding="utf-8")).root


def row_cells(row: Node) -> list[str]:
    return [c.text() for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")]


def assert_tables_wrapped(tree: Node) -> None:
    article = tree.all("article")[0] if tree.all("article") else tree
    for table in article.all("table"):
        assert "gk-table-wrap" in (table.parent.attrs.get("class") or ""), table.text()[:80]


# ------------------------------------------------------------------------------ the build


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_known_portal(tmp_path_factory.mktemp("known") / "portal")
    return build_site(root, "2026-11-25")


# ------------------------------------------------------------------------------ /results/<period>/


def test_period_scores_are_weighted_and_ranked_within_kind(site):
    tree = page(site, "results/2026-H1")
    firms = tree.all("table", data_kind="物业企业")[0]
    rows = {r.attrs["data-subject"]: row_cells(r) for r in firms.all("tr") if "data-subject" in r.attrs}
    # unit, score, stars, rank, number of evaluations, 满意率, list
    assert rows["pm-1"] == ["一号物业", "91.0", "★★★★", "1", "2", "90.0%", "红榜"]  # weighted, not 87.0
    assert rows["pm-2"] == ["二号物业", "58.0", "—", "2", "1", "40.0%", "黑榜"]
    assert rows["pm-3"] == ["三号物业", "50.0", "—", "3", "1", "30.0%", "黑榜"]
    community = tree.all("table", data_kind="社区")[0]
    (ca,) = [row_cells(r) for r in community.all("tr") if r.attrs.get("data-subject") == "c-a"]
    assert ca[:4] == ["甲社区", "85.0", "★★★", "1"]  # one evaluation has no respondents: plain mean


def test_red_black_lists_interviews_and_cards(site):
    now, before = page(site, "results/2026-H1"), page(site, "results/2025-H2")
    assert now.by_id("red-list").links("units") == ["pm-1"]
    assert now.by_id("black-list").links("units") == ["pm-2", "pm-3"]
    assert now.by_id("interviews").links("units") == ["pm-2", "pm-3"]
    cards = {li.links("units")[0]: li.text() for li in now.by_id("cards").all("li")}
    assert set(cards) == {"pm-2", "pm-3"}
    assert "黄牌" in cards["pm-2"] and "红牌" not in cards["pm-2"]  # first time on the 黑榜
    assert "红牌" in cards["pm-3"] and "黄牌" not in cards["pm-3"]  # 黑榜 in 2025-H2 too
    assert before.by_id("red-list").links("units") == ["pm-1"]
    assert before.by_id("black-list").links("units") == ["pm-3"]
    assert before.by_id("interviews").links("units") == ["pm-3"]
    assert [(li.links("units")[0], "黄牌" in li.text()) for li in before.by_id("cards").all("li")] == [("pm-3", True)]


def test_criteria_breakdown_and_period_navigation(site):
    tree = page(site, "results/2026-H1")
    (heading,) = [h for h in tree.by_id("details").all("h4") if "e-4" in h.text()]
    siblings = [n for n in heading.parent.children if not isinstance(n, str)]
    criteria = siblings[siblings.index(heading) + 1].all("table")[0]
    body = {row_cells(r)[0]: row_cells(r)[1:] for r in criteria.all("tbody")[0].all("tr")}
    assert body == {"服务质量": ["57", "60", "95.0%"], "环境卫生": ["38", "40", "95.0%"]}
    assert "2025-H2" in tree.all("p", **{"class": "gk-breadcrumb"})[0].text()
    assert_tables_wrapped(tree)


# ------------------------------------------------------------------------------ /results/


def test_index_lists_overdue_completed_and_terminated_projects(site):
    tree = page(site, "results")
    overdue = tree.by_id("overdue")
    assert overdue.links("projects") == ["p-3", "p-4"]  # not p-5 (due today), p-6 (终止), p-7 (future)
    rows = {r.all("a")[0].attrs["href"].rstrip("/").rsplit("/", 1)[1]: row_cells(r)
            for r in overdue.all("tbody")[0].all("tr")}
    assert rows["p-3"][3:5] == ["2026年10月31日", "25 天"]
    assert rows["p-4"][3:5] == ["2026年11月24日", "1 天"]
    assert all("逾期" in cells[0] for cells in rows.values())
    assert tree.by_id("completed").links("projects") == ["p-2", "p-1"]  # newest first
    assert tree.by_id("terminated").links("projects") == ["p-6"]
    assert overdue.links("units") == ["c-b", "pm-1", "c-b", "u-3"]  # community and responsible unit


def test_index_lists_periods_with_satisfaction(site):
    periods = page(site, "results").by_id("periods")
    rows = [row_cells(r) for r in periods.all("tbody")[0].all("tr")]
    # period, subjects, 满意率, 红榜, 黑榜, cards
    assert rows == [["2026-H1", "5", "77.4%", "1", "2", "黄牌 1 红牌 1"], ["2025-H2", "3", "73.0%", "1", "1", "黄牌 1"]]
    assert [a.attrs["href"] for a in periods.all("a") if "H" in a.attrs["href"]] == ["2026-H1/", "2025-H2/"]
    assert "76.6%" in periods.text()


def test_charts_are_inline_svg_with_a_table_alternative(site):
    tree = page(site, "results")
    satisfaction, completion = tree.by_id("chart-satisfaction"), tree.by_id("chart-completion")
    for figure in (satisfaction, completion):
        assert figure.tag == "figure" and figure.all("figcaption")
        (svg,) = figure.all("svg")
        assert svg.attrs["role"] == "img" and svg.attrs["width"] == "100%"
        assert re.fullmatch(r"0 0 340 [\d.]+", svg.attrs["viewbox"])
        assert svg.all("title")[0].text()
        assert all(float(t.attrs.get("font-size", svg.attrs["font-size"])) >= 12 for t in svg.all("text"))
        assert figure.all("details")[0].all("table")
    table = {row_cells(r)[0]: row_cells(r)[1:] for r in satisfaction.all("tbody")[0].all("tr")}
    assert table == {"2025-H2": ["73.0%"], "2026-H1": ["77.4%"]}
    bars = [r.attrs["width"] for r in satisfaction.all("svg")[0].all("rect") if r.attrs.get("fill") == "#b71c1c"]
    assert bars == ["248.2", "263.2"]  # 73.0 % and 77.4 % of 340, oldest period first
    table = {row_cells(r)[0]: row_cells(r)[1:] for r in completion.all("tbody")[0].all("tr")}
    assert table == {"甲社区": ["2", "2", "4"], MARKUP_NAME: ["0", "3", "3"]}  # p-7 (小区) counts for 甲社区
    assert_tables_wrapped(tree)


def test_chart_labels_are_escaped(site):
    html = (site / "results" / "index.html").read_text(encoding="utf-8")
    svg = html[html.index('<figure class="gk-chart" id="chart-completion"'):]
    svg = svg[:svg.index("</svg>")]
    assert "乙社区 &amp; &lt;新村&gt;" in svg and "<新村>" not in html


def test_same_input_gives_same_charts(site, tmp_path):
    again = build_site(write_known_portal(tmp_path / "again"), "2026-11-25")
    assert (again / "results" / "index.html").read_bytes() == (site / "results" / "index.html").read_bytes()


def test_portal_without_evaluations_still_builds_its_result_pages(portal):
    write_rows(portal, "evaluation_items", [], fieldnames=["evaluation_id", "criterion", "score", "max_score"])
    write_rows(portal, "evaluations", [], fieldnames=["id", "period", "subject_id", "evaluator", "score"])
    site = build_site(portal)
    tree = page(site, "results")
    assert "还没有评价结果" in tree.by_id("periods").text()
    assert [f.attrs["id"] for f in tree.all("figure")] == ["chart-completion"]  # no 满意率 chart without data
    assert not (site / "results" / "2026-H1").exists()
    assert page(site, "").by_id("figure-satisfaction").text().startswith("—")
