"""修订记录 `/changes/`: what was added, changed and removed, by day and resource, from the git history
of `datasets/` (and the hand-written pages of `content/`); and a tombstone at the address of every
decision, project or unit that was published and later removed: when, what it was, and the correction
note if one was given. Removed records stay out of every list and figure (they are not in the data
any more).

Without git history (a portal folder outside a repository) the plugin adds nothing.
"""
from __future__ import annotations

from gongkai.api import (
    ADDED,
    CHANGED,
    REMOVED,
    WORKING_TREE,
    change_sets,
    describe,
    field_titles,
    hookimpl,
    md_page,
    page_of,
    record_title,
    value_text,
)

DAYS_SHOWN = 60  # days of changes on /changes/; all of them are in /data/changes.json
ITEMS_SHOWN = 30  # records listed per day, resource and kind; the rest are counted
TOMBSTONE_LABELS = {"decisions": "决策", "projects": "项目", "units": "单位"}  # the resources with their own pages


@hookimpl
def register_pages(register, portal):
    history = portal.history
    if not history.available:
        return
    data, pages = dict(change_sets(portal)), _page_groups(portal)
    days = sorted(set(data) | set(pages), reverse=True)
    shown = [{"day": day, "groups": (_day(portal, day, data[day])["groups"] if day in data else []) + pages.get(day, [])}
             for day in days[:DAYS_SHOWN]]
    register("changes/", "修订记录", template="changes.html",
             context=dict(days=shown, older=len(days) > DAYS_SHOWN, since=history.since),
             nav="修订记录", order=60, kind="修订记录",
             description="数据的新增、修改和删除记录，按日期排列：已公开的内容改了什么、什么时候改的、为什么改。")
    for resource, label in TOMBSTONE_LABELS.items():
        present = {str(r.get("id") or "").lower() for r in portal.records.get(resource, [])}
        for key, change in history.removed(resource).items():
            path = page_of(change)  # the address the record's page had
            if path is None or key.lower() in present:
                continue
            title = value_text(record_title(change), portal.public_numbers)
            register(path, f"已删除的{label}：{title}", template="tombstone.html",
                     context=dict(change=change, label=label, resource=resource, title=title,
                                  correction=describe(change, {}, portal.public_numbers).correction),
                     kind="已删除", description=f"这条{label}已于 {change.day.isoformat()} 删除，此页保留删除记录。")


def _page_groups(portal) -> dict:
    """Per day, the hand-written pages of content/ that were added, changed or removed, as one group
    of /changes/ (linked to the page, while it exists)."""
    days: dict = {}
    for source, revisions in sorted(portal.history.pages.items()):
        for r in revisions:
            group = days.setdefault(r.day, {"resource": "content", "label": "页面（content/）",
                                            **{kind: [] for kind in (ADDED, CHANGED, REMOVED)},
                                            **{kind + "_more": 0 for kind in (ADDED, CHANGED, REMOVED)}})
            exists = (portal.docs_dir / source).is_file()
            group[r.kind].append({"key": "", "title": source, "page": md_page(source) if exists else None,
                                  "hand_written": True,
                                  "revision": {"pending": r.commit == WORKING_TREE, "text": "", "correction": ""}})
    return {day: [group] for day, group in days.items()}


def _day(portal, day, changes) -> dict:
    """One day of /changes/: per resource, the records added, changed and removed."""
    groups = []
    public = portal.public_numbers
    for resource in sorted({c.resource for c in changes}, key=lambda r: list(portal.resources).index(r) if r in portal.resources else 99):
        own = [c for c in changes if c.resource == resource]
        titles = field_titles(portal, resource)
        res = portal.resources.get(resource)
        group = {"resource": resource, "label": (res.title if res else "") or resource}
        for kind in (ADDED, CHANGED, REMOVED):
            items = [c for c in own if c.kind == kind]
            group[kind] = [{"key": c.key, "title": value_text(record_title(c), public), "page": page_of(c),
                            "revision": describe(c, titles, public)} for c in items[:ITEMS_SHOWN]]
            group[kind + "_more"] = max(0, len(items) - ITEMS_SHOWN)
        groups.append(group)
    return {"day": day, "groups": groups}
