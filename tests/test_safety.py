"""Publishing is atomic, and the post-build scan and link check stop a bad site before the swap.

The kill test runs the real CLI in a subprocess and SIGKILLs it while MkDocs is writing pages; the
previous site must stay byte-for-byte the same. The scan tests publish a deliberately bad page
through a portal-local plugin and assert the structured findings of output_scan and link_check.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import TODAY, build_site
from gongkai.plugins import link_check, output_scan
from hostile.editing import configure, set_cell

from gongkai import error, hookimpl
from gongkai.scaffold import init_portal
from gongkai.session import open_session
from gongkai.site.checks import check_output
from gongkai.site.document import parse_html, parse_xml

#: the CLI, with MkDocs' page writer slowed down (each page is written exactly as usual, then a pause),
#: so that the kill lands while pages are being written rather than by luck
SLOW_CLI = textwrap.dedent("""
    import sys, time
    import mkdocs.commands.build as mkbuild
    write = mkbuild._build_page
    def slow(*args, **kwargs):
        write(*args, **kwargs)
        time.sleep(0.2)
    mkbuild._build_page = slow
    from gongkai.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=300)


def building_dirs(portal: Path) -> list[Path]:
    return list(portal.glob(".site.building-*"))


# ----------------------------------------------------------------------------- atomic publishing


def test_sigkill_while_writing_pages_leaves_the_previous_site(portal):
    site = build_site(portal)
    before = hashes(site)
    set_cell(portal, "projects", 0, "title", "改过的项目名称")  # the killed build would change pages
    proc = subprocess.Popen([sys.executable, "-c", SLOW_CLI, "build", str(portal), "--today", TODAY],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        written = _wait_for_pages(portal, proc, at_least=3)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert written >= 3
    [temp] = building_dirs(portal)  # killed half-way: the new site exists only in the temp folder
    assert 3 <= len(list(temp.rglob("index.html"))) < len(list(site.rglob("index.html")))
    assert hashes(site) == before

    assert cli("build", str(portal), "--today", TODAY).returncode == 0  # the next build cleans up
    assert building_dirs(portal) == []
    assert "改过的项目名称" in (site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")


def _wait_for_pages(portal: Path, proc: subprocess.Popen, at_least: int) -> int:
    """Poll until the temp folder holds `at_least` written pages (no time limit on the build itself)."""
    while proc.poll() is None:
        for temp in building_dirs(portal):
            count = len(list(temp.rglob("index.html")))
            if count >= at_least:
                return count
        time.sleep(0.02)
    pytest.fail("the build ended before it could be killed")


BOOM = '''
from gongkai import hookimpl

@hookimpl
def register_pages(register, portal):
    raise RuntimeError("boom")
'''


def test_a_plugin_that_raises_leaves_the_previous_site(portal):
    site = build_site(portal)
    before = hashes(site)
    (portal / "plugins" / "boom.py").write_text(BOOM, encoding="utf-8")
    configure(portal, plugins=["plugins/boom.py"])
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1
    assert "boom" in done.stderr and "保持不变" in done.stderr
    assert hashes(site) == before
    assert building_dirs(portal) == []


ESCAPING_PLUGIN = '''
from gongkai import hookimpl

@hookimpl
def {hook}(register, portal):
    register({path!r}, {args})
'''


@pytest.mark.parametrize("hook, path, args", [
    ("register_pages", "../escaped/", "'x', '<p>x</p>'"),
    ("register_pages", "projects/../../escaped/", "'x', '<p>x</p>'"),
    ("register_files", "../escaped.txt", "b'x'"),
    ("register_files", "/tmp/escaped.txt", "b'x'"),
    ("register_files", "data/..\\..\\escaped.txt", "b'x'"),
])
def test_a_plugin_cannot_write_outside_the_site(portal, hook, path, args):
    (portal / "plugins" / "escape.py").write_text(ESCAPING_PLUGIN.format(hook=hook, path=path, args=args), encoding="utf-8")
    configure(portal, plugins=["plugins/escape.py"])
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1 and "不安全" in done.stderr
    assert not (portal / "escaped").exists() and not (portal / "escaped.txt").exists()
    assert not (portal / "site").exists() and building_dirs(portal) == []


def test_bad_data_leaves_the_previous_site(portal):
    site = build_site(portal)
    before = hashes(site)
    set_cell(portal, "projects", 0, "summary", "联系 13812345678")
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1 and "personal-data" in done.stderr
    assert hashes(site) == before


# ----------------------------------------------------------------------------- post-build scan

BAD_PAGES = '''
from gongkai import hookimpl

PAGES = {pages!r}

@hookimpl
def register_pages(register, portal):
    for path, html in PAGES.items():
        register(path, "坏页面", html)
'''

SCAN_CASES = [
    ("<p>x</p><script>alert(1)</script>", "output-script"),
    ('<script src="https://cdn.example.com/x.js"></script>', "output-script"),
    ('<p><img src="x.png" onerror="alert(1)"></p>', "output-event-handler"),
    ('<p><a href=" JaVaScript:alert(1)">x</a></p>', "output-script-url"),
    ('<p><a href="&#106;avascript:alert(1)">x</a></p>', "output-script-url"),
    ('<form><button formaction="javascript:alert(1)">x</button></form>', "output-script-url"),
    ('<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></p>', "output-script-url"),
    ('<iframe src="../"></iframe>', "output-frame"),
    ('<object data="../x.swf"></object>', "output-frame"),
    ('<embed src="../x.swf">', "output-frame"),
    ("<p>电话 13812345678</p>", "output-personal-data"),
    ("<p title='身份证 11010519491231002X'>x</p>", "output-personal-data"),
]
LINK_CASES = [
    ('<p><a href="../../nowhere/">x</a></p>', ("broken-link", "../../nowhere/")),
    ('<p><a href="../../projects/no-such-id/#top">x</a></p>', ("broken-link", "../../projects/no-such-id/#top")),
    ('<p><img src="../../images/missing.png"></p>', ("broken-link", "../../images/missing.png")),
    ('<p><a href="../../../../../etc/passwd">x</a></p>', ("broken-link", "../../../../../etc/passwd")),
    ('<p><img src="https://cdn.example.com/a.png"></p>', ("external-resource", "https://cdn.example.com/a.png")),
    ('<p><img src="//cdn.example.com/a.png"></p>', ("external-resource", "//cdn.example.com/a.png")),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
     ("external-resource", "https://fonts.googleapis.com/css?family=Roboto")),
    ('<p style="background: url(&quot;https://cdn.example.com/bg.png&quot;)">x</p>', ("external-resource", "https://cdn.example.com/bg.png")),
    ('<style>@import "https://cdn.example.com/x.css";</style>', ("external-resource", "https://cdn.example.com/x.css")),
]
CLEAN = ('<p><a href="../../">首页</a> <a href="../../projects/p-seats/?x=1#photos">项目</a> <a href="mailto:a@b.cn">信</a>'
         ' <a href="tel:05925559000">电话</a> <a href="https://example.org/gongkai/lists/">本站绝对地址</a>'
         ' <a href="https://www.gov.cn/">外部</a> <img src="../../assets/images/favicon.png"></p>'
         '<p>正文里写着 url(https://cdn.example.com/x.png) 只是文字</p>')


def add_pages(portal: Path, pages: dict[str, str], **settings) -> None:
    (portal / "plugins" / "bad.py").write_text(BAD_PAGES.format(pages=pages), encoding="utf-8")
    configure(portal, plugins=["plugins/bad.py"], **settings)


def run_check(plugin, site, portal) -> list:
    """One plugin's check_file over every file of a built site (given the arguments it takes, as pluggy does)."""
    takes = inspect.signature(plugin.check_file).parameters

    def check(file, files):
        given = {"file": file, "site": files, "portal": portal}
        return plugin.check_file(**{name: value for name, value in given.items() if name in takes}) or []

    return check_output(site, check)


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory):
    """One build holding every bad page (bad/sN/, bad/lN/) with the scan and the link check off."""
    portal = tmp_path_factory.mktemp("bad") / "portal"
    init_portal(portal)
    pages = {f"bad/s{i}/": html for i, (html, _) in enumerate(SCAN_CASES)}
    pages.update({f"bad/l{i}/": html for i, (html, _) in enumerate(LINK_CASES)})
    pages["bad/clean/"] = CLEAN
    add_pages(portal, pages, unsafe_disable=["output_scan"], disable=["link_check"])
    site = build_site(portal)
    session = open_session(portal, TODAY)
    model = session.portal
    scanned = {(f.code, f.file) for f in run_check(output_scan, site, model)}
    linked = {(f.code, f.file, f.value) for f in run_check(link_check, site, model)}
    return scanned, linked


@pytest.mark.parametrize("index", range(len(SCAN_CASES)), ids=[code for _, code in SCAN_CASES])
def test_output_scan_finds_what_the_theme_did_not_write(bad_site, index):
    scanned, _ = bad_site
    assert (SCAN_CASES[index][1], f"bad/s{index}/index.html") in scanned


def test_output_scan_finds_nothing_else(bad_site):
    scanned, _ = bad_site
    pages = {f"bad/s{i}/index.html" for i in range(len(SCAN_CASES))}
    searched = {file for _, file in scanned} - pages
    assert len(searched) == 1 and searched.pop().startswith("search/p/")  # the phone number, again: the search text
    assert {code for code, file in scanned if file.startswith("search/")} == {"output-personal-data"}


@pytest.mark.parametrize("index", range(len(LINK_CASES)), ids=[c[1][0] for c in LINK_CASES])
def test_link_check(bad_site, index):
    _, linked = bad_site
    code, value = LINK_CASES[index][1]
    assert (code, f"bad/l{index}/index.html", value) in linked


def test_link_check_accepts_site_links(bad_site):
    _, linked = bad_site
    assert {file for _, file, _ in linked if not file.startswith("bad/s")} == {f"bad/l{i}/index.html" for i in range(len(LINK_CASES))}


def test_the_whole_build_fails_on_a_scan_error_and_the_old_site_stays(portal):
    site = build_site(portal)
    before = hashes(site)
    add_pages(portal, {"bad/": "<script>alert(1)</script>"})
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1
    assert "bad/index.html" in done.stderr and "脚本" in done.stderr  # where and what, in the log
    assert hashes(site) == before and building_dirs(portal) == []


def test_personal_data_in_a_hand_written_page_is_found_in_the_page_and_the_search_index(portal):
    (portal / "content" / "about.md").write_text("# 关于\n\n联系人手机 138 1234 5678\n", encoding="utf-8")
    configure(portal, unsafe_disable=["output_scan", "content_rules"])  # the last line of defence alone
    site = build_site(portal)
    session = open_session(portal, TODAY)
    found = {(f.code, f.file) for f in run_check(output_scan, site, session.portal)}
    assert ("output-personal-data", "about/index.html") in found
    assert [file for code, file in found if file.startswith("search/p/") and code == "output-personal-data"]


def test_public_numbers_may_appear_in_the_output(portal):
    set_cell(portal, "units", 1, "contact", "13812345678")  # units.contact is public by default
    site = build_site(portal)
    assert "13812345678" in (site / "units" / "c-dongfeng" / "index.html").read_text(encoding="utf-8")


def test_feed_html_is_scanned_as_content():
    feed = ('<feed><entry><content type="html">&lt;p&gt;ok&lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;'
            '&lt;script&gt;x()&lt;/script&gt;</content></entry></feed>')
    findings = output_scan.Scanner("feed.xml", set()).scan(parse_xml(feed), xml=True)
    assert sorted(f.code for f in findings) == ["output-event-handler", "output-script"]


def test_an_unclosed_script_is_still_judged():
    page = '<article class="md-content__inner md-typeset"><p>x</p><script>alert(1)</p></article>'
    findings = output_scan.Scanner("x/index.html", set()).scan(parse_html(page))
    assert [(f.code, f.row) for f in findings] == [("output-script", 1)]


def test_theme_scripts_are_recognised_exactly():
    scope = '__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),' \
            '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),' \
            '__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}'
    assert any(p.fullmatch(scope) for p in output_scan.THEME_SCRIPTS)
    assert not any(p.fullmatch(scope + ";alert(1)") for p in output_scan.THEME_SCRIPTS)
    assert not any(p.fullmatch(scope.replace("../..", '"+alert(1)+"')) for p in output_scan.THEME_SCRIPTS)


def test_external_javascript_in_the_config_is_refused(portal):
    text = (portal / "site_config.yml").read_text(encoding="utf-8")
    (portal / "site_config.yml").write_text(text + "extra_javascript:\n  - https://cdn.example.com/track.js\n", encoding="utf-8")
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1 and "cdn.example.com" in done.stderr


#: the CLI on a system without renameat2 (the swap falls back to two renames), killed by SIGKILL right
#: after the rename named by argv[1] ("first": the old site moved aside; "second": the new one in place)
FALLBACK_KILLED_CLI = textwrap.dedent("""
    import os, signal, sys
    from gongkai.bridge import site_folder
    site_folder.exchange = lambda a, b: False
    kill_after = {"first": 1, "second": 2}[sys.argv.pop(1)]
    renames = []
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        if ".site.old-" in str(dst) or renames:
            renames.append(dst)
            if len(renames) == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
    site_folder.os.rename = rename
    from gongkai.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_the_fallback_swap_killed_between_its_two_steps_is_undone_at_the_next_start(portal):
    site = build_site(portal)
    before = hashes(site)
    set_cell(portal, "projects", 0, "title", "改过的项目名称")
    killed = subprocess.run([sys.executable, "-c", FALLBACK_KILLED_CLI, "first", "build", str(portal), "--today", TODAY],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    [old] = portal.glob(".site.old-*")  # killed between the steps: the previous site is aside, none in place
    assert not site.exists() and hashes(old) == before
    set_cell(portal, "units", 0, "kind", "居委会")  # the next build fails on the data, after its start-up
    assert cli("build", str(portal), "--today", TODAY).returncode == 1
    assert hashes(site) == before and list(portal.glob(".site.old-*")) == []


def test_the_fallback_swap_killed_after_its_second_step_publishes_the_new_site(portal):
    site = build_site(portal)
    set_cell(portal, "projects", 0, "title", "改过的项目名称")
    killed = subprocess.run([sys.executable, "-c", FALLBACK_KILLED_CLI, "second", "build", str(portal), "--today", TODAY],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert "改过的项目名称" in (site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")
    assert len(list(portal.glob(".site.old-*"))) == 1  # the previous site, not yet removed
    assert cli("validate", str(portal), "--today", TODAY).returncode == 0
    assert cli("build", str(portal), "--today", TODAY).returncode == 0
    assert list(portal.glob(".site.old-*")) == [] and building_dirs(portal) == []


def test_a_site_the_last_check_refuses_is_not_published_even_with_new_data(portal):
    site = build_site(portal)
    before = hashes(site)
    set_cell(portal, "projects", 0, "title", "不应发布的新名称")  # a republished site would show this
    (portal / "plugins" / "veto.py").write_text(
        "from gongkai.api import error, hookimpl\n\n@hookimpl\ndef check_site(site_dir):\n"
        "    return [error('test-veto', '测试插件拒绝发布。', file='index.html')]\n", encoding="utf-8")
    configure(portal, plugins=["plugins/veto.py"])
    done = cli("build", str(portal), "--today", TODAY)
    assert done.returncode == 1 and "测试插件拒绝发布" in done.stderr
    assert hashes(site) == before
    assert not any("不应发布的新名称" in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


class ThresholdSeen:
    """Notes the collector's thresholds while the pages are registered; fails the build when asked."""

    def __init__(self, fail: bool):
        self.fail, self.seen = fail, []

    @hookimpl
    def register_pages(self, register):
        import gc

        self.seen.append(gc.get_threshold())

    @hookimpl
    def check_site(self):
        return [error("refused", "测试：拒绝发布")] if self.fail else []


@pytest.mark.parametrize("fail", [False, True])
def test_a_build_runs_no_full_collection_and_gives_the_thresholds_back(portal, fail):
    """A build's objects live until its end: the collector takes only young garbage while it runs
    (gongkai/bridge/collection.py), and the thresholds come back afterwards, also after a failed build."""
    import gc

    from gongkai.bridge.build import build
    from gongkai.bridge.collection import NEVER

    before = gc.get_threshold()
    session = open_session(portal, TODAY)
    seen = ThresholdSeen(fail)
    session.pm.register(seen, name="threshold_seen")
    result = build(portal, today=TODAY, session=session)
    assert result.ok is not fail
    assert seen.seen and all(t == (before[0], before[1], NEVER) for t in seen.seen)
    assert gc.get_threshold() == before
