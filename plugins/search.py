"""search: Chinese search that stays instant at district scale. The header's search box (Material's
search dialog, with gongkai's own partial theme/partials/search.html) answers from a static index that
the browser fetches a few files at a time, per query (gongkai/site/search.py): a first search costs
about the same on a 100-page portal and a 30,000-page one, and any part of a word is found exactly.

Every published page is indexed, generated and hand-written alike, with the kind and the community a
page plugin gave it when it registered the page (residents narrow results by both)."""
from __future__ import annotations

from pathlib import Path

from gongkai import hookimpl
from gongkai.site.search import build

ASSETS = Path(__file__).parent / "assets"


@hookimpl
def register_assets(register):
    register("assets/gongkai/search.js", (ASSETS / "search.js").read_bytes())
    register("assets/gongkai/search.css", (ASSETS / "search.css").read_bytes())


@hookimpl
def rewrite_output(site_dir, portal):
    communities = [unit["name"] for unit in portal.units_of_kind("社区")]
    site = Path(site_dir)
    for path, content in build(portal.documents, communities).items():
        target = site / path
        if target.is_file() and target.read_bytes() == content:
            continue  # a preview rebuild: the shard did not change
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
