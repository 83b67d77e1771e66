"""Pages checked while the rest of the site renders (gongkai/site/checks.py, EarlyChecks): the same
verdicts as checking the finished site, and nothing that changed after rendering slips through."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TODAY, build_site, edit_line

from gongkai import error, hookimpl
from gongkai.bridge.build import build
from gongkai.session import open_session
from gongkai.site import checks
from gongkai.site.checks import EarlyChecks, EarlyResult, SiteFiles


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    """Early checks need a second core; this machine may have one."""
    monkeypatch.setattr(checks.os, "cpu_count", lambda: 2)


def build_with(root, *plugins):
    session = open_session(root, TODAY)
    for n, plugin in enumerate(plugins):
        session.pm.register(plugin, name=f"under_test_{n}")
    return build(root, today=TODAY, session=session)


class Pages:
    """Registers pages with the given bodies."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages

    @hookimpl
    def register_pages(self, register):
        for path, html in self.pages.items():
            register(path, path, html=html)


class CheckLog:
    """A check that notes, in a file, which process checked which file."""

    def __init__(self, log: Path):
        self.log = log

    @hookimpl
    def check_file(self, file):
        with self.log.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\t{file.path}\n")


def test_pages_are_checked_in_worker_processes_once_each(portal, tmp_path, monkeypatch):
    monkeypatch.setattr(EarlyResult, "MARGIN", 0.0)  # else the pages of the last seconds are checked again
    log = tmp_path / "checked.txt"
    result = build_with(portal, CheckLog(log))
    assert result.ok, result.error
    lines = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    pages = sorted(str(p.relative_to(result.site_dir)) for p in result.site_dir.rglob("index.html"))
    checked = sorted(path for _, path in lines)
    assert checked == sorted(str(p.relative_to(result.site_dir)) for p in result.site_dir.rglob("*") if p.is_file())
    assert len(checked) == len(set(checked))  # no file twice: the early verdicts were taken
    by_worker = {path for pid, path in lines if int(pid) != os.getpid()}
    assert set(pages) <= by_worker


def test_a_page_with_personal_data_found_early_stops_the_build(portal):
    site = build_site(portal)
    before = (site / "index.html").read_bytes()
    result = build_with(portal, Pages({"early-bad/": "<p>联系电话 13912345678</p>"}))
    assert not result.ok and "early-bad/index.html" in result.error and "手机号" in result.error
    assert (site / "index.html").read_bytes() == before


class Rewrite:
    """After the pages are written, puts a script into the home page and dates it back a day, as a
    copy with preserved times would."""

    @hookimpl
    def rewrite_output(self, site_dir):
        page = site_dir / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<script>alert(1)</script></body>"), encoding="utf-8")
        old = page.stat().st_mtime - 86400
        os.utime(page, (old, old))


def test_a_page_changed_after_rendering_is_checked_again(portal):
    result = build_with(portal, Rewrite())
    assert not result.ok
    assert "index.html" in result.error and "脚本" in result.error


class LateFile:
    """A page that links to a file only written after the pages (by rewrite_output)."""

    @hookimpl
    def register_pages(self, register):
        register("late-link/", "late", html='<p><a href="../late.txt">说明</a> <a href="../never.txt">缺</a></p>')

    @hookimpl
    def rewrite_output(self, site_dir):
        (site_dir / "late.txt").write_text("ok", encoding="utf-8")


def test_a_link_judged_before_its_target_was_written_is_judged_again(portal):
    result = build_with(portal, LateFile())
    assert not result.ok
    assert "never.txt" in result.error  # a link to a file that never comes is still refused
    assert "late.txt" not in result.error  # the file written after the pages is there


def test_pages_beyond_what_the_workers_can_take_are_checked_after_the_build(portal, monkeypatch):
    monkeypatch.setattr(EarlyChecks, "PENDING", 0)
    result = build_with(portal, Pages({"early-bad/": "<p>联系电话 13912345678</p>"}))
    assert not result.ok and "early-bad/index.html" in result.error


def test_one_core_checks_everything_after_the_build(monkeypatch, tmp_path):
    monkeypatch.setattr(checks.os, "cpu_count", lambda: 1)
    early = EarlyChecks(tmp_path, lambda file, site: [], {"index.html"})
    early.page("index.html")
    assert early.result() is None


def test_early_findings_are_dropped_when_an_answer_about_the_site_was_wrong(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x", encoding="utf-8")
    findings = {"a/index.html": [error("x", "x", file="a/index.html")]}
    right = EarlyResult(0.0, findings, {"a/": True, "b.txt": False})
    assert right.reusable(tmp_path) == findings
    assert EarlyResult(0.0, findings, {"a/": True, "b.txt": True}).reusable(tmp_path) == {}
    assert EarlyResult(0.0, findings, {"a/": None}).reusable(tmp_path) == {}  # two workers answered both ways


def test_planned_files_count_as_there_and_every_answer_is_kept(tmp_path):
    (tmp_path / "on-disk.txt").write_text("x", encoding="utf-8")
    site = checks.PlannedSiteFiles(tmp_path, frozenset({"index.html", "later/index.html", "feed.xml"}))
    assert site.has("later/") and site.has("later") and site.has("feed.xml") and site.has("on-disk.txt")
    assert site.has(".") and site.has("./") and site.has("later/../later/")  # the home page, as the link check asks
    assert not site.has("nowhere/") and not site.has("feed.xml/")
    assert site.answers == {"later/": True, "later": True, "feed.xml": True, "on-disk.txt": True, ".": True, "./": True,
                            "later/../later/": True, "nowhere/": False, "feed.xml/": False}
    assert not SiteFiles(tmp_path).has("later/")


def test_a_listing_of_the_site_answers_as_the_folder_does(tmp_path):
    """`check_output` hands the checks the listing of the files it walked: every question a link check
    asks gets the answer the folder itself gives (written out by hand for this folder)."""
    for path in ("index.html", "a/index.html", "a/b.css", "empty/x.txt", "data/p.json"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x", encoding="utf-8")
    expected = {"": True, ".": True, "./": True, "a": True, "a/": True, "a/./": True, "a/index.html": True,
                "a/b.css": True, "a/b.css/": False, "a//b.css": True, "empty": False, "empty/": False,
                "empty/x.txt": True, "data/p.json": True, "data": False, "missing.html": False, "missing/": False,
                "a/../a/": True, "A/": False}
    listing = frozenset(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert {path: SiteFiles(tmp_path).has(path) for path in expected} == expected  # the folder, stat by stat
    assert {path: SiteFiles(tmp_path, listing).has(path) for path in expected} == expected
    (tmp_path / "a" / "b.css").unlink()  # the listing, not the folder, answers once it is given
    assert SiteFiles(tmp_path, listing).has("a/b.css") and not SiteFiles(tmp_path).has("a/b.css")


def flag_scripts(file, site):
    return [error("script", "脚本", file=file.path)] if "<script" in file.text else []


def test_an_early_verdict_is_taken_only_for_a_file_unchanged_since_rendering(tmp_path):
    import time

    (tmp_path / "a.html").write_text("<script>x</script>", encoding="utf-8")
    clean = {"a.html": []}  # what the early check saw: the page before a later rewrite
    written_before = EarlyResult(time.time() + 10, clean, {})
    assert checks.check_output(tmp_path, flag_scripts, early=written_before) == []
    changed_after = EarlyResult(time.time() - 10, clean, {})
    assert [f.file for f in checks.check_output(tmp_path, flag_scripts, early=changed_after)] == ["a.html"]
    within_margin = EarlyResult(time.time() + EarlyResult.MARGIN / 2, clean, {})
    assert [f.file for f in checks.check_output(tmp_path, flag_scripts, early=within_margin)] == ["a.html"]
    wrong_answer = EarlyResult(time.time() + 10, clean, {"b.html": True})
    assert [f.file for f in checks.check_output(tmp_path, flag_scripts, early=wrong_answer)] == ["a.html"]


def test_a_page_the_engine_did_not_write_is_left_to_the_check_after_the_build(tmp_path, monkeypatch):
    (tmp_path / "a.html").write_text("<script>x</script>", encoding="utf-8")  # MkDocs skips a page whose output is empty
    monkeypatch.setattr(checks, "_WORKER", (flag_scripts, checks.PlannedSiteFiles(tmp_path, frozenset())))
    findings, answers = checks._check_early(["a.html", "empty/index.html"])
    assert list(findings) == ["a.html"] and [f.file for f in findings["a.html"]] == ["a.html"] and answers == {}


def test_a_kept_verdict_ends_when_the_file_a_link_leads_to_goes_or_the_inputs_change(tmp_path):
    """`CheckMemo` (gongkai serve): a file with the same bytes keeps its findings while its checks'
    `site.has` answers hold and the inputs key is the same; otherwise it is checked again."""
    from gongkai.findings import error
    from gongkai.site.checks import CheckMemo, check_output

    site = tmp_path / "site"
    (site / "b").mkdir(parents=True)
    (site / "a.html").write_text('<a href="b/">b</a>', encoding="utf-8")
    (site / "b" / "index.html").write_text("<p>b</p>", encoding="utf-8")
    checked = []

    def check_file(file, files):
        checked.append(file.path)
        return [] if files.has("b/") else [error("broken-link", "b/ 不存在", file=file.path)]

    memo = CheckMemo()
    for key, expected_checks in (("k1", ["a.html", "b/index.html"]), ("k1", []), ("k2", ["a.html", "b/index.html"])):
        checked.clear()
        memo.begin(key)
        assert check_output(site, check_file, memo=memo) == []
        assert sorted(checked) == expected_checks
    (site / "b" / "index.html").unlink()
    checked.clear()
    memo.begin("k2")
    assert [f.file for f in check_output(site, check_file, memo=memo)] == ["a.html"]
    assert checked == ["a.html"]  # the same bytes, but its link's answer changed
    (site / "a.html").write_text('<a href="b/">b!</a>', encoding="utf-8")
    checked.clear()
    memo.begin("k2")
    check_output(site, check_file, memo=memo)
    assert checked == ["a.html"]  # other bytes
    checked.clear()
    memo.begin(None)  # inputs that cannot be hashed: nothing is kept
    check_output(site, check_file, memo=memo)
    check_output(site, check_file, memo=memo)
    assert checked == ["a.html", "a.html"]


class RefuseFeed(CheckLog):
    """CheckLog, and an error for the Atom feed (a file written after the pages)."""

    @hookimpl
    def check_file(self, file):
        super().check_file(file)
        return [error("feed-refused", "不要 feed.xml", file=file.path)] if file.path == "feed.xml" else []


def checked_files(log: Path) -> list[str]:
    paths = [line.split("\t")[1] for line in log.read_text(encoding="utf-8").splitlines()]
    log.unlink()
    return sorted(paths)


def test_a_build_keeps_the_verdicts_of_the_files_it_checked_after_rendering(portal, tmp_path, monkeypatch):
    """The files checked after rendering (downloads, feeds, the sitemap …) are not checked again by the
    next build while their bytes, the data, the settings and the code are the same; after a data edit,
    or when their bytes change, they are."""
    monkeypatch.setattr(EarlyResult, "MARGIN", 0.0)
    log = tmp_path / "checked.txt"
    first = build_with(portal, CheckLog(log))
    assert first.ok, first.error
    everything = checked_files(log)
    pages = sorted(str(p.relative_to(first.site_dir)) for p in first.site_dir.rglob("index.html"))
    after_rendering = {"feed.xml", "sitemap.xml", "data/datapackage.json", "data/decisions.csv"}
    assert after_rendering <= set(everything)

    for _ in range(2):  # the second time, from the verdicts the first one kept
        again = build_with(portal, CheckLog(log))
        assert again.ok, again.error
        rechecked = checked_files(log)
        assert rechecked and set(rechecked) <= set(pages)  # pages are checked while rendering, as always
        assert not after_rendering & set(rechecked)

    edit_line(portal, "units", 1, name="改名后的单位")
    edited = build_with(portal, CheckLog(log))
    assert edited.ok, edited.error
    assert after_rendering <= set(checked_files(log))  # the data changed: no verdict is kept


def test_a_kept_verdict_keeps_its_findings(portal, tmp_path):
    log = tmp_path / "checked.txt"
    first = build_with(portal, RefuseFeed(log))
    assert not first.ok and "不要 feed.xml" in first.error
    assert "feed.xml" in checked_files(log)
    again = build_with(portal, RefuseFeed(log))
    assert not again.ok and "不要 feed.xml" in again.error  # the verdict, kept
    assert "feed.xml" not in checked_files(log)
