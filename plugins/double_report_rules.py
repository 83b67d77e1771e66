"""Rules on 双报到 and 双向积分 the schemas cannot express: who may report and where, a service only
where its unit may serve, no more points than the catalogue allows, no more points exchanged than
earned, and dates that have happened."""
from __future__ import annotations

from collections import defaultdict

from gongkai.api import ENUMS, after_today, given, hookimpl, index_by_id, period_end, wrong_kind


@hookimpl
def register_checks(register):
    register(check_registrations, reads=("registrations", "units"))
    register(check_services, reads=("services", "point_items", "registrations", "units"))
    register(check_exchanges, reads=("point_exchanges", "services", "units"))


def check_registrations(records, context):
    units = index_by_id(records.get("units", []))
    for r in records.get("registrations", []):
        for field, code, kinds, role in (("unit_id", "registration-unit-kind", ENUMS["registration_unit_kinds"], "报到单位"),
                                         ("community_id", "registration-community-kind", ["社区"], "报到社区")):
            finding = wrong_kind(context, code, "registrations", r, field, units, kinds, role)
            if finding:
                yield finding
        yield from after_today(context, "registrations", r, ("since",))
        if given(r, "since", "ended_on") and r["ended_on"] < r["since"]:
            yield context.error(
                "date-order", f"报到记录 {r.get('id')} 的“结束日期”{r['ended_on'].isoformat()} 早于“报到日期”"
                f"{r['since'].isoformat()}。请改正其中一个日期。", "registrations", r, "ended_on")


def check_services(records, context):
    units = index_by_id(records.get("units", []))
    items = index_by_id(records.get("point_items", []))
    reported = defaultdict(list)  # (unit id, community id) -> registrations
    for r in records.get("registrations", []):
        if given(r, "unit_id", "community_id", "since"):
            reported[(r["unit_id"].lower(), r["community_id"].lower())].append(r)
    for s in records.get("services", []):
        finding = wrong_kind(context, "service-community-kind", "services", s, "community_id", units,
                             ENUMS["service_community_kinds"], "服务社区")
        if finding:
            yield finding
        yield from after_today(context, "services", s, ("date",))
        if given(s, "unit_id", "community_id", "date"):
            yield from _may_serve(context, s, units, reported)
        item = items.get(str(s.get("item_id") or "").lower())
        if item is not None and given(s, "points", "participants") and given(item, "points"):
            most = item["points"] * s["participants"]
            if s["points"] > most:
                yield context.error(
                    "service-points-over", f"服务 {s.get('id')} 获得 {s['points']} 分，超过积分项目“{item.get('title')}”"
                    f"允许的 {most} 分（每人次 {item['points']} 分 × {s['participants']} 人次）。请按积分项目改正积分，"
                    f"或改正参与人次、积分项目。", "services", s, "points")
        if given(s, "satisfied") and not given(s, "rated"):
            yield context.error(
                "satisfied-without-rated", f"服务 {s.get('id')} 填了“满意人数”，但“评价人数”为空。请填写评价人数。",
                "services", s, "rated")
        elif given(s, "satisfied", "rated") and s["satisfied"] > s["rated"]:
            yield context.error(
                "satisfied-over-rated", f"服务 {s.get('id')} 的“满意人数”{s['satisfied']} 大于“评价人数”{s['rated']}。"
                f"满意人数不能超过评价人数：请改正其中一个数。", "services", s, "satisfied")


def _may_serve(context, service, units, reported):
    """A unit serves a 社区 it belongs to, or one it had reported to on the service's date."""
    unit, community = units.get(service["unit_id"].lower()), units.get(service["community_id"].lower())
    if unit is None or community is None or community.get("kind") != "社区":
        return  # a missing unit or a wrong kind is reported already
    if _inside(unit, community, units):
        return
    day = service["date"]
    for r in reported.get((service["unit_id"].lower(), service["community_id"].lower()), []):
        if r["since"] <= day and (r.get("ended_on") is None or r["ended_on"] >= day):
            return
    yield context.error(
        "service-unit-not-reported",
        f"服务 {service.get('id')} 的组织单位 {service['unit_id']}（{unit.get('name') or ''}）在 {day.isoformat()} "
        f"没有向社区 {service['community_id']}（{community.get('name') or ''}）报到，也不属于这个社区。"
        f"请在 registrations 中补登它的报到记录（报到日期不晚于服务日期），或改正组织单位或服务社区。",
        "services", service, "unit_id")


def _inside(unit, community, units) -> bool:
    """Whether `unit` is the 社区 or lies under it (validation works on rows, before the model links them)."""
    seen, current = set(), unit
    while current is not None and id(current) not in seen:
        if current is community:
            return True
        seen.add(id(current))
        current = units.get(str(current.get("parent_id") or "").lower())
    return False


def check_exchanges(records, context):
    """Per 社区: points exchanged up to the end of each period ≤ points its services earned up to then."""
    units = index_by_id(records.get("units", []))
    earned = defaultdict(list)  # community id -> [(date, points)]
    for s in records.get("services", []):
        if given(s, "community_id", "date", "points"):
            earned[s["community_id"].lower()].append((s["date"], s["points"]))
    exchanges = defaultdict(list)
    for e in records.get("point_exchanges", []):
        finding = wrong_kind(context, "exchange-community-kind", "point_exchanges", e, "community_id", units, ["社区"], "兑换社区")
        if finding:
            yield finding
        elif given(e, "community_id", "period", "points"):
            exchanges[e["community_id"].lower()].append(e)
    for community, rows in sorted(exchanges.items()):
        spent = 0
        for e in sorted(rows, key=lambda e: (period_end(e["period"]), e.line)):
            end = period_end(e["period"])
            spent += e["points"]
            have = sum(points for day, points in earned.get(community, []) if day <= end)
            if spent > have:
                yield context.error(
                    "exchange-over-earned",
                    f"社区 {e['community_id']} 到 {e['period']} 末（{end.isoformat()}）累计兑换 {spent} 分，超过了到那时累计获得的 "
                    f"{have} 分（services 中该社区的积分）。请核对兑换积分，或补登漏登的服务记录。",
                    "point_exchanges", e, "points")
                spent -= e["points"]  # left out of the later sums: one wrong row is reported once
