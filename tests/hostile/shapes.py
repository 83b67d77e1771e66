"""The shape of a built site: which elements, attribute names, link targets and script bodies each
page has, and its visible text. Two builds that differ only in data values must have the same shape:
a value that changed the shape became markup."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}


class _Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: Counter = Counter()
        self.text: list[str] = []
        self._raw: str | None = None  # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        names = tuple(sorted(name for name, _ in attrs))
        urls = tuple(sorted((name, value or "") for name, value in attrs if name in URL_ATTRS or name.startswith("on")))
        self.shape[(tag, names, urls)] += 1
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw:
            self.shape[("#" + self._raw, data.strip())] += 1
        else:
            self.text.append(data)

    def handle_comment(self, data):
        self.shape[("#comment", data)] += 1


def html_shape(html: str) -> tuple[Counter, str]:
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return parser.shape, "".join(parser.text)


def norm(text: str) -> str:
    """Whitespace collapsed (and zero-width spaces dropped) for comparing text as written."""
    return " ".join(text.replace("\u200b", "").split())


def site_shapes(site: Path) -> dict[str, Counter]:
    """Every page's shape, the search index's markup and the feed's markup, by file."""
    shapes = {p.relative_to(site).as_posix(): html_shape(p.read_text(encoding="utf-8"))[0] for p in site.rglob("*.html")}
    index = site / "search" / "search_index.json"
    if index.exists():
        docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
        shapes["search/search_index.json"] = sum((html_shape(d["title"] + " " + d["text"])[0] for d in docs), Counter())
    feed = site / "feed.xml"
    if feed.exists():
        shapes["feed.xml"] = feed_shape(feed.read_text(encoding="utf-8"))
    return shapes


def feed_shape(text: str) -> Counter:
    """Element names of the (well-formed) feed, plus the markup inside its HTML-typed elements."""
    root = ET.fromstring(text)
    shape: Counter = Counter()
    for element in root.iter():
        shape[(element.tag, tuple(sorted(element.attrib)))] += 1
        if element.get("type") == "html" and element.text:
            shape += html_shape(element.text)[0]
    return shape


def site_texts(site: Path) -> dict[str, str]:
    """The visible text of every page, whitespace-normalised."""
    return {p.relative_to(site).as_posix(): norm(html_shape(p.read_text(encoding="utf-8"))[1]) for p in site.rglob("*.html")}


def shape_differences(neutral: dict[str, Counter], hostile: dict[str, Counter]) -> dict[str, tuple]:
    """Files whose shape differs: (elements only in the hostile build, elements only in the neutral one)."""
    out = {}
    for name in sorted(set(neutral) | set(hostile)):
        a, b = neutral.get(name, Counter()), hostile.get(name, Counter())
        if a != b:
            out[name] = (sorted((b - a).elements())[:5], sorted((a - b).elements())[:5])
    return out


def neutral(value: str, fill: str = "中") -> str:
    """A harmless value with the same lines and lengths (so that <br> and lengths do not differ)."""
    lines = value.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(fill * max(1, len(line)) for line in lines)
