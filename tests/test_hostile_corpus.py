"""A corpus of hostile and broken inputs, each with its expected outcome.

- escaped / masked: every such value goes into one portal, built once beside a "neutral" twin
  whose values have the same lines and lengths but harmless characters. Every page, the search
  index and the feed must have the same shape in both builds (no element, attribute name, link
  target or script body came from a value), and the value must appear in the page text as written
  (or masked, and then nowhere unmasked).
- refused: validation fails with the structured finding (code, resource, row, field).
- config: the configuration is refused (exit code 2) with the finding code.
- build-refused: `gongkai build` exits 1, says where and what, and publishes nothing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import TODAY, build_site, codes, read_rows, validate, write_rows
from hostile.editing import add_row, configure, set_cell
from hostile.shapes import neutral, norm, shape_differences, site_shapes, site_texts

from gongkai.scaffold import init_portal


@dataclass
class Case:
    name: str
    outcome: str  # escaped | masked | refused | config | build-refused
    where: tuple = ()  # escaped/masked: (resource, row index, field)
    value: str = ""
    apply: Callable[[Path], Any] | None = None  # refused/config/build-refused: edits the portal, returns the expectation
    shown: str = ""  # masked: the masked text


def esc(name, resource, index, field, value):
    return Case(name, "escaped", (resource, index, field), value)


def refused(name, apply):
    return Case(name, "refused", apply=apply)


def config(name, apply):
    return Case(name, "config", apply=apply)


def build_refused(name, apply):
    return Case(name, "build-refused", apply=apply)


# ------------------------------------------------------------------------------ edits

def cell(resource, index, field, value, code):
    def apply(portal):
        return (code, resource, set_cell(portal, resource, index, field, value), field)
    return apply


def raw_line(resource, line_no, transform, code, field=None):
    """Rewrite one physical line of datasets/<resource>.csv; expect (code, resource, line, field)."""
    def apply(portal):
        path = portal / "datasets" / f"{resource}.csv"
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        lines[line_no - 1] = transform(lines[line_no - 1])
        path.write_text("\n".join(lines), encoding="utf-8")
        return (code, resource, line_no, field)
    return apply


def new_unit(unit_id, code):
    def apply(portal):
        return (code, "units", add_row(portal, "units", id=unit_id, name="新单位", kind="共建单位"), "id")
    return apply


def outside_file(tmp: Path, name: str, text: str) -> Path:
    path = tmp.parent / "outside" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dataset_link(portal):
    (portal / "datasets" / "resources.csv").unlink()
    os.symlink(outside_file(portal, "resources.csv", "编号,提供单位,资源名称\nr-1,u-audit,x\n"), portal / "datasets" / "resources.csv")
    return ("unsafe-link", "resources", None, None)


def yaml_text(snippet_after, snippet):
    def apply(portal):
        path = portal / "site_config.yml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(snippet_after, snippet_after + snippet, 1), encoding="utf-8")
    return apply


def duplicate_key(portal):
    yaml_text("  - gongkai:\n", "      masking: true\n      masking: false\n")(portal)
    return "duplicate-key"


def python_tag(portal):
    yaml_text("  - gongkai:\n", f"      today: !!python/object/apply:os.system [\"touch {portal / 'PWNED'}\"]\n")(portal)
    return "bad-date"  # the tag was read as plain data, never run


def plugin_link(portal):
    os.symlink(outside_file(portal, "evil.py", "raise SystemExit('ran')\n"), portal / "plugins" / "evil.py")
    configure(portal, plugins=["plugins/evil.py"])
    return "plugin-outside"


def plugin_dotdot(portal):
    outside_file(portal, "evil.py", "raise SystemExit('ran')\n")
    configure(portal, plugins=["../outside/evil.py"])
    return "plugin-outside"


def disable_scan(portal):
    configure(portal, disable=["output_scan"])
    return "safety-plugin"


def content_link(portal):
    os.symlink(outside_file(portal, "secret.md", "# 机密\n"), portal / "content" / "secret.md")
    return "content/secret.md"


def content_folder_link(portal):
    outside_file(portal, "notes.md", "# 机密\n")
    os.symlink(portal.parent / "outside", portal / "content" / "linked")
    return "content/linked/"


def one_long_line(portal):
    (portal / "datasets" / "resources.csv").write_bytes("编号,提供单位,资源名称\n".encode() + b"r-1,u-audit," + b"x" * 2_000_000)
    return ("line-too-long", "resources", 2, None)


def formula_field(portal):
    (portal / "datasets" / "datapackage.yaml").write_text(
        "resources:\n  - name: points\n    schema:\n      fields:\n"
        "        - {name: '=HYPERLINK(\"https://evil.example\",\"x\")', type: string}\n", encoding="utf-8")
    return ("bad-datapackage", "points", None, None)


def lookalike_key(portal, written):
    """evaluation_items are keyed by (evaluation_id, criterion): the same criterion twice, the second
    written with a full-width letter or a zero-width space."""
    rows = read_rows(portal, "evaluation_items")
    first = dict(rows[0], criterion="A类指标")
    rows[0] = first
    rows.append(dict(first, criterion=f"{written}类指标"))
    write_rows(portal, "evaluation_items", rows)
    code = "primary-key" if written == "Ａ" else "invisible-character"
    return (code, "evaluation_items", len(rows) + 1, "evaluation_id" if code == "primary-key" else "criterion")


ID18 = "110105199001011234"  # plausible birth date, wrong check character: still flagged
CARD = "6222020000000030007"  # passes Luhn

CASES = [
    # ---- published escaped (one shared build)
    esc("script-in-title", "projects", 0, "title", '<script>alert("gk")</script>'),
    esc("img-onerror", "projects", 0, "summary", "<img src=x onerror=alert(1)>"),
    esc("iframe", "units", 4, "description", '<iframe src="https://evil.example/"></iframe>'),
    esc("markdown-javascript-link", "decisions", 0, "resolution", "[点我](javascript:alert(1))"),
    esc("attr-list-suffix", "needs", 2, "title", '楼道照明 {: onclick="alert(1)" }'),
    esc("pipe-in-table-cell", "resources", 0, "description", "甲 | 乙 | 丙"),
    esc("jinja-expression", "units", 1, "name", "东风社区{{ 7*7 }}"),
    esc("jinja-statement", "milestones", 0, "title", "{% for x in range(3) %}重复{% endfor %}"),
    esc("title-close-tag", "decisions", 1, "title", "</title><script>alert(1)</script>"),
    esc("title-entities-after-striptags", "projects", 1, "title", "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
    esc("newlines-are-not-markdown-blocks", "projects", 0, "outcome", "第一行\n# 第二行\n- 第三行\n\n    缩进代码\n```"),
    esc("attribute-breakout-double", "units", 4, "party_org", '" onmouseover="alert(1)" x="'),
    esc("attribute-breakout-single", "units", 5, "party_org", "' onfocus='alert(1)' autofocus='"),
    esc("comment-and-cdata", "evaluations", 0, "comment", "<!-- ]]> <![CDATA[ x ]]> -->"),
    esc("raw-html-block", "needs", 0, "resolution", '<div markdown="1">**粗体** _斜体_</div>'),
    esc("url-text-is-not-a-link", "resources", 1, "description", "https://evil.example/x.js"),
    esc("zero-width-and-full-width", "units", 6, "description", "零\u200b宽 ＜script＞ ｛｛ 7*7 ｝｝"),
    esc("style-element", "pairings", 0, "agreement", "<style>body{display:none}</style>"),
    esc("svg-onload", "milestones", 1, "description", "<svg onload=alert(1)>"),
    esc("formula-text", "projects", 2, "summary", '=HYPERLINK("http://evil.example","点我")'),
    esc("backslash-and-backtick", "decisions", 0, "location", "\\<b\\> `code` ${x}"),
    esc("feed-cdata-end", "projects", 2, "title", "]]></content><script>x()</script>"),
    # ---- published masked (same shared build, masking on)
    Case("masked-mobile", "masked", ("projects", 1, "summary"), "联系 138-1234-5678", shown="138****5678"),
    Case("masked-resident-id", "masked", ("needs", 1, "resolution"), f"身份证 {ID18}", shown="1101**********1234"),
    # ---- refused by validation
    refused("mobile", cell("projects", 0, "summary", "负责人 13812345678", "personal-data")),
    refused("mobile-with-country-code", cell("units", 1, "party_org", "+86 138 1234 5678", "personal-data")),
    refused("resident-id-18-bad-checksum", cell("units", 0, "description", ID18, "personal-data")),
    refused("resident-id-15-legacy", cell("needs", 0, "resolution", "110105900101123", "personal-data")),
    refused("bank-card-luhn", cell("decisions", 0, "resolution", CARD, "personal-data")),
    refused("excel-scientific-id", cell("units", 2, "party_org", "1.10105E+17", "excel-number")),
    refused("excel-scientific-phone", cell("units", 2, "contact", "1.38123E+10", "excel-number")),
    refused("id-path-traversal", new_unit("../evil", "constraint-pattern")),
    refused("id-with-markup", new_unit("<b>x</b>", "constraint-pattern")),
    refused("id-that-is-a-phone-number", new_unit("13812345678", "personal-data")),
    refused("photo-javascript-url", cell("projects", 0, "photos", "javascript:alert(1)", "photos-missing")),
    refused("photo-outside-content", cell("projects", 0, "photos", "../site_config.yml", "photos-missing")),
    refused("minutes-absolute-path", cell("decisions", 0, "minutes", "/etc/passwd", "minutes-missing")),
    refused("nul-in-cell", raw_line("projects", 3, lambda s: s.replace("向阳", "向\x00阳", 1), "control-character", "title")),
    refused("escape-char-in-cell", raw_line("needs", 2, lambda s: s.replace("东风", "东\x1b[31m风", 1), "control-character", "title")),
    refused("unclosed-quote", raw_line("resources", 2, lambda s: s.replace("在职", '"在职', 1), "bad-csv")),
    refused("stray-delimiter", raw_line("resources", 3, lambda s: s + ",多余", "extra-cell")),
    refused("dataset-symlink-outside", dataset_link),
    # ---- round two: personal data in the shapes staff type
    refused("mobile-full-width-digits", cell("projects", 1, "summary", "负责人 １３８１２３４５６７８", "personal-data")),
    refused("mobile-full-width-hyphens", cell("units", 3, "description", "电话 138－1234－5678", "personal-data")),
    refused("mobile-em-dashes-and-ideographic-spaces", cell("needs", 1, "resolution", "138\u30001234\u30005678", "personal-data")),
    refused("mobile-zero-width", cell("decisions", 1, "resolution", "联系138\u200b1234\u200b5678", "personal-data")),
    refused("resident-id-6-8-4", cell("units", 4, "description", "身份证 110101 19900307 1234", "personal-data")),
    refused("resident-id-6-4-4-4-hyphens", cell("resources", 0, "description", "110101-1990-0307-1234", "personal-data")),
    refused("mobile-math-digits", cell("milestones", 0, "description", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "personal-data")),
    # ---- round two: inputs that crashed, or cost more than they should
    refused("infinity-max-score", cell("evaluation_items", 0, "max_score", "Infinity", "not-finite")),
    refused("nan-score", cell("evaluations", 1, "score", "NaN", "not-finite")),
    refused("huge-exponent", cell("projects", 0, "budget_yuan", "1e400", "not-finite")),
    refused("title-of-10000-characters", cell("projects", 2, "title", "长" * 10_000, "constraint-maxLength")),
    refused("text-of-5001-characters", cell("projects", 2, "summary", "长" * 5001, "constraint-maxLength")),
    refused("bidi-override-in-title", cell("units", 6, "name", "\u202e反转的名称", "bidi-control")),
    refused("bidi-isolate-in-text", cell("decisions", 0, "resolution", "决议\u2066隐藏\u2069", "bidi-control")),
    refused("one-line-file-of-2-mb", lambda p: one_long_line(p)),
    refused("field-name-that-is-a-formula", lambda p: formula_field(p)),
    # ---- round two: keys that look alike
    refused("key-full-width-lookalike", lambda p: lookalike_key(p, "Ａ")),
    refused("key-zero-width-lookalike", lambda p: lookalike_key(p, "A\u200b")),
    # ---- configuration refused (exit code 2)
    config("yaml-duplicate-key", duplicate_key),
    config("yaml-python-tag-not-run", python_tag),
    config("plugin-symlink-outside", plugin_link),
    config("plugin-path-outside", plugin_dotdot),
    config("safety-plugin-disable", disable_scan),
    # ---- build refused (exit code 1, nothing published)
    build_refused("content-symlink-outside", content_link),
    build_refused("content-folder-symlink-outside", content_folder_link),
]

PUBLISHED = [c for c in CASES if c.outcome in ("escaped", "masked")]


def test_corpus_size_and_distinct_places():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.where for c in PUBLISHED}) == len(PUBLISHED)  # one value per cell


# ------------------------------------------------------------------------------ shared builds


def _portal_with(tmp: Path, values: dict[tuple, str]) -> Path:
    root = tmp / "portal"
    init_portal(root)
    for (resource, index, field), value in values.items():
        set_cell(root, resource, index, field, value)
    configure(root, masking=True)
    return root


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(neutral site, hostile site), built once for every escaped and masked case."""
    hostile = {c.where: c.value for c in PUBLISHED}
    harmless = {c.where: neutral(c.value, chr(0x4E00 + 37 * i)) for i, c in enumerate(PUBLISHED)}
    neutral_site = build_site(_portal_with(tmp_path_factory.mktemp("neutral"), harmless))
    hostile_site = build_site(_portal_with(tmp_path_factory.mktemp("hostile"), hostile))
    return neutral_site, hostile_site, site_shapes(neutral_site), site_shapes(hostile_site), site_texts(hostile_site)


def test_published_site_has_the_shape_of_the_neutral_one(published):
    _, _, neutral_shapes, hostile_shapes, _ = published
    assert shape_differences(neutral_shapes, hostile_shapes) == {}


def test_newlines_become_line_breaks(published):
    _, hostile_site, _, _, _ = published
    page = (hostile_site / "projects" / "p-seats" / "index.html").read_text(encoding="utf-8")
    assert "第一行<br>" in page and "# 第二行<br>" in page and "- 第三行<br>" in page


def test_titles_stay_text_where_the_theme_puts_them(published):
    _, hostile_site, _, _, _ = published
    page = (hostile_site / "decisions" / "d-002" / "index.html").read_text(encoding="utf-8")
    head = page.split("</head>")[0]
    title = head.split("<title>")[1].split("</title>")[0]
    assert title.startswith("＜/title＞＜script＞alert(1)＜/script＞")
    og = head.split('property="og:title" content="')[1].split('"')[0]
    assert "<" not in og and ">" not in og
    pages = [page for p in (hostile_site / "search" / "p").glob("*.json") for page in json.loads(p.read_text(encoding="utf-8"))]
    titles = [page["t"] for page in pages if page["u"] == "decisions/d-002/"]
    assert titles and not [t for t in titles if "<" in t or "&lt;" in t]


# ------------------------------------------------------------------------------ the table


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case, request, tmp_path):
    if case.outcome in ("escaped", "masked"):
        check_published(case, request.getfixturevalue("published"))
        return
    portal = tmp_path / "portal"
    init_portal(portal)
    expected = case.apply(portal)
    if case.outcome == "refused":
        assert expected in codes(validate(portal))
    elif case.outcome == "config":
        check_config_refused(portal, expected)
    else:
        check_build_refused(portal, expected)


def check_published(case: Case, published) -> None:
    _, hostile_site, neutral_shapes, hostile_shapes, texts = published
    if case.outcome == "escaped":
        assert [page for page, text in texts.items() if norm(case.value) in text], "value not shown as written"
    else:
        assert any(case.shown in text for text in texts.values())
        raw = case.value.split(" ", 1)[1]
        leaked = [p for p in hostile_site.rglob("*") if p.is_file() and raw.encode() in p.read_bytes()]
        assert leaked == []
    pages = [page for page, text in texts.items() if norm(case.value) in text or case.shown and case.shown in text]
    for page in pages:
        assert neutral_shapes[page] == hostile_shapes[page], page


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=300)


def check_config_refused(portal: Path, code: str) -> None:
    done = run("validate", str(portal), "--today", TODAY, "--format", "json")
    assert done.returncode == 2, done.stdout + done.stderr
    assert json.loads(done.stdout)["errors"][0]["code"] == code
    assert not (portal / "PWNED").exists()


def check_build_refused(portal: Path, shown: str) -> None:
    done = run("build", str(portal), "--today", TODAY)
    assert done.returncode == 1, done.stdout + done.stderr
    assert shown in done.stderr
    assert not (portal / "site").exists()
    assert list(portal.glob(".site.*")) == []
