"""Corrections enforced from the revision history: what was posted stays posted unless the change says
why. A decision's votes, resolution, 决策机构 or 公示 dates changed on or after the day its 公示 began,
or an evaluation's score or respondents changed after the day its period was first published, needs a
new or changed 更正说明 (`correction`) in the same commit. A later commit that writes the 更正说明
settles it (a commit that was pushed cannot be taken back).

Only where history shows the earlier version: outside git, or before a shallow clone's first commit,
nothing is checked; a shallow clone is reported once.
"""
from __future__ import annotations

from gongkai.api import CHANGED, WORKING_TREE, field_title, hookimpl, index_by_id, value_text, warning

PROTECTED = {
    "decisions": ("votes_for", "votes_against", "votes_abstain", "resolution", "body", "notice_start", "notice_end"),
    "evaluations": ("score", "respondents"),
}
LABELS = {"decisions": "决策", "evaluations": "评价"}


@hookimpl
def register_checks(register):
    register(check_history_complete)
    register(check_corrections)


def check_history_complete(records, context):
    history = context.history()
    if history.available and history.note:
        yield warning("history-incomplete", history.note)


def check_corrections(records, context):
    history = context.history()
    if not history.available:
        return
    published = _periods_published(history)
    current = {name: index_by_id(records.get(name, [])) for name in PROTECTED}
    for change in history.changes:
        if change.kind != CHANGED or change.resource not in PROTECTED:
            continue
        touched = [f for f in change.fields if f.field in PROTECTED[change.resource]]
        if not touched or _corrected(change) or not _after_publication(change, published):
            continue
        if _settled_later(history, change):
            continue
        record = current[change.resource].get(change.key.lower())
        first = touched[0]
        title = field_title(context, change.resource, first.field)
        # values masked and shortened as on the pages: a CI log or annotation may be public
        what = "；".join(f"“{field_title(context, change.resource, f.field)}”由 {value_text(f.old, set())} 改为 "
                        f"{value_text(f.new, set())}" for f in touched)
        when = "尚未提交的修改中" if change.commit == WORKING_TREE else f"{change.day.isoformat()} 的提交（{change.commit[:8]}）中"
        since = _since(change, published)
        yield context.error(
            "change-without-correction",
            f"{LABELS[change.resource]} {change.key} 在{since}之后被修改：{when}{what}，但同一次提交没有填写或修改“更正说明”。"
            f"公开后的改动必须说明原因：请在这一行的“{field_title(context, change.resource, 'correction')}”中写明改了什么、"
            f"为什么（例如“{title}录入有误，由 {value_text(first.old, set())} 更正为 {value_text(first.new, set())}”），和这次修改一起提交。",
            change.resource, record, "correction" if record is not None else None,
        )


def _corrected(change) -> bool:
    return any(f.field == "correction" and f.new for f in change.fields)


def _settled_later(history, change) -> bool:
    later = history.of(change.resource, change.key)
    after = later[next(i for i, c in enumerate(later) if c is change) + 1:]
    return any(c.kind == CHANGED and _corrected(c) for c in after)


def _periods_published(history) -> dict[str, object]:
    """Each evaluation period's first day in the history."""
    first: dict[str, object] = {}
    for change in history.changes:
        if change.resource == "evaluations" and change.kind != CHANGED:
            period = change.values.get("period")
            if period and period not in first:
                first[period] = change.day
    return first


def _after_publication(change, published) -> bool:
    if change.resource == "decisions":
        start = change.before.get("notice_start")
        return bool(start) and change.day.isoformat() >= start  # 公示 has begun on its first day
    period = change.before.get("period")
    day = published.get(period)
    return day is not None and change.day > day  # the day a period is first committed is data entry


def _since(change, published) -> str:
    if change.resource == "decisions":
        return f"公示开始（{change.before.get('notice_start')}）"
    return f"评价周期 {change.before.get('period')} 公开（{published.get(change.before.get('period')).isoformat()}）"
