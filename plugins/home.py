"""首页 `/`: headline figures, the decisions now in their 公示期, the latest decisions and results,
and the way into every index page of the nav (with its description)."""
from gongkai.api import change_counts, change_sets, hookimpl

LATEST = 5


@hookimpl
def register_pages(register, portal):
    done = [p for p in portal.projects if p.done]
    latest_decisions = sorted(portal.decisions, key=lambda d: (d["date"], d["id"]), reverse=True)[:LATEST]
    latest_results = sorted(done, key=lambda p: (p["completed_on"], p["id"]), reverse=True)[:LATEST]
    notices = [(d, (d["notice_end"] - portal.today).days) for d in portal.in_notice]
    register("", portal.site_name or "首页", template="home.html",
             context=dict(figures=figures(portal, done), notices=notices, latest_decisions=latest_decisions,
                          latest_results=latest_results, latest_period=latest_period(portal),
                          latest_changes=latest_changes(portal)),
             nav="首页", order=0, kind="首页", reads=tuple(portal.resources),  # figures from every table
             description="社区治理决策公开和结果公开：项目、需求、决策、共建经费和居民满意率。")


def figures(portal, done: list) -> dict:
    """The headline figures of the data standard's home page, all from the Portal model."""
    return {
        "communities": len(portal.units_of_kind("社区")),
        "partners": len(portal.units_of_kind("共建单位")),
        "projects_done": len(done),
        "projects": len(portal.projects),
        "needs_resolved": sum(1 for n in portal.needs if n.solved),
        "needs": len(portal.needs),
        "decisions": len(portal.decisions),
        "funds": sum(p.get("annual_funds_yuan") or 0 for p in portal.records["pairings"]),
        "budget": sum(p.get("budget_yuan") or 0 for p in portal.projects),
        "satisfaction": portal.satisfaction,
    }


def latest_period(portal) -> dict | None:
    """The newest evaluation period with its 满意率, 红榜 and 黑榜, or None before any evaluation."""
    if not portal.periods:
        return None
    period = portal.periods[0]
    return {"period": period, "satisfaction": portal.satisfaction_in(period),
            "red": portal.lists.red.get(period, []), "black": portal.lists.black.get(period, [])}


def latest_changes(portal) -> list[tuple]:
    """The newest days of the revision history: (day, [(新增/修改/删除, count)])."""
    return [(day, change_counts(changes)) for day, changes in change_sets(portal)[:LATEST]]
