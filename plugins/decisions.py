"""决策公开 `/decisions/` and `/decisions/<id>/`: every decision with its vote, 公示期, correction
notice, minutes (rendered from content/) and task list; the index filters in the page by
community and body through the shared list filter script `assets/gongkai/filter.js` (theme_assets)."""
from __future__ import annotations

import posixpath
from itertools import groupby
from urllib.parse import urlsplit

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from mkdocs.utils.meta import get_data

from gongkai.api import (
    excerpt,
    hookimpl,
    inside,
    markdown_converter,
    md_page,
    publishable,
    read_page,
    related,
    relative_url,
)

#: the minutes' own headings start at <h3>, under the page's "会议纪要" <h2>
MINUTES_TOC = {"baselevel": 3}


@hookimpl
def register_pages(register, portal):
    newest_first = sorted(portal.decisions, key=lambda d: (d["date"], d["id"]), reverse=True)
    register("decisions/", "决策公开", template="decisions_index.html",
             context=dict(months=by_month(newest_first), total=len(newest_first),
                          communities=communities_of(portal.units, newest_first), bodies=bodies_of(portal, newest_first)),
             nav="决策公开", order=10, reads=("decisions", "units"),
             description="联席会议和居民议事会的决议、表决结果、公示期和任务清单。")
    minutes = MinutesRenderer(portal)
    for d in newest_first:
        path = f"decisions/{d['id']}/"
        source = d.get("minutes")
        register(path, d["title"], template="decision.html",
                 context=dict(d=d, minutes_url=minutes.page_of(source), minutes_html=minutes.render(source, path)),
                 boost=1.5, description=excerpt(d["resolution"]), kind="决策", community=d.community,
                 reads=related(d) + ((portal.docs_dir / source,) if source else ()))  # the minutes file


def by_month(decisions: list) -> list[tuple]:
    """[(first day of the month, [decisions])], in the order given (newest first)."""
    return [(month, list(group)) for month, group in groupby(decisions, key=lambda d: d["date"].replace(day=1))]


def communities_of(units: list, decisions: list) -> list:
    """The units decisions belong to, in the order of the units file (the 街道 first, as staff list them)."""
    used = {id(d.community) for d in decisions}
    return [u for u in units if id(u) in used]


def bodies_of(portal, decisions: list) -> list[str]:
    """The bodies that decided something, in the order of the standard's list."""
    spec = portal.resources["decisions"].field_by_name.get("body", {})
    order = list(spec.get("constraints", {}).get("enum") or [])
    used = {d["body"] for d in decisions}
    return [b for b in order if b in used] + sorted(used - set(order))


# ------------------------------------------------------------------------------ minutes


class MinutesRenderer:
    """Renders a minutes file of content/ to HTML with the portal's Markdown extensions, sanitised and
    masked like every hand-written page (gongkai/site/content.py)."""

    def __init__(self, portal):
        self.docs, self.portal = portal.docs_dir, portal
        self.relink = _Relink()
        self.md = markdown_converter(portal.markdown_extensions, [_RelinkExtension(self.relink)], {"toc": MINUTES_TOC})

    def page_of(self, source: str | None) -> str | None:
        """The URL path MkDocs gives content/<source> (minutes/x.md → minutes/x/)."""
        path = self.docs / (source or "")
        if not source or not source.endswith(".md") or not inside(path, self.docs) or not path.is_file():
            return None
        return md_page(posixpath.normpath(source))

    def render(self, source: str | None, page: str) -> Markup | None:
        if self.page_of(source) is None:
            return None
        text, _meta = get_data(read_page(self.docs / source))
        self.relink.source, self.relink.page = posixpath.normpath(source), page
        try:
            html = self.md.reset().convert(text)
        except Exception:  # noqa: BLE001 - an extension configured for MkDocs only: fall back to plain Markdown
            html = markdown_converter([], [_RelinkExtension(self.relink)], {"toc": MINUTES_TOC}).convert(text)
        return Markup(publishable(html, self.portal.settings.masking, self.portal.public_numbers))


class _Relink(Treeprocessor):
    """Rewrites the minutes' relative links and images (written from content/<source>) so they
    work from the decision page: `../images/a.png` → `../../images/a.png`, `x.md` → its page."""

    source = ""
    page = ""

    def run(self, root):
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value and _is_relative(value):
                    element.set(attr, self.rewrite(value))

    def rewrite(self, value: str) -> str:
        head, sep, anchor = value.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.source), head))
        if target.startswith(".."):
            return value
        if target.endswith(".md"):
            target = md_page(target)
        return relative_url(self.page, target) + (sep + anchor)


class _RelinkExtension(Extension):
    def __init__(self, processor: _Relink):
        super().__init__()
        self.processor = processor

    def extendMarkdown(self, md):  # noqa: N802 - the Markdown API's name
        self.processor.md = md
        md.treeprocessors.register(self.processor, "gk_relink", 0)


def _is_relative(value: str) -> bool:
    parts = urlsplit(value)
    return not (parts.scheme or parts.netloc or value.startswith(("/", "#")) or not parts.path)
