"""Hand-written pages (content/, MkDocs' docs_dir), treated like data: read in the encodings staff's
editors save (UTF-8, with BOM, or GBK from Notepad and WPS), rendered with the portal's Markdown
extensions, sanitised against an allowlist (gongkai/site/sanitize.py), and checked for personal data
and for files a browser would run. `gongkai validate` reports what these checks find with the file and
line; the build applies the same sanitising and masking to what it publishes.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import markdown

from gongkai.data.privacy import find, mask, number_key
from gongkai.data.resources import TableError
from gongkai.data.text import decode
from gongkai.findings import Finding, error, warning
from gongkai.site import sanitize
from gongkai.site.pages import digest

RESAVE = "请在记事本或 WPS 中“另存为”UTF-8 编码的文件。"
MARKDOWN = (".md", ".markdown")
#: files a browser runs: published from content/ only when the `trusted_files` setting names them
ACTIVE_SUFFIXES = (".js", ".mjs", ".xhtml", ".xht", ".shtml", ".swf", ".jar", ".hta", ".mht", ".mhtml", ".xsl",
                   ".xslt", ".wasm", ".svgz", ".vbs", ".xap", ".php", ".asp", ".aspx", ".jsp")
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:-{3}|\.{3})[ \t]*\n", re.S)


def md_page(source: str) -> str:
    """The URL path MkDocs gives the page content/<source>: minutes/x.md → minutes/x/, minutes/index.md →
    minutes/ (directory URLs)."""
    stem, name = posixpath.split(posixpath.splitext(source)[0])
    if name in ("index", "README"):
        return f"{stem}/" if stem else ""
    return f"{stem}/{name}/" if stem else f"{name}/"


def read_page(path: Path) -> str:
    """The text of a hand-written page; TableError (code, message, row) when it cannot be read."""
    return decode(path.read_bytes(), RESAVE)


def markdown_converter(extensions: list, extra: list = (), configs: dict | None = None) -> markdown.Markdown:
    """A Markdown converter with each of the portal's extensions that loads (some work only inside
    MkDocs), plus `extra` extension objects; `configs` overrides extension settings."""
    names, settings = [], {}
    for name, config in extensions:
        config = {**(config or {}), **((configs or {}).get(name) or {})}
        if isinstance(name, str) and _loads(name, config):
            names.append(name)
            settings[name] = config
    for name, config in (configs or {}).items():
        if name not in names and _loads(name, config):
            names.append(name)
            settings[name] = dict(config)
    return markdown.Markdown(extensions=names + list(extra), extension_configs=settings)


def _loads(name: str, config: dict) -> bool:
    try:
        markdown.Markdown(extensions=[name], extension_configs={name: config})
    except Exception:  # noqa: BLE001 - any failure means: not usable outside MkDocs
        return False
    return True


def publishable(html: str, masking: bool, public: set[str]) -> str:
    """Rendered hand-written HTML as it is published: sanitised, and masked when masking is on."""
    html = sanitize.clean(html)
    return mask(html, keep=public) if masking else html


# ------------------------------------------------------------------ the checks of `gongkai validate`


def check_content(docs: Path, root: Path, extensions: list, masking: bool, public: set[str],
                  trusted: list[str]) -> list[Finding]:
    """Every finding about the files of content/: encoding, raw HTML the sanitiser drops, personal
    data (in the text and in file names), files a browser would run."""
    if not docs.is_dir():
        return []
    converter = None
    settings = repr((extensions, masking, sorted(public)))  # what a page's findings depend on besides the page
    findings: list[Finding] = []
    pages = {}
    for path in sorted(p for p in docs.rglob("*") if p.is_file()):
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        findings += _file_name(path, docs, shown, public, trusted)
        if path.suffix.lower() in MARKDOWN:
            data = path.read_bytes()
            key = digest(data, shown, settings)
            kept = _PAGE_FINDINGS.get(path)
            if kept is None or kept[0] != key:
                converter = converter or markdown_converter(extensions)
                kept = (key, _page(data, shown, converter, masking, public))
            pages[path] = kept
            findings += kept[1]
    _PAGE_FINDINGS.clear()
    _PAGE_FINDINGS.update(pages)
    return findings


#: the findings of each page of the last `check_content`, with a digest of what they were found from
#: (the page's bytes and name, the extensions, masking and the public numbers): `gongkai serve`
#: validates again after every edit, and converts again only the pages that changed
_PAGE_FINDINGS: dict[Path, tuple[str, list[Finding]]] = {}


def _file_name(path: Path, docs: Path, shown: str, public: set[str], trusted: list[str]) -> list[Finding]:
    found = [error("personal-data", f"{shown} 的文件名含有{hit.kind}（{hit.masked}），文件名会出现在网址中。请给这个文件改名。",
                   file=shown, value=hit.masked)
             for hit in find(path.name) if number_key(hit) not in public]
    relative = path.relative_to(docs).as_posix()
    if path.suffix.lower() in ACTIVE_SUFFIXES and relative not in trusted:
        found.append(error("active-file", f"{shown} 是浏览器会执行的文件类型（{path.suffix}），为安全起见不会发布。"
                           f"请删掉它；如确实需要并已核对内容，请在 site_config.yml 的 gongkai 设置 trusted_files 中写上 {relative}。",
                           file=shown))
    return found


def _page(data: bytes, shown: str, converter: markdown.Markdown, masking: bool, public: set[str]) -> list[Finding]:
    try:
        text = decode(data, RESAVE)
    except TableError as exc:
        return [error(exc.code, f"{shown}：{exc.message}", file=shown, row=exc.row)]
    findings = _personal_data(text, shown, masking, public)
    body = FRONT_MATTER.sub(lambda m: "\n" * m.group(0).count("\n"), text, count=1)  # lines keep their numbers
    html = converter.reset().convert(body)
    lines = text.splitlines()
    for item in sanitize.removed(html, sanitize.clean(html)):
        line = _line_of(lines, item)
        findings.append(warning("content-sanitised", f"页面中的 {item} 不在允许的 HTML 之列，发布时已删掉"
                                "（页面中不能有脚本、事件属性、样式、表单、框架等）。请改用 Markdown 的写法。",
                                file=shown, row=line, value=item))
    return findings


def _personal_data(text: str, shown: str, masking: bool, public: set[str]) -> list[Finding]:
    findings = []
    for hit in find(text):
        if number_key(hit) in public:
            continue
        line = text.count("\n", 0, hit.start) + 1
        if masking:
            findings.append(warning("personal-data-masked", f"{shown} 第 {line} 行含有{hit.kind}，已按 masking 设置打码发布。"
                                    "如这里本不该有个人信息，请删掉它。", file=shown, row=line, value=hit.masked))
        else:
            findings.append(error("personal-data", f"{shown} 第 {line} 行含有{hit.kind}（{hit.masked}），个人信息不能公开发布。"
                                  "请删掉它；或在 site_config.yml 中设置 masking: true 打码发布。", file=shown, row=line,
                                  value=hit.masked))
    return findings


def _line_of(lines: list[str], item: str) -> int | None:
    """The source line that most likely holds what `item` ("<img onerror>", "<script>") names: the first
    with the tag and the attribute, else the first with the tag, else the first with the attribute."""
    tag, _, attr = item.strip("<>").partition(" ")
    attr = attr.split("=")[0]
    lowered = [line.lower() for line in lines]
    for wanted in ((f"<{tag}", attr), (f"<{tag}",), (attr,)):
        if all(wanted):
            found = next((n for n, line in enumerate(lowered, 1) if all(w in line for w in wanted)), None)
            if found:
                return found
    return None
