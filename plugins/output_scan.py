"""Post-build scan, the last line of defence: after the build and before the swap, every published
file is read back as a browser would read it (``check_file``; gongkai/site/document.py). A script the
theme did not write, an event-handler attribute, a script URL in any attribute that takes a URL
(animation values too), an embedded frame, an SVG that loads from elsewhere, or a personal-data
number in a text, an attribute, a comment or a file name fails the build.
"""
from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from gongkai.api import error, find, hookimpl, number_key, parse_html

THEME_ASSET_DIRS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/", "assets/fonts/")
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite",
                       "srcset", "ping", "codebase", "dynsrc", "lowsrc", "longdesc", "manifest", "icon", "usemap",
                       "archive", "classid", "profile"})
#: SVG animation attributes: they can set an href to a script URL (`<animate attributeName="href" values=…>`)
ANIMATION_ATTRS = frozenset({"values", "from", "to", "by"})
FRAMES = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "fencedframe"})
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|avif)[;,]")
CONTENT_CLASS = "md-content__inner"
#: feed elements whose text a reader shows as HTML
EMBEDDED_HTML_TYPES = ("html", "xhtml", "text/html")


def _theme_scripts() -> list[re.Pattern]:
    """The inline scripts Material writes, as exact patterns ({{ ... }} may be any URL-ish text)."""
    import material

    patterns = []
    folder = Path(material.__file__).parent / "templates" / "partials" / "javascripts"
    for template in sorted(folder.glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            parts = re.split(r"\{\{.*?\}\}", body.strip())
            patterns.append(re.compile(r"[^\"'<>\\]*".join(re.escape(p) for p in parts), re.S))
    return patterns


THEME_SCRIPTS = _theme_scripts()


@hookimpl
def check_file(file, portal):
    public = portal.public_numbers
    found = [error("output-personal-data", f"网站的文件名 {file.path} 中有{hit.kind}（{hit.masked}）。个人信息不能公开："
                   "请给 content/ 中的这个文件改名。", file=file.path, value=hit.masked)
             for hit in find(file.path, strict_edges=True) if number_key(hit) not in public]
    if file.kind == "json":
        return found + scan_json(file.text, file.path, public)
    if file.kind not in ("html", "xml") or file.path.startswith(THEME_ASSET_DIRS):
        return found
    try:
        document = file.document
    except ValueError as exc:
        return found + [error("output-bad-xml", f"不是有效的 XML（{exc}）。浏览器会拒绝显示它：请改正或删掉这个文件。", file=file.path)]
    prefix = urlsplit(portal.site_url or "").path or "/"
    numbers = _has_numbers(file.text, public)
    svg = file.kind == "xml" and bool(document.elements) and document.elements[0].tag == "svg"
    return found + Scanner(file.path, public, prefix, numbers).scan(document, xml=file.kind == "xml", svg=svg)


def _has_numbers(text: str, public: set[str]) -> bool:
    """Whether a file may hold personal data at all: most pages do not, and skip the per-node scan."""
    return any(number_key(hit) not in public for hit in find(html.unescape(text), strict_edges=True))


def personal_data(text: str, rel: str, line: int | None, public: set[str]) -> list:
    return [
        error("output-personal-data", f"{f'第 {line} 行：' if line else ''}生成的网站中出现了{hit.kind}（{hit.masked}）。"
              "个人信息不能公开：请从数据或 content/ 的页面中删掉它；也可以在 site_config.yml 中设置 masking: true 打码发布。",
              file=rel, row=line, value=hit.masked)
        for hit in find(text, strict_edges=True) if number_key(hit) not in public
    ]


def scan_json(text: str, rel: str, public: set[str]) -> list:
    """JSON (search index, open data) is checked for personal data only."""
    try:
        data = json.loads(text)
    except ValueError:
        return [error("output-bad-json", "不是有效的 JSON，可能被截断。请重新生成网站；如仍出错请报告插件问题。", file=rel)]
    if "\\u" not in text and not _has_numbers(text, public):  # no escape hides a character: the text is the data
        return []
    strings = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            strings.append(item)
    if not personal_data("\n".join(strings), rel, None, public):  # one scan for the common case: nothing
        return []
    return [finding for text in strings for finding in personal_data(text, rel, None, public)]


class Scanner:
    """The checks of one parsed HTML or XML document."""

    def __init__(self, rel: str, public: set[str], prefix: str = "/", numbers: bool = True):
        self.rel, self.public, self.prefix, self.numbers = rel, public, prefix, numbers
        self.findings: list = []

    def problem(self, code: str, message: str, value=None, line: int | None = None) -> None:
        self.findings.append(error(code, f"第 {line} 行：{message}" if line else message, file=self.rel, row=line, value=value))

    def scan(self, document, xml: bool = False, content: bool = False, svg: bool = False) -> list:
        """`content`: everything is page content (no script at all), as the HTML inside a feed entry;
        `svg`: an SVG file, which may not load anything from another site."""
        for element in document.elements:
            for code, message, value in _attribute_problems(element.tag, tuple(element.attrs.items()), svg):
                self.problem(code, message, value, document.line_of(value.split("=")[0] if code == "output-event-handler" else value))
            if element.tag in FRAMES:
                self.problem("output-frame", f"页面中有 <{element.tag}> 元素，它会嵌入其他网页或插件。数据和页面中不能嵌入外部内容，请删掉它。",
                             element.tag, document.line_of(f"<{element.tag}"))
            if xml and element.attrs.get("type", "").lower() in EMBEDDED_HTML_TYPES:
                inner = "".join(element.node.itertext()) if element.node is not None else ""
                self.scan(parse_html(inner), content=True)
        for owner, body in document.raw_texts:
            if owner.tag == "script":
                self._judge_script(owner, body.strip(), document, xml or content)
        if self.numbers:
            for text in document.texts + document.comments:
                self.findings.extend(personal_data(text, self.rel, document.line_of(text.strip()[:40]), self.public))
            for element in document.elements:
                for name, value in element.attrs.items():
                    if value and any(ch.isdigit() for ch in value):
                        self.findings.extend(personal_data(value, self.rel, document.line_of(value[:40]), self.public))
        for element in document.elements:  # a <script> with no body is judged too
            if element.tag == "script" and not any(owner is element for owner, _ in document.raw_texts):
                self._judge_script(element, "", document, xml or content)
        return self.findings

    def _judge_script(self, script, body: str, document, anywhere_refused: bool) -> None:
        src = script.attrs.get("src")
        in_content = anywhere_refused or script.inside("svg", "math") or any(
            a.tag == "article" and CONTENT_CLASS in a.attrs.get("class", "").split() for a in script.ancestors())
        if in_content:
            ok = False
        elif src is not None:
            ok = _own_asset(self.rel, src, self.prefix)
        elif script.attrs.get("type") == "application/json" and script.attrs.get("id") == "__config":
            ok = _is_json(body)
        else:
            ok = any(p.fullmatch(body) for p in THEME_SCRIPTS)
        if not ok:
            where = "页面正文" if in_content else "页面"
            shown = (src or body)[:60]
            self.problem("output-script", f"{where}中有一段不是主题生成的脚本（{shown!r}）。"
                         "数据和页面中不能带脚本：请删掉它；如这是插件生成的，请报告插件问题。", (src or body)[:80],
                         document.line_of(src or body[:40] or "<script"))


@functools.lru_cache(maxsize=1 << 16)  # the theme's tags repeat on every page
def _attribute_problems(tag: str, attrs: tuple, svg: bool) -> tuple[tuple[str, str, str], ...]:
    """(code, message, value) for each attribute that runs a script, redirects the reader or (in an SVG
    file) loads from another site."""
    problems = []
    for name, value in attrs:
        value = value or ""
        if name.startswith("on"):
            problems.append(("output-event-handler", f"<{tag}> 带有事件属性 {name}，它会执行脚本。页面和数据中的标记必须按文字显示，请删掉它。",
                             f"{name}={value[:60]}"))
        elif name in URL_ATTRS and any(_script_url(tag, name, url) for url in _urls(name, value)):
            problems.append(("output-script-url", f"<{tag} {name}> 的地址是可执行的脚本地址（{value[:40]}）。请删掉这个地址。", value[:80]))
        elif name in ANIMATION_ATTRS and any(_script_url(tag, name, part) for part in value.split(";")):
            problems.append(("output-script-url", f"<{tag} {name}> 会把链接改成脚本地址（{value[:40]}）。请删掉这个动画。", value[:80]))
        elif svg and name in ("href", "xlink:href", "src") and _external(value):
            problems.append(("output-external-reference", f"<{tag} {name}> 从其他网站加载 {value[:60]}。SVG 文件不能引用外部资源：请删掉这个引用。",
                             value[:80]))
        if tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
            problems.append(("output-refresh", "页面中有 <meta http-equiv=refresh>，它会把读者带到别的地址。请删掉它。", value))
    return tuple(problems)


def _urls(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [c.split()[0] for c in value.split(",") if c.strip()]
    if name in ("ping", "archive"):
        return value.split()
    return [value]


def _script_url(tag: str, name: str, value: str) -> bool:
    url = re.sub(r"[\x00-\x20]", "", value).lower()
    if url.startswith(SCRIPT_SCHEMES) or url.startswith("data:text/html"):
        return True
    if url.startswith("data:"):
        return not (name in ("src", "srcset") and tag in ("img", "source") and IMAGE_DATA.match(url))
    return False


def _external(value: str) -> bool:
    parts = urlsplit(value.strip())
    return bool(parts.netloc) or parts.scheme.lower() in ("http", "https", "ftp")


def _own_asset(rel: str, src: str, prefix: str) -> bool:
    """A script file of this site, under assets/ (the theme's and gongkai's own)."""
    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc:
        return False
    if parts.path.startswith("/"):
        path = parts.path[len(prefix):] if parts.path.startswith(prefix) else "../"
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), parts.path))
    return path.startswith("assets/")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
