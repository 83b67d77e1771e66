"""Search on a district-scale portal (benchmarks/generate.py at scale 1: some 9,000 pages), in
Chromium at 375 px, as residents use it: every query shape finds its page, typed at once or a key
at a time, and the search box holds what was typed. The queries come from the generated data (the
same ones benchmarks/search_resident.py times), plus an id and two words with a space."""
from __future__ import annotations

import subprocess
import sys
import threading
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from conftest import REPO
from test_browser import _QuietHandler, browser, open_search, phone  # noqa: F401 - the browser fixtures

sys.path.insert(0, str(REPO / "benchmarks"))
from search_resident import queries, rarest_part, rows  # noqa: E402

pytestmark = pytest.mark.browser
TODAY = "2026-11-25"  # the generator's reference date


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """(the portal folder, the URL its built site is served at)."""
    portal = tmp_path_factory.mktemp("district") / "portal"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--scale", "1", "--out", str(portal)],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", "import sys; from gongkai.cli import main; sys.exit(main(sys.argv[1:]))",
                    "build", str(portal), "--today", TODAY], check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(portal / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield portal, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def district_queries(portal) -> list[tuple[str, str, str]]:
    projects = rows(portal, "projects")
    names = [p["title"] for p in projects] + [u["name"] for u in rows(portal, "units")]
    project = projects[len(projects) * 2 // 3]
    title = project["title"]
    two_words = f"{rarest_part(title[:len(title) // 2 + 1], 2, names)} {title[-2:]}"
    return queries(portal) + [("an id", project["id"], f"projects/{project['id']}/"),
                              ("two words", two_words, f"projects/{project['id']}/")]


def test_the_district_portal_is_large(district):
    portal, _ = district
    assert sum(1 for _ in (portal / "site").rglob("index.html")) > 8000


@pytest.mark.parametrize("typing", ["at once", "a key at a time"])
def test_every_query_shape_lists_its_page_at_district_scale(phone, district, typing):  # noqa: F811
    portal, base = district
    missed = []
    for name, query, target in district_queries(portal):
        phone.goto(base, wait_until="load")
        box = open_search(phone)
        if typing == "at once":
            box.fill(query)
        else:
            box.press_sequentially(query, delay=40)
        link = phone.locator(f'[data-gk-search-results] a[href="{base}{target}"]')
        try:
            link.wait_for(timeout=15000)
        except Exception:  # noqa: BLE001 - collected and reported below with the query
            missed.append((name, query, target))
        assert box.input_value() == query
    assert missed == []
