"""Revision history from git (issue 15): real repositories in tmp_path with a sequence of dated
commits; the pages, tombstones, /changes/, feeds, changes.json and the correction rule are read back
from the built site and the validation report. Expected values come from the commits the tests make."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, build_site, codes, read_rows, validate, write_rows
from selectolax.lexbor import LexborHTMLParser

from gongkai.bridge.build import build


class Repo:
    def __init__(self, root: Path):
        self.root = root
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "staff@example.org")
        self.git("config", "user.name", "staff")

    def git(self, *args: str, day: str = "2026-01-05") -> str:
        stamp = f"{day}T10:00:00+08:00"
        env = dict(os.environ, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        return subprocess.run(["git", "-C", str(self.root), *args], check=True, env=env, capture_output=True, text=True).stdout

    def commit(self, day: str, message: str = "更新数据") -> None:
        self.git("add", "-A", day=day)
        self.git("commit", "-q", "-m", message, day=day)


def text_of(site: Path, page: str, selector: str) -> str:
    tree = LexborHTMLParser((site / page).read_text(encoding="utf-8"))
    return " ".join(n.text(separator=" ", strip=True) for n in tree.css(selector)).strip()


def set_field(root: Path, resource: str, key: str, **values) -> None:
    rows = read_rows(root, resource)
    row = next(r for r in rows if r["id"] == key)
    row.update(values)
    write_rows(root, resource, rows)


def changes_json(site: Path) -> list[dict]:
    """/data/changes.json read back: every change with the date and commit of its group."""
    data = json.loads((site / "data" / "changes.json").read_text(encoding="utf-8"))
    return [{"date": group["date"], **change, "commit": group["commit"]} for group in data["commits"]
            for change in group["changes"]]


@pytest.fixture
def repo(portal) -> Repo:
    """The sample portal committed on 2026-01-05 (decision d-001's 公示 runs 2026-03-23 to 03-27)."""
    repo = Repo(portal)
    repo.commit("2026-01-05", "首次发布")
    return repo


def test_an_edit_with_a_correction_note_shows_on_the_page_newest_first(repo, tmp_path):
    root = repo.root
    set_field(root, "decisions", "d-001", votes_for="26", correction="赞成票误录，由 25 更正为 26。")
    repo.commit("2026-04-05")
    set_field(root, "decisions", "d-001", location="东风社区议事厅")
    repo.commit("2026-04-09")
    site = build_site(root, site_dir=tmp_path / "site")
    log = text_of(site, "decisions/d-001/index.html", ".gk-revisions")
    assert "首次公开：2026年1月5日" in log
    newest, older = log.index("2026年4月9日"), log.index("2026年4月5日")
    assert newest < older
    assert "赞成票 25 → 26" in log and "更正说明：赞成票误录，由 25 更正为 26。" in log
    assert "会议地点 东风社区党群服务中心 → 东风社区议事厅" in log
    # a record that never changed shows only its publication date
    assert text_of(site, "projects/p-doctor/index.html", ".gk-revisions").strip() == "首次公开：2026年1月5日。公开以来没有修改。"
    # the correction box and the history are together at the top of the decision page
    html = (site / "decisions" / "d-001" / "index.html").read_text(encoding="utf-8")
    assert html.index('id="revisions"') < html.index('class="gk-facts"')


def test_a_change_after_the_notice_began_needs_a_correction_in_the_same_commit(repo):
    root = repo.root
    set_field(root, "decisions", "d-001", votes_for="26")
    repo.commit("2026-03-23")  # the first day of the 公示: already published
    report = validate(root)
    assert codes(report) == [("change-without-correction", "decisions", 2, "correction")]
    message = report.errors[0].message
    assert "d-001" in message and "赞成票" in message and "25 改为 26" in message and "2026-03-23" in message
    assert "更正说明" in message
    # a later commit that writes the 更正说明 settles it
    set_field(root, "decisions", "d-001", correction="赞成票误录，由 25 更正为 26。")
    repo.commit("2026-03-24")
    assert codes(validate(root)) == []


def test_a_change_the_day_before_the_notice_began_is_free(repo):
    set_field(repo.root, "decisions", "d-001", votes_for="26", resolution="同意添置休息座椅 10 组。")
    repo.commit("2026-03-22")
    assert codes(validate(repo.root)) == []


def test_uncommitted_edits_are_checked_and_shown_as_not_yet_committed(repo, tmp_path):
    set_field(repo.root, "decisions", "d-001", votes_against="2")
    report = validate(repo.root)
    assert codes(report) == [("change-without-correction", "decisions", 2, "correction")]
    assert "尚未提交的修改" in report.errors[0].message
    set_field(repo.root, "decisions", "d-001", correction="反对票少记一票，已更正。")
    site = build_site(repo.root, site_dir=tmp_path / "site")
    log = text_of(site, "decisions/d-001/index.html", ".gk-revisions")
    assert "（尚未提交）" in log and "反对票 1 → 2" in log and f"{int(TODAY[5:7])}月{int(TODAY[8:])}日" in log


def test_an_evaluation_score_changed_after_its_period_was_published_needs_a_correction(repo):
    root = repo.root
    set_field(root, "evaluations", "ev-001", score="83")  # the day the period was published: data entry
    repo.commit("2026-01-05")
    assert codes(validate(root)) == []
    set_field(root, "evaluations", "ev-001", respondents="210")
    repo.commit("2026-01-06")
    report = validate(root)
    assert codes(report) == [("change-without-correction", "evaluations", 2, "correction")]
    assert "参评人数" in report.errors[0].message and "200 改为 210" in report.errors[0].message
    set_field(root, "evaluations", "ev-001", correction="参评人数误录，由 200 更正为 210。")
    repo.commit("2026-01-07")
    assert codes(validate(root)) == []


def test_a_removed_project_keeps_its_address_as_a_tombstone_and_leaves_the_lists(repo, tmp_path):
    root = repo.root
    set_field(root, "projects", "p-lights", status="已终止")
    rows = read_rows(root, "projects")
    write_rows(root, "projects", [r for r in rows if r["id"] != "p-lights"])
    repo.commit("2026-06-01", "删除重复录入的项目")
    site = build_site(root, site_dir=tmp_path / "site")
    tomb = text_of(site, "projects/p-lights/index.html", "article")
    assert "已删除的项目：东风小区楼道照明改造" in tomb and "2026年6月1日" in tomb and "p-lights" in tomb
    assert "p-lights" not in (site / "results" / "index.html").read_text(encoding="utf-8")
    lists = sorted((site / "lists").rglob("index.html"))
    assert len(lists) > 1 and not any("p-lights" in page.read_text(encoding="utf-8") for page in lists)
    changes = text_of(site, "changes/index.html", ".gk-change-day")
    assert "删除 东风小区楼道照明改造" in changes
    projects = json.loads((site / "data" / "projects.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in projects] == ["p-seats", "p-doctor"]


def test_changes_page_feed_community_feed_and_changes_json(repo, tmp_path):
    root = repo.root
    set_field(root, "units", "c-dongfeng", name="东风新社区")  # a name many pages show
    repo.commit("2026-02-10")
    site = build_site(root, site_dir=tmp_path / "site")
    days = LexborHTMLParser((site / "changes" / "index.html").read_text(encoding="utf-8")).css(".gk-change-day h2")
    assert [d.text(strip=True) for d in days] == ["2026年2月10日", "2026年1月5日"]
    assert "名称 东风社区 → 东风新社区" in text_of(site, "changes/index.html", ".gk-change-day")
    assert "2026年2月10日" in text_of(site, "index.html", "#changes")
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "修订记录 2026年2月10日：修改 1 条" in feed
    own = (site / "units" / "c-dongfeng" / "feed.xml").read_text(encoding="utf-8")
    other = (site / "units" / "c-xiangyang" / "feed.xml").read_text(encoding="utf-8")
    assert "东风新社区" in own and "修订记录 2026年2月10日" in own
    assert "修订记录 2026年2月10日" not in other and "p-seats" not in other and "p-doctor" in other
    link = LexborHTMLParser((site / "units" / "c-dongfeng" / "index.html").read_text(encoding="utf-8")).css_first(".gk-feed-link a")
    assert link.attributes["href"] == "feed.xml"  # next to the page: units/c-dongfeng/feed.xml
    changes = changes_json(site)
    renamed = [c for c in changes if c["kind"] == "changed"]
    assert renamed == [{"date": "2026-02-10", "resource": "units", "id": "c-dongfeng", "kind": "changed", "title": "东风新社区",
                        "fields": [{"field": "name", "title": "名称", "old": "东风社区", "new": "东风新社区"}],
                        "commit": repo.git("rev-parse", "HEAD").strip()}]
    groups = json.loads((site / "data" / "changes.json").read_text(encoding="utf-8"))["commits"]  # one per commit
    assert [(g["date"], g["commit"]) for g in groups] == [
        ("2026-01-05", repo.git("rev-parse", "HEAD~1").strip()), ("2026-02-10", repo.git("rev-parse", "HEAD").strip())]
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert "changes.json" in [r["path"] for r in package["resources"]]
    units = next(r for r in package["resources"] if r["path"] == "units.csv")
    assert units["last_modified"] == "2026-02-10"
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["contributors"][0]["role"] == "publisher"


def test_a_phone_number_once_committed_never_reaches_a_later_build(repo, tmp_path):
    root = repo.root
    set_field(root, "projects", "p-doctor", summary="联系人电话 13912345678，欢迎咨询。")
    repo.commit("2026-02-01")
    assert [c[0] for c in codes(validate(root))] == ["personal-data"]
    set_field(root, "projects", "p-doctor", summary="在向阳社区设家庭医生签约服务点。")
    repo.commit("2026-02-02")
    site = build_site(root, site_dir=tmp_path / "site")
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"13912345678" not in data and "13912345678" not in data.decode("utf-8", "replace"), path
    assert "139****5678" in text_of(site, "projects/p-doctor/index.html", ".gk-revisions")


def test_a_shallow_clone_warns_once_and_shows_no_wrong_history(repo, tmp_path):
    root = repo.root
    set_field(root, "decisions", "d-001", location="东风社区议事厅")
    repo.commit("2026-02-01")
    set_field(root, "decisions", "d-002", title="向阳社区2026年共建项目清单（修订）")
    repo.commit("2026-02-02")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(clone)], check=True)
    report = validate(clone)
    assert [f.code for f in report.warnings].count("history-incomplete") == 1
    assert "2026-02-02" in next(f.message for f in report.warnings if f.code == "history-incomplete")
    site = build_site(clone, site_dir=tmp_path / "site")
    log = text_of(site, "decisions/d-001/index.html", ".gk-revisions")
    assert "首次公开" not in log and "修订记录从 2026年2月2日 开始" in log and "会议地点" not in log


def test_a_hand_written_page_shows_when_it_was_published_and_each_later_edit(repo, tmp_path):
    root = repo.root
    page = next(p for p in sorted((root / "content").glob("*.md")) if p.name != "index.md")
    url = f"{page.stem}/index.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n\n补充一段说明。\n", encoding="utf-8")
    repo.commit("2026-02-10")
    (root / "content" / "tongzhi.md").write_text("# 停水通知\n\n3 月 2 日停水。\n", encoding="utf-8")
    repo.commit("2026-03-01")
    page.write_text(page.read_text(encoding="utf-8") + "\n再补充一句。\n", encoding="utf-8")  # not committed
    site = build_site(root, site_dir=tmp_path / "site")
    log = text_of(site, url, ".gk-revisions")
    assert "首次公开：2026年1月5日" in log
    assert log.index("修改（尚未提交）") < log.index("2026年2月10日 修改")  # newest first
    assert text_of(site, "tongzhi/index.html", ".gk-revisions") == "首次公开：2026年3月1日。公开以来没有修改。"
    # /changes/ lists the page edits by day, linked to the pages
    days = {d.css_first("h2").text(strip=True): d for d in
            LexborHTMLParser((site / "changes" / "index.html").read_text(encoding="utf-8")).css(".gk-change-day")}
    assert "新增 1 条：tongzhi.md" in days["2026年3月1日"].text(separator="", strip=True)
    assert [a.attributes["href"] for a in days["2026年3月1日"].css("a")] == ["../tongzhi/"]
    assert f"修改{page.name}" in days["2026年2月10日"].text(separator="", strip=True)
    assert f"修改{page.name}（尚未提交）" in days["2026年11月25日"].text(separator="", strip=True)
    # in a shallow clone the first day is unknown: no wrong publication date
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(clone)], check=True)
    shallow = build_site(clone, site_dir=tmp_path / "shallow")
    assert text_of(shallow, "tongzhi/index.html", ".gk-revisions") == "修订记录从 2026年3月1日 开始（更早的历史没有获取）。"


def test_outside_git_there_is_no_history_and_no_changes_page(portal, tmp_path):
    site = build_site(portal, site_dir=tmp_path / "site")
    assert not (site / "changes").exists() and not (site / "data" / "changes.json").exists()
    assert 'id="revisions"' not in (site / "decisions" / "d-001" / "index.html").read_text(encoding="utf-8")
    assert all('id="revisions"' not in p.read_text(encoding="utf-8") for p in site.rglob("index.html"))


def test_the_same_repository_state_builds_the_same_bytes(repo, tmp_path):
    set_field(repo.root, "units", "c-dongfeng", name="东风新社区")
    repo.commit("2026-02-10")
    first = build(repo.root, tmp_path / "a", TODAY)
    second = build(repo.root, tmp_path / "b", TODAY)  # the second from the history cache
    assert first.ok and second.ok
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert [f for f in files if (tmp_path / "a" / f).read_bytes() != (tmp_path / "b" / f).read_bytes()] == []


def test_a_broken_file_in_the_history_is_skipped_not_read_as_every_record_removed(repo, tmp_path):
    """A commit with a file the readers cannot read (an unclosed quote; then the key column missing) is
    skipped: the fix is compared with the last readable version, so a vote changed across the broken
    commits is still a change that needs a 更正说明, and nothing is shown as removed and added again."""
    root = repo.root
    path = root / "datasets" / "decisions.csv"
    good = path.read_text(encoding="utf-8-sig")
    path.write_text(good + '\nd-003,"2026-04-01', encoding="utf-8")
    repo.commit("2026-04-01", "保存出错")
    path.write_text(good.replace("编号,", "序号,", 1), encoding="utf-8")
    repo.commit("2026-04-02", "表头改错")
    path.write_text(good, encoding="utf-8-sig")
    set_field(root, "decisions", "d-001", votes_for="26")
    repo.commit("2026-04-03", "修复")
    assert codes(validate(root)) == [("change-without-correction", "decisions", 2, "correction")]
    set_field(root, "decisions", "d-001", correction="赞成票误录，由 25 更正为 26。")
    repo.commit("2026-04-04")
    site = build_site(root, site_dir=tmp_path / "site")
    changes = changes_json(site)
    decisions = [(c["date"], c["id"], c["kind"]) for c in changes if c["resource"] == "decisions"]
    assert decisions == [("2026-01-05", "d-001", "added"), ("2026-01-05", "d-002", "added"),
                         ("2026-04-03", "d-001", "changed"), ("2026-04-04", "d-001", "changed")]


def test_the_correction_error_shows_old_and_new_values_masked(repo):
    """A CI log or annotation may be public: a number in the changed text is masked in the message."""
    set_field(repo.root, "decisions", "d-001", resolution="同意添置休息座椅，联系电话 13912345678。")
    repo.commit("2026-03-25")
    report = validate(repo.root)
    messages = [f.message for f in report.errors if f.code == "change-without-correction"]
    assert len(messages) == 1 and "139****5678" in messages[0] and "13912345678" not in messages[0]


def test_a_community_feed_follows_a_change_to_the_records_of_its_projects(repo, tmp_path):
    """A milestone names only its project: the change concerns the project's community (c-dongfeng for
    p-seats), found through the schemas' foreign keys, and no other community."""
    rows = read_rows(repo.root, "milestones")
    next(r for r in rows if r["project_id"] == "p-seats")["description"] = "座椅已安装完毕。"
    write_rows(repo.root, "milestones", rows)
    repo.commit("2026-06-10")
    site = build_site(repo.root, site_dir=tmp_path / "site")
    assert "修订记录 2026年6月10日" in (site / "units" / "c-dongfeng" / "feed.xml").read_text(encoding="utf-8")
    assert "修订记录 2026年6月10日" not in (site / "units" / "c-xiangyang" / "feed.xml").read_text(encoding="utf-8")


def test_a_removed_decision_keeps_its_last_correction_note_on_its_tombstone(repo, tmp_path):
    root = repo.root
    set_field(root, "decisions", "d-002", status="已撤销", correction="议题重复录入，已撤销。")
    repo.commit("2026-06-01")
    set_field(root, "projects", "p-doctor", decision_id="")
    write_rows(root, "decisions", [r for r in read_rows(root, "decisions") if r["id"] != "d-002"])
    repo.commit("2026-06-02")
    site = build_site(root, site_dir=tmp_path / "site")
    tomb = text_of(site, "decisions/d-002/index.html", ".gk-correction")
    assert "这条决策已于 2026年6月2日 删除" in tomb and "更正说明：议题重复录入，已撤销。" in tomb


def test_a_service_record_has_history_like_the_others(repo, tmp_path):
    """双报到 (issue 16): a changed service is in /changes/, changes.json and its 社区's feed only."""
    set_field(repo.root, "services", "fw-002", participants="12", points="36")  # c-xiangyang, jf-bm-01 (3 分)
    repo.commit("2026-06-12")
    site = build_site(repo.root, site_dir=tmp_path / "site")
    changes = changes_json(site)
    mine = [c for c in changes if c.get("resource") == "services" and c.get("kind") == "changed"]
    assert len(mine) == 1 and {f["field"] for f in mine[0]["fields"]} == {"participants", "points"}
    assert "2026年6月12日" in text_of(site, "changes/index.html", ".gk-change-day")
    assert "修订记录 2026年6月12日" in (site / "units" / "c-xiangyang" / "feed.xml").read_text(encoding="utf-8")
    assert "修订记录 2026年6月12日" not in (site / "units" / "c-dongfeng" / "feed.xml").read_text(encoding="utf-8")


def test_history_cached_for_earlier_commits_reads_only_the_new_ones_to_the_same_result(repo, tmp_path):
    """A build caches the history; commits added after it are read from git (the read-ahead then asks
    git for versions the cache skipped) and give what a walk without any cache gives."""
    from gongkai.session import open_session

    set_field(repo.root, "units", "c-dongfeng", name="东风新社区")
    repo.commit("2026-02-10")
    assert open_session(repo.root, TODAY).history.changes  # cached up to here
    set_field(repo.root, "projects", "p-doctor", summary="家庭医生每周二坐诊。")
    repo.commit("2026-02-11")
    set_field(repo.root, "units", "c-dongfeng", name="东风社区")
    repo.commit("2026-02-12")
    partly = open_session(repo.root, TODAY).history.changes
    cache = next((repo.root / ".cache").rglob("history.pickle"))
    written = cache.stat().st_mtime_ns
    assert open_session(repo.root, TODAY).history.changes == partly
    assert cache.stat().st_mtime_ns == written  # nothing new: the cache is read, not written again
    shutil.rmtree(repo.root / ".cache")
    fresh = open_session(repo.root, TODAY).history.changes
    assert partly == fresh
    assert [(c.day.isoformat(), c.resource, c.key) for c in fresh if c.kind == "changed"] == [
        ("2026-02-10", "units", "c-dongfeng"), ("2026-02-11", "projects", "p-doctor"), ("2026-02-12", "units", "c-dongfeng")]


def test_the_history_of_an_unchanged_repository_state_is_loaded_whole_and_never_stale(repo):
    """The last state's whole history is kept: read again without walking git while nothing changed,
    walked again, to what a read without any cache gives, after each kind of change."""
    from gongkai.session import open_session

    root = repo.root

    def read(today=TODAY):
        return open_session(root, today).history

    def uncached(today=TODAY):
        shutil.rmtree(root / ".cache", ignore_errors=True)
        return read(today)

    def stored():  # the whole history is written after each walk, and only then
        found = list((root / ".cache").rglob("history-state.pickle"))
        return found[0].stat().st_mtime_ns if found else None

    first = read()
    stamp = stored()
    assert stamp is not None and read() == first and stored() == stamp  # loaded whole, not walked
    steps = [
        lambda: set_field(root, "decisions", "d-002", location="向阳社区议事厅"),  # an uncommitted edit
        lambda: (root / "content" / "about.md").write_text("# 关于\n\n新的说明。\n", encoding="utf-8"),  # a page
        lambda: repo.commit("2026-02-03"),  # a commit of both
    ]
    for step in steps:
        step()
        cached = read()
        assert stored() != stamp, steps.index(step)  # the state changed: git was walked again
        assert cached == uncached() and cached != first
        first, stamp = cached, stored()
    set_field(root, "decisions", "d-002", location="向阳社区党群服务中心")
    assert read() == uncached()
    later = read("2026-12-01")  # the uncommitted edit is dated by the reference date
    assert later == uncached("2026-12-01") and later != read()


def test_deepening_a_shallow_clone_is_not_hidden_by_the_history_cache(repo, tmp_path):
    from gongkai.session import open_session

    set_field(repo.root, "decisions", "d-001", location="东风社区议事厅")
    repo.commit("2026-02-01")
    set_field(repo.root, "decisions", "d-002", title="向阳社区2026年共建项目清单（修订）")
    repo.commit("2026-02-02")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    assert open_session(clone, TODAY).history.since.isoformat() == "2026-02-02"
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--deepen=1"], check=True)
    deeper = open_session(clone, TODAY).history
    assert deeper.since.isoformat() == "2026-02-01"
    assert [(c.day.isoformat(), c.key) for c in deeper.changes if c.kind == "changed"] == [("2026-02-02", "d-002")]


def test_one_commit_that_edits_removes_and_adds_rows_of_one_file_records_each_change(repo):
    """The line diff (tests/test_history_line_diff.py) hands the walk the rows that went and came; a
    commit touching several rows of one file records every one of them, and nothing for the rest."""
    from gongkai.session import open_session

    rows = read_rows(repo.root, "projects")
    write_rows(repo.root, "projects", rows)  # the same records, as write_rows spells them
    repo.commit("2026-02-01", "重新保存")
    assert [c for c in open_session(repo.root, TODAY).history.changes if c.day.isoformat() == "2026-02-01"] == []
    first, second, third = rows
    first["summary"], third["summary"] = "一号项目的新说明。", "三号项目的新说明。"
    added = dict(second, id="p-new", title="新增的项目")
    write_rows(repo.root, "projects", [first, third, added])
    repo.commit("2026-02-02")
    found = {(c.kind, c.key) for c in open_session(repo.root, TODAY).history.changes if c.day.isoformat() == "2026-02-02"}
    assert found == {("changed", first["id"]), ("changed", third["id"]), ("removed", second["id"]), ("added", "p-new")}


def test_changes_json_is_kept_beside_the_history_and_never_stale(repo, tmp_path, monkeypatch):
    """/data/changes.json of an unchanged portal is read back from the cache folder, not made again;
    an uncommitted edit makes it again, with the edit."""
    import gongkai.plugins.open_data as open_data

    first = (build_site(repo.root, site_dir=tmp_path / "one") / "data" / "changes.json").read_bytes()
    assert list((repo.root / ".cache").rglob("history-changes.json.pickle"))

    def not_again(portal):
        raise AssertionError("changes.json made again for an unchanged portal")

    monkeypatch.setattr(open_data, "changes_json", not_again)
    assert (build_site(repo.root, site_dir=tmp_path / "two") / "data" / "changes.json").read_bytes() == first
    monkeypatch.undo()
    set_field(repo.root, "projects", "p-doctor", summary="家庭医生每周三坐诊。")
    third = json.loads((build_site(repo.root, site_dir=tmp_path / "three") / "data" / "changes.json").read_text(encoding="utf-8"))
    edits = [c for c in third["commits"] if c["commit"] is None]
    assert [(c["id"], [f["new"] for f in c["fields"]]) for e in edits for c in e["changes"]] == [("p-doctor", ["家庭医生每周三坐诊。"])]


def test_a_period_page_lists_the_later_changes_to_its_evaluations_only(repo, tmp_path):
    """The 修订记录 of results/<period>/: every change to an evaluation of that period after it was
    added (a removed one too, found by the period it had), newest first; another period's page has none."""
    root = repo.root
    rows = read_rows(root, "evaluations")
    other = dict(next(r for r in rows if r["id"] == "ev-002"), id="ev-009", period="2025-H2", correction="")
    write_rows(root, "evaluations", rows + [other])
    repo.commit("2026-01-06")
    set_field(root, "evaluations", "ev-001", respondents="210", correction="参评人数误录，由 200 更正为 210。")
    repo.commit("2026-01-07")
    write_rows(root, "evaluations", [r for r in read_rows(root, "evaluations") if r["id"] != "ev-003"])
    repo.commit("2026-01-08")
    site = build_site(root, site_dir=tmp_path / "site")
    log = text_of(site, "results/2026-H1/index.html", ".gk-revisions")
    assert log.index("ev-003 删除") < log.index("ev-001 修改") and "200 → 210" in log and "参评人数误录" in log
    assert "ev-009" not in log
    assert text_of(site, "results/2025-H2/index.html", ".gk-revisions") == ""
