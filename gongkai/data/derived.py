"""The derived results of the data standard: period scores, stars, rankings, 红黑榜, 约谈, cards,
vote outcome, 逾期, 公示期 state and 满意率. Plain functions of records and settings."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from gongkai.data.resources import (
    ENUMS as _ENUMS,  # status words live in gongkai/schemas/index.json only
)

STAR_STEPS = ((95, 5), (90, 4), (80, 3), (70, 2), (60, 1))
OPEN_STATUSES = tuple(_ENUMS["project_open_statuses"])
DONE_STATUSES = tuple(_ENUMS["project_done_statuses"])
NOTICE_UPCOMING, NOTICE_OPEN, NOTICE_ENDED = _ENUMS["notice_states"]
PERIOD_RE = re.compile(r"^(\d{4})(?:-(H|Q)(\d)|-(\d{2}))?$")


@dataclass
class PeriodScore:
    subject: object  # the unit Record
    period: str
    score: float
    evaluations: list
    rank: int = 0

    @property
    def stars(self) -> int:
        return stars(self.score)


def stars(score: float) -> int:
    return next((n for limit, n in STAR_STEPS if score >= limit), 0)


def period_score(evaluations: list) -> float:
    """Mean score, weighted by respondents when every evaluation has respondents > 0."""
    if all((e.get("respondents") or 0) > 0 for e in evaluations):
        total = sum(e["respondents"] for e in evaluations)
        return sum(e["score"] * e["respondents"] for e in evaluations) / total
    return sum(e["score"] for e in evaluations) / len(evaluations)


def period_scores(evaluations: list, unit_by_id: dict) -> list[PeriodScore]:
    """One PeriodScore per (subject, period), ranked within kind and period (1, 2, 2, 4 for ties)."""
    groups: dict[tuple, list] = defaultdict(list)
    for e in evaluations:
        groups[(e["subject_id"].lower(), e["period"])].append(e)
    scores = [PeriodScore(unit_by_id[sid], period, period_score(evs), evs) for (sid, period), evs in groups.items()]
    by_kind: dict[tuple, list] = defaultdict(list)
    for ps in scores:
        by_kind[(ps.subject["kind"], ps.period)].append(ps)
    for group in by_kind.values():
        group.sort(key=lambda ps: (-ps.score, ps.subject["id"]))
        for i, ps in enumerate(group):
            ps.rank = group[i - 1].rank if i and ps.score == group[i - 1].score else i + 1
    scores.sort(key=lambda ps: (period_sort_key(ps.period), ps.subject["kind"], ps.rank, ps.subject["id"]))
    return scores


def period_sort_key(period: str) -> tuple:
    m = PERIOD_RE.match(period)
    if not m:
        return (period,)
    year, half_or_q, n, month = m.groups()
    return (int(year), half_or_q or ("M" if month else ""), int(n or month or 0))


def previous_period(period: str) -> str | None:
    """The calendar-previous period of the same granularity (2025-Q1 → 2024-Q4, 2025 → 2024)."""
    m = PERIOD_RE.match(period)
    if not m:
        return None
    year, kind, n, month = m.groups()
    year = int(year)
    if kind:
        n, last = int(n), 2 if kind == "H" else 4
        return f"{year}-{kind}{n - 1}" if n > 1 else f"{year - 1}-{kind}{last}"
    if month:
        month = int(month)
        return f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
    return str(year - 1)


def period_end(period: str) -> dt.date:
    """The last day of a period: 2025 → 12-31, 2025-H1 → 06-30, 2025-Q3 → 09-30, 2025-02 → 02-28."""
    year, kind, n, month = PERIOD_RE.match(period).groups()
    if month:
        last = int(month)
    elif kind:
        last = int(n) * (6 if kind == "H" else 3)
    else:
        last = 12
    return dt.date(int(year) + last // 12, last % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass
class Lists:
    red: dict[str, list]
    black: dict[str, list]
    interviews: dict[str, list]
    cards: list[tuple]  # (subject Record, period, "黄牌" | "红牌")


def ranked_lists(scores: list[PeriodScore], kinds: list[str], red_min: float, black_below: float) -> Lists:
    red: dict[str, list] = defaultdict(list)
    black: dict[str, list] = defaultdict(list)
    for ps in scores:
        if ps.subject["kind"] not in kinds:
            continue
        if ps.score >= red_min:
            red[ps.period].append(ps.subject)
        if ps.score < black_below:
            black[ps.period].append(ps.subject)
    cards = []
    for period, subjects in black.items():
        before = {s["id"] for s in black.get(previous_period(period) or "", [])}
        for s in subjects:
            cards.append((s, period, "红牌" if s["id"] in before else "黄牌"))
    for d in (red, black):
        for subjects in d.values():
            subjects.sort(key=lambda s: s["id"])
    cards.sort(key=lambda c: (period_sort_key(c[1]), c[0]["id"]))
    return Lists(dict(red), dict(black), {p: list(s) for p, s in black.items()}, cards)


def vote_passed(decision) -> bool | None:
    votes = [decision.get(k) for k in ("votes_for", "votes_against", "votes_abstain")]
    if any(v is None for v in votes):
        return None
    return votes[0] * 2 > sum(votes)


def is_overdue(project, today: dt.date) -> bool:
    due = project.get("due_date")
    return project.get("status") in OPEN_STATUSES and due is not None and due < today


def notice_state(decision, today: dt.date) -> str | None:
    start, end = decision.get("notice_start"), decision.get("notice_end")
    if start is None or end is None:
        return None
    if today < start:
        return NOTICE_UPCOMING
    return NOTICE_OPEN if today <= end else NOTICE_ENDED


#: resource → flag → the schemas' status group that sets it
STATUS_FLAGS = {
    "projects": {"done": "project_done_statuses", "accepted": "project_accepted_statuses",
                 "terminated": "project_terminated_statuses"},
    "decisions": {"corrected": "decision_corrected_statuses", "withdrawn": "decision_withdrawn_statuses"},
    "needs": {"solved": "need_solved_statuses"},
}


def record_flags(record, resource: str) -> dict[str, bool]:
    """The status flags of a record, named after the schemas' status groups, so that plugins and
    templates test `p.done` or `d.withdrawn`, never a status word."""
    status = record.get("status")
    return {flag: status in _ENUMS[group] for flag, group in STATUS_FLAGS.get(resource, {}).items()}


def satisfaction(evaluations: list) -> float | None:
    """Σ satisfied / Σ respondents over evaluations that have both; None when Σ respondents is 0."""
    pairs = [(e["satisfied"], e["respondents"]) for e in evaluations
             if e.get("satisfied") is not None and e.get("respondents") is not None]
    total = sum(r for _, r in pairs)
    return sum(s for s, _ in pairs) / total if total else None
