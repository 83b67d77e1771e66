"""三张清单 `/lists/`: 需求清单, 资源清单 and 项目清单 per community, with status counts, and
filters by status and category that work in the page without a server (the shared script
assets/gongkai/filter.js of theme_assets reads <select> elements and data- attributes on rows; with
JavaScript off every row stays visible).
It is also the index of every project page."""
import datetime as dt

from gongkai.api import ENUMS, by_community, community_of, hookimpl


@hookimpl
def register_pages(register, portal):
    communities = portal.units_of_kind("社区")
    needs = sorted(portal.needs, key=lambda n: (n["raised_on"], n["id"]), reverse=True)
    projects = sorted(portal.projects, key=_project_order)
    resources = portal.records["resources"]
    grouped_resources = resource_groups(resources, communities)
    context = dict(
        needs=by_community(needs, communities, lambda n: n.community),
        projects=by_community(projects, communities, lambda p: p.community),
        resources=grouped_resources, resource_rows=sum(len(rows) for _, rows in grouped_resources),
        need_filters=[_select("status", "状态", _present(needs, "status", ENUMS["need_statuses"])),
                      _select("category", "类别", _present(needs, "category", ENUMS["need_categories"]))],
        resource_filters=[_select("category", "类别", _present(resources, "category", ENUMS["resource_categories"])),
                          _select("kind", "单位类型", _present([r.unit for r in resources if r.unit], "kind",
                                                            ENUMS["unit_kinds"]))],
        project_filters=[_select("status", "状态", _present(projects, "status", ENUMS["project_statuses"])),
                         _select("category", "类别", _present(projects, "category", ENUMS["project_categories"])),
                         ("overdue", "逾期", [("逾期", "只看逾期")])],
        need_statuses=ENUMS["need_statuses"], project_statuses=ENUMS["project_statuses"],
    )
    register("lists/", "三张清单", template="lists_index.html", context=context, nav="三张清单", order=30, kind="清单",
             description="需求清单、资源清单和项目清单，按社区公开，可按状态和类别筛选。")


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
