"""Find the data files of a portal and read them into tables through the `read_table` hook."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, error, warning
from .resources import Resource, Table, TableError
from .settings import ConfigError, Settings, load_yaml

DATA_SUFFIXES = (".csv", ".xlsx")
IGNORED_NAMES = {"datapackage.yaml", "datapackage.yml", "datapackage.json", "README.md", ".gitkeep", ".DS_Store"}


@dataclass
class LoadedData:
    """The tables found in `datasets/`, by resource name, and what was noticed on the way."""

    resources: dict[str, Resource]
    tables: dict[str, Table] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # resource -> path as shown to staff
    findings: list[Finding] = field(default_factory=list)


def rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def inside(path: Path, root: Path) -> bool:
    """True when `path`, links resolved, stays inside `root`."""
    real, top = path.resolve(), root.resolve()
    return real == top or top in real.parents


def extend_with_datapackage(resources: dict[str, Resource], datasets: Path, root: Path) -> dict[str, Resource]:
    """Apply an optional `datasets/datapackage.yaml`: new resources, or extra fields for standard ones."""
    for name in ("datapackage.yaml", "datapackage.yml"):
        path = datasets / name
        if path.exists():
            break
    else:
        return resources
    try:
        package = load_yaml(path)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("site_config.yml", rel(path, root)), code=exc.finding.code, file=rel(path, root)) from None
    resources = dict(resources)
    for entry in (package or {}).get("resources", []) or []:
        name = entry.get("name")
        schema = entry.get("schema") or {}
        if not name or not isinstance(schema, dict):
            raise ConfigError(f"{rel(path, root)}：每个资源都要有 name 和 schema（映射）。", file=rel(path, root))
        if name in resources:
            base = resources[name]
            merged = dict(base.schema)
            known = {f["name"] for f in base.fields}
            merged["fields"] = base.fields + [f for f in schema.get("fields", []) if f.get("name") not in known]
            resources[name] = Resource(name, merged, base.required, base.title)
        else:
            resources[name] = Resource(name, schema, bool(entry.get("required")), entry.get("title", ""))
    return resources


def find_files(datasets: Path, resources: dict[str, Resource], root: Path, settings: Settings) -> tuple[dict[str, Path], list[Finding]]:
    """Match files to resources by name; report missing required, ambiguous, unknown and unsafe files."""
    findings: list[Finding] = []
    found: dict[str, Path] = {}
    if not datasets.is_dir():
        return found, [error("no-datasets", f"找不到数据文件夹 {rel(datasets, root)}。请新建它并放入数据文件。", file=rel(datasets, root))]
    for path in sorted(datasets.iterdir()):
        shown = rel(path, root)
        if path.name in IGNORED_NAMES or path.name.startswith((".", "~$")):
            continue
        if path.is_symlink() and not inside(path, root):
            findings.append(error("unsafe-link", f"{shown} 是指向门户文件夹以外的链接，已拒绝读取。请把文件本身放进 datasets/。", file=shown))
            continue
        if path.suffix.lower() not in DATA_SUFFIXES or path.stem not in resources:
            findings.append(warning("unknown-file", f"datasets/ 中的 {path.name} 不是已知的数据表，已忽略。"
                                    f"数据表的文件名应为：{'、'.join(sorted(resources))}（.csv 或 .xlsx）。", file=shown))
            continue
        if path.stem in found:
            findings.append(error("duplicate-file", f"{path.stem} 同时有 {found[path.stem].name} 和 {path.name}。请只保留一个。", resource=path.stem, file=shown))
            continue
        size_mb = path.stat().st_size / 1_000_000
        if size_mb > settings.max_file_mb:
            findings.append(error("file-too-large", f"{shown} 有 {size_mb:.1f} MB，超过上限 {settings.max_file_mb:g} MB（设置项 max_file_mb）。"
                                  "请拆分文件或提高上限。", resource=path.stem, file=shown))
            continue
        found[path.stem] = path
    for name, resource in resources.items():
        if resource.required and name not in found:
            findings.append(error("missing-resource", f"缺少必备的数据表 {resource.label()}。请在 datasets/ 中放入 {name}.csv 或 {name}.xlsx"
                                  "（可用 `gongkai template` 生成模板）。", resource=name, file=f"{rel(datasets, root)}/{name}.csv"))
    return found, findings


def load_tables(root: Path, resources: dict[str, Resource], settings: Settings, hook) -> LoadedData:
    """Read every data file of the portal through the `read_table` hook."""
    datasets = root / settings.datasets_dir
    resources = extend_with_datapackage(resources, datasets, root)
    data = LoadedData(resources)
    found, data.findings = find_files(datasets, resources, root, settings)
    for name, path in found.items():
        shown = rel(path, root)
        data.files[name] = shown
        try:
            table = hook.read_table(path=path, resource=resources[name], settings=settings)
        except TableError as exc:
            data.findings.append(error(exc.code, f"{shown}：{exc.message}", resource=name, file=shown, row=exc.row, column=exc.column, value=exc.value))
            continue
        if table is None:
            data.findings.append(error("unreadable-file", f"没有插件能读取 {shown}。请另存为 CSV 或 XLSX。", resource=name, file=shown))
            continue
        for code, message, row, column in table.notes:
            data.findings.append(error(code, f"{shown}：{message}", resource=name, file=shown, row=row, column=column))
        data.tables[name] = table
    return data
