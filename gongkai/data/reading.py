"""Find the data files of a portal and read them into tables through the `read_table` hook."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.data.headers import HeaderMap, locate_header
from gongkai.data.resources import Resource, Table, TableError
from gongkai.findings import Finding, column_letter, error, warning
from gongkai.settings import ConfigError, Settings, load_yaml

DATA_SUFFIXES = (".csv", ".xlsx")
DATAPACKAGE_NAMES = ("datapackage.yaml", "datapackage.yml", "datapackage.json")
IGNORED_NAMES = {*DATAPACKAGE_NAMES, "README.md", "readme.md", ".gitkeep", ".DS_Store", "Thumbs.db", "desktop.ini"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OLD_FORMATS = {".xls": "旧版 Excel 格式（.xls）", ".et": "WPS 表格格式（.et）", ".ods": "OpenDocument 表格格式（.ods）",
               ".numbers": "Numbers 格式", ".txt": "文本文件", ".tsv": "制表符分隔文件"}


@dataclass
class LoadedData:
    """The tables found in `datasets/`, by resource name, and what was noticed on the way."""

    resources: dict[str, Resource]
    tables: dict[str, Table] = field(default_factory=dict)  # a TypedTable when a TableMemo kept it
    files: dict[str, str] = field(default_factory=dict)  # resource -> path as shown to staff
    findings: list[Finding] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # resource -> its TableMemo key, when a memo is used
    read_findings: dict[str, list[Finding]] = field(default_factory=dict)  # resource -> what reading it found


def rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def inside(path: Path, root: Path) -> bool:
    """True when `path`, links resolved, stays inside `root`."""
    real, top = path.resolve(), root.resolve()
    return real == top or top in real.parents


def extend_with_datapackage(resources: dict[str, Resource], datasets: Path, root: Path) -> tuple[dict[str, Resource], list[Finding]]:
    """Apply an optional `datasets/datapackage.yaml`: new resources, or extra fields for standard ones.

    A broken entry is reported and skipped, so the rest of the portal is still checked.
    """
    path = next((datasets / n for n in DATAPACKAGE_NAMES if (datasets / n).is_file()), None)
    if path is None:
        return resources, []
    shown = rel(path, root)
    try:
        package = load_yaml(path)
    except ConfigError as exc:
        return resources, [error("bad-datapackage", exc.finding.message.replace(path.name, shown, 1), file=shown)]
    entries = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(entries, list):
        return resources, [error("bad-datapackage", f"{shown} 应有 resources 列表，例如：resources: [{{name: volunteers, schema: {{fields: [...]}}}}]。", file=shown)]
    resources, findings = dict(resources), []
    for entry in entries:
        try:
            resource = _package_resource(entry, resources)
        except ValueError as exc:
            name = entry.get("name") if isinstance(entry, dict) else None
            findings.append(error("bad-datapackage", f"{shown} 中的资源 {name or '（无名称）'}：{exc}", resource=name if isinstance(name, str) else None, file=shown))
            continue
        resources[resource.name] = resource
    return resources, findings


def _package_resource(entry, resources: dict[str, Resource]) -> Resource:
    """One `resources:` entry: a new resource, or a standard one with extra fields (and keys)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("schema"), dict):
        raise ValueError("每个资源都要有 name（名称）和 schema（表结构，含 fields 列表）。")
    name, schema = entry["name"], entry["schema"]
    if not NAME_RE.match(name):
        raise ValueError(f"名称 {name!r} 不合规：只能用小写英文字母、数字和下划线，以字母开头（它会成为文件名）。")
    fields = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    bad = [f.get("name") if isinstance(f, dict) else f for f in fields
           if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not NAME_RE.match(f["name"])]
    if bad:
        raise ValueError(f"字段名 {'、'.join(repr(b) for b in bad)} 不合规：字段名只能用小写英文字母、数字和下划线，"
                         "以字母开头（例如 served_hours）；中文名称请写在 title 中。")
    base = resources.get(name)
    if base is not None:
        redefined = [f.get("name") for f in schema.get("fields", []) if f.get("name") in base.field_by_name]
        if redefined:
            raise ValueError(f"字段 {'、'.join(map(str, redefined))} 已是标准字段，不能重新定义。请给新增字段另起名称。")
        merged = dict(base.schema)
        merged["fields"] = base.fields + list(schema.get("fields", []))
        merged["foreignKeys"] = base.foreign_keys + list(schema.get("foreignKeys", []))
        schema, required, title = merged, base.required, base.title
    else:
        required, title = bool(entry.get("required")), str(entry.get("title") or "")
    _check_schema(schema, resources, name)
    return Resource(name, schema, required, title)


def _check_schema(schema: dict, resources: dict[str, Resource], name: str) -> None:
    import frictionless

    report = frictionless.Schema.validate_descriptor(schema)
    if not report.valid:
        raise ValueError(f"表结构不合规（{report.errors[0].message}）。请对照 Frictionless Table Schema 修改。")
    names = {f["name"] for f in schema.get("fields", [])}
    key = schema.get("primaryKey") or []
    missing = [k for k in ([key] if isinstance(key, str) else key) if k not in names]
    for fk in schema.get("foreignKeys") or []:
        target = fk.get("reference", {}).get("resource") or name
        if target != name and target not in resources:
            raise ValueError(f"外键引用了不存在的数据表 {target}。")
        fields = fk.get("fields")
        missing += [f for f in ([fields] if isinstance(fields, str) else fields or []) if f not in names]
    if missing:
        raise ValueError(f"主键或外键用到了不存在的字段 {'、'.join(map(str, missing))}。")


def find_files(datasets: Path, resources: dict[str, Resource], root: Path, settings: Settings) -> tuple[dict[str, Path], list[Finding]]:
    """Match files to resources by name; report missing required, ambiguous, unknown and unsafe files."""
    shown_dir = rel(datasets, root)
    if not datasets.is_dir():
        return {}, [error("no-datasets", f"找不到数据文件夹 {shown_dir}。请新建它并放入数据文件。", file=shown_dir)]
    if not inside(datasets, root):
        return {}, [error("unsafe-link", f"数据文件夹 {shown_dir} 在门户文件夹以外（或是指向外部的链接），已拒绝读取。"
                          "请把数据文件放进门户自己的 datasets/ 文件夹。", file=shown_dir)]
    findings: list[Finding] = []
    found: dict[str, Path] = {}
    by_lower = {name.lower(): name for name in resources}
    for path in sorted(datasets.iterdir()):
        if path.name in IGNORED_NAMES or path.name.startswith((".", "~$")):
            continue
        name = by_lower.get(path.stem.lower()) if path.suffix.lower() in DATA_SUFFIXES else None
        problem = _file_problem(path, name, found, resources, root, settings)
        if problem is not None:
            findings.append(problem)
        else:
            found[name] = path
    for name, resource in resources.items():
        if resource.required and name not in found and not any(f.resource == name for f in findings):
            findings.append(error("missing-resource", f"缺少必备的数据表 {resource.label()}。请在 {shown_dir}/ 中放入 {name}.csv 或 {name}.xlsx"
                                  "（可用 `gongkai template` 生成 Excel 模板）。", resource=name, file=f"{shown_dir}/{name}.csv"))
    return found, findings


def _file_problem(path: Path, name: str | None, found: dict[str, Path], resources: dict[str, Resource],
                  root: Path, settings: Settings) -> Finding | None:
    shown = rel(path, root)
    if path.is_symlink() and not inside(path, root):
        return error("unsafe-link", f"{shown} 是指向门户文件夹以外的链接，已拒绝读取。请把文件本身放进 datasets/。", resource=name, file=shown)
    if not path.exists():
        return error("broken-link", f"{shown} 是一个失效的链接（指向的文件不存在）。请删掉它，或放入文件本身。", resource=name, file=shown)
    if name is None or not path.is_file():
        return warning("unknown-file", f"datasets/ 中的 {path.name} {_why_unknown(path)}，已忽略。"
                       f"数据表的文件名应为：{'、'.join(sorted(resources))}（.csv 或 .xlsx）。", file=shown)
    if name in found:
        return error("duplicate-file", f"{name} 同时有 {found[name].name} 和 {path.name}，无法确定以哪个为准。请只保留一个。", resource=name, file=shown)
    size_mb = path.stat().st_size / 1_000_000
    if size_mb > settings.max_file_mb:
        return error("file-too-large", f"{shown} 有 {size_mb:.1f} MB，超过上限 {settings.max_file_mb:g} MB（设置项 max_file_mb）。"
                     "请拆分文件或提高上限。", resource=name, file=shown)
    return None


def _why_unknown(path: Path) -> str:
    if path.is_dir():
        return "是文件夹，不是数据表"
    old = OLD_FORMATS.get(path.suffix.lower())
    if old:
        return f"是{old}，无法读取：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV UTF-8"
    return "不是已知的数据表"


def header_fields(resource: Resource, header: list) -> dict[str, str]:
    """Column letter -> field name, for findings about a cell that the reader noticed before typing."""
    return {column_letter(c.index): c.field for c in HeaderMap(resource).columns(header) if c.field}


def load_tables(root: Path, resources: dict[str, Resource], settings: Settings, hook, memo=None) -> LoadedData:
    """Read every data file of the portal through the `read_table` hook; with a TableMemo
    (gongkai/data/table_memo.py), a file read and typed before with the same inputs is not read again."""
    datasets = root / settings.datasets_dir
    resources, package_findings = extend_with_datapackage(resources, datasets, root)
    data = LoadedData(resources)
    found, data.findings = find_files(datasets, resources, root, settings)
    data.findings[:0] = package_findings
    for name, path in found.items():
        shown = rel(path, root)
        data.files[name] = shown
        if memo is not None:
            data.keys[name] = memo.key(path, resources[name])
            kept = memo.get(name, data.keys[name])
            if kept is not None:
                data.findings.extend(kept.read_findings)
                data.tables[name] = kept
                continue
        before = len(data.findings)
        _read_one(data, name, path, shown, resources, settings, hook)
        data.read_findings[name] = data.findings[before:]
    return data


def _read_one(data: LoadedData, name: str, path: Path, shown: str, resources, settings, hook) -> None:
    """Read one data file into `data`: its table, or the findings that say why it cannot be read."""
    try:
        table = hook.read_table(path=path, resource=resources[name], settings=settings)
    except TableError as exc:
        data.findings.append(error(exc.code, f"{shown}：{exc.message}", resource=name, file=shown, row=exc.row, column=exc.column, value=exc.value))
        return
    if table is None:
        data.findings.append(error("unreadable-file", f"没有插件能读取 {shown}。请另存为 CSV 或 XLSX。", resource=name, file=shown))
        return
    table, title_rows = locate_header(table, HeaderMap(resources[name]))
    if title_rows:
        data.findings.append(_title_rows(table, title_rows, name, shown))
    fields = header_fields(resources[name], table.header)
    for code, message, row, column in table.notes:
        data.findings.append(error(code, f"{shown}：{message}", resource=name, file=shown, row=row, column=column, field=fields.get(column)))
    data.tables[name] = table


def _title_rows(table: Table, lines: list[int], resource: str, shown: str) -> Finding:
    where = "、".join(str(n) for n in lines)
    return warning("title-row", f"{shown}：第 {where} 行在表头之上，是标题行，已跳过；表头在第 {table.header_line} 行。"
                   "如不需要，可以删掉标题行，让表头在第 1 行。", resource=resource, file=shown, row=lines[0])
