"""Safe builds: validate first, build into a temporary folder beside the site, check it, then swap
it in atomically. A crash, a kill or a bad datum at any point leaves the previous site complete."""
from __future__ import annotations

import calendar
import ctypes
import ctypes.util
import logging
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .core import Session
from .findings import Report
from .progress import Progress
from .settings import CONFIG_FILE, read_settings

log = logging.getLogger("mkdocs.plugins.gongkai")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass
class BuildResult:
    report: Report
    site_dir: Path | None = None
    error: str | None = None
    pages: int = 0

    @property
    def ok(self) -> bool:
        return self.report.valid and self.error is None


def open_session(root: Path, today: str | None = None, cache_records: bool = True) -> tuple[dict, Session]:
    config, settings = read_settings(root)
    return config, Session(root, settings, today, config.get("site_url") or "", config.get("site_name") or "",
                           cache_records=cache_records)


def build(root: Path, site_dir: Path | None = None, today: str | None = None, session: Session | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Validate and build the portal in `root`; publish to `site_dir` only when everything passed."""
    import mkdocs.commands.build
    import mkdocs.config
    from mkdocs.exceptions import MkDocsException

    root = Path(root).resolve()
    progress = progress or Progress(enabled=False)
    progress.stage("读取并检查数据")
    config, fresh = open_session(root, today)
    session = session or fresh
    if not session.report.valid:
        return BuildResult(session.report)
    final = Path(site_dir).resolve() if site_dir else root / (config.get("site_dir") or "site")
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(final)
    temp = final.parent / f".{final.name}.building-{os.getpid()}"
    errors = _ErrorLog()
    try:
        with _reproducible_dates(session), errors:
            cfg = mkdocs.config.load_config(str(root / CONFIG_FILE), site_dir=str(temp), strict=True)
            cfg.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does: plugin objects outlive a build
            plugin = cfg.plugins["gongkai"]
            plugin.prepared, plugin.today, plugin.progress = session, today, progress
            mkdocs.commands.build.build(cfg)
    except (MkDocsException, Exception) as exc:  # noqa: BLE001 - any failure must leave the old site
        shutil.rmtree(temp, ignore_errors=True)
        return BuildResult(session.report, error="\n".join(errors.messages) or str(exc) or type(exc).__name__)
    finally:
        progress.close()
    swap_in(temp, final)
    return BuildResult(session.report, site_dir=final, pages=progress.pages)


class _ErrorLog(logging.Handler):
    """Collects MkDocs' error log while building: MkDocs turns a plugin's error into a log line plus
    a bare 'Aborted with a BuildError!', and staff need the line."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self):
        logging.getLogger("mkdocs").addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger("mkdocs").removeHandler(self)


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


def _remove_stale(final: Path) -> None:
    """Temporary folders left by builds that were killed."""
    for stale in final.parent.glob(f".{final.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in final.parent.glob(f".{final.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def swap_in(new: Path, final: Path) -> None:
    """Put `new` in place of `final` in one step (Linux renameat2 RENAME_EXCHANGE), else in two."""
    if not final.exists():
        os.rename(new, final)
        return
    if _exchange(new, final):
        shutil.rmtree(new)  # `new` now holds the previous site
        return
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    os.rename(final, old)
    os.rename(new, final)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
