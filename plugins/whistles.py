"""吹哨报到 (seeds 002 and 004: 社区吹哨、部门报到, 哨响人到): a 社区 or 街道 calls the departments a problem
needs, and each must come. `whistles` holds one row per department called; a department arrived in
time when it came within `whistle_arrival_days` working days (Monday to Friday; public holidays are
not known to gongkai and count as working days). The page `/results/whistles/` (under 结果公开) gives
per department the calls, the 哨响人到 rate, the average response days and the outcomes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongkai.api import hookimpl, standard_resources

EXTRA = "whistles"


@hookimpl
def register_resources(register):
    for resource in standard_resources(("whistles",)):
        register(resource)


def working_days_after(day: dt.date, days: int) -> dt.date:
    """The day `days` working days (Monday to Friday) after `day`."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass
class Department:
    unit: object
    calls: list = field(default_factory=list)

    @property
    def in_time(self) -> int:
        return sum(1 for w in self.calls if w.arrival == "in_time")

    @property
    def late(self) -> int:
        return sum(1 for w in self.calls if w.arrival == "late")

    @property
    def waiting(self) -> int:
        return sum(1 for w in self.calls if w.arrival == "waiting")

    @property
    def rate(self) -> float | None:
        """哨响人到: arrived in time among the calls whose limit has passed or that were answered."""
        due = self.in_time + self.late
        return self.in_time / due if due else None

    @property
    def average_days(self) -> float | None:
        """Average days from the whistle to the arrival, over the calls answered."""
        days = [w.response_days for w in self.calls if w.response_days is not None]
        return sum(days) / len(days) if days else None

    @property
    def done(self) -> int:
        return sum(1 for w in self.calls if w.get("done_on") is not None)


def arrival(whistle, today: dt.date, limit: int) -> tuple[str, dt.date | None]:
    """("in_time" | "late" | "waiting" | "unknown", the last day to arrive in time)."""
    blown, arrived = whistle.get("blown_on"), whistle.get("arrived_on")
    if blown is None:
        return "unknown", None
    deadline = working_days_after(blown, limit)
    if arrived is not None:
        return ("in_time" if arrived <= deadline else "late"), deadline
    return ("late" if today > deadline else "waiting"), deadline


@hookimpl
def extend_portal(portal):
    limit = portal.settings.whistle_arrival_days
    departments: dict[int, Department] = {}
    for w in portal.records.get("whistles", []):
        state, deadline = arrival(w, portal.today, limit)
        blown, arrived = w.get("blown_on"), w.get("arrived_on")
        w.__dict__.update(arrival=state, deadline=deadline,
                          response_days=(arrived - blown).days if blown and arrived else None)
        if w.department is not None:
            departments.setdefault(id(w.department), Department(w.department)).calls.append(w)
    portal.extra[EXTRA] = sorted(departments.values(), key=lambda d: (-len(d.calls), d.unit["id"]))


@hookimpl
def register_pages(register, portal):
    departments = portal.extra.get(EXTRA) or []
    if not portal.records.get("whistles"):
        return
    calls = sorted(portal.records["whistles"], key=lambda w: (w["blown_on"], w["id"]), reverse=True)
    register("results/whistles/", "吹哨报到", template="whistles.html", kind="吹哨报到",
             description="社区吹哨、部门报到：各部门被叫到的次数、哨响人到率、平均响应天数和办理结果。",
             context=dict(departments=departments, calls=calls, limit=portal.settings.whistle_arrival_days),
             reads=("whistles", "units", "needs"), requires=("results/",))  # part of 结果公开: gone with it
