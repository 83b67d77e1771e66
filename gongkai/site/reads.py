"""What a page body reads, so that `gongkai serve` renders again only the bodies whose inputs changed.

A page plugin names what a body depends on when it registers the page: `register(..., reads=...)`,
records, whole resources (by name) and files (paths, e.g. a project's photos in content/). `related(record, ...)` collects what an entity page shows: the
record, the records its relations reach, and the records those point to. A page without `reads` is
rendered on every build.

The key of a page is a digest of the records it read (every cell and every derived flag, in order, so
a record that joins or leaves a list changes it too), of the resources it read, of its plain context
values (a minutes file's HTML) and of what every page depends on (`RenderMemo.begin`). A plugin that
gives `reads` promises that its body is a function of exactly these; tests/test_serve.py holds the
built-in pages to it by comparing previews after many kinds of edits with full builds, byte for byte.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from gongkai.data.resources import Record
from gongkai.site.pages import Page, digest

_PLAIN = (str, int, float, bool, Decimal, dt.date, type(None))


def related(*roots) -> tuple:
    """What an entity page shows of the data: the `roots`, every record their relations reach (both
    ways: a project's units, milestones and evaluations; a unit's projects and needs), and the records
    those point to (the unit that leads each of a unit's projects, the community of each need). Each
    once, in a fixed order (the order of the relations and of their lists)."""
    seen: dict[int, Record] = {}
    roots = [r for r in roots if isinstance(r, Record)]
    for record in roots:
        seen.setdefault(id(record), record)
    near = []
    for record in roots:
        for value in record.__dict__.values():
            for other in (value if isinstance(value, list) else (value,)):
                if isinstance(other, Record) and id(other) not in seen:
                    seen[id(other)] = other
                    near.append(other)
    for record in near:
        for other in record.__dict__.values():
            if isinstance(other, Record) and id(other) not in seen:
                seen[id(other)] = other
    return tuple(seen.values())


class RenderMemo:
    """The bodies of the last build by page path, with their keys (kept by `gongkai serve`)."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[str, Page]] = {}  # path -> (key, the page as rendered)
        self.cells: dict[str, tuple[str, dict[int, str]]] = {}  # the last build's cell digests: see RecordDigests
        self._reads: dict[str, tuple] = {}  # path -> (its reads, the record digests, their digest): see _read_key
        self._common = ""
        self.rendered = 0  # bodies rendered by the last build (the others were kept)

    def begin(self, portal, pages: list[Page], template_dirs: list[Path], plugin_files: list[Path],
              history: str = "") -> None:
        """What every page depends on: the reference date, the settings, the site's name and address,
        which pages exist (links), the templates, the portal's plugins and `history`, the commit checked
        out (a commit changes the 修订记录 of records that did not change). A file of content/ is read by
        the pages that name it in `reads` (a project's photos), so editing a hand-written page renders
        no generated page again."""
        files = [f for folder in template_dirs if folder.is_dir() for f in sorted(folder.rglob("*")) if f.is_file()]
        self._common = digest(history, portal.today, repr(portal.settings), portal.site_url, portal.site_name,
                              [p.path for p in pages], [(str(f), f.read_bytes()) for f in files + plugin_files])
        self.rendered = 0

    def render(self, page: Page, portal) -> None:
        """The page's body: kept from the last build when its key is the same, else rendered."""
        if page.reads is None or page.html is not None:
            page.render(portal.render)
            return
        key = self._key(page, portal)
        kept = self.bodies.get(page.path)
        if kept is not None and kept[0] == key:
            page.html, page.context = kept[1].html, {}
            page.__dict__["fingerprint"] = kept[1].fingerprint  # title, description, nav, order, boost: in the key
            return
        page.render(portal.render)
        self.rendered += 1
        self.bodies[page.path] = (key, page)

    def forget_others(self, pages: list[Page]) -> None:
        paths = {page.path for page in pages}
        self.bodies = {path: kept for path, kept in self.bodies.items() if path in paths}
        self._reads = {path: kept for path, kept in self._reads.items() if path in paths}

    def _key(self, page: Page, portal) -> str:
        plain = sorted((name, value) for name, value in page.context.items() if isinstance(value, _PLAIN))
        files = [file_stamp(item) for item in page.reads if isinstance(item, Path)]
        return digest(self._common, page.path, page.template, page.title, page.description, page.nav, page.order,
                      page.boost, plain, self._read_key(page, portal), files)

    def _read_key(self, page: Page, portal) -> str:
        """The digest of the records and resources `page` reads. A registration replayed on the same
        model (gongkai/site/carry_over.py) hands in the same `reads` object: its digest is reused."""
        digests = record_digests(portal)
        kept = self._reads.get(page.path)
        if kept is not None and kept[0] is page.reads and kept[1] is digests:
            return kept[2]
        found = digest([digests.rows(item) if isinstance(item, str) else digests.record(item)
                        for item in page.reads if not isinstance(item, Path)])
        self._reads[page.path] = (page.reads, digests, found)
        return found


class RecordDigests:
    """A digest of each record and of each resource's rows, made once per build: the preview's page
    keys and the open-data downloads (plugins/open_data.py) both ask for them.

    `kept` (`gongkai serve`): the digests of the cells of each record of the last build, by resource
    and line, under the key of the table's cells (`cells`). A table that did not change has the same
    cells on the same lines, so only the derived flags of its records are digested again."""

    def __init__(self, portal, kept: dict | None = None) -> None:
        self._portal = portal
        self._kept = kept
        self._records: dict[int, str] = {}
        self._rows: dict[str, str] = {}
        self._cells: dict[int, str] | None = None  # id(record) -> the digest of its cells

    def record(self, record: Record) -> str:
        """Every cell (with its field name) and every plain derived flag (done, overdue …) of `record`."""
        found = self._records.get(id(record))
        if found is None:
            flags = [(k, v) for k, v in record.__dict__.items() if isinstance(v, _PLAIN)]
            found = self._records[id(record)] = digest(self._cells_of(record), flags)
        return found

    def _cells_of(self, record: Record) -> str:
        if self._cells is None:
            self._cells = {}
            for name, records in self._portal.records.items():
                self._digest_cells(name, records)
        found = self._cells.get(id(record))
        return found if found is not None else cells_digest(record)

    def _digest_cells(self, name: str, records: list[Record]) -> None:
        key = self.cells(name) if self._kept is not None and name in self._portal.input_keys else None
        kept = self._kept.get(name) if key else None
        by_line = kept[1] if kept is not None and kept[0] == key else {}
        made = {}
        for record in records:
            found = by_line.get(record.line)
            if found is None:
                found = cells_digest(record)
            self._cells[id(record)] = made[record.line] = found
        if key and len(made) == len(records):  # each record on a line of its own: kept for the next build
            self._kept[name] = (key, made)
        elif self._kept is not None:
            self._kept.pop(name, None)

    def cells(self, name: str) -> str:
        """The cells of resource `name` as published (typed, and masked when masking is on), without the
        derived flags: in `gongkai serve`, from the table's validation key (no record is read), else `rows`."""
        key = self._portal.input_keys.get(name)
        if key is None:
            return self.rows(name)
        masked = sorted(self._portal.public_numbers) if self._portal.settings.masking else None
        return digest(key, masked)

    def rows(self, name: str) -> str:
        """The records of resource `name`, in order."""
        found = self._rows.get(name)
        if found is None:
            found = self._rows[name] = digest([self.record(r) for r in self._portal.records.get(name, [])])
        return found


def cells_digest(record: Record) -> str:
    """The digest of a record's field names and cells."""
    return digest(list(record), list(record.values()))


DIGESTS = "gongkai.record_digests"  # portal.extra: this build's RecordDigests


def record_digests(portal, kept: dict | None = None) -> RecordDigests:
    """The record digests of this build (kept on the portal: a new build has new records). `kept`: the
    cell digests of the last build, given by `gongkai serve` when it makes the model (`RenderMemo.cells`)."""
    found = portal.extra.get(DIGESTS)
    if found is None:
        found = portal.extra[DIGESTS] = RecordDigests(portal, kept)
    return found


def file_stamp(path: Path) -> tuple:
    """A file a body reads (a photo's size): its path, size and modification time, or that it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_size, stat.st_mtime_ns)
