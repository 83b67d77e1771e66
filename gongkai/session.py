"""The core pipeline, engine-neutral: load → validate → model → pages → files → site checks.

The MkDocs plugin is a thin adapter over a Session; the CLI drives one too. Nothing here imports
a feature module: every feature answers a hook.
"""
from __future__ import annotations

import logging
from functools import cached_property, partial
from pathlib import Path

from gongkai.config import PortalConfig, load_config
from gongkai.data import cache
from gongkai.data.history import History, read_history, repository_state
from gongkai.data.model import Portal
from gongkai.data.reading import load_tables
from gongkai.data.resources import Resource
from gongkai.data.validation import CheckContext, DomainCheck, ValidatedData, validate
from gongkai.findings import Finding, Report
from gongkai.parallel import Background
from gongkai.plugin_manager import create_plugin_manager
from gongkai.settings import ConfigError, reference_date
from gongkai.site.checks import CheckMemo, EarlyChecks, EarlyResult, OutputFile, SiteFiles, check_output
from gongkai.site.content import publishable
from gongkai.site.pages import Page, check_file_path, check_page_path, write_changed
from gongkai.site.reads import record_digests
from gongkai.site.render import Renderer
from gongkai.site.revisions import page_log, period_log, revision_log

log = logging.getLogger("mkdocs.plugins.gongkai")


def open_session(root: Path, today: str | None = None, cache_records: bool = True) -> "Session":
    """A Session over the portal in `root`, its site_config.yml read and validated."""
    return Session(load_config(Path(root)), today, cache_records=cache_records)


class Session:
    """One run over one portal folder: every stage computed once, on first use."""

    def __init__(self, config: PortalConfig, today: str | None = None, cache_records: bool = True):
        self.config = config
        self.root = config.root
        self.cache_records = cache_records  # `gongkai validate` needs only the report: skip pickling records
        self.settings = config.settings
        self.today = reference_date(today, self.settings)
        self.site_url = config.site_url
        self.site_name = config.site_name
        self.pm = create_plugin_manager(self.settings, self.root)
        self.hand_written: dict[str, tuple[str, str]] = {}  # page URL -> (title, body HTML): hand_written_page
        self.preview = False  # set by the MkDocs adapter in `gongkai serve`; becomes `portal.preview`
        self.render_memo = None  # `gongkai serve`: the page bodies of the last build (gongkai/site/reads.py)
        self.table_memo = None  # `gongkai serve`: the tables read and typed last time (gongkai/data/table_memo.py)
        self.carry_over = None  # `gongkai serve`: the model and registrations of the last build (gongkai/site/carry_over.py)
        self._history_job: Background | None = None  # the history read beside the validation (`history`)

    # ------------------------------------------------------------------ load + validate
    @cached_property
    def resources(self) -> dict[str, Resource]:
        found: dict[str, Resource] = {}

        def register(resource: Resource) -> None:
            found.setdefault(resource.name, resource)

        self.pm.hook.register_resources(register=register)
        return found

    @cached_property
    def checks(self) -> list[DomainCheck]:
        checks: list[DomainCheck] = []

        def register(check, reads=None) -> None:
            checks.append(DomainCheck(check, reads))

        self.pm.hook.register_checks(register=register)
        return checks

    @cached_property
    def code_key(self) -> str | None:
        """A hash of the settings, reference date, resources and code (gongkai/data/cache.py)."""
        return cache.code_key(self)

    @cached_property
    def repository_state(self) -> str:
        """The commit checked out, "" outside git: the history depends on it (validation cache, preview)."""
        return repository_state(self.root)

    @cached_property
    def data_key(self) -> str | None:
        """A hash of the code key, the commit and the data files (gongkai/data/cache.py)."""
        return cache.data_key(self)

    @cached_property
    def _cache_key(self) -> str | None:
        return cache.validation_key(self)

    @property
    def _cache_dir(self) -> Path:
        return self.root / self.settings.cache_dir

    @cached_property
    def validated(self) -> ValidatedData:
        """Validated records and findings; reused from the cache when no input changed. `gongkai serve`
        (a `table_memo`) never takes the records a build pickled: each rebuild whose data matched them
        would load new records (so a new model, and every page body rendered again) and leave its memo
        empty (so the next data edit would read and type every table again)."""
        key = self._cache_key
        cached = cache.load(self._cache_dir, key) if key and self.table_memo is None else None
        if cached is not None:
            return cached
        memo = self.table_memo
        if "history" not in self.__dict__ and self.repository_state and not (memo is not None and memo.tables):
            # git's history is walked beside the validation; not in a preview rebuild, which types only
            # the tables that changed: forking the whole preview and sending the history back costs more
            self._history_job = Background(self._read_history)
        if memo is not None:
            memo.code = self.code_key or ""
            memo = memo if memo.code else None  # a plugin whose code cannot be hashed: nothing is reused
        loaded = load_tables(self.root, self.resources, self.settings, self.pm.hook, memo)
        context = CheckContext(self.root, self.settings, self.today, loaded.resources, loaded.files,
                               docs_dir=self.config.docs_dir, markdown_extensions=self.config.markdown_extensions,
                               load_history=lambda: self.history)
        result = validate(loaded, context, self.checks, memo)
        context.load_history = None  # the history stays on the session; the cache keeps data only
        if key:
            if self.cache_records:
                cache.store(self._cache_dir, key, result)
            cache.store(self._cache_dir, key, result.report, cache.REPORT_FILE)
        return result

    @cached_property
    def report(self) -> Report:
        """The findings; from the small report cache when nothing changed, without loading records."""
        if "validated" not in self.__dict__ and self._cache_key:
            cached = cache.load(self._cache_dir, self._cache_key, cache.REPORT_FILE)
            if cached is not None:
                return cached
        return self.validated.report

    @cached_property
    def history(self) -> History:
        """The revision history of the data from the portal's git repository, read once per run (in
        another process while the data is validated, when that is not cached: a first build reads
        every commit)."""
        job, self._history_job = self._history_job, None
        with cache.paused_gc():  # the history of a district is some 100,000 objects, unpickled here
            found = job.result() if job is not None else self._read_history()
        if found.note and not found.available:
            log.info("gongkai: %s", found.note)
        return found

    def _read_history(self) -> History:
        return read_history(self.root, self.settings.datasets_dir, self.resources, self.settings, self.pm.hook,
                            self.today, self._cache_dir, self.config.docs_dir, self._cache_key,
                            store=not self.preview)

    # ------------------------------------------------------------------ model
    @cached_property
    def portal(self) -> Portal:
        if not self.report.valid:
            raise RuntimeError("the data has errors; build the portal only from valid data")
        data = self.validated
        carry = self.carry_over
        key = carry.model_key(self, data) if carry is not None else None
        kept = carry.kept_portal(key) if carry is not None else None
        if kept is not None:  # `gongkai serve`, no table changed: the last build's model, with today's history
            kept.history, kept.pages, kept.hand_written = self.history, None, {}
            kept.render = self._renderer(kept)
            return kept
        portal = Portal(self.root, self.settings, self.today, data.context.resources, data.model_records(),
                        data.context.files, site_url=self.site_url, site_name=self.site_name,
                        docs_dir=self.config.docs_dir, markdown_extensions=self.config.markdown_extensions,
                        preview=self.preview, history=self.history, input_keys=data.keys)
        portal.render = self._renderer(portal)
        if self.render_memo is not None:  # `gongkai serve`: the cells of an unchanged table are not digested again
            record_digests(portal, self.render_memo.cells)
        self.pm.hook.extend_portal(portal=portal)
        if carry is not None:
            carry.keep_portal(key, portal)
        return portal

    def _renderer(self, portal: Portal) -> Renderer:
        return Renderer(self._template_dirs(), {"portal": portal, "today": self.today, "has": portal.has_page,
                                                "revisions": partial(revision_log, portal),
                                                "period_revisions": partial(period_log, portal)})

    def _plugin_files(self) -> list[Path]:
        """The source files of every registered plugin (their code shapes page bodies too)."""
        return sorted({f for _, plugin in self.pm.list_name_plugin() if (f := cache.source_file(plugin))})

    def _template_dirs(self) -> list[Path]:
        import gongkai.plugins as builtin

        dirs = [self.root / "templates"] if (self.root / "templates").is_dir() else []
        return dirs + [Path(builtin.__file__).parent / "templates"]

    # ------------------------------------------------------------------ pages + files
    @cached_property
    def pages(self) -> list[Page]:
        """Every generated page: all registered first, then their bodies rendered, so that a body knows
        which pages exist (`has` in templates, `portal.has_page`)."""
        pages: dict[str, Page] = {}

        def register(path: str, title: str, html: str | None = None, nav: str | None = None, order: int = 0,
                     boost: float | None = None, description: str | None = None, *, template: str | None = None,
                     context: dict | None = None, requires: tuple = (), kind: str | None = None,
                     community=None, reads=None) -> None:
            page = Page(path, title, html, nav, order, boost, description, template, dict(context or {}),
                        tuple(check_page_path(p) for p in requires), kind or ("栏目" if nav else "页面"),
                        community["name"] if isinstance(community, dict) else community,
                        None if reads is None else tuple(reads))
            if page.path in pages:
                raise ValueError(f"两个插件都生成了页面 /{page.path}：请关闭其中一个插件")
            pages[page.path] = page

        portal = self.portal
        self._register_pages(register, portal)
        pages = {path: page for path, page in pages.items() if all(p in pages for p in page.requires)}
        if "" not in pages and not (self.config.docs_dir / "index.md").is_file():
            raise ConfigError("网站没有首页：生成首页的 home 插件已在 disable 中关闭，content/ 中也没有 index.md。"
                              "请在 content/ 中写首页 index.md，或从 site_config.yml 的 disable 中去掉 home。", code="no-home")
        portal.pages = pages
        ordered = sorted(pages.values(), key=lambda p: p.path)
        in_render_order = sorted(ordered, key=lambda p: p.waits)  # a value still being made: rendered last
        memo = self.render_memo
        if memo is None:
            for page in in_render_order:
                page.render(portal.render)
        else:  # `gongkai serve`: a body whose inputs did not change is kept from the last build
            memo.begin(portal, ordered, self._template_dirs(), self._plugin_files(), self.repository_state)
            for page in in_render_order:
                memo.render(page, portal)
            memo.forget_others(ordered)
        self.pm.hook.pages_ready(pages=ordered, portal=portal)
        return ordered

    def _register_pages(self, register, portal: Portal) -> None:
        """Every plugin's `register_pages`, in pluggy's order. In `gongkai serve`, plugin by plugin: the
        calls of a plugin whose pages declare `reads` are kept and, while the model is the last build's
        and no file they read changed, replayed instead (gongkai/site/carry_over.py)."""
        carry, caller = self.carry_over, self.pm.hook.register_pages
        impls = caller.get_hookimpls()
        if carry is None or any(impl.hookwrapper or impl.wrapper for impl in impls):
            caller(register=register, portal=portal)
            return
        plugins = [impl.plugin for impl in impls]
        for impl in reversed(impls):  # pluggy calls the last registered first
            calls = carry.replay(impl.plugin_name) if carry.portal is portal else None
            if calls is None:
                calls = []
                only = self.pm.subset_hook_caller("register_pages", [p for p in plugins if p is not impl.plugin])
                only(register=lambda *args, **kwargs: calls.append((args, kwargs)), portal=portal)
                carry.keep_calls(impl.plugin_name, calls)
            for args, kwargs in calls:
                register(*args, **kwargs)

    @cached_property
    def assets(self) -> dict[str, bytes]:
        return self._collect(self.pm.hook.register_assets)

    @cached_property
    def head_links(self) -> list[dict]:
        """The links every page's <head> carries (register_head_links), in plugin order."""
        links: list[dict] = []

        def register(path: str, type: str, title: str, rel: str = "alternate") -> None:
            links.append({"href": check_file_path(path), "type": type, "title": title, "rel": rel})

        self.pm.hook.register_head_links(register=register, portal=self.portal)
        return links

    @cached_property
    def files(self) -> dict[str, bytes]:
        return self._collect(self.pm.hook.register_files)

    def _collect(self, hook) -> dict[str, bytes]:
        out: dict[str, bytes] = {}

        def register(path: str, content: bytes | str) -> None:
            path = check_file_path(path)
            if path in out:
                raise ValueError(f"两个插件都生成了文件 {path}")
            out[path] = content.encode("utf-8") if isinstance(content, str) else content

        hook(register=register, portal=self.portal)
        return dict(sorted(out.items()))

    def hand_written_page(self, url: str, source: str, title: str, html: str) -> str:
        """A hand-written page as it is published (`url`: its URL path; `source`: its file in content/;
        `html`: its body as the engine rendered it): personal data masked, its 修订记录 from git added,
        and kept for the plugins that read every published page (search)."""
        portal = self.portal
        html = publishable(html, self.settings.masking, portal.public_numbers)
        if portal.history.available:
            html += portal.render("revisions.html", url, log=page_log(portal, source))
        self.hand_written[url] = (title, html)
        return html

    def publish(self, site_dir: Path, since: float | None = None, early: EarlyResult | None = None,
                memo: CheckMemo | None = None) -> list[Finding]:
        """The publish stage over a site the engine has written: every ``register_files`` file written
        (a file whose bytes did not change is left alone, so a preview does not check it again), every
        ``rewrite_output``, then every check (of the files written at or after `since`, when given).
        `early`: what `early_checks` found while the pages were rendered; `memo`: a preview's verdicts
        of its last checks (kept for files whose bytes and inputs did not change); without one, those
        of the last full build, from the cache folder.
        Returns the errors that stop publishing; the caller swaps the site in only when there are none."""
        site = Path(site_dir)
        write_changed(site, self.files)
        self.rewrite_output(site)  # e.g. the search plugin writes its index
        return [f for f in self.check_site(site, since, early, memo) if f.severity == "error"]

    def rewrite_output(self, site_dir: Path) -> None:
        self.portal.hand_written = dict(sorted(self.hand_written.items()))
        self.pm.hook.rewrite_output(site_dir=Path(site_dir), portal=self.portal)

    def early_checks(self, site_dir: Path, planned: set[str]) -> EarlyChecks:
        """``check_file`` over pages as they are made (gongkai/site/checks.py); `planned`: the paths of
        every file the site will have."""
        return EarlyChecks(site_dir, self._check_file, planned)

    def check_site(self, site_dir: Path, since: float | None = None, early: EarlyResult | None = None,
                   memo: CheckMemo | None = None) -> list[Finding]:
        """Every ``check_file`` over every file (modified at or after `since`, when given; the findings
        of `early` for the pages it checked and that did not change, of `memo` for the files whose
        verdicts it holds; without `memo`, of the last full build), then every ``check_site``."""
        stored = memo is None
        if stored:
            memo = CheckMemo.load(self._cache_dir, self.data_key)
        memo.begin(self.data_key)
        findings = check_output(Path(site_dir), self._check_file, since, early, memo)
        if stored:
            memo.store(self._cache_dir)
        for result in self.pm.hook.check_site(site_dir=Path(site_dir), portal=self.portal):
            findings.extend(result or ())
        return sorted(findings, key=Finding.sort_key)

    def _check_file(self, file: OutputFile, site: SiteFiles) -> list[Finding]:
        return [f for result in self.pm.hook.check_file(file=file, site=site, portal=self.portal) for f in result or ()]
