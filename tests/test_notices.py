"""公示栏 and the printable notices with their QR codes."""
from __future__ import annotations

import re

import segno
from conftest import build_site
from gongkai.plugins.notices import qr_svg

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
    assert str(qr_svg(target)) in decision  # the same encoder draws exactly this URL
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
