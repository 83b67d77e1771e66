"""开放数据 `/data/`: every resource as CSV, JSON and XLSX, the derived results, a datapackage.json
with each file's schema, size and sha256, and a data dictionary page built from the schemas.

Values are read from the Portal model after extend_portal, so privacy masking applies here too.
"""
from __future__ import annotations

import copy
import datetime as dt
import posixpath
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongkai.api import (
    Later,
    changes_json,
    csv_bytes,
    digest,
    dumps,
    field_rows,
    hookimpl,
    json_bytes,
    map_chunks_later,
    period_sort_key,
    record_digests,
    sha256,
    xlsx_bytes,
)

CACHE_KEY = "open_data"
STARTED = "open_data_started"  # portal.extra: the function that waits for the resources' files
FORMATS = {
    "csv": ("text/csv", "utf-8"),
    "json": ("application/json", "utf-8"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None),
}
PERIOD_SCORES_SCHEMA = {
    "fields": [
        {"name": "subject_id", "type": "string", "title": "被评对象", "description": "被评单位的编号（units.id）。",
         "constraints": {"required": True}},
        {"name": "period", "type": "string", "title": "评价周期", "description": "YYYY、YYYY-Hn、YYYY-Qn 或 YYYY-MM。",
         "constraints": {"required": True}},
        {"name": "score", "type": "number", "title": "周期得分",
         "description": "该周期各次评价得分的平均分（各次都有参评人数时按参评人数加权），四舍五入保留两位小数。",
         "constraints": {"required": True}},
        {"name": "stars", "type": "integer", "title": "星级",
         "description": "★ 的个数：≥95 五星，≥90 四星，≥80 三星，≥70 二星，≥60 一星，低于 60 为 0。",
         "constraints": {"minimum": 0, "maximum": 5}},
        {"name": "rank", "type": "integer", "title": "排名",
         "description": "在同一周期、同一类型的单位中的名次，得分相同名次相同。", "constraints": {"minimum": 1}},
    ],
    "primaryKey": ["subject_id", "period"],
    "foreignKeys": [{"fields": ["subject_id"], "reference": {"resource": "units", "fields": ["id"]}}],
    "missingValues": [""],
}
RESULTS_KEYS = (
    ("reference_date", "数据截至日期（YYYY-MM-DD），逾期和公示期都按这一天计算"),
    ("period_scores", "每个被评对象每个周期的得分、星级和排名，字段同 period_scores.csv"),
    ("red_list", "红榜：{周期: [单位编号]}"),
    ("black_list", "黑榜：{周期: [单位编号]}"),
    ("interviews", "约谈名单：{周期: [单位编号]}，黑榜单位均列入"),
    ("cards", "亮牌：[{subject_id, period, card}]，card 为 黄牌 或 红牌（连续两个周期上黑榜）"),
    ("overdue", "逾期项目的编号"),
    ("in_notice", "正在公示期内的决策的编号"),
)


@dataclass
class Download:
    path: str  # site-relative, e.g. "data/units.csv"
    name: str  # the datapackage resource name
    title: str
    format: str
    content: bytes
    rows: int | None = None
    schema: dict | None = None
    description: str = ""
    last_modified: str | None = None  # the day git history last changed the resource's data

    @property
    def size(self) -> str:
        n = len(self.content)
        return f"{n} 字节" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MB"

    @property
    def filename(self) -> str:
        return posixpath.basename(self.path)

    def descriptor(self) -> dict:
        mediatype, encoding = FORMATS[self.format]
        out = {"name": self.name, "title": self.title, "path": self.filename,
               "profile": "tabular-data-resource" if self.schema else "data-resource",
               "format": self.format, "mediatype": mediatype}
        if encoding:
            out["encoding"] = encoding
        out.update({"bytes": len(self.content), "hash": sha256(self.content)})
        if self.description:
            out["description"] = self.description
        if self.last_modified:
            out["last_modified"] = self.last_modified
        if self.schema:
            out["schema"] = self.schema
        return out


def published(portal) -> list:
    """The portal's resources that have a data file (optional resources may be left out)."""
    return [r for name, r in portal.resources.items() if name in portal.files]


def round2(value) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def results(portal) -> dict:
    """The derived results as data/results.json publishes them (lists sorted by id)."""
    scores = sorted(portal.period_scores, key=lambda ps: (period_sort_key(ps.period), ps.subject["id"]))

    def by_period(lists: dict) -> dict:
        return {p: sorted(u["id"] for u in lists[p]) for p in sorted(lists, key=period_sort_key)}

    cards = sorted(portal.lists.cards, key=lambda c: (period_sort_key(c[1]), c[0]["id"]))
    return {
        "reference_date": portal.today.isoformat(),
        "period_scores": [{"subject_id": ps.subject["id"], "period": ps.period, "score": round2(ps.score),
                           "stars": ps.stars, "rank": ps.rank} for ps in scores],
        "red_list": by_period(portal.lists.red),
        "black_list": by_period(portal.lists.black),
        "interviews": by_period(portal.lists.interviews),
        "cards": [{"subject_id": u["id"], "period": p, "card": card} for u, p, card in cards],
        "overdue": sorted(p["id"] for p in portal.overdue),
        "in_notice": sorted(d["id"] for d in portal.in_notice),
    }


def _schema(resource, portal, foreign_keys: bool) -> dict:
    """The resource's Table Schema; foreign keys only in CSV, and only to resources that are published."""
    schema = copy.deepcopy(resource.schema)
    keys = [fk for fk in schema.pop("foreignKeys", None) or []
            if (fk.get("reference", {}).get("resource") or resource.name) in portal.files]
    if foreign_keys and keys:
        schema["foreignKeys"] = keys
    return schema


def _resource_files(resource, portal, when: dt.datetime) -> list[Download]:
    name, fields, rows = resource.name, resource.fields, portal.records[resource.name]
    title = resource.title or name
    changed = portal.history.last_modified(name)
    modified = changed.isoformat() if changed else None
    note = resource.schema.get("description", "")
    csv_note = (note + " " if note else "") + "CSV 为 UTF-8（带 BOM）编码；以 = + - @、制表符或回车开头的文字前加了英文单引号 '，以免被当作公式。"
    return [
        Download(f"data/{name}.csv", name, title, "csv", csv_bytes(fields, rows), len(rows),
                 _schema(resource, portal, True), csv_note, modified),
        Download(f"data/{name}.json", f"{name}-json", title, "json", json_bytes(fields, rows), len(rows),
                 _schema(resource, portal, False), note, modified),
        Download(f"data/{name}.xlsx", f"{name}-xlsx", title, "xlsx", xlsx_bytes(name, fields, rows, when), len(rows),
                 _schema(resource, portal, False), note, modified),
    ]


LICENSES = {  # SPDX id -> (title, address) of the licenses a portal may name in `open_data: {license: …}`
    "CC-BY-4.0": ("知识共享 署名 4.0 国际", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("知识共享 CC0 1.0 公共领域贡献", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": ("开放数据共享 署名许可 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
}


def provenance(portal) -> dict:
    """Who publishes the data, under which license, and whom to ask (setting `open_data`)."""
    options = portal.settings.open_data
    spdx = options.get("license") or "CC-BY-4.0"
    title, address = LICENSES.get(spdx, (spdx, None))
    license_ = {"name": spdx, "title": title, **({"path": address} if address else {})}
    publisher = {"title": options.get("publisher") or portal.site_name or "党建引领社区治理公开", "role": "publisher"}
    for key in ("email", "path"):
        if options.get(key):
            publisher[key] = options[key]
    return {"licenses": [license_], "contributors": [publisher]}


def _datapackage(portal, files: list[Download]) -> bytes:
    return dumps({
        "profile": "data-package",
        "name": "gongkai-open-data",
        "title": portal.site_name or "党建引领社区治理公开数据",
        "created": f"{portal.today.isoformat()}T00:00:00+08:00",
        **provenance(portal),
        "resources": [f.descriptor() for f in files],
    })


def _derived_files(portal) -> list[Download]:
    derived = results(portal)
    history = [] if not portal.history.available else [
        Download("data/changes.json", "changes", "修订记录（派生）", "json",
                 portal.history.kept("changes.json", lambda: dumps(changes_json(portal))),
                 len(portal.history.changes),
                 description="由 git 历史得出的每一次新增、修改和删除，按提交分组（提交编号、日期）：数据表、编号，修改前后的值（个人信息已打码）。")]
    return history + [
        Download("data/results.json", "results", "评价与公开结果（派生）", "json", dumps(derived),
                 description="由数据计算得出的周期得分、红黑榜、约谈、亮牌、逾期项目和公示中的决策。"),
        Download("data/period_scores.csv", "period_scores", "周期得分（派生）", "csv",
                 csv_bytes(PERIOD_SCORES_SCHEMA["fields"], derived["period_scores"]), len(derived["period_scores"]),
                 PERIOD_SCORES_SCHEMA),
    ]


def downloads(portal) -> list[Download]:
    """Every file under data/, built once per portal (the page shows their sizes and row counts).
    In `gongkai serve`, a resource whose rows did not change keeps the files of the last build."""
    if CACHE_KEY not in portal.extra:
        files = _resource_files_made(portal)() + _derived_files(portal)
        package = Download("data/datapackage.json", "datapackage", "数据包说明", "json", _datapackage(portal, files))
        portal.extra[CACHE_KEY] = files + [package]
    return portal.extra[CACHE_KEY]


def _resource_files_made(portal):
    """Start making each published resource's CSV, JSON and XLSX (in worker processes: the XLSX files
    of a district take seconds each); returns the function that waits for them, in resource order."""
    if STARTED not in portal.extra:
        when = dt.datetime.combine(portal.today, dt.time())
        resources = published(portal)
        keys = [_rows_key(r, portal) for r in resources] if portal.preview else []
        kept = {n: _previous[key] for n, key in enumerate(keys) if key in _previous}

        def made(numbers):
            return [(n, _resource_files(resources[n], portal, when)) for n in numbers]

        making = map_chunks_later(made, [n for n in range(len(resources)) if n not in kept], min_items=1)  # beside the rendering, even one

        def wait() -> list[Download]:
            global _previous
            per_resource = sorted(making() + list(kept.items()), key=lambda item: item[0])
            if portal.preview:
                _previous = {keys[n]: made_files for n, made_files in per_resource}
            return [f for _, made_files in per_resource for f in made_files]
        portal.extra[STARTED] = wait
    return portal.extra[STARTED]


_previous: dict[str, list] = {}  # `gongkai serve`: the files of each resource at the last build, by _rows_key


def _rows_key(resource, portal) -> str:
    """Everything a resource's files are made of: its cells as published, its schema, the published
    resources (foreign keys) and the reference date."""
    return digest(resource.name, resource.title, resource.schema, sorted(portal.files), portal.today,
                  record_digests(portal).cells(resource.name), portal.history.last_modified(resource.name))


@hookimpl
def register_files(register, portal):
    for item in downloads(portal):
        register(item.path, item.content)


@hookimpl
def register_pages(register, portal):
    _resource_files_made(portal)  # the files are made while the other pages render; this one is rendered last
    dictionary = [(r, field_rows(r.schema)) for r in published(portal)]
    register("data/", "开放数据", template="data_index.html",
             context=dict(files=Later(lambda: downloads(portal)), dictionary=dictionary, provenance=provenance(portal), period_fields=field_rows(PERIOD_SCORES_SCHEMA),
                          results_keys=RESULTS_KEYS),
             nav="开放数据", order=50, kind="开放数据",
             description="本站公开的全部数据：CSV、JSON、XLSX 下载，数据包说明和数据字典。")
