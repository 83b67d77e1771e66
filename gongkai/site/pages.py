"""Pages and files that plugins add, and the checks the core makes on them."""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from gongkai.data.reading import inside
from gongkai.site.render import safe_title

PATH_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*/)*$")
# The search index joins text nodes: without whitespace between cells, the numbers of adjacent cells
# (2, 11, 15, 29 …) became one long number, unsearchable and flagged by output_scan as a mobile number.
CELL_GAP = re.compile(r"(</t[dhr]>)(?=<t[dhr][\s>])")


class PathError(ValueError):
    """A plugin asked for a path outside the site folder or with unsafe characters."""


class Later:
    """A value of a page's context still being made (in worker processes, say): pages holding one
    are rendered after the others, so that the value is made while they are (`Session.pages`)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    @cached_property
    def value(self):
        return self._make()


@dataclass
class Page:
    """A generated page. Its body is `html` as given, or rendered from `template` with `context` once
    every plugin has registered its pages, so that a body links only to pages that exist."""

    path: str  # URL path: "" (home), "decisions/", "projects/p1/"
    title: str
    html: str | None = None
    nav: str | None = None  # nav title; only index pages are in the nav
    order: int = 0
    boost: float | None = None
    description: str | None = None
    template: str | None = None
    context: dict = field(default_factory=dict, repr=False)
    requires: tuple = ()  # pages this one belongs to: without them it is left out (a notice without its decision)
    kind: str = "页面"  # what the page is, as search results and filters name it: 决策, 项目, 单位 …
    community: str | None = None  # the name of the 社区 the page belongs to (search filters by it)
    reads: tuple | None = None  # the records and resource names the body depends on (gongkai/site/reads.py)

    def __post_init__(self) -> None:
        self.path = check_page_path(self.path)
        self.title = safe_title(self.title)
        if self.html is None and self.template is None:
            raise ValueError(f"页面 /{self.path} 既没有正文（html）也没有模板（template）。")
        if self.html is not None:
            self.html = CELL_GAP.sub("\\1\n", self.html)
        if self.nav:
            self.nav = safe_title(self.nav)
        if self.description:
            self.description = safe_title(self.description)[:200]

    def render(self, render) -> None:
        """Render the body from its template (`render` is the portal's renderer), once."""
        if self.html is None:
            context = {name: value.value if isinstance(value, Later) else value for name, value in self.context.items()}
            self.html = CELL_GAP.sub("\\1\n", render(self.template, self.path, **context))
            self.context = {}

    @property
    def waits(self) -> bool:
        """Whether its context holds a value still being made (`Later`)."""
        return any(isinstance(value, Later) for value in self.context.values())

    @property
    def src_uri(self) -> str:
        return f"{self.path}index.md"

    @property
    def meta(self) -> dict:
        """What MkDocs' page meta gets from this page (Material's search reads title and search)."""
        return {"title": self.title, **({"search": {"boost": self.boost}} if self.boost else {}),
                **({"description": self.description} if self.description else {})}

    @cached_property
    def fingerprint(self) -> str:
        """A digest of all of the page that shows in its HTML (a preview rebuild compares them)."""
        return digest(self.title, self.description, self.boost, self.nav, self.order, self.html)


def digest(*parts) -> str:
    """A short hex digest of the parts (bytes as they are, anything else as its str)."""
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


def check_page_path(path: str) -> str:
    if path and not path.endswith("/"):
        path += "/"
    if not PATH_RE.match(path) or ".." in path.split("/"):
        raise PathError(f"页面路径 {path!r} 不安全：只能用英文字母、数字、_ . -，不能含 ..")
    return path


def check_file_path(path: str) -> str:
    """A site-relative file path that stays inside the site folder."""
    norm = posixpath.normpath(path)
    if path.startswith("/") or norm.startswith("..") or "\\" in path or not re.match(r"^[A-Za-z0-9_./-]+$", path):
        raise PathError(f"文件路径 {path!r} 不安全：必须留在网站文件夹内，只能用英文字母、数字、_ . - /")
    return norm


def write_changed(site_dir: Path, files: dict[str, bytes]) -> None:
    """Write each file (site-relative path → bytes) into the site folder, leaving a file whose bytes are
    already there alone (a preview rebuild then neither rewrites nor re-checks it)."""
    site = Path(site_dir)
    for path, content in files.items():
        target = site / path
        try:
            if target.read_bytes() == content:  # reading cannot harm; only a write must stay inside
                continue
        except OSError:
            pass
        if not inside(target, site):
            raise ValueError(f"插件要写入网站文件夹以外的 {path}，已阻止。")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
