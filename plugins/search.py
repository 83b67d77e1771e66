"""search: Chinese search that stays instant at district scale. The header's search box (Material's
search dialog, with gongkai's own partial theme/partials/search.html) answers from a static index that
the browser fetches a few files at a time, per query (gongkai/site/search.py): a first search costs
about the same on a 100-page portal and a 30,000-page one, and any part of a word is found exactly.

Every published page is indexed, generated and hand-written alike, with the kind and the community a
page plugin gave it when it registered the page (residents narrow results by both). The generated
pages are indexed in a forked process while MkDocs renders the site; the hand-written ones, once
MkDocs has rendered them. In `gongkai serve` the index stays in memory and a rebuild reads again only
the generated pages that changed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gongkai.api import Background, digest, hookimpl, search, write_changed

ASSETS = Path(__file__).parent / "assets"
JOB = "search.generated"  # portal.extra: the index of the generated pages, as a job or ready


@dataclass
class Indexed:
    """The index of the generated pages: their docs in page order, a key of each, their postings."""

    keys: list[str]
    docs: list[search.SearchDoc]
    postings: search.Postings

    def result(self) -> "Indexed":
        return self


_previous: Indexed | None = None  # `gongkai serve`: the index of the last build, updated page by page
_encoded = search.Encoded()  # `gongkai serve`: the index files' text of the last build, term by term


@hookimpl
def register_assets(register):
    register("assets/gongkai/search.js", (ASSETS / "search.js").read_bytes())
    register("assets/gongkai/search.css", (ASSETS / "search.css").read_bytes())


@hookimpl
def pages_ready(pages, portal):
    keys = [digest(p.fingerprint, p.kind, p.community) for p in pages] if portal.preview else []
    if portal.preview and _previous is not None and [d.path for d in _previous.docs] == [p.path for p in pages]:
        portal.extra[JOB] = _update(_previous, pages, keys)
        return

    def generated() -> Indexed:
        docs = [_doc(page) for page in pages]
        return Indexed(keys, docs, search.index(docs))

    portal.extra[JOB] = Background(generated)


def _doc(page) -> search.SearchDoc:
    text = search.page_text(page.html)
    return search.SearchDoc(page.path, page.title, text, page.kind, page.community, page.boost or 1)


def _update(indexed: Indexed, pages, keys: list[str]) -> Indexed:
    """The last build's index with the pages whose key changed read again (the same pages, in order)."""
    for number, (page, key) in enumerate(zip(pages, keys)):
        if indexed.keys[number] != key:
            doc = _doc(page)
            indexed.postings.replace(number, indexed.docs[number], doc)
            indexed.docs[number], indexed.keys[number] = doc, key
    return indexed


@hookimpl
def rewrite_output(site_dir, portal):
    global _previous
    job = portal.extra.pop(JOB, None)
    generated = job.result() if job is not None else Indexed([], [], search.Postings())
    _previous = generated if portal.preview else None
    known = {doc.path for doc in generated.docs}
    hand_written = [search.SearchDoc(path, title, search.page_text(html))
                    for path, (title, html) in portal.hand_written.items() if path not in known]
    communities = [unit["name"] for unit in portal.units_of_kind("社区")]
    files = search.build(generated.docs + hand_written, communities,
                         generated.postings, search.index(hand_written, first=len(generated.docs)),
                         encoded=_encoded if portal.preview else None)
    write_changed(site_dir, files)
