"""The core: plugin discovery, switching plugins off, the report format, safe and reproducible builds."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import TODAY, build_site, read_rows, write_rows

from gongkai import hookimpl
from gongkai.bridge.build import build
from gongkai.config import load_config
from gongkai.plugin_manager import DEFAULT_PLUGINS, create_plugin_manager
from gongkai.session import open_session
from gongkai.settings import ConfigError, Settings


def set_gongkai_settings(root: Path, **options) -> None:
    config_path = root / "site_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "gongkai" in entry:
            entry["gongkai"] = {**(entry["gongkai"] or {}), **options}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def gongkai_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------ plugins


def test_builtin_plugins_all_load_with_their_source(portal):
    settings = load_config(portal).settings
    infos = {i.name: i for i in create_plugin_manager(settings, portal).infos()}
    assert set(DEFAULT_PLUGINS) <= set(infos)
    assert infos["home"].source == "内置"
    assert "register_pages" in infos["home"].hooks


def test_entry_point_plugin_is_discovered(tmp_path, portal, monkeypatch):
    site = tmp_path / "site-packages"
    (site / "gk_extra_plugin.py").parent.mkdir(parents=True)
    (site / "gk_extra_plugin.py").write_text(textwrap.dedent('''
        from gongkai import hookimpl

        @hookimpl
        def register_pages(register, portal):
            register("extra/", "安装包插件页", "<h1>来自安装包的插件</h1>")
    '''), encoding="utf-8")
    dist = site / "gk_extra_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gk-extra-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[gongkai]\nextra = gk_extra_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    settings = load_config(portal).settings
    infos = {i.name: i for i in create_plugin_manager(settings, portal).infos()}
    assert infos["extra"].source == "安装包 gk-extra-plugin"
    html = (build_site(portal) / "extra" / "index.html").read_text(encoding="utf-8")
    assert "来自安装包的插件" in html


def test_portal_plugin_named_in_config_adds_a_page(portal):
    (portal / "plugins" / "points.py").write_text(textwrap.dedent('''
        from gongkai import hookimpl

        @hookimpl
        def register_pages(register, portal):
            teams = len(portal.units)
            register("points/", "积分榜", f"<h1>积分榜</h1><p>单位数 {teams}</p>", nav="积分榜", order=70)
    '''), encoding="utf-8")
    set_gongkai_settings(portal, plugins=["plugins/points.py"])
    result = gongkai_cli("plugins", str(portal))
    assert result.returncode == 0
    assert re.search(r"^points\s+门户 plugins/points.py\s+register_pages$", result.stdout, re.M)
    site = build_site(portal)
    units = len(read_rows(portal, "units"))
    assert f"单位数 {units}" in (site / "points" / "index.html").read_text(encoding="utf-8")
    assert 'href="points/"' in (site / "index.html").read_text(encoding="utf-8")  # in the nav


def test_portal_plugin_outside_the_portal_is_refused(portal, tmp_path):
    outside = tmp_path / "evil.py"
    outside.write_text("raise SystemExit('should never run')\n", encoding="utf-8")
    (portal / "plugins" / "evil.py").symlink_to(outside)
    set_gongkai_settings(portal, plugins=["plugins/evil.py"])
    with pytest.raises(ConfigError) as exc:
        open_session(portal, TODAY)
    assert exc.value.finding.code == "plugin-outside"


def test_default_plugin_can_be_switched_off(portal):
    set_gongkai_settings(portal, disable=["feed"])
    listing = gongkai_cli("plugins", str(portal)).stdout
    assert not re.search(r"^feed\s", listing, re.M)
    assert re.search(r"^home\s", listing, re.M)
    site = build_site(portal)
    assert not (site / "feed.xml").exists()
    assert (site / "index.html").exists()


def test_safety_plugin_cannot_be_switched_off_by_accident(portal):
    set_gongkai_settings(portal, disable=["privacy_guard"])
    result = gongkai_cli("validate", str(portal), "--format", "json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == "safety-plugin"


def test_plugin_registered_in_a_test_adds_a_page(portal):
    class TestPlugin:
        @hookimpl
        def register_pages(self, register, portal):
            register("test-page/", "测试页", "<h1>测试页</h1><p>项目数 %d</p>" % len(portal.projects))

    session = open_session(portal, TODAY)
    session.pm.register(TestPlugin(), name="test_plugin")
    try:
        result = build(portal, today=TODAY, session=session)
    finally:
        session.pm.unregister(name="test_plugin")
    assert result.ok, result.error
    html = (result.site_dir / "test-page" / "index.html").read_text(encoding="utf-8")
    assert f"项目数 {len(read_rows(portal, 'projects'))}" in html
    assert "<title>测试页" in html


def test_trace_environment_variable_shows_hook_calls(portal, monkeypatch):
    monkeypatch.setenv("GONGKAI_TRACE_PLUGINS", "1")
    result = gongkai_cli("validate", str(portal), "--today", TODAY)
    assert result.returncode == 0
    assert "[gongkai trace] register_checks →" in result.stderr


# ------------------------------------------------------------------------------ report


FINDING_KEYS = {"code", "resource", "file", "row", "column", "field", "value", "message"}


def test_json_report_for_valid_data(portal):
    result = gongkai_cli("validate", str(portal), "--today", TODAY, "--format", "json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report == {"valid": True, "errors": [], "warnings": report["warnings"]}


def test_json_report_for_bad_data_names_file_row_column_field(portal):
    rows = read_rows(portal, "projects")
    rows[1]["due_date"] = "2025年1月20日"
    write_rows(portal, "projects", rows)
    result = gongkai_cli("validate", str(portal), "--today", TODAY, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    finding = next(f for f in report["errors"] if f["field"] == "due_date")
    assert set(finding) == FINDING_KEYS
    assert finding["resource"] == "projects"
    assert finding["file"] == "datasets/projects.csv"
    assert finding["row"] == 3  # header is line 1, the second data row is line 3
    fields = list(rows[0])
    assert finding["column"] == chr(ord("A") + fields.index("due_date"))
    assert finding["value"] == "2025年1月20日"
    assert "2025-01-20" in finding["message"]


def test_usage_and_config_errors_exit_2(portal, tmp_path):
    assert gongkai_cli("validate", str(tmp_path / "nowhere")).returncode == 2
    assert gongkai_cli("frobnicate").returncode == 2
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nsite_name: 又一个名字\n", encoding="utf-8")
    result = gongkai_cli("validate", str(portal), "--format", "json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == "duplicate-key"


def test_unknown_setting_is_a_config_error():
    with pytest.raises(ConfigError) as exc:
        Settings.from_mapping({"red_list_minimum": 90})
    assert exc.value.finding.code == "unknown-setting"


def test_reference_date_precedence(portal, monkeypatch):
    set_gongkai_settings(portal, today="2026-01-01")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert str(open_session(portal).today) == "2026-01-01"
    monkeypatch.setenv("GONGKAI_TODAY", "2026-02-02")
    assert str(open_session(portal).today) == "2026-02-02"
    assert str(open_session(portal, "2026-03-03").today) == "2026-03-03"
    set_gongkai_settings(portal, today=None)
    monkeypatch.delenv("GONGKAI_TODAY")
    assert str(open_session(portal).today) == "1970-01-01"


# ------------------------------------------------------------------------------ builds


def test_failed_build_leaves_the_old_site_byte_for_byte(portal):
    site = build_site(portal)
    before = tree_digest(site)
    rows = read_rows(portal, "units")
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    result = gongkai_cli("build", str(portal), "--today", TODAY)
    assert result.returncode == 1
    assert "constraint-enum" in result.stderr and "datasets/units.csv" in result.stderr
    assert tree_digest(site) == before
    assert not list(portal.glob(".site.building-*"))


def test_two_builds_are_byte_identical(portal, tmp_path):
    first = tree_digest(build_site(portal, site_dir=tmp_path / "one"))
    second = tree_digest(build_site(portal, site_dir=tmp_path / "two"))
    assert first.keys() == second.keys()
    different = [path for path in first if first[path] != second[path]]
    assert different == []


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in ("canonical", "alternate"):
            self.assets.append(attrs["href"])


def test_no_asset_is_loaded_from_another_host(repo_root, demo_copy):
    site = build_site(demo_copy)
    external = []
    for page in site.rglob("*.html"):
        refs = _Refs()
        refs.feed(page.read_text(encoding="utf-8"))
        external += [(page.name, ref) for ref in refs.assets if re.match(r"^(https?:)?//", ref)]
    assert external == []
    assert "fonts.googleapis" not in (site / "index.html").read_text(encoding="utf-8")


def test_demo_portal_builds_with_plain_mkdocs(demo_copy):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site_config.yml"],
                            cwd=demo_copy, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (demo_copy / "site" / "decisions" / "index.html").exists()


def test_init_portal_builds_index_pages(tmp_path):
    result = gongkai_cli("init", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / ".github" / "workflows" / "portal.yml").exists()
    assert (tmp_path / "new" / ".gitlab-ci.yml").exists()
    site = build_site(tmp_path / "new")
    for page in ("index.html", "decisions/index.html", "results/index.html", "data/index.html"):
        assert (site / page).stat().st_size > 0
    assert gongkai_cli("init", str(tmp_path / "new")).returncode == 2  # never overwrites


def test_content_file_named_like_a_generated_page_is_refused(portal):
    (portal / "content" / "decisions").mkdir()
    (portal / "content" / "decisions" / "index.md").write_text("# 手写页\n", encoding="utf-8")
    result = build(portal, today=TODAY)
    assert not result.ok and "content/decisions/index.md" in result.error


def test_build_reports_its_page_count_and_prints_one_summary_line_in_ci(portal, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = gongkai_cli("build", str(portal), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    pages = len(list((portal / "site").rglob("*.html"))) - 1  # without 404.html
    assert re.fullmatch(rf"网站已生成：.*（{pages} 页，[\d.]+ 秒；数据提示 \d+ 条.*）。\n", result.stdout)
    assert "━" not in result.stderr  # no progress bar in CI logs
