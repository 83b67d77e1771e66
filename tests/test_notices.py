"""公示栏 and the printable notices with their QR codes."""
from __future__ import annotations

import re

import segno
import zxingcpp
from conftest import build_site
from gongkai.plugins.notices import qr_svg
from PIL import Image, ImageDraw

SITE_URL = "https://gongkai.example.org/jinfeng/"


def test_notice_board_lists_decisions_in_or_before_their_notice_period_and_recent_ones(demo_copy):
    site = build_site(demo_copy)
    board = (site / "notices" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r'href="\.\./decisions/([^/"]+)/notice/"', board))
    assert {"d-2026-11-dy-03", "d-2026-11-jf-04", "d-2026-11-tm-03", "d-2026-11-fy-04"} <= listed
    assert "d-2025-01-jf-01" not in listed  # long past: printable from its own page
    assert 'href="notices/"' in (site / "index.html").read_text(encoding="utf-8")  # in the nav


def test_noticed_decisions_and_projects_have_a_printable_notice_with_its_qr_code(demo_copy):
    site = build_site(demo_copy)
    decision = (site / "decisions" / "d-2026-11-dy-03" / "notice" / "index.html").read_text(encoding="utf-8")
    assert "公示期" in decision and "2026年11月" in decision
    target = SITE_URL + "decisions/d-2026-11-dy-03/"
    assert decode_qr(decision) == [target]  # decoded by zxing-cpp from the published SVG itself
    assert target in decision
    board = (site / "notices" / "index.html").read_text(encoding="utf-8")
    project_notices = {p.parent.parent.name for p in (site / "projects").glob("*/notice/index.html")}
    assert project_notices == set(re.findall(r'href="\.\./projects/([^/"]+)/notice/"', board))
    assert (site / "assets" / "gongkai" / "notice.css").exists()


def test_qr_code_encodes_the_url():
    url = SITE_URL + "projects/p1/"
    qr = segno.make(url, error="m")
    assert qr.designator.endswith("-M")
    assert "<svg" in str(qr_svg(url)) and 'role="img"' in str(qr_svg(url))


def decode_qr(html: str) -> list[str]:
    """The texts of the QR codes drawn in a page, decoded by zxing-cpp from a raster of each inline
    SVG (segno draws the dark modules as horizontal strokes: `M x y` / `m dx dy` moves, `h n` runs)."""
    found = []
    for svg in re.findall(r'<svg[^>]*class="gk-qr".*?</svg>', html, re.S):
        size = int(re.search(r'<path fill="#fff" d="M0 0h(\d+)v', svg).group(1))
        path = re.search(r'class="qrline"[^>]*d="([^"]+)"', svg).group(1)
        scale = 8
        image = Image.new("L", (size * scale, size * scale), 255)
        draw = ImageDraw.Draw(image)
        x = y = 0.0
        for command, numbers in re.findall(r"([Mmh])([-\d. ]+)", path):
            values = [float(v) for v in numbers.split()]
            if command == "M":
                x, y = values
            elif command == "m":
                x, y = x + values[0], y + values[1]
            else:
                row = int(y - 0.5)
                draw.rectangle([x * scale, row * scale, (x + values[0]) * scale - 1, (row + 1) * scale - 1], fill=0)
                x += values[0]
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def test_the_qr_decoder_reads_what_segno_drew_and_nothing_else():
    url = SITE_URL + "projects/p1/"
    assert decode_qr(str(qr_svg(url))) == [url]
    assert decode_qr(str(qr_svg(url + "x"))) == [url + "x"]
    assert decode_qr("<p>no code</p>") == []
