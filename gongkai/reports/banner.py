"""The preview banner: while `gongkai serve` runs on briefly invalid data, every page shows the
findings instead of the server crashing."""
from __future__ import annotations

from html import escape

from gongkai.findings import Report, _capped


def findings_banner(report: Report) -> str:
    items = "".join(
        f"<li><code>{escape(f.file or '')}</code>"
        f"{escape(f' 第 {f.row} 行' if f.row else '')}{escape(f' {f.column} 列' if f.column else '')}："
        f"{escape(f.message)}</li>"
        for f in _capped(report.errors)
    )
    return (
        '<div class="gk-banner" role="alert"><p><strong>数据检查未通过，以下是预览，'
        f"正式构建不会发布。</strong>共 {len(report.errors)} 处错误：</p><ul>{items}</ul></div>"
    )
