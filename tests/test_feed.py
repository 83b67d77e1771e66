"""订阅 /feed.xml: an Atom feed of decisions and completed projects, newest first, absolute URLs."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import build_site, read_rows, write_rows

A = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://example.org/gongkai/"  # the sample portal's site_url


def parse(site: Path) -> ET.Element:
    return ET.fromstring((site / "feed.xml").read_bytes())


def entries(feed: ET.Element) -> list[dict]:
    return [{"title": e.findtext(f"{A}title"), "id": e.findtext(f"{A}id"), "updated": e.findtext(f"{A}updated"),
             "link": e.find(f"{A}link").get("href"), "content": e.findtext(f"{A}content"),
             "category": e.find(f"{A}category").get("term")} for e in feed.findall(f"{A}entry")]


def add_decisions(root: Path) -> None:
    write_rows(root, "decisions", read_rows(root, "decisions") + [
        {"id": "d-003", "date": "2026-11-20", "body": "居民议事会", "community_id": "c-dongfeng",
         "title": "<script>alert(1)</script> & ]]> 电梯", "resolution": "第一行\n=1+1 第二行",
         "notice_start": "2026-11-21", "notice_end": "2026-11-30"},
        {"id": "d-004", "date": "2026-10-01", "body": "居民议事会", "title": "撤销的决策", "resolution": "同意。",
         "status": "已撤销", "correction": "因故撤销。"},
    ])


def test_feed_has_one_entry_per_decision_and_completed_project_newest_first(portal):
    add_decisions(portal)
    feed = parse(build_site(portal))
    assert feed.tag == f"{A}feed"
    found = entries(feed)
    assert [e["id"] for e in found] == [f"{SITE_URL}decisions/d-003/", f"{SITE_URL}decisions/d-004/",
                                        f"{SITE_URL}projects/p-seats/", f"{SITE_URL}decisions/d-002/",
                                        f"{SITE_URL}decisions/d-001/"]
    assert [e["updated"] for e in found] == ["2026-11-20T00:00:00+08:00", "2026-10-01T00:00:00+08:00",
                                             "2026-05-18T00:00:00+08:00", "2026-04-16T00:00:00+08:00",
                                             "2026-03-20T00:00:00+08:00"]
    assert all(e["link"] == e["id"] for e in found)
    assert feed.findtext(f"{A}updated") == "2026-11-20T00:00:00+08:00"
    assert feed.findtext(f"{A}id") == SITE_URL
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")} == {
        "self": f"{SITE_URL}feed.xml", "alternate": SITE_URL}
    assert [e["category"] for e in found].count("结果公开") == 1


def test_entry_text_comes_through_as_written_and_escaped(portal):
    add_decisions(portal)
    site = build_site(portal)
    raw = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 电梯" in raw
    found = {e["id"].rsplit("/", 2)[1]: e for e in entries(parse(site))}
    assert found["d-003"]["title"] == "决策：<script>alert(1)</script> & ]]> 电梯"
    assert "决议：第一行\n=1+1 第二行" in found["d-003"]["content"]
    assert "公示期：2026年11月21日至2026年11月30日" in found["d-003"]["content"]
    assert found["d-004"]["title"] == "决策（已撤销）：撤销的决策"
    assert found["d-004"]["content"].startswith("已撤销说明：因故撤销。")
    assert "表决：赞成 25，反对 1，弃权 2，通过" in found["d-001"]["content"]
    assert found["p-seats"]["title"] == "项目已验收：东风小区健身广场休息座椅"
    assert "实施结果：居民验收满意。" in found["p-seats"]["content"]


def test_open_and_terminated_projects_are_not_in_the_feed(portal):
    rows = read_rows(portal, "projects")
    for row in rows:
        if row["id"] == "p-seats":
            row.update(status="已终止", completed_on="", progress="100")
    write_rows(portal, "projects", rows)
    found = entries(parse(build_site(portal)))
    assert [e["id"].removeprefix(SITE_URL) for e in found] == ["decisions/d-002/", "decisions/d-001/"]


def test_feed_bytes_repeat_and_every_page_links_to_it(portal, tmp_path):
    add_decisions(portal)
    first = build_site(portal, site_dir=tmp_path / "one")
    second = build_site(portal, site_dir=tmp_path / "two")
    assert (first / "feed.xml").read_bytes() == (second / "feed.xml").read_bytes()
    pages = {"index.html": "feed.xml", "data/index.html": "../feed.xml", "decisions/d-001/index.html": "../../feed.xml"}
    for page, href in pages.items():
        html = (first / page).read_text(encoding="utf-8")
        assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="{re.escape(href)}">', html), page


def test_without_site_url_links_are_relative_to_the_feed(portal):
    config = portal / "site_config.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    feed = parse(build_site(portal))
    found = entries(feed)
    assert found[0]["link"] == "projects/p-seats/" and found[0]["id"] == "urn:gongkai:projects:p-seats"
    assert feed.findtext(f"{A}id") == "urn:gongkai:feed"


def whole_document(feed: bytes) -> bytes:
    """`feed` serialised again as one ElementTree document indented by `ET.indent` (gongkai writes the
    head and each entry apart, and must write exactly this)."""
    def plain(element: ET.Element, parent: ET.Element | None = None) -> ET.Element:
        tag, attrs = element.tag.removeprefix(A), dict(element.attrib)
        made = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
        made.text = element.text if element.text and element.text.strip() else None
        for child in element:
            plain(child, made)
        return made

    root = plain(ET.fromstring(feed))
    root.attrib = {"xmlns": A[1:-1], **root.attrib}
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def test_every_feed_is_the_document_elementtree_writes_and_a_preview_writes_the_same(portal, tmp_path, monkeypatch):
    """The whole portal's feed and each community's (one without entries among them) are byte for byte
    one ElementTree document; a preview, which keeps the entries of its last build, writes after an edit
    the feeds a full build writes."""
    import calendar
    import datetime as dt

    from conftest import TODAY
    from test_serve import Preview

    add_decisions(portal)
    write_rows(portal, "units", read_rows(portal, "units") + [
        {"id": "c-quiet", "name": "静安社区", "kind": "社区", "parent_id": read_rows(portal, "units")[0]["id"]}])
    site = build_site(portal, site_dir=tmp_path / "full")
    feeds = sorted(p.relative_to(site).as_posix() for p in site.rglob("feed.xml"))
    assert "feed.xml" in feeds and "units/c-quiet/feed.xml" in feeds and len(feeds) >= 3
    assert b"<entry>" not in (site / "units/c-quiet/feed.xml").read_bytes()
    for name in feeds:
        raw = (site / name).read_bytes()
        assert raw == whole_document(raw), name

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    preview.build()
    rows = read_rows(portal, "decisions")
    next(r for r in rows if r["id"] == "d-001")["title"] = "改过标题的决策"
    write_rows(portal, "decisions", rows)
    preview.build()
    site = build_site(portal, site_dir=tmp_path / "again")
    assert "改过标题的决策".encode() in (site / "feed.xml").read_bytes()
    assert {name: (preview.site / name).read_bytes() for name in feeds} == {name: (site / name).read_bytes() for name in feeds}
