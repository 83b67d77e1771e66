"""The Portal model: one in-memory, cross-referenced object graph built once per build and handed
to every plugin, so no plugin re-reads a file or re-joins tables.

Records keep their fields as dict items; relations are attributes (``unit.parent``,
``project.milestones``); derived results hang on the portal (``portal.period_scores``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from gongkai.data import derived
from gongkai.data.history import History
from gongkai.data.resources import Record, Resource
from gongkai.settings import Settings


@dataclass
class Portal:
    root: Path
    settings: Settings
    today: dt.date
    resources: dict[str, Resource]
    records: dict[str, list[Record]]
    files: dict[str, str]
    site_url: str = ""
    site_name: str = ""
    docs_dir: Path | None = None  # content/: the hand-written pages (`docs_dir` of site_config.yml)
    markdown_extensions: list = field(default_factory=list)  # [(name, settings)] as MkDocs uses them
    extra: dict[str, Any] = field(default_factory=dict)
    render: Callable[..., str] | None = None  # set by the core: render(template, path, **context)
    pages: dict | None = None  # path -> Page, set by the core once every page is registered
    hand_written: dict = field(default_factory=dict)  # URL path -> (title, body HTML) of content/'s pages, for rewrite_output
    preview: bool = False  # `gongkai serve`: this process builds again on every edit (a plugin may keep work for the next build)
    history: History = field(default_factory=History)  # what git knows of the data (gongkai/data/history.py)
    input_keys: dict[str, str] = field(default_factory=dict)  # `gongkai serve`: each table's validation key (gongkai/data/table_memo.py)

    def __post_init__(self) -> None:
        self.docs_dir = self.docs_dir or self.root / "content"
        for name in self.resources:
            self.records.setdefault(name, [])
        self.by_id: dict[str, dict[str, Record]] = {
            name: {r["id"].lower(): r for r in recs if r.get("id")} for name, recs in self.records.items()
        }
        _link(self)
        self._derive()

    @cached_property
    def public_numbers(self) -> set[str]:
        """Keys of the personal-data-like numbers the portal publishes on purpose (`public_fields`)."""
        from gongkai.data.privacy import public_numbers

        return public_numbers(self.records, self.settings.public_fields)

    def has_page(self, target: str) -> bool:
        """Whether the site has a generated page at `target` ("units/u1/", "results/#lists"), so that a
        portal that switched a page plugin off links to no missing page. Known once every plugin has
        registered its pages: render bodies from a template (register(..., template=...))."""
        if self.pages is None:
            raise RuntimeError("页面还没有全部登记，无法判断链接目标是否存在：请用 register(..., template=..., context=...) "
                               "登记页面，由 gongkai 在全部页面登记后生成正文。")
        path = target.partition("#")[0]
        return (path if path.endswith("/") or not path else path + "/") in self.pages

    @property
    def nav_pages(self) -> list:
        """The index pages in the nav, in nav order (the home page's sections)."""
        return sorted((p for p in (self.pages or {}).values() if p.nav), key=lambda p: (p.order, p.path))

    # ---- lookups
    def get(self, resource: str, record_id: str | None) -> Record | None:
        if not record_id:
            return None
        return self.by_id.get(resource, {}).get(str(record_id).lower())

    @property
    def units(self) -> list[Record]:
        return self.records["units"]

    @property
    def projects(self) -> list[Record]:
        return self.records["projects"]

    @property
    def decisions(self) -> list[Record]:
        return self.records["decisions"]

    @property
    def needs(self) -> list[Record]:
        return self.records["needs"]

    @property
    def evaluations(self) -> list[Record]:
        return self.records["evaluations"]

    def units_of_kind(self, kind: str) -> list[Record]:
        return [u for u in self.units if u["kind"] == kind]

    # ---- derived results
    def _derive(self) -> None:
        s = self.settings
        self.period_scores = derived.period_scores(self.evaluations, self.by_id["units"])
        self.periods = sorted({ps.period for ps in self.period_scores}, key=derived.period_sort_key, reverse=True)
        self.lists = derived.ranked_lists(self.period_scores, s.ranked_kinds, s.red_list_min, s.black_list_below)
        for u in self.units:
            u.__dict__["period_scores"] = []
        for ps in self.period_scores:
            ps.subject.period_scores.append(ps)
        for resource in derived.STATUS_FLAGS:
            for record in self.records.get(resource, []):
                record.__dict__.update(derived.record_flags(record, resource))
        for p in self.projects:
            p.__dict__["overdue"] = derived.is_overdue(p, self.today)
        for d in self.decisions:
            state = derived.notice_state(d, self.today)
            d.__dict__.update(notice_state=state, in_notice=state == derived.NOTICE_OPEN,
                              notice_upcoming=state == derived.NOTICE_UPCOMING,
                              notice_ended=state == derived.NOTICE_ENDED, passed=derived.vote_passed(d))
        self.overdue = sorted((p for p in self.projects if p.overdue), key=lambda p: p["id"])
        self.in_notice = sorted((d for d in self.decisions if d.in_notice), key=lambda d: d["id"])
        self.satisfaction = derived.satisfaction(self.evaluations)

    def scores_in(self, period: str) -> list:
        return [ps for ps in self.period_scores if ps.period == period]

    def satisfaction_in(self, period: str) -> float | None:
        return derived.satisfaction([e for e in self.evaluations if e["period"] == period])


def _link(portal: Portal) -> None:
    """Attach every relation, both ways, as the schemas' foreignKeys name them: a key field gives the
    record an attribute (`relation`: `project.lead_unit`), and the record it points to a list
    (`reverse`: `unit.projects_led`), in file order. Keys without a `relation` are checked, not linked."""
    relations = []
    for name, resource in portal.resources.items():
        for fk in resource.foreign_keys:
            if fk.get("relation") and len(fk["fields"]) == 1:
                relations.append((name, fk["fields"][0], fk["reference"].get("resource") or name, fk["relation"],
                                  fk.get("reverse")))
    for _, _, target, _, reverse in relations:
        if reverse:
            for record in portal.records.get(target, []):
                record.__dict__.setdefault(reverse, [])
    for name, key, target, relation, reverse in relations:
        for record in portal.records.get(name, []):
            other = portal.get(target, record.get(key))
            record.__dict__[relation] = other
            if other is not None and reverse:
                other.__dict__[reverse].append(record)
    _link_partners(portal)
    for p in portal.projects:
        p.milestones.sort(key=lambda m: (m["date"], m.line))


def _link_partners(portal: Portal) -> None:
    """projects.partner_unit_ids is a `;` list of unit ids, which a foreignKey cannot express."""
    for u in portal.units:
        u.__dict__["projects_joined"] = []
    for p in portal.projects:
        partners = [portal.get("units", pid) for pid in split_ids(p.get("partner_unit_ids"))]
        p.__dict__["partners"] = [u for u in partners if u is not None]
        for u in p.partners:
            u.projects_joined.append(p)


def split_ids(value: str | None) -> list[str]:
    """The ids of a `;`-separated list (also accepting the full-width ；), blanks dropped."""
    if not value:
        return []
    return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]


def community_of(unit) -> object | None:
    """The 社区 a unit belongs to: itself, or the nearest 社区 up its parent chain (None if none)."""
    seen = set()
    while unit is not None and id(unit) not in seen:
        if unit["kind"] == "社区":
            return unit
        seen.add(id(unit))
        unit = unit.parent
    return None


def by_community(records, communities, unit_of) -> list[tuple]:
    """[(community or None, [records])] in the order of `communities`; None collects the rest.

    `unit_of(record)` gives the record's unit, which is resolved up to its 社区."""
    groups: dict = {id(c): (c, []) for c in communities}
    rest: list = []
    for record in records:
        group = groups.get(id(community_of(unit_of(record))))
        (group[1] if group else rest).append(record)
    out = list(groups.values())
    return out + [(None, rest)] if rest else out
