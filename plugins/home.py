"""首页 `/`: headline figures, notices now in their 公示期, the latest decisions and results."""
from gongkai import hookimpl

LATEST = 5


@hookimpl
def register_pages(register, portal):
    done = [p for p in portal.projects if p["status"] in ("已完成", "已验收")]
    figures = {
        "communities": len(portal.units_of_kind("社区")),
        "partners": len(portal.units_of_kind("共建单位")),
        "projects_done": len(done),
        "projects": len(portal.projects),
        "needs_resolved": sum(1 for n in portal.needs if n["status"] == "已解决"),
        "needs": len(portal.needs),
        "decisions": len(portal.decisions),
        "funds": sum(p.get("annual_funds_yuan") or 0 for p in portal.records["pairings"]),
        "budget": sum(p.get("budget_yuan") or 0 for p in portal.projects),
        "satisfaction": portal.satisfaction,
    }
    latest_decisions = sorted(portal.decisions, key=lambda d: (d["date"], d["id"]), reverse=True)[:LATEST]
    latest_results = sorted(done, key=lambda p: (p["completed_on"], p["id"]), reverse=True)[:LATEST]
    html = portal.render("home.html", "", figures=figures, in_notice=portal.in_notice,
                         latest_decisions=latest_decisions, latest_results=latest_results)
    register("", portal.site_name or "首页", html, nav="首页", order=0)
