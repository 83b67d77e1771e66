"""What a resident feels when searching, measured where they feel it: Debian's Chromium at 375 px, a
fresh browser context (empty cache) per query, the home page loaded, `s` pressed, the query entered.
For each query: the seconds from the finished query until its target page is listed, and the bytes
fetched for it as served (gzip), the home page's own load apart. Each query is entered twice: all at
once, and a key at a time (then the search box must still hold exactly what was typed).

    python benchmarks/search_resident.py SITE PORTAL          # prints JSON

run.py calls `measure` for every scale it benchmarks. The queries come from the portal's data: a
whole project title; two parts of words (from inside a unit's name and a project's title); a
community's name with a building number; a unit's full name.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
COMPRESSED = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")


def rows(portal: Path, resource: str) -> list[dict]:
    """The rows of datasets/<resource>.csv by field name (headers may be the Chinese titles)."""
    from gongkai.data.resources import standard_resources

    names = {f.get("title"): f["name"] for r in standard_resources() if r.name == resource for f in r.fields}
    with (portal / "datasets" / f"{resource}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [{names.get(k, k): v for k, v in row.items()} for row in csv.DictReader(fh)]


def queries(portal: Path) -> list[tuple[str, str, str]]:
    """(what it is, the query, the page it must list), from the portal's data."""
    units = rows(portal, "units")
    projects = rows(portal, "projects")
    by_id = {u["id"]: u for u in units}
    project = projects[len(projects) // 3]
    partner = next(u for u in units[len(units) // 2:] + units if u["kind"] == "共建单位" and len(u["name"]) >= 6)
    building = next(u for u in units if u["kind"] == "楼栋" and re.search(r"\d+号楼$", u["name"]))
    community = building
    while community and community["kind"] != "社区":
        community = by_id.get(community["parent_id"])
    names = [u["name"] for u in units] + [p["title"] for p in projects]
    middle = projects[len(projects) // 2:][:200] or projects
    titled = min(middle, key=lambda p: _count(rarest_part(p["title"], 3, names), names))
    number = re.search(r"\d+号楼$", building["name"]).group()
    return [
        ("project title", project["title"], f"projects/{project['id']}/"),
        ("part of a unit name", rarest_part(partner["name"], 2, names), f"units/{partner['id']}/"),
        ("part of a project title", rarest_part(titled["title"], 3, names), f"projects/{titled['id']}/"),
        ("community and building number", f"{community['name']} {number}", f"units/{building['id']}/"),
        ("unit name", partner["name"], f"units/{partner['id']}/"),
    ]


def rarest_part(name: str, size: int, names: list[str]) -> str:
    """The piece of `size` characters from inside `name` (not its start) that the fewest other names hold,
    so that the page of `name` is among the first results: how a resident who remembers part of a
    name searches."""
    pieces = [name[i:i + size] for i in range(1, len(name) - size + 1)] or [name[:size]]
    return min(pieces, key=lambda piece: (_count(piece, names), pieces.index(piece)))


def _count(piece: str, names: list[str]) -> int:
    return sum(piece in other for other in names)


class _Handler(SimpleHTTPRequestHandler):
    """Serves files gzip-compressed when the browser asks for it, as a real server would, and counts
    the bytes it sends."""

    sent: list = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        zipped = "gzip" in self.headers.get("Accept-Encoding", "") and path.suffix in COMPRESSED
        if zipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.sent.append((self.path, len(body)))


def measure(site: Path, portal: Path) -> dict:
    from playwright.sync_api import sync_playwright

    sent: list = []
    handler = type("Handler", (_Handler,), {"sent": sent})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, query, target in queries(portal):
                for typing in ("at once", "a key at a time"):
                    results.append({"query": name, "text": query, "typed": typing,
                                    **_one(browser, base, sent, query, target, typing == "at once")})
            browser.close()
    finally:
        server.shutdown()
    return {"queries": results, "worst_seconds": max(r["seconds"] for r in results),
            "worst_kb_gzip": max(r["kb_gzip"] for r in results), "all_listed": all(r["listed"] for r in results),
            "all_held": all(r["held"] for r in results)}


def _one(browser, base: str, sent: list, query: str, target: str, at_once: bool) -> dict:
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(base, wait_until="load")
    page_load = sum(size for _, size in sent)
    before = len(sent)
    page.keyboard.press("s")
    box = page.locator("[data-gk-search-input]")
    if at_once:
        box.fill(query)
    else:
        box.press_sequentially(query, delay=60)
    typed = time.perf_counter()
    link = page.locator(f'[data-gk-search-results] a[href="{base}{target}"]')
    try:
        link.wait_for(timeout=30000)
        listed = True
    except Exception:  # noqa: BLE001 - not listed within 30 s: reported as such
        listed = False
    seconds = time.perf_counter() - typed
    held = box.input_value() == query
    fetched = sent[before:]
    context.close()
    sent.clear()
    return {"seconds": round(seconds, 3), "listed": listed, "held": held, "requests": len(fetched),
            "kb_gzip": round(sum(size for _, size in fetched) / 1024, 1), "page_load_kb_gzip": round(page_load / 1024, 1)}


def index_seconds(site: Path) -> dict:
    """The time to index the built site's pages as the build does (their text, the terms, the files),
    in this process, apart from the rest of the build."""
    from selectolax.lexbor import LexborHTMLParser

    from gongkai.site.search import SearchDoc, build, page_text

    pages = []
    for fragment in (site / "search" / "p").glob("*.json"):
        for page in json.loads(fragment.read_text(encoding="utf-8")):
            html_file = site / page["u"] / "index.html"
            body = LexborHTMLParser(html_file.read_text(encoding="utf-8")).css_first("article.md-content__inner") \
                if html_file.is_file() else None
            pages.append((page, body.html if body is not None else ""))
    started = time.perf_counter()
    docs = [SearchDoc(page["u"], page["t"], page_text(html), page["k"], page["c"] or None) for page, html in pages]
    files = build(docs, sorted({page["c"] for page, _ in pages if page["c"]}))
    seconds = time.perf_counter() - started
    return {"pages": len(docs), "seconds": round(seconds, 2), "files": len(files),
            "mb": round(sum(len(b) for b in files.values()) / 1e6, 1),
            "mb_gzip": round(sum(len(gzip.compress(b, 6)) for b in files.values()) / 1e6, 1)}


if __name__ == "__main__":
    site_dir, portal_dir = Path(sys.argv[1]), Path(sys.argv[2])
    print(json.dumps({"resident": measure(site_dir, portal_dir), "index": index_seconds(site_dir)}, ensure_ascii=False,
                     indent=2))
