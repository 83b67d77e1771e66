"""A newcomer adds a resource with its page by touching a schema, one plugin module and one template
(tests/example_plugin/, the walk-through of the README's plugin guide), using only `gongkai.api`:
the data is validated with Chinese findings, linked both ways by the schema's foreignKey names, and
published as a page in the nav that links to the communities."""
from __future__ import annotations

import shutil

import pytest
from conftest import REPO, TODAY, build_site, codes, write_rows

from gongkai.session import open_session

EXAMPLE = REPO / "tests" / "example_plugin"
ROWS = [
    {"id": "a1", "date": "2026-03-01", "community_id": "c-dongfeng", "title": "楼道清理", "participants": "12"},
    {"id": "a2", "date": "2026-05-04", "community_id": "c-dongfeng", "title": "青年志愿者植树", "participants": "30"},
    {"id": "a3", "date": "2026-04-10", "community_id": "c-xiangyang", "title": "助老理发", "participants": "8"},
]


@pytest.fixture
def with_plugin(portal):
    shutil.copytree(EXAMPLE / "plugins", portal / "plugins", dirs_exist_ok=True)
    shutil.copytree(EXAMPLE / "templates", portal / "templates", dirs_exist_ok=True)
    config = portal / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("plugins: []", "plugins: [plugins/activities.py]", 1), encoding="utf-8")
    write_rows(portal, "activities", ROWS)
    return portal


def test_the_example_plugin_uses_only_the_plugin_api():
    imports = [line for line in (EXAMPLE / "plugins" / "activities.py").read_text(encoding="utf-8").splitlines()
               if "gongkai" in line and "import" in line]
    assert imports == ["from gongkai.api import Resource, field_title, given, hookimpl"]


def test_records_are_linked_both_ways_by_the_schema(with_plugin):
    portal = open_session(with_plugin, TODAY).portal
    dongfeng = portal.get("units", "c-dongfeng")
    assert [a["id"] for a in dongfeng.activities] == ["a1", "a2"]  # file order
    assert portal.get("activities", "a3").community is portal.get("units", "c-xiangyang")
    assert portal.get("units", "u-audit").activities == []


def test_the_page_lists_the_activities_newest_first_with_links(with_plugin, tmp_path):
    site = build_site(with_plugin, site_dir=tmp_path / "site")
    html = (site / "activities" / "index.html").read_text(encoding="utf-8")
    body = html[html.index("<h1>志愿服务活动</h1>"):]
    assert body.index("青年志愿者植树") < body.index("助老理发") < body.index("楼道清理")
    assert 'href="../units/c-dongfeng/"' in body and 'href="../units/c-xiangyang/"' in body
    assert "2026年5月4日" in body
    assert 'href="activities/"' in (site / "index.html").read_text(encoding="utf-8")  # in the nav


def test_a_bad_row_gets_a_chinese_finding_with_file_row_and_column(with_plugin):
    rows = [dict(ROWS[0]), dict(ROWS[1], community_id="x-dongfeng"), dict(ROWS[2], community_id="c-nowhere")]
    write_rows(with_plugin, "activities", rows)
    report = open_session(with_plugin, TODAY).report
    found = {f.code: f for f in report.errors}
    assert sorted(codes(report)) == [("activity-community", "activities", 3, "community_id"),
                                     ("foreign-key", "activities", 4, "community_id")]
    assert "c-nowhere" in found["foreign-key"].message
    kind = found["activity-community"]
    assert (kind.file, kind.column, kind.value) == ("datasets/activities.csv", "C", "x-dongfeng")
    assert "小区，不是社区" in kind.message and "请填写" in kind.message
