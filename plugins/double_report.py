"""双报到 and 双向积分 (seed 001: 在职党员“云端”报到, 7类35项积分项目, 服务换积分、积分存社区): units and
their in-service party members report to a 社区 (`registrations`), serve there (`services`, each under
an item of the points catalogue `point_items`), and the points earned are exchanged per 社区 and period
(`point_exchanges`). No person's name or number is needed: members and participants are counts.

Pages, only when the portal has such data: the district overview `/services/` (the seed's headline
figures, the 社区, the units ranked by points per half-year, the catalogue) and one page per 社区,
`/services/<社区>/`. The figures also reach the home page (`portal.extra["double_report"]`) and every
unit page (`unit.service_points`)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from gongkai.api import ENUMS, hookimpl, period_sort_key, standard_resources

RESOURCES = ("registrations", "point_items", "services", "point_exchanges")
EXTRA = "double_report"


@hookimpl
def register_resources(register):
    for resource in standard_resources(RESOURCES):
        register(resource)


@dataclass
class Figures:
    """What the seed reports, computed from the data (all services so far; registrations active today)."""

    units: int = 0  # units with a registration active on the reference date
    members: int = 0  # in-service party members of those registrations
    services: int = 0
    participants: int = 0  # 志愿服务人次
    hours: float = 0
    solved: int = 0  # needs that a service addressed and that are 已解决
    rated: int = 0
    satisfied: int = 0
    points: int = 0  # earned
    exchanged: int = 0

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def balance(self) -> int:
        return self.points - self.exchanged


@dataclass
class Ranked:
    unit: object
    points: int
    services: int
    participants: int
    rank: int = 0


@dataclass
class DoubleReport:
    figures: Figures
    communities: list = field(default_factory=list)  # [(社区, Figures)] in unit order
    ranking: dict = field(default_factory=dict)  # half-year -> [Ranked], newest period first

    @property
    def any(self) -> bool:
        return bool(self.figures.services or self.figures.units or self.communities)


def half_year(day: dt.date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def active(registration, day: dt.date) -> bool:
    since, ended = registration.get("since"), registration.get("ended_on")
    return since is not None and since <= day and (ended is None or ended >= day)


def figures_of(registrations, services, exchanges, today: dt.date) -> Figures:
    live = [r for r in registrations if active(r, today)]
    solved = {id(s.need) for s in services if getattr(s, "need", None) is not None and s.need.solved}
    rated = [s for s in services if s.get("rated") is not None and s.get("satisfied") is not None]
    return Figures(
        units=len({id(r.unit) for r in live if r.unit is not None}),
        members=sum(r.get("members") or 0 for r in live),
        services=len(services),
        participants=sum(s.get("participants") or 0 for s in services),
        hours=sum(s.get("hours") or 0 for s in services),
        solved=len(solved),
        rated=sum(s["rated"] for s in rated),
        satisfied=sum(s["satisfied"] for s in rated),
        points=sum(s.get("points") or 0 for s in services),
        exchanged=sum(e.get("points") or 0 for e in exchanges),
    )


def ranking(services) -> dict[str, list[Ranked]]:
    """Units by the points their services earned, per half-year: 1, 2, 2, 4 for ties, then by id."""
    by_period: dict[str, dict[int, Ranked]] = defaultdict(dict)
    for s in services:
        if s.unit is None or s.get("date") is None:
            continue
        row = by_period[half_year(s["date"])].setdefault(id(s.unit), Ranked(s.unit, 0, 0, 0))
        row.points += s.get("points") or 0
        row.services += 1
        row.participants += s.get("participants") or 0
    out = {}
    for period in sorted(by_period, reverse=True):
        rows = sorted(by_period[period].values(), key=lambda r: (-r.points, r.unit["id"]))
        for i, row in enumerate(rows):
            row.rank = rows[i - 1].rank if i and row.points == rows[i - 1].points else i + 1
        out[period] = rows
    return out


@hookimpl
def extend_portal(portal):
    records = {name: portal.records.get(name, []) for name in RESOURCES}
    communities = []
    for c in portal.units_of_kind("社区"):
        mine = (getattr(c, "registrations_here", []), getattr(c, "services_here", []), getattr(c, "point_exchanges", []))
        if any(mine):
            communities.append((c, figures_of(*mine, portal.today)))
    report = DoubleReport(figures_of(records["registrations"], records["services"], records["point_exchanges"],
                                     portal.today), communities, ranking(records["services"]))
    for u in portal.units:
        u.__dict__["service_points"] = []
    for period, rows in report.ranking.items():
        for row in rows:
            row.unit.service_points.append((period, row, len(rows)))
    portal.extra[EXTRA] = report


@hookimpl
def register_pages(register, portal):
    report = portal.extra.get(EXTRA)
    if report is None or not report.any:
        return
    order = ENUMS["point_categories"]
    items = sorted(portal.records.get("point_items", []),
                   key=lambda i: (order.index(i["category"]) if i["category"] in order else len(order), -i["stars"], i["id"]))
    register("services/", "双报到", template="double_report.html", nav="双报到", order=45, kind="双报到",
             description="单位和在职党员到社区报到、志愿服务、双向积分和积分兑换，按社区公开。",
             context=dict(report=report, items=items), reads=RESOURCES + ("units", "needs"))
    for c, figures in report.communities:
        registrations = sorted(c.registrations_here, key=lambda r: (r["since"], r["id"]))
        services = sorted(c.services_here, key=lambda s: (s["date"], s["id"]), reverse=True)
        exchanges = sorted(c.point_exchanges, key=lambda e: (period_sort_key(e["period"]), e["id"]), reverse=True)
        shown = [*registrations, *services, *exchanges]
        shown += [r for s in services for r in (s.unit, s.item, s.need)] + [r.unit for r in registrations]
        register(f"services/{c['id']}/", f"{c['name']} 双报到", template="double_report_community.html",
                 kind="双报到", community=c, description=f"{c['name']}的报到单位、志愿服务和积分兑换。",
                 context=dict(community=c, figures=figures, registrations=registrations, services=services,
                              exchanges=exchanges),
                 reads=(c, *(r for r in shown if r is not None)))

