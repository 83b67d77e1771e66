"""One test per hook (test_hook_<name>), each with a small plugin class registered inside the test,
and a test that the README documents every hook with its exact signature."""
from __future__ import annotations

import inspect
import re

import pytest
from conftest import REPO, TODAY, read_rows, write_rows

from gongkai import Resource, Table, error, hookimpl, hookspecs
from gongkai.bridge.build import build
from gongkai.session import open_session


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "gongkai_spec")]


def session_with(root, plugin):
    session = open_session(root, TODAY)
    session.pm.register(plugin, name="under_test")
    return session


def build_with(root, plugin):
    return build(root, today=TODAY, session=session_with(root, plugin))


def test_readme_documents_every_hook_with_its_exact_signature():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in hook_names():
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### `{name}({params})`" in readme, f"README lacks a section for {name}({params})"


def test_every_hook_has_a_test():
    tests = set(re.findall(r"^def (test_hook_\w+)", (REPO / "tests" / "test_hooks.py").read_text(encoding="utf-8"), re.M))
    assert {f"test_hook_{name}" for name in hook_names()} <= tests


VOLUNTEERS = Resource("volunteers", {
    "fields": [
        {"name": "id", "type": "string", "title": "编号", "constraints": {"required": True}},
        {"name": "points", "type": "integer", "title": "积分", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["id"],
}, title="志愿者积分")


def test_hook_register_resources(portal):
    class Plugin:
        @hookimpl
        def register_resources(self, register):
            register(VOLUNTEERS)

    write_rows(portal, "volunteers", [{"id": "v1", "points": "5"}, {"id": "v2", "points": "-1"}])
    session = session_with(portal, Plugin())
    assert [(f.code, f.resource, f.row, f.field) for f in session.report.errors] == [("constraint-minimum", "volunteers", 3, "points")]
    assert [r["points"] for r in session.validated.records["volunteers"]] == [5, None]


def test_hook_read_table(portal):
    class SemicolonReader:
        @hookimpl
        def register_resources(self, register):
            register(VOLUNTEERS)

        @hookimpl
        def read_table(self, path, resource):
            if resource.name != "volunteers":
                return None
            lines = path.read_text(encoding="utf-8").splitlines()
            return Table(path=path, header=lines[0].split(";"), rows=[(i, line.split(";")) for i, line in enumerate(lines[1:], start=2)])

    (portal / "datasets" / "volunteers.csv").write_text("id;points\nv1;7\nv2;9\n", encoding="utf-8")
    session = session_with(portal, SemicolonReader())
    assert session.report.valid
    assert [(r["id"], r["points"]) for r in session.validated.records["volunteers"]] == [("v1", 7), ("v2", 9)]


def test_hook_register_checks(portal):
    class Plugin:
        @hookimpl
        def register_checks(self, register):
            def no_terminated(records, context):
                for project in records["projects"]:
                    yield context.error("no-budget", "项目必须填写预算。", "projects", project, "budget_yuan")
            register(no_terminated)

    rows = read_rows(portal, "projects")
    session = session_with(portal, Plugin())
    found = [(f.code, f.row, f.field) for f in session.report.errors]
    assert found == [("no-budget", i + 2, "budget_yuan") for i in range(len(rows))]
    assert all(f.column and f.file == "datasets/projects.csv" for f in session.report.errors)


def test_hook_extend_portal(portal):
    class Plugin:
        @hookimpl
        def extend_portal(self, portal):
            portal.extra["titles"] = sorted(p["title"] for p in portal.projects)

        @hookimpl
        def register_pages(self, register, portal):
            register("titles/", "项目名称", "<ul>" + "".join(f"<li>{len(t)}</li>" for t in portal.extra["titles"]) + "</ul>")

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    html = (result.site_dir / "titles" / "index.html").read_text(encoding="utf-8")
    assert html.count("<li>") >= len(read_rows(portal, "projects"))


def test_hook_register_pages(portal):
    class Plugin:
        @hookimpl
        def register_pages(self, register, portal):
            register("hello/", "你好", "<h1>你好</h1>", nav="你好", order=99, boost=3, description="问候")

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    page = (result.site_dir / "hello" / "index.html").read_text(encoding="utf-8")
    assert "<h1>你好</h1>" in page and "<title>你好" in page
    assert 'href="hello/"' in (result.site_dir / "index.html").read_text(encoding="utf-8")


def test_hook_register_pages_with_a_template_links_only_to_pages_that_exist(portal):
    (portal / "templates").mkdir()
    (portal / "templates" / "team.html").write_text(
        "<h1>{{ team }}</h1><p>{{ page_link('units/u-audit/', '审计局') }} {{ page_link('nowhere/', '没有的页面') }}</p>"
        "{% if has('notes/') %}<p>有备注</p>{% endif %}", encoding="utf-8")

    class Plugin:
        @hookimpl
        def register_pages(self, register, portal):
            register("teams/t1/", "一队", template="team.html", context={"team": "<一队>"}, kind="队伍")
            register("notes/", "备注", "<p>备注</p>", requires=("teams/t1/",))
            register("orphans/", "孤页", "<p>孤页</p>", requires=("nowhere/",))

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    page = (result.site_dir / "teams" / "t1" / "index.html").read_text(encoding="utf-8")
    assert "<h1>&lt;一队&gt;</h1>" in page and '<a href="../../units/u-audit/">审计局</a>' in page
    assert "没有的页面" in page and 'href="../../nowhere/"' not in page and "<p>有备注</p>" in page
    assert (result.site_dir / "notes" / "index.html").is_file() and not (result.site_dir / "orphans").exists()


def test_hook_pages_ready(portal):
    seen = {}

    class Plugin:
        @hookimpl
        def pages_ready(self, pages, portal):
            seen["pages"] = {page.path: page.html for page in pages}
            seen["decision kind"] = {page.kind for page in pages if page.path.startswith("decisions/d-")}

        @hookimpl
        def rewrite_output(self, site_dir):
            seen["written"] = (site_dir / "index.html").is_file()

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    assert "" in seen["pages"] and "projects/p-seats/" in seen["pages"]
    assert all(html for html in seen["pages"].values())  # rendered, every one
    assert seen["decision kind"] == {"决策"} and seen["written"]


def test_hook_register_pages_refuses_unsafe_paths(portal):
    class Plugin:
        @hookimpl
        def register_pages(self, register, portal):
            register("../outside/", "越界", "<p>x</p>")

    result = build_with(portal, Plugin())
    assert not result.ok and "不安全" in result.error


def test_hook_register_assets(portal):
    class Plugin:
        @hookimpl
        def register_assets(self, register):
            register("assets/test/extra.css", ".test-marker { color: #123456; }")

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    assert "#123456" in (result.site_dir / "assets" / "test" / "extra.css").read_text(encoding="utf-8")
    assert 'href="assets/test/extra.css"' in (result.site_dir / "index.html").read_text(encoding="utf-8")


def test_hook_register_head_links(portal):
    class Plugin:
        @hookimpl
        def register_head_links(self, register, portal):
            register("teams/feed.xml", "application/atom+xml", f"{portal.site_name}<志愿>")

        @hookimpl
        def register_files(self, register):
            register("teams/feed.xml", '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>')

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    project = next((result.site_dir / "projects").glob("*/index.html")).read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="' in project
    assert 'href="../../teams/feed.xml"' in project and "&lt;志愿&gt;" in project
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="teams/feed.xml"' in home and 'href="feed.xml"' in home  # the built-in feed's own link


def test_hook_register_files(portal):
    class Plugin:
        @hookimpl
        def register_files(self, register, portal):
            register("data/count.txt", str(len(portal.projects)))

    result = build_with(portal, Plugin())
    assert result.ok, result.error
    assert (result.site_dir / "data" / "count.txt").read_text(encoding="utf-8") == str(len(read_rows(portal, "projects")))


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "data/../../x.txt"])
def test_hook_register_files_refuses_paths_outside_the_site(portal, path):
    class Plugin:
        @hookimpl
        def register_files(self, register):
            register(path, "x")

    result = build_with(portal, Plugin())
    assert not result.ok and "不安全" in result.error


def test_hook_rewrite_output(portal):
    seen = {}

    class Plugin:
        @hookimpl
        def rewrite_output(self, site_dir, portal):
            seen["index"] = (site_dir / "sitemap.xml").is_file()  # MkDocs wrote it
            seen["files"] = all((site_dir / path).is_file() for path in session.files)  # so did register_files
            (site_dir / "rewritten.txt").write_text(portal.site_name, encoding="utf-8")

        @hookimpl
        def check_site(self, site_dir):
            seen["checked"] = (site_dir / "rewritten.txt").is_file()  # checks see the rewritten site

    session = session_with(portal, Plugin())
    result = build(portal, today=TODAY, session=session)
    assert result.ok, result.error
    assert seen == {"index": True, "files": True, "checked": True}
    assert (result.site_dir / "rewritten.txt").read_text(encoding="utf-8") == session.portal.site_name


def test_hook_check_file(portal):
    class Plugin:
        @hookimpl
        def check_file(self, file, site):
            if file.path == "index.html":
                tags = len(file.document.elements) if file.kind == "html" else 0
                found = "有" if site.has("404.html") and site.has("decisions/") and not site.has("nowhere/") else "缺"
                return [error("test-veto", f"首页 {tags} 个标签，404 页和决策页{found}。", file=file.path)]

    result = build_with(portal, Plugin())
    assert not result.ok
    assert re.search(r"首页 [1-9]\d+ 个标签，404 页和决策页有", result.error)


def test_hook_check_site(portal):
    from conftest import build_site

    site = build_site(portal)
    before = (site / "index.html").read_bytes()

    class Plugin:
        @hookimpl
        def check_site(self, site_dir):
            assert (site_dir / "index.html").exists()  # runs on the finished temporary site
            return [error("test-veto", "测试插件拒绝发布。", file="index.html")]

    result = build_with(portal, Plugin())
    assert not result.ok and "测试插件拒绝发布" in result.error
    assert (site / "index.html").read_bytes() == before
