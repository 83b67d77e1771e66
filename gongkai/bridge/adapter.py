"""The MkDocs adapter: translates MkDocs' events into Session calls (on_config: the data and the pages;
on_files: the generated pages and assets; on_nav: a preview's unchanged hand-written pages; on_page_*:
their bodies and meta; on_env: the early checks that on_post_page hands each finished page to;
on_post_build:
`Session.publish`, the publish stage before the swap in gongkai/bridge/build.py). All options are
documented on `gongkai.settings.Settings`."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from gongkai.bridge import site_folder
from gongkai.bridge.build import portal_folders
from gongkai.bridge.preview import GeneratedFile, HandWrittenPage, PreviewState
from gongkai.bridge.progress import Progress
from gongkai.config import PortalConfig
from gongkai.data.reading import inside
from gongkai.data.resources import TableError
from gongkai.reports.banner import findings_banner
from gongkai.reports.text import format_report
from gongkai.session import Session
from gongkai.settings import ConfigError, Settings
from gongkai.site.checks import EarlyChecks
from gongkai.site.content import ACTIVE_SUFFIXES, read_page
from gongkai.site.pages import Page, digest
from gongkai.site.render import safe_title

log = logging.getLogger("mkdocs.plugins.gongkai")
THEME_OVERRIDES = Path(__file__).parent.parent / "theme"


class GongkaiPlugin(BasePlugin):
    """Hosts gongkai's plugin manager inside a MkDocs build."""

    def __init__(self) -> None:
        self._started: Session | None = None  # handed in by `gongkai build` / `gongkai serve` for the next build
        self.session: Session | None = None
        self.settings = Settings()
        self.command = "build"
        self._pages: dict = {}
        self._banner: str | None = None  # `serve` on invalid data: the findings, shown on every page
        self.progress = Progress(enabled=False)
        self.preview: PreviewState | None = None  # `gongkai serve` (dirty builds): what the last build made
        self._build_started = 0.0
        self._early: EarlyChecks | None = None  # a full build checks pages while the rest render
        self._unchanged: dict[str, HandWrittenPage] = {}  # a preview's hand-written pages not read again
        self._in_nav: set[str] = set()  # the src_uri of every page in this build's nav

    def load_config(self, options, config_file_path=None):
        try:
            self.settings = Settings.from_mapping(options)
        except ConfigError as exc:
            return [("gongkai", ValidationError(str(exc)))], []
        self.config = options
        return [], []

    def start(self, session: Session, progress: Progress | None = None, preview: PreviewState | None = None) -> None:
        """Build the next build from `session` (read and validated by `gongkai build` or `gongkai serve`,
        with their reference date) instead of reading the portal again; `progress` draws in a terminal;
        `preview`: what the last build of this `gongkai serve` made (None: a full build). MkDocs keeps one
        object of this plugin per process, whichever portal and command it builds, so the state of a
        preview is its builder's, handed in for each build: a `gongkai build` in the same process (the
        tests) no longer leaves the next preview rebuild without it."""
        self._started = session
        self.progress = progress or Progress(enabled=False)
        self.preview = preview
        self.command = "build" if preview is None else "serve"  # a preview shows findings instead of stopping

    def on_startup(self, *, command, dirty):
        """Also makes MkDocs keep this object across `mkdocs serve` rebuilds."""
        self.command = command
        self.preview = PreviewState() if command == "serve" and dirty else None

    # ------------------------------------------------------------------ config
    def on_config(self, config):
        session, self._started = self._started, None
        if session is None or session.config.mkdocs is not config:  # plain `mkdocs build`
            session = Session(PortalConfig.of(config, self.settings))
        self.session, self._banner, self._pages = session, None, {}
        session.preview = self.preview is not None
        if self.preview is not None:
            session.render_memo, session.table_memo = self.preview.renders, self.preview.tables
            session.carry_over = self.preview.carry
            session.cache_records = False  # the preview keeps its tables in memory; a pickle of every record costs a second
        self._build_started = time.time()
        _share_settings(config, session.settings)
        if not session.report.valid:
            if self.command != "serve":
                raise PluginError("数据检查未通过，网站没有生成：\n" + format_report(session.report))
            log.error("数据检查未通过（预览页面顶部显示了问题）：\n%s", format_report(session.report))
            self._banner = findings_banner(session.report)
            if not (Path(config.docs_dir) / "index.md").exists():
                self._pages = {"index.md": Page("", "数据检查未通过", "<h1>数据检查未通过</h1>")}
            _apply_theme_defaults(config)
            self._begin_preview(config)
            return config
        for finding in session.report.warnings:
            log.info("数据提示：%s", finding.message)
        self._pages = {p.src_uri: p for p in session.pages}
        _apply_theme_defaults(config)
        config.extra_css = [p for p in session.assets if p.endswith(".css")] + list(config.extra_css)
        config.extra_javascript = [p for p in session.assets if p.endswith(".js")] + list(config.extra_javascript)
        config.nav = _nav(session.pages, Path(config.docs_dir), config.nav)
        config.extra["gongkai_head_links"] = session.head_links
        self._begin_preview(config)
        return config

    def _begin_preview(self, config) -> None:
        """In `gongkai serve`: a full rebuild when what every page shows has changed."""
        if self.preview is not None:
            self.preview.begin(digest(self.session.config.text, config.nav, self._banner, self.session.today,
                                      self.session.repository_state,  # a commit changes every 修订记录
                                      sorted(self.session.assets.items()) if not self._banner else ""))

    def on_pre_build(self, config):
        site = Path(config.site_dir)
        if self.preview is not None and self.preview.full:
            site_folder.clean(site)  # MkDocs' dirty build keeps every file: start afresh
        elif self.preview is None:  # MkDocs empties the site folder next: only one gongkai may replace
            try:
                site_folder.check_replaceable(site, self.session.root, portal_folders(self.session.config))
            except site_folder.SiteFolderError as exc:
                raise PluginError(str(exc)) from None

    # ------------------------------------------------------------------ files
    def on_files(self, files, config):
        docs = Path(config.docs_dir)
        for file in list(files):
            if file.src_dir and Path(file.src_dir) == docs:
                _check_hand_written(file, docs, self.session.settings.trusted_files)
        found = {file.src_uri for file in files}  # content/ and the theme's files
        for src_uri in self._pages:
            if src_uri in found:
                raise PluginError(f"content/{src_uri} 与 gongkai 生成的页面同名。请给这个文件改名或移走。")
            file = (self.preview.generated_file(config, src_uri) if self.preview is not None
                    else GeneratedFile.generated(config, src_uri, content=""))
            file.changed = self.preview is None or self.preview.full or self.preview.changed(self._pages[src_uri])
            files.append(file)
        for path, content in ({} if self._banner else self.session.assets).items():
            files.append(File.generated(config, path, content=content))
        documents = files.documentation_pages()
        if self.preview is not None:  # a hand-written page is read and written again when it changed
            self._unchanged = self.preview.unchanged_hand_written(documents, self._hand_written_inputs(files))
            for file in documents:
                if not isinstance(file, GeneratedFile):
                    file.is_modified = _never if file.src_uri in self._unchanged else _always  # type: ignore[method-assign]
        self.progress.stage("生成页面", total=len(documents))
        return files

    def _hand_written_inputs(self, files) -> str:
        """What a hand-written page's HTML is made from besides its source: the site's files (its
        links to them), the masking and public numbers, the commit (its 修订记录)."""
        session = self.session
        numbers = sorted(session.portal.public_numbers) if not self._banner else None
        return digest(sorted(f.src_uri for f in files), session.settings.masking, numbers, session.repository_state)

    def on_nav(self, nav, config, files):
        """A preview's unchanged hand-written pages are not read again: the nav of the pages that are
        rendered shows their titles and front matter as the last build read them."""
        for src_uri, kept in self._unchanged.items():
            file = files.get_file_from_path(src_uri)
            if file is not None and file.page is not None:
                file.page.title, file.page.meta = kept.title, dict(kept.meta)
        self._in_nav = {page.file.src_uri for page in nav.pages}
        return nav

    def on_env(self, env, config, files):
        """A full build starts its early checks: every file the site will have is known now (pages,
        static files, the theme's own pages, the files plugins register). A preview's theme templates
        are compiled once (`PreviewState.theme_templates`)."""
        if self.preview is not None:
            env.bytecode_cache = self.preview.theme_templates
            self._remember_hand_written(files)
        elif not self._banner:
            planned = {f.dest_uri for f in files} | set(config.theme.static_templates) | set(self.session.files)
            self._early = self.session.early_checks(Path(config.site_dir), planned)
        return env

    def _remember_hand_written(self, files) -> None:
        """Every hand-written page read (changed) or kept (unchanged) by this preview build; the kept
        ones' published bodies go back on the session, for search."""
        pages = {}
        for src_uri, key in self.preview.hand_written_keys.items():
            file = files.get_file_from_path(src_uri)
            if file is None or file.page is None:
                continue
            kept = self._unchanged.get(src_uri)
            if kept is None:
                kept = HandWrittenPage(key, file.page.title, dict(file.page.meta), self.session.hand_written.get(file.url))
            elif kept.published is not None:
                self.session.hand_written[file.url] = kept.published
            pages[src_uri] = kept
        self.preview.remember_hand_written(pages, self._in_nav)

    # ------------------------------------------------------------------ pages
    def on_page_markdown(self, markdown, page, config, files):
        generated = self._pages.get(page.file.src_uri)
        if generated is None:  # a hand-written page: its front matter lands in <title>, the nav and meta tags
            page.meta = {key: _plain_meta(value) for key, value in page.meta.items()}
        page.meta["gongkai_today"] = self.session.today
        if generated is None:
            return markdown
        page.meta.update(generated.meta)
        return ""  # the body is pre-rendered: nothing for the Markdown parser to do

    @event_priority(100)  # before Material's search plugin: gongkai's own search indexes every page
    def on_page_context(self, context, page, config, nav):
        page.meta["search"] = {"exclude": True}
        return context

    def on_page_content(self, html, page, config, files):
        self.progress.advance()
        generated = self._pages.get(page.file.src_uri)
        if self._banner:
            return self._banner + html
        if generated is None:
            return self.session.hand_written_page(page.file.url, page.file.src_uri, page.title or "", html)
        return generated.html

    @event_priority(-100)  # the last plugin to see the page: MkDocs writes it next
    def on_post_page(self, output, page, config):
        if self._early is not None:
            self._early.page(page.file.dest_uri)
        return output

    # ------------------------------------------------------------------ build
    def on_post_build(self, config):
        site = Path(config.site_dir)
        site_folder.mark(site)
        if self._banner:
            return
        self.progress.stage("写入下载文件并检查网站")
        since = None
        if self.preview is not None:
            self.preview.finish(self.session.pages, site)  # pages of deleted rows go before the link check
            since = None if self.preview.full else self._build_started - 2  # the files this rebuild wrote
        early, self._early = self._early, None
        try:
            problems = self.session.publish(site, since, early.result() if early is not None else None,
                                            self.preview.checks if self.preview is not None else None)
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        if problems:
            raise PluginError("生成的网站未通过发布前检查，没有发布：\n" + "\n".join(f"  {f.file}: {f.message}" for f in problems))

    def on_build_error(self, error):
        if self._early is not None:
            self._early.close()
            self._early = None
        if self.preview is not None:
            self.preview.site_fingerprint = None  # the folder may be half written: the next build is a full one


def _always() -> bool:
    return True


def _never() -> bool:
    return False


def _check_hand_written(file, docs: Path, trusted: list) -> None:
    """A file of content/: no link out of content/, no file a browser runs (unless trusted), and a page
    saved as GBK (Notepad, WPS) read as such."""
    shown = f"{docs.name}/{file.src_uri}"
    if not inside(Path(file.abs_src_path), docs):  # linked file or folder
        raise PluginError(f"{shown} 是指向 {docs.name}/ 以外的链接，已拒绝发布。请把文件本身放进 {docs.name}/。")
    if Path(file.src_uri).suffix.lower() in ACTIVE_SUFFIXES and file.src_uri not in [str(t) for t in trusted]:
        raise PluginError(f"{shown} 是浏览器会执行的文件类型，已拒绝发布（见 gongkai validate 的提示）。")
    if file.is_documentation_page():
        try:
            text = read_page(Path(file.abs_src_path))
        except TableError as exc:
            raise PluginError(f"{shown}：{exc.message}") from None
        if not _utf8(Path(file.abs_src_path)):
            file.content_string = text  # MkDocs itself reads pages as UTF-8 only


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _plain_meta(value):
    """A front-matter value made plain text wherever the theme puts it (strings, also inside lists)."""
    if isinstance(value, str):
        return safe_title(value)
    if isinstance(value, list):
        return [_plain_meta(v) for v in value]
    return value


def _apply_theme_defaults(config) -> None:
    """No request may leave the reader's browser for another host: no Google Fonts."""
    theme = config.theme
    if theme.name == "material" and theme.get("font") is not False:
        log.info("gongkai: 已关闭 Material 的 Google 字体（font: false），网站只从本站加载资源。")
        theme["font"] = False
    if str(THEME_OVERRIDES) not in theme.dirs:
        theme.dirs.insert(1 if theme.custom_dir else 0, str(THEME_OVERRIDES))
    config.use_directory_urls = True


def _share_settings(config, settings: Settings) -> None:
    """The footer lines and the share image reach the theme (gongkai/theme) through `config.extra`."""
    config.extra["gongkai_footer"] = dict(settings.footer or {})
    config.extra["gongkai_head_links"] = []  # register_head_links, once the data is valid
    config.extra["gongkai_share_image"] = (settings.share_image or "").lstrip("/") or None


def _nav(pages, docs_dir: Path, user_nav: list | None) -> list:
    """The nav: the index pages in order (entity pages stay out), then the portal's own entries: its
    `nav:` from site_config.yml, or else the top-level pages of content/. A generated page the portal's
    `nav:` already places (e.g. `- 决策公开: decisions/index.md`) stays where the portal put it."""
    placed = set(_nav_files(user_nav or []))
    generated = [{p.nav: p.src_uri} for p in sorted((p for p in pages if p.nav), key=lambda p: (p.order, p.path))
                 if p.src_uri not in placed]
    if user_nav is not None:
        return generated + list(user_nav)
    own = [md.name for md in sorted(docs_dir.glob("*.md")) if md.name != "index.md"] if docs_dir.is_dir() else []
    return generated + own


def _nav_files(entries) -> list[str]:
    """Every file a MkDocs nav names, however deep its sections go."""
    found: list[str] = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                found.extend(_nav_files(value))
    return found
