"""The theme (gongkai/theme/ + plugins/theme_assets.py): a real portal is built with a footer, a share
image and a hostile page title, and its HTML is read: assets are local and linked site-relative, the
长辈模式 switch is on every page, the footer and share metadata are there and escaped."""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import build_site
from gongkai.plugins import theme_assets

from gongkai.scaffold import init_portal
from gongkai.session import open_session

THEME = Path(theme_assets.__file__).resolve().parents[1] / "gongkai" / "theme"
FOOTER = {"icp": '闽ICP备<b>12345678</b>号-1 & "x"', "police": "闽公网安备 35020000000000号", "site_code": "3502000001"}
HOSTILE = """<b>"晒" & '账'</b>"""
SITE_URL = "https://example.org/gongkai/"
SITE_PATH = "/gongkai/"
#: tags and attributes through which a browser loads something while showing the page
LOADS = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
         "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",)}
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "preconnect", "dns-prefetch", "manifest", "apple-touch-icon"}


class Tags(HTMLParser):
    """Every start tag with its (unescaped) attributes, and whether it was inside <head>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict, bool]] = []
        self.in_head = False
        self.texts: dict[int, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.in_head = self.in_head or tag == "head"
        self.tags.append((tag, dict(attrs), self.in_head))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def handle_data(self, data):
        if self.tags:
            index = len(self.tags) - 1
            self.texts[index] = self.texts.get(index, "") + data

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a, _ in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def meta(self, key: str) -> str | None:
        found = [a.get("content") for t, a, _ in self.tags if t == "meta" and key in (a.get("property"), a.get("name"))]
        return found[0] if found else None


@pytest.fixture(scope="module")
def theme_portal(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("theme") / "portal"
    init_portal(root)
    config_file = root / "site_config.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    gongkai = next(p["gongkai"] for p in config["plugins"] if isinstance(p, dict) and "gongkai" in p)
    gongkai.update(footer=FOOTER, share_image="images/share.png")
    config["site_url"] = SITE_URL
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "content" / "images").mkdir(parents=True, exist_ok=True)
    (root / "content" / "images" / "share.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "content" / "hostile.md").write_text(
        f"---\ntitle: {yaml.safe_dump(HOSTILE, allow_unicode=True).splitlines()[0]}\n---\n\n正文。\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(theme_portal) -> Path:
    return build_site(theme_portal, site_dir=theme_portal.parent / "site")


def page(site: Path, path: str) -> tuple[str, Tags]:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return html, Tags(html)


def all_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_theme_assets_are_linked_site_relative_and_exist(site):
    for path in ("", "units/u-audit/", "projects/p-seats/"):
        _, tags = page(site, path)
        css = [a["href"] for a in tags.find("link", rel="stylesheet") if a["href"].endswith("gongkai/gongkai.css")]
        head_js = [a["src"] for t, a, in_head in tags.tags if t == "script" and in_head and a.get("src", "").endswith("gongkai/theme.js")]
        assert len(css) == 1 and len(head_js) == 1, path
        for url in css + head_js:
            assert not re.match(r"^(/|[a-z]+:)", url), url
            assert (site / posixpath.normpath(posixpath.join(path, url))).is_file(), url


def test_every_local_asset_reference_resolves(site):
    for html_file in all_pages(site):
        base = html_file.parent.relative_to(site).as_posix()
        for url in asset_urls(Tags(html_file.read_text(encoding="utf-8"))):
            if re.match(r"^([a-z]+:|//|#)", url):
                continue
            url = url.split("#")[0].split("?")[0]
            if url.startswith(SITE_PATH):  # 404.html links from the site root, as it is served at any depth
                base, url = "", url[len(SITE_PATH):]
            target = posixpath.normpath(posixpath.join(base, url))
            assert (site / target).exists(), (html_file.relative_to(site), url)


def asset_urls(tags: Tags) -> list[str]:
    urls = []
    for tag, attrs, _ in tags.tags:
        if tag == "link" and LOADING_RELS & set((attrs.get("rel") or "").split()):
            urls.append(attrs.get("href") or "")
        for name in LOADS.get(tag, ()):
            value = attrs.get(name)
            if value:
                urls.extend(part.split()[0] for part in value.split(",") if part.strip()) if name == "srcset" else urls.append(value)
    return urls


def test_no_asset_is_loaded_from_another_host(site):
    for html_file in all_pages(site):
        html = html_file.read_text(encoding="utf-8")
        remote = [u for u in asset_urls(Tags(html)) if re.match(r"^(https?:)?//", u)]
        assert remote == [], html_file.relative_to(site)


def test_font_false_is_respected(site):
    for file in [*all_pages(site), *site.rglob("*.css")]:
        text = file.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, file.relative_to(site)


@pytest.mark.parametrize("path", ["", "units/u-audit/", "decisions/d-001/", "about/"])
def test_elder_mode_switch_is_on_every_kind_of_page(site, path):
    _, tags = page(site, path)
    buttons = [(a, tags.texts.get(i, "").strip()) for i, (t, a, _) in enumerate(tags.tags) if t == "button" and "data-gk-elder" in a]
    assert len(buttons) == 1
    attrs, text = buttons[0]
    assert text == "长辈模式"
    assert attrs["type"] == "button" and attrs["aria-pressed"] == "false"
    assert "hidden" in attrs  # theme.js reveals it: without JavaScript it could not work


def test_elder_mode_script_and_stylesheet_agree(site):
    script = (site / "assets" / "gongkai" / "theme.js").read_text(encoding="utf-8")
    css = (site / "assets" / "gongkai" / "gongkai.css").read_text(encoding="utf-8")
    css_class = re.search(r'CLASS = "([\w-]+)"', script).group(1)
    assert "[data-gk-elder]" in script and "localStorage" in script and "addEventListener" in script
    elder_text = rule(css, f"html.{css_class} .md-typeset")
    assert "font-size: 20px" in elder_text and "line-height: 1.6" in elder_text
    assert "--gk-tap: 60px" in rule(css, f"html.{css_class}")
    assert "overflow-x: auto" in rule(css, ".md-typeset .gk-table-wrap")


def rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list is exactly `selector`."""
    match = re.search(r"(?:^|})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css, re.M)
    assert match, selector
    return match.group(1)


def test_print_stylesheet_hides_the_site_chrome(site):
    css = (site / "assets" / "gongkai" / "gongkai.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print {") + len("@media print {"):]
    hidden = printed[:printed.index("{")]
    for selector in (".md-header", ".md-sidebar", ".md-search", ".md-footer", ".gk-elder-toggle"):
        assert selector in hidden, selector
    assert "content: none" in printed


def test_no_inline_scripts_or_event_handlers_in_theme_markup():
    for template in THEME.rglob("*.html"):
        assert not re.search(r"\son[a-z]+\s*=|<script>", template.read_text(encoding="utf-8")), template


def test_footer_shows_the_configured_lines_escaped(site):
    html, tags = page(site, "units/u-audit/")
    footer = html[html.index("<footer"):html.index("</footer>")]
    assert "政府网站标识码：3502000001" in footer
    assert "闽ICP备&lt;b&gt;12345678&lt;/b&gt;号-1 &amp; &#34;x&#34;" in footer
    assert "闽公网安备 35020000000000号" in footer
    assert [a["href"] for a in tags.find("a") if a.get("href", "").startswith("https://beian.miit.gov.cn")] == ["https://beian.miit.gov.cn/"]


def test_share_metadata_on_home_and_entity_pages(site, theme_portal):
    _, home = page(site, "")
    config = yaml.safe_load((theme_portal / "site_config.yml").read_text(encoding="utf-8"))
    assert home.meta("og:title") == config["site_name"]
    assert home.meta("og:description") == home.meta("description") != ""
    _, about = page(site, "about/")  # a page without its own description: the site's
    assert about.meta("og:description") == about.meta("description") == config["site_description"]
    assert home.meta("og:image") == SITE_URL + "images/share.png"
    assert home.meta("og:url") == SITE_URL
    _, decision = page(site, "decisions/d-001/")
    assert decision.meta("og:url") == SITE_URL + "decisions/d-001/"
    assert decision.meta("description") and decision.meta("og:description") == decision.meta("description")
    assert (site / "images" / "share.png").is_file()


def test_page_titles_name_the_site_once(site, theme_portal):
    name = yaml.safe_load((theme_portal / "site_config.yml").read_text(encoding="utf-8"))["site_name"]
    home, _ = page(site, "")
    assert re.findall(r"<title>(.*?)</title>", home) == [name]
    decisions, _ = page(site, "decisions/")
    assert re.findall(r"<title>(.*?)</title>", decisions) == [f"决策公开 - {name}"]


def test_share_metadata_is_escaped_for_a_hostile_title(site):
    html, tags = page(site, "hostile/")
    assert tags.meta("og:title") == "＜b＞＂晒＂ ＆ ＇账＇＜/b＞"  # front matter is plain text, as data titles are
    assert "<b>" not in html.split("</head>")[0]


def test_a_missing_share_image_is_a_finding(theme_portal, tmp_path):
    session = open_session(theme_portal, "2026-11-25")
    findings = list(theme_assets.check_site(site_dir=tmp_path, portal=session.portal))
    assert [(f.code, f.file, f.field) for f in findings] == [("share-image-missing", "site_config.yml", "share_image")]
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "share.png").write_bytes(b"png")
    assert list(theme_assets.check_site(site_dir=tmp_path, portal=session.portal)) == []


def test_without_footer_settings_there_is_no_footer_block(portal):
    site = build_site(portal)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="gk-footer"' not in html and "beian" not in html
    assert 'property="og:image"' not in html  # no share image configured
