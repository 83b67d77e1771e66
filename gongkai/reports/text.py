"""The validation report as text for a terminal or a CI log: grouped by file, one line a finding."""
from __future__ import annotations

from itertools import groupby

from gongkai.findings import Report, _capped


def format_report(report: Report, *, with_warnings: bool = True) -> str:
    lines: list[str] = []
    for title, findings in (("错误", report.errors), ("提示", report.warnings if with_warnings else [])):
        shown = _capped(findings)
        if not shown:
            continue
        lines.append(f"{title}（{len(findings)} 处）：")
        for file, group in groupby(shown, key=lambda f: f.file or "site_config.yml"):
            lines.append(f"  {file}")
            for f in group:
                place = "，".join(p for p in (f"第 {f.row} 行" if f.row else "", f"{f.column} 列" if f.column else "",
                                               f"字段 {f.field}" if f.field else "") if p)
                lines.append(f"    [{f.code}] {place + '：' if place else ''}{f.message}")
    if report.valid:
        lines.append(f"数据检查通过（{len(report.warnings)} 条提示）。")
    else:
        lines.append(f"数据检查未通过：{len(report.errors)} 处错误。请按上面的提示修改后重新运行。")
    return "\n".join(lines)
