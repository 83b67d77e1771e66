"""Turn the raw cells of a table into typed records, using Frictionless' own field readers,
and say in Chinese what is wrong with a cell and how to fix it."""
from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from gongkai.data.headers import HeaderMap
from gongkai.data.resources import Record, Resource, Table
from gongkai.data.text import BIDI_CONTROLS
from gongkai.findings import Finding, column_letter, error, warning

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOOSE_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
#: the year-month-day spellings staff's tools write, accepted as they are (2025/3/5 is what Excel saves
#: in a CSV on Chinese Windows): one separator throughout, or 年月日
STAFF_DATE_RE = re.compile(r"^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
YUAN_RE = re.compile(r"^\d+(\.\d{1,2})?$")
#: 1,234 or 1,234,567.5: thousands separators in their places only
GROUPED_RE = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
WAN_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*万\s*元?$")
PERCENT_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[%％]$")
NUMERIC_KINDS = ("integer", "number", "yuan")
PLAIN_NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")

TYPE_NAMES = {"integer": "整数", "number": "数字", "date": "日期", "string": "文字", "boolean": "是/否"}


def suggest_date(text: str) -> str | None:
    """The YYYY-MM-DD spelling of a date written another way, if it is one."""
    match = LOOSE_DATE_RE.match(text) or COMPACT_DATE_RE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a CSV would hold."""
    if type(value) is str:  # every CSV cell: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


class TableTyper:
    """Types the rows of one resource; one instance per resource, readers compiled once."""

    def __init__(self, resource: Resource, file: str):
        self.resource = resource
        self.file = file
        import frictionless  # imported here: a cached validation never needs it (0.3 s to import)

        fields = [_bounded(f) for f in resource.fields]
        self.readers = {f["name"]: _string_reader(f) or frictionless.Field.from_descriptor(_plain(f)).create_cell_reader()
                        for f in fields}
        self.findings: list[Finding] = []
        self.columns: dict[str, str] = {}  # field name -> column letter, set by type_rows
        self._absent_invalid: set[str] = set()  # set by type_rows
        self.plain_dates = {f["name"] for f in resource.fields if f.get("type") == "date"
                            and f.get("format", "default") == "default" and not set(f.get("constraints", {})) - {"required"}}
        #: field name -> (descriptor, gongkai type, reader, read as a plain ISO date), looked up once per cell
        self._plans = {f["name"]: (f, f.get("x-gongkai-type"), self.readers[f["name"]], f["name"] in self.plain_dates)
                       for f in fields}

    # ----------------------------------------------------------------- header

    def map_header(self, table: Table) -> dict[int, str]:
        """Column index → field name; headers may be field names or Chinese titles, in any order, with
        a harmless unit or note added (gongkai/data/headers.py)."""
        mapping: dict[int, str] = {}
        ambiguous: set[str] = set()
        headers = HeaderMap(self.resource)
        for column in headers.columns(table.header):
            index, text, name = column.index, column.text, column.field
            where = dict(resource=self.resource.name, file=self.file, row=table.header_line, column=column_letter(index), value=text)
            if column.ambiguous:
                ambiguous.add(column.ambiguous)
                spec = self.resource.field_by_name[column.ambiguous]
                title = spec.get("title") or column.ambiguous
                unit = "以元为单位填写金额" if spec.get("x-gongkai-type") == "yuan" else "填写原始的数值"
                self.findings.append(error("ambiguous-column", f"第 {column_letter(index)} 列的表头“{text}”像是字段“{title}”"
                                           f"（{column.ambiguous}），但括号中的单位会改变数值的含义，无法确定怎样读取。请把这一列{unit}，"
                                           f"并把表头改为“{title}”。", field=column.ambiguous, **where))
            elif name is None:
                close = headers.closest(text)
                hint = f"是否应为“{close}”？" if close else ""
                self.findings.append(warning("unknown-column", f"第 {column_letter(index)} 列的表头“{text}”不是 {self.resource.name} 的字段，"
                                             f"这一列的数据不会发布。{hint}可用的表头：{self._labels()}。", **where))
            elif name in mapping.values():
                self.findings.append(error("duplicate-column", f"字段 {name} 的列出现了两次（第 {column_letter(index)} 列）。请删掉多余的一列。", field=name, **where))
            else:
                mapping[index] = name
        present = set(mapping.values())
        for f in self.resource.fields:
            required = f.get("constraints", {}).get("required") or f["name"] in self.resource.primary_key
            if required and f["name"] not in present and f["name"] not in ambiguous:
                self.findings.append(error("missing-column", f"缺少必填的列“{f.get('title', f['name'])}”（{f['name']}）。"
                                           f"请在表头加上这一列。", resource=self.resource.name, file=self.file,
                                           row=table.header_line, field=f["name"]))
        return mapping

    def _labels(self) -> str:
        return "、".join(f.get("title") or f["name"] for f in self.resource.fields)

    # ------------------------------------------------------------------- rows

    def type_rows(self, table: Table) -> list[Record]:
        mapping = self.map_header(table)
        self.columns = {name: column_letter(i) for i, name in mapping.items()}
        width = len(table.header)
        rows = _drop_trailing_blank(table.rows)
        present = set(mapping.values())
        # a required field whose column is missing: reported once, as missing-column, and invalid in every row
        self._absent_invalid = {name for name in self.resource.field_by_name
                                if name not in present and self.read_cell(name, "")[1]}
        records = []
        for line, cells in rows:
            if all(cell_text(c) == "" for c in cells):
                self.findings.append(warning("blank-row", f"第 {line} 行是空行，已跳过。请删掉这一行。", resource=self.resource.name, file=self.file, row=line))
                continue
            if len(cells) > width and any(cell_text(c) for c in cells[width:]):
                self.findings.append(error("extra-cell", f"第 {line} 行比表头多出 {len(cells) - width} 个单元格，可能是值里多了逗号。"
                                           "含逗号的值请加英文双引号，或删掉多余的逗号。", resource=self.resource.name, file=self.file,
                                           row=line, column=column_letter(width)))
            records.append(self.type_row(line, cells, mapping))
        return records

    def type_row(self, line: int, cells: list, mapping: dict[int, str]) -> Record:
        """One row as a Record (`mapping`: column index → field name, from map_header); findings go to
        `self.findings`."""
        values: dict[str, Any] = {name: None for name in self.resource.field_by_name}
        bad: set[str] = set()
        written: dict[str, str] = {}
        read, size = self.read_cell, len(cells)
        for index, name in mapping.items():
            raw = cells[index] if index < size else None
            text = raw.strip() if type(raw) is str else cell_text(raw)  # a CSV cell: skip the call
            value, problem = read(name, text)
            if problem:
                bad.add(name)
                self.findings.append(error(problem[0], problem[1], resource=self.resource.name, file=self.file, row=line,
                                           column=column_letter(index), field=name, value=text))
            elif text and value is not text and value != text and _spelled(value) != text:
                written[name] = text  # a value staff spelled otherwise (2025/3/5, 1,234): findings quote the cell
            values[name] = value
        bad |= self._absent_invalid
        record = Record(values, line)
        record.__dict__["invalid"] = bad
        record.__dict__["written"] = written
        return record

    def read_cell(self, name: str, text: str) -> tuple[Any, tuple[str, str] | None]:
        """(value, None), or (None, (code, message)) when the cell's text is not a value of the field."""
        spec, kind, reader, plain_date = self._plans[name]
        cell = text
        if kind == "date" and text:
            if not DATE_RE.match(text):
                text = staff_date(text) or text
                if not DATE_RE.match(text):
                    return None, _date_problem(spec, cell)
            if plain_date:  # Frictionless' date reader is strptime: 40 µs a cell
                try:
                    return dt.date.fromisoformat(text), None
                except ValueError:
                    return None, _date_problem(spec, cell)
        elif text and (kind in NUMERIC_KINDS or spec.get("type") in NUMERIC_KINDS):
            text, problem = _numeric_text(spec, kind, text)
            if problem:
                return None, problem
        value, notes = reader(text)
        if notes:
            return None, _problem(spec, cell, notes)
        if kind == "yuan" and text and not YUAN_RE.match(text):
            return None, ("constraint-yuan", f"“{spec.get('title')}”的值 {cell} 不是金额：应为不小于 0 的数，最多两位小数（单位：元），例如 4519500 或 1280.50。")
        if isinstance(value, str):
            value = value.strip()
            if not value.isascii() and BIDI_RE.search(value):
                code = ord(BIDI_RE.search(value).group())
                return None, ("bidi-control", f"“{spec.get('title', name)}”的值中有改变文字方向的控制字符（U+{code:04X}），"
                              "它会让显示的文字和实际的文字不一样。请删掉这个值后重新输入。")
        return value, None


def staff_date(text: str) -> str | None:
    """The ISO spelling of 2025/3/5, 2025.3.5, 2025-3-5 or 2025年3月5日 (None for anything else)."""
    match = STAFF_DATE_RE.match(text)
    if not match:
        return None
    year, _, month, day, month_zh, day_zh = match.groups()
    try:
        return dt.date(int(year), int(month or month_zh), int(day or day_zh)).isoformat()
    except ValueError:
        return None


def _spelled(value) -> str:
    """How a typed value is written in the standard's own spelling."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _numeric_text(spec: dict, kind: str | None, text: str) -> tuple[str, tuple[str, str] | None]:
    """A number as staff write it (1,234; 4519500元) made plain; 1.2万 and 40% are refused with what
    to write instead, since the value they stand for is not what the column means."""
    if PLAIN_NUMBER_RE.match(text):  # nearly every cell
        return text, None
    title = spec.get("title", spec["name"])
    if kind == "yuan" and text.endswith("元") and "万" not in text:
        text = text[:-1].strip()
    if GROUPED_RE.match(text):
        text = text.replace(",", "")
    wan = WAN_RE.match(text)
    if wan:
        plain = _plain_number(Decimal(wan.group(1)) * 10000)
        unit = "（单位：元）" if kind == "yuan" else ""
        return text, ("type-error", f"“{title}”的值 {text} 用了“万”。这一列要填写完整的数字{unit}：请写成 {plain}。")
    if not _finite(text):
        return text, ("not-finite", f"“{title}”的值 {text} 不是一个有限的数。请填写具体的数字，例如 {_example(spec)}。")
    percent = PERCENT_RE.match(text)
    if percent:
        number = percent.group(1)
        return text, ("type-error", f"“{title}”的值显示为 {text}，带有百分号（在 Excel 中可能是单元格设成了“百分比”格式，"
                      f"实际存的是 {_plain_number(Decimal(number) / 100)}）。这一列应填写数字 {number}，不带 %："
                      "请把单元格格式改为“常规”或“数值”后重新填写。")
    return text, None


def _plain_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _finite(text: str) -> bool:
    """False for NaN, ±Infinity and numbers beyond what a float holds (1e400); True for anything else,
    numbers or not (the field's reader judges those)."""
    try:
        return math.isfinite(float(Decimal(text)))
    except (InvalidOperation, ValueError):
        return True


def _date_problem(spec: dict, text: str) -> tuple[str, str]:
    title = spec.get("title", spec["name"])
    if DATE_RE.match(text) or STAFF_DATE_RE.match(text):
        return "type-error", f"“{title}”的值 {text} 不是真实存在的日期（这个月没有这一天）。请核对后改正。"
    suggestion = suggest_date(text)
    hint = f"，应写成 {suggestion}" if suggestion else "，应写成 YYYY-MM-DD 格式，例如 2025-01-20"
    return "type-error", f"“{title}”的值 {text} 不是规范的日期{hint}。在 Excel 中可把该列设为“日期”格式或文本 2025-01-20。"


def _problem(spec: dict, text: str, notes: dict) -> tuple[str, str]:
    title = spec.get("title", spec["name"])
    constraints = spec.get("constraints", {})
    if "type" in notes:
        if spec.get("type") == "date":
            return _date_problem(spec, text)
        type_name = TYPE_NAMES.get(spec.get("type"), spec.get("type"))
        return "type-error", f"“{title}”的值 {text} 不是{type_name}。请填写{type_name}，例如 {_example(spec)}。"
    if "required" in notes:
        return "constraint-required", f"“{title}”不能为空。请填写{_what(spec)}。"
    if "enum" in notes:
        allowed = [str(value) for value in constraints.get("enum", [])]  # an enum may be of numbers (星级 1、3、5)
        close = difflib.get_close_matches(text, allowed, n=1, cutoff=0)
        hint = f"，是否应为“{close[0]}”" if close else ""
        return "constraint-enum", f"“{title}”的值 {text} 不在可选值中{hint}？可选值：{'、'.join(allowed)}。"
    if "pattern" in notes:
        if spec.get("x-gongkai-type") in ("id", "id-list"):
            return "constraint-pattern", f"“{title}”的值 {text} 不是合规的编号：编号只能用英文字母、数字、下划线和连字符，以字母或数字开头，最长 64 个字符，例如 XM2025-001。"
        if spec.get("x-gongkai-type") == "period":
            return "constraint-pattern", f"“{title}”的值 {text} 不是合规的评价周期：应写成 2025、2025-H1、2025-Q3 或 2025-07。"
        return "constraint-pattern", f"“{title}”的值 {text} 格式不对（应符合 {constraints.get('pattern')}）。"
    if "maxLength" in notes:
        return "constraint-maxLength", (f"“{title}”有 {len(text)} 个字，超过上限 {constraints.get('maxLength', DEFAULT_MAX_LENGTH)} 个字。"
                                        "请精简；较长的说明可以写在 content/ 的页面中。")
    if "minimum" in notes:
        return "constraint-minimum", f"“{title}”的值 {text} 太小：不能小于 {constraints['minimum']}。"
    if "maximum" in notes:
        return "constraint-maximum", f"“{title}”的值 {text} 太大：不能大于 {constraints['maximum']}。"
    key = next(iter(notes))
    return f"constraint-{key}", f"“{title}”的值 {text} 不符合要求（{notes[key]}）。"


def _what(spec: dict) -> str:
    enum = spec.get("constraints", {}).get("enum")
    if enum:
        return f"以下之一：{'、'.join(enum)}"
    return f"{TYPE_NAMES.get(spec.get('type'), '内容')}，例如 {_example(spec)}"


def _example(spec: dict) -> str:
    return {"integer": "12", "number": "85.5", "date": "2025-01-20"}.get(spec.get("type"), "（见数据标准）")


STRING_CHECKS = ("required", "maxLength", "pattern", "enum")  # in Frictionless' order (StringField.supported_constraints)
#: the length limit of a text field that sets none (a portal's own fields): no cell is unbounded
DEFAULT_MAX_LENGTH = 5000


def _string_reader(field: dict):
    """For a default-format string field whose constraints are among `required`, `pattern` and `enum`,
    Frictionless' reader is the identity plus those checks. This makes the same checks with the same
    notes, without its per-cell overhead (ids, enums and plain text are most cells)."""
    constraints = {k: v for k, v in field.get("constraints", {}).items() if k != "unique"}
    if field.get("type", "string") != "string" or field.get("format", "default") != "default" or set(constraints) - set(STRING_CHECKS):
        return None
    required = bool(constraints.get("required"))
    longest = constraints.get("maxLength")
    pattern = re.compile(f"^{constraints['pattern']}$") if "pattern" in constraints else None
    allowed = constraints.get("enum")

    def note(name: str) -> dict[str, str]:
        return {name: f'constraint "{name}" is "{constraints[name]}"'}

    def read(text: str):
        if text == "":
            return None, (note("required") if required else None)
        notes = None
        if longest is not None and len(text) > longest:
            notes = note("maxLength")
        if pattern is not None and not pattern.match(text):
            notes = {**(notes or {}), **note("pattern")}
        if allowed is not None and text not in allowed:
            notes = {**(notes or {}), **note("enum")}
        return text, notes

    return read


def _bounded(field: dict) -> dict:
    """A string field with a length limit: its own, else DEFAULT_MAX_LENGTH."""
    if field.get("type", "string") != "string" or "maxLength" in field.get("constraints", {}):
        return field
    return {**field, "constraints": {**field.get("constraints", {}), "maxLength": DEFAULT_MAX_LENGTH}}


def _plain(field: dict) -> dict:
    """A field descriptor without our `x-` keys and without `unique` (checked case-insensitively in code)."""
    descriptor = {k: v for k, v in field.items() if not k.startswith("x-")}
    constraints = {k: v for k, v in descriptor.get("constraints", {}).items() if k != "unique"}
    if constraints:
        descriptor["constraints"] = constraints
    else:
        descriptor.pop("constraints", None)
    return descriptor


def _drop_trailing_blank(rows: list) -> list:
    end = len(rows)
    while end and all(cell_text(c) == "" for c in rows[end - 1][1]):
        end -= 1
    return rows[:end]
