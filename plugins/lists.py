"""三张清单: the overview `/lists/` (per community: how many needs, resources and projects, and the
status counts) and one page per 社区, `/lists/<社区>/`, with its 需求清单, 资源清单 and 项目清单 and filters
by status and category that work in the page without a server (the shared script
assets/gongkai/filter.js of theme_assets reads <select> elements and data- attributes on rows; with
JavaScript off every row stays visible). What belongs to no 社区 (the 街道's own) is listed on the
overview. The community pages are the index of every project page.

One page per 社区 rather than one page of everything: at district scale that page was 7 MB, too much
for a phone, and every edit of one project rendered and checked all of it again in `gongkai serve`."""
import datetime as dt

from gongkai.api import ENUMS, by_community, community_of, hookimpl


@hookimpl
def register_pages(register, portal):
    communities = portal.units_of_kind("社区")
    needs = by_community(sorted(portal.needs, key=lambda n: (n["raised_on"], n["id"]), reverse=True), communities,
                         lambda n: n.community)
    projects = by_community(sorted(portal.projects, key=_project_order), communities, lambda p: p.community)
    resources = resource_groups(portal.records["resources"], communities)
    of = {name: {id(c): rows for c, rows in groups} for name, groups in
          (("needs", needs), ("projects", projects), ("resources", resources))}
    table = [(c, len(of["needs"][id(c)]), len(of["resources"][id(c)]), len(of["projects"][id(c)]),
              sum(1 for p in of["projects"][id(c)] if p.overdue)) for c in communities]
    register("lists/", "三张清单", template="lists_index.html", nav="三张清单", order=30, kind="清单",
             description="需求清单、资源清单和项目清单，按社区公开，可按状态和类别筛选。",
             context=dict(communities=table, needs=needs, projects=projects, **_rows_and_filters(
                 *(of[name].get(id(None), []) for name in ("needs", "resources", "projects")), prefix="rest_")),
             reads=("needs", "projects", "resources", "units", "pairings"))
    for c in communities:
        community_needs, community_resources, community_projects = (of[name][id(c)] for name in
                                                                    ("needs", "resources", "projects"))
        shown = [*community_needs, *community_projects, *community_resources]
        shown += [r for n in community_needs for r in (n.community, n.claimed_unit, *n.projects)]
        shown += [p.lead_unit for p in community_projects] + [r.unit for r in community_resources]
        register(f"lists/{c['id']}/", f"{c['name']} 三张清单", template="lists_community.html", kind="清单",
                 community=c, description=f"{c['name']}的需求清单、资源清单和项目清单。",
                 context=dict(community=c, **_rows_and_filters(community_needs, community_resources,
                                                              community_projects)),
                 reads=(c, *(r for r in shown if r is not None)))


def _rows_and_filters(needs, resources, projects, prefix="") -> dict:
    """The rows of the three lists and the filters their values call for."""
    return {
        f"{prefix}needs": needs, f"{prefix}resources": resources, f"{prefix}projects": projects,
        "need_filters": [_select("status", "状态", _present(needs, "status", ENUMS["need_statuses"])),
                         _select("category", "类别", _present(needs, "category", ENUMS["need_categories"]))],
        "resource_filters": [_select("category", "类别", _present(resources, "category", ENUMS["resource_categories"])),
                             _select("kind", "单位类型", _present([r.unit for r in resources if r.unit], "kind",
                                                               ENUMS["unit_kinds"]))],
        "project_filters": [_select("status", "状态", _present(projects, "status", ENUMS["project_statuses"])),
                            _select("category", "类别", _present(projects, "category", ENUMS["project_categories"])),
                            *([("overdue", "逾期", [("逾期", "只看逾期")])] if any(p.overdue for p in projects) else [])],
        "need_statuses": ENUMS["need_statuses"], "project_statuses": ENUMS["project_statuses"],
    }


def resource_groups(resources, communities) -> list[tuple]:
    """[(community or None, [resource])]: a unit's resources are listed under every community it is
    paired with (结对共建) and under the community it belongs to; the rest (e.g. the 街道's) under None."""
    groups, placed = [], set()
    for c in communities:
        paired = {id(p.unit) for p in c.pairings if p.community is c and p.unit is not None}
        rows = [r for r in resources if r.unit is not None and (id(r.unit) in paired or community_of(r.unit) is c)]
        placed.update(id(r) for r in rows)
        groups.append((c, rows))
    rest = [r for r in resources if id(r) not in placed]
    return groups + [(None, rest)] if rest else groups


def _project_order(p) -> tuple:
    """Overdue projects first (longest overdue on top), then by status (open, done, terminated)
    and due date."""
    due = p.get("due_date") or dt.date.max
    if p.overdue:
        return (0, due, 0, p["id"])
    statuses = ENUMS["project_statuses"]
    return (1, statuses.index(p["status"]) if p["status"] in statuses else len(statuses), due, p["id"])


def _present(records, field: str, order: list[str]) -> list[str]:
    """The values of `field` that occur, in the standard's order (unknown values last)."""
    found = {r.get(field) for r in records if r.get(field)}
    return [v for v in order if v in found] + sorted(found - set(order))


def _select(name: str, label: str, values: list[str]) -> tuple:
    return (name, label, [(v, v) for v in values])
