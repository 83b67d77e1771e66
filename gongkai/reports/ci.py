"""The validation report for CI systems: GitHub annotations plus a job-summary table, and a GitLab
Code Quality report. Both point at the file and line staff must change."""
from __future__ import annotations

import hashlib
import json
import os

from gongkai.findings import Finding, Report, _capped
from gongkai.reports.rules import rule_name


def _escape_property(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_annotations(report: Report) -> str:
    """`::error file=…,line=…,title=…::message` lines, one per finding (GitHub workflow commands)."""
    lines = []
    for f in _capped(report.errors) + _capped(report.warnings):
        level = "error" if f.severity == "error" else "warning"
        props = [f"file={_escape_property(f.file)}"] if f.file else []
        if f.row:
            props.append(f"line={f.row}")
        props.append(f"title={_escape_property(rule_name(f.code))}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f'[{f.code}] {f.message}')}")
    return "\n".join(lines)


def markdown_table(report: Report) -> str:
    """A Markdown summary for $GITHUB_STEP_SUMMARY: the verdict with what was checked, then a table
    of the findings (none on clean data)."""
    head = "### 数据检查通过 ✅" if report.valid else f"### 数据检查未通过 ❌：{len(report.errors)} 处错误"
    rows = [head, "", checked_line(report)]
    findings = _capped(report.errors) + _capped(report.warnings)
    if findings:
        rows += ["", "| 级别 | 规则 | 文件 | 行 | 列 | 字段 | 问题 |", "|---|---|---|---|---|---|---|"]
    for f in findings:
        cells = ["错误" if f.severity == "error" else "提示", rule_name(f.code), f.file or "", str(f.row or ""),
                 f.column or "", f.field or "", f"{f.message}（{f.code}）"]
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def checked_line(report: Report) -> str:
    tables = report.checked
    counts = f"检查了 {len(tables)} 个数据表、共 {sum(tables.values()):,} 行；" if tables else ""
    return f"{counts}错误 {len(report.errors)} 处，提示 {len(report.warnings)} 条。"


def github(report: Report) -> str:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown_table(report))
    return github_annotations(report)


def gitlab(report: Report) -> str:
    """GitLab Code Quality JSON: shown on the merge request, next to the changed lines."""
    issues = [_gitlab_issue(f) for f in _capped(report.errors) + _capped(report.warnings)]
    return json.dumps(issues, ensure_ascii=False, indent=2)


def _gitlab_issue(f: Finding) -> dict:
    fingerprint = hashlib.sha256(f"{f.code}|{f.file}|{f.row}|{f.field}|{f.value}".encode()).hexdigest()
    return {
        "description": f.message,
        "check_name": f"{rule_name(f.code)}（{f.code}）",
        "fingerprint": fingerprint,
        "severity": "major" if f.severity == "error" else "minor",
        "location": {"path": f.file or "site_config.yml", "lines": {"begin": f.row or 1}},
    }
