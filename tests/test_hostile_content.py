"""Hostile hand-written pages (content/): raw HTML is sanitised at its source with a warning naming the
file and line; files a browser would run are refused or checked by what they are; front matter stays
text wherever the theme puts it; personal data and unreadable encodings are findings like in data.

The sanitised cases share one build: one page each under content/h/, each with its markup on line 3.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, build_site, codes, validate
from hostile.editing import configure

from gongkai.data.privacy import find
from gongkai.scaffold import init_portal
from gongkai.site.document import parse_html

#: (name, raw HTML on line 3 of a page, what the warning names)
SANITISED = [
    ("inline-script", "<script>alert(1)</script>", "<script>"),
    ("math-style-img", "<math><style><img src=../../images/a.png onerror=alert(1)></style></math>", "<img onerror>"),
    ("svg-style-img", "<svg><style><img src=../../images/a.png onerror=alert(1)></style></svg>", "<img onerror>"),
    ("textarea-wrapper", '<textarea><p title="</textarea><img src=../../images/a.png onerror=alert(1)>"></textarea>', "<img onerror>"),
    ("noscript-wrapper", '<noscript><p title="</noscript><img src=../../images/a.png onerror=alert(1)>"></noscript>', "<img onerror>"),
    ("abrupt-comment", "<!--><img src=../../images/a.png onerror=alert(1)>-->", "<img onerror>"),
    ("svg-animate-values", '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>点我</text></a></svg>',
     "<animate>"),
    ("template-content", "<template><img src=../../images/a.png onerror=alert(1)></template>", "<template>"),
    ("select-template", "<select><template><img src=../../images/a.png onerror=alert(1)></template></select>", "<select>"),
    ("javascript-link", '<a href="java&#x09;script:alert(1)">点我</a>', "<a href=javascript:…>"),
    ("attr-list-onclick", '段落 <span onclick="alert(1)">文字</span>', "<span onclick>"),
    ("form-action", '<form action="https://evil.example/"><input name=q></form>', "<form>"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>', "<iframe>"),
    ("object", '<object data="evil.swf"></object>', "<object>"),
    ("base-href", '<base href="https://evil.example/">', "<base>"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">', "<meta>"),
    ("style-element", "<style>body{display:none}</style>", "<style>"),
    ("style-attribute", '<p style="position:fixed;top:0">假通知</p>', "<p style>"),
    ("srcset-javascript", '<img srcset="javascript:alert(1) 1x" alt="x">', "<img srcset=javascript:…>"),
    ("data-html-link", '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', "<a href=data:…>"),
    ("svg-onload", "<svg onload=alert(1)></svg>", "<svg>"),
]
MARKDOWN = "# {name}\n\n{html}\n\n正文结束。\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def page_text(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def dangerous(html: str) -> list:
    """What would run in a browser: scripts in the page content, event attributes, script URLs."""
    found = []
    for element in parse_html(html).elements:
        in_content = any(a.tag == "article" for a in element.ancestors())
        if element.tag == "script" and in_content:
            found.append("<script>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                found.append(f"<{element.tag} {name}>")
            squeezed = "".join(value.split()).lower()
            if name in ("href", "src", "srcset", "values", "action", "formaction") and squeezed.startswith(("javascript:", "data:text")):
                found.append(f"<{element.tag} {name}={value}>")
        if element.tag in ("iframe", "object", "base", "form") and in_content:
            found.append(f"<{element.tag}>")
    return found


@pytest.fixture(scope="module")
def sanitised(tmp_path_factory):
    portal = tmp_path_factory.mktemp("content") / "portal"
    init_portal(portal)
    folder = portal / "content" / "h"
    folder.mkdir()
    (portal / "content" / "images").mkdir(exist_ok=True)
    (portal / "content" / "images" / "a.png").write_bytes(PNG)
    for name, html, _ in SANITISED:
        (folder / f"{name}.md").write_text(MARKDOWN.format(name=name, html=html), encoding="utf-8")
    minutes = portal / "content" / "minutes"
    minutes.mkdir(exist_ok=True)
    (minutes / "hostile.md").write_text("# 纪要\n\n<math><style><img alt=x onerror=alert(1)></style></math>\n",
                                        encoding="utf-8")
    decisions = (portal / "datasets" / "decisions.csv").read_text(encoding="utf-8-sig").splitlines()
    header = decisions[0].split(",")
    cells = decisions[1].split(",")
    cells[header.index("会议纪要")] = "minutes/hostile.md"
    decisions[1] = ",".join(cells)
    (portal / "datasets" / "decisions.csv").write_text("\n".join(decisions) + "\n", encoding="utf-8")
    report = validate(portal)
    site = build_site(portal)
    return portal, report, site


@pytest.mark.parametrize("name, html, named", SANITISED, ids=[c[0] for c in SANITISED])
def test_raw_html_is_sanitised_at_its_source_with_a_warning_naming_file_and_line(sanitised, name, html, named):
    _, report, site = sanitised
    warned = [f for f in report.warnings if f.code == "content-sanitised" and f.file == f"content/h/{name}.md"]
    assert [(f.row, f.value) for f in warned if f.value == named] == [(3, named)], [(f.row, f.value) for f in warned]
    page = page_text(site, f"h/{name}")
    assert dangerous(page) == []
    assert "正文结束" in page


def test_minutes_embedded_in_a_decision_page_are_sanitised(sanitised):
    portal, report, site = sanitised
    decision = next(p for p in (site / "decisions").iterdir() if "minutes" in page_text(site, f"decisions/{p.name}"))
    assert dangerous(page_text(site, f"decisions/{decision.name}")) == []
    assert dangerous(page_text(site, "minutes/hostile")) == []
    assert ("content-sanitised", None, 3, None) in codes(report, "warning")


# ------------------------------------------------------------------ files by what they are


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def portal(tmp_path):
    root = tmp_path / "portal"
    init_portal(root)
    return root


@pytest.mark.parametrize("name, body, code", [
    ("evil.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "output-script"),
    ("onload.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "output-event-handler"),
    ("remote.svg", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                   '<image xlink:href="https://evil.example/track.png"/></svg>', "output-external-reference"),
    ("animate.svg", '<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" values="javascript:alert(1)"/>'
                    '</a></svg>', "output-script-url"),
    ("page.htm", "<p>x</p><script>alert(1)</script>", "output-script"),
    ("broken.svg", "<svg><rect></svg", "output-bad-xml"),
])
def test_content_files_are_checked_by_what_they_are(portal, name, body, code):
    (portal / "content" / "images").mkdir(exist_ok=True)
    (portal / "content" / "images" / name).write_text(body, encoding="utf-8")
    done = run("build", str(portal), "--today", TODAY)
    assert done.returncode == 1, done.stdout
    assert f"images/{name}" in done.stderr and not (portal / "site").exists()
    assert code in {c for c in ("output-script", "output-event-handler", "output-external-reference", "output-script-url",
                                "output-bad-xml") if _said(done.stderr, c)}


def _said(stderr: str, code: str) -> bool:
    words = {"output-script": "脚本", "output-event-handler": "事件属性", "output-external-reference": "外部资源",
             "output-script-url": "脚本地址", "output-bad-xml": "XML"}
    return words[code] in stderr


def test_a_clean_svg_is_published(portal):
    (portal / "content" / "images").mkdir(exist_ok=True)
    (portal / "content" / "images" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>', encoding="utf-8")
    site = build_site(portal)
    assert (site / "images" / "logo.svg").is_file()


@pytest.mark.parametrize("name", ["widget.js", "page.xhtml", "old.swf", "tool.hta"])
def test_content_files_a_browser_runs_are_refused_unless_trusted(portal, name):
    (portal / "content" / name).write_text("alert(1)", encoding="utf-8")
    assert ("active-file", None, None, None) in codes(validate(portal))
    configure(portal, trusted_files=[name])
    assert ("active-file", None, None, None) not in codes(validate(portal))


# ------------------------------------------------------------------ front matter


def test_front_matter_stays_text_wherever_the_theme_puts_it(portal):
    (portal / "content" / "about.md").write_text(
        "---\ntitle: '关于</title><style>body{display:none}</style>'\n"
        "description: '\"><form action=\"https://evil.example/\"><input name=q>'\n---\n\n# 关于\n\n正文。\n", encoding="utf-8")
    site = build_site(portal)
    for page in site.rglob("*.html"):
        document = parse_html(page.read_text(encoding="utf-8"))
        titles = [e for e in document.elements if e.tag == "title" and not e.inside("svg")]  # charts have SVG titles
        assert len(titles) == 1, page
        assert not [e for e in document.elements if e.tag == "style" and e.inside("body")], page
        assert not [e for e in document.elements if e.tag == "form" and e.attrs.get("action", "").startswith("https://evil")], page
    about = page_text(site, "about")
    assert "关于＜/title＞＜style＞" in about


def test_a_direction_override_in_a_front_matter_title_is_shown_not_obeyed(portal):
    (portal / "content" / "about.md").write_text("---\ntitle: \"关于\u202e反转\"\n---\n\n正文。\n", encoding="utf-8")
    site = build_site(portal)
    about = page_text(site, "about")
    assert "\u202e" not in about and "⟨U+202E⟩" in about


# ------------------------------------------------------------------ encodings and personal data


def test_pages_saved_as_gbk_are_read_as_gbk(portal):
    (portal / "content" / "about.md").write_bytes("# 关于本站\n\n由街道办事处维护。\n".encode("gbk"))
    minutes = portal / "content" / "minutes"
    minutes.mkdir(exist_ok=True)
    site = build_site(portal)
    assert "由街道办事处维护" in page_text(site, "about")


def test_an_unreadable_page_is_a_finding_naming_file_and_line(portal):
    (portal / "content" / "about.md").write_bytes("# 关于\n\n".encode() + b"\xff\xfe\xfd broken\n")
    assert ("bad-encoding", None, 3, None) in codes(validate(portal))
    done = run("build", str(portal), "--today", TODAY)
    assert done.returncode == 1 and "content/about.md" in done.stdout + done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("markdown, line", [
    ("# 关于\n\n联系人 13812345678\n", 3),
    ("# 关于\n\n联系人 １３８１２３４５６７８\n", 3),
    ("# 关于\n\n正文\n\n[打电话](tel:13812345678)\n", 5),
    ("---\ndescription: 手机 138-1234-5678\n---\n\n# 关于\n", 2),
])
def test_personal_data_in_a_page_is_an_error_naming_file_and_line(portal, markdown, line):
    (portal / "content" / "about.md").write_text(markdown, encoding="utf-8")
    found = [f for f in validate(portal).errors if f.code == "personal-data"]
    assert [(f.file, f.row) for f in found] == [("content/about.md", line)]


def test_personal_data_in_a_file_name_is_an_error(portal):
    (portal / "content" / "images").mkdir(exist_ok=True)
    (portal / "content" / "images" / "13812345678.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    found = [f for f in validate(portal).errors if f.code == "personal-data"]
    assert [f.file for f in found] == ["content/images/13812345678.png"]


def test_with_masking_a_page_is_published_masked(portal):
    (portal / "content" / "about.md").write_text("# 关于\n\n联系人 138-1234-5678，[短信](sms:13812345678)\n", encoding="utf-8")
    configure(portal, masking=True)
    report = validate(portal)
    assert report.valid and ("personal-data-masked", None, 3, None) in codes(report, "warning")
    site = build_site(portal)
    assert "138****5678" in page_text(site, "about")
    leaked = [p for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml")
              and [h for h in find(p.read_text(encoding="utf-8")) if h.digits.endswith("12345678")]]
    assert leaked == []


def test_validating_again_converts_only_the_pages_that_changed(portal, monkeypatch):
    """`gongkai serve` validates after every edit: a page's findings are kept while its bytes, its name,
    the extensions, masking and the public numbers are the same; any of these changing finds them again."""
    import markdown

    from gongkai.site.content import check_content

    docs = portal / "content"
    (docs / "about.md").write_text("# 关于\n\n<script>alert(1)</script>\n\n联系人 13812345678\n", encoding="utf-8")
    (docs / "guide.md").write_text("# 办事指南\n\n请到社区服务站办理。\n", encoding="utf-8")
    converted = []
    real = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert", lambda self, text: (converted.append(text), real(self, text))[1])

    def check(masking=False, public=(), extensions=()):
        converted.clear()
        return sorted((f.code, f.file, f.row) for f in check_content(docs, portal, list(extensions), masking, set(public), []))

    pages = [p for p in docs.rglob("*") if p.suffix == ".md"]
    first = check()
    assert len(converted) == len(pages) > 1
    assert {("content-sanitised", "content/about.md", 3), ("personal-data", "content/about.md", 5)} <= set(first)
    assert check() == first and converted == []  # nothing changed: the kept findings
    (docs / "about.md").write_text("# 关于\n\n<script>alert(1)</script>\n\n\n联系人 13812345678\n", encoding="utf-8")
    edited = check()
    assert len(converted) == 1 and ("personal-data", "content/about.md", 6) in edited
    assert ("personal-data-masked", "content/about.md", 6) in check(masking=True) and len(converted) == len(pages)
    assert not [f for f in check(public=["13812345678"]) if f[0].startswith("personal")] and len(converted) == len(pages)
    check(extensions=[("toc", {})])
    assert len(converted) == len(pages)
    check()
    (docs / "about.md").rename(docs / "关于.md")  # the same bytes under another name
    assert ("personal-data", "content/关于.md", 6) in check() and len(converted) == 1
