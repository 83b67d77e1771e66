"""`gongkai template [DIR]`: one Excel template per resource, `excel-templates/<resource>.xlsx`, which staff
fill in and save as `datasets/<resource>.xlsx`.

The data sheet is named after the resource (so the reader picks it over the 说明 sheet) and has the
Chinese titles as headers, the field descriptions as header comments, a dropdown for every enum,
date-formatted date columns and range checks on numbers. The files are byte-for-byte reproducible.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

from gongkai.data.resources import Resource, standard_resources
from gongkai.findings import column_letter

DATA_ROWS = 5000  # validations cover rows 2..DATA_ROWS; formats are set on whole columns
FIXED_TIME = "2000-01-01T00:00:00Z"
KIND_NAMES = {"id": "编号", "id-list": "编号列表（用英文分号 ; 分隔）", "date": "日期（YYYY-MM-DD）", "yuan": "金额（元）",
              "integer": "整数", "number": "数字", "enum": "从下拉列表中选择", "period": "评价周期（如 2025、2025-H1、2025-Q3、2025-07）",
              "text": "文字（可以较长）", "string": "文字", "path": "content/ 中的文件路径", "path-list": "文件路径列表（用英文分号 ; 分隔）"}
FORMATS = {"date": "yyyy-mm-dd", "integer": "0", "number": "General", "yuan": "0.00"}
TEMPLATE_DIR = "excel-templates"  # not templates/: that folder holds the portal's page-template overrides
HEADER_FILL = {True: "F8CBAD", False: "DDEBF7"}  # required, optional


def write_templates(root: Path) -> list[Path]:
    """Write excel-templates/<resource>.xlsx for every resource of the portal in `root`."""
    folder = Path(root) / TEMPLATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for resource in _resources(Path(root)):
        path = folder / f"{resource.name}.xlsx"
        path.write_bytes(template_bytes(resource))
        paths.append(path)
    return paths


def _resources(root: Path) -> list[Resource]:
    """The standard resources, plus those the portal's plugins and datapackage.yaml add."""
    if not (root / "site_config.yml").is_file():
        return standard_resources()
    from gongkai.data.reading import extend_with_datapackage
    from gongkai.session import open_session

    session = open_session(root)
    resources, _ = extend_with_datapackage(session.resources, root / session.settings.datasets_dir, root)
    return list(resources.values())


def template_bytes(resource: Resource) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = resource.name
    for index, spec in enumerate(resource.fields):
        _column(book, sheet, index, spec, _required(resource, spec))
    sheet.freeze_panes = "A2"
    _guide(book.create_sheet("说明"), resource)
    book.properties.creator = book.properties.lastModifiedBy = "gongkai"
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def _required(resource: Resource, spec: dict) -> bool:
    return bool(spec.get("constraints", {}).get("required")) or spec["name"] in resource.primary_key


def _kind(spec: dict) -> str:
    if spec.get("constraints", {}).get("enum"):
        return "enum"
    return spec.get("x-gongkai-type") or ("text" if spec["type"] == "string" else spec["type"])


def _column(book, sheet, index: int, spec: dict, required: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    letter = column_letter(index)
    title = spec.get("title") or spec["name"]
    head = sheet.cell(1, index + 1, title)
    head.font = Font(bold=True)
    head.fill = PatternFill("solid", fgColor=HEADER_FILL[required])
    head.alignment = Alignment(horizontal="center", vertical="center")
    note = f"{'【必填】' if required else '【选填】'}{spec.get('description') or title}"
    head.comment = Comment(note, "gongkai", height=min(400, 40 + len(note) * 2), width=320)
    kind = _kind(spec)
    number_format = FORMATS.get(kind, "General" if kind in ("integer", "number") else "@")
    column = sheet.column_dimensions[letter]  # a column style: Excel and WPS format what is typed below
    column.number_format = number_format
    column.width = _width(title, kind)
    validation = _validation(book, spec, kind, required)
    if validation is not None:
        validation.add(f"{letter}2:{letter}{DATA_ROWS}")
        sheet.add_data_validation(validation)


def _width(title: str, kind: str) -> float:
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in title)
    least = {"id": 16, "date": 12, "text": 30, "id-list": 20, "path-list": 24, "path": 24, "enum": 14}.get(kind, 10)
    return float(max(shown + 4, least))


def _validation(book, spec: dict, kind: str, required: bool):
    """A dropdown for enums, a date check for dates, a range check for numbers."""
    from openpyxl.worksheet.datavalidation import DataValidation

    constraints = spec.get("constraints", {})
    title = spec.get("title") or spec["name"]
    if kind == "enum":
        values = [str(v) for v in constraints["enum"]]
        check = DataValidation(type="list", formula1=_list_source(book, spec["name"], values), allow_blank=not required)
        check.error = f"“{title}”只能填写以下之一：{'、'.join(values)}。"[:255]
    elif kind == "date":
        check = DataValidation(type="date", operator="between", formula1="DATE(1949,10,1)", formula2="DATE(2100,12,31)")
        check.error = f"“{title}”应为日期，例如 2025-01-20（在中文版 Excel 和 WPS 中也可输入 2025/1/20）。"
    elif spec["type"] in ("integer", "number"):
        low, high = constraints.get("minimum"), constraints.get("maximum")
        operator, formulas = _range(low, high)
        check = DataValidation(type="whole" if spec["type"] == "integer" else "decimal", operator=operator, **formulas)
        bounds = "".join([f"，不小于 {low}" if low is not None else "", f"，不大于 {high}" if high is not None else ""])
        check.error = f"“{title}”应为{'整数' if spec['type'] == 'integer' else '数字'}{bounds}。"
    else:
        return None
    check.allow_blank = not required
    check.showErrorMessage = True
    check.errorTitle = "填写有误"
    return check


def _range(low, high) -> tuple[str, dict]:
    if low is not None and high is not None:
        return "between", {"formula1": str(low), "formula2": str(high)}
    if low is not None:
        return "greaterThanOrEqual", {"formula1": str(low)}
    if high is not None:
        return "lessThanOrEqual", {"formula1": str(high)}
    return "between", {"formula1": "-1E+15", "formula2": "1E+15"}


def _list_source(book, name: str, values: list[str]) -> str:
    """An inline list when Excel allows it (255 characters, no commas), else a range on a hidden sheet."""
    inline = ",".join(values)
    if len(inline) <= 250 and not any("," in v or '"' in v for v in values):
        return f'"{inline}"'
    lists = book["可选值"] if "可选值" in book.sheetnames else book.create_sheet("可选值")
    lists.sheet_state = "hidden"
    column = lists.max_column + 1 if lists["A1"].value is not None else 1
    for row, value in enumerate([name, *values], start=1):
        lists.cell(row, column, value)
    letter = column_letter(column - 1)
    return f"可选值!${letter}$2:${letter}${len(values) + 1}"


def _guide(sheet, resource: Resource) -> None:
    """The 说明 sheet: what the table is, how to fill it in, and every field's rule."""
    from openpyxl.styles import Alignment, Font

    label = resource.title or resource.schema.get("title") or resource.name
    lines = [
        (f"{label}（{resource.name}）填写说明", True),
        (resource.schema.get("description") or "", False),
        (f"填好后保存为门户的 datasets/{resource.name}.xlsx，运行 gongkai validate 检查。数据写在工作表“{resource.name}”中，"
         "请勿修改它的名称和第一行表头；每行一条记录，中间不要留空行，不要合并单元格或隐藏行列。", False),
        ("表头橙色的列必填，蓝色的列选填；选填的列不用可以删掉。日期写成 2025-01-20；有下拉列表的列请从列表中选择。", False),
        *([(_key_rules(resource), False)] if resource.primary_key or resource.foreign_keys else []),
        ("", False),
    ]
    for text, bold in lines:
        sheet.append([text])
        sheet.cell(sheet.max_row, 1).font = Font(bold=bold, size=14 if bold and sheet.max_row == 1 else 11)
    sheet.append(["列", "表头", "字段名", "必填", "填写什么", "可选值", "说明"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for index, spec in enumerate(resource.fields):
        enum = spec.get("constraints", {}).get("enum") or []
        sheet.append([column_letter(index), spec.get("title") or spec["name"], spec["name"],
                      "必填" if _required(resource, spec) else "选填", KIND_NAMES.get(_kind(spec), _kind(spec)),
                      "、".join(map(str, enum)), spec.get("description") or ""])
    for letter, width in zip("ABCDEFG", (6, 14, 20, 6, 22, 30, 80)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in range(1, header_row):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)


def _key_rules(resource: Resource) -> str:
    rules = []
    if resource.primary_key:
        names = "、".join(resource.field_by_name.get(k, {}).get("title", k) for k in resource.primary_key)
        rules.append(f"每行的“{names}”{'组合' if len(resource.primary_key) > 1 else ''}不能重复（不区分大小写）")
    for fk in resource.foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        title = resource.field_by_name.get(fields[0], {}).get("title", fields[0])
        rules.append(f"“{title}”须是 {fk['reference'].get('resource') or resource.name} 表中已有的编号")
    return "；".join(rules) + "。"


def _reproducible(data: bytes) -> bytes:
    """The same workbook bytes on every run: fixed timestamps inside and on the zip entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
