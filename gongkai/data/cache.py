"""The validation cache: the validated records and findings of a run, keyed by a hash of everything
validation reads (data files by content, the content/ files checks look at, the settings, the
reference date and the code of every plugin). Stored in the portal's cache folder; safe to delete."""
from __future__ import annotations

import gc
import hashlib
import inspect
import logging
import os
import pickle
import tempfile
from contextlib import contextmanager
from pathlib import Path

from gongkai import __version__

log = logging.getLogger("mkdocs.plugins.gongkai")
CACHE_FILE = "validation.pickle"
REPORT_FILE = "report.pickle"  # the findings alone: all that `gongkai validate` needs, quick to load
CORE = Path(__file__).parent.parent  # the whole gongkai package


def validation_key(session) -> str | None:
    """A content hash of every input of validation, or None when a plugin's code cannot be hashed: the
    session's `data_key` and the files of content/."""
    if session.data_key is None:
        return None
    digest = hashlib.sha256(session.data_key.encode())
    _add_folder(digest, session.config.docs_dir, all_by_content=False)
    return digest.hexdigest()


def data_key(session) -> str | None:
    """The inputs of validation but content/: the session's `code_key`, the checked-out commit and the
    data files. Also what the checks of one output file read besides the file and `site.has` (a
    preview keeps their verdicts while it is the same: gongkai/site/checks.py `CheckMemo`)."""
    if session.code_key is None:
        return None
    digest = hashlib.sha256(session.code_key.encode())
    digest.update(session.repository_state.encode())  # the revision history: rules on corrections read it
    _add_folder(digest, session.root / session.settings.datasets_dir, all_by_content=True)
    return digest.hexdigest()


def _add_folder(digest, folder: Path, all_by_content: bool) -> None:
    """Every file of `folder`: data and pages by content; photos and other files by size and time."""
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        digest.update(str(path).encode())
        if path.is_symlink():
            digest.update(b"link:" + str(path.resolve()).encode())
        elif path.is_file():
            by_content = all_by_content or path.suffix.lower() in (".md", ".markdown")
            digest.update(_file_hash(path) if by_content else _stat_key(path))


def code_key(session) -> str | None:
    """A hash of every input of validation but the data and content files: the settings, the reference
    date, site_config.yml, the resources and the code (gongkai's and every plugin's); None when a
    plugin's code cannot be hashed."""
    digest = hashlib.sha256(f"gongkai {__version__}|{session.today}|{session.settings!r}".encode())
    digest.update(session.config.text.encode("utf-8"))  # Markdown extensions and folders: content/ is checked too
    for core in sorted(CORE.rglob("*")):  # the core's own code and schemas: an upgrade must not reuse old results
        if core.suffix in (".py", ".json"):
            digest.update(_file_hash(core))
    for name, plugin in sorted(session.pm.list_name_plugin(), key=lambda np: np[0]):
        source = source_file(plugin)
        if source is None:
            return None
        digest.update(f"|plugin {name}".encode())
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    for resource in sorted(session.resources.values(), key=lambda r: r.name):
        digest.update(repr((resource.name, resource.required, resource.schema)).encode())
    return digest.hexdigest()


def source_file(plugin) -> Path | None:
    """The file a plugin's code is in (a module, or the module of a plugin object's class)."""
    target = plugin if inspect.ismodule(plugin) else type(plugin)
    try:
        return Path(inspect.getfile(target))
    except (TypeError, OSError):
        return None


def _stat_key(path: Path) -> bytes:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode()


def _file_hash(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.digest()


@contextmanager
def paused_gc():
    """The cyclic garbage collector off for a while: unpickling a district's records or history makes
    millions of objects and no garbage, and the collector, woken by every few hundred of them, would
    take two thirds of the time (0.83 s against 0.24 s for the history of 1,000 commits)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(folder: Path, key: str, name: str = CACHE_FILE):
    """The stored value when it was stored under `key`. The key is read first: after a data change the
    stale records (seconds to unpickle at district scale) are not read at all."""
    path = folder / name
    try:
        with path.open("rb") as fh:
            if pickle.load(fh) != key:  # noqa: S301 - our own file in the portal's cache folder
                return None
            with paused_gc():
                return pickle.load(fh)  # noqa: S301
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, ImportError, TypeError):
        return None


def store(folder: Path, key: str, value, name: str = CACHE_FILE) -> None:
    """Write `value` under `key`, atomically: a temporary file of this process, then renamed, so that
    two commands writing at once leave one complete file, never a mix."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f"{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as fh:
                pickle.dump(key, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, folder / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only checkout must still validate
        log.info("gongkai: 无法写入缓存 %s（%s），下次将重新计算。", folder, exc)
