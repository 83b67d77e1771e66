"""XLSX workbooks: the sheet named after the resource, else the only sheet.

Size and compression ratio are checked before parsing (zip bombs). Merged cells, formulas without
a cached value and hidden rows are reported, never read as silent blanks.
"""
from __future__ import annotations

import zipfile

from gongkai import TableError, hookimpl
from gongkai.findings import column_letter
from gongkai.resources import Table


@hookimpl
def read_table(path, resource, settings):
    if path.suffix.lower() != ".xlsx":
        return None
    _check_archive(path, settings)
    import openpyxl  # imported here: portals with CSV only never pay for it

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError("bad-xlsx", f"无法作为 Excel 文件打开（{type(exc).__name__}）。请在 Excel 或 WPS 中重新另存为 .xlsx。") from None
    sheet = _pick_sheet(book, resource.name)
    notes = _merged_cell_notes(sheet) + _hidden_row_notes(sheet)
    formulas = _uncached_formulas(path, sheet.title, sheet)
    notes += formulas
    rows = [(i, list(values)) for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    header_line, header = next(((i, r) for i, r in rows if any(c not in (None, "") for c in r)), (1, []))
    if not header:
        raise TableError("empty-file", f"工作表“{sheet.title}”是空的。第 1 行应为表头。", row=1)
    body = [(i, r) for i, r in rows if i > header_line]
    return Table(path=path, header=list(header), rows=body, header_line=header_line, sheet=sheet.title, notes=notes)


def _check_archive(path, settings) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise TableError("bad-xlsx", "不是有效的 .xlsx 文件（可能是改了扩展名的 .xls 或 CSV）。请在 Excel 或 WPS 中另存为 .xlsx。") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    limit = settings.max_xlsx_uncompressed_mb * 1_000_000
    if unpacked > limit or unpacked / packed > settings.max_xlsx_ratio:
        raise TableError("xlsx-too-large", f"解压后有 {unpacked / 1_000_000:.0f} MB（压缩比 {unpacked / packed:.0f} 倍），"
                         f"超过上限（{settings.max_xlsx_uncompressed_mb:g} MB、{settings.max_xlsx_ratio:g} 倍；设置项 "
                         "max_xlsx_uncompressed_mb、max_xlsx_ratio）。请删掉多余的格式和空行，或拆分文件。")


def _pick_sheet(book, name):
    if name in book.sheetnames:
        return book[name]
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if len(visible) == 1:
        return visible[0]
    raise TableError("ambiguous-sheet", f"有 {len(visible)} 个工作表（{'、'.join(ws.title for ws in visible)}），"
                     f"无法确定读哪一个。请把数据所在的工作表命名为“{name}”，或删掉其他工作表。")


def _merged_cell_notes(sheet) -> list:
    return [("merged-cells", f"工作表“{sheet.title}”的 {rng.coord} 是合并单元格，合并后只有第一格有值。请取消合并并在每一格填写。",
             rng.min_row, column_letter(rng.min_col - 1)) for rng in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))]


def _hidden_row_notes(sheet) -> list:
    hidden = sorted(i for i, dim in sheet.row_dimensions.items() if dim.hidden and i <= sheet.max_row)
    return [("hidden-row", f"工作表“{sheet.title}”的第 {i} 行被隐藏了，隐藏的行也会被发布。请取消隐藏并确认，或删掉这一行。", i, None) for i in hidden]


def _uncached_formulas(path, title, values_sheet) -> list:
    """Formula cells whose value Excel never computed (e.g. files written by scripts)."""
    import openpyxl

    if not _has_formulas(path):
        return []
    formula_sheet = openpyxl.load_workbook(path, data_only=False)[title]
    notes = []
    for row in formula_sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" and values_sheet.cell(cell.row, cell.column).value is None:
                notes.append(("formula-without-value", f"工作表“{title}”的 {cell.coordinate} 是公式（{cell.value}），但文件中没有计算结果。"
                              "请在 Excel 或 WPS 中打开并保存一次，或把公式改成数值。", cell.row, column_letter(cell.column - 1)))
    return notes


def _has_formulas(path) -> bool:
    """Cheap look into the sheets' XML, so the workbook is parsed a second time only when needed."""
    with zipfile.ZipFile(path) as archive:
        return any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                   for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
