"""公示栏 `/notices/` and printable one-page A4 notices with a QR code for the notice board (公开栏):
`/decisions/<id>/notice/` and `/projects/<id>/notice/`.

Notices are made for what is being publicised now: decisions whose 公示期 is running or has not
started, decisions and completed projects of the last `recent_days`. Drawing a QR code costs ~8 ms,
so a notice for every record of a district (thousands) would dominate the build; every entity page
has its own print stylesheet instead.
"""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from markupsafe import Markup

from gongkai.api import hookimpl, related

CSS = Path(__file__).parent / "assets" / "notice.css"


@functools.lru_cache(maxsize=4096)  # `gongkai serve` draws a notice's code again only when its address is new
def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG, drawn at build time (no script, no request)."""
    import segno  # imported here: `gongkai validate` never draws QR codes

    # a fixed mask: choosing the best of eight costs 7× more time and any mask decodes
    svg = segno.make(url, error="m", mask=4, boost_error=False).svg_inline(scale=4, border=2, title="扫码查看网上详情", dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="二维码：扫码查看网上详情" class="gk-qr" ', 1))


def absolute(portal, path: str) -> str:
    return (portal.site_url.rstrip("/") + "/" if portal.site_url else "/") + path


def recent_projects(portal) -> list:
    since = portal.today - dt.timedelta(days=portal.settings.recent_days)
    done = [p for p in portal.projects if p.done and p.get("completed_on") and since <= p["completed_on"] <= portal.today]
    return sorted(done, key=lambda p: (p["completed_on"], p["id"]), reverse=True)


def noticed_decisions(portal) -> list:
    since = portal.today - dt.timedelta(days=portal.settings.recent_days)
    chosen = [d for d in portal.decisions if (d.in_notice or d.notice_upcoming) or since <= d["date"] <= portal.today]
    return sorted(chosen, key=lambda d: (d["date"], d["id"]), reverse=True)


@hookimpl
def register_assets(register):
    register("assets/gongkai/notice.css", CSS.read_bytes())


@hookimpl
def register_pages(register, portal):
    projects, decisions = recent_projects(portal), noticed_decisions(portal)
    register("notices/", "公示栏", template="notices_index.html", context=dict(decisions=decisions, projects=projects),
             nav="公示栏", order=60, reads=("decisions", "projects", "units"))
    for kind, records, template, title in (("decisions", decisions, "notice_decision.html", "公示："),
                                           ("projects", projects, "notice_project.html", "项目公示：")):
        for record in records:
            page = f"{kind}/{record['id']}/"
            register(f"{page}notice/", title + record["title"], template=template, requires=(page,), kind="公示",
                     community=record.community, reads=related(record),
                     context={kind[0]: record, "qr": qr_svg(absolute(portal, page)), "target": absolute(portal, page)})
