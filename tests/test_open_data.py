"""开放数据 /data/: downloads per resource, results.json, period_scores.csv, datapackage.json and the page."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import openpyxl
import pytest
from conftest import build_site, read_rows, write_rows
from gongkai.site.downloads import (
    csv_cell,
    json_value,
    number_text,
    xlsx_bytes,
)

BOM = b"\xef\xbb\xbf"
LEDGER_YAML = """\
resources:
  - name: ledger
    title: 台账
    schema:
      fields:
        - {name: id, type: string, title: 编号}
        - {name: note, type: string, title: 说明}
        - {name: delta, type: number, title: 变动}
        - {name: count, type: integer, title: 数量}
        - {name: day, type: date, title: 日期}
      primaryKey: [id]
"""


def add_rows(root: Path, resource: str, rows: list[dict]) -> None:
    write_rows(root, resource, read_rows(root, resource) + rows)


def make_small(root: Path) -> Path:
    """The sample portal plus rows with known answers: a firm on the 黑榜 in two consecutive periods,
    a decision in its 公示期, a withdrawn decision, formula-like text and a custom resource with negatives."""
    add_rows(root, "units", [{"id": "pm-black", "name": "黑榜物业有限公司", "kind": "物业企业", "address": "-东风路3号",
                              "contact": "0592-5559202", "description": "=1+1"}])
    add_rows(root, "evaluations", [
        {"id": "ev-005", "period": "2025-H2", "subject_id": "pm-black", "evaluator": "居民", "score": "40", "respondents": "10", "satisfied": "2"},
        {"id": "ev-006", "period": "2026-H1", "subject_id": "pm-black", "evaluator": "居民", "score": "50", "respondents": "300", "satisfied": "100"},
        {"id": "ev-007", "period": "2026-H1", "subject_id": "pm-black", "evaluator": "居民", "score": "70", "respondents": "100", "satisfied": "60"},
    ])
    add_rows(root, "decisions", [
        {"id": "d-003", "date": "2026-11-20", "body": "居民议事会", "community_id": "c-dongfeng", "title": "<b>加装</b> & 电梯",
         "resolution": "@同意加装电梯", "notice_start": "2026-11-21", "notice_end": "2026-11-30", "status": "有效"},
        {"id": "d-004", "date": "2026-10-01", "body": "居民议事会", "community_id": "c-dongfeng", "title": "撤销的决策",
         "resolution": "同意。", "status": "已撤销", "correction": "因故撤销。"},
    ])
    (root / "datasets" / "resources.csv").unlink()  # an optional resource left out
    (root / "datasets" / "datapackage.yaml").write_text(LEDGER_YAML, encoding="utf-8")
    write_rows(root, "ledger", [
        {"id": "L1", "note": "-3", "delta": "-5.5", "count": "-3", "day": "2026-01-02"},
        {"id": "L2", "note": "=SUM(A1:A2)", "delta": "0", "count": "4", "day": ""},
    ])
    return root


@pytest.fixture
def small(portal) -> Path:
    return build_site(make_small(portal))


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def sheet_rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).active.iter_rows())


# ------------------------------------------------------------------ every resource, three formats


def test_every_resource_has_csv_json_and_xlsx_with_its_rows(portal):
    site = build_site(portal)
    names = sorted(p.stem for p in (portal / "datasets").glob("*.csv"))
    assert len(names) == 14  # the nine core resources and the five of 双报到 and 吹哨报到
    for name in names:
        expected = read_rows(portal, name)
        raw = (site / "data" / f"{name}.csv").read_bytes()
        assert raw.startswith(BOM), name
        rows = csv_rows(site / "data" / f"{name}.csv")
        assert len(rows) == len(expected) + 1, name
        records = json.loads((site / "data" / f"{name}.json").read_text(encoding="utf-8"))
        assert len(records) == len(expected) and list(records[0]) == rows[0], name
        assert len(sheet_rows(site / "data" / f"{name}.xlsx")) == len(expected) + 1, name
    assert csv_rows(site / "data" / "units.csv")[0] == ["id", "name", "kind", "parent_id", "party_org", "households",
                                                        "address", "contact", "description"]


def test_optional_resource_without_file_is_not_published_and_custom_one_is(small):
    data = small / "data"
    assert not any(data.glob("resources.*"))
    assert {p.name for p in data.glob("ledger.*")} == {"ledger.csv", "ledger.json", "ledger.xlsx"}
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in package["resources"]]
    assert "resources" not in names and {"ledger", "ledger-json", "ledger-xlsx"} <= set(names)
    assert "资源清单" not in (data / "index.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ values: formulas, numbers, dates


def test_formula_like_text_is_prefixed_in_csv_a_string_in_xlsx_and_raw_in_json(small):
    data = small / "data"
    header, *rows = csv_rows(data / "units.csv")
    black = dict(zip(header, next(r for r in rows if r[0] == "pm-black")))
    assert black["description"] == "'=1+1" and black["address"] == "'-东风路3号"
    assert black["contact"] == "0592-5559202" and black["households"] == ""  # starts with a digit: unchanged
    cells = {c.column_letter: c for c in next(r for r in sheet_rows(data / "units.xlsx") if r[0].value == "pm-black")}
    assert cells["I"].value == "=1+1" and cells["I"].data_type == "s"
    with zipfile.ZipFile(data / "units.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "1+1" in sheet
    record = next(r for r in json.loads((data / "units.json").read_text(encoding="utf-8")) if r["id"] == "pm-black")
    assert record["description"] == "=1+1" and record["address"] == "-东风路3号" and record["households"] is None


def test_negative_numbers_stay_numbers_and_dates_are_dates(small):
    data = small / "data"
    assert csv_rows(data / "ledger.csv") == [["id", "note", "delta", "count", "day"],
                                             ["L1", "'-3", "-5.5", "-3", "2026-01-02"],
                                             ["L2", "'=SUM(A1:A2)", "0", "4", ""]]
    assert json.loads((data / "ledger.json").read_text(encoding="utf-8")) == [
        {"id": "L1", "note": "-3", "delta": -5.5, "count": -3, "day": "2026-01-02"},
        {"id": "L2", "note": "=SUM(A1:A2)", "delta": 0, "count": 4, "day": None},
    ]
    _, first, second = sheet_rows(data / "ledger.xlsx")
    assert [(c.value, c.data_type) for c in first[1:4]] == [("-3", "s"), (-5.5, "n"), (-3, "n")]
    assert first[4].value == dt.datetime(2026, 1, 2) and first[4].number_format == "yyyy-mm-dd"
    assert second[1].data_type == "s" and second[1].value == "=SUM(A1:A2)" and second[4].value is None


def test_cell_writers():
    assert [csv_cell(v) for v in ("\tx", "\rx", "+1", "@a", "a=b", None, -2, Decimal("-1.50"), dt.date(2026, 1, 2))] == [
        "'\tx", "'\rx", "'+1", "'@a", "a=b", "", "-2", "-1.50", "2026-01-02"]
    assert number_text(Decimal("1E+2")) == "100" and number_text(0.1) == "0.1"
    assert json_value(Decimal("85")) == 85 and isinstance(json_value(Decimal("85")), int)
    assert json_value(Decimal("82.5")) == 82.5 and json_value(dt.date(2026, 1, 2)) == "2026-01-02"


def test_xlsx_bytes_do_not_depend_on_the_clock(monkeypatch):
    fields = [{"name": "id", "type": "string"}, {"name": "n", "type": "number"}]
    when = dt.datetime(2026, 11, 25)
    first = xlsx_bytes("t", fields, [{"id": "=x", "n": Decimal("1.5")}], when)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86400 * 400)
    second = xlsx_bytes("t", fields, [{"id": "=x", "n": Decimal("1.5")}], when)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist() == sorted(z.namelist())
        core = z.read("docProps/core.xml").decode()
    assert "2026-11-25T00:00:00Z" in core and core.count("2026-11-25T00:00:00Z") == 2


# ------------------------------------------------------------------ derived results


def test_results_json_has_the_known_derived_results(small):
    results = json.loads((small / "data" / "results.json").read_text(encoding="utf-8"))
    assert results == {
        "reference_date": "2026-11-25",
        "period_scores": [
            {"subject_id": "pm-black", "period": "2025-H2", "score": 40.0, "stars": 0, "rank": 1},
            {"subject_id": "c-dongfeng", "period": "2026-H1", "score": 88.0, "stars": 3, "rank": 1},
            {"subject_id": "pm-black", "period": "2026-H1", "score": 55.0, "stars": 0, "rank": 2},  # weighted: plain mean is 60
            {"subject_id": "pm-sample", "period": "2026-H1", "score": 82.62, "stars": 3, "rank": 1},
            {"subject_id": "u-audit", "period": "2026-H1", "score": 92.0, "stars": 4, "rank": 1},
        ],
        "red_list": {},
        "black_list": {"2025-H2": ["pm-black"], "2026-H1": ["pm-black"]},
        "interviews": {"2025-H2": ["pm-black"], "2026-H1": ["pm-black"]},
        "cards": [{"subject_id": "pm-black", "period": "2025-H2", "card": "黄牌"},
                  {"subject_id": "pm-black", "period": "2026-H1", "card": "红牌"}],
        "overdue": ["p-lights"],
        "in_notice": ["d-003"],
    }
    header, *rows = csv_rows(small / "data" / "period_scores.csv")
    assert header == ["subject_id", "period", "score", "stars", "rank"]
    assert [dict(zip(header, r)) for r in rows] == [{k: str(v) for k, v in s.items()} for s in results["period_scores"]]
    assert (small / "data" / "period_scores.csv").read_bytes().startswith(BOM)


# ------------------------------------------------------------------ datapackage.json


def test_datapackage_describes_every_file_with_matching_bytes_and_sha256(small):
    data = small / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"]: r for r in package["resources"]}
    published = {p.name for p in data.iterdir()} - {"index.html", "datapackage.json"}
    assert set(described) == published
    for path, resource in described.items():
        content = (data / path).read_bytes()
        assert resource["bytes"] == len(content), path
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest(), path
        assert resource["format"] == path.rsplit(".", 1)[1]
        assert ("schema" in resource) == (path != "results.json"), path
    assert described["units.csv"]["schema"]["fields"][2]["constraints"]["enum"][0] == "街道"
    assert described["units.csv"]["encoding"] == "utf-8" and "encoding" not in described["units.xlsx"]
    fks = {fk["reference"]["resource"] for fk in described["projects.csv"]["schema"]["foreignKeys"]}
    assert fks == {"units", "needs", "decisions"} and "foreignKeys" not in described["projects.json"]["schema"]


def test_datapackage_loads_and_validates_with_frictionless(small):
    """CSV (BOM and ' prefix included) and XLSX validate as they are, results.json by size and hash.
    Reading JSON tables needs frictionless[json], so their rows are checked against their schema inline."""
    path = small / "data" / "datapackage.json"
    package = frictionless.Package(str(path))
    assert len(package.resources) == (8 + 1 + 5) * 3 + 2  # 8 core (resources.csv removed), ledger, the 5 of issue 16; results, period_scores
    for resource in package.resources:
        if resource.format == "json" and resource.schema:
            rows = json.loads((small / "data" / resource.path).read_text(encoding="utf-8"))
            resource = frictionless.Resource(data=rows, schema=resource.schema)
        report = resource.validate()
        assert report.valid, (resource.name, report.flatten(["type", "note"]))


def test_a_wrong_hash_fails_frictionless_validation(small):
    path = small / "data" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    units = next(r for r in descriptor["resources"] if r["name"] == "units")
    units["hash"] = "sha256:" + "0" * 64
    package = frictionless.Package(descriptor, basepath=str(path.parent))
    report = package.get_resource("units").validate()
    assert not report.valid and "hash-count" in [e.type for e in report.tasks[0].errors]


# ------------------------------------------------------------------ reproducible, and the page


def test_two_builds_give_identical_bytes(portal, tmp_path):
    make_small(portal)
    first = build_site(portal, site_dir=tmp_path / "one")
    second = build_site(portal, site_dir=tmp_path / "two")
    files = sorted(p.relative_to(first).as_posix() for p in (first / "data").iterdir()) + ["feed.xml"]
    assert len(files) > 25
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def _table_rows(html: str, css_class: str) -> list[list[str]]:
    """The cell texts of every row of every table with this class."""
    tables = re.findall(rf'<table class="gk-table {css_class}">(.*?)</table>', html, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for table in tables for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td>" in row]


def test_data_page_lists_every_file_and_the_data_dictionary(small):
    html = (small / "data" / "index.html").read_text(encoding="utf-8")
    files = {row[0]: row for row in _table_rows(html, "gk-files")}
    package = json.loads((small / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert set(files) == {r["path"] for r in package["resources"]} | {"datapackage.json"}
    assert files["units.csv"][1:4] == ["组织与单位", "CSV", "9"] and files["decisions.xlsx"][3] == "4"
    assert files["results.json"][3] == "—"
    assert '<a href="units.csv" download>units.csv</a>' in html and 'href="datapackage.json"' in html
    assert re.search(r'<a [^>]*href="data/"[^>]*>\s*开放数据', (small / "index.html").read_text(encoding="utf-8"))
    fields = {row[0]: row for row in _table_rows(html, "gk-dictionary") if len(row) == 6}
    assert fields["kind"][1:5] == ["类型", "可选值之一 (string)", "是", "街道、社区、网格、小区、楼栋、共建单位、物业企业、业委会、社会组织、志愿服务队"]
    assert fields["households"][2:5] == ["整数 (integer)", "否", "≥ 0"]
    assert fields["delta"][1] == "变动" and fields["rank"][1] == "排名"
    assert "四舍五入保留两位小数" in html and 'id="dict-ledger"' in html


def test_masked_values_are_published_masked_in_every_download_and_the_feed(portal):
    """With masking on, the privacy guard changes the records, so downloads and feed show the masked value."""
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("masking: false", "masking: true"), encoding="utf-8")
    rows = read_rows(portal, "decisions")
    rows[0]["resolution"] = "联系人手机 13812345678，请居民知悉。"
    write_rows(portal, "decisions", rows)
    site = build_site(portal)
    xlsx = zipfile.ZipFile(site / "data" / "decisions.xlsx").read("xl/worksheets/sheet1.xml").decode()
    for text in ((site / "data" / "decisions.csv").read_text(encoding="utf-8-sig"),
                 (site / "data" / "decisions.json").read_text(encoding="utf-8"), xlsx,
                 (site / "feed.xml").read_text(encoding="utf-8")):
        assert "13812345678" not in text and "联系人手机 138****5678，请居民知悉。" in text


def test_json_downloads_are_written_as_the_standard_library_indents_them_even_past_64_bits():
    """orjson writes data/*.json; the bytes are those of json.dumps(indent=2, ensure_ascii=False), and an
    integer orjson refuses (beyond 64 bits, e.g. a mistyped household count) still gets written."""
    import json

    from gongkai.site.downloads import dumps

    data = {"名称": "东风社区", "rows": [{"n": 1, "x": 2.5, "ok": True, "none": None, "empty": [], "obj": {}}],
            "text": "引号\"、反斜杠\\、换行\n、制表\t、控制\x01", 3: "整数键"}
    assert dumps(data) == (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    huge = {"households": 10**25}
    assert dumps(huge) == b'{\n  "households": 10000000000000000000000000\n}\n'
