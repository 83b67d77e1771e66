"""The checks of the finished site, before it is published.

Every HTML, XML and JSON file is read and tokenized once and handed to each ``check_file``
implementation (``output_scan``, ``link_check`` …), spread over the machine's cores; then
``check_site`` runs for the checks of the site as a whole.
"""
from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterable

from gongkai.findings import Finding
from gongkai.site.html_tokens import Tokens
from gongkai.parallel import map_chunks

CHECKED_SUFFIXES = (".html", ".xml", ".json")


class OutputFile:
    """One file of the built site: its site-relative ``path``, its ``text`` and, parsed once on
    first use and shared by every check, its HTML/XML ``tokens``."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.text)


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
    """`check_file` over every checked file of the site (only those modified at or after `since`, when
    given: a preview rebuild), in worker processes when there are many."""
    site_dir = Path(site_dir)
    paths = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*")
                   if p.suffix in CHECKED_SUFFIXES and p.is_file() and (since is None or p.stat().st_mtime >= since))
    return map_chunks(partial(_check_files, site_dir, check_file), paths)


def _check_files(site_dir: Path, check_file, paths) -> list[Finding]:
    site = SiteFiles(site_dir)
    findings: list[Finding] = []
    for rel in paths:
        text = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        findings.extend(check_file(OutputFile(rel, text), site))
    return findings
