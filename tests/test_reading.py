"""Reading what staff really produce: CSV in every encoding Excel and WPS write, XLSX workbooks with
their quirks, the files of datasets/ and datapackage.yaml. Every finding is asserted as
(code, resource, row, field); messages must be Chinese."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY, codes, validate

from gongkai.build import open_session
from gongkai.resources import standard_resources

SCHEMAS = {r.name: r for r in standard_resources()}
CJK = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------------------------ helpers


def model(root: Path) -> dict[str, list[dict]]:
    """Every resource's records as plain dicts of typed values: what the pages are built from."""
    _, session = open_session(root, TODAY)
    assert session.report.valid, session.report.to_json()
    return {name: [dict(r) for r in recs] for name, recs in session.portal.records.items()}


def all_codes(report) -> list[tuple]:
    return codes(report) + codes(report, "warning")


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
    assert codes(report) == [("mixed-encoding", "units", 5, None)]
    assert report.errors[0].file == "datasets/units.csv"
    assert_chinese(report)


def test_gbk_file_with_a_utf8_line_names_that_line(portal):
    lines = [line.encode("gbk") for line in csv_lines(portal, "units")]
    lines.insert(6, unit_row("u-utf8", "示例区税务局").encode("utf-8"))
    write_lines(portal, "units", lines, eol=b"\r\n")
    assert codes(validate(portal)) == [("mixed-encoding", "units", 7, None)]


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
    assert codes(report) == [("bad-encoding", "units", 4, None)]
    assert_chinese(report)


def test_utf16_text_export_is_refused_as_bad_encoding(portal):
    text = "\r\n".join(csv_lines(portal, "units")).replace(",", "\t")
    (portal / "datasets" / "units.csv").write_bytes(text.encode("utf-16"))
    report = validate(portal)
    assert codes(report) == [("bad-encoding", "units", 1, None)]
    assert "UTF-16" in report.errors[0].message


# ------------------------------------------------------------------------------ CSV: broken syntax


def test_unclosed_quote_names_the_line_where_the_record_starts(portal):
    lines = csv_lines(portal, "units")
    lines[5] = lines[5].replace("示例区审计局,", '"示例区审计局,', 1)
    write_lines(portal, "units", lines)
    report = validate(portal)
    assert codes(report) == [("bad-csv", "units", 6, None)]
    assert_chinese(report)


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
    assert codes(report) == [("control-character", "units", 3, "name")]
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
