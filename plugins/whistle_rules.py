"""Rules on 吹哨报到 the schema cannot express: who may blow the whistle and who may be called, and
whistle → arrival → done in that order, none of them in the future."""
from __future__ import annotations

from gongkai.api import ENUMS, after_today, given, hookimpl, index_by_id, wrong_kind


@hookimpl
def register_checks(register):
    register(check_whistles, reads=("whistles", "units"))


def check_whistles(records, context):
    units = index_by_id(records.get("units", []))
    for w in records.get("whistles", []):
        for name, code, kinds, role in (
                ("community_id", "whistle-caller-kind", ENUMS["whistle_caller_kinds"], "吹哨单位"),
                ("department_id", "whistle-department-kind", ENUMS["whistle_department_kinds"], "报到部门")):
            finding = wrong_kind(context, code, "whistles", w, name, units, kinds, role)
            if finding:
                yield finding
        yield from after_today(context, "whistles", w, ("blown_on", "arrived_on", "done_on"))
        if given(w, "blown_on", "arrived_on") and w["arrived_on"] < w["blown_on"]:
            yield context.error(
                "arrival-before-whistle", f"吹哨记录 {w.get('id')} 的“到场日期”{w['arrived_on'].isoformat()} 早于“吹哨日期”"
                f"{w['blown_on'].isoformat()}：部门只能在吹哨之后到场。请改正其中一个日期。", "whistles", w, "arrived_on")
        if given(w, "done_on") and not given(w, "arrived_on") and "arrived_on" not in w.invalid:
            yield context.error(
                "done-without-arrival", f"吹哨记录 {w.get('id')} 填了“办结日期”，但“到场日期”为空。部门到场后才能办结："
                f"请填写到场日期。", "whistles", w, "arrived_on")
        elif given(w, "arrived_on", "done_on") and w["done_on"] < w["arrived_on"]:
            yield context.error(
                "date-order", f"吹哨记录 {w.get('id')} 的“办结日期”{w['done_on'].isoformat()} 早于“到场日期”"
                f"{w['arrived_on'].isoformat()}。请改正其中一个日期。", "whistles", w, "done_on")
