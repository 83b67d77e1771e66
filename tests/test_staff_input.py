"""Data as staff really write it: dates and amounts in the spellings their tools produce, headers with
a unit added, a title row above the header, and Excel's percentage format. What is unambiguous is
read and published in the standard's form; what is not is an error that shows the cell and what to
write instead. No column's data is ever dropped silently."""
from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from conftest import build_site, codes, finding, read_rows, validate, write_rows
from test_reading import to_xlsx


def set_header(portal, resource: str, old: str, new: str) -> None:
    path = portal / "datasets" / f"{resource}.csv"
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    cells = lines[0].split(",")
    cells[cells.index(old)] = new
    lines[0] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def published_rows(site, resource: str) -> list[dict]:
    with (site / "data" / f"{resource}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------ dates and amounts


@pytest.mark.parametrize("written", ["2026/7/1", "2026.7.1", "2026-7-1", "2026年7月1日", "2026/07/01"])
def test_unambiguous_date_spellings_are_published_as_iso_dates(portal, written):
    rows = read_rows(portal, "projects")
    rows[2]["start_date"] = written
    write_rows(portal, "projects", rows)
    assert validate(portal).errors == []
    site = build_site(portal)
    assert published_rows(site, "projects")[2]["start_date"] == "2026-07-01"
    page = (site / "projects" / rows[2]["id"] / "index.html").read_text(encoding="utf-8")
    assert "2026年7月1日" in page


@pytest.mark.parametrize("written, expected", [("8,000", "8000"), ("8000元", "8000"), ("1,234,567.50元", "1234567.50"),
                                               ("8,000 元", "8000")])
def test_thousands_separators_and_a_trailing_yuan_are_amounts(portal, written, expected):
    rows = read_rows(portal, "projects")
    rows[2]["budget_yuan"] = written
    write_rows(portal, "projects", rows)
    assert validate(portal).errors == []
    site = build_site(portal)
    assert float(published_rows(site, "projects")[2]["budget_yuan"]) == float(expected)


def test_a_spending_over_a_grouped_budget_is_still_checked(portal):
    rows = read_rows(portal, "projects")
    rows[0]["budget_yuan"], rows[0]["spent_yuan"] = "1,000", "1,500元"
    write_rows(portal, "projects", rows)
    finding(validate(portal), ("spent-over-budget", "projects", 2, "spent_yuan"), "warning")


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("header", ["预算（元）", "预算 (元)", "预算(元)", " 预 算 ", "预算（人民币元）", "预算【元】", "ｂｕｄｇｅｔ＿ｙｕａｎ"])
def test_a_header_naming_a_field_with_a_harmless_note_is_that_field(portal, header):
    expected = [row["budget_yuan"] for row in read_rows(portal, "projects")]
    set_header(portal, "projects", "预算", header)
    report = validate(portal)
    assert report.errors == [] and codes(report, "warning") == []
    site = build_site(portal)
    budgets = [row["budget_yuan"] for row in published_rows(site, "projects")]
    assert budgets == expected
    assert "3.00万元" in (site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("resource, old, header, field", [
    ("projects", "预算", "预算（万元）", "budget_yuan"),
    ("projects", "预算", "预算(千元)", "budget_yuan"),
    ("projects", "预算", "预算（美元）", "budget_yuan"),
    ("projects", "进度", "进度（%）", "progress"),
    ("evaluations", "得分", "得分（百分制 %）", "score"),
])
def test_a_header_whose_note_could_change_the_meaning_is_an_error_naming_the_field(portal, resource, old, header, field):
    set_header(portal, resource, old, header)
    report = validate(portal)
    found = finding(report, ("ambiguous-column", resource, 1, field))
    assert header in found.message and old in found.message
    assert ("missing-column", resource, 1, field) not in codes(report)


def test_a_harmless_note_on_a_number_column_is_that_column(portal):
    set_header(portal, "projects", "受益人数", "受益人数（人）")
    assert validate(portal).errors == []


def test_an_unknown_column_is_a_warning_that_says_its_data_is_not_published_and_suggests_a_field(portal):
    set_header(portal, "projects", "受益人数", "受益人")
    report = validate(portal)
    warned = finding(report, ("unknown-column", "projects", 1, None), "warning")
    assert "不会发布" in warned.message and "是否应为“受益人数”" in warned.message
    assert ("missing-column", "projects", 1, "beneficiaries") not in codes(report)


# ------------------------------------------------------------------ a title row above the header


def test_a_title_row_in_a_csv_is_skipped_with_one_warning(portal):
    projects = read_rows(portal, "projects")
    path = portal / "datasets" / "projects.csv"
    text = path.read_text(encoding="utf-8-sig")
    width = text.split("\n")[0].count(",")
    path.write_text("2026年金丰街道项目清单" + "," * width + "\n" + text, encoding="utf-8")
    report = validate(portal)
    assert report.errors == []
    assert codes(report, "warning") == [("title-row", "projects", 1, None)]
    assert "第 1 行在表头之上，是标题行" in report.warnings[0].message
    site = build_site(portal)
    assert [row["id"] for row in published_rows(site, "projects")] == [row["id"] for row in projects]


def test_a_merged_title_row_in_excel_is_skipped_and_rows_keep_their_sheet_numbers(portal):
    path = to_xlsx(portal, "projects")
    book = openpyxl.load_workbook(path)
    sheet = book["projects"]
    sheet.insert_rows(1)
    sheet["A1"] = "金丰街道 2026 年项目清单"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=sheet.max_column)
    sheet["B4"] = None  # the third project's title, now on sheet row 4
    book.save(path)
    report = validate(portal)
    assert codes(report) == [("constraint-required", "projects", 4, "title")]
    assert codes(report, "warning") == [("title-row", "projects", 1, None)]


# ------------------------------------------------------------------ Excel's percentage format


def test_a_percentage_formatted_number_shows_what_excel_shows_and_what_to_type(portal):
    path = to_xlsx(portal, "projects")
    book = openpyxl.load_workbook(path)
    sheet = book["projects"]
    column = [c.value for c in sheet[1]].index("进度") + 1
    cell = sheet.cell(row=3, column=column)
    cell.value, cell.number_format = 0.4, "0%"
    book.save(path)
    report = validate(portal)
    found = finding(report, ("type-error", "projects", 3, "progress"))
    assert "40%" in found.message and "0.4" in found.message and "填写数字 40" in found.message
    assert found.value == "40%"
    assert json.loads(report.to_json())["errors"][0]["value"] == "40%"
