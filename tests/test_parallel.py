"""Work spread over worker processes gives what one process gives."""
from __future__ import annotations

from functools import partial

from gongkai.parallel import map_chunks


def _tags(prefix, chunk):
    return [f"{prefix}{n}" for n in chunk if n % 7 == 0]


def test_map_chunks_in_processes_equals_serial():
    items = list(range(1000))
    parallel = map_chunks(partial(_tags, "x"), items, min_items=10)
    assert sorted(parallel) == sorted(_tags("x", items))


def test_map_chunks_later_runs_in_workers_while_this_process_goes_on(monkeypatch):
    import os

    from gongkai import parallel
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    items = list(range(1000))
    wait = parallel.map_chunks_later(lambda chunk: [(n, os.getpid()) for n in chunk], items, min_items=10)
    made = wait()
    assert sorted(n for n, _ in made) == items
    assert {pid for _, pid in made} and os.getpid() not in {pid for _, pid in made}
    assert wait() is made  # waited for once
    few = parallel.map_chunks_later(lambda chunk: [(n, os.getpid()) for n in chunk], items[:3], min_items=10)
    assert few() == [(0, os.getpid()), (1, os.getpid()), (2, os.getpid())]  # too few to share: made here


def test_a_page_whose_context_is_still_being_made_is_rendered_after_the_others(portal):
    from conftest import TODAY

    from gongkai import hookimpl
    from gongkai.api import Later
    from gongkai.session import open_session

    seen = {}

    class Plugin:
        @hookimpl
        def register_pages(self, register, portal):
            def make():
                seen["rendered before"] = sorted(p.path for p in portal.pages.values() if p.html is not None)
                return "稍后得出的值"
            register("aaa-later/", "稍后", template="later.html", context=dict(value=Later(make)))

    (portal / "templates").mkdir(exist_ok=True)
    (portal / "templates" / "later.html").write_text("<p>{{ value }}</p>", encoding="utf-8")
    session = open_session(portal, TODAY)
    session.pm.register(Plugin(), name="later")
    pages = {p.path: p for p in session.pages}
    assert pages["aaa-later/"].html.strip() == "<p>稍后得出的值</p>"
    waiting = {"aaa-later/", "data/"}  # open_data's page waits for its files too
    others = sorted(path for path in pages if path not in waiting)
    assert seen["rendered before"] == others  # every other body first, though "aaa-later/" sorts near the top
    assert list(pages) == sorted(pages)  # the pages themselves stay in path order
