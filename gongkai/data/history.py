"""The revision history of the data, from the portal's git repository.

For every record of `datasets/`: the commits that added, changed or removed it, with the date (the
commit's, in Beijing time) and, per changed field, the old and the new value. Values are compared as
typed (``2026/7/1`` and ``2026-07-01`` are the same date), so re-saving a file in another spelling is
not a change. Uncommitted edits of the working tree count as one more change set dated the reference
date, so staff see (and the correction rule checks) what they are about to push.

Why the `git` CLI: it is on every machine and CI runner that has the repository, reads any
repository git itself can (shallow, packed, partial), and two long-lived processes
(`git log --raw` for the blob ids, `git cat-file --batch` for their bytes) cost milliseconds per
commit. pygit2 needs libgit2 wheels, and dulwich (pure Python) reads packs several times slower.

Work is done per blob: a file version is parsed once per run, and only its changed lines are decoded
and typed (a CSV whose header and line structure stayed the same is diffed line by line, its bytes
compared in C, so a version of a large file costs about one pass over its bytes). The changes of each
commit are kept in the portal's cache folder under the commit id and the code and schemas that
computed them: safe to delete, never stale.
"""
from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import io
import logging
import queue
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from gongkai import __version__
from gongkai.data import cache
from gongkai.data.cells import TableTyper, cell_text
from gongkai.data.headers import HeaderMap, locate_header
from gongkai.data.resources import Resource, Table, TableError
from gongkai.data.text import decode_line, decode_with_codec

log = logging.getLogger("mkdocs.plugins.gongkai")
BEIJING = dt.timezone(dt.timedelta(hours=8))
CACHE_FILE = "history.pickle"  # per commit: (changes, resources whose version could not be read)
STATE_FILE = "history-state.pickle"  # the whole History of the last repository state
CACHE_FORMAT = 3
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
WORKING_TREE = ""  # the commit id of the uncommitted edits
PREFETCH = 4  # file versions read ahead of the walk (each as large as the data file)
#: the fields a change keeps besides the changed ones (see _Typist.summary)
SUMMARY_FIELDS = ("title", "name", "kind", "period", "community_id", "unit_id", "subject_id", "lead_unit_id",
                  "project_id", "evaluation_id", "criterion", "date", "status", "notice_start", "correction")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str  # the value as published ("" for empty)
    new: str


@dataclass
class Change:
    """One record added, changed or removed by one commit."""

    resource: str
    key: str  # the primary key, parts joined by " / "
    kind: str  # ADDED, CHANGED or REMOVED
    day: dt.date
    commit: str  # WORKING_TREE for uncommitted edits
    fields: tuple[FieldChange, ...] = ()  # CHANGED: the fields whose typed value changed
    values: dict = field(default_factory=dict)  # the record after the change (before it, for REMOVED)
    before: dict = field(default_factory=dict)  # the record before the change (CHANGED, REMOVED)


@dataclass(frozen=True)
class PageRevision:
    """A hand-written page of content/ added, changed or removed by one commit (or, WORKING_TREE,
    edited and not committed yet)."""

    day: dt.date
    kind: str  # ADDED, CHANGED or REMOVED
    commit: str


@dataclass
class History:
    """What git knows about the data and the hand-written pages. `since` is the first day history
    covers when it is incomplete (a shallow clone); `changes` are oldest first; `pages` maps each
    Markdown file of content/ (its path there, "about.md") to its revisions, oldest first."""

    available: bool = False
    since: dt.date | None = None
    changes: list[Change] = field(default_factory=list)
    note: str | None = None  # why history is missing or incomplete, for one warning
    pages: dict[str, list[PageRevision]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._state: tuple[Path, str] | None = None  # the cache folder and key, when read with them
        self._by_record: dict[tuple[str, str], list[Change]] = {}
        self._last_day: dict[str, dt.date] = {}
        by_record, last_day = self._by_record, self._last_day
        for change in self.changes:
            by_record.setdefault((change.resource, change.key), []).append(change)
            if change.resource not in last_day or change.day > last_day[change.resource]:
                last_day[change.resource] = change.day  # commits need not be in date order (a rebase)

    @property
    def complete(self) -> bool:
        return self.available and self.since is None

    def of(self, resource: str, key: str) -> list[Change]:
        """The changes of one record, oldest first."""
        return self._by_record.get((resource, key), [])

    def first_published(self, resource: str, key: str) -> dt.date | None:
        """The day the record was first committed (None when that is before what history covers)."""
        for change in self.of(resource, key):
            if change.kind == ADDED:
                return change.day
        return None

    def removed(self, resource: str) -> dict[str, Change]:
        """Records of `resource` whose last change removed them, by key."""
        return dict(self._removed.get(resource, {}))

    @cached_property
    def _removed(self) -> dict[str, dict[str, Change]]:
        """`removed` of every resource, worked out in one pass over the records."""
        found: dict[str, dict[str, Change]] = {}
        for (name, key), changes in sorted(self._by_record.items()):
            if changes[-1].kind == REMOVED:
                found.setdefault(name, {})[key] = changes[-1]
        return found

    def last_modified(self, resource: str) -> dt.date | None:
        return self._last_day.get(resource)

    def kept(self, name: str, make: Callable[[], bytes]) -> bytes:
        """`make()`, kept in the cache folder beside this history when it has one, so that a build of
        an unchanged portal reads it back: for what depends only on the history and on what its key
        covers (the data files and pages, the settings, the code, the reference date, the commit),
        such as /data/changes.json."""
        if self._state is None:
            return make()
        folder, key = self._state
        found = cache.load(folder, f"{key}|{name}", f"history-{name}.pickle")
        if not isinstance(found, bytes):
            found = make()
            cache.store(folder, f"{key}|{name}", found, f"history-{name}.pickle")
        return found


def shown(value) -> str:
    """A typed value as the history shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


# ---------------------------------------------------------------------------------------- reading git


def read_history(root: Path, datasets_dir: str, resources: dict[str, Resource], settings, hook, today: dt.date,
                 cache_dir: Path | None = None, docs_dir: Path | None = None, inputs_key: str | None = None,
                 store: bool = True) -> History:
    """The history of the data files of the portal in `root`, and of the Markdown pages in `docs_dir`.

    Two caches in `cache_dir`: the changes of each commit (a new commit walks only itself), and the
    whole history of the last state, when `inputs_key` says what else it depends on (the session's
    validation key: the code of every plugin, the settings, the reference date, the commit checked
    out and the data files and pages by content), with the shallow boundary added here. An unchanged
    portal loads it and asks git one question (two in a shallow clone). `store=False` (`gongkai serve`,
    whose working tree changes with every rebuild) stores no whole history, nor what `History.kept` makes."""
    repo = _Repo.open(root)
    if repo is None:
        return History(note="门户文件夹不在 git 仓库中，网站不显示修订记录。")
    try:
        walk = _Walk(repo, root, datasets_dir, resources, settings, hook, today, cache_dir)
        boundary = repo.shallow_boundary() if cache_dir is not None and inputs_key else None
        key = None if boundary is None else hashlib.sha256(f"{walk.code}|{inputs_key}|{boundary}".encode()).hexdigest()
        history = cache.load(cache_dir, key, STATE_FILE) if key else None
        if history is None:
            history = walk.run()
            if docs_dir is not None:
                history.pages = _page_revisions(repo, Path(docs_dir), today)
            if key and store:
                cache.store(cache_dir, key, history, STATE_FILE)
        if key and store:
            history._state = (cache_dir, key)
        return history
    finally:
        repo.close()


PAGE_SUFFIXES = (".md", ".markdown")


def _page_revisions(repo: "_Repo", docs_dir: Path, today: dt.date) -> dict[str, list[PageRevision]]:
    """Each Markdown page of `docs_dir` with the commits that added, changed or removed it, and an
    uncommitted edit dated `today`. In a shallow clone the first commit only says what was there."""
    try:
        folder = docs_dir.resolve().relative_to(repo.top.resolve()).as_posix()
    except ValueError:  # content/ outside the repository: nothing is known about it
        return {}
    prefix = "" if folder == "." else folder + "/"
    found: dict[str, list[PageRevision]] = {}
    blobs: dict[str, str] = {}  # page -> its blob id as of the commit walked
    for index, commit in enumerate(_log(repo, folder if prefix else "")):
        for path, blob in sorted(commit.files.items()):
            if not path.startswith(prefix) or not path.lower().endswith(PAGE_SUFFIXES):
                continue
            page = path[len(prefix):]
            kind = REMOVED if blob is None else CHANGED if page in blobs else ADDED
            if blob is None:
                blobs.pop(page, None)
            else:
                blobs[page] = blob
            if not (index == 0 and repo.shallow):
                found.setdefault(page, []).append(PageRevision(commit.day, kind, commit.sha))
    now = {p.relative_to(docs_dir).as_posix(): git_blob_id(p.read_bytes()) for p in sorted(docs_dir.rglob("*"))
           if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()} if docs_dir.is_dir() else {}
    for page in sorted(set(now) | set(blobs)):
        if now.get(page) != blobs.get(page):
            kind = REMOVED if page not in now else CHANGED if page in blobs else ADDED
            found.setdefault(page, []).append(PageRevision(today, kind, WORKING_TREE))
    return found


class _Repo:
    def __init__(self, top: Path, shallow: bool) -> None:
        self.top, self.shallow = top, shallow
        self._cat: subprocess.Popen | None = None
        self._fetcher: subprocess.Popen | None = None  # prefetch: the blobs the walk will ask for, in order
        self._ahead: collections.deque = collections.deque()
        self._ready: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []

    @classmethod
    def open(cls, root: Path) -> "_Repo | None":
        try:
            out = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel", "--is-shallow-repository"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        lines = out.stdout.split("\n")
        if out.returncode != 0 or len(lines) < 2:
            return None
        return cls(Path(lines[0]), lines[1].strip() == "true")

    def shallow_boundary(self) -> str | None:
        """The commits a shallow clone starts from ("" for a full one; None when git cannot say):
        `git fetch --deepen` moves them, not the commit checked out."""
        if not self.shallow:
            return ""
        try:
            where = subprocess.run(["git", "-C", str(self.top), "rev-parse", "--git-path", "shallow"],
                                   capture_output=True, text=True, timeout=30)
            shallow = Path(where.stdout.strip())
            if where.returncode != 0 or not where.stdout.strip():
                return None
            return (shallow if shallow.is_absolute() else self.top / shallow).read_text(encoding="ascii", errors="replace")
        except (OSError, subprocess.SubprocessError):
            return None

    def git(self, *args: str) -> str:
        out = subprocess.run(["git", "-C", str(self.top), *args], capture_output=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode("utf-8", "replace"))
        return out.stdout.decode("utf-8", "surrogateescape")

    def blob(self, sha: str) -> bytes:
        """The bytes of a blob: the next prefetched one when it is the one asked for, else read now."""
        while self._ahead:
            if self._ahead[0] == sha:
                self._ahead.popleft()
                return self._take()
            if sha not in self._ahead:
                break
            self._ahead.popleft()  # a prefetched blob the walk turned out not to need
            self._take()
        if self._cat is None:
            self._cat = self._cat_file()
        self._cat.stdin.write(sha.encode() + b"\n")
        self._cat.stdin.flush()
        return _read_blob(self._cat.stdout, sha)

    def prefetch(self, shas: list[str]) -> None:
        """Have git read these blobs, in this order, in a thread while the walk parses the earlier ones
        (git inflates each version of a large file: as long as parsing it). At most PREFETCH ahead."""
        if not shas:
            return
        process = self._fetcher = self._cat_file()
        try:  # Linux: a blob in a few reads, not a read per 64 KB each waiting for the interpreter lock
            import fcntl

            fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        except (ImportError, AttributeError, OSError):
            pass
        self._ahead = collections.deque(shas)
        ready = self._ready = queue.Queue(maxsize=PREFETCH)

        def ask() -> None:
            try:
                for sha in shas:
                    process.stdin.write(sha.encode() + b"\n")
                process.stdin.close()
            except (OSError, ValueError):
                pass  # closed: the walk has ended

        def answer() -> None:
            try:
                for sha in shas:
                    ready.put(_read_blob(process.stdout, sha))
            except (OSError, ValueError, RuntimeError) as exc:
                ready.put(exc)

        self._threads = [threading.Thread(target=ask, daemon=True), threading.Thread(target=answer, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _take(self) -> bytes:
        item = self._ready.get()
        if isinstance(item, Exception):
            raise RuntimeError(f"git cat-file: {item}")
        return item

    def _cat_file(self) -> subprocess.Popen:
        return subprocess.Popen(["git", "-C", str(self.top), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)

    def close(self) -> None:
        if self._cat is not None:
            self._cat.stdin.close()
            self._cat.wait(timeout=30)
        if self._fetcher is not None:
            self._fetcher.kill()
            while any(thread.is_alive() for thread in self._threads):  # let a blocked thread finish
                try:
                    self._ready.get(timeout=0.05)
                except queue.Empty:
                    pass
            self._fetcher.wait(timeout=30)


def _current(blobs: dict[str, str]) -> tuple[str, str]:
    """The (path, blob) a resource is read from when two files hold it (x.csv and x.xlsx): the last."""
    return sorted(blobs.items())[-1]


def _read_blob(stream, sha: str) -> bytes:
    header = stream.readline().split()
    if len(header) < 3 or header[1] != b"blob":
        raise RuntimeError(f"git cat-file: {sha} is not a blob")
    data = stream.read(int(header[2]))
    stream.read(1)
    return data


@dataclass
class _Commit:
    sha: str
    day: dt.date
    files: dict[str, str | None]  # path (from the repository's top) -> new blob id, None when deleted


def _log(repo: _Repo, folder: str) -> list[_Commit]:
    """First-parent commits touching `folder`, oldest first, with the blob of every file they changed."""
    text = repo.git("-c", "core.quotePath=false", "log", "--first-parent", "-m", "--reverse", "--raw", "--no-renames",
                    "--no-abbrev", "--format=%x1e%H %cI", "--", folder or ".")
    commits = []
    for chunk in text.split("\x1e")[1:]:
        head, _, rest = chunk.partition("\n")
        sha, stamp = head.split(" ", 1)
        day = dt.datetime.fromisoformat(stamp.strip()).astimezone(BEIJING).date()
        files: dict[str, str | None] = {}
        for line in rest.splitlines():
            if line.startswith(":"):
                meta, _, path = line.partition("\t")
                parts = meta.split()
                files[path] = None if parts[4].startswith("D") else parts[3]  # a name git still quotes is no resource
        commits.append(_Commit(sha, day, files))
    return commits


def repository_state(root: Path) -> str:
    """The commit checked out (and whether the clone is shallow), "" outside a git repository: what the
    history depends on besides the working tree's files."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD", "--is-shallow-repository"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout if out.returncode == 0 else ""


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's own object id


# ---------------------------------------------------------------------------------------- one version


UNREADABLE = object()  # a version git has but the readers cannot read (staff pushed a broken file)


@dataclass
class _Version:
    """One version of one data file: its rows by key (the cells as written) and, for the line diff of
    the next version, its bytes, the codec they were read with and each line's key."""

    header: list
    rows: dict[str, tuple]
    data: bytes = b""  # as `_plain` gives it
    codec: str = "utf-8"
    lines: dict[bytes, str] | None = None  # line -> key (a CSV whose every row is one line), else None
    blob: str = ""
    #: when this version was made from another by its changed lines: that version's blob, and the keys
    #: of the rows that went or came (every other row is the same)
    base: str = ""
    touched: frozenset = frozenset()


class _Typist:
    """Types the rows of one resource for one header, once per header."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self._header: list | None = None
        self._typer: TableTyper | None = None
        self._mapping: dict[int, str] = {}
        self._brief_columns: list[tuple[int, str]] = []
        self._key_columns: list[tuple[int, str]] = []
        self._primary_key = resource.primary_key

    def use(self, header: list) -> None:
        if header != self._header:
            self._typer = TableTyper(self.resource, "")
            self._mapping = self._typer.map_header(Table(Path(""), list(header), []))
            self._brief_columns = [(i, name) for i, name in self._mapping.items() if name in SUMMARY_FIELDS]
            self._key_columns = [(i, name) for i, name in self._mapping.items() if name in self._primary_key]
            self._header = list(header)

    def has_key(self) -> bool:
        """Whether the header has every primary-key column."""
        return set(self.resource.primary_key) <= set(self._mapping.values())

    def key(self, cells: list) -> str:
        values = {}
        for index, name in self._key_columns:
            raw = cells[index] if index < len(cells) else ""
            value, problem = self._typer.read_cell(name, str(raw).strip() if raw is not None else "")
            values[name] = raw if problem else value
        return " / ".join(shown(values.get(name)) for name in self._primary_key)

    def values(self, cells: list) -> dict:
        """Every field's value as shown."""
        record = self._typer.type_row(0, cells, self._mapping)
        self._typer.findings.clear()  # an old version is what it was: only its values matter here
        return {name: shown(value) for name, value in record.items()}

    def brief(self, cells: list) -> dict:
        """`summary(values(cells))`, typing only the summary's fields: a district's first commit adds
        ~90,000 records, and a first publication shows only their names."""
        found = {}
        for index, name in self._brief_columns:
            raw = cells[index] if index < len(cells) else None
            value, problem = self._typer.read_cell(name, cell_text(raw))
            if not problem and shown(value):
                found[name] = shown(value)
        return {name: found[name] for name in SUMMARY_FIELDS if name in found}

    def summary(self, values: dict) -> dict:
        """What pages, feeds and rules need of a record beyond its changed fields: its name, where it
        belongs and its correction state (kept small: a district's history holds ~100,000 records)."""
        return {name: values[name] for name in SUMMARY_FIELDS if values.get(name)}


class _Walk:
    def __init__(self, repo: _Repo, root: Path, datasets_dir: str, resources, settings, hook, today, cache_dir) -> None:
        self.repo, self.resources, self.settings, self.hook, self.today = repo, resources, settings, hook, today
        prefix = root.resolve().relative_to(repo.top.resolve()).as_posix()
        self.folder = f"{prefix}/{datasets_dir}" if prefix != "." else datasets_dir
        self.folder = self.folder.strip("/")
        self.cache_dir = cache_dir
        self.typists = {name: _Typist(r) for name, r in resources.items()}
        self.versions: dict[str, _Version | None] = {}  # resource -> the last version parsed in this run
        self.blobs: dict[str, dict[str, str]] = {}  # resource -> path -> blob id, as of the commit being walked
        #: resource -> its blobs at the last readable version: what the next change is compared with
        self.readable: dict[str, dict[str, str]] = {}
        self.code = hashlib.sha256(repr((CACHE_FORMAT, __version__, sorted((n, r.schema) for n, r in resources.items()),
                                         settings.datasets_dir)).encode()).hexdigest()

    def resource_of(self, path: str) -> str | None:
        folder, _, name = path.rpartition("/")
        if folder != self.folder:
            return None
        stem, dot, suffix = name.rpartition(".")
        if not dot or suffix.lower() not in ("csv", "xlsx"):
            return None
        return stem.lower() if stem.lower() in self.resources else None

    def run(self) -> History:
        commits = _log(self.repo, self.folder)
        cached = self._load_cache()
        self.repo.prefetch(self._planned_blobs(commits, cached))
        changes: list[Change] = []
        walked = set(cached)  # the commits the cache held: written again only when this run adds or drops one
        since = commits[0].day if commits and self.repo.shallow else None
        for index, commit in enumerate(commits):
            touched = self._apply(commit, self.blobs)
            baseline = index == 0 and self.repo.shallow  # what came before the clone's first commit is unknown
            if commit.sha in cached and not baseline:
                found, unreadable = cached[commit.sha]
            else:
                found, unreadable = [], []
                for name in sorted(touched):
                    # the old version first: it is the one parsed last, and the new one is its line diff
                    old = None if baseline else self._version(name, self.readable.get(name, {}))
                    new = self._version(name, self.blobs.get(name, {}))
                    if new is UNREADABLE:
                        unreadable.append(name)
                    elif not baseline:
                        found += self._diff(name, old, new, commit.day, commit.sha)
                cached[commit.sha] = (found, unreadable)
            changes += found
            for name in touched.difference(unreadable):  # a broken file is skipped: the fix is compared with before it
                self.readable[name] = dict(self.blobs.get(name, {}))
        changes += self._working_tree()
        # a shallow clone's first commit shows no change, but will once the clone is deepened: not kept
        kept = {c.sha for c in commits[1 if self.repo.shallow else 0:]}
        if walked != kept:
            self._store_cache(cached, kept)
        note = f"历史记录不完整（浅克隆），修订记录只从 {since.isoformat()} 开始。在 CI 中请获取完整历史（fetch-depth: 0）。" if since else None
        return History(available=True, since=since, changes=changes, note=note)

    def _apply(self, commit: _Commit, blobs: dict[str, dict[str, str]]) -> set[str]:
        """Update resource -> path -> blob id with a commit's files; the resources it touched."""
        touched = set()
        for path, blob in commit.files.items():
            name = self.resource_of(path)
            if name is not None:
                touched.add(name)
                files = blobs.setdefault(name, {})
                if blob is None:
                    files.pop(path, None)
                else:
                    files[path] = blob
        return touched

    def _planned_blobs(self, commits: list[_Commit], cached: dict) -> list[str]:
        """The blobs `run` will read, in order, if every version is readable (when one is not, `blob`
        skips what was read ahead for nothing)."""
        blobs: dict[str, dict[str, str]] = {}
        readable: dict[str, str | None] = {}
        parsed: dict[str, str | None] = {}
        plan = []
        for index, commit in enumerate(commits):
            touched = self._apply(commit, blobs)
            baseline = index == 0 and self.repo.shallow
            for name in sorted(touched):
                now = _current(blobs[name])[1] if blobs[name] else None
                if commit.sha not in cached or baseline:
                    for sha in ((None if baseline else readable.get(name)), now):
                        if sha is not None and sha != parsed.get(name):
                            plan.append(sha)
                            parsed[name] = sha
                readable[name] = now
        return plan

    # ------------------------------------------------------------------ versions

    def _version(self, name: str, blobs: dict[str, str]):
        """The version of resource `name` made of these blobs (one file; the last one when two): a
        _Version, None when there is no file, UNREADABLE when the readers cannot read it."""
        if not blobs:
            return None
        path, blob = _current(blobs)
        known = self.versions.get(name)
        if known is not None and known.blob == blob:
            return known
        version = self._parse(name, path, self.repo.blob(blob), known)
        if version is None:
            return UNREADABLE
        version.blob = blob
        self.versions[name] = version  # the line diff of the next version starts from this one
        return version

    def _parse(self, name: str, path: str, data: bytes, previous: _Version | None) -> _Version | None:
        typist = self.typists[name]
        csv_file = path.lower().endswith(".csv")
        if csv_file:
            plain = _plain(data)
            quick = _line_diff(plain, previous, typist)
            if quick is not None:
                return quick
            try:
                text, codec = decode_with_codec(data, "")
            except TableError:
                return None
        table = self._read_table(name, path, data)
        if table is None:
            return None
        typist.use(table.header)
        if not typist.has_key():
            return None  # without its key column no row can be told apart: as unreadable as a broken file
        rows: dict[str, tuple] = {}
        for _, cells in table.rows:
            if any(str(c).strip() for c in cells if c is not None):
                rows[typist.key(cells)] = tuple(cells)
        version = _Version(list(table.header), rows)
        if csv_file:
            version.data, version.codec = plain, codec
            version.lines = _lines_of(version.data, text, version, typist)
        return version

    def _read_table(self, name: str, path: str, data: bytes) -> Table | None:
        suffix = "." + path.rpartition(".")[2].lower()
        with tempfile.TemporaryDirectory(prefix="gongkai-history-") as folder:
            file = Path(folder) / f"{name}{suffix}"
            file.write_bytes(data)
            try:
                table = self.hook.read_table(path=file, resource=self.resources[name], settings=self.settings)
            except TableError:
                return None
            if table is None:
                return None
            table, _ = locate_header(table, HeaderMap(self.resources[name]))
            return table

    # ------------------------------------------------------------------ diffs

    def _diff(self, name: str, old: _Version | None, new: _Version | None, day: dt.date, commit: str) -> list[Change]:
        before = old.rows if old else {}
        after = new.rows if new else {}
        typist = self.typists[name]
        found = []
        if old is not None and new is not None and new.base and new.base == old.blob:
            keys = sorted(key for key in new.touched if before.get(key) != after.get(key))
        else:
            keys = sorted({key for key, _ in before.items() ^ after.items()})
        for key in keys:
            was, now = before.get(key), after.get(key)
            if was is None:
                typist.use(new.header)
                found.append(Change(name, key, ADDED, day, commit, values=typist.brief(now)))
            elif now is None:
                typist.use(old.header)
                values = typist.brief(was)
                found.append(Change(name, key, REMOVED, day, commit, values=values, before=values))
            else:
                typist.use(old.header)
                old_values = typist.values(was)
                typist.use(new.header)
                new_values = typist.values(now)
                fields = tuple(FieldChange(f, old_values.get(f, ""), new_values.get(f, ""))
                               for f in new_values if old_values.get(f, "") != new_values.get(f, ""))
                if fields:
                    found.append(Change(name, key, CHANGED, day, commit, fields, typist.summary(new_values),
                                        typist.summary(old_values)))
        return found

    def _working_tree(self) -> list[Change]:
        """Uncommitted edits of the data files, as one change set dated the reference date."""
        folder = self.repo.top / self.folder
        found: list[Change] = []
        current: dict[str, dict[str, str]] = {}
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                rel = f"{self.folder}/{path.name}"
                name = self.resource_of(rel)
                if name is not None and path.is_file():
                    current.setdefault(name, {})[rel] = git_blob_id(path.read_bytes())
        for name in sorted(set(current) | set(self.readable)):
            committed, now = self.readable.get(name, {}), current.get(name, {})
            if committed == now:
                continue
            new = self._parse_file(name, now)
            if new is not UNREADABLE:  # a file staff cannot save readably is reported by validation, not here
                found += self._diff(name, self._version(name, committed), new, self.today, WORKING_TREE)
        return found

    def _parse_file(self, name: str, blobs: dict[str, str]):
        if not blobs:
            return None
        rel = _current(blobs)[0]
        version = self._parse(name, rel, (self.repo.top / rel).read_bytes(), self.versions.get(name))
        return UNREADABLE if version is None else version

    # ------------------------------------------------------------------ cache

    def _load_cache(self) -> dict[str, tuple[list[Change], list[str]]]:
        found = cache.load(self.cache_dir, self.code, CACHE_FILE) if self.cache_dir is not None else None
        return found if isinstance(found, dict) else {}

    def _store_cache(self, commits: dict[str, tuple[list[Change], list[str]]], keep: set[str]) -> None:
        if self.cache_dir is not None:
            cache.store(self.cache_dir, self.code, {sha: c for sha, c in commits.items() if sha in keep}, CACHE_FILE)


def _plain(data: bytes) -> bytes:
    """The bytes as the line diff compares them: without a UTF-8 BOM (Excel adds or drops it on saving;
    `decode` reads the file the same with or without) and with a final "\n", so that the last line
    ends like every other one."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data if data.endswith(b"\n") else data + b"\n"


def _blank(line: bytes) -> bool:
    return not line.strip(b" \r,")


def _lines_of(data: bytes, text: str, version: _Version, typist: _Typist) -> dict[bytes, str] | None:
    """Line -> key of a CSV whose every row is one line (else None). Lines are split at "\n", so a
    CRLF file's lines keep their "\r" (the same in every version; the csv module reads a cell without
    it); "\n" is never part of a UTF-8 or GB18030 character, so bytes and text split alike."""
    raw, lines = data.split(b"\n")[1:], text.split("\n")[1:]
    body = [(line, lines[n]) for n, line in enumerate(raw) if not _blank(line)]
    if len(body) != len(version.rows) or any(line.count(b'"') % 2 for line, _ in body):
        return None  # a cell spans lines, a title row or duplicate keys: no line diff for this file
    key_of = {cells: key for key, cells in version.rows.items()}  # a line as read is found by its cells
    keys = {}
    for line, line_text in body:
        cells = tuple(next(csv.reader([line_text])))
        keys[line] = key_of[cells] if cells in key_of else typist.key(list(cells))
    if len(keys) != len(body) or set(keys.values()) != set(version.rows):
        return None
    return keys


def _line_diff(data: bytes, previous: _Version | None, typist: _Typist) -> _Version | None:
    """The new version from the previous one and the lines that went and came, when the previous one
    is a plain CSV (`lines`) and the header line is the same; None when the file must be read whole.

    The two files are compared as bytes, in C: their common run, then the next line of the old file
    found again in the new one, and so on; so a commit that edits a few rows of a large file costs
    little more than a pass over its bytes, and only the lines that came are decoded and typed."""
    if previous is None or previous.lines is None:
        return None
    changed = _changed_lines(previous.data, data)
    if changed is None:
        return None
    went, came = changed
    filled = [line for line in came if not _blank(line)]
    if len(set(filled)) != len(filled):
        return None  # a row written twice: read the file whole
    went, came = went - set(filled), set(filled) - went  # a line that moved is neither
    typist.use(previous.header)
    rows, keys = dict(previous.rows), dict(previous.lines)
    touched = set()
    for line in went:
        if not _blank(line):
            key = keys.pop(line, None)
            if key is None:
                return None
            rows.pop(key, None)
            touched.add(key)
    for line in sorted(came):
        text = decode_line(line, previous.codec)
        if text is None or line.count(b'"') % 2:
            return None  # another encoding, or a cell spanning lines: read the file whole
        cells = next(csv.reader([text]))
        key = typist.key(cells)
        if key in rows:
            return None  # two lines with one key: read the file whole
        rows[key] = tuple(cells)
        keys[line] = key
        touched.add(key)
    return _Version(previous.header, rows, data, previous.codec, keys, base=previous.blob, touched=frozenset(touched))


RESYNC_TRIES = 16  # old lines tried, one after the other, to find where the two files agree again


def _changed_lines(old: bytes, new: bytes) -> tuple[set[bytes], list[bytes]] | None:
    """The lines of `old` outside the runs it shares with `new`, and those of `new` (a list: a line
    written twice shows); None when the first line (the header) differs or the files do not agree
    again within RESYNC_TRIES lines. Both end with "\n". A line in both moved."""
    went: set[bytes] = set()
    came: list[bytes] = []
    i = j = 0  # line starts in old and new
    while True:
        same = _common_length(old, i, new, j)
        if i + same == len(old) or j + same == len(new):
            went.update(old[i + same:].split(b"\n")[:-1])  # both end with "\n": the rest is whole lines
            came.extend(new[j + same:].split(b"\n")[:-1])
            return went, came
        start = old.rfind(b"\n", i, i + same) + 1 or i  # the line where they differ
        if start == 0:
            return None  # the header line changed
        j += start - i
        i = start
        end = old.index(b"\n", i)  # the old line that differs
        for _ in range(RESYNC_TRIES):
            if end + 1 == len(old):
                went.update(old[i:].split(b"\n")[:-1])
                came.extend(new[j:].split(b"\n")[:-1])
                return went, came
            after = old.index(b"\n", end + 1)
            found = new.find(old[end:after + 1], j - 1)  # the next old line, as a whole line of new
            if found >= 0:
                went.update(old[i:end + 1].split(b"\n")[:-1])
                came.extend(new[j:found + 1].split(b"\n")[:-1])
                i, j = end + 1, found + 1
                break
            end = after
        else:
            return None


def _common_length(a: bytes, i: int, b: bytes, j: int, chunk: int = 8192) -> int:
    """How many bytes `a[i:]` and `b[j:]` share at their start, compared a chunk at a time in C."""
    limit = min(len(a) - i, len(b) - j)
    done = 0
    while done < limit:
        size = min(chunk, limit - done)
        if a.startswith(b[j + done:j + done + size], i + done):
            done += size
            continue
        low, high = 0, size  # the first `low` bytes of this chunk agree, the first `high` do not
        while high - low > 1:
            middle = (low + high) // 2
            if a.startswith(b[j + done:j + done + middle], i + done):
                low = middle
            else:
                high = middle
        return done + low
    return limit
