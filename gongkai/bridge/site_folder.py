"""The folders gongkai writes a site into, and the only ones it ever deletes.

gongkai replaces a site folder only when it built that folder itself (the folder holds `MARKER`,
written by every build) or when it is empty or missing; never the portal itself, a folder holding
the portal, or anything inside the portal's own folders (datasets/, content/, plugins/, …).

A build writes into a temporary folder beside the site and swaps it in atomically. Each temporary
folder has a lock file beside it, locked (`flock`) before the folder is made and held until the
build ends, so that a start-up removes only the folders whose builder is gone, never those of a
build still running. The swap itself runs under one more lock, so two builds that end together
both publish whole sites, one after the other.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

from gongkai.settings import ConfigError

MARKER = ".gongkai-site"
MARKER_TEXT = "这个文件夹由 gongkai 生成，每次构建都会整体替换它：请不要在这里存放其他文件。\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_HELD: set[int] = set()  # lock file descriptors this process holds


def _close_inherited() -> None:
    """A forked child (search and check workers) must not keep its parent's locks alive: once the
    parent is killed, its temporary folder must count as stale at once."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited)


class SiteFolderError(ConfigError):
    """A site folder gongkai must not replace; nothing was touched."""

    def __init__(self, message: str):
        super().__init__(message, code="unsafe-site-dir")


def check_replaceable(folder: Path, root: Path, protected: dict[str, Path]) -> None:
    """Refuse `folder` as a site folder unless gongkai may replace it; `protected` names the portal's
    own folders (label -> path), which are never replaced whatever they hold."""
    folder, root = _real(folder), _real(root)
    shown = str(folder)
    if folder == root:
        raise SiteFolderError(f"网站文件夹 {shown} 就是门户文件夹本身：生成网站会替换它，门户的数据和配置会全部丢失。"
                              "请改用单独的文件夹，例如 --site-dir site。")
    if folder in root.parents:
        raise SiteFolderError(f"网站文件夹 {shown} 包含门户文件夹 {root}：生成网站会替换它，门户会被删掉。"
                              "请改用门户之外或门户之内的单独文件夹，例如 --site-dir site。")
    for label, path in protected.items():
        path = _real(path)
        if folder == path or path in folder.parents:
            raise SiteFolderError(f"网站文件夹 {shown} 在门户的 {label} 之中：生成网站会替换它，其中的文件会丢失。"
                                  "请改用单独的文件夹，例如 --site-dir site。")
    if folder.exists() and not folder.is_dir():
        raise SiteFolderError(f"网站文件夹 {shown} 是一个文件，不是文件夹。请换一个文件夹名。")
    if not replaceable(folder):
        raise SiteFolderError(f"文件夹 {shown} 不是 gongkai 生成的（其中没有标记文件 {MARKER}），也不是空的：gongkai 不会替换它，"
                              "以免删掉别人的文件。请换一个新文件夹名；确认可以整个删掉时，请先手动删掉它再生成。")


def check_writable(folder: Path) -> None:
    """Refuse before building when the site could not be swapped in or the previous one removed."""
    parent = next((p for p in (folder, *folder.parents) if p.exists()), None)
    blocked = [parent] if parent is not None and not os.access(parent, os.W_OK | os.X_OK) else []
    if folder.exists():
        blocked += [Path(top) for top, _, _ in os.walk(folder) if not os.access(top, os.W_OK | os.X_OK)][:1]
        if not os.access(folder.parent, os.W_OK | os.X_OK):
            blocked.append(folder.parent)
    if blocked:
        raise SiteFolderError(f"没有权限写入 {blocked[0]}：新网站无法放到 {folder}。请检查这个文件夹的权限"
                              "（例如 chmod u+w），或用 --site-dir 换一个可写的文件夹。")


def replaceable(folder: Path) -> bool:
    """True when `folder` is missing, empty, or built by gongkai (it holds the marker)."""
    if not folder.exists():
        return True
    return folder.is_dir() and ((folder / MARKER).is_file() or not any(folder.iterdir()))


def mark(folder: Path) -> None:
    """Mark `folder` as built by gongkai (same bytes every build)."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def clean(folder: Path) -> None:
    """Empty a site folder gongkai built (a preview's full rebuild); refuse any other folder."""
    if not replaceable(folder):
        raise SiteFolderError(f"文件夹 {folder} 不是 gongkai 生成的，不会清空它。")
    for child in folder.iterdir() if folder.exists() else ():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if folder.exists():
        mark(folder)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


# ------------------------------------------------------------------ temporary folders and locks


def _locked(path: Path, wait: bool, create: bool = True) -> int | None:
    """An open file descriptor holding an exclusive lock on `path`, or None when it is taken (or,
    without `create`, missing)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0), 0o644)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    _HELD.add(fd)
    return fd


def _release(fd: int) -> None:
    _HELD.discard(fd)
    os.close(fd)


@contextmanager
def building(final: Path):
    """A new, locked temporary folder beside `final`; removed when the block fails, and its lock
    released when it ends."""
    final.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    lock = final.parent / f".{final.name}.lock-{token}"
    temp = final.parent / f".{final.name}.building-{token}"
    fd = _locked(lock, wait=True)
    try:
        temp.mkdir()
        yield temp
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        lock.unlink(missing_ok=True)
        _release(fd)


def remove_stale(final: Path) -> None:
    """Temporary folders of builds that are gone (killed); a running build's folder stays."""
    with _swap_lock(final):
        _restore_or_drop_old(final)
        for temp in sorted(final.parent.glob(f".{final.name}.building-*")):
            lock = final.parent / f".{final.name}.lock-{temp.name.rpartition('.building-')[2]}"
            fd = _locked(lock, wait=False, create=False)
            if fd is None:
                continue  # its build is running, or the folder is not one of ours (no lock file)
            try:
                shutil.rmtree(temp, ignore_errors=True)
            finally:
                lock.unlink(missing_ok=True)
                _release(fd)


@contextmanager
def _swap_lock(final: Path):
    """The lock of swaps into `final`. Its file is removed afterwards, so nothing is left beside the
    site; a process that locked a file another one had just removed tries again."""
    path = final.parent / f".{final.name}.lock"
    while True:
        fd = _locked(path, wait=True)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        _release(fd)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        _release(fd)


def _restore_or_drop_old(final: Path) -> None:
    """A swap in two steps that was killed between them left the previous site as `.<name>.old-*`
    and no site: put it back. (Called under the swap lock, so no swap is running.)"""
    for old in sorted(final.parent.glob(f".{final.name}.old-*")):
        if not final.exists():
            os.rename(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ the swap


def swap_in(new: Path, final: Path) -> None:
    """Put `new` in place of `final` in one step (Linux renameat2 RENAME_EXCHANGE), else in two steps
    that the next start-up completes or undoes if they are interrupted."""
    with _swap_lock(final):
        if not final.exists():
            os.rename(new, final)
            return
        if exchange(new, final):
            shutil.rmtree(new)  # `new` now holds the previous site
            return
        old = final.parent / f".{final.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(final, old)
        os.rename(new, final)
        shutil.rmtree(old)


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (no renameat2, another OS)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0
