"""The search entries of generated pages, made in worker processes (gongkai/search_index.py), must be
exactly what Material's search plugin makes on its own: same bytes of search_index.json."""
from __future__ import annotations

import yaml
from conftest import TODAY, build_site

import gongkai.bridge.search_workers as search_index
from gongkai.session import open_session

INDEX = "search/search_index.json"


def _build(root, tmp_path, name, monkeypatch, background: bool) -> tuple[bytes, set[str]]:
    """The index, and the pages whose entries the workers made."""
    with monkeypatch.context() as patch:
        # workers even on a one-core machine; none (Material indexes every page) for the reference
        patch.setattr(search_index.os, "cpu_count", lambda: 3 if background else 1)
        merged = []
        patch.setattr(search_index.SearchEntries, "merge",
                      lambda self, *args, merge=search_index.SearchEntries.merge: merged.append(set(self._ours)) or merge(self, *args))
        site = build_site(root, site_dir=tmp_path / name)
    assert len(merged) == 1 and bool(merged[0]) == background
    return (site / INDEX).read_bytes(), merged[0]


def test_workers_make_the_index_material_makes(demo_copy, tmp_path, monkeypatch):
    index, by_workers = _build(demo_copy, tmp_path, "a", monkeypatch, True)
    assert by_workers == {page.src_uri for page in open_session(demo_copy, TODAY).pages}  # every generated page
    assert index == _build(demo_copy, tmp_path, "b", monkeypatch, False)[0]


def test_a_page_another_plugin_changed_is_indexed_by_material(portal, tmp_path, monkeypatch):
    (portal / "hooks.py").write_text(
        "def on_page_content(html, page, **kwargs):\n"
        "    if page.file.src_uri == 'decisions/index.md':\n"
        "        return html + '<p>钩子补充的说明</p>'\n"
        "    return html\n", encoding="utf-8")
    config = yaml.safe_load((portal / "site_config.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["hooks.py"]
    (portal / "site_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    index, by_workers = _build(portal, tmp_path, "a", monkeypatch, True)
    assert "decisions/index.md" not in by_workers and "lists/index.md" in by_workers
    assert index == _build(portal, tmp_path, "b", monkeypatch, False)[0]
    assert "钩子补充".encode() in index.replace("\u200b".encode(), b"")
