"""`gongkai template`: Excel templates staff fill in. Opened with openpyxl they show the dropdowns,
comments and formats; filled in and saved into datasets/ they validate like the CSVs."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from conftest import TODAY, codes, read_rows, validate

from gongkai.cli import main
from gongkai.data.resources import standard_resources
from gongkai.excel_templates import DATA_ROWS, TEMPLATE_DIR, write_templates
from gongkai.session import open_session

RESOURCES = {r.name: r for r in standard_resources() + standard_resources(
    ("registrations", "point_items", "services", "point_exchanges", "whistles"))}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The templates, written once by the CLI into a sample portal (tests only read them)."""
    from gongkai.scaffold import init_portal

    root = tmp_path_factory.mktemp("templates") / "portal"
    init_portal(root)
    assert main(["template", str(root)]) == 0
    return root / TEMPLATE_DIR


@pytest.fixture
def templates(portal, written):
    """A fresh sample portal with the templates in excel-templates/."""
    shutil.copytree(written, portal / TEMPLATE_DIR)
    return portal / TEMPLATE_DIR


def validations(sheet) -> dict[str, object]:
    """Column letter -> the data validation covering its data rows."""
    found = {}
    for check in sheet.data_validations.dataValidation:
        for cells in check.sqref.ranges:
            assert (cells.min_row, cells.max_row) == (2, DATA_ROWS)
            assert cells.min_col == cells.max_col
            found[openpyxl.utils.get_column_letter(cells.min_col)] = check
    return found


def letter_of(resource: str, field: str) -> str:
    names = [f["name"] for f in RESOURCES[resource].fields]
    return openpyxl.utils.get_column_letter(names.index(field) + 1)


def model(root) -> dict[str, list[dict]]:
    session = open_session(root, TODAY)
    assert session.report.valid, session.report.to_json()
    return {name: [dict(r) for r in recs] for name, recs in session.portal.records.items()}


# --------------------------------------------------------------------------- what the files hold


def test_one_template_per_standard_resource(portal, capsys):
    assert main(["template", str(portal)]) == 0
    assert sorted(p.name for p in (portal / TEMPLATE_DIR).iterdir()) == sorted(f"{name}.xlsx" for name in RESOURCES)
    assert "excel-templates/projects.xlsx" in capsys.readouterr().out.splitlines()
    assert not (portal / "templates").exists()  # that folder holds page-template overrides


def test_the_templates_are_not_committed_with_the_portal(portal):
    """`gongkai init` writes a .gitignore that keeps the generated workbooks out of `git add .`."""
    assert main(["template", str(portal)]) == 0
    subprocess.run(["git", "init", "-q"], cwd=portal, check=True)
    ignored = subprocess.run(["git", "check-ignore", f"{TEMPLATE_DIR}/projects.xlsx"], cwd=portal,
                             capture_output=True, text=True)
    assert ignored.returncode == 0, "excel-templates/ is not ignored"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_data_sheet_has_chinese_headers_bold_frozen_with_comments(templates, name):
    book = openpyxl.load_workbook(templates / f"{name}.xlsx")
    assert book.sheetnames[:2] == [name, "说明"]
    sheet = book[name]
    fields = RESOURCES[name].fields
    assert [c.value for c in sheet[1]] == [f["title"] for f in fields]
    assert sheet.freeze_panes == "A2"
    for cell, spec in zip(sheet[1], fields):
        assert cell.font.b
        assert spec["description"] in cell.comment.text
        assert sheet.column_dimensions[cell.column_letter].width >= 8
    required = {f["name"] for f in fields if f.get("constraints", {}).get("required")}
    for cell, spec in zip(sheet[1], fields):
        assert cell.comment.text.startswith("【必填】" if spec["name"] in required else "【选填】")


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_enum_has_a_dropdown_over_the_data_rows(templates, name):
    sheet = openpyxl.load_workbook(templates / f"{name}.xlsx")[name]
    found = validations(sheet)
    enums = [f for f in RESOURCES[name].fields if f.get("constraints", {}).get("enum")]
    for spec in enums:
        check = found[letter_of(name, spec["name"])]
        assert check.type == "list"
        assert check.formula1 == '"' + ",".join(map(str, spec["constraints"]["enum"])) + '"'
        assert check.showErrorMessage and spec["title"] in check.error
        assert check.allow_blank == (not spec["constraints"].get("required"))


def test_units_kind_dropdown(templates):
    check = validations(openpyxl.load_workbook(templates / "units.xlsx")["units"])["C"]
    assert check.formula1 == '"街道,社区,网格,小区,楼栋,共建单位,物业企业,业委会,社会组织,志愿服务队"'


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_date_columns_are_formatted_and_checked(templates, name):
    sheet = openpyxl.load_workbook(templates / f"{name}.xlsx")[name]
    found = validations(sheet)
    for spec in RESOURCES[name].fields:
        letter = letter_of(name, spec["name"])
        if spec["type"] == "date":
            assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
            assert found[letter].type == "date"
        elif spec["type"] == "string":
            assert sheet.column_dimensions[letter].number_format == "@"  # 2025-07 or 001 stay as typed


def test_number_columns_have_range_checks(templates):
    found = validations(openpyxl.load_workbook(templates / "projects.xlsx")["projects"])
    progress = found[letter_of("projects", "progress")]
    assert (progress.type, progress.operator, progress.formula1, progress.formula2) == ("whole", "between", "0", "100")
    budget = found[letter_of("projects", "budget_yuan")]
    assert (budget.type, budget.operator, budget.formula1) == ("decimal", "greaterThanOrEqual", "0")
    score = validations(openpyxl.load_workbook(templates / "evaluations.xlsx")["evaluations"])[letter_of("evaluations", "score")]
    assert (score.type, score.formula1, score.formula2, score.allow_blank) == ("decimal", "0", "100", False)


def test_guide_sheet_explains_every_field(templates):
    book = openpyxl.load_workbook(templates / "needs.xlsx")
    rows = [r for r in book["说明"].iter_rows(values_only=True)]
    text = "\n".join(str(c) for r in rows for c in r if c)
    resource = RESOURCES["needs"]
    assert resource.schema["description"] in text and "datasets/needs.xlsx" in text
    table = {r[2]: r for r in rows if r[2] in resource.field_by_name}
    assert list(table) == [f["name"] for f in resource.fields]
    assert table["status"][3] == "必填" and table["resolution"][3] == "选填"
    assert table["status"][5] == "待认领、已认领、办理中、已解决、不予立项"
    assert table["raised_on"][4].startswith("日期")
    assert table["claimed_by"][6] == resource.field_by_name["claimed_by"]["description"]


def test_templates_are_reproducible(portal, tmp_path):
    first = {p.name: p.read_bytes() for p in write_templates(portal)}
    shutil.rmtree(portal / TEMPLATE_DIR)
    second = {p.name: p.read_bytes() for p in write_templates(portal)}
    assert first == second


def test_datapackage_fields_get_their_columns_and_long_lists_a_hidden_sheet(portal):
    values = [f"资金渠道{i:02d}号（专项）" for i in range(30)]
    (portal / "datasets" / "datapackage.yaml").write_text(
        "resources:\n  - name: projects\n    schema:\n      fields:\n"
        f"        - {{name: funding_source, type: string, title: 资金来源, constraints: {{enum: [{', '.join(values)}]}}}}\n",
        encoding="utf-8")
    write_templates(portal)
    book = openpyxl.load_workbook(portal / TEMPLATE_DIR / "projects.xlsx")
    sheet = book["projects"]
    assert sheet["T1"].value == "资金来源"
    check = validations(sheet)["T"]
    assert check.type == "list" and check.formula1 == "可选值!$A$2:$A$31"
    assert book["可选值"].sheet_state == "hidden"
    assert [c.value for c in book["可选值"]["A"]][1:] == values


# ------------------------------------------------------------------------------- the round trip


def typed(resource: str, name: str, text: str):
    """A CSV value as staff type it into Excel: real dates and numbers."""
    spec = RESOURCES[resource].field_by_name[name]
    if text == "":
        return None
    if spec["type"] == "date":
        return dt.date.fromisoformat(text)
    if spec["type"] == "integer":
        return int(text)
    if spec["type"] == "number":
        return int(float(text)) if float(text).is_integer() else float(text)
    return text


def fill(root, name: str, rows: list[dict]) -> None:
    """Fill excel-templates/<name>.xlsx with rows (by field name) and save it as datasets/<name>.xlsx."""
    book = openpyxl.load_workbook(root / TEMPLATE_DIR / f"{name}.xlsx")
    sheet = book[name]
    columns = {f["name"]: i + 1 for i, f in enumerate(RESOURCES[name].fields)}
    for number, row in enumerate(rows, start=2):
        for field, value in row.items():
            sheet.cell(number, columns[field], value)
    book.save(root / "datasets" / f"{name}.xlsx")
    (root / "datasets" / f"{name}.csv").unlink(missing_ok=True)


def test_filled_templates_validate_and_give_the_csv_model(templates):
    root = templates.parent
    expected = model(root)
    for name in RESOURCES:
        fill(root, name, [{k: typed(name, k, v) for k, v in row.items()} for row in read_rows(root, name)])
    assert not list((root / "datasets").glob("*.csv"))
    report = validate(root)
    assert report.findings == []
    assert model(root) == expected


def test_mistakes_in_a_filled_template_are_found_on_their_sheet_rows(templates):
    root = templates.parent
    rows = [{k: typed("projects", k, v) for k, v in row.items()} for row in read_rows(root, "projects")]
    rows[0]["start_date"] = "5/3/2025"  # typed as text, month first: sheet row 2
    rows[1]["category"] = "设施维修"  # not in the dropdown: sheet row 3
    rows[2]["title"] = None  # required: sheet row 4
    fill(root, "projects", rows)
    report = validate(root)
    assert sorted(codes(report)) == [("constraint-enum", "projects", 3, "category"),
                                     ("constraint-required", "projects", 4, "title"),
                                     ("type-error", "projects", 2, "start_date")]
    by_code = {f.code: f for f in report.errors}
    assert "YYYY-MM-DD" in by_code["type-error"].message and by_code["type-error"].column == "K"
    assert "设施改造" in by_code["constraint-enum"].message
    assert by_code["constraint-required"].file == "datasets/projects.xlsx"
    assert codes(report, "warning") == []
