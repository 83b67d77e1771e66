"""search: Chinese search that stays instant at district scale. The header's search box (Material's
search dialog, with gongkai's own partial theme/partials/search.html) answers from a static index that
the browser fetches a few files at a time, per query (gongkai/site/search.py): a first search costs
about the same on a 100-page portal and a 30,000-page one, and any part of a word is found exactly.

Every published page is indexed, generated and hand-written alike, with the kind and the community a
page plugin gave it when it registered the page (residents narrow results by both). The generated
pages are indexed in a forked process while MkDocs renders the site; the hand-written ones, once
MkDocs has rendered them."""
from __future__ import annotations

from pathlib import Path

from gongkai import hookimpl
from gongkai.parallel import Background
from gongkai.site.search import SearchDoc, build, index, page_text

ASSETS = Path(__file__).parent / "assets"
JOB = "search.generated"  # portal.extra: the background job over the generated pages


@hookimpl
def register_assets(register):
    register("assets/gongkai/search.js", (ASSETS / "search.js").read_bytes())
    register("assets/gongkai/search.css", (ASSETS / "search.css").read_bytes())


@hookimpl
def pages_ready(pages, portal):
    def generated():
        docs = [SearchDoc(p.path, p.title, page_text(p.html), p.kind, p.community, p.boost or 1) for p in pages]
        return docs, index(docs)

    portal.extra[JOB] = Background(generated)


@hookimpl
def rewrite_output(site_dir, portal):
    job = portal.extra.pop(JOB, None)
    docs, postings = job.result() if job is not None else ([], index([]))
    known = {doc.path for doc in docs}
    hand_written = [SearchDoc(path, title, page_text(html)) for path, (title, html) in portal.hand_written.items()
                    if path not in known]
    postings.extend(index(hand_written, first=len(docs)))
    communities = [unit["name"] for unit in portal.units_of_kind("社区")]
    site = Path(site_dir)
    for path, content in build(docs + hand_written, communities, postings).items():
        target = site / path
        if target.is_file() and target.read_bytes() == content:
            continue  # a preview rebuild: the file did not change
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
