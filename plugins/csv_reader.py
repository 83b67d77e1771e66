"""CSV files as staff produce them: UTF-8, UTF-8 with BOM, or GBK/GB18030 (Excel on Chinese Windows),
decided per file (gongkai/data/text.py). A line longer than any real row is refused before it is read."""
from __future__ import annotations

import csv
import io
import itertools
import re

from gongkai.api import Table, TableError, column_letter, decode, hookimpl

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LINE_BYTES = 1_000_000  # a row of the standard's fields is a few KB; a 5,000-character text is 15 KB
RESAVE = "请在 Excel 或 WPS 中打开后整体另存为“CSV UTF-8（逗号分隔）”。"


@hookimpl
def read_table(path, resource):
    if path.suffix.lower() != ".csv":
        return None
    _check_line_lengths(path)
    text = decode(path.read_bytes(), RESAVE)
    rows, notes = parse(text)
    while rows and not any(cell.strip() for cell in rows[0][1]):
        rows.pop(0)  # blank lines before the header
    if not rows:
        raise TableError("empty-file", "文件是空的。第 1 行应为表头（字段名或中文标题）。", row=1)
    (header_line, header), body = rows[0], rows[1:]
    if all(len(cells) == 1 for _, cells in rows[:6]):  # not a title row above a real header: one column throughout
        _check_delimiter(header, header_line)
    notes += _stray_delimiters(len(header), body)
    return Table(path=path, header=header, rows=body, header_line=header_line, notes=notes)


def _check_line_lengths(path) -> None:
    """Refuse a line longer than any real row before the file is read whole (a file without line
    breaks, or a quote left open across the whole file): read in bounded pieces."""
    with path.open("rb") as fh:
        for number in itertools.count(1):
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                raise TableError("line-too-long", f"第 {number} 行超过 {MAX_LINE_BYTES // 1_000_000} MB，不像是表格的一行"
                                 "（可能整个文件没有换行，或者某个值的引号没有闭合）。请在 Excel 或 WPS 中打开检查这一行，"
                                 "然后另存为“CSV UTF-8（逗号分隔）”。", row=number)


def parse(text: str) -> tuple[list[tuple[int, list[str]]], list]:
    """Rows with the line each starts on, and notes on control characters; an unclosed quote is an error."""
    rows: list[tuple[int, list[str]]] = []
    notes: list = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TableError("bad-csv", f"从第 {start} 行开始的一行无法解析（{_csv_error(exc)}）。请检查这一行的英文双引号是否成对，"
                             "值中的双引号要写成两个 \"\"。", row=start) from None
        notes += [_control_note(start, index, cell) for index, cell in enumerate(row) if CONTROL_RE.search(cell)]
        rows.append((start, row))
    return rows, notes


def _control_note(line: int, index: int, cell: str) -> tuple:
    char = CONTROL_RE.search(cell).group()
    return ("control-character", f"第 {line} 行第 {column_letter(index)} 列含有不可见的控制字符（U+{ord(char):04X}）。"
            "请删掉这个字符后重新保存（常见于从网页或其他系统复制的文字）。", line, column_letter(index))


def _stray_delimiters(width: int, body: list) -> list:
    """Rows longer than the header whose extra cells are empty: the values after the stray comma
    moved one column right. (Extra cells holding values are reported when the rows are typed.)"""
    return [("extra-cell", f"第 {line} 行比表头多出 {len(cells) - width} 个单元格：这一行多了英文逗号，后面的值都错了列。"
             "含逗号的值请加英文双引号，或删掉多余的逗号。", line, column_letter(width))
            for line, cells in body if len(cells) > width and not any(c.strip() for c in cells[width:])]


def _check_delimiter(header: list[str], line: int) -> None:
    """A header that is one cell holding another separator: the file was not saved comma-separated."""
    if len(header) != 1:
        return
    for sep, name in (("\t", "制表符"), ("，", "中文逗号“，”"), (";", "分号"), ("、", "顿号")):
        if sep in header[0]:
            raise TableError("bad-csv", f"第 {line} 行的表头用{name}分隔，而 CSV 要用英文逗号“,”分隔。"
                             "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”，或把分隔符换成英文逗号。", row=line)


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "EOF" in text or "unexpected end" in text:
        return "引号没有闭合"
    if "expected after" in text:
        return "引号后面应是逗号"
    return text
