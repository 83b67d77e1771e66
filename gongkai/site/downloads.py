"""Writers for the open-data downloads: CSV (UTF-8 with BOM, formula-safe), JSON and XLSX.

Not a plugin (no hooks): plain functions of a Table Schema's fields and rows of typed values.
Every writer is deterministic: the same rows give the same bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from decimal import Decimal

import orjson

BOM = "\ufeff"
#: a text cell starting with one of these could run as a formula in Excel or WPS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XLSX_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_safe(text: str) -> str:
    """Text as a spreadsheet shows it but never runs it: a leading ' when it looks like a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def number_text(value) -> str:
    """A number written as it is, never in exponent notation."""
    if isinstance(value, int):
        return str(value)
    return format(value if isinstance(value, Decimal) else Decimal(repr(value)), "f")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return number_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return formula_safe(str(value))


def csv_bytes(fields: list[dict], rows: list[dict]) -> bytes:
    """UTF-8 with BOM (so Excel and WPS read the Chinese right), CRLF line ends, field names as header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [f["name"] for f in fields]
    writer.writerow([formula_safe(name) for name in names])
    for row in rows:
        writer.writerow([csv_cell(row.get(name)) for name in names])
    return (BOM + out.getvalue()).encode("utf-8")


def json_value(value):
    """The value as published: numbers as numbers, dates as YYYY-MM-DD strings, None as null."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def dumps(data) -> bytes:
    """Stable JSON: keys in the order given, Chinese kept readable, two-space indent, final newline.
    Written by orjson: the standard library's encoder runs in pure Python once it indents (4.4 s for
    200,000 rows against orjson's 0.17 s), and orjson writes the same bytes but for a float in
    exponent form (1e-7, where json writes 1e-07). An integer beyond 64 bits, which orjson refuses,
    is written by the standard library."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    except orjson.JSONEncodeError:
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def json_bytes(fields: list[dict], rows: list[dict]) -> bytes:
    names = [f["name"] for f in fields]
    return dumps([{name: json_value(row.get(name)) for name in names} for row in rows])


def xlsx_bytes(sheet: str, fields: list[dict], rows: list[dict], when: dt.datetime) -> bytes:
    """One sheet with a header row: text always a string (never a formula), numbers and dates typed;
    document dates and zip entry times fixed, so the bytes repeat. XlsxWriter's constant-memory mode
    streams the rows, about three times faster than openpyxl's write-only mode."""
    import xlsxwriter  # imported here: `gongkai validate` never writes downloads

    raw = io.BytesIO()
    book = xlsxwriter.Workbook(raw, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"author": "gongkai", "created": when})
    quoted = book.add_format({"quote_prefix": True})  # Excel keeps it text even when the cell is edited
    formats = {dt.datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               dt.date: book.add_format({"num_format": "yyyy-mm-dd"})}
    ws = book.add_worksheet(sheet.translate(XLSX_SHEET_BAD)[:31] or "data")
    ws.freeze_panes(1, 0)
    names = [f["name"] for f in fields]
    for column, name in enumerate(names):
        text = _xlsx_text(name)
        ws.write_string(0, column, text, quoted if text.startswith(FORMULA_START) else None)
    for number, row in enumerate(rows, 1):
        for column, name in enumerate(names):
            value = row.get(name)
            if isinstance(value, Decimal):
                value = json_value(value)
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(number, column, value)
            elif isinstance(value, (int, float)):
                ws.write_number(number, column, value)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(number, column, value.replace(tzinfo=None), formats[dt.datetime])
            elif isinstance(value, dt.date):
                ws.write_datetime(number, column, value, formats[dt.date])
            else:
                text = _xlsx_text(str(value))
                ws.write_string(number, column, text, quoted if text.startswith(FORMULA_START) else None)
    book.close()
    return _fixed_zip(raw.getvalue())


def _xlsx_text(text: str) -> str:
    """Without the control characters XML cannot hold (as openpyxl drops them)."""
    return XLSX_ILLEGAL.sub("", text)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with sorted entries and fixed timestamps and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ the data dictionary

TYPE_LABELS = {
    "id": "编号", "date": "日期", "enum": "可选值之一", "string": "文字", "text": "长文本", "integer": "整数",
    "number": "数字", "yuan": "金额（元）", "period": "周期", "path": "文件路径", "path-list": "文件路径（; 分隔）",
    "id-list": "编号（; 分隔）", "boolean": "是/否", "datetime": "日期时间", "year": "年份",
}


def allowed_values(field: dict) -> str:
    """The enumerated values, or the numeric range, of a field as staff read it."""
    c = field.get("constraints") or {}
    if c.get("enum"):
        return "、".join(str(v) for v in c["enum"])
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    return f"最多 {c['maxLength']} 字" if c.get("maxLength") else ""


def field_rows(schema: dict) -> list[dict]:
    """One row per field for the data dictionary: name, title, type, required, allowed values, description."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    rows = []
    for f in schema.get("fields", []):
        kind = f.get("x-gongkai-type") or f.get("type", "string")
        required = bool((f.get("constraints") or {}).get("required")) or f["name"] in key
        rows.append({"name": f["name"], "title": f.get("title", ""), "type": TYPE_LABELS.get(kind, kind),
                     "table_type": f.get("type", "string"), "required": required, "primary": f["name"] in key,
                     "allowed": allowed_values(f), "description": f.get("description", "")})
    return rows
