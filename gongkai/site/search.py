"""The site's search index: static files that a browser fetches a few at a time, per query, so that a
first search costs about the same on a 100-page portal and a 30,000-page one.

Text is read the way residents search Chinese: by characters, not by words. Every page's text is
folded (NFKC, lower case, only letters and digits kept: "12 号楼" and "12号楼" read alike, "P-00012" is
"p00012") and indexed by its single characters and its pairs of neighbouring characters. A query word
becomes its pairs (or its one character); the pages holding all of them are the candidates, and the
browser keeps those whose folded text really holds the word, so any part of a word is found exactly
(审计 in 审计局, 预算 in 财政预算, 12号楼, p-00012), whatever a word segmenter would have made of it.

Files, under `search/`:
- `meta.json`: the shard count, the labels of page kinds and the communities (for the filters), and
  for every page (the generated pages in path order, then the hand-written ones) its kind, community
  and rank;
- `t/<n>.json`: the shard n of the term index: term → page numbers, delta-coded; a term "^x" lists the
  pages whose title holds x (they rank first);
- `p/<n>.json`: pages n×BUCKET to n×BUCKET+BUCKET−1, each with its address, title, kind, community and
  text (for the result and the check). A few pages a file: neighbours in path order are often found
  together, and a district's site does not get thousands more files.

The same pages give the same bytes. Pages were chosen over Pagefind by measurement (README).
"""
from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass

FOLDER = "search"
MAX_TEXT = 8000  # characters of a page's text that are searched (a long list page is found by its start)
TARGET_SHARD_BYTES = 24_000  # a shard is about this size before compression (some 8 KB as gzip)
BUCKET = 4  # pages a fragment file
KIND_ORDER = ("首页", "栏目", "单位", "项目", "决策", "评价周期", "公示", "清单", "开放数据", "页面")
_KEEP = re.compile(r"[^\w]|_", re.UNICODE)  # what folding drops: everything but letters and digits


@dataclass
class SearchDoc:
    """One page as search sees it."""

    path: str  # the page's URL path relative to the site root: "", "units/u1/"
    title: str
    text: str  # the visible text of the page's body
    kind: str = "页面"
    community: str | None = None  # the name of the 社区 the page belongs to
    boost: float = 1.0

    def __post_init__(self) -> None:
        self.text = " ".join(self.text.split())[:MAX_TEXT]


def searchable(title: str, path: str, text: str) -> str:
    """What a page is found by: its title, its address (ids such as p-00012 are in it) and its text
    (search.js checks a candidate against the same three)."""
    return f"{title} {path} {text}"


def fold(text: str) -> str:
    """Text as search compares it: NFKC, lower case, letters and digits only (search.js folds queries
    the same way: normalize("NFKC"), toLowerCase(), [\\p{L}\\p{N}])."""
    return _KEEP.sub("", unicodedata.normalize("NFKC", text).lower())


def grams(folded: str) -> set[str]:
    """The single characters and the pairs of neighbouring characters of a folded text."""
    return set(folded) | {folded[i:i + 2] for i in range(len(folded) - 1)}


class Postings:
    """Term → the numbers of the pages that hold it, made page by page (kept for every page, the terms
    themselves would fill memory at district scale)."""

    def __init__(self) -> None:
        self.terms: dict[str, array] = defaultdict(lambda: array("I"))

    def add(self, number: int, doc: SearchDoc) -> None:
        for term in terms_of(doc):
            self.terms[term].append(number)

    def replace(self, number: int, old: SearchDoc, new: SearchDoc) -> None:
        """Page `number` now reads `new` (a preview rebuild: only the pages that changed are read again)."""
        before, after = terms_of(old), terms_of(new)
        for term in before - after:
            pages = self.terms[term]
            del pages[bisect.bisect_left(pages, number)]
            if not pages:
                del self.terms[term]
        for term in after - before:
            pages = self.terms[term]
            pages.insert(bisect.bisect_left(pages, number), number)

    def __getstate__(self) -> dict:  # a background job sends them back
        return {term: pages.tobytes() for term, pages in self.terms.items()}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        for term, data in state.items():
            self.terms[term].frombytes(data)


def terms_of(doc: SearchDoc) -> set[str]:
    """The terms a page is found by: the grams of its folded text, and its title's grams marked "^"."""
    return grams(fold(searchable(doc.title, doc.path, doc.text))) | {"^" + g for g in grams(fold(doc.title))}


def index(docs: list[SearchDoc], first: int = 0) -> Postings:
    """The postings of `docs`, numbered from `first` in the order given."""
    postings = Postings()
    for number, doc in enumerate(docs, first):
        postings.add(number, doc)
    return postings


class Encoded:
    """The JSON text of each term's entry and of each file of pages, with what it was made from, so
    that `gongkai serve` encodes again only what an edit changed: a page edit changes a few thousand
    of a district's terms, and encoding all of them (millions of page numbers) took over a second."""

    def __init__(self) -> None:
        self._terms: dict[str, tuple[array, str]] = {}
        self._buckets: dict[int, tuple[tuple, bytes]] = {}

    def term(self, term: str, pages: array) -> str:
        """`"term":[deltas]`, as json.dumps writes a key and its value."""
        kept = self._terms.get(term)
        if kept is not None and kept[0] == pages:
            return kept[1]
        text = json.dumps(term, ensure_ascii=False) + ":" + _json(_deltas(pages)).decode("utf-8")
        self._terms[term] = (array("I", pages), text)
        return text

    def bucket(self, number: int, docs: list[SearchDoc]) -> bytes:
        made = tuple((doc.path, doc.title, doc.kind, doc.community or "", doc.text) for doc in docs)
        kept = self._buckets.get(number)
        if kept is not None and kept[0] == made:
            return kept[1]
        data = _json([{"u": u, "t": t, "k": k, "c": c, "x": x} for u, t, k, c, x in made])
        self._buckets[number] = (made, data)
        return data

    def forget_others(self, terms, buckets: int) -> None:
        self._terms = {term: kept for term, kept in self._terms.items() if term in terms}
        self._buckets = {n: kept for n, kept in self._buckets.items() if n < buckets}


def build(docs: list[SearchDoc], communities: list[str], *parts: Postings, encoded: Encoded | None = None
          ) -> dict[str, bytes]:
    """Every file of the index, by its site-relative path; pages are numbered in the order of `docs`.
    `parts`, when given, are their postings already, for consecutive runs of `docs`; `encoded`, what
    the last build of this process encoded."""
    parts = parts or (index(docs),)
    encoded = encoded or Encoded()
    terms = sorted(set().union(*(part.terms for part in parts)))
    pages_of = {term: _joined([part.terms[term] for part in parts if term in part.terms]) for term in terms}
    shards = shard_count({term: len(pages) for term, pages in pages_of.items()})
    files: dict[str, bytes] = {}
    by_shard: dict[int, list[str]] = {}
    for term in terms:
        by_shard.setdefault(shard_of(term, shards), []).append(encoded.term(term, pages_of[term]))
    for number in range(shards):
        files[f"{FOLDER}/t/{number}.json"] = ("{" + ",".join(by_shard.get(number, ())) + "}").encode("utf-8")
    encoded.forget_others(pages_of, -(-len(docs) // BUCKET))
    kinds = sorted({d.kind for d in docs}, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))
    places = [c for c in communities if any(d.community == c for d in docs)]
    kind_of, place_of = {k: i for i, k in enumerate(kinds)}, {c: i + 1 for i, c in enumerate(places)}
    files[f"{FOLDER}/meta.json"] = _json({
        "version": 1, "shards": shards, "bucket": BUCKET, "kinds": kinds, "communities": places,
        "pages": [[kind_of[d.kind], place_of.get(d.community, 0), round(d.boost * 10)] for d in docs],
    })
    for start in range(0, len(docs), BUCKET):
        files[f"{FOLDER}/p/{start // BUCKET}.json"] = encoded.bucket(start // BUCKET, docs[start:start + BUCKET])
    return files


def _joined(runs: list[array]) -> array:
    """One term's page numbers over consecutive parts (in the parts' order: ascending)."""
    return runs[0] if len(runs) == 1 else sum(runs[1:], array("I", runs[0]))


def shard_count(sizes: dict[str, int]) -> int:
    """A power of two that keeps shards near TARGET_SHARD_BYTES (`sizes`: term → its page count)."""
    size = sum(len(term) * 3 + 4 + 4 * count for term, count in sizes.items())
    return max(16, 2 ** math.ceil(math.log2(max(size / TARGET_SHARD_BYTES, 1))))


def shard_of(term: str, shards: int) -> int:
    """The shard a term lives in (the browser computes the same CRC-32)."""
    return zlib.crc32(term.encode("utf-8")) % shards


def _deltas(pages) -> list[int]:
    return [pages[0]] + [b - a for a, b in zip(pages, pages[1:])]


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def page_text(html: str) -> str:
    """The visible text of a page body (HTML), as a reader sees it, without the way back (← 决策公开)
    that starts many pages: no scripts, no styles."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(f"<body>{html}</body>")
    for node in tree.css("script, style, template, svg title, .gk-back, p.gk-breadcrumb"):
        node.decompose()
    return tree.body.text(separator=" ") if tree.body is not None else ""
