"""Search entries for generated pages, made on the machine's other cores.

Material's search plugin indexes each page in `on_page_context`: it parses the page's HTML with the
pure-Python `html.parser` and segments every Han run with jieba, on the one core MkDocs builds on.
At district scale that was the largest share of the build. A generated page's body is final as
soon as its plugin registers it, so forked workers index it with Material's own `SearchIndex` while
the main process goes on generating and rendering pages; they read the HTML with gongkai's
tokenizer (`html_tokens`) and segment each distinct Han run once. The merged index has the same
entries in the same order as Material's own (a test compares the bytes).

A page another plugin changed after gongkai (its content is no longer gongkai's body) is left to
Material, as is everything when the machine has one core.
"""
from __future__ import annotations

import multiprocessing
import os
from types import SimpleNamespace

from gongkai.site.html_tokens import Tokens, replay

MAX_WORKERS = 4
BATCH = 200  # pages per task sent to a worker
_INDEX = None  # a worker's SearchIndex, kept between batches so its segmentation cache grows


def material_search(config):
    """Material's search plugin of this build, when it is on."""
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:  # another theme
        return None
    for plugin in config.plugins.values():
        if isinstance(plugin, SearchPlugin) and plugin.config.enabled:
            return plugin
    return None


class SearchEntries:
    """Material's search entries of one build. Generated pages are indexed by worker processes as
    they are generated (`add`), from `on_config` on, so the indexing overlaps page generation and
    rendering; `merge` puts them with Material's own entries, in build order. In a preview rebuild
    (`gongkai serve`), the pages MkDocs did not render again keep their previous entries."""

    def __init__(self, search_plugin, workers: int):
        self._search = search_plugin
        self._html: dict[str, str] = {}  # src_uri -> the body the workers index
        self._batch: list[tuple] = []
        self._results: list = []
        self._order: list[tuple[str, int]] = []  # (src_uri, Material's entry count before it), build order
        self._ours: set[str] = set()  # pages Material skipped because the workers index them
        self._pool = multiprocessing.get_context("fork").Pool(workers) if workers else None

    @classmethod
    def start(cls, config, workers: bool = True) -> "SearchEntries | None":
        """Fork the workers now (after jieba has the portal's words); no workers on one core or where
        processes cannot fork (Material indexes every page then). None when Material's search is off."""
        search = material_search(config)
        if search is None:
            return None
        can_fork = workers and "fork" in multiprocessing.get_all_start_methods()
        return cls(search, min((os.cpu_count() or 1) - 1, MAX_WORKERS) if can_fork else 0)

    def add(self, page) -> None:
        """Index a generated page (`gongkai.site.pages.Page`; use_directory_urls: its URL is its path)."""
        if self._pool is None or page.src_uri in self._html:
            return
        self._html[page.src_uri] = page.html
        self._batch.append((page.src_uri, page.path, page.title, page.meta, page.html))
        if len(self._batch) >= BATCH:
            self.flush()

    def add_all(self, pages) -> None:
        """Every page not added yet, and send the last batch."""
        for page in pages:
            self.add(page)
        self.flush()

    def flush(self) -> None:
        if self._batch and self._pool is not None:
            self._results.append(self._pool.apply_async(_index_batch, (self._batch,)))
            self._batch = []

    def claim(self, page) -> None:
        """Called in `on_page_context` before Material's: skip Material's indexing of a page the
        workers index, when its content is still gongkai's body."""
        uri = page.file.src_uri
        self._order.append((uri, len(self._search.search_index.entries)))
        if self._html.get(uri) == page.content:
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
            self._ours.add(uri)

    def merge(self, pages: list[str], previous: dict[str, list[dict]]) -> dict[str, list[dict]]:
        """Put every page's entries into Material's index before it is written, in the order of
        `pages` (the src_uris of the build); a page not rendered in this build keeps its `previous`
        entries. Returns the entries by page."""
        self.flush()
        computed = dict(item for result in self._results for item in result.get())
        self.stop()
        material = self._search.search_index.entries
        built = {}
        for i, (uri, start) in enumerate(self._order):
            end = self._order[i + 1][1] if i + 1 < len(self._order) else len(material)
            built[uri] = computed[uri] if uri in self._ours else material[start:end]
        by_page = {uri: built[uri] if uri in built else previous.get(uri, []) for uri in pages}
        self._search.search_index.entries = [entry for uri in pages for entry in by_page[uri]]
        self._search.search_index_prev = None  # Material must not merge its own previous index into this one
        return by_page

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _index_batch(batch: list[tuple]) -> list[tuple[str, list[dict]]]:
    global _INDEX
    if _INDEX is None:
        _INDEX = _segmenting_index()
    out = []
    for uri, url, title, meta, html in batch:
        _INDEX.entries = []
        _INDEX.add_entry_from_context(SimpleNamespace(content=html, toc=[], url=url, title=title, meta=meta))
        out.append((uri, _INDEX.entries))
    return out


def _segmenting_index():
    from backrefs import bre
    from material.plugins.search.plugin import Parser, SearchIndex, jieba

    han = bre.compile(r"(\p{script: Han}+)", bre.UNICODE)  # Material's own expression
    cache: dict[str, str] = {}

    class FastParser(Parser):
        """Material's sections, read from gongkai's tokenizer instead of html.parser."""

        def feed(self, data):
            replay(Tokens(data), self)

        def close(self):
            pass

    def segment(match) -> str:
        run = match.group(0)
        if run not in cache:
            cache[run] = "\u200b" + "\u200b".join(jieba.cut(run.encode("utf-8"))) + "\u200b"
        return cache[run]

    class Index(SearchIndex):
        def add_entry_from_context(self, page):  # Material's, with FastParser
            if (page.meta.get("search") or {}).get("exclude"):
                return
            parser = FastParser()
            parser.feed(page.content)
            for section in parser.data:
                if not section.is_excluded():
                    self.create_entry_for_section(section, page.toc, page.url, page)

        def _segment_chinese(self, data):  # Material's, with each distinct run segmented once
            return han.sub(segment, data).strip("\u200b")

    return Index()
