"""Every hook a gongkai plugin can implement, in pipeline order: load → validate → model → pages → build.

Implementations are module-level functions decorated with ``@gongkai.hookimpl`` and take only the
arguments they use. ``register_*`` hooks hand the plugin a callback that the core owns, so the core
can check, de-duplicate and trace what each plugin added.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from gongkai.data.model import Portal
    from gongkai.data.resources import Resource, Table
    from gongkai.findings import Finding
    from gongkai.site.checks import OutputFile, SiteFiles
    from gongkai.site.pages import Page

hookspec = pluggy.HookspecMarker("gongkai")
hookimpl = pluggy.HookimplMarker("gongkai")

# ------------------------------------------------------------------------------------ load


@hookspec
def register_resources(register: Callable[["Resource"], None]) -> None:
    """Register resource definitions (name, Table Schema, required) with ``register(resource)``.

    A file in ``datasets/`` named after a registered resource is read as that resource.
    """


@hookspec(firstresult=True)
def read_table(path: Path, resource: "Resource", settings) -> "Table | None":
    """Return the rows of the data file at ``path``, or None when this plugin does not read its format.

    First answer wins. Raise ``gongkai.TableError`` for a file that is of your format but broken.
    """


# -------------------------------------------------------------------------------- validate


@hookspec
def register_checks(register: Callable[[Callable[..., Iterable["Finding"]]], None]) -> None:
    """Register domain checks with ``register(check)``.

    A check is ``check(data, context) -> Iterable[Finding]``: ``data`` maps resource names to their
    typed records (each a ``Record`` with ``.line`` and the cells by field name), ``context`` gives
    ``settings``, ``root``, ``today``, ``resources``, ``files``, ``docs_dir`` and ``error(code, message,
    resource, record, field)`` (a finding with file, row and column). Checks run after the schema
    checks on every row; a cell that failed them is listed in ``record.invalid``, so use a field only
    when ``gongkai.api.given(record, field)`` is true. Yield every finding you see. A check reads the
    records and never changes them (`gongkai serve` hands the same records to the next validation).

    ``register(check, reads=...)`` lets `gongkai serve` keep a check's findings while its inputs did
    not change: ``reads=("projects", "milestones")`` when the findings depend only on those tables
    (and the settings and reference date), or ``reads="each"`` when the findings about a table depend
    on that table alone (the check is then called once per table, ``data`` holding just that one).
    A check that reads anything else (content/, the revision history) gives no ``reads``: it runs on
    every build.
    """


# ----------------------------------------------------------------------------------- model


@hookspec
def extend_portal(portal: "Portal") -> None:
    """Add derived facts to the Portal model once it is built and cross-referenced.

    Runs once per build, before any page is generated; store what you add on ``portal.extra``.
    """


# ----------------------------------------------------------------------------------- pages


@hookspec
def register_pages(register: Callable[..., None], portal: "Portal") -> None:
    """Add pages with ``register(path, title, html=None, nav=None, order=0, boost=None, description=None,
    *, template=None, context=None, requires=(), kind=None, community=None, reads=None)``.

    ``path`` is the page's URL path (``"decisions/"``, ``"projects/p1/"``; ``""`` is the home page).
    Give the body as ``html`` (finished, escaped) or as a ``template`` with its ``context``, rendered once
    every page is registered. Give ``nav`` (the nav title) only for index pages. ``reads`` names what
    the body depends on (records, resource names and files, e.g. a photo in content/;
    ``gongkai.api.related(record)`` for an entity page): ``gongkai serve`` then renders it again only
    when one of them changed. When every page a plugin registers declares ``reads``, its registration
    must depend only on the data and those files: after an edit that changes no table (a page of
    content/), ``gongkai serve`` replays it instead of calling the plugin again.
    """


@hookspec
def pages_ready(pages: "list[Page]", portal: "Portal") -> None:
    """Start work on the generated pages, every one registered and rendered (``page.path``,
    ``page.title``, ``page.html`` …), that may run beside the site engine while it writes the site (in
    a forked process: ``gongkai.parallel.Background``); collect it in ``rewrite_output``."""


@hookspec
def register_assets(register: Callable[[str, bytes], None], portal: "Portal") -> None:
    """Add CSS and JavaScript served with every page with ``register(path, content)``.

    ``path`` ends in ``.css`` or ``.js`` and is relative to the site root (``"assets/gongkai/x.css"``).
    """


@hookspec
def register_head_links(register: Callable[..., None], portal: "Portal") -> None:
    """Announce a file in the ``<head>`` of every page with ``register(path, type, title, rel="alternate")``
    (a feed: ``register("feed.xml", "application/atom+xml", "金丰街道 · 更新")``); ``path`` is
    site-relative, and the theme writes it as a link relative to each page."""


# ----------------------------------------------------------------------------------- build


@hookspec
def register_files(register: Callable[[str, bytes], None], portal: "Portal") -> None:
    """Add non-page files (downloads, feeds) with ``register(path, content)``; paths are site-relative."""


@hookspec
def rewrite_output(site_dir: Path, portal: "Portal") -> None:
    """Rewrite files that MkDocs or its plugins wrote into the built site (e.g. Material's search index).

    Runs after the whole site and every ``register_files`` file are written and before ``check_site``,
    so the checks see the final bytes. Write deterministic output: same input, same bytes.
    """


@hookspec
def check_file(file: "OutputFile", site: "SiteFiles", portal: "Portal") -> "Iterable[Finding] | None":
    """Inspect one file of the finished site before it is published; return findings (errors stop
    publishing).

    ``file.path`` is site-relative and ``file.kind`` says what a browser takes it for ("html", "xml",
    "json" or "other"); for the first three ``file.text`` is its text, and for HTML and XML
    ``file.document`` is what a browser would make of it (elements with their attributes, texts,
    comments: gongkai/site/document.py), parsed once and shared by every check. ``site.has(path)`` says
    whether the finished site has a file. Runs in worker processes: judge this file alone and keep
    no state between calls.
    """


@hookspec
def check_site(site_dir: Path, portal: "Portal") -> "Iterable[Finding] | None":
    """Inspect the finished site as a whole before it is published, after every ``check_file``;
    return findings (errors stop publishing)."""
