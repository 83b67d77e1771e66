"""Property: whatever text staff type into a text field — markup, Markdown, template syntax, CJK —
is published as text. Random values go into every text field of a small portal; the built site
must have the shape of a neutral build (no element, attribute name, link target or script body came
from the data) and show each value as written. Values with control characters are refused."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import TODAY, build_site, codes, validate
from hostile.editing import set_cell
from hostile.shapes import norm, site_shapes, site_texts
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from gongkai.bridge.build import build
from gongkai.data.privacy import excel_number, find
from gongkai.data.text import BIDI_CONTROLS
from gongkai.scaffold import init_portal

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "gongkai-hypothesis")  # no .hypothesis/ in the repository

FIELDS = [
    ("projects", 0, "title"), ("projects", 0, "summary"), ("projects", 0, "outcome"),
    ("units", 1, "name"), ("units", 1, "description"),
    ("decisions", 0, "title"), ("decisions", 0, "resolution"),
]
TOKENS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<iframe>", "</title>", "<!--", "-->", "<![CDATA[", "]]>",
    "&lt;", "&amp;", "&#106;", "&#x3C;", '"', "'", "`", "javascript:", "[x](javascript:alert(1))", "](", "![a](b)",
    "{: onclick=\"x\" }", "{#id}", "{{", "}}", "{%", "%}", "{#", "#}", "${x}", "|", "\\", "*", "_", "# ", "- ", "1. ",
    "> ", "```", "    ", "\n", "\t", " ", "\u3000", "\u200b", "\u202e", "＜", "＞", "｛｛",
    "社区", "东风", "议事会", "决议", "居民", "的", "。", "，",
]
CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f"]
piece = st.one_of(
    st.sampled_from(TOKENS),
    st.sampled_from([chr(c) for c in range(0x21, 0x7F)]),  # printable ASCII
    st.sampled_from([chr(c) for c in range(0x4E00, 0x9FA6)]),  # CJK
)
text_value = st.lists(piece, min_size=1, max_size=12).map("".join).filter(lambda v: v.strip())
control_value = st.tuples(text_value, st.sampled_from(CONTROL), text_value).map("".join)
NEUTRAL = {where: f"中性文字{i}" for i, where in enumerate(FIELDS)}


def make_portal(root, values: dict) -> None:
    init_portal(root)
    for (resource, index, field), value in values.items():
        set_cell(root, resource, index, field, value)


def without_br(shapes: dict) -> dict:
    """Line breaks come from newlines in the values; every other element must match exactly."""
    return {name: {k: n for k, n in shape.items() if k[0] != "br"} for name, shape in shapes.items()}


@pytest.fixture(scope="module")
def neutral_shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("neutral") / "portal"
    make_portal(root, NEUTRAL)
    return without_br(site_shapes(build_site(root)))


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(text_value, min_size=len(FIELDS), max_size=len(FIELDS)))
def test_text_fields_are_published_as_text(values, neutral_shapes, tmp_path_factory):
    assume(not any(find(v) or excel_number(v.strip()) for v in values))  # personal data: test_privacy
    assume(not any(c in BIDI_CONTROLS for v in values for c in v))  # refused: test_hostile_corpus
    root = tmp_path_factory.mktemp("prop") / "portal"
    make_portal(root, dict(zip(FIELDS, values)))
    result = build(root, None, TODAY)
    assert result.ok, result.error
    assert without_br(site_shapes(result.site_dir)) == neutral_shapes
    texts = site_texts(result.site_dir)
    for where, value in zip(FIELDS, values):
        assert any(norm(value) in text for text in texts.values()), (where, value)


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=control_value, where=st.sampled_from(FIELDS))
def test_control_characters_are_refused(value, where, tmp_path_factory):
    root = tmp_path_factory.mktemp("ctrl") / "portal"
    make_portal(root, {where: value})
    resource, _, field = where
    found = [(code, res, fld) for code, res, row, fld in codes(validate(root)) if row]
    assert ("control-character", resource, field) in found
