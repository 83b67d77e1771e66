"""The revision history as residents read it: 修订记录 lines for entity pages, the changes page, the
feeds and changes.json (gongkai/data/history.py has the data).

Every old or new value passes the privacy mask first: an old value never republishes a number the
privacy guard would refuse today (a unit's former contact number is not one of today's public
numbers, so it is shown masked)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.data.history import ADDED, CHANGED, REMOVED, WORKING_TREE, Change
from gongkai.data.privacy import mask

KIND_LABELS = {ADDED: "重新公开", CHANGED: "修改", REMOVED: "删除"}  # the first publication is shown apart
VALUE_CHARS = 300  # a long resolution is shown up to this many characters per side
#: resources whose records have their own page, and its folder
PAGE_FOLDERS = {"decisions": "decisions", "projects": "projects", "units": "units"}


@dataclass(frozen=True)
class Revision:
    day: dt.date
    kind: str  # ADDED, CHANGED or REMOVED
    label: str  # 首次公开 / 修改 / 删除
    text: str  # "赞成票 11 → 12；反对票 1 → 0" (masked)
    correction: str  # the 更正说明 written with this change (masked), or ""
    pending: bool  # not committed yet (a local build)


def value_text(value: str, public: set[str]) -> str:
    value = mask(value or "", public)
    if not value:
        return "（空）"
    flat = " ".join(value.split())
    return flat if len(flat) <= VALUE_CHARS else flat[:VALUE_CHARS] + "…"


def describe(change: Change, titles: dict[str, str], public: set[str]) -> Revision:
    """One change as a line of a 修订记录."""
    correction = ""
    parts = []
    for f in change.fields:
        if f.field == "correction":
            correction = value_text(f.new, public) if f.new else ""
            if f.new:
                continue
        parts.append(f"{titles.get(f.field, f.field)} {value_text(f.old, public)} → {value_text(f.new, public)}")
    if change.kind == REMOVED and change.values.get("correction"):
        correction = value_text(change.values["correction"], public)
    return Revision(change.day, change.kind, KIND_LABELS[change.kind], "；".join(parts), correction,
                    change.commit == WORKING_TREE)


def field_titles(portal, resource: str) -> dict[str, str]:
    found = portal.resources.get(resource)
    return {f["name"]: f.get("title") or f["name"] for f in (found.fields if found else [])}


NO_LOG = {"available": False, "first": None, "since": None, "revisions": []}  # outside git: no 修订记录


def revision_log(portal, resource: str, key: str) -> dict:
    """What an entity page shows: `available` (history known), `first` (the day it was first
    published, None before what history covers), `since` (a shallow history's first day) and
    `revisions`, newest first (the first publication is not repeated among them)."""
    history = portal.history
    if not history.available:
        return dict(NO_LOG)
    titles, public = field_titles(portal, resource), portal.public_numbers
    changes = history.of(resource, str(key))
    revisions = [describe(c, titles, public) for c in changes if c.kind != ADDED or c is not changes[0]]
    return {"available": True, "first": history.first_published(resource, str(key)), "since": history.since,
            "revisions": list(reversed(revisions))}


def page_log(portal, page: str) -> dict:
    """What a hand-written page shows (`page`: its file in content/, "about.md"), in the shape of
    `revision_log`: the day it was first committed and its later commits, newest first."""
    history = portal.history
    if not history.available:
        return dict(NO_LOG)
    found = history.pages.get(page, [])
    first = found[0].day if found and found[0].kind == ADDED else None
    revisions = [Revision(r.day, r.kind, KIND_LABELS[r.kind], "", "", r.commit == WORKING_TREE)
                 for r in found[1 if first else 0:]]
    return {"available": True, "first": first, "since": history.since, "revisions": list(reversed(revisions))}


def period_log(portal, period: str) -> list[tuple[str, Revision]]:
    """The changes to the evaluations of one period after it was first published: (evaluation id,
    revision), newest first."""
    titles, public = field_titles(portal, "evaluations"), portal.public_numbers
    return [(c.key, describe(c, titles, public)) for c in reversed(_evaluation_changes(portal).get(period, []))]


def _evaluation_changes(portal) -> dict[str, list[Change]]:
    """The changes to evaluations after they were added, by period, oldest first (worked out once per
    build: every period page asks)."""
    if "evaluation_changes" not in portal.extra:
        found: dict[str, list[Change]] = {}
        for c in portal.history.changes:
            if c.resource == "evaluations" and c.kind != ADDED:
                found.setdefault(c.values.get("period") or c.before.get("period"), []).append(c)
        portal.extra["evaluation_changes"] = found
    return portal.extra["evaluation_changes"]


COUNT_LABELS = ((ADDED, "新增"), (CHANGED, "修改"), (REMOVED, "删除"))  # a day of changes, counted by kind


def change_counts(changes: list[Change]) -> list[tuple[str, int]]:
    """[(新增/修改/删除, how many)] of a set of changes, for the kinds that occur."""
    counts = {kind: 0 for kind, _ in COUNT_LABELS}
    for change in changes:
        counts[change.kind] += 1
    return [(label, counts[kind]) for kind, label in COUNT_LABELS if counts[kind]]


def record_title(change: Change) -> str:
    return change.values.get("title") or change.values.get("name") or change.values.get("criterion") or change.key


def page_of(change: Change) -> str | None:
    """The page path of the changed record (its tombstone, once removed), when it has one."""
    folder = PAGE_FOLDERS.get(change.resource)
    return f"{folder}/{change.key}/" if folder and "/" not in change.key else None


def change_sets(portal) -> list[tuple[dt.date, list[Change]]]:
    """The changes grouped by day, newest day first; within a day in file order (worked out once per
    build: the changes page, the home page and every feed ask)."""
    if "change_sets" not in portal.extra:
        days: dict[dt.date, list[Change]] = {}
        for change in portal.history.changes:
            days.setdefault(change.day, []).append(change)
        portal.extra["change_sets"] = sorted(days.items(), key=lambda item: item[0], reverse=True)
    return portal.extra["change_sets"]


def as_json(portal, change: Change, titles: dict[str, str] | None = None) -> dict:
    """changes.json: one change, masked (its day and commit are its change set's)."""
    titles = field_titles(portal, change.resource) if titles is None else titles
    public = portal.public_numbers
    item = {"resource": change.resource, "id": change.key, "kind": change.kind,
            "title": value_text(record_title(change), public)}
    if change.kind == CHANGED:
        item["fields"] = [{"field": f.field, "title": titles.get(f.field, f.field), "old": mask(f.old, public),
                           "new": mask(f.new, public)} for f in change.fields]
    return item


def changes_json(portal) -> dict:
    """/data/changes.json: every change, oldest first, grouped by the commit that made it (`commit`
    null: edits not committed yet). A commit id is written once per commit, not once per change: at
    district scale the first commit alone publishes some 70,000 records."""
    history = portal.history
    commits: list[dict] = []
    titles = {name: field_titles(portal, name) for name in {c.resource for c in history.changes}}
    for change in history.changes:
        if not commits or commits[-1]["commit"] != (change.commit or None) or commits[-1]["date"] != change.day.isoformat():
            commits.append({"commit": change.commit or None, "date": change.day.isoformat(), "changes": []})
        commits[-1]["changes"].append(as_json(portal, change, titles[change.resource]))
    return {"since": history.since.isoformat() if history.since else None, "commits": commits}
