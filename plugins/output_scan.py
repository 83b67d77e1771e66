"""Post-build scan, the last line of defence: after the build and before the swap, every generated
.html, .xml and .json file is read back (``check_file``). A script the theme did not write, an event-handler
attribute, a script URL, an embedded frame or a personal-data number fails the build.
"""
from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from gongkai import error, hookimpl
from gongkai.data.privacy import find, number_key, visible
from gongkai.site.html_tokens import TagParser

THEME_ASSET_DIRS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/", "assets/fonts/")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite", "srcset", "ping"}
TEXT_ATTRS = {"title", "alt", "content", "aria-label", "placeholder", "value"}
FRAMES = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|avif)[;,]")
CONTENT_CLASS = "md-content__inner"


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
    if file.path.startswith(THEME_ASSET_DIRS):
        return None
    public = portal.public_numbers
    if file.path.endswith(".json"):
        return scan_json(file.text, file.path, public)
    prefix = urlsplit(portal.site_url or "").path or "/"
    xml = file.path.endswith(".xml")
    scanner = Scanner(file.path, public, prefix, feed=xml, content=xml, numbers=_has_numbers(file.text, public))
    scanner.feed(file.tokens)
    scanner.close()
    return scanner.findings


def _has_numbers(text: str, public: set[str]) -> bool:
    """Whether a file may hold personal data at all: most pages do not, and skip the per-text scan."""
    return any(number_key(hit) not in public for hit in find(visible(html.unescape(text)), strict_edges=True))


def personal_data(text: str, rel: str, line: int | None, public: set[str]) -> list:
    return [
        error("output-personal-data", f"{f'第 {line} 行：' if line else ''}生成的网站中出现了{hit.kind}（{hit.masked}）。"
              "个人信息不能公开：请从数据或 content/ 的页面中删掉它。数据中的号码也可以在 site_config.yml 中设置 "
              "masking: true 打码发布（content/ 中手写的页面不会被打码）。",
              file=rel, row=line, value=hit.masked)
        for hit in find(visible(text), strict_edges=True) if number_key(hit) not in public
    ]


def scan_json(text: str, rel: str, public: set[str]) -> list:
    """JSON (search index, open data) is checked for personal data only."""
    try:
        data = json.loads(text)
    except ValueError:
        return [error("output-bad-json", "不是有效的 JSON，可能被截断。请重新生成网站；如仍出错请报告插件问题。", file=rel)]
    found = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found.extend(personal_data(item, rel, None, public))
    return found


class Scanner(TagParser):
    """One generated HTML or XML file. `content=True` treats everything as page content (no script
    allowed at all), as for the HTML inside a feed entry."""

    def __init__(self, rel: str, public: set[str], prefix: str = "/", feed: bool = False, content: bool = False,
                 numbers: bool = True):
        super().__init__(convert_charrefs=True)
        self.rel, self.public, self.prefix, self.is_feed, self.numbers = rel, public, prefix, feed, numbers
        self.findings: list = []
        self.articles = 0
        self.content_at: int | None = 0 if content else None
        self.script: tuple | None = None  # (attrs, line, in content) while inside <script>
        self.raw: list[str] = []
        self.embedded: list[str] | None = None  # text of a feed element holding escaped HTML

    def problem(self, code: str, message: str, value=None, line: int | None = None) -> None:
        line = line or self.getpos()[0]
        self.findings.append(error(code, f"第 {line} 行：{message}", file=self.rel, row=line, value=value))

    @property
    def in_content(self) -> bool:
        return self.content_at is not None

    def handle_starttag(self, tag, attrs):
        for code, message, value in _attribute_problems(tag, tuple(attrs)):
            self.problem(code, message, value)
        if self.numbers:
            for name, value in attrs:
                if name in TEXT_ATTRS and value:
                    self.findings.extend(personal_data(value, self.rel, self.getpos()[0], self.public))
        attrs = [(name, value or "") for name, value in attrs]
        if tag in FRAMES:
            self.problem("output-frame", f"页面中有 <{tag}> 元素，它会嵌入其他网页或插件。数据和页面中不能嵌入外部内容，请删掉它。", tag)
        if tag == "article":
            self.articles += 1
            if self.content_at is None and CONTENT_CLASS in dict(attrs).get("class", "").split():
                self.content_at = self.articles
        if tag == "script":
            self.script, self.raw = (dict(attrs), self.getpos()[0], self.in_content), []
        if self.is_feed and dict(attrs).get("type") == "html":
            self.embedded = []

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            self._judge_script("".join(self.raw).strip())
            self.script = None
        elif tag == "article":
            if self.content_at == self.articles:
                self.content_at = None
            self.articles = max(0, self.articles - 1)
        elif self.embedded is not None:
            inner = Scanner(self.rel, self.public, self.prefix, content=True)
            inner.feed("".join(self.embedded))
            inner.close()
            self.findings.extend(inner.findings)
            self.embedded = None

    def handle_data(self, data):
        if self.script is not None:
            self.raw.append(data)
        elif self.embedded is not None:
            self.embedded.append(data)
        elif self.numbers:
            self.findings.extend(personal_data(data, self.rel, self.getpos()[0], self.public))

    def close(self):
        super().close()
        if self.script is not None:  # a <script> that is never closed swallows the rest of the page
            self._judge_script("".join(self.raw).strip())
            self.script = None

    def unknown_decl(self, data):
        if data.startswith("CDATA["):
            self.handle_data(data[len("CDATA["):])


    def _judge_script(self, body: str) -> None:
        attrs, line, in_content = self.script
        src = attrs.get("src")
        if in_content:
            ok = False
        elif src is not None:
            ok = _own_asset(self.rel, src, self.prefix)
        elif attrs.get("type") == "application/json" and attrs.get("id") == "__config":
            ok = _is_json(body)
        else:
            ok = any(p.fullmatch(body) for p in THEME_SCRIPTS)
        if not ok:
            where = "页面正文" if in_content else "页面"
            self.problem("output-script", f"{where}中有一段不是主题生成的脚本（{(src or body)[:60]!r}）。"
                         "数据和页面中不能带脚本：请删掉它；如这是插件生成的，请报告插件问题。", (src or body)[:80], line)


@functools.lru_cache(maxsize=1 << 16)  # the theme's tags repeat on every page
def _attribute_problems(tag: str, attrs: tuple) -> tuple[tuple[str, str, str], ...]:
    """(code, message, value) for each attribute that runs a script or redirects the reader."""
    problems = []
    for name, value in attrs:
        value = value or ""
        if name.startswith("on"):
            problems.append(("output-event-handler", f"<{tag}> 带有事件属性 {name}，它会执行脚本。数据中的标记必须按文字显示，请报告插件问题。", name))
        elif name in URL_ATTRS and _script_url(tag, name, value):
            problems.append(("output-script-url", f"<{tag} {name}> 的地址是可执行的脚本地址（{value[:40]}）。链接只能由编号生成，请删掉这个地址。", value[:80]))
        if tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
            problems.append(("output-refresh", "页面中有 <meta http-equiv=refresh>，它会把读者带到别的地址。请删掉它。", value))
    return tuple(problems)


def _script_url(tag: str, name: str, value: str) -> bool:
    url = re.sub(r"[\x00-\x20]", "", value).lower()
    if url.startswith(SCRIPT_SCHEMES) or url.startswith("data:text/html"):
        return True
    if url.startswith("data:"):
        return not (name in ("src", "srcset") and tag in ("img", "source") and IMAGE_DATA.match(url))
    return False


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
