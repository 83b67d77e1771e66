"""The plugin API: the built-in plugins import only `gongkai.api` (or `gongkai`), never a core module
behind it or another plugin, so a portal's own plugin can do all that a built-in one does; every name
of the API is in the README's plugin guide."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import REPO

import gongkai.api

PLUGINS = sorted((REPO / "plugins").glob("*.py"))
ALLOWED = {"gongkai", "gongkai.api"}


def gongkai_imports(path: Path) -> list[str]:
    """Every gongkai module (or relative module) that `path` imports, at any depth of its code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                found.append("." * node.level + (node.module or ""))
            elif (node.module or "").split(".")[0] in ("gongkai", "plugins"):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in ("gongkai", "plugins")]
    return found


@pytest.mark.parametrize("path", PLUGINS, ids=lambda p: p.name)
def test_a_built_in_plugin_imports_only_the_plugin_api(path):
    assert [m for m in gongkai_imports(path) if m not in ALLOWED] == []


def test_the_check_sees_private_and_sibling_imports(tmp_path):
    plugin = tmp_path / "p.py"
    plugin.write_text("from gongkai.data.model import split_ids\nfrom .charts import x\n"
                      "def f():\n    import gongkai.plugins.search\n", encoding="utf-8")
    assert gongkai_imports(plugin) == ["gongkai.data.model", ".charts", "gongkai.plugins.search"]


def test_every_name_of_the_api_is_importable_and_in_the_plugin_guide():
    guide = (REPO / "README.md").read_text(encoding="utf-8").split("## Writing a plugin", 1)[1]
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", guide))
    assert [name for name in gongkai.api.__all__ if not hasattr(gongkai.api, name)] == []
    assert [name for name in gongkai.api.__all__ if name not in documented] == []
