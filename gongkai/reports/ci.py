"""The validation report for CI systems: GitHub annotations plus a job-summary table, and a GitLab
Code Quality report. Both point at the file and line staff must change."""
from __future__ import annotations

import hashlib
import json
import os

from gongkai.findings import Finding, Report, _capped


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
        props.append(f"title={_escape_property(f.code)}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f.message)}")
    return "\n".join(lines)


def markdown_table(report: Report) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY."""
    head = "### 数据检查：" + ("通过 ✅" if report.valid else f"{len(report.errors)} 处错误 ❌")
    rows = [head, "", "| 级别 | 文件 | 行 | 列 | 字段 | 问题 |", "|---|---|---|---|---|---|"]
    for f in _capped(report.errors) + _capped(report.warnings):
        cells = ["错误" if f.severity == "error" else "提示", f.file or "", str(f.row or ""), f.column or "", f.field or "", f.message]
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(rows) + "\n"


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
        "check_name": f.code,
        "fingerprint": fingerprint,
        "severity": "major" if f.severity == "error" else "minor",
        "location": {"path": f.file or "site_config.yml", "lines": {"begin": f.row or 1}},
    }
