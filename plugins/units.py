"""组织架构 `/units/` and `/units/<id>/`: the territorial hierarchy from the 街道 down, the other
units by kind, and one page per unit with its place in the hierarchy, pairings, resources,
projects, needs, decisions and evaluation history."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from gongkai.api import ENUMS, community_of, excerpt, hookimpl, period_sort_key, related

TERRITORIAL = tuple(ENUMS["territorial_kinds"])
OTHER_KINDS = tuple(ENUMS["non_territorial_kinds"])


@dataclass
class HistoryRow:
    """One period of a unit's evaluation history."""

    period: str
    score: float
    stars: int
    rank: int
    of: int  # how many units of the same kind were ranked in the period
    labels: list = field(default_factory=list)  # [(text, badge kind)]: 红榜, 黑榜, 约谈, 黄牌, 红牌


@hookimpl
def register_pages(register, portal):
    groups = [(kind, portal.units_of_kind(kind)) for kind in OTHER_KINDS if portal.units_of_kind(kind)]
    register("units/", "组织架构", template="units_index.html",
             context=dict(roots=roots(portal.units), groups=groups, territorial_children=territorial_children),
             nav="组织架构", order=40, description="街道、社区、网格、小区和楼栋的层级，以及结对共建单位、物业企业和社会组织。",
             reads=("units",))
    history = evaluation_history(portal)
    for u in portal.units:
        path = f"units/{u['id']}/"
        decisions = sorted(u.decisions_here, key=lambda d: (d["date"], d["id"]), reverse=True)
        chain, scores = ancestors(u), history.get(u["id"], [])
        register(path, u["name"], template="unit.html",
                 context=dict(u=u, chain=chain, territorial=u["kind"] in TERRITORIAL, decisions=decisions, history=scores),
                 boost=2, description=excerpt(u.get("description")), kind="单位", community=community_of(u),
                 reads=related(u) + tuple(chain) + (("evaluations", "units") if scores else ())  # ranks: every score
                 + (("services",) if getattr(u, "service_points", None) else ()))  # 服务积分 ranks: every service


def territorial_children(unit) -> list:
    return [c for c in unit.children if c["kind"] in TERRITORIAL]


def roots(units: list) -> list:
    """The top of each territorial tree (normally the one 街道), highest level first."""
    tops = [u for u in units if u["kind"] in TERRITORIAL and (u.parent is None or u.parent["kind"] not in TERRITORIAL)]
    return sorted(tops, key=lambda u: TERRITORIAL.index(u["kind"]))


def ancestors(unit) -> list:
    """The parent chain from the top down to the unit's parent (a cycle, which validation rejects, stops it)."""
    chain, seen, current = [], {id(unit)}, unit.parent
    while current is not None and id(current) not in seen:
        chain.append(current)
        seen.add(id(current))
        current = current.parent
    return chain[::-1]


def evaluation_history(portal) -> dict[str, list[HistoryRow]]:
    """Each unit's period scores, newest period first, with rank, field size and list labels."""
    field_size = Counter((ps.subject["kind"], ps.period) for ps in portal.period_scores)
    labels = list_labels(portal.lists)
    history: dict[str, list[HistoryRow]] = defaultdict(list)
    for ps in sorted(portal.period_scores, key=lambda ps: period_sort_key(ps.period), reverse=True):
        unit_id = ps.subject["id"]
        history[unit_id].append(HistoryRow(ps.period, ps.score, ps.stars, ps.rank, field_size[(ps.subject["kind"], ps.period)],
                                           labels.get((unit_id, ps.period), [])))
    return history


def list_labels(lists) -> dict[tuple, list]:
    """(unit id, period) → [(label, badge kind)] from the 红黑榜, 约谈 and cards."""
    labels: dict[tuple, list] = defaultdict(list)
    for name, kind, by_period in (("红榜", "ok", lists.red), ("黑榜", "danger", lists.black), ("约谈", "warn", lists.interviews)):
        for period, units in by_period.items():
            for u in units:
                labels[(u["id"], period)].append((name, kind))
    for u, period, card in lists.cards:
        labels[(u["id"], period)].append((card, "danger" if card == "红牌" else "warn"))
    return labels
