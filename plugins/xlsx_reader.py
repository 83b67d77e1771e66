"""XLSX workbooks: the sheet named after the resource, else the only visible sheet.

Size and compression ratio are checked from the zip directory before anything is decompressed
(zip bombs). Merged cells, formulas without a cached value, error values and hidden rows and
columns are reported, never read as silent blanks.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile

from gongkai.api import Table, TableError, column_letter, hookimpl

RESAVE = "请在 Excel 或 WPS 中打开后重新另存为 .xlsx。"
FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
SMALL_MEMBER = 1_000_000  # members this small are never a bomb, whatever their ratio
PERCENT_DECIMALS = re.compile(r"\.(0+)%")  # 0.00% shows two decimals


@hookimpl
def read_table(path, resource, settings):
    if path.suffix.lower() != ".xlsx":
        return None
    _check_archive(path, settings)
    import openpyxl  # imported here: portals with CSV only never pay for it

    try:
        with warnings.catch_warnings():  # openpyxl warns about Excel features it drops (slicers, extensions)
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError("bad-xlsx", f"无法作为 Excel 文件打开（{type(exc).__name__}）。{RESAVE}") from None
    sheet = _pick_sheet(book, resource)
    rows, notes = _read_cells(sheet)
    header_line, header = next(((i, r) for i, r in rows if any(c not in (None, "") for c in r)), (1, []))
    if not header:
        raise TableError("empty-file", f"工作表“{sheet.title}”是空的。第 1 行应为表头（字段名或中文标题）。", row=1)
    notes += _merged_cell_notes(sheet) + _hidden_notes(sheet, header_line) + _uncached_formulas(path, sheet)
    body = [(i, r) for i, r in rows if i > header_line]
    return Table(path=path, header=list(header), rows=body, header_line=header_line, sheet=sheet.title, notes=notes)


def _check_archive(path, settings) -> None:
    """Refuse a workbook that would unpack too large, judged from the zip's central directory only.
    (zipfile stops at a member's declared size, so a lying header cannot unpack more.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError("bad-xlsx", f"不是有效的 .xlsx 文件（可能是改了扩展名的 .xls 或 CSV，或文件不完整）。{RESAVE}") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    worst = max((i.file_size / max(1, i.compress_size) for i in infos if i.file_size > SMALL_MEMBER), default=0)
    ratio = max(unpacked / packed, worst)
    if unpacked > settings.max_xlsx_uncompressed_mb * 1_000_000 or ratio > settings.max_xlsx_ratio:
        raise TableError("xlsx-too-large", f"解压后有 {unpacked / 1_000_000:.0f} MB（压缩比 {ratio:.0f} 倍），超过上限"
                         f"（{settings.max_xlsx_uncompressed_mb:g} MB、{settings.max_xlsx_ratio:g} 倍；设置项 "
                         "max_xlsx_uncompressed_mb、max_xlsx_ratio），为安全起见没有打开。请删掉多余的格式和空行，或拆分文件。")


def _pick_sheet(book, resource):
    for name in (resource.name, resource.title):
        if name and name in book.sheetnames:
            return book[name]
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if len(visible) == 1:
        return visible[0]
    raise TableError("ambiguous-sheet", f"有 {len(visible)} 个工作表（{'、'.join(ws.title for ws in visible)}），"
                     f"无法确定读哪一个。请把数据所在的工作表命名为“{resource.name}”，或删掉其他工作表。")


def _read_cells(sheet) -> tuple[list, list]:
    """Rows of values (numbers and dates as Excel shows them) and notes on error values (#N/A...)."""
    rows, notes = [], []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            if cell.data_type == "e":
                notes.append(("formula-error", f"工作表“{sheet.title}”的 {cell.coordinate} 是错误值 {cell.value}（公式算不出结果）。"
                              "请改正公式，或直接填写数值。", number, column_letter(cell.column - 1)))
                values.append(None)
            else:
                values.append(_shown(cell.value, cell.number_format))
        rows.append((number, values))
    return rows, notes


def _shown(value, number_format: str = "General"):
    """Excel keeps 17 significant digits but shows 15 (0.1*3 is 0.3); dates are whole days; a number in
    a percentage format is read as Excel shows it (0.4 → "40%"), so that typing can say what happened."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (number_format or ""):
        decimals = PERCENT_DECIMALS.search(number_format)
        return f"{value * 100:.{len(decimals.group(1)) if decimals else 0}f}%"
    if isinstance(value, float):
        return float(f"{value:.15g}")
    if isinstance(value, dt.datetime) and value - value.replace(hour=0, minute=0, second=0, microsecond=0) < dt.timedelta(seconds=1):
        return value.date()
    return value


def _merged_cell_notes(sheet) -> list:
    return [("merged-cells", f"工作表“{sheet.title}”的 {rng.coord} 是合并单元格，合并后只有第一格有值。请取消合并并在每一格填写。",
             rng.min_row, column_letter(rng.min_col - 1)) for rng in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))]


def _hidden_notes(sheet, header_line: int) -> list:
    rows = sorted(i for i, dim in sheet.row_dimensions.items() if dim.hidden and i <= sheet.max_row)
    notes = [("hidden-row", f"工作表“{sheet.title}”的第 {i} 行被隐藏了，隐藏的行也会被发布。请取消隐藏并确认，或删掉这一行。", i, None)
             for i in rows]
    for dim in sheet.column_dimensions.values():
        if dim.hidden and dim.min and dim.min <= sheet.max_column:
            for index in range(dim.min - 1, min(dim.max or dim.min, sheet.max_column)):
                notes.append(("hidden-column", f"工作表“{sheet.title}”的第 {column_letter(index)} 列被隐藏了，隐藏的列也会被发布。"
                              "请取消隐藏并确认，或删掉这一列。", header_line, column_letter(index)))
    return notes


def _uncached_formulas(path, values_sheet) -> list:
    """Formula cells whose value Excel never computed (e.g. files written by scripts)."""
    import openpyxl

    if not _has_formulas(path):
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formula_sheet = openpyxl.load_workbook(path, data_only=False)[values_sheet.title]
    notes = []
    for row in formula_sheet.iter_rows():
        for cell in row:
            value = values_sheet.cell(cell.row, cell.column)
            if cell.data_type == "f" and value.value is None and value.data_type != "str":  # "str": a cached ""
                notes.append(("formula-without-value", f"工作表“{values_sheet.title}”的 {cell.coordinate} 是公式（{cell.value}），"
                              "但文件中没有计算结果。请在 Excel 或 WPS 中打开并保存一次，或把公式改成数值。",
                              cell.row, column_letter(cell.column - 1)))
    return notes


def _has_formulas(path) -> bool:
    """A streamed look into the sheets' XML, so the workbook is parsed a second time only when needed."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 20):
                        if FORMULA_RE.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    return False
