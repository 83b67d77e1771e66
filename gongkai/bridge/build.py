"""Safe builds: validate first, build into a temporary folder beside the site, check it, then swap
it in atomically. A crash, a kill or a bad datum at any point leaves the previous site complete."""
from __future__ import annotations

import calendar
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gongkai.bridge import site_folder
from gongkai.bridge.collection import young_collections_only
from gongkai.bridge.progress import Progress
from gongkai.config import PortalConfig
from gongkai.findings import Report
from gongkai.session import Session, open_session

log = logging.getLogger("mkdocs.plugins.gongkai")


@dataclass
class BuildResult:
    report: Report
    site_dir: Path | None = None
    error: str | None = None
    pages: int = 0

    @property
    def ok(self) -> bool:
        return self.report.valid and self.error is None


def build(root: Path, site_dir: Path | None = None, today: str | None = None, session: Session | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Validate and build the portal in `root` (or `session`'s); publish to `site_dir` only when
    everything passed."""
    with young_collections_only():
        return _build(root, site_dir, today, session, progress)


def _build(root: Path, site_dir: Path | None, today: str | None, session: Session | None,
           progress: Progress | None) -> BuildResult:
    import mkdocs.commands.build
    from mkdocs.exceptions import MkDocsException

    progress = progress or Progress(enabled=False)
    progress.stage("读取并检查数据")
    session = session or open_session(Path(root).resolve(), today)
    config = session.config
    final = Path(os.path.realpath(site_dir or config.site_dir))
    site_folder.check_replaceable(final, config.root, portal_folders(config))
    site_folder.check_writable(final)
    site_folder.remove_stale(final)  # also puts back a site that a killed two-step swap left aside
    if not session.report.valid:
        return BuildResult(session.report)
    errors = _ErrorLog()
    try:
        with site_folder.building(final) as temp:
            with _reproducible_dates(session), errors:
                mkdocs_config = config.mkdocs
                mkdocs_config["site_dir"], mkdocs_config["strict"] = str(temp), True
                mkdocs_config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
                mkdocs_config.plugins["gongkai"].start(session, progress)
                mkdocs.commands.build.build(mkdocs_config)
            site_folder.swap_in(temp, final)
    except (MkDocsException, Exception) as exc:  # noqa: BLE001 - any failure must leave the old site
        return BuildResult(session.report, error="\n".join(errors.messages) or _described(exc))
    finally:
        progress.close()
    return BuildResult(session.report, site_dir=final, pages=progress.pages)


def portal_folders(config: PortalConfig) -> dict[str, Path]:
    """The portal's own folders, never to be replaced by a site (label -> path)."""
    root, settings = config.root, config.settings
    return {"datasets/": root / settings.datasets_dir, f"{config.docs_dir.name}/": config.docs_dir,
            "plugins/": root / "plugins", "templates/": root / "templates", ".git": root / ".git",
            "缓存文件夹": root / settings.cache_dir}


def _described(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return f"没有权限写入 {exc.filename}（{exc.strerror}）。请检查这个文件夹的权限，或用 --site-dir 换一个可写的文件夹。"
    if isinstance(exc, OSError) and exc.filename:
        return f"无法写入 {exc.filename}（{exc.strerror}）。请检查磁盘空间和文件夹权限。"
    return str(exc) or type(exc).__name__


class _ErrorLog(logging.Handler):
    """Collects MkDocs' error log while building: MkDocs turns a plugin's error into a log line plus
    a bare 'Aborted with a BuildError!', and staff need the line."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self):
        logger = logging.getLogger("mkdocs")
        self._others = list(logger.handlers)
        for handler in self._others:  # the CLI prints the collected errors once, after the build
            handler.addFilter(_below_error)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        logger = logging.getLogger("mkdocs")
        logger.removeHandler(self)
        for handler in self._others:
            handler.removeFilter(_below_error)


def _below_error(record: logging.LogRecord) -> bool:
    return record.levelno < logging.ERROR


@contextmanager
def _reproducible_dates(session: Session):
    """Sitemap and gzip dates follow the reference date, so the same input builds the same bytes."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    if old is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(session.today.timetuple()))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
