"""`gongkai serve`: a live-reloading preview at the address it prints, rebuilt when `content/`,
`datasets/`, `site_config.yml` or the portal's plugins and templates change.

Each rebuild reads site_config.yml once, validates the data (invalid data shows the findings on every
page instead of stopping the server) and runs MkDocs' dirty build into a preview folder that gongkai
made (gongkai/bridge/preview.py: only changed pages are rendered again). The preview is served at the
root of the address, whatever path `site_url` has, as the README says.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import shutil
import tempfile
import threading
from pathlib import Path

from gongkai.bridge import site_folder
from gongkai.bridge.collection import young_collections_only
from gongkai.bridge.preview import NavChanged, PreviewState
from gongkai.config import CONFIG_FILE, PortalConfig, load_config
from gongkai.session import Session

log = logging.getLogger("mkdocs.plugins.gongkai")

#: how often the watched folders are looked at for a saved edit (MkDocs' default is 0.5 s; a look at
#: a district's content/ and datasets/ stats a few thousand files at most)
POLL_SECONDS = 0.2


class PreviewBuilder:
    """One rebuild of the preview: what the server runs on each change (tests call it directly).

    The objects the preview keeps between rebuilds (the model, the last build's pages and memos:
    about a million at district scale) are frozen out of the garbage collector while a rebuild runs:
    otherwise each full collection, one or two per rebuild, walks them all (1.3–1.8 s at scale 1).
    What a rebuild left as garbage is collected once the preview has been shown, when staff are
    reading it (`IdleCollector`)."""

    def __init__(self, root: Path, site_dir: Path, today: str | None = None):
        self.root, self.site_dir, self.today = Path(root), Path(site_dir), today
        self._started = False
        self.collector = IdleCollector()
        self.state = PreviewState()  # what the last build made (gongkai/bridge/preview.py)

    def config(self) -> PortalConfig:
        return load_config(self.root, site_dir=str(self.site_dir))

    def __call__(self, config: PortalConfig | None = None) -> None:
        with self.collector.paused():  # reading site_config.yml too: a rebuild soon after the last one
            try:                        # ran its full collection there (0.7–1.2 s at scale 1)
                self._build(config or self.config())
            except NavChanged:  # a hand-written page's new title is in every page's nav: all of them again
                log.info("页面标题或页首信息改变，正在重新生成全部页面……")
                self._build(self.config())

    def _build(self, config: PortalConfig) -> None:
        import mkdocs.commands.build

        plugins = config.mkdocs.plugins
        if not self._started:  # MkDocs keeps plugin objects with on_startup between builds of one process
            plugins.on_startup(command="serve", dirty=True)
            self._started = True
        plugins["gongkai"].start(Session(config, self.today), preview=self.state)
        mkdocs.commands.build.build(config.mkdocs, dirty=True)


class IdleCollector:
    """Garbage collection held back while a rebuild runs and done in full once staff are looking at
    the result (IDLE_SECONDS after it), in a thread; a new rebuild cancels a collection not yet begun.

    During a rebuild only the young generations are collected (gongkai/bridge/collection.py): a full
    collection walks every object the rebuild made so far, and a data edit, which makes a few hundred
    thousand, triggered four or five of them (0.8 s at scale 1)."""

    IDLE_SECONDS = 3.0

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None

    @contextlib.contextmanager
    def paused(self):
        if self._timer is not None:
            self._timer.cancel()
        gc.freeze()  # what exists now is not walked by the collections this rebuild triggers
        try:
            with young_collections_only():
                yield
        finally:
            gc.unfreeze()
            self._timer = threading.Timer(self.IDLE_SECONDS, gc.collect)
            self._timer.daemon = True
            self._timer.start()


def serve(root: Path, dev_addr: str, today: str | None) -> int:
    host, _, port = dev_addr.rpartition(":")
    preview = Path(tempfile.mkdtemp(prefix="gongkai-preview-"))
    site_folder.mark(preview)
    builder = PreviewBuilder(root, preview, today)
    config = builder.config()  # a broken site_config.yml stops here, before the server starts
    logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildNotice())
    logging.getLogger("mkdocs.livereload").setLevel(logging.ERROR)  # no line per request
    server = _server()(builder=builder, host=host or "127.0.0.1", port=int(port or 8000), root=str(preview),
                       polling_interval=POLL_SECONDS)
    try:
        print("正在生成预览……", flush=True)
        try:
            builder(config)
        except Exception as exc:  # noqa: BLE001 - the server stays up and shows the next good build
            log.error("预览生成失败：%s。改正后保存，预览会自动重新生成。", exc)
        for path in _watched(config):
            server.watch(str(path))
        try:
            server.serve()
        except KeyboardInterrupt:
            print("预览已停止。", flush=True)
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(preview, ignore_errors=True)
    return 0


def _server():
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        def server_activate(self) -> None:
            super().server_activate()
            print(f"预览地址：{self.url}（按 Ctrl+C 停止）。修改数据或页面后会自动刷新。", flush=True)

    return PreviewServer


def _watched(config: PortalConfig) -> list[Path]:
    root = config.root
    paths = [config.docs_dir, root / config.settings.datasets_dir, root / CONFIG_FILE]
    paths += [root / d for d in ("plugins", "templates") if (root / d).is_dir()]
    return [p for p in paths if p.exists()]


class _DirtyBuildNotice(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be stale. gongkai rebuilds every page
    when anything all pages show has changed, so the warning would only alarm staff."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
