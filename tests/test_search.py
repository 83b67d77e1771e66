"""Chinese search (plugins/search_zh.py + assets/search-zh.js): a real portal is built, the real
search_index.json is read, and the query rewrite of the browser is simulated, so that parts of
words (预算 in 财政预算) and words jieba splits (充电桩, 雨污分流) are found on the right pages.
When Node is installed, Material's own search worker is run on the built index as well."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jieba
import pytest
from conftest import build_site, read_rows, write_rows
from gongkai.plugins import search_zh

from gongkai.scaffold import init_portal

REWRITE_JS = Path(search_zh.__file__).parent / "assets" / "search-zh.js"
TITLES = {"p-lights": "东风小区电动自行车充电桩建设", "p-doctor": "向阳社区雨污分流改造"}
BUDGET_PAGE = "# 财政预算\n\n街道2026年财政预算执行情况，按季度公开。\n"
#: query -> the page it must find
EXPECTED = {
    "预算": "budget/",
    "充电桩": "projects/p-lights/",
    "雨污分流": "projects/p-doctor/",
    "健身": "projects/p-seats/",
    "审计局": "units/u-audit/",
}


@pytest.fixture(scope="module")
def search_portal(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search") / "portal"
    init_portal(root)
    projects = read_rows(root, "projects")
    for row in projects:
        row["title"] = TITLES.get(row["id"], row["title"])
    write_rows(root, "projects", projects)
    (root / "content" / "budget.md").write_text(BUDGET_PAGE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(search_portal) -> Path:
    return build_site(search_portal, site_dir=search_portal.parent / "site-1")


@pytest.fixture(scope="module")
def index(site) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def rewrite(query: str) -> str:
    """The query rewrite of assets/search-zh.js, in Python."""
    han = search_zh.HAN
    if not re.search(f"[{han}]{{2}}", query):
        return query

    def terms(match: re.Match) -> str:
        sign, run = match.groups()
        if sign == "-":
            return match.group(0)
        return " " + " ".join(f"+{a}_{b}" for a, b in zip(run, run[1:])) + f" {run} "

    return re.sub(r"\s+", " ", re.sub(f"([+-]?)([{han}]{{2,}})", terms, query.replace('"', " "))).strip()


def required(query: str) -> set[str]:
    return {term[1:] for term in rewrite(query).split() if term.startswith("+")}


def page_doc(index: dict, location: str) -> dict:
    return next(doc for doc in index["docs"] if doc["location"] == location)


def found_by(index: dict, query: str) -> set[str]:
    """Locations whose hidden bigram fields hold every required term (lunr: each in any field)."""
    need = required(query)
    return {doc["location"] for doc in index["docs"]
            if need <= set(doc.get("zt", "").split()) | set(doc.get("zx", "").split())}


def test_rewrite_turns_han_runs_into_required_bigrams():
    assert rewrite("充电桩") == "+充_电 +电_桩 充电桩"
    assert rewrite('"雨污分流" 2026') == "+雨_污 +污_分 +分_流 雨污分流 2026"
    assert rewrite("-预算 财政") == "-预算 +财_政 财政"
    assert rewrite("预") == "预" and rewrite("p-ev") == "p-ev"


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_each_query_finds_its_page(index, query):
    page = EXPECTED[query]
    assert page in found_by(index, query), (query, page_doc(index, page))


def test_parts_of_words_are_found_that_materials_own_tokens_miss(index):
    budget = page_doc(index, "budget/")
    jieba_tokens = re.split(index["config"]["separator"], budget["title"] + " " + budget["text"])
    assert "财政预算" in jieba_tokens and not any(t.startswith("预算") for t in jieba_tokens)
    assert "budget/" in found_by(index, "预算")


def test_a_query_does_not_find_pages_without_it(index):
    assert "projects/p-doctor/" not in found_by(index, "充电桩")
    assert "projects/p-lights/" not in found_by(index, "雨污分流")
    assert found_by(index, "火星基地") == set()


def test_bigram_fields_are_declared_with_the_boosts_of_title_and_text(index):
    fields = index["config"]["fields"]
    assert fields["zt"] == fields["title"] and fields["zx"] == fields["text"]
    assert index["config"]["lang"] == ["zh"]
    assert "预_算" in page_doc(index, "budget/")["zx"].split()


def test_portal_names_stay_whole_in_materials_segmentation(index):
    assert page_doc(index, "projects/p-lights/")["title"] == TITLES["p-lights"]
    assert page_doc(index, "units/u-audit/")["title"] == "示例区审计局"


def test_entity_pages_carry_a_search_boost(index):
    assert page_doc(index, "units/u-audit/").get("boost", 1) > 1
    assert page_doc(index, "projects/p-lights/").get("boost", 1) > 1


def test_index_is_written_as_utf8_and_the_same_bytes_twice(search_portal, site):
    first = (site / "search" / "search_index.json").read_bytes()
    assert "充_电".encode() in first
    second_site = build_site(search_portal, site_dir=search_portal.parent / "site-2")
    assert (second_site / "search" / "search_index.json").read_bytes() == first


def test_query_script_is_served_with_every_page(site):
    assert (site / "assets" / "gongkai" / "search-zh.js").read_bytes() == REWRITE_JS.read_bytes()
    assert '<script src="../../assets/gongkai/search-zh.js"></script>' in (site / "units" / "u-audit" / "index.html").read_text(encoding="utf-8")


def test_jieba_words_of_one_portal_do_not_leak_into_the_next():
    word = "甲乙丙丁戊己"
    search_zh.use_words([word])
    assert word in jieba.lcut(f"这是{word}的测试")
    search_zh.use_words([])
    assert word not in jieba.lcut(f"这是{word}的测试")
    assert word not in jieba.dt.FREQ


# ------------------------------------------------------------------ Material's worker, in Node

NODE_RUNNER = r"""
const fs = require("fs"), path = require("path"), vm = require("vm");
const [workers, indexFile, rewriteFile, queriesJson] = process.argv.slice(2);
const rewrite = require(rewriteFile);
const index = JSON.parse(fs.readFileSync(indexFile, "utf8"));
const file = fs.readdirSync(workers).find(f => /^search\..*\.min\.js$/.test(f));
let handler; const out = [];
const ctx = { console, URL, setTimeout, Promise, Uint16Array, TextDecoder,
  addEventListener: (type, fn) => { handler = fn; }, postMessage: m => out.push(m),
  importScripts: (...urls) => urls.forEach(u => vm.runInContext(fs.readFileSync(path.resolve(workers, u), "utf8"), ctx)) };
ctx.self = ctx; ctx.globalThis = ctx; vm.createContext(ctx);
vm.runInContext(fs.readFileSync(path.join(workers, file), "utf8"), ctx);
(async () => {
  await handler({ data: { type: 0, data: { config: index.config, docs: index.docs, options: { suggest: false } } } });
  const result = {};
  for (const q of JSON.parse(queriesJson)) {
    out.length = 0;
    await handler({ data: { type: 2, data: rewrite(q) } });
    result[q] = { rewritten: rewrite(q), hits: (out[0].data.items || []).map(group => group[0].location) };
  }
  console.log(JSON.stringify(result));
})();
"""


def material_workers() -> Path | None:
    import material

    found = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    return found if any(found.glob("search.*.min.js")) else None


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed: Material's search worker cannot run")
def test_materials_search_worker_finds_the_pages(site, tmp_path):
    workers = material_workers()
    if workers is None:
        pytest.skip("this mkdocs-material has no search worker at the expected place")
    runner = tmp_path / "run.js"
    runner.write_text(NODE_RUNNER, encoding="utf-8")
    queries = sorted(EXPECTED) + ["火星基地", '"雨污分流"']
    done = subprocess.run(["node", str(runner), str(workers), str(site / "search" / "search_index.json"),
                           str(REWRITE_JS), json.dumps(queries)], capture_output=True, text=True, timeout=120, check=True)
    results = json.loads(done.stdout)
    for query in queries:
        assert results[query]["rewritten"] == rewrite(query)  # the Python simulation is the script
    for query, page in EXPECTED.items():
        assert page in results[query]["hits"], (query, results[query])
    assert results["审计局"]["hits"][0] == "units/u-audit/"  # the unit's own page first
    assert results["雨污分流"]["hits"][0] == "projects/p-doctor/"
    assert "projects/p-doctor/" not in results["充电桩"]["hits"]
    assert results["火星基地"]["hits"] == []
