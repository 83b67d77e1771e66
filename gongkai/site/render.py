"""Page bodies come from Jinja2 templates with autoescaping: a data value never reaches the
Markdown parser or the HTML unescaped. Filters format dates, money and scores the Chinese way."""
from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from gongkai.data import derived
from gongkai.data.text import BIDI_CONTROLS

#: characters that would become markup again after the theme's `striptags` (titles, share metadata)
_TITLE_SAFE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "`": "｀", "{": "｛", "}": "｝"})


_TITLE_SAFE.update({ord(c): f"⟨U+{ord(c):04X}⟩" for c in BIDI_CONTROLS})


def safe_title(text: str) -> str:
    """A page title that stays plain text in every place the theme puts it (`<title>`, nav, TOC,
    search, share metadata), even after Material's `striptags` unescapes entities; a character that
    would turn the text around is shown as its code (⟨U+202E⟩)."""
    return " ".join(str(text).split()).translate(_TITLE_SAFE)


def date_zh(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def money(value) -> str:
    """4519500 → 451.95万元; amounts under 10,000 stay in 元."""
    if value is None or value == "":
        return "—"
    if value >= 10000:
        return f"{value / 10000:.2f}万元"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "元"


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def star_text(count: int) -> str:
    """A star count (PeriodScore.stars) as ★★★."""
    return "★" * count if count else "—"


def score_stars(value) -> str:
    """The stars a score earns under the standard (★★★★★ ≥ 95 … ★ ≥ 60)."""
    return "—" if value is None else star_text(derived.stars(value))


def period_zh(value) -> str:
    """2026-H1 → 2026年上半年, 2026-Q3 → 2026年第三季度, 2026-03 → 2026年3月, 2026 → 2026年."""
    m = derived.PERIOD_RE.match(str(value or ""))
    if not m:
        return str(value or "—")
    year, kind, n, month = m.groups()
    if kind == "H" and n in ("1", "2"):
        return f"{year}年{'上' if n == '1' else '下'}半年"
    if kind == "Q" and n in ("1", "2", "3", "4"):
        return f"{year}年第{'一二三四'[int(n) - 1]}季度"
    if kind is None:
        return f"{year}年{int(month)}月" if month else f"{year}年"
    return str(value)


def nl2br(value) -> Markup:
    """Plain text with its line breaks kept: escaped first, then each newline becomes <br>."""
    if value is None:
        return Markup("")
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>\n").join(escape(line) for line in lines)


DESCRIPTION_CHARS = 100  # a page's description (share previews, search engines)


def excerpt(text: str | None, size: int = DESCRIPTION_CHARS) -> str | None:
    """The first `size` characters of a text, on one line, for share previews."""
    if not text:
        return None
    flat = " ".join(str(text).split())
    return flat if len(flat) <= size else flat[:size] + "…"


def relative_url(here: str, target: str) -> str:
    """The link from page path `here` to `target` (both like "projects/p1/"; "" is the home page).

    Relative, so the site works from any sub-path (e.g. GitHub Pages project sites)."""
    head, _, anchor = target.partition("#")
    rel = _relpath(head, here)
    if head.endswith("/") or head == "":
        rel = "./" if rel == "." else rel + "/"
    return quote(rel, safe="/.-_~") + (f"#{quote(anchor)}" if anchor else "")


def _relpath(target: str, start: str) -> str:
    """posixpath.relpath("/" + target, "/" + start) for site paths, without its normalisation of paths
    that are normal already (a district's pages ask for hundreds of thousands of links)."""
    to = [part for part in target.split("/") if part]
    here = [part for part in start.split("/") if part]
    if ".." in to or ".." in here or "." in to or "." in here:
        return posixpath.relpath("/" + target, "/" + (start or "."))
    common = 0
    for a, b in zip(to, here):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + to[common:]
    return "/".join(parts) or "."


def relative_file_url(here: str, target: str) -> str:
    """The link from page path `here` to a site file such as a photo: every character of the file
    name is kept (a `#` or `?` in it is quoted, never read as an anchor or a query)."""
    return quote(posixpath.relpath("/" + target, "/" + (here or ".")), safe="/.-_~")


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory (`COMPILED`, the page bodies' templates, for the life of the
    process; a preview's theme templates until its next full rebuild), so that each build of
    `gongkai serve` (and each portal a test builds) does not parse and compile the same templates again. Jinja keys each
    entry by the template's name and checks its source's checksum, so an edited template is compiled
    afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


class Renderer:
    """Compiles templates once; renders a page body for a given page path."""

    def __init__(self, template_dirs: list[Path], globals_: dict):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            bytecode_cache=COMPILED,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(date_zh=date_zh, money=money, percent=percent, score=score, stars=star_text, score_stars=score_stars, nl2br=nl2br,
                                period_zh=period_zh)
        self.env.globals.update(globals_)

    def __call__(self, template: str, path: str, **context) -> str:
        return self.env.get_template(template).render(**Links(path, self.env.globals.get("has")).helpers(), here=path,
                                                      **context)


class Links:
    """The link helpers of one page body: URLs relative to the page, and links only to pages that exist
    (`has`), the record's name standing alone otherwise. Plain Python, not Jinja macros: a district's
    pages call them hundreds of thousands of times."""

    def __init__(self, here: str, has=None):
        self.here, self.has = here, has or (lambda target: True)

    def helpers(self) -> dict:
        return {"url": self.url, "file_url": self.file_url, "link": self.link, "page_link": self.page_link,
                "unit_link": self.unit_link, "project_link": self.project_link, "decision_link": self.decision_link}

    def url(self, target: str) -> str:
        return relative_url(self.here, target)

    def file_url(self, target: str) -> str:
        return relative_file_url(self.here, target)

    def link(self, kind: str, record) -> str:
        return self.url(f"{kind}/{record['id']}/")

    def page_link(self, target: str, text) -> Markup:
        if self.has(target):  # what Markup('<a href="{}">{}</a>').format(...) makes, at a third of its cost
            return Markup(f'<a href="{escape(self.url(target))}">{escape(text)}</a>')
        return escape(text)

    def unit_link(self, unit) -> Markup:
        return self.page_link(f"units/{unit['id']}/", unit["name"]) if unit else Markup("—")

    def project_link(self, project) -> Markup:
        return self.page_link(f"projects/{project['id']}/", project["title"]) if project else Markup("—")

    def decision_link(self, decision) -> Markup:
        return self.page_link(f"decisions/{decision['id']}/", decision["title"]) if decision else Markup("—")
