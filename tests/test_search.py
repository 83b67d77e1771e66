"""Search: the index gongkai/site/search.py writes, queried by the very script the site ships
(plugins/assets/search.js) run in Node over a real built portal. Every Chinese query shape residents
use finds its page: whole words, parts of words, several words, Han-and-digit runs, ids, unit and
community names; and nothing is listed that does not hold the query. The same input writes the same
index bytes, and the browser's folding of text is the index's."""
from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import REPO, build_site, missing_tool, read_rows, write_rows

from gongkai.site.search import fold, shard_of

SEARCH_JS = REPO / "plugins" / "assets" / "search.js"
NODE_CLI = REPO / "tests" / "js" / "search_cli.js"
FOLD_CLI = REPO / "tests" / "js" / "fold_cli.js"
TITLES = {"p-lights": "东风小区电动自行车充电桩建设", "p-doctor": "向阳社区12号楼加装电梯"}
BUDGET_PAGE = "# 财政预算\n\n街道2026年财政预算执行情况，按季度公开，共建项目12个。\n"

#: query -> a page it must list (derived by hand from the fixture below)
EXPECTED = {
    "预算": "budget/",  # part of 财政预算
    "财政预算": "budget/",
    "充电桩": "projects/p-lights/",  # part of 电动自行车充电桩建设
    "电动自行车充电桩建设": "projects/p-lights/",
    "12号楼": "projects/p-doctor/",  # Han and digits
    "12号楼加装电梯": "projects/p-doctor/",
    "共建项目12": "budget/",
    "加装 电梯": "projects/p-doctor/",  # several words, in any order
    "电梯 向阳": "projects/p-doctor/",
    "审计": "units/u-audit/",  # part of a unit name
    "区审计局": "units/u-audit/",
    "p-seats": "projects/p-seats/",  # an id
    "P-SEATS": "projects/p-seats/",
    "ｐ－ｓｅａｔｓ": "projects/p-seats/",  # full-width, as a phone keyboard may type it
    "东风社区": "units/c-dongfeng/",  # a community
}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing_tool("Node.js is not installed: the shipped search.js cannot run")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from gongkai.scaffold import init_portal

    root = tmp_path_factory.mktemp("search") / "portal"
    init_portal(root)
    projects = read_rows(root, "projects")
    for row in projects:
        row["title"] = TITLES.get(row["id"], row["title"])
    write_rows(root, "projects", projects)
    (root / "content" / "budget.md").write_text(BUDGET_PAGE, encoding="utf-8")
    return build_site(root, site_dir=root.parent / "site")


def run_queries(site: Path, *queries: str) -> dict:
    done = subprocess.run([node(), str(NODE_CLI), str(SEARCH_JS), str(site), *queries], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def page_texts(site: Path) -> dict[str, str]:
    """Every indexed page's folded title, address and text, read from the index files themselves."""
    out = {}
    for fragment in (site / "search" / "p").glob("*.json"):
        for page in json.loads(fragment.read_text(encoding="utf-8")):
            out[page["u"]] = fold(f"{page['t']} {page['u']} {page['x']}")
    return out


def test_every_query_shape_finds_its_page(site):
    found = run_queries(site, *EXPECTED)
    for query, page in EXPECTED.items():
        assert page in found[query]["pages"], (query, found[query])


def test_a_query_lists_exactly_the_pages_that_hold_every_word(site):
    texts = page_texts(site)
    queries = ["预算", "加装 电梯", "12号楼", "东风", "社区", "审计局 东风", "无此内容"]
    found = run_queries(site, *queries)
    for query in queries:
        words = [fold(w) for w in query.split()]
        holding = sorted(page for page, text in texts.items() if all(w in text for w in words))
        assert sorted(found[query]["pages"]) == holding[:50], query


def test_the_page_whose_title_holds_the_query_comes_first(site):
    found = run_queries(site, "充电桩", "审计")
    assert found["充电桩"]["pages"][0] == "projects/p-lights/"
    assert found["审计"]["pages"][0] == "units/u-audit/"


def test_filters_by_kind_and_community(site):
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    assert {"单位", "项目", "决策", "页面", "首页", "栏目"} <= set(meta["kinds"])
    assert "东风社区" in meta["communities"]
    found = run_queries(site, "东风|项目,", "东风|,东风社区", "东风|单位,东风社区")
    assert found["东风|项目,"]["pages"] and all(p.startswith("projects/") for p in found["东风|项目,"]["pages"])
    assert "units/u-audit/" not in found["东风|,东风社区"]["pages"]  # 区审计局 is no unit of 东风社区
    assert all(p.startswith("units/") for p in found["东风|单位,东风社区"]["pages"])


@pytest.mark.parametrize("text", ["审计局", "12号楼", "P-00012", "２０２５－Ｑ２", "Ⅻ号 楼", "ﬁ", "东风 社区", "a_b", "İ", "\u3000空格"])
def test_the_browser_folds_and_shards_text_as_the_index_does(text):
    done = subprocess.run([node(), str(FOLD_CLI), str(SEARCH_JS), text], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [js] = json.loads(done.stdout)
    words = [fold(w) for w in text.split() if fold(w)]
    assert js["fold"] == fold(text)
    assert js["words"] == list(dict.fromkeys(words))
    pairs = [sorted({w[i:i + 2] for i in range(len(w) - 1)}) if len(w) > 1 else [w] for w in js["words"]]
    assert [sorted(g) for g in js["grams"]] == pairs
    assert js["crc"] == [zlib.crc32(g.encode("utf-8")) for w in js["grams"] for g in w]


def test_every_term_lives_in_the_shard_the_browser_looks_in(site):
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    for number in range(meta["shards"]):
        shard = json.loads((site / "search" / "t" / f"{number}.json").read_text(encoding="utf-8"))
        assert all(shard_of(term, meta["shards"]) == number for term in shard)


def test_the_index_is_the_same_bytes_twice(site, tmp_path):
    portal = site.parent / "portal"
    again = build_site(portal, site_dir=tmp_path / "again")
    for path in sorted((site / "search").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(site)).read_bytes(), path


def test_the_search_script_and_style_are_served_with_every_page(site):
    for page in ("index.html", "projects/p-lights/index.html", "budget/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "assets/gongkai/search.js" in html and "data-gk-search" in html
    assert not (site / "search" / "search_index.json").exists() or \
        json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"] == []
