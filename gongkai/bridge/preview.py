"""Incremental rebuilds for `gongkai serve`.

`gongkai serve` runs MkDocs' dirty builds: MkDocs re-renders only the pages whose `File.is_modified()`
is true and leaves the other files of the preview folder as they are. gongkai validates the data
again (an unchanged table is not read again: gongkai/data/table_memo.py); when no table changed, the
model and the registrations of the page plugins are kept (gongkai/site/carry_over.py); a page body
whose inputs (`reads`) did not change is kept from the last build (gongkai/site/reads.py), the others
are rendered; a page is re-rendered by MkDocs, re-indexed for search and re-checked only when its
body, title or description changed; a hand-written page (a file of content/) is read and written
again only when its source or what its HTML is made from changed (`PreviewState.unchanged_hand_written`);
a file written again with the same bytes keeps its checks' verdicts (gongkai/site/checks.py
`CheckMemo`); the theme's templates are compiled once. When
something every page shows changed (site_config.yml, the nav, the theme assets, the reference date,
the findings banner, the title of a hand-written page: `NavChanged`), the preview folder is emptied
first, which makes the next build a full one.

The state (`PreviewState`) is the `PreviewBuilder`'s (gongkai/bridge/serve.py), handed to the MkDocs plugin
with each build: MkDocs keeps one plugin object per process, which a `gongkai build` in the same process
would share. Under plain `mkdocs serve --dirty` the plugin object keeps one itself (`on_startup`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.files import File

from gongkai.data.table_memo import TableMemo
from gongkai.site.carry_over import CarryOver
from gongkai.site.checks import CheckMemo
from gongkai.site.pages import digest
from gongkai.site.reads import RenderMemo
from gongkai.site.render import CompiledTemplates


class GeneratedFile(File):
    """A generated page whose `is_modified()` says whether it must be rendered again in a dirty build
    (MkDocs' own answer for generated content is always yes)."""

    changed = True

    def is_modified(self) -> bool:
        return self.changed or not os.path.isfile(self.abs_dest_path)  # asked twice per page: no Path


class NavChanged(Exception):
    """A hand-written page's title or front matter changed: every page shows it in its nav, so the
    build starts again as a full one (raised before any page is written)."""


@dataclass(frozen=True)
class HandWrittenPage:
    """A hand-written page as the last build made it: what the other pages show of it (its title and
    front matter, in the nav) and its published body (`Session.hand_written`, which search reads)."""

    key: str  # see PreviewState.unchanged_hand_written
    title: str | None
    meta: dict
    published: tuple[str, str] | None


class PreviewState:
    """What the previous build of this `serve` session made."""

    def __init__(self) -> None:
        self.renders = RenderMemo()  # the page bodies of the last build, by what they read
        self.tables = TableMemo()  # the tables read and typed by the last validation
        self.carry = CarryOver()  # the model and page registrations of the last build
        self.site_fingerprint: str | None = None
        self.pages: dict[str, str] = {}  # src_uri -> Page.fingerprint at the previous build
        self.full = True  # this build renders every page
        #: the theme's templates compiled by the last builds (MkDocs makes a new Jinja environment for
        #: each build); emptied with every full build, when the theme's settings may have changed
        self.theme_templates = CompiledTemplates()
        self.checks = CheckMemo()  # the verdicts of the last checks, for files written again unchanged
        self.hand_written: dict[str, HandWrittenPage] = {}  # src_uri -> the page as the last build made it
        self.hand_written_keys: dict[str, str] = {}  # src_uri -> its key in this build
        self.generated_files: dict[str, GeneratedFile] = {}  # src_uri -> the File of a generated page

    def begin(self, site_fingerprint: str) -> None:
        """A new build; a full one when what every page shows has changed."""
        self.full = site_fingerprint != self.site_fingerprint
        self.site_fingerprint = site_fingerprint
        if self.full:
            self.pages = {}
            self.theme_templates = CompiledTemplates()
            self.generated_files = {}

    def generated_file(self, config, src_uri: str) -> GeneratedFile:
        """The File of a generated page: the last build's while what every page shows is the same (its
        URL, paths and inclusion, which MkDocs works out once per File: 9,000 of them at district scale,
        stay worked out), else a new one."""
        file = self.generated_files.get(src_uri)
        if file is None or file.dest_dir != config.site_dir or file.use_directory_urls != config.use_directory_urls:
            file = self.generated_files[src_uri] = GeneratedFile.generated(config, src_uri, content="")
        file.page = None  # MkDocs makes this build's Page for a File without one
        return file

    def unchanged_hand_written(self, documents, inputs: str) -> dict[str, HandWrittenPage]:
        """The hand-written pages among `documents` that this build need not read or write again: those
        the last build made under the same key (the page's source and `inputs`, what its HTML is made
        from besides: the files of the site, which its links resolve against, the masking and the
        public numbers) whose page is still in the folder. A full build keys them and keeps none."""
        self.hand_written_keys, unchanged = {}, {}
        for file in documents:
            if isinstance(file, GeneratedFile):
                continue
            key = self.hand_written_keys[file.src_uri] = digest(inputs, file.src_uri, file.content_bytes)
            kept = None if self.full else self.hand_written.get(file.src_uri)
            if kept is not None and kept.key == key and os.path.isfile(file.abs_dest_path):
                unchanged[file.src_uri] = kept
        return unchanged

    def remember_hand_written(self, pages: dict[str, HandWrittenPage], in_nav: set[str]) -> None:
        """This build's hand-written pages, once MkDocs has read the changed ones; `NavChanged` when
        one of those `in_nav` shows a new title or front matter in the nav of every other page (a page
        out of the nav, such as a minutes file, is shown by no other page)."""
        if not self.full and any((kept := self.hand_written.get(uri)) is not None
                                 and (kept.title, kept.meta) != (page.title, page.meta)
                                 for uri, page in pages.items() if uri in in_nav):
            raise NavChanged
        self.hand_written = pages

    def changed(self, page) -> bool:
        return self.pages.get(page.src_uri) != page.fingerprint

    def finish(self, pages, site_dir: Path) -> list[str]:
        """Remember this build's pages; delete the pages of the previous build that are gone (a record
        was deleted) and return their paths."""
        current = {page.src_uri: page.fingerprint for page in pages}
        gone = [uri for uri in self.pages if uri not in current]
        self.generated_files = {uri: file for uri, file in self.generated_files.items() if uri in current}
        for uri in gone:
            (site_dir / uri.removesuffix("index.md") / "index.html").unlink(missing_ok=True)
        self.pages = current
        return gone
