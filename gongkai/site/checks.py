"""The checks of the finished site, before it is published.

Every file the build publishes is handed to each ``check_file`` implementation (``output_scan``,
``link_check`` …), spread over the machine's cores; a file is judged by what a browser would make of
it: HTML and XML (SVG, feeds) are parsed once, as a browser parses them (gongkai/site/document.py),
and the parsed document is shared by every check. Then ``check_site`` runs for the site as a whole.

A full build checks most pages early (`EarlyChecks`), while MkDocs renders the rest on one core; what
the early checks could not know for sure is checked again after the build.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import posixpath
import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterable

from gongkai.data import cache
from gongkai.findings import Finding
from gongkai.parallel import MIN_ITEMS, map_chunks, worker_count
from gongkai.site.document import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    XML_SUFFIXES,
    Document,
    parse_html,
    parse_xml,
)

log = logging.getLogger("mkdocs.plugins.gongkai")
TEXT_KINDS = ("html", "xml", "json")
PARALLEL_BYTES = 4 << 20  # checking this much output takes about a second on one core


def kind_of(path: str) -> str:
    """"html", "xml", "json" or "other", by what a web server would announce for the file."""
    suffix = path[path.rfind("."):].lower() if "." in path.rpartition("/")[2] else ""
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in XML_SUFFIXES:
        return "xml"
    if suffix in JSON_SUFFIXES:
        return "json"
    return "other"


class OutputFile:
    """One file of the built site: its site-relative ``path``, its ``kind`` ("html", "xml", "json" or
    "other"), and for the first three its ``text`` and its parsed ``document``, made once on first use
    and shared by every check."""

    def __init__(self, path: str, root: Path) -> None:
        self.path, self.root, self.kind = path, root, kind_of(path)

    @cached_property
    def text(self) -> str:
        return (self.root / self.path).read_text(encoding="utf-8", errors="replace") if self.kind in TEXT_KINDS else ""

    @cached_property
    def document(self) -> Document | None:
        """The file as a browser reads it; None for JSON and other files. XML that does not parse
        raises ValueError."""
        if self.kind == "html":
            return parse_html(self.text)
        if self.kind == "xml":
            return parse_xml(self.text)
        return None


class SiteFiles:
    """What a check may ask of the rest of the finished site: from `listing` (every file's path, as
    `check_output` found them) when given, else from the folder itself."""

    def __init__(self, root: Path, listing: frozenset[str] | None = None) -> None:
        self.root = Path(root)
        self.listing = listing
        self._known: dict[str, bool] = {}

    def has(self, path: str) -> bool:
        """Whether the site has the file `path`, or a page there (``path/index.html``) when `path`
        ends in "/" or is a folder."""
        if path not in self._known:
            self._known[path] = listed(path, self.listing) if self.listing is not None else self._on_disk(path)
        return self._known[path]

    def _on_disk(self, path: str) -> bool:
        target = self.root / path
        try:
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            return target.is_file()
        except (OSError, ValueError):
            return False


def listed(path: str, files: frozenset[str]) -> bool:
    """As `SiteFiles.has` answers for a site whose files are `files` ("." and "a/./b" too): a district
    page links thousands of pages, each a stat of the folder otherwise."""
    name = posixpath.normpath(path)
    name = "" if name == "." else name
    page = f"{name}/index.html" if name else "index.html"
    return page in files or (not path.endswith("/") and name in files)


def check_output(site_dir: Path, check_file: Callable[[OutputFile, SiteFiles], Iterable[Finding]],
                 since: float | None = None, early: "EarlyResult | None" = None,
                 memo: "CheckMemo | None" = None) -> list[Finding]:
    """`check_file` over every file of the site (only those modified at or after `since`, when given:
    a preview rebuild), in worker processes when there are many. The findings of `early` are taken for
    the files it checked, unless a file changed after the pages were rendered; those of `memo` (a
    preview) for the files whose verdicts it still holds."""
    site_dir = Path(site_dir)
    findings: list[Finding] = []
    sizes = {}
    found = list(_walk(site_dir, ""))
    listing = frozenset(rel for rel, _ in found)
    reusable = early.reusable(site_dir, listing) if early is not None else {}
    for rel, stat in found:
        if since is not None and stat.st_mtime < since:
            continue
        if rel in reusable and stat.st_ctime < early.rendered - early.MARGIN:
            findings.extend(reusable[rel])
        else:
            sizes[rel] = stat.st_size
    if memo is not None:
        findings += memo.kept(site_dir, sizes, listing)  # and removed from `sizes`
    paths = sorted(sizes, key=lambda path: (-sizes[path], path))  # the largest first: the workers share the work evenly
    # a preview rebuild checks few files, but a district's index pages are megabytes each: share those too
    min_items = 2 if sum(sizes.values()) >= PARALLEL_BYTES else MIN_ITEMS
    if memo is None:
        return findings + map_chunks(partial(_check_files, site_dir, check_file, listing), paths, min_items)
    checked = map_chunks(partial(_check_and_record, site_dir, check_file, listing), paths, min_items)
    memo.keep(checked)
    return findings + [f for one in checked for f in one.findings]


def _walk(folder: Path | str, prefix: str):
    """(relative path, stat) of every file under `folder`, links not followed: os.scandir, because a
    preview rebuild looks at the ten thousand files of a district site to find the few it wrote."""
    with os.scandir(folder) as entries:
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, rel + "/")
            elif entry.is_file():
                yield rel, entry.stat()


def _check_files(site_dir: Path, check_file, listing: frozenset[str], paths) -> list[Finding]:
    site = SiteFiles(site_dir, listing)
    findings: list[Finding] = []
    for rel in paths:
        findings.extend(check_file(OutputFile(rel, site_dir), site))
    return findings


# ---------------------------------------------------------------------------------- kept verdicts


@dataclass
class CheckedFile:
    path: str
    digest: str  # of its bytes
    answers: dict[str, bool]  # what its checks asked `site.has`, and the answers
    findings: list[Finding]


def _check_and_record(site_dir: Path, check_file, listing: frozenset[str], paths) -> list[CheckedFile]:
    found = []
    for rel in paths:
        site = PlannedSiteFiles(site_dir, frozenset(), listing)  # the site is written: it only keeps the answers
        file = OutputFile(rel, site_dir)
        findings = list(check_file(file, site))
        found.append(CheckedFile(rel, _digest(site_dir / rel), site.answers, findings))
    return found


def _digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


class CheckMemo:
    """The verdicts of the last checks, file by file. A file with the same bytes keeps its verdict while
    the inputs of the checks other than the file (`begin`'s key, the session's `data_key`: the data, the
    settings, the code) are the same and every `site.has` answer its checks relied on still holds, which
    is all a check may read (see `check_file` in the README).

    `gongkai serve` keeps one in memory: a rebuild writes some files again with the same bytes (the
    sitemap, the 404 page, search shards). A full build keeps one in the cache folder (`load`,
    `store`) for the files checked after rendering (the downloads, feeds, search index, the history's
    changes.json: megabytes, mostly the same from one build to the next)."""

    FILE = "checks.pickle"

    def __init__(self) -> None:
        self.key: str | None = None
        self.files: dict[str, CheckedFile] = {}
        self._seen: set[str] = set()  # the files of the last check, kept or checked

    @classmethod
    def load(cls, folder: Path, key: str | None) -> "CheckMemo":
        """The verdicts a full build stored under `key` (none when there are none, or `key` is None)."""
        memo = cls()
        memo.key = key
        memo.files = (cache.load(folder, key, cls.FILE) or {}) if key is not None else {}
        return memo

    def store(self, folder: Path) -> None:
        """Keep the verdicts of the files of the last check for the next build."""
        if self.key is not None:
            cache.store(folder, self.key, {path: self.files[path] for path in sorted(self._seen)}, self.FILE)

    def begin(self, key: str | None) -> None:
        if key is None or key != self.key:
            self.files = {}
        self.key, self._seen = key, set()

    def kept(self, site_dir: Path, sizes: dict[str, int], listing: frozenset[str] | None = None) -> list[Finding]:
        """The findings of the files of `sizes` whose verdicts hold; those files leave `sizes`."""
        if self.key is None:
            return []
        site, findings = SiteFiles(site_dir, listing), []
        for rel in list(sizes):
            known = self.files.get(rel)
            if known is not None and known.digest == _digest(site_dir / rel) and all(
                    site.has(path) == answer for path, answer in known.answers.items()):
                findings += known.findings
                del sizes[rel]
                self._seen.add(rel)
        return findings

    def keep(self, checked: list[CheckedFile]) -> None:
        if self.key is not None:
            self.files.update((one.path, one) for one in checked)
            self._seen.update(one.path for one in checked)


# ---------------------------------------------------------------------------------- early checks


class PlannedSiteFiles(SiteFiles):
    """`SiteFiles` while the site is still being written: a file the build will write (`planned`)
    counts as there. Every answer is kept, to be compared with the finished site (or, with nothing
    planned, with the next build's: `CheckMemo`)."""

    def __init__(self, root: Path, planned: frozenset[str], listing: frozenset[str] | None = None) -> None:
        super().__init__(root, listing)
        self.planned = planned
        self.answers: dict[str, bool] = {}

    def has(self, path: str) -> bool:
        if path not in self.answers:
            self.answers[path] = listed(path, self.planned) or super().has(path)
        return self.answers[path]


@dataclass
class EarlyResult:
    """What the early checks found, per file, and what they took the rest of the site to be."""

    MARGIN = 2.0  # seconds: a file's change time may lag the clock by a tick; later changes are checked again
    rendered: float  # when the engine had written every page (time.time())
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    answers: dict[str, bool | None] = field(default_factory=dict)  # None: answered both ways

    def reusable(self, site_dir: Path, listing: frozenset[str] | None = None) -> dict[str, list[Finding]]:
        """The early findings, when every answer about the site was right; none otherwise (the early
        checks may then have judged a link by a file that came later, or never)."""
        site = SiteFiles(site_dir, listing)
        wrong = [path for path, there in self.answers.items() if site.has(path) != there]
        if wrong:
            log.info("gongkai: %d 个链接目标在页面生成时还不确定（如 %s），重新检查全部页面。", len(wrong), wrong[0])
            return {}
        return self.findings


class EarlyChecks:
    """`check_file` over each page as soon as the engine has written it, in worker processes of lower
    priority than the engine's (which renders on one core): by the end of rendering most of the site
    is checked. A page is handed over by its path when the engine reports the next one (it writes a
    page right after reporting it), and the workers read the file as written. A page that changes
    afterwards, or whose links were judged by a file not yet written, is checked again after the
    build (`EarlyResult`, `check_output`). Where processes cannot fork, or on one core, it does
    nothing and every file is checked after the build."""

    BATCH = 32  # pages handed over at once
    PENDING = 16  # batches waiting at most; a page beyond that is left to the check after the build

    def __init__(self, site_dir: Path, check_file, planned: Iterable[str]) -> None:
        self.site_dir, self.check_file, self.planned = Path(site_dir), check_file, frozenset(planned)
        self.workers = worker_count()
        self.enabled = self.workers > 1
        self._pool = None
        self._written: list[str] = []  # pages on disk, not handed over yet
        self._last: str | None = None  # the page being written
        self._pending: list = []

    def page(self, rel: str) -> None:
        """The engine is about to write a page to `rel` (its path in the site): the one before is written."""
        if not self.enabled:
            return
        if self._last is not None:
            self._written.append(self._last)
        self._last = rel
        if len(self._written) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        batch, self._written = self._written, []
        if not batch or sum(not job.ready() for job in self._pending) >= self.PENDING:
            return  # the workers are behind: these pages are checked after the build
        if self._pool is None:
            global _EARLY
            _EARLY = (self.site_dir, self.check_file, self.planned)
            try:  # forked now, when the whole portal is made: the workers inherit it
                self._pool = multiprocessing.get_context("fork").Pool(self.workers, initializer=_start_worker)
            finally:
                _EARLY = None
        self._pending.append(self._pool.apply_async(_check_early, (batch,)))

    def result(self) -> EarlyResult | None:
        """Every early finding, once the workers are done (call it when every page is written); None
        when nothing was checked early."""
        rendered = time.time()
        if not self.enabled:
            return None
        if self._last is not None:
            self._written.append(self._last)
            self._last = None
        self._send()
        if self._pool is None:
            return None
        found = EarlyResult(rendered)
        try:
            for job in self._pending:
                findings, answers = job.get()
                found.findings.update(findings)
                for path, there in answers.items():  # two workers may have asked before and after it was written
                    found.answers[path] = there if found.answers.get(path, there) == there else None
        finally:
            self.close()
        return found

    def close(self) -> None:
        """Stop the workers (also after a failed build)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool, self._pending = None, []


_EARLY: tuple | None = None  # (site_dir, check_file, planned) of the EarlyChecks being started, for its workers
_WORKER: tuple | None = None  # (check_file, PlannedSiteFiles) in a worker: its answers are kept from page to page


def _start_worker() -> None:
    global _WORKER
    site_dir, check_file, planned = _EARLY
    _WORKER = (check_file, PlannedSiteFiles(site_dir, planned))
    try:
        os.nice(10)  # the engine's rendering is what the build waits for
    except OSError:
        pass


def _check_early(batch: list[str]) -> tuple[dict[str, list[Finding]], dict[str, bool]]:
    """The findings of a batch of pages, and the answers about the site given since the last batch."""
    check_file, site = _WORKER
    told = len(site.answers)
    findings = {rel: list(check_file(OutputFile(rel, site.root), site)) for rel in batch
                if os.path.isfile(site.root / rel)}  # MkDocs skips a page whose output is empty
    return findings, dict(list(site.answers.items())[told:])
