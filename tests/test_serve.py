"""`gongkai serve`: rebuilds when data changes, and shows findings instead of crashing on bad data."""
from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import mkdocs.commands.build
import mkdocs.config
import pytest
from conftest import TODAY, build_site, edit_line, read_rows, write_rows

from gongkai.bridge.serve import PreviewBuilder
from gongkai.site import search


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = fetch(url)
        if body and text in body:
            return True
        time.sleep(0.3)
    return False


def test_preview_of_invalid_data_shows_the_findings_on_the_page(portal, tmp_path):
    rows = read_rows(portal, "units")
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    config = mkdocs.config.load_config(str(portal / "site_config.yml"), site_dir=str(tmp_path / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)
    mkdocs.commands.build.build(config)
    html = (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
    assert 'class="gk-banner"' in html and "datasets/units.csv" in html and "居委会" in html


def test_serve_rebuilds_when_a_csv_row_changes(portal):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gongkai.cli", "serve", str(portal), "--dev-addr", f"127.0.0.1:{port}",
                               "--today", "2026-11-25"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        home = f"http://127.0.0.1:{port}/"
        rows = read_rows(portal, "decisions")
        assert wait_for(home, rows[0]["title"][:4], 120), "the preview server did not start"
        rows[0]["title"] = "预览刷新测试议题"
        write_rows(portal, "decisions", rows)
        assert wait_for(home, "预览刷新测试议题", 60)
        rows[0]["date"] = "2025年13月1日"  # briefly invalid: the server keeps running and shows the finding
        write_rows(portal, "decisions", rows)
        assert wait_for(home, "gk-banner", 60)
    finally:
        server.terminate()
        server.wait(timeout=10)


# ------------------------------------------------------------------ incremental preview rebuilds


class Preview:
    """What `gongkai serve` runs on each change, without the server: its PreviewBuilder (MkDocs' dirty
    builds into one folder, with the plugin object MkDocs keeps between them)."""

    def __init__(self, portal, site):
        self.site = site
        self.builder = PreviewBuilder(portal, site, TODAY)

    def build(self) -> set[str]:
        """Build; the HTML files written by this build."""
        old = time.time() - 100
        for path in self.site.rglob("*.html"):
            os.utime(path, (old, old))
        self.builder()
        return {p.relative_to(self.site).as_posix() for p in self.site.rglob("*.html") if p.stat().st_mtime > old + 50}


def same_site(preview: Path, full: Path) -> None:
    """The pages, the search index and the downloads of a preview rebuild are those of a full build,
    byte for byte."""
    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.suffix == ".html" or (p.is_file() and p.relative_to(root).parts[0] in ("data", "search"))}
    got, want = files(preview), files(full)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []


@pytest.fixture
def preview(portal, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    assert len(preview.build()) > 20  # the first build renders every page
    return preview


def test_a_preview_rebuild_renders_only_what_changed(preview, portal, tmp_path):
    rows = read_rows(portal, "projects")
    rows[0]["title"] = "预览增量测试项目"
    write_rows(portal, "projects", rows)
    written = preview.build()
    page = f"projects/{rows[0]['id']}/index.html"
    assert page in written and "预览增量测试项目" in (preview.site / page).read_text(encoding="utf-8")
    pages = list(preview.site.rglob("*.html"))
    assert len(written) < len(pages) - 5, sorted(written)  # e.g. the pages of units without this project stay
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_rebuild_reads_again_for_search_only_the_pages_that_changed(preview, portal, tmp_path, monkeypatch):
    read, page_text = [], search.page_text
    monkeypatch.setattr(search, "page_text", lambda html: read.append(html) or page_text(html))
    rows = read_rows(portal, "projects")
    rows[0]["title"] = "预览搜索增量项目"
    write_rows(portal, "projects", rows)
    rendered = preview.build()  # the pages whose HTML changed
    assert any("预览搜索增量项目" in html for html in read)
    assert 0 < len(read) <= len(rendered) < len(list(preview.site.rglob("*.html"))) - 5
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_rebuild_renders_again_only_the_bodies_whose_records_changed(preview, portal, tmp_path, monkeypatch):
    from gongkai.site.pages import Page

    rendered, render = [], Page.render
    monkeypatch.setattr(Page, "render", lambda page, r: rendered.append(page.path) or render(page, r))
    rows = read_rows(portal, "milestones")
    rows[0]["description"] = "里程碑说明已改"
    write_rows(portal, "milestones", rows)
    preview.build()
    entity = sorted(p for p in rendered if p.startswith(("projects/", "units/", "decisions/")) and p.count("/") == 2)
    # only p-seats shows its milestones (its decision and its units list p-seats, not its milestones);
    # that nothing else needed rendering is what the comparison with a full build proves
    assert entity == ["projects/p-seats/"]
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_rebuild_digests_again_only_the_cells_of_the_changed_table(preview, portal, tmp_path, monkeypatch):
    """The page keys digest every record a page reads; the cells of a table that did not change are those
    of the last build, line for line, so only the edited table's cells are digested again (each record's
    derived flags are digested on every build), and the preview still equals a full build."""
    from gongkai.site import reads

    digested, cells_digest = [], reads.cells_digest
    monkeypatch.setattr(reads, "cells_digest", lambda record: digested.append(record) or cells_digest(record))
    for resource, change, full in (("milestones", {"description": "里程碑说明又改了"}, "full"),
                                   ("projects", {"title": "项目名称改了"}, "full2")):
        digested.clear()
        edit_line(portal, resource, 2, **change)
        preview.build()
        records = preview.builder.config().mkdocs.plugins["gongkai"].session.portal.records[resource]
        assert len(records) == len(read_rows(portal, resource))
        assert sorted(map(id, digested)) == sorted(map(id, records))  # each record of the table, each once
        same_site(preview.site, build_site(portal, site_dir=tmp_path / full))


def test_a_full_build_in_the_same_process_leaves_the_preview_its_state(preview, portal, tmp_path, monkeypatch):
    """MkDocs keeps one object of the gongkai plugin per process; a `gongkai build` run in it between two
    preview rebuilds must not leave the next rebuild without what the last one made (it typed every
    table again and rendered every page), nor make it stop on invalid data instead of showing the findings."""
    from gongkai.data import cells

    build_site(portal, site_dir=tmp_path / "full")
    typed, type_rows = [], cells.TableTyper.type_rows
    monkeypatch.setattr(cells.TableTyper, "type_rows", lambda typer, table: typed.append(typer.resource.name) or type_rows(typer, table))
    edit_line(portal, "milestones", 2, description="构建之后再预览")
    written = preview.build()
    assert typed == ["milestones"]
    assert "projects/p-seats/index.html" in written and "units/u-hospital/index.html" not in written
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full2"))

    edit_line(portal, "units", 2, kind="居委会")  # invalid: the preview shows the finding instead of stopping
    preview.build()
    assert 'class="gk-banner"' in (preview.site / "index.html").read_text(encoding="utf-8")


def test_a_preview_rebuild_removes_the_page_of_a_deleted_row(preview, portal, tmp_path):
    rows = read_rows(portal, "projects")
    gone = rows[-1]["id"]
    dependants = [r for r in read_rows(portal, "milestones") if r["project_id"] != gone]
    write_rows(portal, "milestones", dependants, fieldnames=list(read_rows(portal, "milestones")[0]))
    write_rows(portal, "projects", rows[:-1])
    preview.build()
    assert not (preview.site / "projects" / gone / "index.html").exists()
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_change_every_page_shows_rebuilds_every_page(preview, portal, tmp_path):
    config = portal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name:", "site_name: 预览", 1), encoding="utf-8")
    written = preview.build()
    assert written == {p.relative_to(preview.site).as_posix() for p in preview.site.rglob("*.html")}
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_shows_bad_data_then_recovers_when_it_is_fixed(preview, portal, tmp_path):
    rows = read_rows(portal, "units")
    good = rows[0]["kind"]
    rows[0]["kind"] = "居委会"
    write_rows(portal, "units", rows)
    preview.build()
    assert 'class="gk-banner"' in (preview.site / "index.html").read_text(encoding="utf-8")
    rows[0]["kind"] = good
    write_rows(portal, "units", rows)
    preview.build()
    assert 'class="gk-banner"' not in (preview.site / "index.html").read_text(encoding="utf-8")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_after_a_sequence_of_edits_equals_a_full_build(preview, portal, tmp_path):
    """Edits that reach many pages, each followed by a preview rebuild: a unit name that many pages
    show, a foreign key moved to another unit, an evaluation that moves a firm onto the 黑榜, a new
    row and the downloads of an unchanged resource kept from the last build."""
    units = read_rows(portal, "units")
    next(u for u in units if u["id"] == "c-dongfeng")["name"] = "东风新社区"
    write_rows(portal, "units", units)
    preview.build()
    assert "东风新社区" in (preview.site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")

    projects = read_rows(portal, "projects")
    next(p for p in projects if p["id"] == "p-seats")["lead_unit_id"] = "u-hospital"
    write_rows(portal, "projects", projects)
    preview.build()
    assert "p-seats" in (preview.site / "units" / "u-hospital" / "index.html").read_text(encoding="utf-8")

    evaluations = read_rows(portal, "evaluations")
    for row in evaluations:
        if row["subject_id"] == "pm-sample":
            row["score"] = "40"
    write_rows(portal, "evaluations", evaluations)
    items = read_rows(portal, "evaluation_items")
    write_rows(portal, "evaluation_items", [], fieldnames=list(items[0]))
    preview.build()

    needs = read_rows(portal, "needs")
    write_rows(portal, "needs", needs + [dict(needs[0], id="n-new", title="新增的需求")])
    preview.build()
    lists = "".join(page.read_text(encoding="utf-8") for page in (preview.site / "lists").rglob("index.html"))
    assert lists.count("新增的需求") == 1
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))
    results = json.loads((preview.site / "data" / "results.json").read_text(encoding="utf-8"))
    assert "pm-sample" in json.dumps(results["black_list"])  # 40 < 60: the edit moved it onto the 黑榜


def test_a_preview_rebuild_types_again_only_the_changed_table_and_rechecks_the_keys_that_point_to_it(
        preview, portal, tmp_path, monkeypatch):
    """A unit deleted: only units.csv is read and typed again, yet the unchanged tables whose rows name
    that unit get their foreign-key findings, exactly those of a fresh validation; restored, they go."""
    from gongkai.data import cells
    from gongkai.session import open_session

    typed, type_rows = [], cells.TableTyper.type_rows
    monkeypatch.setattr(cells.TableTyper, "type_rows", lambda typer, table: typed.append(typer.resource.name) or type_rows(typer, table))
    units, projects = read_rows(portal, "units"), read_rows(portal, "projects")
    lead = projects[0]["lead_unit_id"]
    write_rows(portal, "units", [u for u in units if u["id"] != lead])
    preview.build()
    assert typed == ["units"]
    session = preview.builder.config().mkdocs.plugins["gongkai"].session
    fresh = open_session(portal, TODAY, cache_records=False)
    shown = [(f.code, f.file, f.row, f.column, f.message) for f in session.report.findings]
    assert shown == [(f.code, f.file, f.row, f.column, f.message) for f in fresh.report.findings]
    assert ("foreign-key", "datasets/projects.csv", 2) in {(c, file, row) for c, file, row, _, _ in shown}
    assert 'class="gk-banner"' in (preview.site / "index.html").read_text(encoding="utf-8")

    write_rows(portal, "units", units)
    preview.build()
    assert typed == ["units", "units"]
    assert preview.builder.config().mkdocs.plugins["gongkai"].session.report.errors == []
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_period_page_is_rendered_again_only_when_a_project_it_links_changes(preview, portal, tmp_path, monkeypatch):
    """results/<period>/ reads every evaluation and unit (ranks, 亮牌) and links the projects evaluated in
    that period: a project's new title re-renders the period that evaluated it, not the others."""
    from gongkai.site.pages import Page

    projects = read_rows(portal, "projects")
    other = next(p["id"] for p in projects if p["id"] != "p-seats")
    evaluations = read_rows(portal, "evaluations")
    write_rows(portal, "evaluations", evaluations + [dict(evaluations[0], id="ev-old", period="2025-H2", project_id=other)])
    preview.build()
    rendered, render = [], Page.render
    monkeypatch.setattr(Page, "render", lambda page, r: rendered.append(page.path) or render(page, r))
    for project_id, period in (("p-seats", "2026-H1"), (other, "2025-H2")):
        rendered.clear()
        next(p for p in projects if p["id"] == project_id)["title"] = f"改名的项目{project_id}"
        write_rows(portal, "projects", projects)
        preview.build()
        assert sorted(p for p in rendered if p.startswith("results/") and p != "results/") == [f"results/{period}/"]
        assert f"改名的项目{project_id}" in (preview.site / "results" / period / "index.html").read_text(encoding="utf-8")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_hand_written_page_edit_renders_no_generated_body_and_a_photo_edit_only_its_project(
        portal, tmp_path, monkeypatch):
    """A page of content/ is read by MkDocs alone; a photo's size is read by the project that shows it."""
    from PIL import Image

    from gongkai.site.pages import Page

    (portal / "content" / "images").mkdir()
    Image.new("RGB", (40, 30), "white").save(portal / "content" / "images" / "seats.png")
    rows = read_rows(portal, "projects")
    next(r for r in rows if r["id"] == "p-seats")["photos"] = "images/seats.png"
    write_rows(portal, "projects", rows)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    preview.build()
    rendered, render = [], Page.render
    monkeypatch.setattr(Page, "render", lambda page, r: rendered.append(page.path) or render(page, r))

    about = portal / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n\n本页已更新。\n", encoding="utf-8")
    written = preview.build()
    assert [p for p in rendered if p.count("/") == 2] == []  # no entity page body rendered again
    assert "about/index.html" in written and not any(p.startswith(("projects/", "units/", "decisions/")) for p in written)
    assert "本页已更新。" in (preview.site / "about" / "index.html").read_text(encoding="utf-8")

    rendered.clear()
    Image.new("RGB", (80, 50), "white").save(portal / "content" / "images" / "seats.png")
    written = preview.build()
    assert [p for p in rendered if p.count("/") == 2] == ["projects/p-seats/"]
    assert 'width="80" height="50"' in (preview.site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_content_edit_keeps_the_model_and_replays_the_registrations_a_minutes_edit_does_not(
        demo_copy, tmp_path, monkeypatch):
    """No table changed: the model of the last build is kept and the page plugins' registrations are
    replayed, except those that read the edited file (a decision's minutes); after a page added to
    content/ and a table edited, the preview is the site a full build gives, byte for byte."""
    from gongkai.data.model import Portal
    from gongkai.plugins.decisions import MinutesRenderer

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(demo_copy, tmp_path / "preview")
    preview.build()
    models, minutes = [], []
    post_init, render = Portal.__post_init__, MinutesRenderer.render
    monkeypatch.setattr(Portal, "__post_init__", lambda portal: models.append(1) or post_init(portal))
    monkeypatch.setattr(MinutesRenderer, "render", lambda r, source, page: minutes.append(source) or render(r, source, page))

    about = demo_copy / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n\n本页已更新。\n", encoding="utf-8")
    preview.build()
    assert (models, minutes) == ([], [])  # nothing of the data side was made again
    assert "本页已更新。" in (preview.site / "about" / "index.html").read_text(encoding="utf-8")

    decision = next(r for r in read_rows(demo_copy, "decisions") if r["minutes"])
    source = demo_copy / "content" / decision["minutes"]
    source.write_text(source.read_text(encoding="utf-8") + "\n\n会后补充：纪要已更正。\n", encoding="utf-8")
    preview.build()
    assert models == [] and decision["minutes"] in minutes  # the decisions plugin registered again
    page = preview.site / "decisions" / decision["id"] / "index.html"
    assert "会后补充：纪要已更正。" in page.read_text(encoding="utf-8")

    (demo_copy / "content" / "notice.md").write_text("# 新的说明\n\n新增的页面。\n", encoding="utf-8")
    preview.build()
    assert models == [] and "新增的页面。" in (preview.site / "notice" / "index.html").read_text(encoding="utf-8")

    units = read_rows(demo_copy, "units")
    units[-1]["name"] = "改名后的单位"
    write_rows(demo_copy, "units", units)
    preview.build()
    assert models == [1]  # a table changed: a new model
    same_site(preview.site, build_site(demo_copy, site_dir=tmp_path / "full"))


def test_a_preview_of_a_portal_built_before_keeps_its_own_tables_and_model(portal, tmp_path, monkeypatch):
    """`gongkai build` leaves its validated records in the cache folder. A preview of the same data must
    not take them: a content edit (or a data edit undone) would load new records, so a new model and
    every page body rendered again, and the next data edit would read and type every table."""
    from gongkai.data import cells
    from gongkai.data.model import Portal

    build_site(portal, site_dir=tmp_path / "built")  # the cache folder now holds this data's records
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    preview.build()
    models, typed = [], []
    post_init, type_rows = Portal.__post_init__, cells.TableTyper.type_rows
    monkeypatch.setattr(Portal, "__post_init__", lambda p: models.append(1) or post_init(p))
    monkeypatch.setattr(cells.TableTyper, "type_rows", lambda typer, table: typed.append(typer.resource.name) or type_rows(typer, table))

    about = portal / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n\n本页已更新。\n", encoding="utf-8")
    preview.build()
    assert (models, typed) == ([], [])  # the model of the first build, no table typed
    assert "本页已更新。" in (preview.site / "about" / "index.html").read_text(encoding="utf-8")

    rows = read_rows(portal, "projects")
    rows[0]["title"] = "预览前已构建的项目"
    write_rows(portal, "projects", rows)
    preview.build()
    assert (models, typed) == ([1], ["projects"])  # only the edited table read and typed again
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_commit_during_a_preview_updates_the_revisions_of_unchanged_records(portal, tmp_path, monkeypatch):
    """An edit shows in the 修订记录 as uncommitted, dated today; once committed, the same row shows the
    commit's date, though no record changed between the two rebuilds."""
    from test_history import Repo, set_field, text_of

    repo = Repo(portal)
    repo.commit("2026-01-05", "首次发布")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    set_field(portal, "decisions", "d-001", location="东风社区议事厅")
    preview.build()
    shown = text_of(preview.site, "decisions/d-001/index.html", ".gk-revisions")
    assert "会议地点" in shown and "2026年4月9日" not in shown
    repo.commit("2026-04-09")
    preview.build()
    assert "2026年4月9日" in text_of(preview.site, "decisions/d-001/index.html", ".gk-revisions")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_preview_rebuild_reads_the_history_in_process_and_stores_no_whole_history(portal, tmp_path, monkeypatch):
    """The first preview build walks git's history in another process, beside the validation; a rebuild
    reads it in its own process (it types only the changed tables: a fork of the whole preview and the
    history sent back cost more), and no rebuild stores the whole history of a working tree that changes
    with every save. The uncommitted edit still shows in the 修订记录."""
    from test_history import Repo, set_field, text_of

    from gongkai import session as session_module

    repo = Repo(portal)
    repo.commit("2026-01-05", "首次发布")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    forks, background = [], session_module.Background
    monkeypatch.setattr(session_module, "Background", lambda function: forks.append(1) or background(function))
    preview = Preview(portal, tmp_path / "preview")
    preview.build()
    assert forks == [1]
    set_field(portal, "decisions", "d-001", location="东风社区议事厅")
    preview.build()
    assert forks == [1]
    assert "东风社区议事厅" in text_of(preview.site, "decisions/d-001/index.html", ".gk-revisions")
    assert list(portal.rglob("history-state.pickle")) == []
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))
    assert len(list(portal.rglob("history-state.pickle"))) == 1  # a build stores it


def test_a_preview_rebuild_checks_no_foreign_key_again_when_no_key_changed(preview, portal, monkeypatch):
    """A unit renamed: only units.csv's own keys are checked again (no table's keys changed); a unit's
    id changed: every table that points to units is checked again, with a fresh validation's findings."""
    from gongkai.data import validation
    from gongkai.session import open_session

    checked, check = [], validation.check_foreign_keys
    monkeypatch.setattr(validation, "check_foreign_keys", lambda resource, *a: checked.append(resource.name) or check(resource, *a))
    units = read_rows(portal, "units")
    units[-1]["name"] = "改名后的单位"
    write_rows(portal, "units", units)
    preview.build()
    assert checked == ["units"]

    checked.clear()
    used = read_rows(portal, "projects")[0]["lead_unit_id"]
    next(u for u in units if u["id"] == used)["id"] = "u-renamed"
    write_rows(portal, "units", units)
    preview.build()
    pointing = sorted(r.name for r in preview.builder.config().mkdocs.plugins["gongkai"].session.resources.values()
                      if any((fk["reference"].get("resource") or r.name) == "units" for fk in r.foreign_keys)
                      and (portal / "datasets" / f"{r.name}.csv").is_file())
    assert sorted(checked) == pointing and "projects" in pointing
    session = preview.builder.config().mkdocs.plugins["gongkai"].session
    fresh = open_session(portal, TODAY, cache_records=False)
    assert ([(f.code, f.file, f.row, f.message) for f in session.report.findings]
            == [(f.code, f.file, f.row, f.message) for f in fresh.report.findings])
    assert ("foreign-key", "datasets/projects.csv", 2) in {(f.code, f.file, f.row) for f in session.report.findings}


def test_a_preview_rebuild_leaves_what_it_kept_out_of_the_collector_and_collects_once_idle(preview, portal, monkeypatch):
    """While a rebuild runs, what the preview kept from earlier builds is frozen out of the garbage
    collector; afterwards nothing stays frozen, and one full collection runs once staff are idle."""
    import gc

    from gongkai.bridge import serve
    from gongkai.bridge.serve import IdleCollector

    seen, collected = [], threading.Event()
    monkeypatch.setattr(IdleCollector, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(gc, "collect", lambda *args: collected.set())
    real_build, real_load = mkdocs.commands.build.build, serve.load_config
    monkeypatch.setattr(mkdocs.commands.build, "build", lambda *a, **k: (seen.append(gc.get_freeze_count()), real_build(*a, **k))[1])
    monkeypatch.setattr(serve, "load_config", lambda *a, **k: (seen.append(gc.get_freeze_count()), real_load(*a, **k))[1])
    edit_line(portal, "projects", 2, title="冻结测试项目")
    preview.build()
    assert len(seen) == 2 and min(seen) > 10_000  # the model and memos of the first build were frozen during this
    # one, from reading site_config.yml on
    assert gc.get_freeze_count() == 0
    assert collected.wait(10)


def test_a_rebuild_runs_no_full_collection(monkeypatch):
    """Within a rebuild the collector takes only young garbage; the thresholds come back afterwards,
    also when the rebuild fails."""
    import gc

    from gongkai.bridge.serve import IdleCollector

    full = []
    callback = lambda phase, info: full.append(1) if phase == "stop" and info["generation"] == 2 else None  # noqa: E731
    monkeypatch.setattr(IdleCollector, "IDLE_SECONDS", 60.0)
    before = gc.get_threshold()
    collector = IdleCollector()
    gc.callbacks.append(callback)
    try:
        with pytest.raises(RuntimeError):
            with collector.paused():
                kept = [[i] for i in range(3 * len(gc.get_objects()) + 1_000_000)]  # survivors enough for several
                cycles = 0
                for _ in range(200_000):  # garbage cycles: the young collections must still find them
                    node: list = []
                    node.append(node)
                    cycles += 1
                assert gc.get_count()[0] < 700 * 2  # the young generation is still being collected
                raise RuntimeError("a failed rebuild")
        assert not full and len(kept) > 0 and cycles
        assert gc.get_threshold() == before
    finally:
        gc.callbacks.remove(callback)
        collector._timer.cancel()
    with collector.paused():  # the same collector, once more: nothing left changed
        pass
    collector._timer.cancel()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_rebuild_cancels_the_collection_the_last_one_planned(preview, monkeypatch):
    import gc

    from gongkai.bridge.serve import IdleCollector

    calls = []
    monkeypatch.setattr(IdleCollector, "IDLE_SECONDS", 1.0)
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(time.monotonic()))
    preview.build()
    first = preview.builder.collector._timer
    preview.build()  # within a second: the first build's collection must not run during this one
    assert first.finished.is_set() and preview.builder.collector._timer is not first
    time.sleep(1.5)
    assert len(calls) == 1


def test_a_page_written_again_unchanged_is_not_checked_again(preview, portal, tmp_path, monkeypatch):
    """A preview rebuild writes some files again with the same bytes (MkDocs' 404 page); one whose
    bytes, data and settings are the same keeps its verdict (`CheckMemo`; what ends the verdict:
    tests/test_early_checks.py)."""
    from gongkai.session import Session

    content = portal / "content"
    (content / "notes.md").write_text("# 说明\n\n第一版。\n", encoding="utf-8")
    preview.build()
    checked, check = [], Session._check_file
    monkeypatch.setattr(Session, "_check_file", lambda self, file, site: checked.append(file.path) or check(self, file, site))
    (content / "notes.md").write_text("# 说明\n\n第二版。\n", encoding="utf-8")
    written = preview.build()
    assert {"404.html", "notes/index.html"} <= written  # both written again
    assert "notes/index.html" in checked and "404.html" not in checked
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


@pytest.fixture
def read_by_mkdocs(monkeypatch) -> list[str]:
    """The pages of content/ MkDocs reads (and renders) in the builds that follow."""
    from mkdocs.structure.pages import Page

    read, read_source = [], Page.read_source
    monkeypatch.setattr(Page, "read_source", lambda page, config: read.append(page.file.src_uri) or read_source(page, config))
    return read


def test_a_hand_written_page_edit_reads_and_writes_that_page_alone(preview, portal, tmp_path, read_by_mkdocs):
    """The other pages of content/ are neither read nor written again: the nav shows their titles as
    the last build read them, and search keeps their text."""
    content = portal / "content"
    (content / "guide.md").write_text("# 办事指南\n\n到社区党群服务中心办理，见[关于本站](about.md)。\n", encoding="utf-8")
    preview.build()
    read_by_mkdocs.clear()
    about = content / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n\n本页已更新。\n", encoding="utf-8")
    written = preview.build()
    assert read_by_mkdocs == ["about.md"]
    assert written == {"about/index.html", "404.html"}  # MkDocs writes its 404 page in every build
    home = (preview.site / "index.html").read_text(encoding="utf-8")
    assert "办事指南" in home and "关于本站" in home  # the nav still shows both titles
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))  # search still has 办事指南's text


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("# 关于本站", "# 关于我们", 1),  # the title the nav of every page shows
    lambda text: "---\ntitle: 本站简介\n---\n\n" + text,  # a title from the front matter
    lambda text: "---\ndescription: 本站的主办和维护单位\n---\n\n" + text,  # front matter the nav may show
], ids=["heading", "front-matter-title", "front-matter"])
def test_a_new_title_of_a_hand_written_page_writes_every_page_again(preview, portal, tmp_path, read_by_mkdocs, edit):
    about = portal / "content" / "about.md"
    about.write_text(edit(about.read_text(encoding="utf-8")), encoding="utf-8")
    written = preview.build()
    assert written == {p.relative_to(preview.site).as_posix() for p in preview.site.rglob("*.html")}
    assert read_by_mkdocs.count("about.md") == 2  # read, its new title seen, read again by the full build
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_new_title_of_a_page_out_of_the_nav_writes_that_page_alone(preview, portal, tmp_path, read_by_mkdocs):
    """A minutes file (content/minutes/, out of the nav) is shown in no other page's nav."""
    minutes = portal / "content" / "minutes" / "m1.md"
    minutes.parent.mkdir(exist_ok=True)
    minutes.write_text("# 第一次联席会议纪要\n\n议定事项一项。\n", encoding="utf-8")
    preview.build()
    read_by_mkdocs.clear()
    minutes.write_text("# 第一次联席会议纪要（更正）\n\n议定事项一项。\n", encoding="utf-8")
    written = preview.build()
    assert read_by_mkdocs == ["minutes/m1.md"] and written == {"minutes/m1/index.html", "404.html"}
    assert "（更正）" in (preview.site / "minutes" / "m1" / "index.html").read_text(encoding="utf-8")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_a_data_edit_that_makes_a_number_public_writes_the_hand_written_page_showing_it(portal, tmp_path, monkeypatch):
    """With masking on, a page of content/ shows a number masked until a public field (a unit's
    contact) holds it: the page is written again although its source did not change."""
    from hostile.editing import configure, set_cell

    configure(portal, masking=True)
    (portal / "content" / "hotline.md").write_text("# 服务热线\n\n联系 13812345678\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(dt.date.fromisoformat(TODAY).timetuple())))
    preview = Preview(portal, tmp_path / "preview")
    preview.build()
    assert "138****5678" in (preview.site / "hotline" / "index.html").read_text(encoding="utf-8")
    set_cell(portal, "units", 0, "contact", "13812345678")
    written = preview.build()
    assert "hotline/index.html" in written
    assert "13812345678" in (preview.site / "hotline" / "index.html").read_text(encoding="utf-8")
    same_site(preview.site, build_site(portal, site_dir=tmp_path / "full"))


def test_cell_digests_are_kept_by_line_only_for_a_table_whose_rows_each_have_a_line_of_their_own():
    """The kept cell digests are found by line: a table with two rows on one line (rows a reader plugin
    made without lines, say) is digested afresh on every build, and a kept digest is taken only under
    the same table key. Expected digests: those of RecordDigests without anything kept."""
    from types import SimpleNamespace

    from gongkai.data.resources import Record
    from gongkai.site.reads import RecordDigests

    def portal(key: str, rows: list[tuple[int, str]]):
        return SimpleNamespace(records={"t": [Record({"a": value}, line) for line, value in rows]},
                               input_keys={"t": key}, settings=SimpleNamespace(masking=False), public_numbers=set())

    def digests(model, kept=None):
        made = RecordDigests(model, kept)
        return [made.record(r) for r in model.records["t"]]

    kept: dict = {}
    digests(portal("k1", [(0, "甲"), (0, "乙")]), kept)
    assert "t" not in kept
    swapped = portal("k1", [(0, "乙"), (0, "甲")])
    assert digests(swapped, kept) == digests(swapped)

    digests(portal("k2", [(2, "甲"), (3, "乙")]), kept)
    assert "t" in kept
    same_key = portal("k2", [(2, "甲"), (3, "乙")])
    assert digests(same_key, kept) == digests(same_key)
    other_key = portal("k3", [(2, "丙"), (3, "乙")])
    assert digests(other_key, kept) == digests(other_key) != digests(same_key)
