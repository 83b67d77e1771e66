"""Files a row refers to under content/: decisions.minutes (a Markdown file) and projects/milestones
photos (JPEG/PNG/WebP by extension and by content, ≤ 2 MB), never outside content/."""
from __future__ import annotations

import os

import pytest
from conftest import codes, read_rows, validate, write_rows

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def set_cell(root, resource, line, field, value):
    rows = read_rows(root, resource)
    rows[line - 2][field] = value
    write_rows(root, resource, rows)


def put(root, rel, data: bytes | str):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def outside_link(root, name, data):
    """content/<name> is a symlink to a file outside content/."""
    target = put(root.parent, f"outside/{name}", data)
    os.symlink(target, root / "content" / name)


def message_of(report, expected):
    found = [f for f in report.errors if (f.code, f.resource, f.row, f.field) == expected]
    assert found, codes(report)
    return found[0].message


MINUTES_BAD = [
    pytest.param(None, "minutes/none.md", "content/minutes/none.md", id="不存在"),
    pytest.param(None, "../site_config.yml", "content/ 文件夹以外", id="上级目录"),
    pytest.param(None, "/etc/passwd", "content/ 文件夹以外", id="绝对路径"),
    pytest.param(None, "minutes\\d-001.md", "反斜杠", id="反斜杠"),
    pytest.param(lambda root: outside_link(root, "link.md", "# 纪要"), "link.md", "链接", id="指向外部的链接"),
    pytest.param(lambda root: put(root, "content/minutes/d-001.txt", "纪要"), "minutes/d-001.txt", ".md", id="不是Markdown"),
    pytest.param(lambda root: (root / "content/minutes").mkdir(), "minutes", "找不到文件", id="是文件夹"),
]


@pytest.mark.parametrize("setup, value, says", MINUTES_BAD)
def test_minutes_must_be_a_markdown_file_inside_content(portal, setup, value, says):
    if setup:
        setup(portal)
    set_cell(portal, "decisions", 2, "minutes", value)
    report = validate(portal)
    message = message_of(report, ("minutes-missing", "decisions", 2, "minutes"))
    assert value in message and says in message
    assert {c[0] for c in codes(report)} == {"minutes-missing"}


def test_minutes_inside_content_are_fine(portal):
    put(portal, "content/minutes/d-001.md", "# 会议纪要")
    set_cell(portal, "decisions", 2, "minutes", "minutes/d-001.md")
    set_cell(portal, "decisions", 3, "minutes", "about.md")
    assert codes(validate(portal)) == []


PHOTOS_BAD = [
    pytest.param(None, "images/none.png", "找不到文件", id="不存在"),
    pytest.param(None, "../datasets/units.csv", "content/ 文件夹以外", id="上级目录"),
    pytest.param(lambda root: outside_link(root, "x.png", PNG), "x.png", "链接", id="指向外部的链接"),
    pytest.param(lambda root: put(root, "content/a.gif", GIF), "a.gif", ".webp", id="GIF"),
    pytest.param(lambda root: put(root, "content/a.png", "这不是图片"), "a.png", "不是 JPEG、PNG、WebP", id="文本冒充PNG"),
    pytest.param(lambda root: put(root, "content/a.png", JPEG), "a.png", "实际内容是 JPEG", id="扩展名与内容不符"),
    pytest.param(lambda root: put(root, "content/big.jpg", JPEG + b"\x00" * (2 * 1024 * 1024)), "big.jpg", "2 MB", id="超过2MB"),
]


@pytest.mark.parametrize("resource, line", [("projects", 2), ("milestones", 3)])
@pytest.mark.parametrize("setup, value, says", PHOTOS_BAD)
def test_photos_must_be_small_real_images_inside_content(portal, resource, line, setup, value, says):
    if setup:
        setup(portal)
    put(portal, "content/ok.png", PNG)
    set_cell(portal, resource, line, "photos", "ok.png;" + value)
    report = validate(portal)
    message = message_of(report, ("photos-missing", resource, line, "photos"))
    assert value in message and says in message
    assert codes(report) == [("photos-missing", resource, line, "photos")]  # ok.png is not reported


def test_real_photos_inside_content_are_fine(portal):
    put(portal, "content/images/before.JPG", JPEG)
    put(portal, "content/images/after.png", PNG)
    put(portal, "content/images/now.webp", WEBP + b"\x00" * (2 * 1024 * 1024 - len(WEBP)))  # exactly 2 MB
    set_cell(portal, "projects", 2, "photos", "images/before.JPG;images/after.png；images/now.webp")
    set_cell(portal, "milestones", 2, "photos", "images/after.png")
    assert codes(validate(portal)) == []
