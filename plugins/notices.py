"""公示栏 `/notices/` and printable one-page A4 notices with a QR code for the notice board (公开栏):
`/decisions/<id>/notice/` and `/projects/<id>/notice/`."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import segno
from markupsafe import Markup

from gongkai import hookimpl

CSS = Path(__file__).parent / "assets" / "notice.css"
DONE = ("已完成", "已验收")


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG, drawn at build time (no script, no request)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title="扫码查看网上详情", dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="二维码：扫码查看网上详情" class="gk-qr" ', 1))


def absolute(portal, path: str) -> str:
    return (portal.site_url.rstrip("/") + "/" if portal.site_url else "/") + path


def recent_projects(portal) -> list:
    since = portal.today - dt.timedelta(days=portal.settings.recent_days)
    done = [p for p in portal.projects if p["status"] in DONE and p.get("completed_on") and since <= p["completed_on"] <= portal.today]
    return sorted(done, key=lambda p: (p["completed_on"], p["id"]), reverse=True)


@hookimpl
def register_assets(register):
    register("assets/gongkai/notice.css", CSS.read_bytes())


@hookimpl
def register_pages(register, portal):
    register("notices/", "公示栏", portal.render("notices_index.html", "notices/", decisions=portal.in_notice,
                                                 projects=recent_projects(portal)), nav="公示栏", order=60)
    for d in portal.decisions:
        path = f"decisions/{d['id']}/notice/"
        html = portal.render("notice_decision.html", path, d=d, qr=qr_svg(absolute(portal, f"decisions/{d['id']}/")),
                             target=absolute(portal, f"decisions/{d['id']}/"))
        register(path, f"公示：{d['title']}", html)
    for p in portal.projects:
        path = f"projects/{p['id']}/notice/"
        html = portal.render("notice_project.html", path, p=p, qr=qr_svg(absolute(portal, f"projects/{p['id']}/")),
                             target=absolute(portal, f"projects/{p['id']}/"))
        register(path, f"项目公示：{p['title']}", html)
