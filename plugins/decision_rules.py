"""Rules on decisions (决策公开) the schema cannot express: the three votes all or none, both notice
dates or none, 会议日期 ≤ 公示开始 ≤ 公示结束, a 更正说明 for every correction or withdrawal,
and 会议纪要 files that exist inside content/."""
from __future__ import annotations

from gongkai.api import ENUMS, content_file, field_title, given, hookimpl, joined

VOTES = ("votes_for", "votes_against", "votes_abstain")
NOTICE = ("notice_start", "notice_end")
MARKDOWN = (".md", ".markdown")


@hookimpl
def register_checks(register):
    register(check_votes, reads=("decisions",))
    register(check_notice, reads=("decisions",))
    register(check_notice_order, reads=("decisions",))
    register(check_correction, reads=("decisions",))
    register(check_minutes)


def _empty(record, fields) -> list[str]:
    """The fields left blank; None when one of them failed typing (then it is not blank)."""
    if any(f in record.invalid for f in fields):
        return None
    return [f for f in fields if record.get(f) is None]


def check_votes(records, context):
    for decision in records.get("decisions", []):
        empty = _empty(decision, VOTES)
        if empty and len(empty) < len(VOTES):
            names = joined(field_title(context, "decisions", f) for f in VOTES)
            yield context.error(
                "votes-all-or-none",
                f"决策 {decision.get('id')} 填写了部分票数，但“{joined(field_title(context, 'decisions', f) for f in empty)}”为空。"
                f"{names}三项要么都填（没有人投就填 0），要么都不填（未表决）。请补齐或全部清空。",
                "decisions", decision, empty[0],
            )


def check_notice(records, context):
    for decision in records.get("decisions", []):
        empty = _empty(decision, NOTICE)
        if empty and len(empty) == 1:
            missing, present = empty[0], next(f for f in NOTICE if f not in empty)
            yield context.error(
                "notice-both-or-none",
                f"决策 {decision.get('id')} 填写了“{field_title(context, 'decisions', present)}”"
                f"{decision[present].isoformat()}，但“{field_title(context, 'decisions', missing)}”为空。"
                f"公示开始和公示结束要么都填，要么都不填：请补上{field_title(context, 'decisions', missing)}，或清空公示日期。",
                "decisions", decision, missing,
            )


def check_notice_order(records, context):
    """会议日期 ≤ 公示开始 ≤ 公示结束."""
    pairs = (("date", "notice_start"), ("notice_start", "notice_end"))
    for decision in records.get("decisions", []):
        for earlier, later in pairs:
            if given(decision, earlier, later) and decision[later] < decision[earlier]:
                a, b = field_title(context, "decisions", earlier), field_title(context, "decisions", later)
                yield context.error(
                    "date-order",
                    f"决策 {decision.get('id')} 的“{b}”{decision[later].isoformat()} 早于“{a}”"
                    f"{decision[earlier].isoformat()}。应为 会议日期 ≤ 公示开始 ≤ 公示结束：请改正其中一个日期。",
                    "decisions", decision, later,
                )


def check_correction(records, context):
    statuses = ENUMS["decision_correction_statuses"]
    for decision in records.get("decisions", []):
        if given(decision, "status") and decision["status"] in statuses and not given(decision, "correction") \
                and "correction" not in decision.invalid:
            yield context.error(
                "correction-required",
                f"决策 {decision.get('id')} 的状态是“{decision['status']}”，但“更正说明”为空。{joined(statuses)}的决策"
                f"必须公开说明原因：请在“更正说明”中写明更正或撤销的内容、原因和日期。",
                "decisions", decision, "correction",
            )


def check_minutes(records, context):
    for decision in records.get("decisions", []):
        if not given(decision, "minutes"):
            continue
        text = decision["minutes"]
        path, problem = content_file(context.docs_dir, text)
        if path is not None and path.suffix.lower() not in MARKDOWN:
            problem = f"会议纪要应是 Markdown 文件（以 .md 结尾），而 {text} 不是。请把纪要存成 .md 文件后填写它的路径。"
        if problem:
            yield context.error("minutes-missing", f"“会议纪要”填写了 {text}：{problem}", "decisions", decision, "minutes")
