"""`gongkai init DIR`: a complete portal that builds at once, outside this repository."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from gongkai.settings import ConfigError

#: scaffold names that become dot-files (package data leaves dot-files out)
DOT_NAMES = {"dot-github": ".github", "dot-gitlab-ci.yml": ".gitlab-ci.yml", "dot-gitignore": ".gitignore"}


def init_portal(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} 已存在且不是空文件夹。请换一个新文件夹名。", code="target-not-empty")
    source = Path(str(resources.files("gongkai") / "scaffold"))
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name == "__pycache__":
            continue
        dest = target / DOT_NAMES.get(item.name, item.name)
        if item.is_dir():
            shutil.copytree(item, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, dest)
    (target / "plugins").mkdir(exist_ok=True)
