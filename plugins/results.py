"""结果公开 `/results/` and `/results/<period>/`: what was done (completed, overdue and terminated
projects, with charts) and how residents rated it (period scores, stars, rankings, 红黑榜, 约谈,
黄牌/红牌 and the criteria of each evaluation). Every figure comes from the Portal model."""
from gongkai.api import (
    ENUMS,
    by_community,
    completion_chart,
    hookimpl,
    percent,
    percent_chart,
    period_sort_key,
    satisfaction,
)

KIND_ORDER = ENUMS["unit_kinds"]


@hookimpl
def register_pages(register, portal):
    register("results/", "结果公开", template="results_index.html", context=index_context(portal), nav="结果公开", order=20,
             description="项目完成情况、逾期和终止项目，以及各评价周期的得分、排名、红黑榜和满意率。",
             reads=("projects", "evaluations", "evaluation_items", "units"))
    periods = portal.periods
    for i, period in enumerate(periods):
        newer = periods[i - 1] if i else None
        older = periods[i + 1] if i + 1 < len(periods) else None
        register(f"results/{period}/", f"{period} 评价结果", template="results_period.html",
                 context=period_context(portal, period, newer, older), kind="评价周期",
                 description=f"{period} 评价周期的得分、星级、排名、红黑榜、约谈和亮牌。", reads=period_reads(portal, period))


# ------------------------------------------------------------------------------ index


def index_context(portal) -> dict:
    projects = portal.projects
    done = sorted((p for p in projects if p.done),
                  key=lambda p: (p["completed_on"], p["id"]), reverse=True)
    terminated = sorted((p for p in projects if p.terminated), key=lambda p: p["id"])
    overdue = [(p, (portal.today - p["due_date"]).days) for p in portal.overdue]
    summaries = [period_summary(portal, period) for period in portal.periods]
    charts = [satisfaction_chart(portal), community_chart(portal)]
    return dict(done=done, overdue=overdue, terminated=terminated, summaries=summaries,
                charts=[c for c in charts if c is not None])


def period_summary(portal, period: str) -> dict:
    return {
        "period": period,
        "subjects": len(portal.scores_in(period)),
        "satisfaction": portal.satisfaction_in(period),
        "red": len(portal.lists.red.get(period, [])),
        "black": len(portal.lists.black.get(period, [])),
        "cards": [(unit, card) for unit, p, card in portal.lists.cards if p == period],
    }


def satisfaction_chart(portal):
    periods = sorted(portal.periods, key=period_sort_key)
    if not periods:
        return None
    items = [(period, portal.satisfaction_in(period)) for period in periods]
    known = [(p, v) for p, v in items if v is not None]
    summary = "、".join(f"{p} 为 {percent(v)}" for p, v in known) if known else "各周期都没有参评人数"
    return percent_chart("chart-satisfaction", "各评价周期居民满意率", f"满意率（满意人数 ÷ 参评人数）：{summary}。",
                         items, ("评价周期", "满意率"), percent)


def community_chart(portal):
    if not portal.projects:
        return None
    groups = by_community(portal.projects, portal.units_of_kind("社区"), lambda p: p.community)
    items = [(c["name"] if c else "街道及其他", sum(p.done for p in ps), len(ps))
             for c, ps in groups]
    summary = "、".join(f"{name} {done}/{total}" for name, done, total in items)
    return completion_chart("chart-completion", "各社区项目完成情况",
                            f"已完成（含已验收）项目数 / 项目总数：{summary}。",
                            items, ("社区", "已完成", "未完成或已终止", "合计"),
                            ("已完成（含已验收）", "未完成或已终止"))


# ------------------------------------------------------------------------------ period


def period_context(portal, period: str, newer: str | None, older: str | None) -> dict:
    scores = portal.scores_in(period)
    kinds = sorted({ps.subject["kind"] for ps in scores}, key=_kind_key(portal))
    by_kind = [(kind, [ps for ps in scores if ps.subject["kind"] == kind]) for kind in kinds]
    ranked = any(kind in portal.settings.ranked_kinds for kind in kinds)  # show the 红黑榜 section
    score_of = {ps.subject: ps for ps in scores}
    lists = portal.lists
    return dict(period=period, newer=newer, older=older, count=len(scores), by_kind=by_kind, ranked=ranked,
                score_of=score_of, satisfaction=portal.satisfaction_in(period), red=lists.red.get(period, []),
                black=lists.black.get(period, []), interviews=lists.interviews.get(period, []),
                cards=[(unit, card) for unit, p, card in lists.cards if p == period], rate=satisfaction)


def period_reads(portal, period: str) -> tuple:
    """A period page shows scores, ranks and lists (亮牌 look at earlier periods too) made from every
    evaluation, its criteria and the units, and links the projects evaluated in this period."""
    evaluated = (getattr(e, "project", None) for e in portal.evaluations if e["period"] == period)
    projects = {id(p): p for p in evaluated if p is not None}
    return ("evaluations", "evaluation_items", "units", *projects.values())


def _kind_key(portal):
    """Ranked kinds (with 红黑榜) first, then the standard's order of unit kinds."""
    ranked = portal.settings.ranked_kinds

    def key(kind: str) -> tuple:
        return (kind not in ranked, KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)

    return key
