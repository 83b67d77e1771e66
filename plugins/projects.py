"""Project pages `/projects/<id>/`: the whole chain need → decision → start → milestones →
completion → evaluation as a timeline, budget against spending, progress, 逾期, partners and
photos sized for phones. The index of projects is the 项目清单 under `/lists/`."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from gongkai.api import excerpt, hookimpl, inside, period_sort_key, related, split_ids

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments
JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class Photo:
    path: str  # relative to content/, which is also its path in the site
    width: int | None = None
    height: int | None = None


@hookimpl
def register_pages(register, portal):
    content, seen = portal.docs_dir, {}

    def photos(record) -> list[Photo]:
        paths = split_ids(record.get("photos"))
        return [seen.get(path) or seen.setdefault(path, photo(content, path)) for path in paths]

    for p in portal.projects:
        path = f"projects/{p['id']}/"
        context = dict(p=p, photos=photos, overspent=overspent(p), spent_share=spent_share(p),
                       evaluations=evaluations_of(p))
        register(path, p["title"], template="project.html", context=context, boost=1.5,
                 description=excerpt(p.get("summary")), kind="项目", community=p.community,
                 reads=related(p) + tuple(content / path for path in split_ids(p.get("photos"))))  # photo sizes


def overspent(project) -> bool:
    budget, spent = project.get("budget_yuan"), project.get("spent_yuan")
    return budget is not None and spent is not None and spent > budget


def spent_share(project) -> float | None:
    budget, spent = project.get("budget_yuan"), project.get("spent_yuan")
    return spent / budget if budget and spent is not None else None


def evaluations_of(project) -> list:
    return sorted(project.evaluations, key=lambda e: (period_sort_key(e["period"]), e["id"]))


def photo(content: Path, path: str) -> Photo:
    file = content / path
    size = image_size(file) if inside(file, content) else None
    return Photo(path, *(size or (None, None)))


def image_size(file: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header, or None (other formats, unreadable files)."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments up to the first start-of-frame, which holds height then width."""
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return (width, height) if width and height else None
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        i += 2 + length
    return None
