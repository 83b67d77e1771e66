"""决策公开, project and unit pages: built from real portals in tmp_path and read as HTML."""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

from conftest import build_site, missing_tool, read_rows, write_rows
from gongkai.plugins.projects import image_size

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
OVERDUE_BADGE = '<span class="gk-badge gk-badge--danger">逾期</span>'


# ------------------------------------------------------------------------------ helpers

def article(site: Path, path: str) -> str:
    """The page body (inside Material's <article>), without the theme's chrome."""
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return html[html.index("<article"):html.index("</article>")]


def section(html: str, anchor: str) -> str:
    """The HTML from <h2 id=anchor> to the next <h2>."""
    start = html.index(f'<h2 id="{anchor}">')
    end = html.find("<h2", start + 1)
    return html[start:end if end > 0 else len(html)]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def update(root: Path, resource: str, row_id: str, key: str = "id", **values) -> None:
    rows = read_rows(root, resource)
    matches = [r for r in rows if r[key] == row_id]
    assert matches, f"{resource} has no row {row_id}"
    matches[0].update(values)
    write_rows(root, resource, rows)


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ------------------------------------------------------------------------------ every page


def test_every_decision_project_and_unit_has_its_page(portal):
    site = build_site(portal)
    for kind in ("decisions", "projects", "units"):
        for row in read_rows(portal, kind):
            assert (site / kind / row["id"] / "index.html").is_file(), (kind, row["id"])
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>', (site / "decisions/index.html").read_text(encoding="utf-8"), re.S)
    assert "决策公开" in nav.group(0) and "组织架构" in nav.group(0)  # the index pages are in the nav
    assert "d-001" not in nav.group(0) and "c-dongfeng" not in nav.group(0)  # entity pages are not


def test_entity_pages_get_search_boost_and_share_description(portal):
    site = build_site(portal)
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    buckets = sorted((site / "search" / "p").glob("*.json"), key=lambda p: int(p.stem))  # page n is in bucket n // size
    paths = [page["u"] for bucket in buckets for page in json.loads(bucket.read_text(encoding="utf-8"))]
    rank = {path: meta["pages"][number][2] / 10 for number, path in enumerate(paths)}
    assert rank["units/c-dongfeng/"] == 2
    assert rank["projects/p-seats/"] == 1.5 and rank["decisions/d-001/"] == 1.5
    assert rank["lists/"] == 1
    page = (site / "decisions/d-001/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="同意在健身广场添置休息座椅10组' in page


# ------------------------------------------------------------------------------ 决策公开


def test_decision_in_its_notice_period_shows_gongshizhong(portal):
    update(portal, "decisions", "d-002", notice_start="2026-11-20", notice_end="2026-11-30")
    site = build_site(portal)
    assert "公示中" in text(section(article(site, "decisions/d-002"), "notice"))
    assert "已结束" in text(section(article(site, "decisions/d-001"), "notice"))
    index = article(site, "decisions")
    entries = dict(re.findall(r'<a href="(d-00\d)/">.*?</a>(.*?)</li>', index, re.S))
    assert "公示中" in entries["d-002"] and "公示中" not in entries["d-001"]


def test_corrected_decision_shows_the_correction_prominently(portal):
    update(portal, "decisions", "d-001", status="已更正", correction="原决议把座椅数量误写为8组，应为10组。")
    update(portal, "decisions", "d-002", status="已撤销", correction="程序不符合规定，已撤销。")
    site = build_site(portal)
    page = article(site, "decisions/d-001")
    alert = re.search(r'<div class="admonition[^"]*" role="alert">(.*?)</div>', page, re.S)
    assert alert and "原决议把座椅数量误写为8组，应为10组。" in text(alert.group(1))
    assert page.index('role="alert"') < page.index('id="resolution"')  # above the resolution itself
    assert "已撤销" in text(re.search(r'role="alert">(.*?)</div>', article(site, "decisions/d-002"), re.S).group(1))
    assert "已更正" in article(site, "decisions") and "已撤销" in article(site, "decisions")


def test_failed_vote_shows_weitongguo_and_no_vote_shows_weibiaojue(portal):
    update(portal, "decisions", "d-001", votes_for="5", votes_against="10", votes_abstain="2")
    site = build_site(portal)
    vote = text(section(article(site, "decisions/d-001"), "vote"))
    assert "5 10 2 17 表决结果： 未通过" in vote
    assert "未表决" in text(section(article(site, "decisions/d-002"), "vote"))
    entry = re.search(r'<a href="d-001/">.*?</li>', article(site, "decisions"), re.S).group(0)
    assert "未通过" in entry


def test_decision_index_groups_by_month_newest_first(portal):
    site = build_site(portal)
    headings = re.findall(r"<h2 [^>]*>(\d{4}年\d+月)</h2>", article(site, "decisions"))
    assert headings == ["2026年4月", "2026年3月"]


def test_task_list_lists_the_citing_project_with_its_responsible_unit(portal):
    update(portal, "projects", "p-doctor", due_date="2026-10-31")  # overdue on the reference date
    site = build_site(portal)
    tasks = section(article(site, "decisions/d-002"), "tasks")
    row = re.search(r"<tr>\s*<td><a href=\"../../projects/p-doctor/\">.*?</tr>", tasks, re.S).group(0)
    assert '<a href="../../units/u-hospital/">示例区人民医院</a>' in row
    assert "2026年10月31日" in row and "实施中" in row and OVERDUE_BADGE in row
    assert "在社区党群服务中心设家庭医生签约服务点。" in row


def test_minutes_are_rendered_with_links_that_work_from_the_decision_page(portal):
    minutes = portal / "content" / "minutes"
    minutes.mkdir(parents=True)
    (minutes / "m1.md").write_text("# 议事会纪要\n\n## 表决结果\n\n赞成25票。见[关于本站](../about.md)。\n", encoding="utf-8")
    update(portal, "decisions", "d-001", minutes="minutes/m1.md")
    site = build_site(portal)
    part = section(article(site, "decisions/d-001"), "minutes")
    assert '<a href="../../minutes/m1/">' in part
    assert re.search(r"<h3[^>]*>议事会纪要</h3>", part) and re.search(r"<h4[^>]*>表决结果</h4>", part)
    assert '<a href="../../about/">关于本站</a>' in part
    assert (site / "minutes/m1/index.html").is_file() and (site / "about/index.html").is_file()


def test_filter_script_filters_the_decision_index_in_the_page(portal):
    if shutil.which("node") is None:
        missing_tool("Node.js is not installed: the shipped filter.js cannot run")
    site = build_site(portal)
    script = (site / "assets/gongkai/filter.js").read_text(encoding="utf-8")
    tree = _tree(article(site, "decisions"))
    assert _run_filter(script, tree, None)["visible"] == ["d-002/", "d-001/"]
    by_community = _run_filter(script, tree, ["community", "c-dongfeng"])
    assert by_community == {"visible": ["d-001/"], "groups": [False, True], "count": "1", "controls_hidden": False}
    assert _run_filter(script, tree, ["body", "大党委联席会议"])["visible"] == ["d-002/"]
    assert re.search(r'<form class="gk-filter" data-gk-filter-controls hidden>', article(site, "decisions"))


# ------------------------------------------------------------------------------ projects


def test_milestone_appears_in_the_project_timeline_after_need_and_decision(portal):
    site = build_site(portal)
    timeline = text(section(article(site, "projects/p-doctor"), "timeline"))
    assert "2026年6月15日 服务点装修完成 进度 40%" in timeline
    assert timeline.index("提出需求") < timeline.index("作出决策") < timeline.index("项目开始") < timeline.index("服务点装修完成")
    done = text(section(article(site, "projects/p-seats"), "timeline"))
    assert done.index("安装完成") < done.index("项目完成") < done.index("2026年上半年评价")
    assert "得分 92.0 ★★★★" in done


def test_overdue_badge_on_exactly_the_overdue_projects(portal):
    update(portal, "projects", "p-doctor", due_date="2026-10-31")
    site = build_site(portal)
    flagged = {row["id"] for row in read_rows(portal, "projects") if OVERDUE_BADGE in article(site, f"projects/{row['id']}")}
    assert flagged == {"p-doctor", "p-lights"}  # p-seats is past its due date too, but done


def test_budget_progress_and_overspending(portal):
    update(portal, "projects", "p-doctor", spent_yuan="45000")
    site = build_site(portal)
    doctor = article(site, "projects/p-doctor")
    assert "4.00万元" in section(doctor, "budget") and "4.50万元" in section(doctor, "budget") and "超支" in doctor
    assert '<progress max="100" value="40"' in doctor
    assert "超支" not in article(site, "projects/p-seats")


def test_photos_are_lazy_sized_and_page_relative(portal):
    images = portal / "content" / "images"
    images.mkdir(parents=True)
    (images / "before.png").write_bytes(png(3, 2))
    (images / "step.png").write_bytes(png(5, 4))
    update(portal, "projects", "p-seats", photos="images/before.png")
    update(portal, "milestones", "p-seats", key="project_id", photos="images/step.png")
    site = build_site(portal)
    page = article(site, "projects/p-seats")
    img = re.search(r'<img src="../../images/before.png"[^>]*>', page).group(0)
    for attr in ('loading="lazy"', 'decoding="async"', 'width="3"', 'height="2"', 'alt="东风小区健身广场休息座椅', "max-width:100%"):
        assert attr in img
    assert re.search(r'<img src="../../images/step.png"[^>]*width="5" height="4"', section(page, "timeline"))
    assert (site / "images/before.png").is_file()


def test_image_size_reads_png_and_jpeg_headers(tmp_path):
    (tmp_path / "a.png").write_bytes(png(7, 3))
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x03" + b"\x00" * 9 + b"\xff\xd9")
    (tmp_path / "b.jpg").write_bytes(jpeg)
    (tmp_path / "c.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert image_size(tmp_path / "a.png") == (7, 3)
    assert image_size(tmp_path / "b.jpg") == (640, 480)
    assert image_size(tmp_path / "c.webp") is None and image_size(tmp_path / "missing.png") is None


# ------------------------------------------------------------------------------ units


def test_unit_breadcrumb_links_up_the_parent_chain(portal):
    site = build_site(portal)
    crumb = re.search(r'<nav class="gk-breadcrumb".*?</nav>', article(site, "units/o-dongfeng"), re.S).group(0)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumb)
    assert links == [("../", "组织架构"), ("../jiedao/", "示例街道"), ("../c-dongfeng/", "东风社区"), ("../x-dongfeng/", "东风小区")]
    assert '<span aria-current="page">东风小区业主委员会</span>' in crumb
    children = section(article(site, "units/c-dongfeng"), "children")
    assert '<a href="../x-dongfeng/">东风小区</a>' in children


def test_units_index_nests_the_hierarchy_and_groups_other_kinds(portal):
    site = build_site(portal)
    index = article(site, "units")
    tree = section(index, "hierarchy")
    street = tree.index('<a href="jiedao/">示例街道</a>')
    assert street < tree.index("<ul>", street) < tree.index('<a href="c-dongfeng/">') < tree.index('<a href="x-dongfeng/">')
    assert "o-dongfeng" not in tree  # 业委会 is listed with its kind, not in the territorial tree
    kinds = re.findall(r'<h2 id="kind-\d+">(.+?)</h2>', index)
    assert kinds == ["共建单位", "物业企业", "业委会"]


def test_unit_page_shows_pairings_projects_and_evaluation_history(portal):
    site = build_site(portal)
    audit = article(site, "units/u-audit")
    pairing = text(section(audit, "pairings"))
    assert "东风社区 2025年3月1日起结对 · 年度共建经费 3.00万元 每年提供共建经费3万元" in pairing
    assert '<a href="../u-audit/">' in section(article(site, "units/c-dongfeng"), "pairings")  # both sides
    assert '<a href="../../projects/p-seats/">' in section(audit, "projects-led")
    history = text(section(audit, "evaluations"))
    assert "2026年上半年 92.0 ★★★★ 第1名（共1个）" in history
    assert '<a href="../../results/2026-H1/">' in section(audit, "evaluations")
    firm = section(article(site, "units/pm-sample"), "evaluations")
    assert "物业企业排名" in text(firm) and "第1名（共1个）" in text(firm) and "82.6 ★★★" in text(firm)  # (82.5×200 + 85×10) / 210
    needs = section(article(site, "units/c-xiangyang"), "needs-here")
    assert 'id="need-n-002"' in needs


def test_need_link_on_project_page_lands_on_the_need(portal):
    site = build_site(portal)
    link = re.search(r'<a href="../../units/([\w-]+)/#need-([\w-]+)">', article(site, "projects/p-doctor"))
    unit, need = link.groups()
    assert f'id="need-{need}"' in article(site, f"units/{unit}")


# ------------------------------------------------------------------------------ escaping


def test_data_values_with_markup_appear_as_text(portal):
    update(portal, "projects", "p-seats", title="<b>x</b>", summary="<script>alert(1)</script>")
    update(portal, "units", "c-dongfeng", name='<i onclick="x">东风</i>')
    update(portal, "decisions", "d-001", title="<b>议题</b>", resolution="a<br>b")
    site = build_site(portal)
    pages = ["projects/p-seats", "decisions/d-001", "decisions", "units", "units/c-dongfeng", "units/u-audit"]
    for path in pages:
        whole = (site / path / "index.html").read_text(encoding="utf-8")
        for raw in ("<b>x</b>", "<script>alert(1)", "<i onclick", "<b>议题</b>", "a<br>b"):
            assert raw not in whole, (path, raw)
    assert "&lt;b&gt;x&lt;/b&gt;" in article(site, "projects/p-seats")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article(site, "projects/p-seats")
    assert "&lt;b&gt;议题&lt;/b&gt;" in article(site, "decisions")
    assert "&lt;i onclick=&#34;x&#34;&gt;东风&lt;/i&gt;" in article(site, "units")


# ------------------------------------------------------------------------------ filter.js in node

_FAKE_DOM = r"""
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
class El {
  constructor(n) {
    this.tagName = n.tag; this.attrs = Object.assign({}, n.attrs); this.style = {}; this.listeners = {};
    this.value = ""; this.textContent = n.text || ""; this.children = (n.children || []).map(c => new El(c));
  }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  hasAttribute(k) { return k in this.attrs; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  removeAttribute(k) { delete this.attrs[k]; }
  get hidden() { return this.hasAttribute("hidden"); }
  set hidden(v) { if (v) this.setAttribute("hidden", ""); else this.removeAttribute("hidden"); }
  addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); }
  *all() { for (const c of this.children) { yield c; yield* c.all(); } }
  matches(sel) {
    const m = /^(\w+)?((?:\[[\w-]+\])*)(?::not\(\[([\w-]+)\]\))?$/.exec(sel);
    if (!m) throw new Error("selector not supported by the fake DOM: " + sel);
    if (m[1] && m[1] !== this.tagName) return false;
    if ((m[2].match(/[\w-]+/g) || []).some(a => !this.hasAttribute(a))) return false;
    return !(m[3] && this.hasAttribute(m[3]));
  }
  querySelectorAll(sel) { return [...this.all()].filter(e => e.matches(sel)); }
  querySelector(sel) { return this.querySelectorAll(sel)[0] || null; }
}
const document = new El({tag: "#document", attrs: {}, children: [input.tree]});
document.readyState = "complete";
new Function("window", "document", input.script)({}, document);
const scope = document.querySelector("[data-gk-filter-scope]");
if (input.choice) {
  const select = scope.querySelectorAll("select[data-gk-filter]").find(s => s.getAttribute("data-gk-filter") === input.choice[0]);
  select.value = input.choice[1];
  scope.listeners.change.forEach(f => f({target: select}));
}
const hrefOf = el => [...el.all()].find(e => e.tagName === "a").getAttribute("href");
console.log(JSON.stringify({
  visible: scope.querySelectorAll("[data-gk-item]").filter(e => !e.hidden).map(hrefOf),
  groups: scope.querySelectorAll("[data-gk-group]").map(g => !g.hidden),
  count: String(scope.querySelector("[data-gk-count]").textContent),
  controls_hidden: scope.querySelector("[data-gk-filter-controls]").hidden,
}));
"""


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = {"tag": "div", "attrs": {}, "children": []}
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "children": []}
        self.stack[-1]["children"].append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        if tag not in VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        self.stack[-1]["text"] = self.stack[-1].get("text", "") + data


def _tree(html: str) -> dict:
    parser = _Tree()
    parser.feed(html)
    return parser.root


def _run_filter(script: str, tree: dict, choice: list | None) -> dict:
    payload = json.dumps({"script": script, "tree": tree, "choice": choice})
    done = subprocess.run(["node", "-e", _FAKE_DOM], input=payload, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_photo_file_name_with_hash_and_space_links_to_the_file(portal):
    import base64

    from conftest import build_site as _build
    from conftest import read_rows as _read
    from conftest import write_rows as _write

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (portal / "content" / "images").mkdir(parents=True, exist_ok=True)
    (portal / "content" / "images" / "a#b 1.png").write_bytes(png)
    rows = _read(portal, "projects")
    rows[0]["photos"] = "images/a#b 1.png"
    _write(portal, "projects", rows)
    site = _build(portal)  # link_check fails the build on a broken image link
    html = (site / "projects" / rows[0]["id"] / "index.html").read_text(encoding="utf-8")
    assert 'src="../../images/a%23b%201.png"' in html
