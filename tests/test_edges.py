"""The rules of the data standard exactly on their edges, over real files read by a real session:
period scores on the star and list thresholds (weighted by respondents, so the weighting is on the
edge too), ties in rank, 红牌 across the calendar-previous period of every granularity, a 公示 on
its last day and one that starts the day after, a tied vote and one at exactly half, a project due
on the reference date. Every expected value is worked out by hand in the comments, from the rows.

Settings of the sample portal: red_list_min 90, black_list_below 60, ranked_kinds [物业企业]."""
from __future__ import annotations

import pytest
from conftest import build_site, read_rows, write_rows

from gongkai.session import open_session

TODAY = "2026-06-30"  # the reference date of these fixtures (a half-year's last day)
FIRMS = ["pm-a", "pm-b", "pm-c", "pm-d", "pm-e", "pm-f", "pm-g"]


def firm(unit_id: str) -> dict:
    return {"id": unit_id, "name": f"物业{unit_id[-1].upper()}", "kind": "物业企业", "parent_id": "jiedao"}


def evaluation(number: int, period: str, subject: str, score, respondents="", satisfied="") -> dict:
    return {"id": f"ev-{number:03d}", "period": period, "subject_id": subject, "evaluator": "居民",
            "method": "微信投票", "score": str(score), "respondents": str(respondents), "satisfied": str(satisfied)}


@pytest.fixture
def scored(portal):
    """Seven firms with period scores of (by hand): A 95 = (100×1 + 93.75×4)/5 (weighted); B 90 =
    (96×1 + 88×3)/4; C 90 (tied with B); D 80; E 70; F 60 = (64×1 + 59×4)/5 = 300/5;
    G 59.99 (just below 60). All in 2026-H1."""
    units = read_rows(portal, "units")
    write_rows(portal, "units", units + [firm(f) for f in FIRMS], fieldnames=list(units[0]))
    rows = [
        evaluation(1, "2026-H1", "pm-a", 100, 1, 1), evaluation(2, "2026-H1", "pm-a", 93.75, 4, 4),
        evaluation(3, "2026-H1", "pm-b", 96, 1, 1), evaluation(4, "2026-H1", "pm-b", 88, 3, 3),
        evaluation(5, "2026-H1", "pm-c", 90),
        evaluation(6, "2026-H1", "pm-d", 80),
        evaluation(7, "2026-H1", "pm-e", 70),
        evaluation(8, "2026-H1", "pm-f", 64, 1, 1), evaluation(9, "2026-H1", "pm-f", 59, 4, 2),
        evaluation(10, "2026-H1", "pm-g", 59.99),
    ]
    fields = list(read_rows(portal, "evaluations")[0])
    write_rows(portal, "evaluations", rows, fieldnames=fields)
    write_rows(portal, "evaluation_items", [], fieldnames=list(read_rows(portal, "evaluation_items")[0]))
    return portal


def scores_of(portal_dir, period="2026-H1") -> dict:
    portal = open_session(portal_dir, TODAY).portal
    return {ps.subject["id"]: ps for ps in portal.scores_in(period) if ps.subject["id"] in FIRMS}, portal


def test_scores_and_stars_on_every_threshold(scored):
    scores, _ = scores_of(scored)
    assert {u: float(round(ps.score, 6)) for u, ps in scores.items()} == {
        "pm-a": 95, "pm-b": 90, "pm-c": 90, "pm-d": 80, "pm-e": 70, "pm-f": 60, "pm-g": 59.99}
    # stars: ≥95 five, ≥90 four, ≥80 three, ≥70 two, ≥60 one, below none
    assert {u: ps.stars for u, ps in scores.items()} == {
        "pm-a": 5, "pm-b": 4, "pm-c": 4, "pm-d": 3, "pm-e": 2, "pm-f": 1, "pm-g": 0}


def test_ranks_with_a_tie_are_1_2_2_4(scored):
    scores, _ = scores_of(scored)
    # 95; 90 and 90 share rank 2; the next (80) is 4th, not 3rd (the sample's evaluations are replaced)
    assert {u: ps.rank for u, ps in scores.items()} == {
        "pm-a": 1, "pm-b": 2, "pm-c": 2, "pm-d": 4, "pm-e": 5, "pm-f": 6, "pm-g": 7}


def test_red_list_at_exactly_90_and_black_list_only_below_60(scored, tmp_path):
    _, portal = scores_of(scored)
    assert sorted(u["id"] for u in portal.lists.red["2026-H1"]) == ["pm-a", "pm-b", "pm-c"]
    assert [u["id"] for u in portal.lists.black["2026-H1"]] == ["pm-g"]  # 60 is not below 60
    site = build_site(scored, today=TODAY, site_dir=tmp_path / "site")
    page = (site / "results" / "2026-H1" / "index.html").read_text(encoding="utf-8")
    red = page[page.index("红榜"):]
    assert "物业C" in red and "物业B" in red


@pytest.mark.parametrize(("earlier", "later"), [
    ("2025-12", "2026-01"),  # month, across the year end
    ("2026-04", "2026-05"),
    ("2025-Q4", "2026-Q1"),  # quarter, across the year end
    ("2026-Q1", "2026-Q2"),
    ("2025-H2", "2026-H1"),  # half-year, across the year end
    ("2025", "2026"),  # year
])
def test_a_red_card_after_a_black_list_in_the_calendar_previous_period(portal, earlier, later):
    units = read_rows(portal, "units")
    write_rows(portal, "units", units + [firm("pm-a"), firm("pm-b")], fieldnames=list(units[0]))
    fields = list(read_rows(portal, "evaluations")[0])
    write_rows(portal, "evaluations", [
        evaluation(1, earlier, "pm-a", 50), evaluation(2, later, "pm-a", 55),  # black twice running: 红牌
        evaluation(3, later, "pm-b", 55),  # black only now: 黄牌
    ], fieldnames=fields)
    write_rows(portal, "evaluation_items", [], fieldnames=list(read_rows(portal, "evaluation_items")[0]))
    cards = {(s["id"], period): card for s, period, card in open_session(portal, TODAY).portal.lists.cards}
    assert cards == {("pm-a", earlier): "黄牌", ("pm-a", later): "红牌", ("pm-b", later): "黄牌"}


def test_a_black_list_two_periods_back_is_no_red_card(portal):
    units = read_rows(portal, "units")
    write_rows(portal, "units", units + [firm("pm-a")], fieldnames=list(units[0]))
    fields = list(read_rows(portal, "evaluations")[0])
    write_rows(portal, "evaluations", [evaluation(1, "2025-H1", "pm-a", 50), evaluation(2, "2026-H1", "pm-a", 50)],
               fieldnames=fields)
    write_rows(portal, "evaluation_items", [], fieldnames=list(read_rows(portal, "evaluation_items")[0]))
    cards = [(s["id"], period, card) for s, period, card in open_session(portal, TODAY).portal.lists.cards]
    assert cards == [("pm-a", "2025-H1", "黄牌"), ("pm-a", "2026-H1", "黄牌")]


def decision(number: int, start: str, end: str, votes=("", "", "")) -> dict:
    return {"id": f"d-e{number}", "date": "2026-06-01", "body": "居民议事会", "community_id": "c-dongfeng",
            "title": f"边界决策{number}", "resolution": "同意。", "votes_for": str(votes[0]),
            "votes_against": str(votes[1]), "votes_abstain": str(votes[2]), "notice_start": start,
            "notice_end": end, "status": "有效"}


def test_notice_periods_and_votes_on_their_edges(portal, tmp_path):
    fields = list(read_rows(portal, "decisions")[0])
    write_rows(portal, "decisions", read_rows(portal, "decisions") + [
        decision(1, "2026-06-24", TODAY, (10, 10, 0)),  # last day of its 公示 is today: 公示中; tie: not passed
        decision(2, "2026-07-01", "2026-07-07", (10, 5, 5)),  # starts tomorrow: 未开始; exactly half: not passed
        decision(3, "2026-06-20", "2026-06-29", (11, 5, 5)),  # ended yesterday: 已结束; 11 of 21: passed
        decision(4, TODAY, TODAY, (1, 0, 0)),  # one day, today: 公示中
    ], fieldnames=fields)
    portal_model = open_session(portal, TODAY).portal
    state = {d["id"]: (d.notice_state, d.passed) for d in portal_model.decisions if d["id"].startswith("d-e")}
    assert state == {"d-e1": ("公示中", False), "d-e2": ("未开始", False), "d-e3": ("已结束", True),
                     "d-e4": ("公示中", True)}
    assert [d["id"] for d in portal_model.in_notice if d["id"].startswith("d-e")] == ["d-e1", "d-e4"]
    site = build_site(portal, today=TODAY, site_dir=tmp_path / "site")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "边界决策1" in home and "今天截止" in home and "边界决策2" not in home.split("正在公示")[1].split("</section>")[0]


def test_a_project_due_on_the_reference_date_is_not_overdue(portal):
    rows = read_rows(portal, "projects")
    doctor = next(r for r in rows if r["status"] == "实施中")
    due_today = dict(doctor, id="p-today", due_date=TODAY)
    due_yesterday = dict(doctor, id="p-yesterday", due_date="2026-06-29")
    write_rows(portal, "projects", rows + [due_today, due_yesterday], fieldnames=list(rows[0]))
    model = open_session(portal, TODAY).portal
    assert {p["id"]: p.overdue for p in model.projects if p["id"] in ("p-today", "p-yesterday")} == {
        "p-today": False, "p-yesterday": True}
