"""CSV files as staff produce them: UTF-8, UTF-8 with BOM, or GBK/GB18030 (Excel on Chinese Windows).

The encoding is decided over the whole file, line by line, so a file that mixes encodings is an
error naming its first odd line, never mojibake.
"""
from __future__ import annotations

import csv
import io
import re

from gongkai import TableError, hookimpl
from gongkai.data.resources import Table
from gongkai.findings import column_letter

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NAMES = {"utf-8": "UTF-8", "gbk": "GBK/GB18030"}
RESAVE = "请在 Excel 或 WPS 中打开后整体另存为“CSV UTF-8（逗号分隔）”。"


@hookimpl
def read_table(path, resource):
    if path.suffix.lower() != ".csv":
        return None
    text = decode(path.read_bytes())
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


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("bad-encoding", "文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取。" + RESAVE, row=1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    first = None
    for number, line in enumerate(lines, start=1):
        kind = _line_kind(line)
        if kind == "bad":
            raise TableError("bad-encoding", f"第 {number} 行既不是 UTF-8 也不是 GBK 编码，无法读取。" + RESAVE, row=number)
        first = first or (kind if kind != "ascii" else None)
        if kind in ("ascii", first):
            continue
        raise TableError("mixed-encoding", f"第 {number} 行是 {NAMES[kind]} 编码，而前面的行是 {NAMES[first]}：这个文件混用了"
                         "两种编码，直接读取会出现乱码。" + RESAVE, row=number)
    return data.decode("gb18030" if first == "gbk" else "utf-8")


def _line_kind(line: bytes) -> str:
    if line.isascii():
        return "ascii"
    for kind, codec in (("utf-8", "utf-8"), ("gbk", "gb18030")):
        try:
            line.decode(codec)
            return kind
        except UnicodeDecodeError:
            continue
    return "bad"


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
