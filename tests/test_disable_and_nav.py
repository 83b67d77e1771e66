"""A portal that switches a page plugin off gets a consistent site: no link, nav entry, home section,
search entry or feed entry to a page that does not exist. A portal's own `nav:` keeps the generated
sections. A name in `disable` that is no plugin is an error naming the plugins."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TODAY, build_site

from gongkai.plugin_manager import DEFAULT_PLUGINS
from gongkai.settings import SAFETY_PLUGINS

#: the page families each page plugin makes (URL path prefixes), besides its nav page
FAMILIES = {
    "home": [""],
    "decisions": ["decisions/"],
    "results": ["results/"],
    "lists": ["lists/"],
    "units": ["units/"],
    "projects": ["projects/"],
    "notices": ["notices/", "decisions/*/notice/", "projects/*/notice/"],
    "open_data": ["data/"],
    "double_report": ["services/"],
    "whistles": ["results/whistles/"],
}


def configure(portal: Path, **options) -> None:
    path = portal / "site_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(p["gongkai"] for p in config["plugins"] if isinstance(p, dict) and "gongkai" in p)
    entry.update(options)
    config.update({k: v for k, v in options.items() if k == "nav"})
    entry.pop("nav", None)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def links(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"#]*)', html)


def resolve(page: Path, site: Path, href: str) -> Path | None:
    if not href or re.match(r"^[a-z]+:", href) or href.startswith("/"):
        return None
    target = (page.parent / href).resolve()
    return target / "index.html" if href.endswith("/") or target.is_dir() or href in (".", "..") else target


@pytest.mark.parametrize("plugin", sorted(set(FAMILIES) - {"home"}))
def test_switching_off_a_page_plugin_builds_a_consistent_site(demo_copy, tmp_path, plugin):
    configure(demo_copy, disable=[plugin])
    site = build_site(demo_copy, site_dir=tmp_path / "site")
    nav_families = [p for p in FAMILIES[plugin] if "*" not in p]
    for pattern in FAMILIES[plugin]:
        assert not list(site.glob(pattern + "index.html")), f"{pattern} still built"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for href in links(html):
            target = resolve(page, site, href)
            assert target is None or target.is_file(), f"{page.relative_to(site)} links to missing {href}"
    home = (site / "index.html").read_text(encoding="utf-8")
    sections = re.search(r'<section id="sections">(.*?)</section>', home, re.S).group(1)
    for family in nav_families:
        assert f'href="{family}"' not in sections
    searched = [page["u"] for fragment in (site / "search" / "p").glob("*.json")
                for page in json.loads(fragment.read_text(encoding="utf-8"))]
    assert "about/" in searched  # the index is read (a hand-written page is always in it)
    prefixes = tuple(p.replace("*/", "") for p in FAMILIES[plugin])
    assert not [u for u in searched if u.startswith(prefixes) and u]
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    for href in re.findall(r'<link rel="alternate" type="text/html" href="([^"]+)"', feed):
        path = href.split("/jinfeng/", 1)[1] if "/jinfeng/" in href else href
        assert (site / path / "index.html").is_file(), f"the feed links to a missing page {href}"


def test_switching_off_the_feed_removes_its_link_from_every_page(demo_copy, tmp_path):
    on = build_site(demo_copy, site_dir=tmp_path / "on")
    assert 'type="application/atom+xml"' in (on / "decisions" / "index.html").read_text(encoding="utf-8")
    configure(demo_copy, disable=["feed"])
    site = build_site(demo_copy, site_dir=tmp_path / "off")
    assert not (site / "feed.xml").exists()
    assert [p for p in site.rglob("*.html") if "application/atom+xml" in p.read_text(encoding="utf-8")] == []


def test_switching_off_home_needs_a_home_page_of_ones_own(demo_copy, tmp_path):
    configure(demo_copy, disable=["home"])
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "build", str(demo_copy), "--today", TODAY],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "disable" in done.stderr and "index.md" in done.stderr
    assert done.stderr.count("网站没有首页") == 1
    (demo_copy / "content" / "index.md").write_text("# 我们的首页\n\n欢迎。\n", encoding="utf-8")
    site = build_site(demo_copy, site_dir=tmp_path / "site")
    assert "我们的首页" in (site / "index.html").read_text(encoding="utf-8")


def test_a_name_that_is_no_plugin_is_an_error_naming_the_plugins(demo_copy):
    configure(demo_copy, disable=["feeds"])
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "validate", str(demo_copy), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    [finding] = json.loads(done.stdout)["errors"]
    assert finding["code"] == "unknown-plugin" and "feeds" in finding["message"] and "feed、" in finding["message"]
    assert set(DEFAULT_PLUGINS) - set(SAFETY_PLUGINS) <= set(re.findall(r"[a-z_]+", finding["message"]))


def test_a_failed_check_is_listed_once(demo_copy, tmp_path):
    (demo_copy / "content" / "bad.htm").write_text("<p>x</p><script>alert(1)</script>\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "build", str(demo_copy), "--today", TODAY],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.count("bad.htm") == 1, done.stderr


def test_a_portal_nav_keeps_the_generated_sections(demo_copy, tmp_path):
    configure(demo_copy, nav=[{"关于本站": "about.md"}, {"决策": "decisions/index.md"}])
    site = build_site(demo_copy, site_dir=tmp_path / "site")
    html = (site / "about" / "index.html").read_text(encoding="utf-8")
    entries = re.findall(r'<a href="([^"#]*)" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', html)
    assert entries == [("..", "首页"), ("../results/", "结果公开"), ("../lists/", "三张清单"), ("../units/", "组织架构"),
                       ("../services/", "双报到"), ("../data/", "开放数据"), ("../notices/", "公示栏"), ("./", "关于本站"),
                       ("../decisions/", "决策")]  # the decisions index where the portal placed it, once
