"""Reading what staff really produce: CSV in every encoding Excel and WPS write, XLSX workbooks with
their quirks, the files of datasets/ and datapackage.yaml. Every finding is asserted as
(code, resource, row, field); messages must be Chinese."""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, TODAY, codes, validate

from gongkai.data.resources import standard_resources
from gongkai.session import open_session

SCHEMAS = {r.name: r for r in standard_resources() + standard_resources(
    ("registrations", "point_items", "services", "point_exchanges", "whistles"))}
CJK = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------------------------ helpers


def model(root: Path) -> dict[str, list[dict]]:
    """Every resource's records as plain dicts of typed values: what the pages are built from."""
    session = open_session(root, TODAY)
    assert session.report.valid, session.report.to_json()
    return {name: [dict(r) for r in recs] for name, recs in session.portal.records.items()}


def codes_of(report, resource: str, severity: str = "error") -> list[tuple]:
    """The findings about one resource (a resource that cannot be read may upset other resources' checks)."""
    return [c for c in codes(report, severity) if c[1] == resource]


def assert_chinese(report) -> None:
    for finding in report.findings:
        assert finding.message and CJK.search(finding.message), finding


def csv_lines(root: Path, resource: str) -> list[str]:
    return (root / "datasets" / f"{resource}.csv").read_text(encoding="utf-8-sig").splitlines()


def write_lines(root: Path, resource: str, lines: list[bytes | str], eol: bytes = b"\n") -> None:
    """Write datasets/<resource>.csv from lines given as text (UTF-8) or as raw bytes."""
    data = eol.join(line.encode("utf-8") if isinstance(line, str) else line for line in lines) + eol
    (root / "datasets" / f"{resource}.csv").write_bytes(data)


def reencode(root: Path, encoding: str, eol: str = "\n") -> None:
    for path in (root / "datasets").glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        path.write_bytes(text.replace("\r\n", "\n").replace("\n", eol).encode(encoding))


def typed(resource: str, name: str, text: str):
    """A CSV cell as Excel would hold it: real dates, real numbers, text otherwise."""
    spec = SCHEMAS[resource].field_by_name.get(name)
    if text == "" or spec is None:
        return text or None
    if spec["type"] == "date":
        return dt.date.fromisoformat(text)
    if spec["type"] == "integer":
        return int(text)
    if spec["type"] == "number":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def to_xlsx(root: Path, resource: str, sheet: str | None = None, header_as: str = "csv") -> Path:
    """Replace datasets/<resource>.csv by a workbook holding the same rows, typed as Excel would."""
    source = root / "datasets" / f"{resource}.csv"
    with source.open(encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    by_title = {f.get("title"): f["name"] for f in SCHEMAS[resource].fields}
    names = [by_title.get(h, h) for h in header]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet or resource
    ws.append(names if header_as == "names" else header)
    for row in rows:
        ws.append([typed(resource, n, cell) for n, cell in zip(names, row)])
    target = source.with_suffix(".xlsx")
    book.save(target)
    source.unlink()
    return target


def set_options(root: Path, **options) -> None:
    """Add settings to the `gongkai` entry of site_config.yml."""
    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    lines = "".join(f"      {k}: {v}\n" for k, v in options.items())
    assert "  - gongkai:\n" in text
    config.write_text(text.replace("  - gongkai:\n", "  - gongkai:\n" + lines, 1), encoding="utf-8")


def unit_row(uid: str, name: str) -> str:
    return f"{uid},{name},共建单位,,,,,,"


# ---------------------------------------------------------------------------------- CSV: encodings


@pytest.mark.parametrize("encoding, eol", [("utf-8", "\r\n"), ("utf-8-sig", "\n"), ("utf-8-sig", "\r\n"),
                                           ("gbk", "\n"), ("gbk", "\r\n"), ("gb18030", "\r\n")])
def test_every_encoding_excel_writes_gives_the_same_model(portal, encoding, eol):
    before = model(portal)
    reencode(portal, encoding, eol)
    report = validate(portal)
    assert report.findings == []
    assert model(portal) == before


def test_gb18030_reads_characters_that_gbk_lacks(portal):
    lines = csv_lines(portal, "units") + [unit_row("u-rare", "䶮𠮷志愿服务站")]
    (portal / "datasets" / "units.csv").write_bytes("\n".join(lines).encode("gb18030"))
    units = {u["id"]: u for u in model(portal)["units"]}
    assert units["u-rare"]["name"] == "䶮𠮷志愿服务站"


def test_utf8_file_with_a_gbk_line_names_that_line(portal):
    lines = csv_lines(portal, "units")
    lines.insert(4, unit_row("u-gbk", "示例区税务局").encode("gbk"))
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert codes_of(report, "units") == [("mixed-encoding", "units", 5, None)]
    assert report.errors[0].file == "datasets/units.csv"
    assert_chinese(report)


def test_gbk_file_with_a_utf8_line_names_that_line(portal):
    lines = [line.encode("gbk") for line in csv_lines(portal, "units")]
    lines.insert(6, unit_row("u-utf8", "示例区税务局").encode("utf-8"))
    write_lines(portal, "units", lines, eol=b"\r\n")
    assert codes_of(validate(portal), "units") == [("mixed-encoding", "units", 7, None)]


def test_gbk_file_whose_first_non_ascii_line_is_late(portal):
    """The decision is made over the whole file: ASCII-only lines before the first Chinese one do
    not make it UTF-8."""
    lines = csv_lines(portal, "evaluation_items")
    header = "evaluation_id,criterion,score,max_score"
    write_lines(portal, "evaluation_items", [header, "ev-002,quality,52,60", lines[2].encode("gbk")])
    items = model(portal)["evaluation_items"]
    assert [i["criterion"] for i in items] == ["quality", "环境卫生"]


@pytest.mark.parametrize("first", ["utf-8", "gbk"])
def test_bytes_in_no_encoding_are_bad_encoding_with_the_line(portal, first):
    lines = [line.encode(first) for line in csv_lines(portal, "units")]
    lines[3] = lines[3].replace(",".encode(), b"\xff\xfe,", 1)
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert codes_of(report, "units") == [("bad-encoding", "units", 4, None)]
    assert_chinese(report)


def test_utf16_text_export_is_refused_as_bad_encoding(portal):
    text = "\r\n".join(csv_lines(portal, "units")).replace(",", "\t")
    (portal / "datasets" / "units.csv").write_bytes(text.encode("utf-16"))
    report = validate(portal)
    assert codes_of(report, "units") == [("bad-encoding", "units", 1, None)]
    assert "UTF-16" in report.errors[0].message


# ------------------------------------------------------------------------------ CSV: broken syntax


def test_unclosed_quote_names_the_line_where_the_record_starts(portal):
    lines = csv_lines(portal, "units")
    lines[5] = lines[5].replace("示例区审计局,", '"示例区审计局,', 1)
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert codes_of(report, "units") == [("bad-csv", "units", 6, None)]
    assert_chinese(report)


@pytest.mark.parametrize("sep", ["\t", "，", ";"])
def test_a_file_not_separated_by_commas_is_bad_csv(portal, sep):
    write_lines(portal, "units", [line.replace(",", sep) for line in csv_lines(portal, "units")])
    report = validate(portal)
    assert codes_of(report, "units") == [("bad-csv", "units", 1, None)]
    assert "英文逗号" in report.errors[0].message


def test_quoted_cells_with_newlines_keep_line_numbers(portal):
    lines = csv_lines(portal, "units")
    lines[1] = lines[1].replace("请替换为本街道简介。", '"第一段\r\n第二段，含逗号"')
    lines[6] = lines[6].replace("u-hospital,示例区人民医院,共建单位", "u-hospital,示例区人民医院,医院")
    write_lines(portal, "units", lines, eol=b"\r\n")
    report = validate(portal)
    assert ("constraint-enum", "units", 8, "kind") in codes(report)
    assert report.errors[0].column == "C"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_control_character_in_a_cell(portal, char):
    lines = csv_lines(portal, "units")
    lines[2] = lines[2].replace("东风社区,", f"东风{char}社区,", 1)
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert codes_of(report, "units") == [("control-character", "units", 3, "name")]
    assert report.errors[0].column == "B"
    assert_chinese(report)


def test_stray_delimiter_is_an_extra_cell(portal):
    lines = csv_lines(portal, "units")
    lines[4] = lines[4].replace("东风小区党支部", "东风小区党支部,一支部", 1)
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert ("extra-cell", "units", 5, None) in codes(report)
    assert next(f for f in report.errors if f.code == "extra-cell").column == "J"


def test_trailing_empty_cells_and_trailing_blank_lines_are_fine(portal):
    lines = [line + ",," for line in csv_lines(portal, "units")] + ["", ",,,,", ""]
    write_lines(portal, "units", lines, eol=b"\r\n")
    assert validate(portal).findings == []


def test_blank_line_in_the_middle_is_a_warning(portal):
    lines = csv_lines(portal, "units")
    lines.insert(3, ",,,,,,,,")
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert report.valid
    assert codes(report, "warning") == [("blank-row", "units", 4, None)]


def test_empty_csv_is_an_error(portal):
    (portal / "datasets" / "units.csv").write_bytes(b"\xef\xbb\xbf")
    assert ("empty-file", "units", 1, None) in codes(validate(portal))


# ------------------------------------------------------------------------------------------ XLSX


def test_xlsx_with_real_dates_and_numbers_gives_the_same_model(portal):
    before = model(portal)
    for resource in ("units", "projects", "evaluations", "pairings", "decisions"):
        to_xlsx(portal, resource)
    sheet = openpyxl.load_workbook(portal / "datasets" / "projects.xlsx")["projects"]
    assert isinstance(sheet["K2"].value, dt.datetime) and isinstance(sheet["I2"].value, int)
    assert validate(portal).findings == []
    after = model(portal)
    assert after == before
    project = after["projects"][0]
    assert project["start_date"] == dt.date(2026, 4, 1) and project["progress"] == 100
    assert float(after["evaluations"][0]["score"]) == 82.5


def test_xlsx_headers_as_field_names_in_any_order_with_optional_columns_left_out(portal):
    path = to_xlsx(portal, "units", header_as="names")
    book = openpyxl.load_workbook(path)
    sheet = book["units"]
    sheet.delete_cols(9)  # description
    sheet.delete_cols(5)  # party_org
    sheet.move_range("A1:A9", cols=10)  # id becomes the last column
    sheet.delete_cols(1)
    book.save(path)
    report = validate(portal)
    assert report.findings == []
    units = {u["id"]: u for u in model(portal)["units"]}
    assert units["jiedao"]["households"] == 5200 and units["jiedao"]["party_org"] is None


def test_the_sheet_named_after_the_resource_is_read(portal):
    path = to_xlsx(portal, "units", sheet="units")
    book = openpyxl.load_workbook(path)
    book.create_sheet("说明", 0)["A1"] = "填写说明"
    book.create_sheet("草稿")["A1"] = "编号"
    book.save(path)
    assert validate(portal).findings == []


def test_the_only_visible_sheet_is_read(portal):
    path = to_xlsx(portal, "units", sheet="Sheet1")
    book = openpyxl.load_workbook(path)
    hidden = book.create_sheet("旧数据")
    hidden["A1"] = "编号"
    hidden.sheet_state = "hidden"
    book.save(path)
    assert validate(portal).findings == []


def test_two_visible_sheets_none_named_after_the_resource_is_ambiguous(portal):
    path = to_xlsx(portal, "units", sheet="Sheet1")
    book = openpyxl.load_workbook(path)
    book.create_sheet("Sheet2")["A1"] = "编号"
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("ambiguous-sheet", "units", None, None)]
    assert "Sheet1" in report.errors[0].message and "units" in report.errors[0].message
    assert_chinese(report)


def test_merged_cells_are_reported_with_row_and_column(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"].merge_cells("G3:G4")  # address of c-dongfeng and c-xiangyang
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("merged-cells", "units", 3, "address")]
    assert report.errors[0].column == "G" and "G3:G4" in report.errors[0].message
    assert_chinese(report)


def test_formula_without_cached_value_is_reported(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"]["F3"] = "=1400*2"  # households, written by a script: no cached value
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("formula-without-value", "units", 3, "households")]
    assert report.errors[0].column == "F"
    assert_chinese(report)


def test_formula_with_cached_value_reads_the_value(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"]["F3"] = "=1400*2"
    book.save(path)
    _set_cached_value(path, "F3", "2800")  # what Excel stores when it saves
    assert validate(portal).findings == []
    units = {u["id"]: u for u in model(portal)["units"]}
    assert units["c-dongfeng"]["households"] == 2800


def test_formula_whose_cached_value_is_an_empty_string_is_a_blank(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"]["I4"] = '=IF(1,"","x")'  # description of c-xiangyang, computed by Excel as ""
    book.save(path)
    patch_sheet(path, r'<c r="I4"[^>]*>\s*<f>(.*?)</f>\s*<v\s*/>', r'<c r="I4" t="str"><f>\1</f><v></v>')
    assert validate(portal).findings == []


def _set_cached_value(path: Path, cell: str, value: str) -> None:
    """What Excel stores when it saves a formula: the formula and its computed value."""
    patch_sheet(path, rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\1<v>{value}</v>")


def patch_sheet(path: Path, pattern: str, replacement: str) -> None:
    """Rewrite the first sheet's XML of a workbook, for cells openpyxl cannot write."""
    with zipfile.ZipFile(path) as source:
        members = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(pattern.encode(), replacement.encode(), data, flags=re.S)
                assert count == 1
            target.writestr(info, data)


def test_formula_error_values_are_reported(portal):
    path = to_xlsx(portal, "units")
    patch_sheet(path, r'<c r="G3"[^>]*>.*?</c>', '<c r="G3" t="e"><f>VLOOKUP(A3,X!A:B,2,0)</f><v>#N/A</v></c>')
    report = validate(portal)
    assert codes_of(report, "units") == [("formula-error", "units", 3, "address")]
    assert "#N/A" in report.errors[0].message


def test_hidden_rows_are_reported(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"].row_dimensions[4].hidden = True
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("hidden-row", "units", 4, None)]
    assert_chinese(report)


def test_hidden_columns_are_reported(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    book["units"].column_dimensions["H"].hidden = True
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("hidden-column", "units", 1, "contact")]


def test_dates_written_as_text_in_xlsx_are_read_as_the_dates_they_name(portal):
    path = to_xlsx(portal, "projects")
    book = openpyxl.load_workbook(path)
    book["projects"]["K3"] = "2026/5/1"
    book["projects"]["L3"] = "2026年12月31日"
    book.save(path)
    assert validate(portal).errors == []
    project = model(portal)["projects"][1]
    assert (project["start_date"], project["due_date"]) == (dt.date(2026, 5, 1), dt.date(2026, 12, 31))


def test_float_noise_from_excel_arithmetic_is_rounded_like_excel_shows_it(portal):
    path = to_xlsx(portal, "projects")
    # Excel stores 17 significant digits; it shows (and computes with) 15
    patch_sheet(path, r'<c r="J2"([^>]*)><v>28600</v>', r'<c r="J2"\1><v>28599.999999999996</v>')
    patch_sheet(path, r'<c r="I3"([^>]*)><v>40000</v>', r'<c r="I3"\1><v>39999.899999999994</v>')
    assert validate(portal).findings == []
    projects = model(portal)["projects"]
    assert projects[0]["spent_yuan"] == 28600 and float(projects[1]["budget_yuan"]) == 39999.9


def test_missing_required_column_and_unknown_column(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    sheet = book["units"]
    sheet.delete_cols(2)  # 名称
    sheet["I1"] = "负责人"
    book.save(path)
    report = validate(portal)
    assert codes_of(report, "units") == [("missing-column", "units", 1, "name")]
    assert codes(report, "warning") == [("unknown-column", "units", 1, None)]
    assert report.warnings[0].column == "I" and "负责人" in report.warnings[0].message
    assert "名称" in report.errors[0].message
    assert_chinese(report)


def test_trailing_blank_rows_are_ignored_and_a_blank_row_in_the_middle_is_a_warning(portal):
    path = to_xlsx(portal, "units")
    book = openpyxl.load_workbook(path)
    sheet = book["units"]
    sheet.insert_rows(5)
    for row in range(12, 40):  # formatted but empty rows, as Excel leaves them
        sheet.cell(row, 1).value = None
        sheet.cell(row, 3).number_format = "@"
    sheet["B45"] = "  "
    book.save(path)
    report = validate(portal)
    assert report.valid
    assert codes(report, "warning") == [("blank-row", "units", 5, None)]


@pytest.mark.parametrize("content", [b"not a workbook", "编号,名称\n".encode("gbk"), b"PK\x03\x04broken"])
def test_corrupt_files_are_bad_xlsx(portal, content):
    (portal / "datasets" / "units.csv").unlink()
    (portal / "datasets" / "units.xlsx").write_bytes(content)
    report = validate(portal)
    assert codes_of(report, "units") == [("bad-xlsx", "units", None, None)]
    assert_chinese(report)


def test_a_zip_that_is_not_a_workbook_is_bad_xlsx(portal):
    (portal / "datasets" / "units.csv").unlink()
    with zipfile.ZipFile(portal / "datasets" / "units.xlsx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert codes_of(validate(portal), "units") == [("bad-xlsx", "units", None, None)]


def test_truncated_workbook_is_bad_xlsx(portal):
    path = to_xlsx(portal, "units")
    path.write_bytes(path.read_bytes()[:-200])
    assert codes_of(validate(portal), "units") == [("bad-xlsx", "units", None, None)]


# ------------------------------------------------------------------------------------ zip bombs

ROW = '<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'


def write_bomb(path: Path, sheet_mb: int, padding: bytes = b"") -> None:
    """A well-formed workbook whose sheet XML is `sheet_mb` MB of repeated rows (deflates ~1000:1)."""
    book = openpyxl.Workbook()
    book.active.title = "units"
    book.active["A1"] = "编号"
    book.save(path)
    with zipfile.ZipFile(path) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    chunk = (ROW * 16384).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in members.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(sheet_mb * 1_000_000 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
        if padding:
            target.writestr("xl/media/image1.png", padding, zipfile.ZIP_STORED)


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if openpyxl is asked to parse anything."""
    calls = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(a) or pytest.fail("openpyxl parsed the file"))
    return calls


def test_zip_bomb_is_refused_before_openpyxl_parses_it(portal, no_parsing):
    (portal / "datasets" / "units.csv").unlink()
    path = portal / "datasets" / "units.xlsx"
    write_bomb(path, 50)
    assert path.stat().st_size < 1_000_000
    report = validate(portal)
    assert codes_of(report, "units") == [("xlsx-too-large", "units", None, None)]
    assert "max_xlsx_ratio" in report.errors[0].message
    assert_chinese(report)
    assert no_parsing == []


def test_a_bomb_hidden_behind_an_incompressible_member_is_still_refused(portal, no_parsing):
    """The whole archive's ratio is low here (53 MB / 3 MB); the sheet's own ratio gives it away."""
    (portal / "datasets" / "units.csv").unlink()
    write_bomb(portal / "datasets" / "units.xlsx", 50, padding=os.urandom(3_000_000))
    assert codes_of(validate(portal), "units") == [("xlsx-too-large", "units", None, None)]


def test_xlsx_limits_come_from_the_settings(portal):
    to_xlsx(portal, "units")
    assert validate(portal).findings == []
    set_options(portal, max_xlsx_ratio=1.5)
    assert codes_of(validate(portal), "units") == [("xlsx-too-large", "units", None, None)]


def test_uncompressed_size_limit(portal):
    to_xlsx(portal, "units")
    set_options(portal, max_xlsx_uncompressed_mb=0.005)
    assert codes_of(validate(portal), "units") == [("xlsx-too-large", "units", None, None)]


# ----------------------------------------------------------------------------- files in datasets/


def test_unknown_files_are_warnings_naming_them(portal):
    datasets = portal / "datasets"
    (datasets / "notes.txt").write_text("备忘", encoding="utf-8")
    (datasets / "units-2025.csv").write_text("编号\n", encoding="utf-8")
    (datasets / "projects.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (datasets / "archive").mkdir()
    for ignored in ("~$units.xlsx", ".DS_Store", "README.md"):
        (datasets / ignored).write_text("x", encoding="utf-8")
    report = validate(portal)
    assert report.valid
    assert codes(report, "warning") == [("unknown-file", None, None, None)] * 4
    assert sorted(f.file for f in report.warnings) == ["datasets/archive", "datasets/notes.txt",
                                                       "datasets/projects.xls", "datasets/units-2025.csv"]
    xls = next(f for f in report.warnings if f.file.endswith(".xls"))
    assert ".xlsx" in xls.message and "另存为" in xls.message
    assert_chinese(report)


def test_file_names_are_matched_whatever_their_case(portal):
    datasets = portal / "datasets"
    (datasets / "units.csv").rename(datasets / "Units.CSV")
    assert validate(portal).findings == []


def test_csv_and_xlsx_of_one_resource_is_a_duplicate(portal):
    book = openpyxl.Workbook()
    book.active.title = "units"
    book.save(portal / "datasets" / "units.xlsx")
    report = validate(portal)
    assert codes(report) == [("duplicate-file", "units", None, None)]
    assert "units.csv" in report.errors[0].message and "units.xlsx" in report.errors[0].message
    assert_chinese(report)


def test_missing_required_resource_is_an_error_and_a_missing_optional_one_is_fine(portal):
    (portal / "datasets" / "resources.csv").unlink()
    assert validate(portal).findings == []
    (portal / "datasets" / "decisions.csv").unlink()
    report = validate(portal)
    assert ("missing-resource", "decisions", None, None) in codes(report)
    assert "gongkai template" in next(f for f in report.errors if f.code == "missing-resource").message


def test_symlink_out_of_the_portal_is_refused(portal, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    (portal / "datasets" / "units.csv").rename(outside)
    (portal / "datasets" / "units.csv").symlink_to(outside)
    report = validate(portal)
    assert codes_of(report, "units") == [("unsafe-link", "units", None, None)]
    assert_chinese(report)


def test_symlink_inside_the_portal_is_read(portal):
    (portal / "shared").mkdir()
    (portal / "datasets" / "units.csv").rename(portal / "shared" / "units.csv")
    (portal / "datasets" / "units.csv").symlink_to(portal / "shared" / "units.csv")
    assert validate(portal).findings == []


def test_datasets_folder_linked_from_outside_is_refused(portal, tmp_path):
    (portal / "datasets").rename(tmp_path / "outside")
    (portal / "datasets").symlink_to(tmp_path / "outside")
    assert codes(validate(portal)) == [("unsafe-link", None, None, None)]


def test_broken_link_is_reported(portal):
    (portal / "datasets" / "units.csv").unlink()
    (portal / "datasets" / "units.csv").symlink_to(portal / "nowhere.csv")
    assert codes_of(validate(portal), "units") == [("broken-link", "units", None, None)]


def test_file_over_max_file_mb(portal):
    lines = csv_lines(portal, "units")
    lines[1] = lines[1].replace("请替换为本街道简介。", "简介" * 5000)
    write_lines(portal, "units", lines)
    set_options(portal, max_file_mb=0.02)
    report = validate(portal)
    assert codes_of(report, "units") == [("file-too-large", "units", None, None)]
    assert "max_file_mb" in report.errors[0].message


# ---------------------------------------------------------------------------- datapackage.yaml

VOLUNTEERS = """
resources:
  - name: volunteers
    title: 志愿者服务时长
    required: {required}
    schema:
      primaryKey: [id]
      foreignKeys:
        - fields: [unit_id]
          reference: {{resource: units, fields: [id]}}
      fields:
        - {{name: id, type: string, title: 编号, constraints: {{required: true, pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{{0,63}}$"}}}}
        - {{name: unit_id, type: string, title: 所属队伍, constraints: {{required: true}}}}
        - {{name: hours, type: integer, title: 服务时长, constraints: {{minimum: 0}}}}
        - {{name: served_on, type: date, title: 服务日期}}
"""


def test_datapackage_adds_a_resource_validated_like_the_others(portal):
    (portal / "datasets" / "datapackage.yaml").write_text(VOLUNTEERS.format(required="true"), encoding="utf-8")
    write_lines(portal, "volunteers", ["编号,所属队伍,服务时长,服务日期", "v-1,c-dongfeng,12,2026-05-01",
                                       "v-2,c-dongfeng,十二,2026-05-02", "v-3,nobody,3,5/3/2026", "V-1,u-audit,1,"])
    report = validate(portal)
    assert sorted(codes(report)) == [("foreign-key", "volunteers", 4, "unit_id"), ("primary-key", "volunteers", 5, "id"),
                                     ("type-error", "volunteers", 3, "hours"), ("type-error", "volunteers", 4, "served_on")]
    assert_chinese(report)
    write_lines(portal, "volunteers", ["编号,所属队伍,服务时长,服务日期", "v-1,c-dongfeng,12,2026-05-01"])
    assert model(portal)["volunteers"] == [{"id": "v-1", "unit_id": "c-dongfeng", "hours": 12, "served_on": dt.date(2026, 5, 1)}]
    (portal / "datasets" / "volunteers.csv").unlink()
    assert codes(validate(portal)) == [("missing-resource", "volunteers", None, None)]


def test_datapackage_resource_read_from_xlsx_and_gbk(portal):
    (portal / "datasets" / "datapackage.yaml").write_text(VOLUNTEERS.format(required="false"), encoding="utf-8")
    write_lines(portal, "volunteers", ["编号,所属队伍,服务时长,服务日期".encode("gbk"), b"v-1,u-audit,12,2026-05-01"])
    assert model(portal)["volunteers"][0]["hours"] == 12
    (portal / "datasets" / "volunteers.csv").unlink()
    assert model(portal).get("volunteers", []) == []


def test_datapackage_extends_a_standard_resource_with_fields(portal):
    (portal / "datasets" / "datapackage.yaml").write_text("""
resources:
  - name: projects
    schema:
      fields:
        - name: funding_source
          type: string
          title: 资金来源
          constraints: {enum: [财政资金, 共建经费, 自筹]}
""", encoding="utf-8")
    lines = csv_lines(portal, "projects")
    extra = ["资金来源", "共建经费", "财政资金", ""]
    write_lines(portal, "projects", [f"{line},{value}" for line, value in zip(lines, extra)])
    projects = model(portal)["projects"]
    assert [p["funding_source"] for p in projects] == ["共建经费", "财政资金", None]
    write_lines(portal, "projects", [f"{line},{value}" for line, value in zip(lines, ["资金来源", "共建经费", "财政拨款", ""])])
    report = validate(portal)
    assert codes(report) == [("constraint-enum", "projects", 3, "funding_source")]
    assert "财政资金" in report.errors[0].message


@pytest.mark.parametrize("text, resource", [
    ("resources:\n  - name: volunteers\n    schema: {fields: [{name: id, type: strin}]}\n", "volunteers"),
    ("resources:\n  - name: projects\n    schema: {fields: [{name: title, type: string}]}\n", "projects"),
    ("resources:\n  - name: volunteers\n    schema:\n      fields: [{name: id, type: string}]\n"
     "      foreignKeys: [{fields: [id], reference: {resource: people, fields: [id]}}]\n", "volunteers"),
    ("resources:\n  - name: Volunteers!\n    schema: {fields: []}\n", "Volunteers!"),
    ("resources:\n  - name: x\n    schema: {fields: [}\n", None),
    ("resources: 3\n", None),
])
def test_a_broken_datapackage_is_a_finding_not_a_crash(portal, text, resource):
    (portal / "datasets" / "datapackage.yaml").write_text(text, encoding="utf-8")
    report = validate(portal)
    assert codes(report) == [("bad-datapackage", resource, None, None)]
    assert report.errors[0].file == "datasets/datapackage.yaml"
    assert_chinese(report)


# ------------------------------------------------------------ the demo in every format staff use


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory):
    """The demo as shipped (UTF-8 CSV): its model and its warnings."""
    root = tmp_path_factory.mktemp("demo-utf8")
    shutil.copy2(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "content", root / "content")
    return model(root), codes(validate(root), "warning")


@pytest.mark.parametrize("fmt", ["gbk", "utf-8-sig", "xlsx"])
def test_demo_converted_validates_clean_and_gives_the_same_model(demo_copy, demo_model, fmt):
    expected, warnings = demo_model
    if fmt == "xlsx":
        for path in sorted((demo_copy / "datasets").glob("*.csv")):
            to_xlsx(demo_copy, path.stem)
        assert not list((demo_copy / "datasets").glob("*.csv"))
    else:
        reencode(demo_copy, fmt, "\r\n")
    report = validate(demo_copy)
    assert codes(report) == [] and codes(report, "warning") == warnings
    converted = model(demo_copy)
    assert converted.keys() == expected.keys()
    for name in expected:
        assert converted[name] == expected[name], name


def test_fast_string_readers_agree_with_frictionless():
    """typing_cells reads string fields itself; for every such field of the standard, the value and the
    notes must be exactly what Frictionless' own reader gives."""
    import frictionless

    from gongkai.data.cells import _plain, _string_reader

    fields = [f for resource in SCHEMAS.values() for f in resource.fields]
    samples = ["", "a", "p-001", "P 001", "u_jf", "2026-01", "2026Q1", "已完成", "进行中", "东风社区", "x" * 300, "-", "=1+1"]
    handled = 0
    for field in fields:
        fast = _string_reader(field)
        if fast is None:
            continue
        handled += 1
        slow = frictionless.Field.from_descriptor(_plain(field)).create_cell_reader()
        for text in samples + list(field.get("constraints", {}).get("enum", [])):
            assert fast(text) == slow(text), (field["name"], text)
    assert handled > 40  # ids, enums and text: most fields of the standard
