"""首页 and 三张清单 end to end, on the known-answer portal of test_pages_results.py (reference date
2026-11-25): the headline figures, the decisions in their 公示期, and the three lists per community
with status counts and the in-page filter markup."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_site
from test_pages_results import (
    MARKUP_NAME,
    assert_tables_wrapped,
    page,
    row_cells,
    write_known_portal,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_known_portal(tmp_path_factory.mktemp("known") / "portal")
    return build_site(root, "2026-11-25")


# ------------------------------------------------------------------------------ home


@pytest.mark.parametrize("figure, value", [
    ("communities", "2"),  # kind 社区
    ("partners", "3"),  # kind 共建单位 (物业企业 and 社会组织 do not count)
    ("projects", "2 / 7"),  # 已完成 + 已验收 of all
    ("needs", "1 / 3"),  # 已解决 of all
    ("decisions", "3"),
    ("funds", "4.50万元"),  # 30,000 + 15,000 + empty
    ("budget", "451.95万元"),  # 4,519,500
    ("satisfaction", "76.6%"),  # 804 / 1050
])
def test_headline_figures(site, figure, value):
    node = page(site, "").by_id(f"figure-{figure}")
    assert node.all("span", **{"class": "gk-figure__value"})[0].text() == value


def test_home_shows_decisions_in_their_notice_period(site):
    tree = page(site, "")
    assert tree.by_id("in-notice").links("decisions") == ["d-1"]  # d-2 ended, d-3 starts tomorrow
    assert "还有 3 天" in tree.by_id("in-notice").text()
    assert tree.by_id("latest-decisions").links("decisions") == ["d-3", "d-1", "d-2"]
    assert tree.by_id("latest-results").links("projects") == ["p-2", "p-1"]
    assert "2026-H1" in tree.by_id("latest-period").text() and "77.4%" in tree.by_id("latest-period").text()


def test_home_links_every_index_page(site):
    hrefs = [a.attrs["href"] for a in page(site, "").by_id("sections").all("a")]
    assert hrefs == ["decisions/", "results/", "lists/", "units/", "data/", "notices/"]  # the nav, in its order
    for href in hrefs:
        assert (site / href / "index.html").is_file()


# ------------------------------------------------------------------------------ 三张清单


def _groups(tree, section: str) -> dict:
    """{group element id: group element} of one list, in page order."""
    scope = tree.by_id(f"{section}-rows")
    return {g.attrs["id"]: g for g in scope.all("div") if "data-gk-group" in g.attrs}


def _community_groups(site, section: str) -> dict:
    """The groups of one list over the community pages and the overview (the 街道's own rows)."""
    found = {}
    for path in ("lists/c-a", "lists/c-b", "lists"):
        tree = page(site, path)
        if any(n.attrs.get("id") == f"{section}-rows" for n in tree.iter()):
            found.update(_groups(tree, section))
    return found


def test_the_overview_links_one_page_per_community_with_its_counts(site):
    tree = page(site, "lists")
    rows = {row_cells(r)[0]: row_cells(r)[1:] for r in tree.by_id("communities").all("tbody")[0].all("tr")}
    # needs, resources (c-a: the 在职党员志愿者 of a paired unit; c-b: 活动场地), projects, overdue
    assert rows == {"甲社区": ["2 条", "1 项", "4 个", "0"], MARKUP_NAME: ["1 条", "1 项", "3 个", "2"]}
    assert [a.attrs["href"] for a in tree.by_id("communities").all("a")] == ["c-a/", "c-b/"]
    assert page(site, "lists/c-a").all("h1")[0].text() == "甲社区 三张清单"
    assert [a.attrs["href"] for a in page(site, "units/c-a").all("a") if a.text() == "本社区的三张清单"] == ["../../lists/c-a/"]
    # the overview lists only what belongs to no 社区: the 街道's resource, no need or project here
    assert sorted(_groups(tree, "resources")) == ["resources-other"]
    assert not any(n.attrs.get("id") in ("needs-rows", "projects-rows") for n in tree.iter())


def test_needs_are_grouped_by_community_with_status_counts(site):
    groups = _community_groups(site, "needs")
    assert [r.attrs["id"] for r in groups["needs-c-a"].all("tr") if "data-gk-item" in r.attrs] == ["need-n-2", "need-n-1"]
    assert [r.attrs["id"] for r in groups["needs-c-b"].all("tr") if "data-gk-item" in r.attrs] == ["need-n-3"]
    assert sorted(groups) == ["needs-c-a", "needs-c-b"]
    counts = {row_cells(r)[0]: row_cells(r)[1:] for r in page(site, "lists").by_id("needs").all("tbody")[0].all("tr")}
    # 待认领, 已认领, 办理中, 已解决, 不予立项, 合计
    assert counts == {"甲社区": ["0", "0", "1", "1", "0", "2"], MARKUP_NAME: ["1", "0", "0", "0", "0", "1"]}


def test_resources_are_grouped_by_paired_community(site):
    groups = _community_groups(site, "resources")
    titles = {gid: [row_cells(r)[0] for r in g.all("tr") if "data-gk-item" in r.attrs] for gid, g in groups.items()}
    assert titles == {"resources-c-a": ["在职党员志愿者"], "resources-c-b": ["活动场地"], "resources-other": ["社工服务"]}


def test_project_list_is_the_project_index_with_overdue_badges(site):
    groups = _community_groups(site, "projects")
    rows = {gid: {r.links("projects")[0]: r for r in g.all("tr") if "data-gk-item" in r.attrs} for gid, g in groups.items()}
    assert sorted(rows) == ["projects-c-a", "projects-c-b"]
    assert sorted(rows["projects-c-a"]) == ["p-1", "p-2", "p-6", "p-7"]  # p-7 is in 小区 x-a1
    assert list(rows["projects-c-b"]) == ["p-3", "p-4", "p-5"]  # overdue first
    every = {pid: row for group in rows.values() for pid, row in group.items()}
    overdue = {pid for pid, row in every.items() if row.attrs["data-overdue"] == "逾期"}
    assert overdue == {"p-3", "p-4"}
    assert {pid for pid, row in every.items() if "逾期" in row_cells(row)[0]} == {"p-3", "p-4"}
    p3 = row_cells(every["p-3"])
    assert p3[1:4] == ["实施中", "2026年10月31日", "一号物业"]  # status, due date, responsible unit
    counts = {row_cells(r)[0]: row_cells(r)[1:] for r in page(site, "lists").by_id("projects").all("tbody")[0].all("tr")}
    # 已立项, 实施中, 已完成, 已验收, 已终止, 其中逾期, 合计
    assert counts["甲社区"] == ["1", "0", "1", "1", "1", "0", "4"]
    assert counts[MARKUP_NAME] == ["1", "2", "0", "0", "0", "2", "3"]


def test_filter_markup_works_without_a_server(site):
    for path, section, filters in (("lists/c-a", "needs", ["status", "category"]),
                                   ("lists/c-a", "resources", ["category", "kind"]),
                                   ("lists/c-a", "projects", ["status", "category"]),  # none overdue: no 只看逾期
                                   ("lists/c-b", "projects", ["status", "category", "overdue"])):
        tree = page(site, path)
        scope = tree.by_id(f"{section}-rows")
        assert "data-gk-filter-scope" in scope.attrs
        (form,) = scope.all("form")
        assert "hidden" in form.attrs and "data-gk-filter-controls" in form.attrs  # all rows show without JS
        selects = {s.attrs["data-gk-filter"]: [o.attrs["value"] for o in s.all("option")] for s in form.all("select")}
        assert list(selects) == filters
        items = [r for r in scope.all("tr") if "data-gk-item" in r.attrs]
        for key, values in selects.items():
            assert values[0] == ""  # 全部
            assert all(f"data-{key}" in r.attrs for r in items)
            assert set(values[1:]) <= {v for r in items for v in r.attrs[f"data-{key}"].split()}
    tree = page(site, "lists/c-a")
    needs_status = tree.by_id("needs-rows").all("select", data_gk_filter="status")[0]
    assert [o.attrs["value"] for o in needs_status.all("option")] == ["", "办理中", "已解决"]  # the statuses present
    other = page(site, "lists/c-b").by_id("needs-rows").all("select", data_gk_filter="status")[0]
    assert [o.attrs["value"] for o in other.all("option")] == ["", "待认领"]
    script = (site / "assets" / "gongkai" / "filter.js").read_text(encoding="utf-8")
    assert "data-gk-filter-scope" in script and "data-gk-item" in script
    assert any(s.attrs.get("src", "").endswith("assets/gongkai/filter.js") for s in tree.all("script"))
    assert_tables_wrapped(tree)
