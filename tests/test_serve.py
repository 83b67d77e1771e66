"""`gongkai serve`: rebuilds when data changes, and shows findings instead of crashing on bad data."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import mkdocs.commands.build
import mkdocs.config
from conftest import read_rows, write_rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = fetch(url)
        if body and text in body:
            return True
        time.sleep(0.3)
    return False


def test_preview_of_invalid_data_shows_the_findings_on_the_page(portal, tmp_path):
    rows = read_rows(portal, "units")
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    config = mkdocs.config.load_config(str(portal / "site_config.yml"), site_dir=str(tmp_path / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    mkdocs.commands.build.build(config)
    html = (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
    assert 'class="gk-banner"' in html and "datasets/units.csv" in html and "居委会" in html


def test_serve_rebuilds_when_a_csv_row_changes(portal):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gongkai.cli", "serve", str(portal), "--dev-addr", f"127.0.0.1:{port}",
                               "--today", "2026-11-25"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        home = f"http://127.0.0.1:{port}/"
        rows = read_rows(portal, "decisions")
        assert wait_for(home, rows[0]["title"][:4], 120), "the preview server did not start"
        rows[0]["title"] = "预览刷新测试议题"
        write_rows(portal, "decisions", rows)
        assert wait_for(home, "预览刷新测试议题", 60)
        rows[0]["date"] = "2025年1月1日"  # briefly invalid: the server keeps running and shows the finding
        write_rows(portal, "decisions", rows)
        assert wait_for(home, "gk-banner", 60)
    finally:
        server.terminate()
        server.wait(timeout=10)
