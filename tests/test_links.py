"""Links between site pages: the fast relative-path helper agrees with posixpath.relpath on every
shape of site path (folders, files, the root, dots), which is the definition it shortcuts."""
from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from gongkai.site.render import _relpath, relative_url

SEGMENT = st.sampled_from(["a", "b", "units", "c1", ".", "..", "数据", "index.html", ""])
SITE_PATH = st.lists(SEGMENT, max_size=5).map("/".join)


@given(SITE_PATH, SITE_PATH)
def test_relpath_is_posix_relpath(target: str, start: str) -> None:
    assert _relpath(target, start) == posixpath.relpath("/" + target, "/" + (start or "."))


def test_relpath_by_hand() -> None:
    assert _relpath("decisions/d1/", "units/c1/") == "../../decisions/d1"
    assert _relpath("units/c1/", "units/c1/") == "."
    assert _relpath("", "units/c1/") == "../.."
    assert _relpath("units/", "") == "units"


def test_relative_url_keeps_folders_and_anchors() -> None:
    assert relative_url("units/c1/", "decisions/d1/") == "../../decisions/d1/"
    assert relative_url("units/c1/", "units/c1/") == "./"
    assert relative_url("", "units/c1/#项目") == "units/c1/#%E9%A1%B9%E7%9B%AE"
