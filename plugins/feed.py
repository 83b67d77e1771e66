"""订阅 `/feed.xml`: an Atom feed with one entry per decision and per completed project, newest first.

Built with ElementTree, so every value is escaped by construction. Ids and links are the pages'
absolute URLs (``site_url`` + page path), made from record ids only; entry times are the entry's
date at 00:00 Beijing time, so the same data always gives the same bytes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

from gongkai.api import date_zh, hookimpl

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: characters XML 1.0 cannot carry at all (validation refuses them; this is the last guard)
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def stamp(day) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def base_url(portal) -> str:
    url = portal.site_url or ""
    return url if not url or url.endswith("/") else url + "/"


def page_url(portal, kind: str, record_id: str) -> str:
    """The absolute page URL (relative to the feed when the portal has no site_url)."""
    return f"{base_url(portal)}{kind}/{quote(record_id, safe='')}/"


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


def entries(portal) -> list[dict]:
    """Decisions and completed projects whose pages the site has, newest first (ties in a fixed order)."""
    found = [decision_entry(d) for d in portal.decisions]
    found += [project_entry(p) for p in portal.projects if p.done and p.get("completed_on")]
    found = [e for e in found if portal.has_page(f"{e['kind']}/{e['record']['id']}/")]
    return sorted(found, key=lambda e: (e["day"], e["kind"], e["record"]["id"]), reverse=True)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = XML_ILLEGAL.sub("", str(text))
    return el


def feed_xml(portal) -> bytes:
    items = entries(portal)
    base, name = base_url(portal), portal.site_name or "党建引领社区治理公开"
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "zh-CN"})
    _add(root, "title", name, type="text")
    _add(root, "subtitle", "决策公开与结果公开：最新决策和已完成的项目", type="text")
    _add(root, "id", base or "urn:gongkai:feed")
    if base:
        _add(root, "link", rel="self", type="application/atom+xml", href=f"{base}feed.xml")
    _add(root, "link", rel="alternate", type="text/html", href=base or "./")
    _add(root, "updated", stamp(items[0]["day"] if items else portal.today))
    _add(_add(root, "author"), "name", name)
    _add(root, "generator", "gongkai")
    for item in items:
        url = page_url(portal, item["kind"], item["record"]["id"])
        entry = _add(root, "entry")
        _add(entry, "title", item["title"], type="text")
        _add(entry, "id", url if base else f"urn:gongkai:{item['kind']}:{item['record']['id']}")
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "updated", stamp(item["day"]))
        _add(entry, "published", stamp(item["day"]))
        _add(entry, "category", term=item["category"])
        _add(entry, "content", item["content"], type="text")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@hookimpl
def register_head_links(register, portal):
    register("feed.xml", "application/atom+xml", portal.site_name)


@hookimpl
def register_files(register, portal):
    register("feed.xml", feed_xml(portal))
