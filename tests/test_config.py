"""site_config.yml is read once, as MkDocs reads it (`!ENV`, `INHERIT`), and validated in full: what
`gongkai validate` accepts the build accepts, and every problem is Chinese with its line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, build_site

from gongkai.config import load_config


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def replace_line(portal: Path, start: str, new: str) -> None:
    config = portal / "site_config.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = [new if line.startswith(start) else line for line in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("env, expected", [
    ({"SITE_URL": "https://env.example.org/portal/"}, "https://env.example.org/portal/"),
    ({}, "https://fallback.example.org/"),
])
def test_site_url_from_the_environment_with_a_default(demo_copy, monkeypatch, env, expected):
    portal = demo_copy
    monkeypatch.delenv("SITE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    replace_line(portal, "site_url:", 'site_url: !ENV [SITE_URL, "https://fallback.example.org/"]')
    assert load_config(portal).site_url == expected
    site = build_site(portal)
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert f'<link rel="self" type="application/atom+xml" href="{expected}feed.xml"' in feed
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{expected}">' in home
    notices = [p.read_text(encoding="utf-8") for p in site.glob("*/*/notice/index.html")]
    assert notices and all(f"网上地址：{expected}" in notice for notice in notices)


def test_site_url_from_an_unset_variable_is_no_site_url(portal, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    replace_line(portal, "site_url:", "site_url: !ENV SITE_URL")
    done = cli("validate", str(portal), "--today", TODAY)
    assert done.returncode == 0, done.stdout + done.stderr
    site = build_site(portal)  # the link check finds nothing wrong without a site_url
    assert 'rel="canonical"' not in (site / "index.html").read_text(encoding="utf-8")


def test_inherit_merges_a_parent_config(portal):
    (portal / "base.yml").write_text("site_description: 来自上级配置的简介\n", encoding="utf-8")
    config = portal / "site_config.yml"
    text = config.read_text(encoding="utf-8").replace("site_description:", "# site_description:", 1)
    config.write_text("INHERIT: base.yml\n" + text, encoding="utf-8")
    assert load_config(portal).mkdocs.site_description == "来自上级配置的简介"
    about = (build_site(portal) / "about" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="来自上级配置的简介">' in about


def test_a_misspelt_key_fails_validate_in_chinese_with_line_and_likely_key(portal):
    replace_line(portal, "site_name:", "site_nmae: 某某街道公开网")
    line = next(i for i, text in enumerate((portal / "site_config.yml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("site_nmae"))
    done = cli("validate", str(portal), "--format", "json")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    [finding] = report["errors"]
    assert finding["code"] == "mkdocs-config" and finding["file"] == "site_config.yml"
    assert f"第 {line} 行：不认识的设置项 site_nmae。是否应为 site_name？" in finding["message"]
    assert "缺少必填的设置项 site_name（网站名称）" in finding["message"]
    assert "Required configuration" not in finding["message"]
    build = cli("build", str(portal), "--today", TODAY)
    assert build.returncode == 2 and "site_nmae" in build.stderr


def test_a_duplicate_key_names_both_lines(portal):
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_name: 第二个名称\n", encoding="utf-8")
    done = cli("validate", str(portal))
    assert done.returncode == 2 and "'site_name' 重复出现（第一次在第" in done.stderr


def test_site_config_is_read_once_per_build(portal, monkeypatch):
    import builtins
    import io

    reads = []
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        if str(file).endswith("site_config.yml"):
            reads.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    build_site(portal)
    assert len(reads) == 1, reads


def test_a_python_name_for_markdown_extensions_still_works(portal):
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - attr_list\n", (
        "  - attr_list\n"
        "  - pymdownx.superfences:\n"
        "      custom_fences:\n"
        "        - name: plain\n"
        "          class: plain\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format\n"), 1),
        encoding="utf-8")
    import pymdownx.superfences

    extensions = dict(load_config(portal).markdown_extensions)
    assert extensions["pymdownx.superfences"]["custom_fences"][0]["format"] is pymdownx.superfences.fence_code_format
