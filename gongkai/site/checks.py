"""The checks of the finished site, before it is published.

Every file the build publishes is handed to each ``check_file`` implementation (``output_scan``,
``link_check`` …), spread over the machine's cores; a file is judged by what a browser would make of
it: HTML and XML (SVG, feeds) are parsed once, as a browser parses them (gongkai/site/document.py),
and the parsed document is shared by every check. Then ``check_site`` runs for the site as a whole.
"""
from __future__ import annotations

import os
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterable

from gongkai.findings import Finding
from gongkai.parallel import MIN_ITEMS, map_chunks
from gongkai.site.document import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    XML_SUFFIXES,
    Document,
    parse_html,
    parse_xml,
)

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
    """What a check may ask of the rest of the finished site."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._known: dict[str, bool] = {}

    def has(self, path: str) -> bool:
        """Whether the site has the file `path`, or a page there (``path/index.html``) when `path`
        ends in "/" or is a folder."""
        if path not in self._known:
            target = self.root / path
            try:
                if path.endswith("/") or target.is_dir():
                    target = target / "index.html"
                self._known[path] = target.is_file()
            except (OSError, ValueError):
                self._known[path] = False
        return self._known[path]


def check_output(site_dir: Path, check_file: Callable[[OutputFile, SiteFiles], Iterable[Finding]],
                 since: float | None = None) -> list[Finding]:
    """`check_file` over every file of the site (only those modified at or after `since`, when given:
    a preview rebuild), in worker processes when there are many."""
    site_dir = Path(site_dir)
    sizes = {rel: stat.st_size for rel, stat in _walk(site_dir, "") if since is None or stat.st_mtime >= since}
    paths = sorted(sizes, key=lambda path: (-sizes[path], path))  # the largest first: the workers share the work evenly
    # a preview rebuild checks few files, but a district's index pages are megabytes each: share those too
    min_items = 2 if sum(sizes.values()) >= PARALLEL_BYTES else MIN_ITEMS
    return map_chunks(partial(_check_files, site_dir, check_file), paths, min_items)


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


def _check_files(site_dir: Path, check_file, paths) -> list[Finding]:
    site = SiteFiles(site_dir)
    findings: list[Finding] = []
    for rel in paths:
        findings.extend(check_file(OutputFile(rel, site_dir), site))
    return findings
