"""The Chinese name of every finding code, for CI annotations and reports that show a rule by name
(the code stays in the message, for searching and for tests)."""
from __future__ import annotations

RULE_NAMES = {
    # configuration
    "bad-config": "配置文件格式", "bad-date": "日期设置", "bad-setting": "设置项类型", "duplicate-key": "设置项重复",
    "mkdocs-config": "网站配置", "no-config": "缺少配置文件", "no-plugin": "缺少 gongkai 插件",
    "plugin-conflict": "插件重名", "plugin-missing": "找不到插件", "plugin-outside": "插件不在门户内",
    "safety-plugin": "安全插件", "target-not-empty": "目标文件夹不为空", "unknown-setting": "未知设置项",
    "unknown-plugin": "未知插件名", "unsafe-site-dir": "网站文件夹不安全", "no-home": "缺少首页",
    # files
    "ambiguous-sheet": "工作表不明确", "bad-csv": "CSV 格式", "bad-datapackage": "数据包说明", "bad-encoding": "文件编码",
    "bad-xlsx": "Excel 文件", "duplicate-file": "数据表重复", "empty-file": "空文件", "file-too-large": "文件过大",
    "line-too-long": "行过长", "missing-resource": "缺少数据表", "mixed-encoding": "编码混用", "no-datasets": "缺少数据文件夹",
    "unknown-file": "未知文件", "unreadable-file": "无法读取的文件", "unsafe-link": "外部链接文件", "broken-link": "失效链接",
    "xlsx-too-large": "Excel 文件过大", "bad-content": "页面文件",
    # cells and columns
    "blank-row": "空行", "control-character": "控制字符", "duplicate-column": "列重复", "excel-number": "科学计数法数字",
    "extra-cell": "多余的单元格", "formula-error": "公式错误值", "formula-without-value": "公式没有结果",
    "hidden-column": "隐藏的列", "hidden-row": "隐藏的行", "merged-cells": "合并单元格", "missing-column": "缺少必填列",
    "unknown-column": "未知的列", "ambiguous-column": "含义不明的表头", "title-row": "标题行",
    "type-error": "类型不符", "constraint-required": "必填项为空", "constraint-enum": "不在可选值中",
    "constraint-pattern": "格式不符", "constraint-minimum": "数值太小", "constraint-maximum": "数值太大",
    "constraint-yuan": "金额格式", "constraint-maxLength": "内容过长", "constraint-minLength": "内容过短",
    "not-finite": "不是有限的数", "invisible-character": "不可见字符", "bidi-control": "文字方向控制字符",
    # keys
    "primary-key": "编号重复", "unique-error": "取值重复", "foreign-key": "引用的编号不存在",
    # domain rules
    "correction-required": "缺少更正说明", "change-without-correction": "公开后修改未写更正说明",
    "history-incomplete": "历史记录不完整", "date-order": "日期先后", "item-score-over-max": "细项得分超过满分",
    "max-score-positive": "满分必须大于 0", "minutes-missing": "会议纪要文件", "need-claimed-by-required": "缺少认领单位",
    "need-community-kind": "需求所属单位类型", "notice-both-or-none": "公示日期不全", "pairing-kind": "结对单位类型",
    "partner-unit-ids": "参与单位编号", "photos-missing": "照片文件", "resolved-on-required": "缺少解决日期",
    "satisfied-over-respondents": "满意人数超过参评人数", "unit-cycle": "上级关系循环", "unit-hierarchy": "属地层级",
    "votes-all-or-none": "票数不全", "personal-data": "个人信息", "personal-data-masked": "个人信息已打码",
    "share-image-missing": "分享图片", "content-sanitised": "页面中的 HTML 已清理", "active-file": "可执行的文件类型", "completed-on-required": "缺少完成日期", "milestone-after-today": "进展日期晚于基准日期",
    "milestone-progress-decreasing": "进度倒退", "progress-status": "进度与状态不符", "spent-over-budget": "支出超过预算",
    "future-date": "日期晚于今天", "registration-unit-kind": "报到单位类型", "registration-community-kind": "报到社区类型",
    "service-community-kind": "服务社区类型", "service-unit-not-reported": "服务单位未报到", "service-points-over": "积分超过项目上限",
    "satisfied-without-rated": "缺少评价人数", "satisfied-over-rated": "满意人数超过评价人数",
    "exchange-community-kind": "兑换社区类型", "exchange-over-earned": "兑换积分超过获得积分",
    "whistle-caller-kind": "吹哨单位类型", "whistle-department-kind": "报到部门类型",
    "arrival-before-whistle": "到场早于吹哨", "done-without-arrival": "未到场就办结",
    # the built site
    "output-bad-json": "JSON 文件损坏", "output-event-handler": "事件属性", "output-frame": "嵌入外部内容",
    "output-personal-data": "网站中的个人信息", "output-refresh": "自动跳转", "output-script": "脚本",
    "output-script-url": "脚本地址", "external-resource": "外部资源", "output-external-reference": "SVG 外部引用",
    "output-bad-xml": "XML 文件损坏",
    # the report itself
    "more-findings": "同类问题未列完",
}
FALLBACK = "数据检查"


def rule_name(code: str) -> str:
    """The Chinese name of a finding code (a plugin's own codes fall back to a general name)."""
    return RULE_NAMES.get(code, FALLBACK)
