"""CSV files as staff produce them: UTF-8, UTF-8 with BOM, or GBK/GB18030 (Excel on Chinese Windows).

The encoding is decided over the whole file, line by line, so a file that mixes encodings is an
error naming its first odd line, never mojibake.
"""
from __future__ import annotations

import csv
import io
import re

from gongkai import TableError, hookimpl
from gongkai.findings import column_letter
from gongkai.resources import Table

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@hookimpl
def read_table(path, resource):
    if path.suffix.lower() != ".csv":
        return None
    text = decode(path.read_bytes())
    rows = parse(text)
    if not rows:
        raise TableError("empty-file", "文件是空的。第 1 行应为表头（字段名或中文标题）。", row=1)
    (header_line, header), body = rows[0], rows[1:]
    return Table(path=path, header=header, rows=body, header_line=header_line)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    kinds = [_line_kind(line) for line in lines]
    first_non_ascii = next((k for k in kinds if k != "ascii"), "ascii")
    if first_non_ascii in ("ascii", "utf-8"):
        bad = next((i for i, k in enumerate(kinds) if k not in ("ascii", "utf-8")), None)
        if bad is None:
            return data.decode("utf-8")
        if first_non_ascii == "utf-8":
            raise TableError("mixed-encoding", f"第 {bad + 1} 行的编码与前面的行不同（前面是 UTF-8）。这个文件混用了两种编码："
                             "请在 Excel 或 WPS 中打开后整体另存为“CSV UTF-8”。", row=bad + 1)
    for i, line in enumerate(lines):
        if kinds[i] == "utf-8":
            raise TableError("mixed-encoding", f"第 {i + 1} 行是 UTF-8 编码，而前面的行是 GBK。这个文件混用了两种编码："
                             "请在 Excel 或 WPS 中打开后整体另存为“CSV UTF-8”。", row=i + 1)
        try:
            line.decode("gb18030")
        except UnicodeDecodeError:
            raise TableError("bad-encoding", f"第 {i + 1} 行既不是 UTF-8 也不是 GBK 编码，无法读取。"
                             "请在 Excel 或 WPS 中打开后另存为“CSV UTF-8”。", row=i + 1) from None
    return data.decode("gb18030")


def _line_kind(line: bytes) -> str:
    if line.isascii():
        return "ascii"
    try:
        line.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "other"


def parse(text: str) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on; unclosed quotes and control characters are errors."""
    rows: list[tuple[int, list[str]]] = []
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TableError("bad-csv", f"第 {start} 行无法解析（{_csv_error(exc)}）。请检查这一行的英文双引号是否成对，"
                             "值中的双引号要写成两个 \"\"。", row=start) from None
        for index, cell in enumerate(row):
            if CONTROL_RE.search(cell):
                raise TableError("control-character", f"第 {start} 行第 {column_letter(index)} 列含有不可见的控制字符（如 NUL）。"
                                 "请删掉这个字符后重新保存。", row=start, column=column_letter(index))
        rows.append((start, row))
    return rows


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "EOF" in text or "unexpected end" in text:
        return "引号没有闭合"
    if "NUL" in text or "null byte" in text.lower():
        return "含有 NUL 字符"
    return text
