"""Link check, before the swap: every internal href/src of every built page resolves to a file of
the site, and nothing is loaded from another host (residents in mainland China must get no
external requests: foreign CDNs and fonts are blocked or slow there)."""
from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import unquote, urlsplit

from gongkai.api import error, hookimpl

LOADED = {"src", "srcset", "poster", "data", "background", "xlink:href"}  # attributes the browser fetches by itself
LINKED = {"href", "action", "formaction"}
URL_ATTRS = LOADED | LINKED
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
SKIPPED_SCHEMES = {"mailto", "tel", "sms", "javascript", "vbscript", "data"}  # scripts: output_scan reports them


@hookimpl
def check_file(file, site, portal):
    if file.kind != "html":
        return None
    url = urlsplit(portal.site_url or "")
    rules = _rules(site, url.netloc.lower(), url.path or "/")
    findings = []
    document = file.document
    for tag, attr, value in links(document):
        problem = rules.check(file.path, tag, attr, value)
        if problem:
            code, message = problem
            line = document.line_of(value)
            findings.append(error(code, f"第 {line} 行：{message}" if line else message, file=file.path, row=line,
                                  value=value[:200]))
    return findings


@functools.lru_cache(maxsize=8)
def _rules(site, host: str, prefix: str) -> "LinkRules":
    """One per site and process, so that its verdicts are remembered from page to page."""
    return LinkRules(site, host, prefix)


def links(document) -> list[tuple[str, str, str]]:
    """(tag, attribute, url) of every link and every fetched resource of a parsed page, CSS included."""
    found: list[tuple[str, str, str]] = []
    for element in document.elements:
        for name, url in element.attrs.items():
            if name == "style" and url:
                found.extend(_css(url))
            if not url or name not in URL_ATTRS:
                continue
            urls = [c.split()[0] for c in url.split(",") if c.strip()] if name == "srcset" else [url]
            found.extend((element.tag, name, u.strip()) for u in urls)
    for owner, text in document.raw_texts:
        if owner.tag == "style":
            found.extend(_css(text))
    return found


def _css(css: str) -> list[tuple[str, str, str]]:
    """CSS (in <style> or style="") fetches what its url(...) and @import name."""
    return [("style", "src", a or b) for a, b in CSS_URL.findall(css)]


class LinkRules:
    def __init__(self, site, host: str, prefix: str):
        self.site, self.host, self.prefix = site, host, prefix if prefix.endswith("/") else prefix + "/"
        self._verdicts: dict[tuple, tuple[str, str] | None] = {}

    def check(self, page: str, tag: str, attr: str, value: str) -> tuple[str, str] | None:
        """(code, message) when the link is broken or loads from another host; None when it is fine."""
        key = (posixpath.dirname(page), tag, attr, value)  # the theme's links repeat on every page
        if key not in self._verdicts:
            self._verdicts[key] = self._judge(page, tag, attr, value)
        return self._verdicts[key]

    def _judge(self, page: str, tag: str, attr: str, value: str) -> tuple[str, str] | None:
        if not value or value.startswith("#"):
            return None
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme in SKIPPED_SCHEMES:
            return None
        fetched = attr in LOADED or tag == "link"
        if scheme or parts.netloc:
            if parts.netloc.lower() == self.host and parts.path.startswith(self.prefix) and scheme in ("http", "https", ""):
                return self._target(parts.path[len(self.prefix):], value)
            if fetched:
                return ("external-resource", f"<{tag} {attr}> 从其他网站加载 {value[:80]}。中国大陆的读者可能打不开，"
                        "本站的页面不能向其他网站发出请求：请把这个文件放进本站（content/ 或插件的资源）并用相对地址引用。")
            return None
        path = parts.path
        if not path:
            return None
        if path.startswith("/"):
            if not path.startswith(self.prefix):
                return ("broken-link", f"链接 {value[:80]} 是网站地址 {self.prefix} 以外的绝对路径。请改用相对链接。")
            return self._target(path[len(self.prefix):], value)
        return self._target(posixpath.join(posixpath.dirname(page), path), value)

    def _target(self, rel: str, value: str) -> tuple[str, str] | None:
        rel = unquote(rel)
        directory = rel.endswith("/") or rel == ""
        rel = posixpath.normpath(rel) if rel else "."
        if rel == ".." or rel.startswith("../"):
            return ("broken-link", f"链接 {value[:80]} 指向网站文件夹以外。请改成站内的页面或文件。")
        if self.site.has(rel + "/" if directory and rel != "." else rel):
            return None
        shown = rel + "/" if directory and rel != "." else rel
        return ("broken-link", f"链接 {value[:80]} 指向的 {shown} 在网站中不存在。请改正链接，或补上它指向的页面或文件。")
