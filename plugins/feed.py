"""订阅 `/feed.xml`: an Atom feed with one entry per decision, per completed project and per day of
changes to published data (修订记录), newest first; and one feed per community,
`/units/<community>/feed.xml`, with what concerns it, so a resident can follow their community
without an account.

Built with ElementTree, so every value is escaped by construction. Ids and links are the pages'
absolute URLs (``site_url`` + page path), made from record ids only; entry times are the entry's
date at 00:00 Beijing time, so the same data always gives the same bytes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

from gongkai.api import (
    COUNT_LABELS,
    change_counts,
    change_sets,
    community_of,
    date_zh,
    describe,
    field_titles,
    hookimpl,
    record_title,
    value_text,
)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: characters XML 1.0 cannot carry at all (validation refuses them; this is the last guard)
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def stamp(day) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def base_url(portal) -> str:
    url = portal.site_url or ""
    return url if not url or url.endswith("/") else url + "/"


def _lines(*parts) -> str:
    return "\n".join(p for p in parts if p)


def decision_entry(d) -> dict:
    status = d.get("status") or "有效"
    where = d.community["name"] if d.community is not None else ""
    vote = ""
    if d.passed is not None:
        vote = (f"表决：赞成 {d['votes_for']}，反对 {d['votes_against']}，弃权 {d['votes_abstain']}，"
                f"{'通过' if d.passed else '未通过'}")
    notice = f"公示期：{date_zh(d['notice_start'])}至{date_zh(d['notice_end'])}" if d.get("notice_start") else ""
    correction = f"{status}说明：{d['correction']}" if status != "有效" and d.get("correction") else ""
    return {
        "kind": "decisions", "record": d, "day": d["date"], "category": "决策公开",
        "title": f"决策{'（' + status + '）' if status != '有效' else ''}：{d['title']}",
        "content": _lines(correction, "，".join(p for p in (d["body"], date_zh(d["date"]), where) if p),
                          f"决议：{d['resolution']}", vote, notice),
    }


def project_entry(p) -> dict:
    where = "，".join(x for x in (p.community["name"] if p.community is not None else "",
                                  f"责任单位：{p.lead_unit['name']}" if p.lead_unit is not None else "") if x)
    return {
        "kind": "projects", "record": p, "day": p["completed_on"], "category": "结果公开",
        "title": f"项目{p['status']}：{p['title']}",
        "content": _lines(where, f"完成日期：{date_zh(p['completed_on'])}",
                          f"项目内容：{p['summary']}" if p.get("summary") else "",
                          f"实施结果：{p['outcome']}" if p.get("outcome") else ""),
    }


CHANGE_LINES = 50  # lines of one day's change entry; the changes page has them all
CHANGE_DAYS = 60  # days of changes in a feed, as on the changes page (a feed carries the latest news)


def change_entry(portal, day, changes) -> dict:
    """One day of changes to published data."""
    summary = "，".join(f"{label} {n} 条" for label, n in change_counts(changes))
    public, lines, labels = portal.public_numbers, [], dict(COUNT_LABELS)
    for c in changes[:CHANGE_LINES]:
        resource = portal.resources.get(c.resource)
        label = (resource.title if resource else "") or c.resource
        revision = describe(c, field_titles(portal, c.resource), public)
        text = f"：{revision.text}" if revision.text else ""
        note = f"（更正说明：{revision.correction}）" if revision.correction else ""
        lines.append(f"{label} {c.key}「{value_text(record_title(c), public)}」{labels[c.kind]}{text}{note}")
    if len(changes) > CHANGE_LINES:
        lines.append(f"另有 {len(changes) - CHANGE_LINES} 条，见修订记录页面。")
    return {"kind": "changes", "id": day.isoformat(), "day": day, "category": "修订记录",
            "title": f"修订记录 {date_zh(day)}：{summary}", "content": _lines(*lines),
            "path": f"changes/#d-{day.isoformat()}"}


def entries(portal, community=None) -> list[dict]:
    """Decisions, completed projects and days of changes whose pages the site has, newest first (ties
    in a fixed order); only what concerns `community` (a 社区 record) when given."""
    found = list(_record_entries(portal).get(None if community is None else id(community), ()))
    if portal.has_page("changes/"):
        for day, changes in change_sets(portal)[:CHANGE_DAYS]:
            own = changes if community is None else [c for c in changes if community["id"].lower() in _concerns(portal).get(id(c), ())]
            if own:
                found.append(change_entry(portal, day, own))
    return sorted(found, key=lambda e: (e["day"], e["kind"], e["id"]), reverse=True)


def _record_entries(portal) -> dict:
    """The entries of decisions and completed projects whose pages the site has, made once per build:
    all of them under None, and each community's under the id() of its record."""
    if "feed_entries" not in portal.extra:
        made = [decision_entry(d) for d in portal.decisions]
        made += [project_entry(p) for p in portal.projects if p.done and p.get("completed_on")]
        grouped: dict = {None: []}
        for e in made:
            e["id"], e["path"] = e["record"]["id"], f"{e['kind']}/{e['record']['id']}/"
            if portal.has_page(e["path"]):
                grouped[None].append(e)
                community = getattr(e["record"], "community", None)
                if community is not None:
                    grouped.setdefault(id(community), []).append(e)
        portal.extra["feed_entries"] = grouped
    return portal.extra["feed_entries"]


def _concerns(portal) -> dict[int, set[str]]:
    """concerns() of every change, worked out once per build (every community's feed asks)."""
    if "feed_concerns" not in portal.extra:
        portal.extra["feed_concerns"] = {id(c): concerns(portal, c) for _, changes in change_sets(portal)[:CHANGE_DAYS]
                                         for c in changes}
    return portal.extra["feed_concerns"]


def concerns(portal, change) -> set[str]:
    """The ids (lower case) of the communities a change concerns: through the units it is or names, and
    through the units of the record it belongs to (a milestone's project, an evaluation's subject), as
    the schemas' foreignKeys link them."""
    units = portal.by_id["units"]
    ids = {change.key.lower()} if change.resource == "units" else set()
    for values in (change.values, change.before):
        ids |= _unit_ids(portal, change.resource, values)
    found = set()
    for unit_id in ids:
        community = community_of(units.get(unit_id))
        if community is not None:
            found.add(community["id"].lower())
    return found


def _unit_ids(portal, resource: str, values: dict, follow: bool = True) -> set[str]:
    """The unit ids `values` name through their resource's foreign keys to units, and (`follow`) those
    of the records they name through single-field keys to other resources, one step."""
    found: set[str] = set()
    for fk in portal.resources[resource].foreign_keys if resource in portal.resources else ():
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        target = fk["reference"].get("resource") or resource
        if len(fields) != 1 or not values.get(fields[0]):
            continue
        value = str(values[fields[0]]).lower()
        if target == "units":
            found.add(value)
        elif follow and target != resource:
            record = portal.by_id.get(target, {}).get(value)
            if record is not None:
                found |= _unit_ids(portal, target, record, follow=False)
    return found


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = XML_ILLEGAL.sub("", str(text))
    return el


_last_entries: dict[tuple, bytes] = {}  # `gongkai serve`: the <entry> elements of the last build, by what they show


def feed_xml(portal, community=None, made: dict | None = None) -> bytes:
    """The whole portal's feed, or one community's (`community`: its unit record). In `gongkai serve`
    (`made`: the entries this build serialised, by what they show), an entry the last build serialised
    is taken from it: a district's feed has thousands, and an edit changes a few."""
    return _xml(portal, community, entries(portal, community), made)


def _xml(portal, community, items: list[dict], made: dict | None = None) -> bytes:
    """The feed: its head, then each entry serialised alone, indented as `ET.indent` indents the whole
    document."""
    base, name = base_url(portal), portal.site_name or "党建引领社区治理公开"
    here = f"units/{community['id']}/" if community is not None else ""
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "zh-CN"})
    _add(root, "title", f"{name}：{community['name']}" if community is not None else name, type="text")
    _add(root, "subtitle", "决策公开与结果公开：最新决策、已完成的项目和修订记录", type="text")
    _add(root, "id", f"{base}{here}" if base else "urn:gongkai:feed" + (f":{here}" if here else ""))
    if base:
        _add(root, "link", rel="self", type="application/atom+xml", href=f"{base}{here}feed.xml")
    _add(root, "link", rel="alternate", type="text/html", href=f"{base}{here}" if base else "./")
    _add(root, "updated", stamp(items[0]["day"] if items else portal.today))
    _add(_add(root, "author"), "name", name)
    _add(root, "generator", "gongkai")
    ET.indent(root, space="  ")
    if not items:
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    root[-1].tail = "\n  "  # the entries follow
    head = ET.tostring(root, encoding="utf-8", xml_declaration=True).removesuffix(b"</feed>")
    parts = []
    for item in items:
        path = quote(item["path"], safe="/#")
        url = f"{base}{path}" if base else ("../../" if community is not None else "") + path
        if made is None:
            parts.append(_entry_xml(item, url, base))
            continue
        key = (bool(base), url, item["kind"], item["id"], item["day"], item["category"], item["title"], item["content"])
        found = made.get(key) or _last_entries.get(key)
        made[key] = found = found or _entry_xml(item, url, base)
        parts.append(found)
    return head + b"\n  ".join(parts) + b"\n</feed>\n"


def _entry_xml(item: dict, url: str, base: str) -> bytes:
    entry = ET.Element("entry")
    _add(entry, "title", item["title"], type="text")
    _add(entry, "id", url if base else f"urn:gongkai:{item['kind']}:{item['id']}")
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    _add(entry, "updated", stamp(item["day"]))
    _add(entry, "published", stamp(item["day"]))
    _add(entry, "category", term=item["category"])
    _add(entry, "content", item["content"], type="text")
    ET.indent(entry, space="  ", level=1)
    return ET.tostring(entry, encoding="utf-8")


@hookimpl
def register_head_links(register, portal):
    register("feed.xml", "application/atom+xml", portal.site_name)


@hookimpl
def extend_portal(portal):
    portal.extra["community_feeds"] = True  # the 社区 pages link their feed


@hookimpl
def register_files(register, portal):
    global _last_entries
    made = {} if portal.preview else None
    register("feed.xml", feed_xml(portal, made=made))
    for community in portal.units_of_kind("社区"):
        if portal.has_page(f"units/{community['id']}/"):
            register(f"units/{community['id']}/feed.xml", feed_xml(portal, community, made))
    _last_entries = made or {}
